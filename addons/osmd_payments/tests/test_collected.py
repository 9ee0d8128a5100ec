from datetime import date
from decimal import Decimal

from odoo.fields import Command
from odoo.tests import tagged

from .common import PaymentsCommon


@tagged("post_install", "-at_install")
class TestCollected(PaymentsCommon):
    """Payments collected by service: each payment shared among the services of the invoices it closed."""

    def _invoice_with_penalty(self, account, due):
        penalty = self.env["osmd.turnover.register"]._get_penalty_products()[:1]
        self.assertTrue(penalty)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": self.company_a.id,
                "partner_id": account.holder_id.id,
                "osmd_account_id": account.id,
                "invoice_date": date(due.year, due.month, 1),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.svc_maint.id, "quantity": 1, "price_unit": 100.0, "tax_ids": []}
                    ),
                    Command.create({"product_id": self.svc_heat.id, "quantity": 1, "price_unit": 50.0, "tax_ids": []}),
                    Command.create({"product_id": penalty.id, "quantity": 1, "price_unit": 10.0, "tax_ids": []}),
                ],
            }
        )
        move.action_post()
        return move, penalty

    def _report(self, **vals):
        wizard = (
            self.env["osmd.payment.collected"]
            .with_user(self.users_a["audit"])
            .create(
                {"company_id": self.company_a.id, "date_from": date(2026, 4, 1), "date_to": date(2026, 4, 30), **vals}
            )
        )
        return wizard, wizard._collected()

    def test_principal_before_penalty_proportionally(self):
        _invoice, penalty = self._invoice_with_penalty(self.account1, date(2026, 4, 20))
        self._import(self._file([self._doc("120.00", f"о/р {self.account1.number}")]))
        self._import(self._file([self._doc("35.00", f"о/р {self.account1.number}", day=date(2026, 4, 25))]))
        self._import(self._file([self._doc("70.00", f"о/р {self.account2.number}", day=date(2026, 4, 26))]))
        wizard, data = self._report()
        by_account = {(a.number, p.id): v for (a, p), v in data["by_account"].items()}
        number = self.account1.number
        self.assertEqual(by_account[(number, self.svc_maint.id)], Decimal("100.00"))
        self.assertEqual(by_account[(number, self.svc_heat.id)], Decimal("50.00"))
        self.assertEqual(by_account[(number, penalty.id)], Decimal("5.00"), "the penalty is paid last")
        self.assertEqual(sum(data["by_service"].values()), Decimal("155.00"))
        self.assertEqual(data["advances"][self.account2], Decimal("70.00"), "a payment without invoices is an advance")
        self.assertTrue(wizard.action_export_xlsx()["url"].startswith("/web/content"))

    def test_penalty_first_when_the_statute_says_so(self):
        self.company_a.osmd_penalty_first = True
        _invoice, penalty = self._invoice_with_penalty(self.account1, date(2026, 4, 20))
        self._import(self._file([self._doc("40.00", f"о/р {self.account1.number}")]))
        _wizard, data = self._report()
        by_product = {p.id: v for (_a, p), v in data["by_account"].items()}
        self.assertEqual(by_product[penalty.id], Decimal("10.00"))
        self.assertEqual(by_product[self.svc_maint.id] + by_product[self.svc_heat.id], Decimal("30.00"))
        self.assertEqual(by_product[self.svc_maint.id], Decimal("20.00"))

    def test_priority_pays_the_first_service_of_every_invoice_first(self):
        """By priority, the ledger follows the services: maintenance (priority 1) of both months is paid before the
        heating (priority 5) of the older month; penalties last; the report tells the same story."""
        self.company_a.osmd_payment_allocation = "priority"
        self.svc_maint.osmd_payment_priority = 1
        self.svc_heat.osmd_payment_priority = 5
        march, penalty = self._invoice_with_penalty(self.account1, date(2026, 4, 20))  # 100 + 50 + 10
        april, _penalty = self._invoice_with_penalty(self.account1, date(2026, 5, 20))
        other = self._invoice(self.account2, 80.00, date(2026, 4, 20))
        self._import(self._file([self._doc("230.00", f"о/р {self.account1.number}")]))
        # maintenance 100 + 100, then heating of March 30 (oldest first within the service)
        self.assertEqual((march.amount_residual, april.amount_residual), (30.00, 60.00))
        self.assertEqual(other.amount_residual, 80.00)
        _wizard, data = self._report(date_to=date(2026, 5, 31))
        by_product = {p.id: v for (_a, p), v in data["by_account"].items() if v}
        self.assertEqual(by_product, {self.svc_maint.id: Decimal("200.00"), self.svc_heat.id: Decimal("30.00")})
        # the next payment: heating (20 + 50), then the penalties (10 + 10), the rest is an advance
        self._import(self._file([self._doc("100.00", f"о/р {self.account1.number}", day=date(2026, 4, 28))]))
        self.assertEqual((march.payment_state, april.payment_state), ("paid", "paid"))
        self.assertTrue(march.line_ids.filtered(lambda line: line.account_type == "asset_receivable").reconciled)
        self.account1.invalidate_recordset(["balance"])
        self.assertEqual(self.account1.balance, -10.00)
        _wizard, data = self._report(date_to=date(2026, 5, 31))
        by_product = {p.id: v for (_a, p), v in data["by_account"].items() if v}
        self.assertEqual(
            by_product,
            {self.svc_maint.id: Decimal("200.00"), self.svc_heat.id: Decimal("100.00"), penalty.id: Decimal("20.00")},
        )
        self.assertEqual(data["advances"][self.account1], Decimal("10.00"))
        # taken back: the invoices open again; the other payment's advance of 10 pays March's maintenance
        self._lines()[0].with_user(self.accountant).action_osmd_unmatch()
        self.assertEqual((march.amount_residual, april.amount_residual), (120.00, 100.00))
        self.assertLedgerBalanced()

    def test_priority_advance_applied_to_the_next_invoice(self):
        self.company_a.osmd_payment_allocation = "priority"
        self.svc_maint.osmd_payment_priority = 1
        self.svc_heat.osmd_payment_priority = 5
        march, _penalty = self._invoice_with_penalty(self.account1, date(2026, 4, 20))
        self._import(self._file([self._doc("100.00", f"о/р {self.account1.number} аванс", day=date(2026, 4, 2))]))
        self.assertEqual(march.amount_residual, 60.00, "maintenance only")
        april, _penalty = self._invoice_with_penalty(self.account1, date(2026, 5, 20))
        self.assertEqual(april.amount_residual, 160.00, "no advance left")
        self._import(self._file([self._doc("200.00", f"о/р {self.account1.number}", day=date(2026, 4, 29))]))
        # maintenance of April 100, heating 50 + 50 → March: 10 (penalty) left, April: 10 (penalty) left → 0 of 200
        self.assertEqual((march.amount_residual, april.amount_residual), (10.00, 10.00))
        may, _penalty = self._invoice_with_penalty(self.account1, date(2026, 6, 20))
        self.assertEqual(may.amount_residual, 160.00)
        self.assertLedgerBalanced()
