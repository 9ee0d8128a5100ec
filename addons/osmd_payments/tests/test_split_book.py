from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import PaymentsCommon


@tagged("post_install", "-at_install")
class TestSplitAndBook(PaymentsCommon):
    """A payment for several personal accounts shared among them; bank lines that are not residents' payments
    booked to an account of the ledger — each by new entries, undone exactly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"].with_company(cls.company_a)
        cls.fees = Account.search(
            [("company_ids", "in", cls.company_a.id), ("account_type", "=", "expense")], order="code", limit=1
        )
        cls.receivable = Account.search(
            [("company_ids", "in", cls.company_a.id), ("account_type", "=", "asset_receivable")], limit=1
        )

    def _suspense_open(self, line):
        return sum(line._osmd_open_suspense_item().mapped("balance"))

    def _split_wizard(self, line, user=None):
        return Form(
            self.env["osmd.payment.split"]
            .with_user(user or self.accountant)
            .with_context(active_id=line.id, default_statement_line_id=line.id)
        )

    def test_one_transfer_for_two_flats(self):
        inv1 = self._invoice(self.account1, 100.00, date(2026, 4, 20))
        inv2 = self._invoice(self.account2, 80.50, date(2026, 4, 20))
        purpose = f"Внески ОСББ о/р {self.account1.number} та о/р {self.account2.number}"
        self._import(self._file([self._doc("180.50", purpose)]))
        line = self._lines()
        self.assertEqual(line.osmd_match_state, "todo", "two accounts in one purpose are never guessed")
        wizard = self._split_wizard(line).save()
        prefilled = {row.account_id: row.amount for row in wizard.line_ids}
        self.assertEqual(prefilled, {self.account1: 100.00, self.account2: 80.50}, "each part prefilled with its debt")
        self.assertEqual(wizard.difference, 0.0)
        wizard.action_split()
        self.assertEqual(line.osmd_match_state, "confirmed")
        self.assertEqual((inv1.payment_state, inv2.payment_state), ("paid", "paid"))
        self.assertEqual(len(line.osmd_entry_ids), 2, "one matching entry per personal account")
        self.assertEqual(set(line.osmd_entry_ids.osmd_account_id), {self.account1, self.account2})
        self.assertIn(self.account2.number, line.osmd_match_detail)
        self.assertTrue(line.is_reconciled)
        self.assertEqual(self._suspense_open(line), 0.0)
        self.assertEqual(line.move_id.state, "posted")
        self.assertLedgerBalanced()
        # taken back: both invoices open exactly as before, the payment waits again
        line.with_user(self.accountant).action_osmd_unmatch()
        self.assertEqual(line.osmd_match_state, "todo")
        self.assertEqual((inv1.amount_residual, inv2.amount_residual), (100.00, 80.50))
        self.assertEqual(self._suspense_open(line), -180.50)
        # and shared again another way: 150 + 30.50, the rest of account 1 stays open
        line.with_user(self.accountant)._osmd_split([(self.account1, 150.00), (self.account2, 30.50)])
        self.assertEqual(inv1.payment_state, "paid")
        self.assertEqual(inv2.amount_residual, 50.00)
        self.account1.invalidate_recordset(["balance"])
        self.assertEqual(self.account1.balance, -50.00, "the overpart is account 1's advance")
        self.assertLedgerBalanced()
        # deleting the statement gives everything back
        line.statement_id.with_user(self.accountant).unlink()
        self.assertEqual((inv1.amount_residual, inv2.amount_residual), (100.00, 80.50))
        self.assertLedgerBalanced()

    def test_split_refusals_write_nothing(self):
        self._invoice(self.account1, 100.00, date(2026, 4, 20))
        self._import(self._file([self._doc("100.00", "комунальні послуги", payer_code="")]))
        line = self._lines().with_user(self.accountant)
        moves_before = self.env["account.move"].search_count([])
        cases = [
            ([(self.account1, 60.00), (self.account2, 30.00)], "90,00.*100,00.*10,00"),
            ([(self.account1, 100.00), (self.account2, 0.0)], "Row 2"),
            ([(self.account1, 50.00), (self.account1, 50.00)], "Row 2.*already"),
            ([(self.account1, 120.00), (self.account2, -20.00)], "Row 2"),
            ([], "Add the personal accounts"),
        ]
        for shares, message in cases:
            with self.subTest(shares=shares), self.assertRaisesRegex(UserError, message):
                line._osmd_split(shares)
        # an account of another association, even with the right total
        with self.assertRaisesRegex(UserError, "another association"):
            line._osmd_split([(self.account1, 50.00), (self.account_b1, 50.00)])
        self.assertEqual(self.env["account.move"].search_count([]), moves_before, "nothing half-written")
        self.assertEqual(line.osmd_match_state, "todo")
        # the audit commission and the engineer cannot split; another association's chairman does not even see it
        for user in (self.users_a["audit"], self.users_a["engineer"]):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                line.with_user(user)._osmd_split([(self.account1, 100.00)])
        with self.assertRaises(AccessError):
            self.env["osmd.payment.split"].with_user(self.chairman_b).with_company(self.company_b).with_context(
                active_id=line.id
            ).create({"statement_line_id": line.id})

    def test_bank_fee_booked_and_unbooked(self):
        self._import(
            self._file(
                [
                    self._doc("45.30", "Комісія банку за РКО за березень 2026", outgoing=True),
                    self._doc("12.00", "Комісія за переказ", outgoing=True),
                ]
            )
        )
        fee1, fee2 = lines = self._lines()
        self.assertEqual(set(lines.mapped("osmd_match_state")), {"none"})
        self.assertFalse(fee1.is_reconciled, "waiting on the suspense account")
        wizard = Form(self.env["osmd.payment.book"].with_user(self.accountant).with_context(active_ids=lines.ids))
        wizard.account_id = self.fees
        wizard = wizard.save()
        self.assertEqual((wizard.count, wizard.total), (2, -57.30))
        wizard.action_book()
        self.assertEqual(set(lines.mapped("osmd_match_state")), {"booked"})
        self.assertEqual(lines.osmd_booked_account_id, self.fees)
        self.assertTrue(all(lines.mapped("is_reconciled")), "nothing left on the suspense account")
        self.assertEqual([self._suspense_open(line) for line in lines], [0.0, 0.0])
        self.env.flush_all()
        expense = sum(
            self.env["account.move.line"]
            .search([("account_id", "=", self.fees.id), ("parent_state", "=", "posted")])
            .mapped("balance")
        )
        self.assertAlmostEqual(expense, 57.30, places=2)
        self.assertEqual(fee1.move_id.state, "posted", "the bank line's own entry is not changed")
        self.assertLedgerBalanced()
        # a careless booking is cancelled by a reversing entry; the line waits again
        fee1.with_user(self.accountant).action_osmd_unbook()
        self.assertEqual(fee1.osmd_match_state, "none")
        self.assertFalse(fee1.osmd_booked_account_id)
        self.assertEqual(self._suspense_open(fee1), 45.30)
        self.assertFalse(fee1.is_reconciled)
        self.assertEqual(len(fee1.osmd_entry_ids.reversal_move_ids), 1)
        # booked again, then the whole statement deleted: the expense is gone with it
        fee1.with_user(self.accountant)._osmd_book(self.fees, label="Комісія банку")
        self.assertEqual(fee1.osmd_booking_move_id.line_ids.mapped("name"), ["Комісія банку", "Комісія банку"])
        fee1.statement_id.with_user(self.accountant).unlink()
        self.env.flush_all()
        expense = sum(
            self.env["account.move.line"]
            .search([("account_id", "=", self.fees.id), ("parent_state", "=", "posted")])
            .mapped("balance")
        )
        self.assertAlmostEqual(expense, 0.0, places=2)
        self.assertLedgerBalanced()

    def test_booking_refusals(self):
        self._invoice(self.account1, 100.00, date(2026, 4, 20))
        self._import(
            self._file(
                [
                    self._doc("100.00", f"о/р {self.account1.number}"),
                    self._doc("300.00", "Оплата згідно реєстру № 77 від 09.04.2026, комісія 3,00"),
                    self._doc("15.00", "Комісія банку", outgoing=True),
                ]
            )
        )
        paid, lump, fee = self._lines().with_user(self.accountant)
        moves_before = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "already booked or paid"):
            paid._osmd_book(self.fees)
        with self.assertRaisesRegex(UserError, "registry"):
            lump._osmd_book(self.fees)
        with self.assertRaisesRegex(UserError, "cannot take a bank line"):
            fee._osmd_book(self.receivable)
        with self.assertRaisesRegex(UserError, "cannot take a bank line"):
            fee._osmd_book(fee.journal_id.suspense_account_id)
        with self.assertRaisesRegex(UserError, "not booked"):
            fee.action_osmd_unbook()
        self.assertEqual(self.env["account.move"].search_count([]), moves_before, "nothing half-written")
        for user in (self.users_a["audit"], self.users_a["engineer"]):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                fee.with_user(user)._osmd_book(self.fees)
        with self.assertRaises(AccessError):
            fee.with_user(self.chairman_b).with_company(self.company_b)._osmd_book(self.fees)
        # an account the other association uses alone
        other = (
            self.env["account.account"]
            .with_company(self.company_b)
            .create({"code": "949901", "name": "Інші витрати Б", "account_type": "expense"})
        )
        with self.assertRaisesRegex(UserError, "another association"):
            fee._osmd_book(other)
        self.assertEqual(fee.osmd_match_state, "none")
        # nor is a line marked booked or paid by writing its fields (ORM or JSON-RPC alike), the chairman included
        for user in (self.accountant, self.users_a["chairman"]):
            for vals in (
                {"osmd_match_state": "booked", "osmd_booked_account_id": self.fees.id},
                {"osmd_match_state": "confirmed", "osmd_matched_account_id": self.account1.id},
                {"osmd_line_kind": "resident"},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaisesRegex(UserError, "buttons"):
                    fee.with_user(user).write(vals)
        self.assertEqual((fee.osmd_match_state, fee.osmd_line_kind), ("none", "outgoing"))
