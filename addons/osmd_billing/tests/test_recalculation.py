from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PERIOD, BillingCommon

APRIL = date(2026, 4, 1)


@tagged("post_install", "-at_install", "osmd")
class TestRecalculation(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # account 2 gets a water meter whose March reading came late: an estimate was billed
        cls.meter_late = cls.env["osmd.meter"].create(
            {
                "serial": "W-2",
                "company_id": cls.company_a.id,
                "utility_id": cls.utility_water.id,
                "premise_id": cls.premises[1].id,
                "install_date": "2025-01-01",
            }
        )
        cls.estimate = cls.env["osmd.meter.reading"].create(
            {
                "meter_id": cls.meter_late.id,
                "date": "2026-03-01",
                "source": "estimate",
                "consumption": 5,
                "state": "confirmed",
            }
        )
        cls.march_run = cls._create_run()
        cls.march_run.action_compute()
        cls.march_run.action_post()
        cls.invoice1 = cls.march_run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account1)
        cls.invoice2 = cls.march_run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account2)

    def _recalculate(self, **vals):
        recalculation = (
            self.env["osmd.recalculation"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "period": "2026-03-15", "date": "2026-04-15", **vals})
        )
        recalculation.action_compute()
        return recalculation

    def _assert_untouched(self, invoice, total, line_count):
        self.assertRecordValues(invoice, [{"state": "posted", "amount_total": total, "osmd_is_accrual": True}])
        self.assertEqual(len(invoice.invoice_line_ids), line_count)

    def test_late_reading_issues_adjustment_invoice(self):
        water = self.march_run.line_ids.filtered(
            lambda line: line.account_id == self.account2 and line.product_id == self.svc_water
        )
        self.assertEqual(water.amount, 150.85, "the estimate was billed: 5 m³ × 30,17")
        total2, count2 = self.invoice2.amount_total, len(self.invoice2.invoice_line_ids)
        total1 = self.invoice1.amount_total
        self.env["osmd.meter.reading"].create(
            {"meter_id": self.meter_late.id, "date": "2026-03-28", "value1": 8, "state": "confirmed"}
        )
        self.assertEqual(self.estimate.state, "replaced")

        recalculation = self._recalculate(reason="Late reading")
        self.assertEqual(recalculation.state, "computed")
        self.assertEqual(recalculation.period, PERIOD)
        # 8 m³ × 30,17 = 241,36 instead of 150,85; nothing else changed
        self.assertRecordValues(
            recalculation.line_ids,
            [
                {
                    "account_id": self.account2.id,
                    "partner_id": self.owners[2].id,
                    "product_id": self.svc_water.id,
                    "old_amount": 150.85,
                    "new_amount": 241.36,
                    "difference": 90.51,
                }
            ],
        )
        line = recalculation.line_ids
        self.assertTrue(line.explanation.startswith("Recalculation for 03.2026: Meter W-2"), line.explanation)
        self.assertTrue(
            line.explanation.endswith(" instead of Estimate: 5 × 30,17 UAH (difference +90,51)"), line.explanation
        )
        self.assertEqual(recalculation.amount_increase, 90.51)

        recalculation.action_post()
        self.assertEqual(recalculation.state, "posted")
        move = recalculation.move_ids
        self.assertRecordValues(
            move,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.owners[2].id,
                    "osmd_account_id": self.account2.id,
                    "osmd_period": APRIL,
                    "osmd_recalc_period": PERIOD,
                    "osmd_is_accrual": False,
                    "invoice_date": date(2026, 4, 15),
                    "amount_total": 90.51,
                    "amount_tax": 0.0,
                    "invoice_origin": self.invoice2.name,
                    "ref": "Recalculation for 03.2026",
                }
            ],
        )
        self.assertEqual(move.invoice_line_ids.name, f"Холодна вода: {line.explanation}")
        self.assertEqual(line.move_id, move)
        # posted entries are never modified
        self._assert_untouched(self.invoice2, total2, count2)
        self.assertEqual(self.invoice1.amount_total, total1)
        with self.assertRaisesMsg(UserError, "posted recalculation"):
            recalculation.unlink()

        # a second recalculation counts the first one: nothing is issued twice
        again = self._recalculate()
        self.assertFalse(again.line_ids)

    def test_tariff_correction_downward_issues_credit_note(self):
        total1, count1 = self.invoice1.amount_total, len(self.invoice1.invoice_line_ids)
        total2 = self.invoice2.amount_total
        # the March tariff of maintenance was wrong: 8,00 instead of 8,50
        tariff = self.tariffs.filtered(lambda t: t.product_id == self.svc_maint)
        tariff.date_end = "2026-02-28"
        self.env["osmd.tariff"].create(
            {
                "company_id": self.company_a.id,
                "product_id": self.svc_maint.id,
                "price": 8.00,
                "date_start": "2026-03-01",
            }
        )
        # only account 1 is recalculated this time
        recalculation = self._recalculate(account_ids=self._set(self.account1))
        # 52,30 m² × 8,00 = 418,40 instead of 444,55
        self.assertRecordValues(
            recalculation.line_ids,
            [
                {
                    "account_id": self.account1.id,
                    "product_id": self.svc_maint.id,
                    "old_amount": 444.55,
                    "new_amount": 418.40,
                    "difference": -26.15,
                }
            ],
        )
        self.assertEqual(
            recalculation.line_ids.explanation,
            "Recalculation for 03.2026: 52,30 m² × 8,00 UAH instead of 52,30 m² × 8,50 UAH (difference −26,15)",
        )
        recalculation.action_post()
        refund = recalculation.move_ids
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "partner_id": self.owners[0].id,
                    "osmd_account_id": self.account1.id,
                    "osmd_recalc_period": PERIOD,
                    "amount_total": 26.15,
                }
            ],
        )
        self.assertEqual(recalculation.amount_decrease, 26.15)
        self._assert_untouched(self.invoice1, total1, count1)
        self.assertEqual(self.invoice2.amount_total, total2)
        # account 2 is still to be recalculated: its difference is found now, account 1's is not again
        rest = self._recalculate()
        self.assertEqual(rest.line_ids.account_id, self.account2)
        self.assertEqual(rest.line_ids.difference, -35.58)  # 71,15 × 8,00 = 569,20 instead of 604,78

    def test_benefit_added_later_and_increase_in_one_recalculation(self):
        self.env["osmd.benefit"].create(
            {
                "company_id": self.company_a.id,
                "account_id": self.account1.id,
                "product_id": self.svc_garbage.id,
                "percent": 50,
                "date_start": "2026-01-01",
            }
        )
        self.env["osmd.meter.reading"].create(
            {"meter_id": self.meter_late.id, "date": "2026-03-28", "value1": 8, "state": "confirmed"}
        )
        recalculation = self._recalculate()
        self.assertEqual(
            {(line.account_id, line.product_id): line.difference for line in recalculation.line_ids},
            {(self.account1, self.svc_garbage): -45.0, (self.account2, self.svc_water): 90.51},
        )
        recalculation.action_post()
        self.assertEqual(
            sorted(recalculation.move_ids.mapped(lambda m: (m.osmd_account_id.number, m.move_type, m.amount_total))),
            sorted([(self.account1.number, "out_refund", 45.0), (self.account2.number, "out_invoice", 90.51)]),
        )

    def test_nothing_changed_nothing_posted(self):
        total1, total2 = self.invoice1.amount_total, self.invoice2.amount_total
        recalculation = self._recalculate()
        self.assertFalse(recalculation.line_ids)
        recalculation.action_post()
        self.assertEqual(recalculation.state, "posted")
        self.assertFalse(recalculation.move_ids)
        self.assertFalse(self.env["account.move"].search([("osmd_recalc_period", "!=", False)]))
        self.assertEqual((self.invoice1.amount_total, self.invoice2.amount_total), (total1, total2))

    def test_unbilled_period_refused(self):
        with self.assertRaisesMsg(UserError, "no posted accrual invoice"):
            self._recalculate(period=APRIL)
        recalculation = self.env["osmd.recalculation"].create({"company_id": self.company_a.id, "period": PERIOD})
        with self.assertRaisesMsg(UserError, "Compute the recalculation"):
            recalculation.action_post()
        self.assertFalse(self.env["account.move"].search([("osmd_recalculation_id", "!=", False)]))
