from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..models.osmd_penalty import payment_deadline
from ..tools.formatting import fmt_number
from .common import PERIOD, BillingCommon

APRIL = date(2026, 4, 1)
MAY = date(2026, 5, 1)


@tagged("post_install", "-at_install", "osmd")
class TestPenalty(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the March invoices are due on Friday 17.04.2026: the penalty starts on Monday 20.04
        cls.company_a.write({"osmd_penalty_enabled": True, "osmd_penalty_deadline_day": 17})
        cls.penalty_product = cls.env.ref("osmd_billing.product_osmd_penalty")
        march = cls._create_run()
        march.action_compute()
        march.action_post()
        cls.march1 = march.move_ids.filtered(lambda m: m.osmd_account_id == cls.account1)
        cls.march2 = march.move_ids.filtered(lambda m: m.osmd_account_id == cls.account2)

    def _post_confirmed(self, run):
        """Post ``run`` through the posting wizard, which confirms its warnings (meters without readings)."""
        action = run.action_open_post_wizard()
        self.env["osmd.billing.run.post"].browse(action["res_id"]).action_confirm()

    def _run(self, period=APRIL):
        run = self._create_run(period=period).with_user(self.accountant)
        run.action_compute()
        return run

    def _penalty(self, run, account):
        return run.line_ids.filtered(lambda line: line.account_id == account and line.kind == "penalty")

    @staticmethod
    def _expected(debt, days, rate="0.01"):
        return float((Decimal(str(debt)) * Decimal(rate) / 100 * days).quantize(Decimal("0.01"), ROUND_HALF_UP))

    def test_defaults_and_deadline(self):
        self.assertRecordValues(
            self.company_b,
            [
                {
                    "osmd_penalty_enabled": False,
                    "osmd_penalty_rate": 0.01,
                    "osmd_penalty_deadline_day": 20,
                    "osmd_penalty_cap_percent": 100.0,
                }
            ],
        )
        self.assertEqual(payment_deadline(PERIOD, 17), date(2026, 4, 17))
        self.assertEqual(payment_deadline(date(2026, 1, 1), 31), date(2026, 2, 28))
        self.assertFalse(self.penalty_product.taxes_id)
        self.assertEqual(self.penalty_product.osmd_basis, "penalty")

    def test_penalty_line_on_next_invoice(self):
        run = self._run()
        total1 = self.march1.amount_total
        # deadline Friday 17.04 -> from Monday 20.04 to 30.04: 11 days
        amount = self._expected(total1, 11)
        line = self._penalty(run, self.account1)
        self.assertRecordValues(
            line,
            [
                {
                    "product_id": self.penalty_product.id,
                    "amount": amount,
                    "invoice_quantity": 1.0,
                    "invoice_price_unit": amount,
                    "partner_id": self.owners[0].id,
                }
            ],
        )
        self.assertEqual(
            line.explanation,
            f"Invoice 03.2026: {fmt_number(total1, 2)} × 0,01 % × 11 days (20.04–30.04) = {fmt_number(amount, 2)}",
        )
        self.assertRecordValues(
            line.penalty_charge_ids,
            [{"invoice_id": self.march1.id, "days": 11, "debt": total1, "amount": amount, "period": APRIL}],
        )
        self.assertTrue(self._penalty(run, self.account2))

        self._post_confirmed(run)
        invoice = run.move_ids.filtered(lambda m: m.osmd_account_id == self.account1)
        penalty_line = invoice.invoice_line_ids.filtered(lambda aml: aml.product_id == self.penalty_product)
        self.assertRecordValues(
            penalty_line, [{"name": f"{self.penalty_product.name}: {line.explanation}", "price_subtotal": amount}]
        )
        self.assertFalse(penalty_line.tax_ids)
        # the March invoices are untouched
        self.assertEqual(self.march1.amount_total, total1)

        # a recalculation of April leaves the penalty alone (it belongs to the month it was charged in)
        recalculation = self.env["osmd.recalculation"].create({"company_id": self.company_a.id, "period": APRIL})
        recalculation.action_compute()
        self.assertFalse(recalculation.line_ids.filtered(lambda rl: rl.product_id == self.penalty_product))

    def test_deadline_on_a_business_day(self):
        # deadline Monday 20.04 -> from Tuesday 21.04: 10 days
        self.company_a.osmd_penalty_deadline_day = 20
        run = self._run()
        self.assertEqual(self._penalty(run, self.account1).penalty_charge_ids.days, 10)
        self.assertEqual(self._penalty(run, self.account1).amount, self._expected(self.march1.amount_total, 10))

    def test_suspension_removes_its_days(self):
        self.env["osmd.penalty.suspension"].create(
            [
                {
                    "name": "Moratorium",
                    "company_id": self.company_a.id,
                    "date_start": "2026-04-01",
                    "date_end": "2026-04-24",
                    "building_ids": self._set(self.building),
                },
                # another association's suspension does not count
                {"name": "Other", "company_id": self.company_b.id, "date_start": "2026-01-01"},
            ]
        )
        run = self._run()
        # 25.04–30.04: 6 days
        charge = self._penalty(run, self.account1).penalty_charge_ids
        self.assertEqual(charge.days, 6)
        self.assertEqual(charge.amount, self._expected(self.march1.amount_total, 6))
        # an open-ended suspension of the whole association removes every day
        self.env["osmd.penalty.suspension"].create(
            {"name": "Martial law", "company_id": self.company_a.id, "date_start": "2022-03-05"}
        )
        self.assertFalse(self._run(period=MAY).line_ids.filtered(lambda line: line.kind == "penalty"))

    def test_cap_reached_no_more_penalty(self):
        self.company_a.write(
            {
                "osmd_penalty_override": True,
                "osmd_penalty_override_reason": "Court decision 1/2026 (test)",
                "osmd_penalty_rate": 10.0,
                "osmd_penalty_cap_percent": 100.0,
            }
        )
        april = self._run()
        line = self._penalty(april, self.account1)
        # 11 days × 10 % = 110 % of the debt: limited to 100 %
        self.assertEqual(line.amount, self.march1.amount_total)
        self.assertIn("(limited to 100 % of the debt)", line.explanation)
        self._post_confirmed(april)
        april1 = april.move_ids.filtered(lambda m: m.osmd_account_id == self.account1)

        may = self._run(period=MAY)
        charges = self._penalty(may, self.account1).penalty_charge_ids
        self.assertNotIn(self.march1, charges.invoice_id, "the cap of the March invoice is reached")
        # the April invoice is overdue in May (due Sunday 17.05, from Monday 18.05), its own penalty left out
        self.assertRecordValues(
            charges,
            [{"invoice_id": april1.id, "days": 14, "debt": april1.amount_total - line.amount}],
        )

    def test_cap_partly_used(self):
        # 0,5 % a day, cap 5 %: April 11 days = 5,5 % -> 5 %; nothing left for May
        self.company_a.write(
            {
                "osmd_penalty_override": True,
                "osmd_penalty_override_reason": "Court decision 2/2026 (test)",
                "osmd_penalty_rate": 0.5,
                "osmd_penalty_cap_percent": 5.0,
            }
        )
        april = self._run()
        debt = Decimal(str(self.march2.amount_total))
        self.assertEqual(
            self._penalty(april, self.account2).amount, float((debt * Decimal("0.05")).quantize(Decimal("0.01")))
        )
        self._post_confirmed(april)
        may = self._run(period=MAY)
        self.assertNotIn(self.march2, may.line_ids.penalty_charge_ids.invoice_id)

    def test_exempt_account_gets_none(self):
        with self.assertRaisesMsg(ValidationError, "reason"):
            self.account2.osmd_penalty_exempt = True
        self.account2.write(
            {"osmd_penalty_exempt": True, "osmd_penalty_exempt_reason": "subsidy", "osmd_penalty_exempt_since": APRIL}
        )
        run = self._run()
        self.assertFalse(self._penalty(run, self.account2))
        self.assertTrue(self._penalty(run, self.account1))

    def test_paid_invoice_gets_none(self):
        self.env["account.payment.register"].with_company(self.company_a).with_context(
            active_model="account.move", active_ids=self.march1.ids
        ).create({})._create_payments()
        self.assertEqual(self.march1.amount_residual, 0.0)
        run = self._run()
        self.assertFalse(self._penalty(run, self.account1))
        self.assertTrue(self._penalty(run, self.account2))

    def test_switched_off(self):
        self.company_a.osmd_penalty_enabled = False
        run = self._run()
        self.assertFalse(run.line_ids.filtered(lambda line: line.kind == "penalty"))
        self.assertFalse(run.line_ids.filtered(lambda line: line.product_id == self.penalty_product))

    def test_not_due_yet(self):
        # due on 30.04 (the 31st does not exist): the penalty would start on 01.05, nothing in April
        self.company_a.osmd_penalty_deadline_day = 31
        run = self._run()
        self.assertFalse(run.line_ids.filtered(lambda line: line.kind == "penalty"))

    # ------------------------------------------------------------
    # legal limits (law 2189-VIII, art. 26)
    # ------------------------------------------------------------

    def test_rate_and_cap_above_the_law_refused(self):
        chairman = self.company_a.with_user(self.users_a["chairman"])
        chairman.write({"osmd_penalty_rate": 0.005, "osmd_penalty_cap_percent": 50.0})
        self.assertRecordValues(self.company_a, [{"osmd_penalty_rate": 0.005, "osmd_penalty_cap_percent": 50.0}])
        for company in (self.company_a, chairman):
            with (
                self.assertRaisesRegex(ValidationError, r"0,011 % a day is above the legal limit of 0.01 %"),
                self.env.cr.savepoint(),
            ):
                company.write({"osmd_penalty_rate": 0.011})
            with (
                self.assertRaisesRegex(ValidationError, r"cap of 100,01 % of the debt is above the legal limit"),
                self.env.cr.savepoint(),
            ):
                company.write({"osmd_penalty_cap_percent": 100.01})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.env["res.company"].create({"name": "OSBB Greedy", "osmd_kind": "osbb", "osmd_penalty_rate": 1.0})

    def test_override_needs_reason_and_chairman_and_is_logged(self):
        chairman = self.users_a["chairman"]
        with self.assertRaisesRegex(ValidationError, "statute or court decision"), self.env.cr.savepoint():
            self.company_a.with_user(chairman).write({"osmd_penalty_override": True, "osmd_penalty_rate": 0.05})
        with self.assertRaisesRegex(ValidationError, "statute or court decision"), self.env.cr.savepoint():
            self.company_a.with_user(chairman).write(
                {"osmd_penalty_override": True, "osmd_penalty_override_reason": "  ", "osmd_penalty_rate": 0.05}
            )
        for user in (self.accountant, self.users_a["board"], self.users_b["chairman"]):
            with self.assertRaises(AccessError):
                self.company_a.with_user(user).write(
                    {"osmd_penalty_override": True, "osmd_penalty_override_reason": "Court decision 3/2026"}
                )
        company = self.company_a.with_user(chairman).with_context(tracking_disable=False, mail_notrack=False)
        company.write(
            {
                "osmd_penalty_override": True,
                "osmd_penalty_override_reason": "Court decision 3/2026",
                "osmd_penalty_rate": 0.05,
            }
        )
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking messages
        self.assertRecordValues(
            self.company_a,
            [{"osmd_penalty_rate": 0.05, "osmd_penalty_override": True, "osmd_penalty_override_user_id": chairman.id}],
        )
        self.assertTrue(self.company_a.osmd_penalty_override_date)
        self.company_a.write({"osmd_penalty_override_user_id": self.accountant.id})
        self.assertEqual(self.company_a.osmd_penalty_override_user_id, chairman, "never written from outside")
        tracked = self.env["mail.tracking.value"].search(
            [("mail_message_id.model", "=", "res.company"), ("mail_message_id.res_id", "=", self.company_a.id)]
        )
        self.assertEqual(tracked.mail_message_id.author_id, chairman.partner_id)
        by_field = {value.field_id.name: value for value in tracked}
        self.assertEqual(by_field["osmd_penalty_override_reason"].new_value_text, "Court decision 3/2026")
        self.assertEqual(by_field["osmd_penalty_rate"].new_value_float, 0.05)
        self.assertIn("osmd_penalty_override", by_field)
        # back to the law: the rate must be lawful again
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            company.write({"osmd_penalty_override": False})
        company.write({"osmd_penalty_override": False, "osmd_penalty_rate": 0.01})

    def test_unlawful_stored_values_held_to_the_law(self):
        """Values stored before the check (or through SQL) never charge more than the law allows."""
        self.env.cr.execute(
            "UPDATE res_company SET osmd_penalty_rate = 10, osmd_penalty_cap_percent = 500 WHERE id = %s",
            [self.company_a.id],
        )
        self.company_a.invalidate_recordset()
        run = self._run()
        # deadline Friday 17.04 -> from Monday 20.04 to 30.04: 11 days at 0,01 %
        self.assertEqual(self._penalty(run, self.account1).amount, self._expected(self.march1.amount_total, 11))
