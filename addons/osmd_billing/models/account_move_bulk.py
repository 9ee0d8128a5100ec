"""Bulk posting of the monthly accrual invoices.

Odoo's ``account.move.create`` + ``action_post`` costs about 70 ms per invoice on a 2-core machine
(dynamic line synchronisation, the tax engine, per-line computations): 12 minutes for an association of
10 000 personal accounts. The accrual invoices of a billing run are all of one simple shape: a customer
invoice in the company currency, no taxes, no payment terms, no fiscal position, no analytic
distribution, one line per service and one receivable line. For that shape the ledger rows are known
exactly, so they are written with a few bulk INSERTs, under these safeguards:

* Only invoices of that shape take the bulk path; any other (a service with taxes, a holder with a
  payment term or a fiscal position, a zero or negative total, ...) goes through create + action_post.
* The first invoice of every batch goes through Odoo's standard path and is the *reference*: the rows
  of that same invoice are also built here and compared column by column with what Odoo wrote. Any
  difference (a module computing a column we do not know, a configuration not foreseen) sends the whole
  batch through the standard path, with a warning naming the column.
* A column is either built per invoice here (``MOVE_ROW_COLUMNS``, ``LINE_ROW_COLUMNS``: partner,
  amounts, accounts, names, ...) or copied from the reference (journal, dates, state, sequence prefix,
  due date, ...: the same for every invoice of the batch, given the shape). A column that is neither
  known here nor empty on the reference sends the batch through the standard path.
* The partner-dependent values that Odoo computes (payment term, fiscal position, delivery address,
  preferred payment method, invoice terms in the partner's language) are compared as a signature: a
  holder whose signature differs from the reference's takes the standard path.
* Numbers come from the journal's sequence: the reference takes the next one the standard way, the
  bulk invoices the following ones in order (a concurrent posting in the journal fails on the unique
  name and the whole transaction is rolled back, as with Odoo's own numbering).
* Access rights are checked as for create + post; the debit/credit balance of every written move is
  checked in the database afterwards.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL

from ..tools.bulk_sql import copy_rows, copy_text, next_ids
from .osmd_billing_run import CENT, to_decimal

_logger = logging.getLogger(__name__)

# account_move columns built per invoice; the other known columns are the same for the whole batch
MOVE_ROW_COLUMNS = {
    "name",
    "sequence_number",
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
    "create_uid",
    "write_uid",
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
    "made_sequence_gap",
    "is_manually_modified",
    "is_move_sent",
    "narration",
    "partner_bank_id",
    "preferred_payment_method_line_id",
}
LINE_ROW_COLUMNS = {
    "move_id",
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
    "create_uid",
    "write_uid",
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
    "invoice_line_ids",
}
LINE_KEYS = {"product_id", "name", "quantity", "price_unit", "tax_ids"}


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
        standard = [index for index in range(len(vals_list)) if index not in plan["bulk"]]
        reference_index = plan["reference"]
        if reference_index is not None:
            standard.append(reference_index)
        if standard:
            created = self.create([vals_list[index] for index in standard])
            created.action_post()
            for index, move in zip(standard, created, strict=True):
                moves[index] = move
        bulk = [index for index in plan["bulk"] if index != reference_index]
        if bulk:
            reference = moves[reference_index]
            problem = self._osmd_bulk_check_reference(reference, vals_list[reference_index], plan)
            if problem:
                _logger.warning(
                    "Bulk posting of %s invoices falls back to create + action_post: %s", len(bulk), problem
                )
                created = self.create([vals_list[index] for index in bulk])
                created.action_post()
            else:
                created = self._osmd_bulk_insert(reference, [vals_list[index] for index in bulk], plan)
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
        """{"bulk": indexes of the invoices that take the bulk path (reference included), "reference":
        the index of the reference invoice or None, "products": {product id: (income account,
        uom id)}, "partners": {partner id: (commercial partner id, display name)}, "lines": {id(invoice
        values): the invoice's lines as _osmd_bulk_lines returns them}}."""
        extra_columns = self._osmd_bulk_extra_columns()
        plan = {
            "bulk": set(),
            "reference": None,
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
        batch_keys = ("move_type", "company_id", "journal_id", "invoice_date", "date", "currency_id")
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
            plan["partners"][partner.id] = (partner.commercial_partner_id.id, partner.display_name)
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
        # the reference: the first invoice whose holder has the most common signature
        counts = defaultdict(int)
        for index in candidates:
            counts[signatures[vals_list[index]["partner_id"]]] += 1
        common = max(counts, key=counts.get)
        plan["bulk"] = {index for index in candidates if signatures[vals_list[index]["partner_id"]] == common}
        plan["reference"] = min(plan["bulk"])
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
        is not of the bulk shape (unknown key, taxes, product without an income account, an amount that
        is not exact to the kopeck)."""
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
            subtotal = quantity * price
            if subtotal != subtotal.quantize(CENT):
                return None
            result.append((line["product_id"], line.get("name") or "", quantity, price, subtotal.quantize(CENT)))
        return result or None

    # ------------------------------------------------------------
    # ROWS
    # ------------------------------------------------------------

    @api.model
    def _osmd_bulk_rows(self, vals, name, sequence_number, plan):
        """(move row values, [line row values]) of one invoice: only the columns built per invoice."""
        commercial_id, display_name = plan["partners"][vals["partner_id"]]
        lines = plan["lines"][id(vals)]
        total = sum((line[4] for line in lines), Decimal(0))
        move = {
            "name": name,
            "sequence_number": sequence_number,
            "partner_id": vals["partner_id"],
            "commercial_partner_id": commercial_id,
            "partner_shipping_id": vals["partner_id"],
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
    def _osmd_bulk_check_reference(self, reference, vals, plan):
        """None when the rows built here for the reference invoice equal what Odoo wrote, else the first
        difference found (as text, for the log)."""
        self.env.flush_all()
        if reference.state != "posted" or not reference.sequence_number:
            return "the reference invoice is not posted with a number"
        move_row = self._osmd_read_rows("account_move", "id", reference.id)[0]
        line_db_rows = self._osmd_read_rows("account_move_line", "move_id", reference.id)
        ours, our_lines = self._osmd_bulk_rows(vals, reference.name, reference.sequence_number, plan)
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
            for column, value in row.items():
                if column in line and not same_value(line[column], value):
                    return f"account_move_line.{column}: {line[column]!r} built, {value!r} written by Odoo"
                if column not in known and value not in (None, False):
                    return f"account_move_line.{column} is not known to the bulk path (value {value!r})"
        plan["reference_rows"] = {
            "move": move_row,
            "product": next(row for row in line_db_rows if row["display_type"] == "product"),
            "payment_term": next(row for row in line_db_rows if row["display_type"] == "payment_term"),
        }
        return None

    # ------------------------------------------------------------
    # INSERT
    # ------------------------------------------------------------

    @api.model
    def _osmd_bulk_insert(self, reference, vals_list, plan):
        """Write the invoices of ``vals_list`` after the reference, numbered after it; return them."""
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
        for display_type, rows in line_rows.items():
            line_ids = next_ids(self.env.cr, "account_move_line", len(rows))
            for row, line_id in zip(rows, line_ids, strict=True):
                row["id"] = line_id
            self._osmd_copy_rows("account_move_line", reference_rows[display_type], rows)
        cr.execute(
            SQL(
                "SELECT m.name FROM account_move_line l JOIN account_move m ON m.id = l.move_id "
                "WHERE l.move_id = ANY(%s) GROUP BY m.name HAVING SUM(l.balance) != 0 LIMIT 1",
                move_ids,
            )
        )
        unbalanced = cr.fetchone()
        if unbalanced:
            raise UserError(self.env._("The entry %(name)s is not balanced.", name=unbalanced[0]))
        # Odoo keeps the last number of a sequence it has locked (by posting the reference) in a
        # transaction cache: the next standard posting in this transaction continues after ours
        cache = reference._get_sequence_cache()
        key_values = {key: value for key, value in format_values.items() if key != "seq"}
        index = reference._sequence_index and reference[reference._sequence_index]
        cache[(sequence_format.format(**key_values, seq=0), index)] = names[-1][1]
        self.env.invalidate_all()
        moves = self.browse(move_ids)
        self._osmd_increase_customer_rank([vals["partner_id"] for vals in vals_list])
        return moves

    @api.model
    def _osmd_copy_rows(self, table, template_row, rows):
        """COPY ``rows`` ({column: value}, ids included, the same columns in every row) into ``table``; the
        other columns take the value of ``template_row``, creation and write dates those of the transaction."""
        now = self.env.cr.now()
        template = {**template_row, "create_date": now, "write_date": now}
        columns = list(template)
        template_texts = [copy_text(template[column]) for column in columns]
        row_columns = list(rows[0]) if rows else []
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
        """What ``_increase_rank("customer_rank")`` of ``action_post`` does, in one statement per count."""
        counts = defaultdict(int)
        partners = self.env["res.partner"].browse(set(partner_ids))
        commercial = {partner.id: partner.commercial_partner_id.id for partner in partners}
        for partner_id in partner_ids:
            counts[partner_id] += 1
            if commercial[partner_id] != partner_id:
                counts[commercial[partner_id]] += 1
        by_count = defaultdict(list)
        for partner_id, count in counts.items():
            by_count[count].append(partner_id)
        partners.flush_model(["customer_rank"])
        for count, ids in by_count.items():
            self.env.cr.execute(
                SQL("UPDATE res_partner SET customer_rank = customer_rank + %s WHERE id = ANY(%s)", count, ids)
            )
        partners.invalidate_model(["customer_rank"])
