from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.misc import file_open

from .common import PaymentsCommon, ua_iban


@tagged("post_install", "-at_install")
class TestPayments(PaymentsCommon):
    """Bank statements imported, matched to personal accounts and reconciled with their invoices."""

    def test_hostile_statements_write_nothing(self):
        """A truncated XLSX statement, an amount of 1E+308 and arrays nested 100 000 deep: a clear error, the line
        named where there is one, and no statement line written."""
        with file_open("osmd_payments/tests/data/statements/privat_signed.xlsx", "rb") as handle:
            workbook = handle.read()
        own = self.iban_a
        csv_rows = [
            "ЄДРПОУ;МФО;Рахунок;Валюта;Номер документа;Дата операції;Рахунок кореспондента;Кореспондент;Сума;"
            "Призначення платежу",
            f"43210989;305299;{own};UAH;15;03.04.2026;UA853206490000026201234567890;ПЕТРЕНКО;100,00;о/р 1",
            f"43210989;305299;{own};UAH;16;03.04.2026;UA853206490000026201234567890;ПЕТРЕНКО;1e308;о/р 2",
        ]
        cases = {
            "statement.xlsx": (workbook[: len(workbook) // 2], "damaged or is not an XLSX workbook"),
            "statement.csv": (("\r\n".join(csv_rows) + "\r\n").encode("cp1251"), "Line 3: the amount 1e308"),
            "statement.json": (b"[" * 100_000, "not valid JSON"),
        }
        for filename, (data, expected) in cases.items():
            with self.subTest(filename), self.assertRaisesRegex(UserError, expected):
                self._import(data, filename=filename)
            self.assertFalse(self._lines())
            self.assertFalse(self.env["account.bank.statement"].search([("journal_id", "=", self.journal_a.id)]))

    def test_number_in_purpose_pays_oldest_invoice_first(self):
        feb = self._invoice(self.account1, 100.00, date(2026, 3, 20), period=date(2026, 2, 1))
        mar = self._invoice(self.account1, 120.00, date(2026, 4, 20), period=date(2026, 3, 1))
        other = self._invoice(self.account2, 80.00, date(2026, 3, 20))
        number = self.account1.number
        self._import(self._file([self._doc("150.00", f"Внески ОСББ, ос. рах. № 00{number}, березень")]))
        line = self._lines()
        self.assertEqual(line.osmd_match_state, "auto")
        self.assertEqual(line.osmd_matched_account_id, self.account1)
        self.assertEqual(line.move_id.osmd_account_id, self.account1, "the bank line's entry pays the account")
        self.assertEqual(line.partner_id, self.account1.holder_id)
        self.assertTrue(line.is_reconciled)
        self.assertEqual(feb.payment_state, "paid")
        self.assertEqual(mar.amount_residual, 70.00, "the rest goes to the next invoice, exactly")
        self.assertEqual(other.amount_residual, 80.00, "another account's invoice is untouched")
        self.assertLedgerBalanced()

    def test_qr_purpose_partial_payment_leaves_exact_residual(self):
        invoice = self._invoice(self.account2, 1234.56, date(2026, 4, 20))
        purpose = f"Оплата внесків ОСББ, о/р {self.account2.number}, березень 2026"
        self._import(self._file([self._doc("1000.01", purpose)]))
        line = self._lines()
        self.assertEqual((line.osmd_match_state, line.osmd_match_rule), ("auto", "qr"))
        self.assertEqual(invoice.amount_residual, 234.55)
        self.assertEqual(invoice.payment_state, "partial")

    def test_overpayment_is_an_advance_applied_to_the_next_invoice(self):
        invoice = self._invoice(self.account1, 100.00, date(2026, 4, 20))
        self._import(self._file([self._doc("250.00", f"о/р {self.account1.number}")]))
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.account1.balance, -150.00, "the overpayment stays as the account's advance")
        later = self._invoice(self.account1, 100.00, date(2026, 5, 20), period=date(2026, 4, 1))
        self.assertEqual(later.payment_state, "paid", "the advance is applied when the next invoice is posted")
        nxt = self._invoice(self.account1, 80.00, date(2026, 6, 20), period=date(2026, 5, 1))
        self.assertEqual(nxt.amount_residual, 30.00)
        self.account1.invalidate_recordset(["balance"])
        self.assertEqual(self.account1.balance, 30.00)
        self.assertLedgerBalanced()

    def test_same_file_twice_creates_nothing_and_says_so(self):
        self._invoice(self.account1, 100.00, date(2026, 4, 20))
        data = self._file([self._doc("60.00", f"о/р {self.account1.number}", number="501")])
        self._import(data)
        with self.assertRaises(UserError):
            self._import(data)
        self.assertEqual(len(self._lines()), 1)
        # one more payment appended to the same statement: only it is imported
        data2 = self._file(
            [
                self._doc("60.00", f"о/р {self.account1.number}", number="501"),
                self._doc("40.00", f"о/р {self.account1.number}", number="502"),
            ]
        )
        action = self._import(data2)
        self.assertEqual(len(self._lines()), 2)
        self.assertIn("1", action["params"]["message"])

    def test_review_queue_confirm_teaches_the_payer(self):
        invoice = self._invoice(self.account2, 90.00, date(2026, 4, 20))
        payer_iban = ua_iban("320649", "26205555555555")
        self._import(self._file([self._doc("90.00", "комуналка березень", payer_iban=payer_iban, payer_code="")]))
        line = self._lines()
        self.assertEqual(line.osmd_match_state, "todo")
        self.assertEqual(invoice.amount_residual, 90.00)
        line.with_user(self.accountant).with_context(osmd_assign_account_id=self.account2.id).action_osmd_assign()
        self.assertEqual(line.osmd_match_state, "confirmed")
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(line.is_reconciled, "the suspense item of the bank line is closed by the matching entry")
        self.assertEqual(line.osmd_entry_ids.osmd_account_id, self.account2)
        # next month the same payer, no account number: matched by the learned IBAN
        invoice2 = self._invoice(self.account2, 95.00, date(2026, 5, 20), period=date(2026, 4, 1))
        self._import(
            self._file(
                [self._doc("95.00", "комуналка квітень", day=date(2026, 5, 5), payer_iban=payer_iban, payer_code="")]
            )
        )
        line2 = self._lines()[-1]
        self.assertEqual((line2.osmd_match_state, line2.osmd_match_rule), ("auto", "payer"))
        self.assertEqual(invoice2.payment_state, "paid")
        self.assertLedgerBalanced()

    def test_learned_payer_stays_in_its_association(self):
        payer_iban = ua_iban("320649", "26207777777777")
        self.env["osmd.payer.link"]._learn(self.company_a, [(self.account1.id, payer_iban, "", "", date(2026, 3, 1))])
        self._invoice(self.account_b1, 50.00, date(2026, 4, 20), company=self.company_b)
        data = self._file(
            [self._doc("50.00", "внесок", payer_iban=payer_iban, payer_code="", own_iban=self.iban_b)],
            own_iban=self.iban_b,
        )
        self._import(data, user=self.accountant_b, journal=self.journal_b)
        line = self._lines(self.journal_b)
        self.assertEqual(line.osmd_match_state, "todo", "a payer learned in A means nothing in B")
        self.assertNotIn(self.account1, line.osmd_suggestion_ids.account_id)

    def test_unmatch_and_reassign_restore_exact_residuals(self):
        inv1 = self._invoice(self.account1, 100.00, date(2026, 4, 20))
        inv2 = self._invoice(self.account2, 70.00, date(2026, 4, 20))
        self._import(self._file([self._doc("70.00", f"о/р {self.account1.number}")]))
        line = self._lines()
        self.assertEqual(inv1.amount_residual, 30.00)
        line.with_user(self.accountant).action_osmd_unmatch()
        self.assertEqual(line.osmd_match_state, "todo")
        self.assertEqual(inv1.amount_residual, 100.00, "the invoice is open again exactly as before")
        self.assertEqual(line.move_id.state, "posted", "the bank line's posted entry is not changed")
        self.account1.invalidate_recordset(["balance"])
        self.assertEqual(self.account1.balance, 100.00)
        line.with_user(self.accountant).with_context(osmd_assign_account_id=self.account2.id).action_osmd_assign()
        self.assertEqual(inv2.payment_state, "paid")
        self.assertEqual(inv1.amount_residual, 100.00)
        self.assertLedgerBalanced()

    def test_deleting_the_statement_restores_the_invoices(self):
        inv1 = self._invoice(self.account1, 100.00, date(2026, 4, 20))
        inv2 = self._invoice(self.account2, 50.00, date(2026, 4, 20))
        self._import(
            self._file(
                [self._doc("60.00", f"о/р {self.account1.number}"), self._doc("50.00", "без номера", payer_code="")]
            )
        )
        auto, todo = self._lines()
        todo.with_user(self.accountant).with_context(osmd_assign_account_id=self.account2.id).action_osmd_assign()
        self.assertEqual((inv1.amount_residual, inv2.amount_residual), (40.00, 0.00))
        auto.statement_id.with_user(self.accountant).unlink()
        self.assertFalse(self._lines(), "the payments go with their statement")
        self.assertEqual((inv1.amount_residual, inv2.amount_residual), (100.00, 50.00))
        for account in (self.account1, self.account2):
            account.invalidate_recordset(["balance"])
        self.assertEqual((self.account1.balance, self.account2.balance), (100.00, 50.00))
        self.assertLedgerBalanced()

    def test_not_for_residents(self):
        self._invoice(self.account1, 100.00, date(2026, 4, 20))
        own_other = ua_iban("305299", "26003000012345")
        self._import(
            self._file(
                [
                    self._doc("100.00", f"Повернення коштів о/р {self.account1.number}", outgoing=True),
                    self._doc("100.00", f"о/р {self.account1.number}", payer_iban=own_other, payer_code="43210989"),
                    self._doc("300.00", "Оплата згідно реєстру № 77 від 09.04.2026, комісія 3,00"),
                ]
            )
        )
        out, own, lump = self._lines()
        self.assertEqual((out.osmd_line_kind, out.osmd_match_state), ("outgoing", "none"))
        self.assertEqual((own.osmd_line_kind, own.osmd_match_state), ("self", "none"))
        self.assertEqual((lump.osmd_line_kind, lump.osmd_match_state), ("registry", "none"))
        self.assertFalse((out | own | lump).osmd_matched_account_id)

    def test_another_associations_statement_is_refused(self):
        data = self._file([self._doc("10.00", "о/р 1", own_iban=self.iban_b)], own_iban=self.iban_b)
        with self.assertRaisesRegex(UserError, self.iban_b):
            self._import(data)
        self.assertFalse(self._lines(self.journal_b) | self._lines())

    def test_bad_files_name_the_line_and_write_nothing(self):
        with self.assertRaises(UserError):
            self._import(b"\x00\x01\x02garbage\xff\xfe" * 20, filename="statement.txt")
        broken = self._file([self._doc("10.00", "о/р 1"), self._doc("12.3.4", "о/р 1")])
        with self.assertRaisesRegex(UserError, "1[0-9]"):
            self._import(broken)
        truncated = self._file([self._doc("10.00", "о/р 1")])[:-40]
        with self.assertRaises(UserError):
            self._import(truncated)
        self.assertFalse(self._lines())

    def test_roles(self):
        data = self._file([self._doc("10.00", "без номера", payer_code="")])
        with self.assertRaises(AccessError):
            self._import(data, user=self.users_a["engineer"])
        with self.assertRaises(AccessError):
            self._import(data, user=self.users_a["audit"])
        self._import(data, user=self.users_a["chairman"])
        line = self._lines()
        # the audit commission reads, never confirms
        self.assertEqual(line.with_user(self.users_a["audit"]).osmd_match_state, "todo")
        with self.assertRaises(AccessError):
            line.with_user(self.users_a["audit"])._osmd_assign(self.account1)
        # the engineer sees no bank payment, payer or registry at all
        for model in (
            "account.bank.statement.line",
            "osmd.payer.link",
            "osmd.payment.registry",
            "osmd.payment.collector",
        ):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.users_a["engineer"]).search([])
        # a hostile chairman of another association can neither see nor assign it, nor bring it to his account
        with self.assertRaises(AccessError):
            line.with_user(self.chairman_b).with_company(self.company_b).action_osmd_ignore()
        with self.assertRaises(UserError):
            line.with_user(self.accountant)._osmd_assign(self.account_b1)
        self.assertEqual(line.osmd_match_state, "todo")

    def test_advance_applied_to_the_invoices_of_a_billing_run(self):
        self._import(self._file([self._doc("5000.00", f"о/р {self.account1.number} аванс", day=date(2026, 3, 5))]))
        self.assertEqual(self._lines().osmd_match_state, "auto")
        run = self._create_run().with_user(self.accountant)
        run.action_compute()
        run.action_post()
        invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account1)
        other = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account2)
        self.assertEqual(invoice.payment_state, "paid", "the advance pays the new invoice when it is posted")
        self.assertEqual(other.payment_state, "not_paid")
        self.account1.invalidate_recordset(["balance"])
        self.assertAlmostEqual(self.account1.balance, -(5000.00 - invoice.amount_total), places=2)
        self.assertLedgerBalanced()

    def test_other_banks_through_a_saved_sheet_mapping(self):
        """An iFOBS-style CSV of another bank, read by OCA's saved column mapping, is matched like the others."""
        invoice = self._invoice(self.account2, 75.00, date(2026, 4, 20))
        mapping = self._ifobs_mapping()
        payer = ua_iban("320478", "26209999999999")
        rows = [
            "ID;Дата;Сума;Платник;Рахунок платника;Призначення",
            f"A-1;10.04.2026;75,00;КОВАЛЬ МАРІЯ;{payer};Внески ос.рах. {self.account2.number}",
            "A-2;10.04.2026;-12,00;БАНК;UA903052990000029024000000001;Комісія",
        ]
        data = ("\r\n".join(rows) + "\r\n").encode("cp1251")
        self._import(data, filename="ifobs.csv", mapping=mapping)
        lines = self._lines()
        self.assertEqual(sorted(lines.mapped("osmd_match_state")), ["auto", "none"])
        self.assertEqual(invoice.payment_state, "paid")
        self.assertLedgerBalanced()
