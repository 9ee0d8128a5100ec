from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from .common import PaymentsCommon

BULK = "odoo.addons.osmd_payments.models.account_bank_statement_line_bulk"


@tagged("post_install", "-at_install")
class TestBulkImport(PaymentsCommon):
    """A statement of many payments is written in bulk exactly as Odoo's create would write it."""

    def _big_file(self):
        docs = []
        for i in range(14):
            account = self.account1 if i % 2 else self.account2
            docs.append(self._doc(f"{10 + i}.{i:02d}", f"о/р {account.number} внесок {i}", number=str(700 + i)))
        for i in range(8):
            docs.append(self._doc(f"{5 + i}.50", f"платіж без номера {i}", payer_code="", number=str(800 + i)))
        for i in range(6):
            docs.append(self._doc(f"{20 + i}.00", f"Повернення {i}", outgoing=True, number=str(900 + i)))
        return self._file(docs)

    def _snapshot(self):
        lines = self._lines().sorted("unique_import_id")
        return [
            (
                line.move_id.name,
                line.date,
                line.amount,
                line.payment_ref,
                line.partner_id.id,
                line.osmd_match_state,
                line.osmd_matched_account_id.id,
                line.is_reconciled,
                line.amount_residual,
                line.unique_import_id,
                sorted(
                    (item.account_id.code, item.balance, item.amount_residual, item.partner_id.id, item.reconciled)
                    for item in line.move_id.line_ids
                ),
                len(line.osmd_suggestion_ids),
            )
            for line in lines
        ], [(inv.amount_residual, inv.payment_state) for inv in self.invoices]

    def _setup_invoices(self):
        self.invoices = self._invoice(self.account1, 100.00, date(2026, 4, 20)) | self._invoice(
            self.account2, 60.00, date(2026, 4, 20)
        )

    def test_1_bulk(self):
        self._setup_invoices()
        with self.assertNoLogs(BULK, "WARNING"):
            self._import(self._big_file())
        snapshot = self._snapshot()
        type(self).bulk_snapshot = snapshot
        self.assertEqual(len(snapshot[0]), 28)
        names = [row[0] for row in snapshot[0]]
        self.assertEqual(len(set(names)), 28, "every bank line has its own number")
        self.assertEqual(snapshot[1], [(0.0, "paid"), (0.0, "paid")])
        self.assertLedgerBalanced()
        # deleting the statement gives the invoices back exactly what the payments paid
        self._lines().statement_id.with_user(self.accountant).unlink()
        self.assertEqual(
            [(inv.amount_residual, inv.payment_state) for inv in self.invoices],
            [(100.0, "not_paid"), (60.0, "not_paid")],
        )
        self.assertLedgerBalanced()

    def test_2_standard_path_gives_the_same_rows(self):
        """The same file through Odoo's create (the bulk path switched off) gives the same lines, items and
        reconciliations (test_1_bulk ran before in this class and kept its result)."""
        self._setup_invoices()
        with patch(f"{BULK}.BULK_MIN", 10**6):
            self._import(self._big_file())
        standard = self._snapshot()
        bulk = type(self).bulk_snapshot
        for ours, theirs in zip(bulk[0], standard[0], strict=True):
            self.assertEqual(ours[1:], theirs[1:], ours[0])
        self.assertEqual(bulk[1], standard[1])
