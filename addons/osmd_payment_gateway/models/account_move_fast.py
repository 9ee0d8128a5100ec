"""Fast booking of the payments taken by agents.

A payment taken at a terminal is booked while the terminal waits: Odoo's ``account.move.create`` + ``action_post``
cost about 40 of the 65 ms the core spends on a payment (2-core machine), most of it computing fields whose values
are known in advance. Every payment of an agent has the same shape: an entry in the agent's journal with a debit on
its settlement account and a credit on the holder's receivable, both for the amount, both named after the payment.
For that shape the rows are written with one COPY per table, under these safeguards:

* **Learnt, never guessed.** Each worker learns the shape from payments booked the standard way: right after Odoo
  posts one (before it is reconciled), its rows and chatter are read. The next payment booked the standard way is
  compared column by column with the rows built here for it from the first one; only when they are equal is the
  shape *verified*. A column is either built per payment here (``MOVE_ROW``, ``LINE_ROW``) or taken from the
  verified payment; a difference anywhere (a module computing a column we do not know, a setting changed) keeps
  the standard path and logs the column.
* **Scope of a shape**: one worker, one database and registry (a module installed or updated starts over), one
  agent, journal and accounting date, and at most ``SHAPE_TTL`` seconds: a setting changed meanwhile (the journal,
  the company) is taken into account within that time, as the next standard booking is compared again. Whatever
  the shape, a payment goes the standard way when the journal hashes its entries, a lock date covers the payment's
  date, an account or the journal is archived, the holder is not their own commercial partner, or the shape has
  analytic distribution or any chatter beyond Odoo's notes.
* **Numbers** come from the journal's sequence as Odoo's ``_locked_increment`` takes them: the next number after
  the last one visible, written under the unique index of posted names in a savepoint; a number taken meanwhile by
  another transaction makes the insert wait for it, then fail in the savepoint, and the next number is tried. No
  number is used twice and no gap is made.
* After the COPY the caches are invalidated and the ORM is told the records were created (stored fields elsewhere
  are recomputed), the entry is checked balanced in the database, the holder's customer rank is raised as Odoo
  does, and the chatter of the verified payment (Odoo's notes, authored by the same user) is written for it. The
  reconciliation with the account's invoices then runs as for any payment.
"""

import logging
import threading
import time

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.osmd_billing.models.account_move_bulk import same_value
from odoo.addons.osmd_billing.tools.bulk_sql import next_ids

_logger = logging.getLogger(__name__)

SHAPE_TTL = 600
# columns built per payment; every other one is the shape's
MOVE_ROW = {
    "id",
    "name",
    "sequence_number",
    "ref",
    "partner_id",
    "commercial_partner_id",
    "invoice_partner_display_name",
    "amount_total",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "osmd_account_id",
    "osmd_agent_transaction_id",
    "create_date",
    "write_date",
}
LINE_ROW = {
    "id",
    "move_id",
    "move_name",
    "account_id",
    "partner_id",
    "name",
    "ref",
    "balance",
    "debit",
    "credit",
    "amount_currency",
    "price_subtotal",
    "price_total",
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "matching_number",
    "full_reconcile_id",
    "create_date",
    "write_date",
}
UNIQUE_NAME_INDEX = "account_move_unique_name"
DATES = ("create_date", "write_date")

# this worker's shapes: {key: {"rows": ..., "chatter": ..., "verified": bool, "at": monotonic time}}
_SHAPES = {}
_SHAPES_LOCK = threading.Lock()


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def _osmd_book_agent_payment(self, transaction, vals):
        """The posted entry of the agent's payment ``transaction`` from ``vals`` (the values of ``create``: one
        debit on the settlement account, one credit on the holder's receivable): written directly when this
        worker knows the shape, else created and posted by Odoo (and learnt)."""
        key, reason = self._osmd_agent_shape_key(transaction, vals)
        shape = None
        if key:
            with _SHAPES_LOCK:
                shape = _SHAPES.get(key)
            if shape and not (shape["verified"] and time.monotonic() - shape["at"] < SHAPE_TTL):
                shape = None
        if shape:
            return self._osmd_insert_agent_payment(shape, transaction, vals)
        move = self.create(vals)
        move.action_post()
        if key:
            self._osmd_learn_agent_shape(key, move, transaction, vals)
        elif reason:
            _logger.debug("payment %s booked the standard way: %s", transaction.txn_id, reason)
        return move

    # ------------------------------------------------------------
    # WHEN
    # ------------------------------------------------------------

    @api.model
    def _osmd_agent_shape_key(self, transaction, vals):
        """(key of the payment's shape, None), or (None, why the payment goes the standard way)."""
        journal = self.env["account.journal"].browse(vals["journal_id"])
        holder = self.env["res.partner"].browse(vals["partner_id"])
        accounts = self.env["account.account"].browse([command[2]["account_id"] for command in vals["line_ids"]])
        date = fields.Date.to_date(vals["date"])
        if journal.restrict_mode_hash_table:
            return None, "the journal hashes its entries"
        if not journal.active or not all(accounts.mapped("active")):
            return None, "an account or the journal is archived"
        if holder.commercial_partner_id != holder:
            return None, "the holder is a contact of another partner"
        if journal.company_id._get_violated_lock_dates(date, False, journal):
            return None, "a lock date covers the payment's date"
        return (
            self.env.cr.dbname,
            self.env.registry.registry_sequence,
            self.env.uid,
            transaction.agent_id.id,
            journal.id,
            date,
        ), None

    # ------------------------------------------------------------
    # LEARNING
    # ------------------------------------------------------------

    def _osmd_learn_agent_shape(self, key, move, transaction, vals):
        """Read the rows Odoo wrote for ``move`` (posted, not reconciled yet); compare them with the rows built for
        it from the shape known so far: equal, the shape is verified (and refreshed)."""
        self.env.flush_all()
        rows = {
            "move": self._osmd_read_rows("account_move", "id", move.id)[0],
            "lines": self._osmd_read_rows("account_move_line", "move_id", move.id),
        }
        plan = {}
        unfit = self._osmd_bulk_check_chatter(move, plan) or self._osmd_agent_shape_unfit(rows)
        if unfit:
            _logger.info("payments of agent %s: booked the standard way (%s)", transaction.agent_id.id, unfit)
            with _SHAPES_LOCK:
                _SHAPES.pop(key, None)
            return
        with _SHAPES_LOCK:
            known = _SHAPES.get(key)
        verified = False
        if known:
            difference = self._osmd_agent_shape_difference(known, rows, move, transaction, vals)
            verified = not difference
            if difference:
                _logger.warning(
                    "payments of agent %s: the fast booking would differ from Odoo's on %s; booked the standard way",
                    transaction.agent_id.id,
                    difference,
                )
        with _SHAPES_LOCK:
            _SHAPES[key] = {"rows": rows, "chatter": plan, "verified": verified, "at": time.monotonic()}

    @api.model
    def _osmd_agent_shape_unfit(self, rows):
        lines = rows["lines"]
        if len(lines) != 2 or lines[0]["balance"] <= 0 or lines[1]["balance"] >= 0:
            return "the entry is not one debit followed by one credit"
        if any(line["analytic_distribution"] for line in lines):
            return "the entry has an analytic distribution"
        return None

    def _osmd_agent_shape_difference(self, shape, rows, move, transaction, vals):
        """The first column (table.column) where ``rows`` (Odoo's, for ``move``) differ from those built for
        ``move`` from ``shape``, or None."""
        built_move, built_lines = self._osmd_agent_payment_rows(
            shape, transaction, vals, move.id, [line["id"] for line in rows["lines"]], move.name, move.sequence_number
        )
        for table, ours, theirs in [("account_move", built_move, rows["move"])] + [
            ("account_move_line", built, actual) for built, actual in zip(built_lines, rows["lines"], strict=True)
        ]:
            for column, value in theirs.items():
                if column in DATES:
                    continue
                if not same_value(ours.get(column), value):
                    return f"{table}.{column}"
        return None

    # ------------------------------------------------------------
    # ROWS
    # ------------------------------------------------------------

    def _osmd_agent_payment_rows(self, shape, transaction, vals, move_id, line_ids, name, number):
        """(move row, [line rows]) of the payment: the shape's rows with the per-payment columns built here."""
        holder = self.env["res.partner"].browse(vals["partner_id"])
        currency = self.env["res.company"].browse(vals["company_id"]).currency_id
        amount = currency.round(transaction.amount)
        # creation and write dates: those of this transaction (see _osmd_copy_rows)
        move = {column: value for column, value in shape["rows"]["move"].items() if column not in DATES}
        move.update(
            id=move_id,
            name=name,
            sequence_number=number,
            ref=vals["ref"],
            partner_id=holder.id,
            commercial_partner_id=holder.commercial_partner_id.id,
            invoice_partner_display_name=holder.display_name,
            amount_total=amount,
            amount_total_signed=amount,
            amount_total_in_currency_signed=amount,
            osmd_account_id=vals["osmd_account_id"],
            osmd_agent_transaction_id=transaction.id,
        )
        lines = []
        for template, line_id, command in zip(shape["rows"]["lines"], line_ids, vals["line_ids"], strict=True):
            line_vals = command[2]
            account = self.env["account.account"].browse(line_vals["account_id"])
            balance = currency.round(line_vals["balance"])
            open_item = account.reconcile or account.account_type in ("asset_cash", "liability_credit_card")
            line = {column: value for column, value in template.items() if column not in DATES}
            line.update(
                id=line_id,
                move_id=move_id,
                move_name=name,
                account_id=account.id,
                partner_id=line_vals["partner_id"],
                name=line_vals["name"],
                ref=vals["ref"],
                balance=balance,
                debit=max(balance, 0.0),
                credit=max(-balance, 0.0),
                amount_currency=balance,
                price_subtotal=balance,
                price_total=balance,
                amount_residual=balance if open_item else 0.0,
                amount_residual_currency=balance if open_item else 0.0,
                reconciled=False,
                matching_number=None,
                full_reconcile_id=None,
            )
            lines.append(line)
        return move, lines

    # ------------------------------------------------------------
    # INSERT
    # ------------------------------------------------------------

    def _osmd_insert_agent_payment(self, shape, transaction, vals):
        cr = self.env.cr
        template = shape["rows"]["move"]
        reference = self.new({"name": template["name"], "journal_id": template["journal_id"]})
        sequence_format, format_values = reference._get_sequence_format_param(template["name"])
        (move_id,) = next_ids(cr, "account_move", 1)
        line_ids = next_ids(cr, "account_move_line", 2)
        number = self._osmd_agent_last_number(template["journal_id"], template["sequence_prefix"])
        while True:
            number += 1
            name = sequence_format.format(**{**format_values, "seq": number})
            move_row, line_rows = self._osmd_agent_payment_rows(
                shape, transaction, vals, move_id, line_ids, name, number
            )
            try:
                with cr.savepoint(flush=False):
                    self._osmd_copy_rows("account_move", move_row, [{"id": move_id}])
            except psycopg2.errors.UniqueViolation as error:
                if error.diag.constraint_name != UNIQUE_NAME_INDEX:
                    raise
                continue  # the number was taken meanwhile: the next one
            break
        self._osmd_copy_rows("account_move_line", line_rows[0], line_rows)
        self._osmd_check_balanced([move_id])
        self._osmd_bulk_copy_chatter([move_id], shape["chatter"], message_date=fields.Datetime.now())
        self._osmd_bulk_modified([move_id], line_ids)
        self._osmd_increase_customer_rank([vals["partner_id"]])
        return self.browse(move_id)

    @api.model
    def _osmd_agent_last_number(self, journal_id, prefix):
        """The last number of the sequence visible to this transaction."""
        self.env.cr.execute(
            SQL(
                "SELECT MAX(sequence_number) FROM account_move WHERE journal_id = %s AND sequence_prefix = %s",
                journal_id,
                prefix,
            )
        )
        return self.env.cr.fetchone()[0] or 0
