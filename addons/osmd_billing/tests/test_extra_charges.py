from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PERIOD, BillingCommon

APRIL = date(2026, 4, 1)


@tagged("post_install", "-at_install", "osmd")
class TestExtraCharges(BillingCommon):
    """One-off charges (paid services): the next run of the account puts them on its invoice once, a run reset or
    cancelled gives them back, a posted one keeps them; recalculations and penalties leave them alone."""

    def _charge(self, **vals):
        return (
            self.env["osmd.extra.charge"]
            .with_user(self.accountant)
            .create(
                {
                    "company_id": self.company_a.id,
                    "account_id": self.account1.id,
                    "name": "Встановлення бойлера",
                    "date": "2026-03-20",
                    "quantity": 1,
                    "price_unit": 1250.50,
                    **vals,
                }
            )
        )

    def test_the_next_run_invoices_it_once(self):
        boiler = self._charge()
        hours = self._charge(name="Сантехнік, години", quantity=1.5, price_unit=333.33)
        later = self._charge(name="Заміна замка", date="2026-04-02", price_unit=400)
        self.assertEqual(hours.amount, 500.0, "1,5 × 333,33 = 499,995 → 500,00 half-up")
        self.assertEqual(set((boiler | hours | later).mapped("state")), {"pending"})
        run = self._create_run()
        run.action_compute()
        self.assertEqual((boiler | hours).mapped("state"), ["in_run", "in_run"])
        self.assertEqual(later.state, "pending", "dated after the period: the next month's run takes it")
        lines = run.line_ids.filtered(lambda line: line.kind == "extra")
        self.assertEqual(lines.extra_charge_id, boiler | hours)
        self.assertEqual(lines.account_id, self.account1)
        # a charge taken by a computed run cannot change
        with self.assertRaises(UserError):
            boiler.with_user(self.accountant).price_unit = 1
        with self.assertRaises(UserError):
            boiler.with_user(self.accountant).unlink()
        # reset: it waits again; computed again: taken again, once
        run.action_reset_to_draft()
        self.assertEqual(boiler.state, "pending")
        run.action_compute()
        run.action_post()
        self.assertEqual((boiler | hours).mapped("state"), ["billed", "billed"])
        invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account1)
        self.assertEqual(boiler.move_id, invoice)
        boiler_line = invoice.invoice_line_ids.filtered(lambda line: "Встановлення бойлера" in line.name)
        self.assertEqual(boiler_line.price_subtotal, 1250.50)
        self.assertIn("20.03.2026", boiler_line.name)
        hours_line = invoice.invoice_line_ids.filtered(lambda line: "Сантехнік" in line.name)
        self.assertRecordValues(hours_line, [{"quantity": 1.5, "price_unit": 333.33, "price_subtotal": 500.0}])
        # April's run takes the later one only
        april = self._create_run(period=APRIL)
        april.action_compute()
        self.assertEqual(april.line_ids.filtered(lambda line: line.kind == "extra").extra_charge_id, later)
        # the posted charge stays as invoiced: no edit, no cancel
        with self.assertRaises(UserError):
            boiler.with_user(self.accountant).write({"name": "Інше"})
        with self.assertRaises(UserError):
            boiler.with_user(self.accountant).action_cancel()

    def test_a_cancelled_run_gives_it_back_and_a_cancelled_charge_is_not_billed(self):
        boiler = self._charge()
        dropped = self._charge(name="Відмовився", price_unit=100)
        dropped.with_user(self.accountant).action_cancel()
        run = self._create_run()
        run.action_compute()
        self.assertNotIn(dropped, run.line_ids.extra_charge_id)
        run.action_post()
        self.assertEqual(boiler.state, "billed")
        run.action_cancel()
        self.assertEqual(boiler.state, "pending", "the invoice was reversed: the next run charges it")
        self.assertEqual(dropped.state, "cancel")

    def test_recalculation_and_penalty_leave_it_alone(self):
        self.company_a.write({"osmd_penalty_enabled": True})
        boiler = self._charge()
        run = self._create_run()
        run.action_compute()
        run.action_post()
        invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account1)
        # a tariff change for March: the recalculation corrects the services, not the boiler
        self.tariffs.filtered(lambda t: t.product_id == self.svc_maint).date_end = "2026-02-28"
        self.env["osmd.tariff"].create(
            {"company_id": self.company_a.id, "product_id": self.svc_maint.id, "price": 8.0, "date_start": "2026-03-01"}
        )
        recalculation = (
            self.env["osmd.recalculation"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "period": PERIOD, "date": "2026-04-15"})
        )
        recalculation.action_compute()
        self.assertEqual(recalculation.line_ids.product_id, self.svc_maint, "the boiler is not undone")
        self.assertEqual(boiler.state, "billed")
        # nobody paid: April's penalty counts March's services, not the boiler
        april = self._create_run(period=APRIL)
        data = april._collect_data()
        penalty = april._collect_penalty_data(data)
        self.assertEqual(float(penalty["in_invoice"].get(invoice.id)), 1250.50)

    def test_engineers_and_other_associations_cannot_touch_it(self):
        boiler = self._charge()
        with self.assertRaises(AccessError):
            self.env["osmd.extra.charge"].with_user(self.users_a["engineer"]).search([])
        chairman_b = self.users_b["chairman"]
        self.assertFalse(self.env["osmd.extra.charge"].with_user(chairman_b).search([("id", "=", boiler.id)]))
        with self.assertRaises(AccessError):
            boiler.with_user(chairman_b).read(["amount"])
        with self.assertRaises(UserError, msg="not on another association's account"):
            self.env["osmd.extra.charge"].with_user(chairman_b).create(
                {"company_id": self.company_b.id, "account_id": self.account1.id, "name": "x", "price_unit": 1}
            )
        with self.assertRaises(AccessError):
            boiler.with_user(self.users_a["audit"]).write({"origin": "x"})
