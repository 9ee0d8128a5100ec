import base64
import io
from datetime import date

import openpyxl

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import BillingCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install", "osmd")
class TestDebts(BillingCommon):
    """Balances, aging, the debtors list, its XLSX export and the reminder letter on invoices due on
    different dates; the debts are aged on 30.06.2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.building2 = cls.env["osmd.building"].create(
            {
                "name": "Будинок A2",
                "street": "вул. Січових Стрільців, 5",
                "city": "Київ",
                "company_id": cls.company_a.id,
            }
        )
        premise3 = cls.env["osmd.premise"].create(
            {"building_id": cls.building2.id, "number": "7", "total_area": 40.0, "heated_area": 40.0}
        )
        cls.account3 = cls.env["osmd.account"].create(
            {
                "premise_id": premise3.id,
                "company_id": cls.company_a.id,
                "holder_id": cls.owners[1].id,
                "date_open": "2020-01-01",
            }
        )
        # account 1: 100 due 15 days ago, 200 due 61 days ago, 300 due 135 days ago, 400 due 242 days ago
        cls.inv_recent, cls.inv_61, cls.inv_135, cls.inv_242 = cls._invoice(
            [
                (cls.account1, date(2026, 6, 15), 100.0),
                (cls.account1, date(2026, 4, 30), 200.0),
                (cls.account1, date(2026, 2, 15), 300.0),
                (cls.account1, date(2025, 10, 31), 400.0),
            ]
        )
        # account 2: a small debt not due yet; account 3 (other building): 700 due 92 days ago
        cls.inv_acc2 = cls._invoice([(cls.account2, date(2026, 7, 10), 50.0)])
        cls.inv_acc3 = cls._invoice([(cls.account3, date(2026, 3, 30), 700.0)])
        # a credit note of 30 on account 1, not reconciled: it settles the oldest debt first
        cls.refund = cls._invoice([(cls.account1, date(2026, 5, 31), 30.0)], move_type="out_refund")
        # the holder pays 150 of the invoice due 135 days ago (a payment of the partner, not linked)
        cls._pay(cls.inv_135, 150.0, date(2026, 6, 20))

    @classmethod
    def _invoice(cls, specs, move_type="out_invoice"):
        moves = (
            cls.env["account.move"]
            .with_company(cls.company_a)
            .create(
                [
                    {
                        "move_type": move_type,
                        "partner_id": account.holder_id.id,
                        "invoice_date": due.replace(day=1),
                        "invoice_date_due": due,
                        "osmd_account_id": account.id,
                        "osmd_period": due.replace(day=1),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": cls.svc_maint.id,
                                    "quantity": 1,
                                    "price_unit": amount,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for account, due, amount in specs
                ]
            )
        )
        moves.action_post()
        return moves

    @classmethod
    def _pay(cls, invoices, amount, day):
        return (
            cls.env["account.payment.register"]
            .with_company(cls.company_a)
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount, "payment_date": day})
            ._create_payments()
        )

    def _aged(self, accounts, day=TODAY):
        return accounts.with_user(self.accountant).with_context(date=day.isoformat())

    # ------------------------------------------------------------
    # balance and aging
    # ------------------------------------------------------------

    def test_balance_and_aging(self):
        account = self._aged(self.account1)
        self.assertRecordValues(
            account,
            [
                {
                    # 100 + 200 + 300 + 400 - 30 credit note - 150 paid
                    "balance": 820.0,
                    "debt_0_30": 100.0,
                    "debt_31_90": 200.0,
                    "debt_91_180": 150.0,
                    # 400 less the credit note of 30
                    "debt_180_plus": 370.0,
                    "overdue_amount": 820.0,
                    "oldest_due_date": date(2025, 10, 31),
                    "months_overdue": 7,
                }
            ],
        )
        # the buckets add up to the balance
        self.assertAlmostEqual(
            account.debt_0_30 + account.debt_31_90 + account.debt_91_180 + account.debt_180_plus, account.balance
        )
        self.assertRecordValues(
            self._aged(self.account2),
            [{"balance": 50.0, "debt_0_30": 50.0, "overdue_amount": 0.0, "months_overdue": 0}],
        )

    def test_aging_moves_with_time(self):
        """The same debts aged later with the real clock: the recent invoice becomes 31–90 days old."""
        with freeze_time("2026-08-01"):
            account = self.account1.with_user(self.accountant)
            # due 15.06: 47 days; due 30.04: 93 days; due 15.02: 167 days; due 31.10.2025: 274 days
            self.assertRecordValues(
                account,
                [
                    {
                        "debt_0_30": 0.0,
                        "debt_31_90": 100.0,
                        "debt_91_180": 350.0,
                        "debt_180_plus": 370.0,
                        "overdue_amount": 820.0,
                        "months_overdue": 9,
                    }
                ],
            )

    def test_payment_lowers_the_balance(self):
        self._pay(self.inv_242, 370.0, date(2026, 6, 25))
        account = self._aged(self.account1)
        self.assertEqual(account.balance, 450.0)
        self.assertEqual(account.debt_180_plus, 0.0)
        self.assertEqual(account.oldest_due_date, date(2026, 2, 15))

    # ------------------------------------------------------------
    # debtors list
    # ------------------------------------------------------------

    def _debtors(self, user=None, **filters):
        Report = self.env["osmd.debtor.report"].with_user(user or self.accountant).with_context(date=TODAY.isoformat())
        return Report.search(Report._get_debtors_domain(**filters))

    def test_debtors_list(self):
        debtors = self._debtors()
        self.assertEqual(debtors.account_id, self.account1 | self.account2 | self.account3)
        self.assertRecordValues(
            debtors.filtered(lambda d: d.account_id == self.account1),
            [
                {
                    "building_id": self.building.id,
                    "partner_id": self.owners[0].id,
                    "balance": 820.0,
                    "oldest_due_date": date(2025, 10, 31),
                    "months_overdue": 7,
                    "debt_180_plus": 370.0,
                }
            ],
        )

    def test_debtors_filters(self):
        self.assertEqual(self._debtors(min_amount=700).account_id, self.account1 | self.account3)
        self.assertEqual(self._debtors(min_amount=800).account_id, self.account1)
        self.assertEqual(self._debtors(buildings=self.building2).account_id, self.account3)
        self.assertEqual(
            self._debtors(buildings=self.building, min_amount=10).account_id, self.account1 | self.account2
        )
        # account 3 is 3 whole months overdue (due 30.03), account 1 seven, account 2 is not due yet
        self.assertEqual(self._debtors(months_overdue=1).account_id, self.account1 | self.account3)
        self.assertEqual(self._debtors(months_overdue=4).account_id, self.account1)
        self.assertEqual(self._debtors(months_overdue=8).account_id, self.env["osmd.account"])

    def test_debtors_grouped_by_building(self):
        groups = (
            self.env["osmd.debtor.report"].with_user(self.accountant)._read_group([], ["building_id"], ["balance:sum"])
        )
        self.assertEqual(dict(groups), {self.building: 870.0, self.building2: 700.0})

    def test_fully_paid_account_is_no_debtor(self):
        self._pay(self.inv_acc2, 50.0, date(2026, 6, 25))
        self.assertNotIn(self.account2, self._debtors().account_id)
        self.assertEqual(self._aged(self.account2).balance, 0.0)

    # ------------------------------------------------------------
    # access
    # ------------------------------------------------------------

    def test_access(self):
        for role in ("audit", "chairman"):
            self.assertEqual(len(self._debtors(user=self.users_a[role])), 3, role)
        with self.assertRaises(AccessError):
            self._debtors(user=self.users_a["engineer"])
        # the other association sees none of these debts
        self.assertFalse(self._debtors(user=self.users_b["accountant"]))
        with self.assertRaises(AccessError):
            self.env["osmd.debtor.report"].with_user(self.users_b["chairman"]).browse(self.account1.id).balance  # noqa: B018

    # ------------------------------------------------------------
    # export and reminder letter
    # ------------------------------------------------------------

    def test_xlsx_export(self):
        wizard = (
            self.env["osmd.debtor.export"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "min_amount": 100, "date": TODAY})
        )
        action = wizard.action_export_xlsx()
        self.assertIn("field=xlsx_file", action["url"])
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.xlsx_file)))
        rows = [row for row in book.active.iter_rows(values_only=True) if any(cell is not None for cell in row)]
        self.assertEqual(rows[1][:6], ("Personal account", "Building", "Premise", "Holder", "Phone", "Debt"))
        data = {row[0]: row for row in rows[2:-1]}
        self.assertEqual(set(data), {self.account1.number, self.account3.number})
        self.assertEqual(data[self.account1.number][5:10], (820, 100, 200, 150, 370))
        self.assertEqual(data[self.account1.number][11], 7)
        self.assertEqual(data[self.account3.number][1], "Будинок A2")
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][5], 1520)

    def test_open_list_applies_filters(self):
        wizard = (
            self.env["osmd.debtor.export"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "building_ids": [Command.set(self.building2.ids)]})
        )
        action = wizard.action_open_list()
        self.assertEqual(action["res_model"], "osmd.debtor.report")
        self.assertEqual(self.env["osmd.debtor.report"].search(action["domain"]).account_id, self.account3)

    def test_reminder_letter(self):
        debtor = self._debtors(buildings=self.building, min_amount=500)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            .with_context(date=TODAY.isoformat())
            ._render_qweb_html("osmd_billing.osmd_reminder_letter_template", debtor.ids)[0]
            .decode()
        )
        self.assertIn("820,00", html)
        self.assertIn(self.account1.number, html)
        self.assertIn(self.owners[0].name, html)
        # the unpaid invoices, oldest first, the rest of the partly paid one, and the open credit note
        self.assertLess(html.index(self.inv_242.name), html.index(self.inv_recent.name))
        self.assertIn("150,00", html)
        self.assertIn("-30,00", html)
        self.assertIn("outstanding balance", html)

    def test_notice_board_list_has_no_names(self):
        wizard = (
            self.env["osmd.debtor.export"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "min_amount": 100, "date": TODAY})
        )
        action = wizard.action_print_notice_board()
        debtors = self.env["osmd.debtor.report"].browse(action["context"]["active_ids"])
        self.assertEqual(debtors.account_id, self.account1 | self.account3)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            .with_context(date=TODAY.isoformat())
            ._render_qweb_html("osmd_billing.osmd_notice_board_template", debtors.ids)[0]
            .decode()
        )
        self.assertIn("820,00", html)
        self.assertIn("Будинок A2", html)
        for debtor in debtors:
            self.assertNotIn(debtor.partner_id.name, html, "no names on the notice board")
            self.assertNotIn(debtor.account_id.number, html, "nor personal account numbers")
        for owner in self.owners:
            self.assertNotIn(owner.name, html)

    def test_reminder_letter_in_the_document_language(self):
        """A holder whose own language is English gets the letter of a Ukrainian association in Ukrainian,
        unless they chose English documents."""
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(["osmd_billing"], ["uk_UA"])
        self.company_a.partner_id.lang = "uk_UA"
        self.owners[0].lang = "en_US"
        debtor = self._debtors(buildings=self.building, min_amount=500)

        def render():
            return (
                self.env["ir.actions.report"]
                .with_user(self.accountant)
                .with_context(date=TODAY.isoformat())
                ._render_qweb_html("osmd_billing.osmd_reminder_letter_template", debtor.ids)[0]
                .decode()
            )

        self.assertIn(f"Шановний(-а) {self.owners[0].name}!", render())
        self.owners[0].osmd_document_lang = "en_US"
        self.assertIn(f"Dear {self.owners[0].name},", render())
