from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import account_move_fast
from .test_easypay import ProtocolCommon

# columns of a payment's rows that are its own (ids, numbers, its transaction, creation time)
OWN = {
    "id",
    "name",
    "sequence_number",
    "ref",
    "osmd_agent_transaction_id",
    "move_id",
    "move_name",
    "create_date",
    "write_date",
}


@tagged("post_install", "-at_install")
class TestFastBooking(ProtocolCommon):
    """Payments of an agent are written directly once this worker has seen two of them booked by Odoo the same way:
    the ledger, the numbers and the chatter are those Odoo writes."""

    def setUp(self):
        super().setUp()
        account_move_fast._SHAPES.clear()
        self.addCleanup(account_move_fast._SHAPES.clear)
        self.Move = type(self.env["account.move"])
        self.fast = []
        original = self.Move._osmd_insert_agent_payment

        def counted(move, shape, transaction, vals):
            self.fast.append(transaction.txn_id)
            return original(move, shape, transaction, vals)

        patcher = patch.object(self.Move, "_osmd_insert_agent_payment", counted)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _pay(self, txn, account, amount):
        # as in production: Odoo's notes and tracking on (the common test set-up turns them off)
        env = self.env(
            context=dict(self.env.context, tracking_disable=False, mail_create_nolog=False, mail_notrack=False)
        )
        answer = self.agent.with_env(env).sudo()._osmd_pay(txn, account.number, amount)
        return self.env["osmd.payment.agent.transaction"].browse(answer["payment_id"])

    def _rows(self, move):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("SELECT * FROM account_move WHERE id = %s", [move.id])
        head = cr.dictfetchone()
        cr.execute("SELECT * FROM account_move_line WHERE move_id = %s ORDER BY id", [move.id])
        lines = cr.dictfetchall()
        cr.execute(
            "SELECT m.body, m.message_type, m.subtype_id, m.author_id, f.name, t.old_value_char, t.new_value_char "
            "FROM mail_message m LEFT JOIN mail_tracking_value t ON t.mail_message_id = m.id "
            "LEFT JOIN ir_model_fields f ON f.id = t.field_id "
            "WHERE m.model = 'account.move' AND m.res_id = %s ORDER BY m.id",
            [move.id],
        )
        chatter = cr.fetchall()
        strip = lambda row: {column: value for column, value in row.items() if column not in OWN}  # noqa: E731
        return strip(head), [strip(line) for line in lines], chatter

    def test_fast_booking_writes_what_odoo_writes(self):
        self._pay("F-1", self.account2, "40.00")
        self._pay("F-2", self.account2, "40.00")
        self.assertEqual(self.fast, [], "the first two payments are booked by Odoo: the shape is learnt and verified")
        fast = self._pay("F-3", self.account2, "40.00")
        self.assertEqual(self.fast, ["F-3"])
        # the same payment booked by Odoo (a worker that has not learnt yet)
        account_move_fast._SHAPES.clear()
        standard = self._pay("F-4", self.account2, "40.00")
        self.assertEqual(self.fast, ["F-3"])
        fast_rows, standard_rows = self._rows(fast.move_id), self._rows(standard.move_id)
        self.assertEqual(fast_rows[0], standard_rows[0], "the entry's row")
        self.assertEqual(fast_rows[1], standard_rows[1], "its journal items")
        self.assertEqual(fast_rows[2], standard_rows[2], "its chatter: Odoo's notes and the posting's tracking")
        self.assertEqual(len(fast_rows[2]), 2)
        # numbered in the journal's sequence, no gap, no number twice
        numbers = [self._pay_number(txn) for txn in ("F-1", "F-2", "F-3", "F-4")]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 4)))
        self.assertEqual(self.account2.balance, -160.0, "four advances on the account")
        self.assertLedgerBalanced()

    def _pay_number(self, txn):
        transaction = self.env["osmd.payment.agent.transaction"].search([("txn_id", "=", txn)])
        return transaction.move_id.sequence_number

    def test_fast_payment_pays_the_invoices_at_once_and_can_be_cancelled(self):
        self._pay("P-1", self.account2, "5.00")
        self._pay("P-2", self.account2, "5.00")
        paid = self._pay("P-3", self.account1, "60.00")
        self.assertEqual(self.fast, ["P-3"])
        self.assertEqual(self.invoice.amount_residual, 40.0, "reconciled with the invoice in the same call")
        self.assertEqual(self.account1.balance, 40.0)
        self.assertEqual(paid.move_id.line_ids.mapped("partner_id"), self.account1.holder_id)
        self.assertEqual(paid.move_id.partner_id.customer_rank, self.account1.holder_id.customer_rank)
        self.assertGreater(self.account1.holder_id.customer_rank, 0)
        paid._osmd_cancel()
        self.assertEqual(paid.state, "cancelled")
        self.assertEqual(self.invoice.amount_residual, 100.0, "open again exactly as before")
        self.assertEqual(paid.move_id.reversal_move_ids.mapped("state"), ["posted"])
        self.assertLedgerBalanced()

    def test_number_taken_meanwhile_is_skipped(self):
        """Another worker committed the number this transaction saw as free: the insert fails in its savepoint and
        the next number is taken."""
        self._pay("N-1", self.account2, "1.00")
        last = self._pay("N-2", self.account2, "1.00").move_id.sequence_number
        original = self.Move._osmd_agent_last_number
        with (
            patch.object(self.Move, "_osmd_agent_last_number", lambda move, *args: original(move, *args) - 1),
            mute_logger("odoo.sql_db"),
        ):
            fast = self._pay("N-3", self.account2, "1.00")
        self.assertEqual(self.fast, ["N-3"])
        self.assertEqual(fast.move_id.sequence_number, last + 1)
        self.env.cr.execute(
            "SELECT name FROM account_move WHERE journal_id = %s GROUP BY name HAVING COUNT(*) > 1",
            [self.agent.journal_id.id],
        )
        self.assertFalse(self.env.cr.fetchall())

    def test_standard_booking_when_the_shape_does_not_hold(self):
        self._pay("S-1", self.account2, "2.00")
        self._pay("S-2", self.account2, "2.00")
        # a lock date covering the payment's date: Odoo decides the entry's date
        self.company_a.sudo().fiscalyear_lock_date = (
            self.env["osmd.payment.agent.transaction"].search([("txn_id", "=", "S-1")]).date
        )
        self.assertTrue(self.Move._osmd_agent_shape_key(self.env["account.move"], *self._shape_args("S-1"))[1])
        self.company_a.sudo().fiscalyear_lock_date = False
        self._pay("S-3", self.account2, "2.00")
        self.assertEqual(self.fast, ["S-3"])
        # an older shape is learnt again
        for shape in account_move_fast._SHAPES.values():
            shape["at"] -= account_move_fast.SHAPE_TTL
        self._pay("S-4", self.account2, "2.00")
        self._pay("S-5", self.account2, "2.00")
        self.assertEqual(self.fast, ["S-3", "S-5"], "the standard booking of S-4 verified the shape again")
        # a journal that hashes its entries: Odoo must post (and hash) every one
        self.agent.journal_id.restrict_mode_hash_table = True
        self._pay("S-6", self.account2, "2.00")
        self.assertEqual(self.fast, ["S-3", "S-5"])
        self.assertLedgerBalanced()

    def _shape_args(self, txn):
        transaction = self.env["osmd.payment.agent.transaction"].search([("txn_id", "=", txn)])
        move = transaction.move_id
        vals = {
            "journal_id": move.journal_id.id,
            "partner_id": move.partner_id.id,
            "date": move.date,
            "line_ids": [(0, 0, {"account_id": line.account_id.id}) for line in move.line_ids],
        }
        return transaction, vals

    def test_a_difference_with_odoo_keeps_the_standard_booking(self):
        """Rows built here that differ from Odoo's in one column (a module computing a column we do not know):
        never written directly, and the column is named in the log."""
        original = self.Move._osmd_agent_payment_rows

        def wrong(move, *args, **kwargs):
            head, lines = original(move, *args, **kwargs)
            return {**head, "checked": not head["checked"]}, lines

        with (
            patch.object(self.Move, "_osmd_agent_payment_rows", wrong),
            self.assertLogs("odoo.addons.osmd_payment_gateway.models.account_move_fast", "WARNING") as logs,
        ):
            for index in range(4):
                self._pay(f"D-{index}", self.account2, "3.00")
        self.assertEqual(self.fast, [])
        self.assertIn("account_move.checked", logs.output[0])
