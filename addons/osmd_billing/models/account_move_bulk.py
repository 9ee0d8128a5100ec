"""Bulk posting of the monthly accrual invoices.

Odoo's ``account.move.create`` + ``action_post`` costs about 70 ms per invoice on a 2-core machine
(dynamic line synchronisation, the tax engine, per-line computations): 12 minutes for an association of
10 000 personal accounts. The accrual invoices of a billing run are all of one simple shape: a customer
invoice in the company currency, no taxes, no payment terms, no fiscal position, no analytic
distribution, one line per service and one receivable line. For that shape the ledger rows are known
exactly, so they are written with a few bulk COPYs, under these safeguards:

* Only invoices of that shape take the bulk path; any other (a service with taxes, a holder with a
  payment term, a fiscal position or contacts of its own, a zero or negative total, a hash-protected
  journal, ...) goes through create + action_post. Invoices are grouped by the holder's signature (the
  partner fields Odoo computes invoice values from) and by the set of values given: only the largest
  group takes the bulk path.
* *References* of the batch go through Odoo's standard path: the first invoice of the group, then, for
  every product of the group not on an earlier reference, the first invoice that has it. So every
  product (its account, its unit, Odoo's Python constraints and checks of ``_post``) is validated by
  Odoo on at least one invoice. The rows of every reference are also built here and compared column by
  column with what Odoo wrote, its name and number built from the sequence format like the bulk ones.
  Any difference (a module computing a column we do not know, a configuration not foreseen, a lock date
  moving the accounting date) sends the whole group through the standard path, with a warning naming
  the column.
* A column is either built per invoice here (``MOVE_ROW_COLUMNS``, ``LINE_ROW_COLUMNS``: partner,
  amounts, accounts, names, author, ...) or the same for the whole group (``MOVE_BATCH_COLUMNS``,
  ``LINE_BATCH_COLUMNS``: journal, dates, state, sequence prefix, due date, ...) and taken from the
  reference; the batch values that follow from the invoice values and the user (``_osmd_bulk_batch_values``)
  are compared with the reference's first, the others depend only on the journal, the company and the
  holder's signature, which the whole group shares. A column that is neither known here nor empty on the
  reference sends the group through the standard path.
* The chatter of the references (Odoo's "Invoice Created" note authored by the posting user, its
  followers, tracking values of group-wide fields) is written for every bulk invoice the same way;
  a chatter the bulk path cannot reproduce (attachments, activities, the holder notified) sends the group
  through the standard path.
* Numbers come from the journal's sequence: the references take theirs the standard way, the bulk
  invoices the following ones in order (a number already used after the last reference sends the group
  through the standard path). Concurrency: the numbers of the invoices posted the standard way (the
  references among them) are taken by Odoo's ``_locked_increment``, which holds the unique-index entry
  of each name until the transaction ends; the COPY holds the entries of the bulk names the same way.
  A second worker posting in the same journal and sequence (standard or bulk) tries the number after
  the last one it can see, which is at most our first one: it waits on that entry whatever the
  isolation level. When we commit, it gets a unique violation in its savepoint and tries the next
  number, one savepointed UPDATE per invoice of our batch, and takes the first free number after ours;
  when we roll back, it takes the number it waited for. Neither transaction fails, no number is used
  twice and no gap is made; a posting of ours that meets a concurrent one waits the same way, as
  Odoo's does. Only a name chosen by hand (not drawn from the sequence) and committed meanwhile among
  our bulk names makes the COPY fail on the unique index: the transaction is rolled back (a cron batch
  is retried by the next run).
* ``customer_rank`` is raised as Odoo's ``_increase_rank`` does: holders that are not customers yet in
  this transaction, the others after the commit in a separate transaction (no lock held on thousands
  of partner rows until the end of the posting).
* After the COPY the caches are invalidated and the ORM is told the records were created
  (``modified``), so stored computed fields elsewhere that depend on invoices are recomputed.
* Access rights are checked as for create + post; the debit/credit balance of every written move is
  checked in the database afterwards.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from ..tools.bulk_sql import copy_rows, copy_text, next_ids
from ..tools.money import line_amount, to_decimal

_logger = logging.getLogger(__name__)

# account_move columns built per invoice; the other known columns are the same for the whole batch
MOVE_ROW_COLUMNS = {
    "name",
    "sequence_number",
    "made_sequence_gap",
    "create_uid",
    "write_uid",
    "partner_id",
    "commercial_partner_id",
    "partner_shipping_id",
    "invoice_partner_display_name",
    "payment_reference",
    "invoice_origin",
    "amount_untaxed",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual_signed",
}
MOVE_BATCH_COLUMNS = {
    "journal_id",
    "company_id",
    "currency_id",
    "invoice_user_id",
    "sequence_prefix",
    "state",
    "move_type",
    "auto_post",
    "payment_state",
    "date",
    "invoice_date",
    "invoice_date_due",
    "invoice_currency_rate",
    "amount_tax",
    "amount_tax_signed",
    "always_tax_exigible",
    "checked",
    "posted_before",
    "is_manually_modified",
    "is_move_sent",
    "narration",
    "partner_bank_id",
    "preferred_payment_method_line_id",
}
LINE_ROW_COLUMNS = {
    "move_id",
    "create_uid",
    "write_uid",
    "move_name",
    "partner_id",
    "product_id",
    "product_uom_id",
    "account_id",
    "name",
    "quantity",
    "price_unit",
    "price_subtotal",
    "price_total",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
}
LINE_BATCH_COLUMNS = {
    "journal_id",
    "company_id",
    "company_currency_id",
    "currency_id",
    "sequence",
    "parent_state",
    "display_type",
    "date",
    "invoice_date",
    "date_maturity",
    "discount",
    "discount_amount_currency",
    "discount_balance",
    "is_storno",
    "reconciled",
    "no_followup",
    "deductible_amount",
}
# not compared with the reference: they differ by nature
UNCOMPARED_COLUMNS = {"id", "move_id", "create_date", "write_date"}
# keys of the invoice values the bulk path understands (others: standard path)
MOVE_KEYS = {
    "move_type",
    "company_id",
    "journal_id",
    "partner_id",
    "invoice_date",
    "date",
    "currency_id",
    "payment_reference",
    "invoice_origin",
    "invoice_date_due",
    "invoice_line_ids",
}
LINE_KEYS = {"product_id", "name", "quantity", "price_unit", "tax_ids"}
# tracked account.move fields whose value is the same for every invoice of a batch: their tracking values
# on the reference can be written for the bulk invoices as they are
BATCH_TRACKED_FIELDS = {"state", "move_type", "date", "currency_id", "invoice_user_id", "payment_state", "checked"}
RANK_POSTCOMMIT_KEY = "account.res.partner.increase_rank.customer_rank"


def same_value(ours, theirs):
    """Whether a value built here equals the one read from the database (numbers compared exactly)."""
    if isinstance(ours, (Decimal, float, int)) and not isinstance(ours, bool) and theirs is not None:
        if isinstance(theirs, bool):
            return False
        return to_decimal(ours) == to_decimal(theirs)
    return ours == theirs or (ours in (None, False, "") and theirs in (None, False, ""))


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------
    # ROUNDING OF THE ACCRUAL LINES
    # ------------------------------------------------------------

    def _prepare_product_base_line_for_taxes_computation(self, product_line):
        """Lines of the billing documents of a personal account (accrual and recalculation invoices, their
        credit notes) without taxes nor discount: their amount is ``quantity × price`` rounded half-up to
        the kopeck in Decimal (tools/money.py), the rule of the billing lines, receipts and registers.

        Odoo rounds the float product per line for ``price_subtotal`` and, rounding the document globally,
        moves the difference between the rounded sum of the float products and the sum of the rounded
        lines onto the journal items: 71.35 × 8.50 = 606.475 showed 606.48 on the line and was booked
        606.47. The exact amount is given to the tax engine as the line's manual total (Odoo's own way to
        impose a known base amount), so ``price_subtotal``, the balance and the invoice total all follow
        it, while quantity and price stay visible on the line. Other invoices are left to Odoo."""
        base_line = super()._prepare_product_base_line_for_taxes_computation(product_line)
        if (
            # the credit note reversing such an invoice (a cancelled billing run) reverses it to the kopeck
            (self.osmd_account_id or self.reversed_entry_id.osmd_account_id)
            and self.is_invoice()
            and not product_line.tax_ids
            and not product_line.discount
            and base_line["manual_total_excluded_currency"] is None
            and self.currency_id == self.company_id.currency_id
        ):
            base_line["manual_total_excluded_currency"] = float(
                line_amount(base_line["quantity"], base_line["price_unit"])
            )
        return base_line

    # ------------------------------------------------------------
    # ENTRY POINT
    # ------------------------------------------------------------

    @api.model
    def _osmd_create_posted_invoices(self, vals_list):
        """Create and post the customer invoices of ``vals_list`` (values as for ``create``): the ones
        of the simple accrual shape with bulk INSERTs, the others through create + action_post.
        Returns the posted moves in the order of ``vals_list``."""
        if not vals_list:
            return self.browse()
        self.check_access("create")
        self.env["account.move.line"].check_access("create")
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("You don't have the access rights to post an invoice."))
        self.env.flush_all()
        plan = self._osmd_bulk_plan(vals_list)
        moves = [None] * len(vals_list)
        references = plan["references"]
        standard = sorted({index for index in range(len(vals_list)) if index not in plan["bulk"]} | set(references))
        if standard:
            created = self.create([vals_list[index] for index in standard])
            created.action_post()
            for index, move in zip(standard, created, strict=True):
                moves[index] = move
            plan["posted"] = created
        bulk = [index for index in sorted(plan["bulk"]) if index not in references]
        if bulk:
            problem = self._osmd_bulk_check_references(
                [moves[index] for index in references], [vals_list[index] for index in references], plan
            )
            problem = problem or self._osmd_bulk_check_names(len(bulk), plan)
            if problem:
                _logger.warning(
                    "Bulk posting of %s invoices falls back to create + action_post: %s", len(bulk), problem
                )
                created = self.create([vals_list[index] for index in bulk])
                created.action_post()
            else:
                created = self._osmd_bulk_insert(plan["last_reference"], [vals_list[index] for index in bulk], plan)
            for index, move in zip(bulk, created, strict=True):
                moves[index] = move
        return self.browse([move.id for move in moves])

    # ------------------------------------------------------------
    # WHICH INVOICES TAKE THE BULK PATH
    # ------------------------------------------------------------

    @api.model
    def _osmd_partner_signature_fields(self, company):
        """Partner fields on which Odoo computes invoice values: holders that differ from the reference
        holder on one of them take the standard path."""
        names = [
            "parent_id",
            "user_id",  # the invoice's salesperson
            "property_account_receivable_id",
            "property_payment_term_id",
            "property_account_position_id",
            "property_inbound_payment_method_line_id",
        ]
        if self.env["ir.config_parameter"].sudo().get_param("account.use_invoice_terms"):
            names.append("lang")  # the invoice terms are written in the holder's language
        if self.env["account.fiscal.position"].sudo().search_count(Domain("company_id", "=", company.id), limit=1):
            names += ["country_id", "state_id", "zip", "vat"]  # fiscal positions are detected on these
        return [name for name in names if name in self.env["res.partner"]._fields]

    @api.model
    def _osmd_bulk_plan(self, vals_list):
        """{"bulk": indexes of the invoices that take the bulk path (references included), "references":
        the indexes of the reference invoices (the first of the group, then one per product not yet
        covered), "products": {product id: (income account, uom id)}, "partners": {partner id: (commercial
        partner id, display name, delivery address id)}, "lines": {id(invoice values): the invoice's lines
        as _osmd_bulk_lines returns them}, "extra_columns": see _osmd_bulk_extra_columns}."""
        extra_columns = self._osmd_bulk_extra_columns()
        plan = {
            "bulk": set(),
            "references": [],
            "products": {},
            "partners": {},
            "lines": {},
            "extra_columns": extra_columns,
        }
        first = vals_list[0]
        company = self.env["res.company"].browse(first.get("company_id"))
        journal = self.env["account.journal"].browse(first.get("journal_id"))
        if (
            not company
            or not journal
            or journal.type != "sale"
            or journal.company_id != company
            or journal.restrict_mode_hash_table
            or (first.get("currency_id") and first["currency_id"] != company.currency_id.id)
            or self.env["account.analytic.distribution.model"]
            .sudo()
            .search_count(Domain("company_id", "in", [company.id, False]), limit=1)
        ):
            return plan
        batch_keys = (
            "move_type",
            "company_id",
            "journal_id",
            "invoice_date",
            "date",
            "invoice_date_due",
            "currency_id",
        )
        batch_values = tuple(first.get(key) for key in batch_keys)
        company_env = self.with_company(company).env
        product_ids = {
            command[2].get("product_id")
            for vals in vals_list
            for command in vals.get("invoice_line_ids", [])
            if isinstance(command, (list, tuple)) and command[0] == Command.CREATE
        }
        products = company_env["product.product"].browse(pid for pid in product_ids if pid)
        company_taxes = self.env["account.tax"]._check_company_domain(company)
        for product in products:
            account = product.product_tmpl_id._get_product_accounts()["income"] or journal.default_account_id
            if (
                not account
                or not account.active
                or account.reconcile
                or account.account_type in ("asset_cash", "liability_credit_card")
                or product.taxes_id.filtered_domain(company_taxes)
            ):
                continue
            plan["products"][product.id] = (account.id, product.uom_id.id or None)
        partners = company_env["res.partner"].browse({vals.get("partner_id") for vals in vals_list} - {None, False})
        signature_fields = self._osmd_partner_signature_fields(company)
        with_children = {
            parent.id
            for [parent] in self.env["res.partner"]
            .with_context(active_test=False)
            ._read_group(Domain("parent_id", "in", partners.ids), ["parent_id"])
        }
        signatures = {}
        for partner in partners:
            if partner.id in with_children or not partner.active:
                continue
            signatures[partner.id] = tuple(
                partner[name].id if partner._fields[name].relational else partner[name] for name in signature_fields
            )
            # Odoo's delivery address: the holder itself when it has no contacts and no parent (contacts
            # take the standard path), else the one address_get finds in its company
            shipping = partner.address_get(["delivery"])["delivery"] if partner.parent_id else partner.id
            plan["partners"][partner.id] = (partner.commercial_partner_id.id, partner.display_name, shipping)
        candidates = []
        for index, vals in enumerate(vals_list):
            if (
                set(vals) - MOVE_KEYS - extra_columns
                or vals.get("move_type") != "out_invoice"
                or tuple(vals.get(key) for key in batch_keys) != batch_values
                or vals.get("partner_id") not in signatures
            ):
                continue
            lines = self._osmd_bulk_lines(vals, plan["products"])
            if lines is None or sum((line[4] for line in lines), Decimal(0)) <= 0:
                continue
            plan["lines"][id(vals)] = lines
            candidates.append(index)
        if not candidates:
            return plan

        # the group: the invoices whose holder has the most common signature and that give the same values
        def group_key(index):
            return signatures[vals_list[index]["partner_id"]], frozenset(vals_list[index])

        counts = defaultdict(int)
        for index in candidates:
            counts[group_key(index)] += 1
        common = max(counts, key=counts.get)
        plan["bulk"] = {index for index in candidates if group_key(index) == common}
        # the references: the first invoice of the group, then the first one of every product not yet on one
        covered = set()
        for index in sorted(plan["bulk"]):
            products = {line[0] for line in plan["lines"][id(vals_list[index])]}
            if not plan["references"] or products - covered:
                plan["references"].append(index)
                covered |= products
        return plan

    @api.model
    def _osmd_bulk_extra_columns(self):
        """Plain stored fields of account.move (not computed, not x2many) that the invoice values may
        carry as they are: the accrual's personal account, period, run..."""
        return {
            name
            for name, field in self._fields.items()
            if name.startswith("osmd_") and field.store and field.column_type and not field.compute
        }

    @api.model
    def _osmd_bulk_lines(self, vals, products):
        """[(product id, name, quantity, price unit, subtotal)] of the invoice values, or None when a line
        is not of the bulk shape (unknown key, taxes, product without an income account, outside a personal
        account's invoice an amount that is not exact to the kopeck). The subtotal is ``quantity × price``
        rounded half-up to the kopeck (tools/money.py)."""
        result = []
        for command in vals.get("invoice_line_ids", []):
            if not isinstance(command, (list, tuple)) or command[0] != Command.CREATE:
                return None
            line = command[2]
            if set(line) - LINE_KEYS or line.get("product_id") not in products:
                return None
            for tax_command in line.get("tax_ids", []):
                if tax_command[0] == Command.SET and not tax_command[2]:
                    continue
                if tax_command[0] == Command.CLEAR:
                    continue
                return None
            quantity, price = to_decimal(line.get("quantity", 1)), to_decimal(line.get("price_unit"))
            subtotal = line_amount(quantity, price)
            # lines of a personal account's invoice follow the one rounding rule on the standard path as well
            # (_prepare_product_base_line_for_taxes_computation); Odoo rounds other inexact products its own way
            if not vals.get("osmd_account_id") and subtotal != quantity * price:
                return None
            result.append((line["product_id"], line.get("name") or "", quantity, price, subtotal))
        return result or None

    # ------------------------------------------------------------
    # ROWS
    # ------------------------------------------------------------

    @api.model
    def _osmd_bulk_rows(self, vals, name, sequence_number, plan):
        """(move row values, [line row values]) of one invoice: only the columns built per invoice."""
        commercial_id, display_name, shipping_id = plan["partners"][vals["partner_id"]]
        lines = plan["lines"][id(vals)]
        total = sum((line[4] for line in lines), Decimal(0))
        uid = self.env.uid
        move = {
            "name": name,
            "sequence_number": sequence_number,
            # the previous number is the reference's or the previous bulk invoice's
            "made_sequence_gap": False,
            "create_uid": uid,
            "write_uid": uid,
            "partner_id": vals["partner_id"],
            "commercial_partner_id": commercial_id,
            "partner_shipping_id": shipping_id,
            "invoice_partner_display_name": display_name,
            "payment_reference": vals.get("payment_reference") or None,
            "invoice_origin": vals.get("invoice_origin") or None,
            "amount_untaxed": total,
            "amount_total": total,
            "amount_residual": total,
            "amount_untaxed_signed": total,
            "amount_untaxed_in_currency_signed": total,
            "amount_total_signed": total,
            "amount_total_in_currency_signed": total,
            "amount_residual_signed": total,
        }
        for column in plan["extra_columns"]:
            if column in vals:
                value = vals[column]
                move[column] = None if value is False and self._fields[column].type != "boolean" else value
        line_rows = []
        for product_id, label, quantity, price, subtotal in lines:
            account_id, uom_id = plan["products"][product_id]
            line_rows.append(
                (
                    "product",
                    {
                        "create_uid": uid,
                        "write_uid": uid,
                        "move_name": name,
                        "partner_id": commercial_id,
                        "product_id": product_id,
                        "product_uom_id": uom_id,
                        "account_id": account_id,
                        "name": label,
                        "quantity": quantity,
                        "price_unit": price,
                        "price_subtotal": subtotal,
                        "price_total": subtotal,
                        "debit": max(-subtotal, Decimal(0)),
                        "credit": max(subtotal, Decimal(0)),
                        "balance": -subtotal,
                        "amount_currency": -subtotal,
                        "amount_residual": Decimal(0),
                        "amount_residual_currency": Decimal(0),
                    },
                )
            )
        line_rows.append(
            (
                "payment_term",
                # its account, the holder's receivable, is the reference's: holders of a batch share it
                {
                    "create_uid": uid,
                    "write_uid": uid,
                    "move_name": name,
                    "partner_id": commercial_id,
                    "product_id": None,
                    "product_uom_id": None,
                    "name": vals.get("payment_reference") or "",
                    "quantity": Decimal(0),
                    "price_unit": Decimal(0),
                    "price_subtotal": Decimal(0),
                    "price_total": Decimal(0),
                    "debit": total,
                    "credit": Decimal(0),
                    "balance": total,
                    "amount_currency": total,
                    "amount_residual": total,
                    "amount_residual_currency": total,
                },
            )
        )
        return move, line_rows

    @api.model
    def _osmd_read_rows(self, table, where_column, record_id):
        self.env.cr.execute(
            SQL(
                "SELECT * FROM %s WHERE %s = %s ORDER BY id",
                SQL.identifier(table),
                SQL.identifier(where_column),
                record_id,
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _osmd_sequence_name(self, reference, number):
        """The name Odoo's sequence gives to ``number`` in the sequence of ``reference``'s name."""
        sequence_format, format_values = reference._get_sequence_format_param(reference.name)
        return sequence_format.format(**{**format_values, "seq": number})

    @api.model
    def _osmd_bulk_batch_values(self, vals):
        """({column: value}, {display type: {column: value}}): the values of the batch columns that follow
        from the invoice values and the user, as Odoo's create + action_post give them."""
        invoice_date = vals.get("invoice_date")
        partner = self.env["res.partner"].browse(vals["partner_id"])
        # the due date given (the association's payment deadline); without one and without a payment term,
        # Odoo's is the day the invoice is created
        due = vals.get("invoice_date_due") or fields.Date.context_today(self)
        common = {
            "journal_id": vals["journal_id"],
            "company_id": vals["company_id"],
            "currency_id": vals.get("currency_id") or self.env["res.company"].browse(vals["company_id"]).currency_id.id,
            "date": vals.get("date") or invoice_date,
            "invoice_date": invoice_date,
        }
        move = {
            **common,
            "move_type": vals["move_type"],
            "state": "posted",
            "payment_state": "not_paid",
            "auto_post": "no",
            "posted_before": True,
            # Odoo's default salesperson: the holder's, its commercial partner's or the posting user
            "invoice_user_id": (partner.user_id or partner.commercial_partner_id.user_id or self.env.user).id,
            "invoice_date_due": due,
            "amount_tax": Decimal(0),
            "amount_tax_signed": Decimal(0),
        }
        line = {
            **common,
            "company_currency_id": common["currency_id"],
            "parent_state": "posted",
            "discount": Decimal(0),
            "reconciled": False,
        }
        return move, {
            "product": {**line, "date_maturity": None},
            "payment_term": {**line, "date_maturity": due},
        }

    @api.model
    def _osmd_bulk_check_references(self, references, vals_list, plan):
        """None when the rows built here for every reference invoice equal what Odoo wrote (and the
        references' chatter can be written for the bulk invoices), else the first difference found (as
        text, for the log). Keeps the reference rows the bulk rows are completed from in ``plan``."""
        self.env.flush_all()
        for reference, vals in zip(references, vals_list, strict=True):
            problem = self._osmd_bulk_check_reference(reference, vals, plan)
            if problem:
                return f"{reference.name}: {problem}"
        first = references[0]
        for reference in references[1:]:
            if (reference.journal_id, reference.sequence_prefix) != (first.journal_id, first.sequence_prefix):
                return f"{reference.name}: another sequence than {first.name}"
        # the bulk numbers follow the last one taken by this posting in the references' sequence
        plan["last_reference"] = max(
            plan["posted"].filtered(
                lambda move: (move.journal_id, move.sequence_prefix) == (first.journal_id, first.sequence_prefix)
            ),
            key=lambda move: move.sequence_number,
        )
        return self._osmd_bulk_check_chatter(first, plan)

    @api.model
    def _osmd_bulk_check_reference(self, reference, vals, plan):
        """None when the rows built here for the reference invoice equal what Odoo wrote, else the first
        difference found."""
        if reference.state != "posted" or not reference.sequence_number:
            return "the reference invoice is not posted with a number"
        name = self._osmd_sequence_name(reference, reference.sequence_number)
        move_row = self._osmd_read_rows("account_move", "id", reference.id)[0]
        line_db_rows = self._osmd_read_rows("account_move_line", "move_id", reference.id)
        ours, our_lines = self._osmd_bulk_rows(vals, name, reference.sequence_number, plan)
        # the gap flag of a reference is Odoo's (the number before it may be missing); the bulk invoices
        # follow a reference or each other: no gap
        ours["made_sequence_gap"] = self._osmd_bulk_reference_gap(reference, move_row["sequence_prefix"])
        batch_move, batch_lines = self._osmd_bulk_batch_values(vals)
        ours = {**batch_move, **ours}
        # the prefix the bulk names get: the part of the name before the number, as Odoo splits it
        probe = self.new({"name": name, "journal_id": reference.journal_id.id})
        probe._compute_split_sequence()
        ours["sequence_prefix"] = probe.sequence_prefix
        known = MOVE_ROW_COLUMNS | MOVE_BATCH_COLUMNS | UNCOMPARED_COLUMNS | plan["extra_columns"]
        for column, value in move_row.items():
            if column in ours and not same_value(ours[column], value):
                return f"account_move.{column}: {ours[column]!r} built, {value!r} written by Odoo"
            if column not in known and value not in (None, False):
                return f"account_move.{column} is not known to the bulk path (value {value!r})"
        if len(line_db_rows) != len(our_lines):
            return f"{len(line_db_rows)} lines written by Odoo, {len(our_lines)} built"
        # Odoo orders the lines it writes by display type (products first, the receivable last)
        line_db_rows.sort(key=lambda row: (row["display_type"] != "product", row["id"]))
        known = LINE_ROW_COLUMNS | LINE_BATCH_COLUMNS | UNCOMPARED_COLUMNS
        for (display_type, line), row in zip(our_lines, line_db_rows, strict=True):
            if row["display_type"] != display_type:
                return f"account_move_line.display_type: {display_type} built, {row['display_type']} written"
            line = {**batch_lines[display_type], **line}
            for column, value in row.items():
                if column in line and not same_value(line[column], value):
                    return f"account_move_line.{column}: {line[column]!r} built, {value!r} written by Odoo"
                if column not in known and value not in (None, False):
                    return f"account_move_line.{column} is not known to the bulk path (value {value!r})"
        if "reference_rows" not in plan:
            plan["reference_rows"] = {
                "move": move_row,
                "product": next(row for row in line_db_rows if row["display_type"] == "product"),
                "payment_term": next(row for row in line_db_rows if row["display_type"] == "payment_term"),
            }
        return None

    @api.model
    def _osmd_bulk_reference_gap(self, reference, prefix):
        """Odoo's ``made_sequence_gap`` of a reference: the number before it is missing."""
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM account_move WHERE journal_id = %s AND sequence_prefix = %s AND sequence_number = %s",
                reference.journal_id.id,
                prefix,
                reference.sequence_number - 1,
            )
        )
        return reference.sequence_number > 1 and not self.env.cr.fetchall()

    @api.model
    def _osmd_bulk_check_names(self, count, plan):
        """None when the ``count`` numbers after the last reference's are free, else why not."""
        reference = plan["last_reference"]
        self.env.cr.execute(
            SQL(
                "SELECT name FROM account_move WHERE journal_id = %s AND sequence_prefix = %s AND sequence_number > %s "
                "ORDER BY sequence_number LIMIT 1",
                reference.journal_id.id,
                reference.sequence_prefix,
                reference.sequence_number,
            )
        )
        used = self.env.cr.fetchone()
        if used:
            return f"the number {used[0]} after the reference {reference.name} is already used"
        last = self._osmd_sequence_name(reference, reference.sequence_number + count)
        probe = self.new({"name": last, "journal_id": reference.journal_id.id})
        probe._compute_split_sequence()
        if (probe.sequence_prefix, probe.sequence_number) != (
            reference.sequence_prefix,
            reference.sequence_number + count,
        ):
            return f"the number {last} does not follow {reference.name} in its sequence"
        return None

    @api.model
    def _osmd_bulk_check_chatter(self, reference, plan):
        """None when the chatter Odoo wrote for the reference (messages, tracking values, followers) can be
        written for every bulk invoice as it is (only the record changing), else why not. Keeps it in
        ``plan``."""
        cr = self.env.cr
        cr.execute(
            SQL("SELECT * FROM mail_message WHERE model = %s AND res_id = %s ORDER BY id", self._name, reference.id)
        )
        messages = cr.dictfetchall()
        message_ids = [row["id"] for row in messages]
        holders = {reference.partner_id.id, reference.commercial_partner_id.id}
        for row in messages:
            if row["author_id"] != self.env.user.partner_id.id:
                return f"message {row['id']} of the reference is by partner {row['author_id']}, not the posting user"
            if row["parent_id"] and row["parent_id"] not in message_ids:
                return f"message {row['id']} of the reference answers a message of another record"
            if reference.name in str(row["body"] or "") or reference.name in str(row["subject"] or ""):
                return f"message {row['id']} of the reference names the invoice"
        cr.execute(
            SQL(
                "SELECT t.*, f.name AS field_name FROM mail_tracking_value t "
                "JOIN ir_model_fields f ON f.id = t.field_id WHERE t.mail_message_id = ANY(%s) ORDER BY t.id",
                message_ids,
            )
        )
        tracking = cr.dictfetchall()
        for row in tracking:
            if row.pop("field_name") not in BATCH_TRACKED_FIELDS:
                return f"tracking value {row['id']} of the reference is not the same for the whole batch"
        cr.execute(
            SQL("SELECT res_partner_id FROM mail_message_res_partner_rel WHERE mail_message_id = ANY(%s)", message_ids)
        )
        recipients = cr.fetchall()
        cr.execute(SQL("SELECT * FROM mail_notification WHERE mail_message_id = ANY(%s)", message_ids))
        notifications = cr.dictfetchall()
        if recipients or notifications:
            return "the reference's messages were sent to partners"
        cr.execute(
            SQL(
                "SELECT * FROM mail_followers WHERE res_model = %s AND res_id = %s ORDER BY id",
                self._name,
                reference.id,
            )
        )
        followers = cr.dictfetchall()
        if any(row["partner_id"] in holders for row in followers):
            return "the holder follows the reference"
        cr.execute(
            SQL(
                "SELECT mail_followers_id, mail_message_subtype_id FROM mail_followers_mail_message_subtype_rel "
                "WHERE mail_followers_id = ANY(%s)",
                [row["id"] for row in followers],
            )
        )
        subtypes = cr.fetchall()
        for table, model_column, id_column in (
            ("ir_attachment", "res_model", "res_id"),
            ("mail_activity", "res_model", "res_id"),
        ):
            cr.execute(
                SQL(
                    "SELECT 1 FROM %s WHERE %s = %s AND %s = %s LIMIT 1",
                    SQL.identifier(table),
                    SQL.identifier(model_column),
                    self._name,
                    SQL.identifier(id_column),
                    reference.id,
                )
            )
            if cr.rowcount:
                return f"the reference has records in {table}"
        plan["chatter"] = {
            "messages": messages,
            "tracking": tracking,
            "followers": followers,
            "subtypes": subtypes,
        }
        return None

    # ------------------------------------------------------------
    # INSERT
    # ------------------------------------------------------------

    @api.model
    def _osmd_bulk_insert(self, reference, vals_list, plan):
        """Write the invoices of ``vals_list`` after ``reference`` (the last reference), numbered after it;
        return them."""
        cr = self.env.cr
        sequence_format, format_values = reference._get_sequence_format_param(reference.name)
        names = []
        for offset in range(1, len(vals_list) + 1):
            number = reference.sequence_number + offset
            names.append((sequence_format.format(**{**format_values, "seq": number}), number))

        reference_rows = plan["reference_rows"]
        move_ids = next_ids(cr, "account_move", len(vals_list))
        line_rows = {"product": [], "payment_term": []}
        move_rows = []
        for vals, (name, number), move_id in zip(vals_list, names, move_ids, strict=True):
            move, lines = self._osmd_bulk_rows(vals, name, number, plan)
            move_rows.append({**move, "id": move_id})
            for display_type, line in lines:
                line_rows[display_type].append({**line, "move_id": move_id})
        self._osmd_copy_rows("account_move", reference_rows["move"], move_rows)
        line_ids = []
        for display_type, rows in line_rows.items():
            ids = next_ids(self.env.cr, "account_move_line", len(rows))
            for row, line_id in zip(rows, ids, strict=True):
                row["id"] = line_id
            self._osmd_copy_rows("account_move_line", reference_rows[display_type], rows)
            line_ids += ids
        self._osmd_check_balanced(move_ids)
        self._osmd_bulk_copy_chatter(move_ids, plan)
        # Odoo keeps the last number of a sequence it has locked (by posting the reference) in a
        # transaction cache: the next standard posting in this transaction continues after ours
        cache = reference._get_sequence_cache()
        key_values = {key: value for key, value in format_values.items() if key != "seq"}
        index = reference._sequence_index and reference[reference._sequence_index]
        cache[(sequence_format.format(**key_values, seq=0), index)] = names[-1][1]
        self._osmd_bulk_modified(move_ids, line_ids)
        moves = self.browse(move_ids)
        self._osmd_increase_customer_rank([vals["partner_id"] for vals in vals_list])
        return moves

    @api.model
    def _osmd_bulk_modified(self, move_ids, line_ids):
        """After the COPY: drop the caches and tell the ORM the moves and lines were created, as
        ``create`` does, so stored fields of other records that depend on them are recomputed (those of
        the new records themselves were written exactly and checked against the reference)."""
        self.env.invalidate_all()
        moves = self.browse(move_ids)
        lines = self.env["account.move.line"].browse(line_ids)
        # as create does: the stored fields of the new records are protected from recomputation
        stored = {records: [field for field in records._fields.values() if field.store] for records in (moves, lines)}
        with self.env.protecting(stored[moves], moves), self.env.protecting(stored[lines], lines):
            moves.modified(list(moves._fields), create=True)
            lines.modified(list(lines._fields), create=True)

    @api.model
    def _osmd_check_balanced(self, move_ids):
        """Refuse the transaction when one of the entries ``move_ids``, written by COPY, is not balanced. Joined with
        unnest(): with 10 000 ids, ``move_id = ANY(...)`` makes PostgreSQL scan instead of hashing (~15 s)."""
        self.env.cr.execute(
            SQL(
                "SELECT m.name FROM account_move_line l JOIN unnest(%s::int[]) AS new(id) ON l.move_id = new.id "
                "JOIN account_move m ON m.id = l.move_id GROUP BY m.name HAVING SUM(l.balance) != 0 LIMIT 1",
                list(move_ids),
            )
        )
        unbalanced = self.env.cr.fetchone()
        if unbalanced:
            raise UserError(self.env._("The entry %(name)s is not balanced.", name=unbalanced[0]))

    @api.model
    def _osmd_bulk_copy_chatter(self, move_ids, plan, message_date=None):
        """Write the reference's chatter (see ``_osmd_bulk_check_chatter``) for the moves ``move_ids``,
        authored by the current user; dated ``message_date`` when given, else as the reference's messages."""
        chatter = plan.get("chatter")
        if not chatter:
            return
        cr, uid = self.env.cr, self.env.uid
        message_ids = {}
        for template in chatter["messages"]:
            ids = next_ids(cr, "mail_message", len(move_ids))
            message_ids[template["id"]] = ids
            # a message answering another one of the reference answers its copy
            parents = message_ids.get(template["parent_id"]) or [None] * len(move_ids)
            rows = [
                {
                    "id": message_id,
                    "res_id": move_id,
                    "parent_id": parent_id,
                    "message_id": generate_tracking_message_id(f"{move_id}-{self._name}"),
                    "create_uid": uid,
                    "write_uid": uid,
                    **({"date": message_date} if message_date else {}),
                }
                for message_id, move_id, parent_id in zip(ids, move_ids, parents, strict=True)
            ]
            self._osmd_copy_rows("mail_message", template, rows)
        for template in chatter["tracking"]:
            ids = next_ids(cr, "mail_tracking_value", len(move_ids))
            rows = [
                {"id": tracking_id, "mail_message_id": message_id, "create_uid": uid, "write_uid": uid}
                for tracking_id, message_id in zip(ids, message_ids[template["mail_message_id"]], strict=True)
            ]
            self._osmd_copy_rows("mail_tracking_value", template, rows)
        for template in chatter["followers"]:
            ids = next_ids(cr, "mail_followers", len(move_ids))
            self._osmd_copy_rows(
                "mail_followers",
                template,
                [{"id": follower_id, "res_id": move_id} for follower_id, move_id in zip(ids, move_ids, strict=True)],
                dates=False,
            )
            subtype_ids = [subtype for follower, subtype in chatter["subtypes"] if follower == template["id"]]
            if subtype_ids:
                copy_rows(
                    cr,
                    "mail_followers_mail_message_subtype_rel",
                    ["mail_followers_id", "mail_message_subtype_id"],
                    [(copy_text(follower_id), copy_text(subtype)) for follower_id in ids for subtype in subtype_ids],
                )

    @api.model
    def _osmd_copy_rows(self, table, template_row, rows, dates=True):
        """COPY ``rows`` ({column: value}, ids included) into ``table``; the other columns take the value of
        ``template_row``, creation and write dates those of the transaction (when ``dates``). The columns
        written are those of every row: a row without one of them is refused."""
        template = dict(template_row)
        if dates:
            now = self.env.cr.now()
            template.update(create_date=now, write_date=now)
        columns = list(template)
        row_columns = list(dict.fromkeys(column for row in rows for column in row))
        missing = [column for row in rows for column in row_columns if column not in row]
        unknown = [column for column in row_columns if column not in template]
        if missing or unknown:
            raise UserError(
                self.env._("Bulk posting: column %(column)s is not given for every row.", column=(missing + unknown)[0])
            )
        template_texts = [copy_text(template[column]) for column in columns]
        positions = [columns.index(column) for column in row_columns]
        texts = []
        for row in rows:
            row_texts = template_texts.copy()
            for position, column in zip(positions, row_columns, strict=True):
                row_texts[position] = copy_text(row[column])
            texts.append(row_texts)
        # the column names come from the database catalogue (a row read with SELECT *)
        copy_rows(self.env.cr, table, columns, texts)

    @api.model
    def _osmd_increase_customer_rank(self, partner_ids):
        """What ``_increase_rank("customer_rank")`` of ``action_post`` does: a holder (or its commercial
        partner) that is not a customer yet becomes one in this transaction (one UPDATE per count);
        the ranks of the others are raised after the commit, in a separate transaction, by Odoo's own
        post-commit hook (no lock on thousands of partner rows while the posting goes on)."""
        counts = defaultdict(int)
        partners = self.env["res.partner"].sudo().browse(set(partner_ids))
        commercial = {partner.id: partner.commercial_partner_id.id for partner in partners}
        for partner_id in partner_ids:
            counts[partner_id] += 1
            if commercial[partner_id] != partner_id:
                counts[commercial[partner_id]] += 1
        everyone = self.env["res.partner"].sudo().browse(counts)
        everyone.flush_model(["customer_rank"])
        ranked = everyone.filtered("customer_rank")
        by_count = defaultdict(list)
        for partner_id, count in counts.items():
            if partner_id not in ranked._ids:
                by_count[count].append(partner_id)
        for count, ids in by_count.items():
            self.env.cr.execute(
                SQL("UPDATE res_partner SET customer_rank = customer_rank + %s WHERE id = ANY(%s)", count, ids)
            )
        if by_count:
            new = self.env["res.partner"].browse(id_ for ids in by_count.values() for id_ in ids)
            new.invalidate_recordset(["customer_rank"])
            new.modified(["customer_rank"])
        if not ranked:
            return
        # Odoo's _increase_rank registers its post-commit hook when its data is empty: register it by
        # calling it for one partner, then add the other counts to the same data
        data = self.env.cr.postcommit.data.setdefault(RANK_POSTCOMMIT_KEY, defaultdict(int))
        first, others = ranked[0], ranked[1:]
        first._increase_rank("customer_rank", counts[first.id])
        for partner in others:
            data[partner.id] += counts[partner.id]
