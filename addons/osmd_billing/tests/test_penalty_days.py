"""Penalties count only the days of delay that have passed, each on that day's debt, never twice (issue 16).

Association B: one service of 1 000.00 a month per account, paid by the 20th of the following month, penalty
0.01 % a day. The runs are computed on the days given (freezegun), as an accountant would run them.
"""

from datetime import date
from decimal import Decimal
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon

from ..tools.formatting import fmt_number

SEP, OCT, NOV, DEC, JAN = (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1))


@tagged("post_install", "-at_install", "osmd")
class TestPenaltyDays(OsmdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_b
        cls.env["account.chart.template"].try_loading("ua_psbo", company, install_demo=False)
        company.write({"osmd_penalty_enabled": True, "osmd_penalty_deadline_day": 20})
        cls.building = cls.data_b["building"]
        cls.account, cls.other = cls.data_b["accounts"]
        cls.service = cls.env["product.product"].create(
            {"name": "Внесок на утримання", "osmd_basis": "fixed", "company_id": company.id}
        )
        cls.env["osmd.tariff"].create(
            {"company_id": company.id, "product_id": cls.service.id, "price": 1000.0, "date_start": "2025-01-01"}
        )
        cls.env["osmd.subscription"].create(
            {
                "company_id": company.id,
                "building_id": cls.building.id,
                "product_id": cls.service.id,
                "date_start": "2025-01-01",
            }
        )
        cls.bank = cls.env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
        # the September run, computed and posted after the month
        cls.sep = cls._billing(SEP, date(2026, 10, 2))

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    @classmethod
    def _billing(cls, period, computed_on, post=True):
        """The run of ``period`` computed (and posted) on ``computed_on``."""
        with freeze_time(computed_on):
            run = cls.env["osmd.billing.run"].create({"company_id": cls.company_b.id, "period": period})
            run.action_compute()
            if post:
                run.action_post()
        return run

    def _invoice(self, run, account=None):
        return run.move_ids.filtered(lambda m: m.osmd_account_id == (account or self.account))

    def _pay(self, invoice, amount, value_date):
        self.env["account.payment.register"].with_company(self.company_b).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": value_date, "journal_id": self.bank.id})._create_payments()

    def _penalty(self, run, account=None, sequence=40):
        """Amount of the account's penalty line (sequence 40) or penalty correction line (41) in ``run``."""
        lines = run.line_ids.filtered(
            lambda line: (
                line.account_id == (account or self.account) and line.kind == "penalty" and line.sequence == sequence
            )
        )
        return round(sum(lines.mapped("amount")), 2)

    def _charges(self, run, invoice, kind="days"):
        return run.line_ids.penalty_charge_ids.filtered(lambda c: c.invoice_id == invoice and c.kind == kind)

    # ------------------------------------------------------------
    # the accountant's case of the issue
    # ------------------------------------------------------------

    def test_runs_charge_only_days_that_passed(self):
        """1 000.00 a month unpaid; runs of 10 and 11 posted on time; the December run computed on 04.12."""
        october = self._billing(OCT, date(2026, 11, 2))
        # September invoice due Tuesday 20.10: from 21.10 to 31.10, 11 days
        self.assertEqual(self._penalty(october), 1.10)
        november = self._billing(NOV, date(2026, 12, 1))
        # 30 days of November on September, 23.11–30.11 on October (due Friday 20.11): 3.00 + 0.80
        self.assertEqual(self._penalty(november), 3.80)
        inv_sep, inv_oct, inv_nov = self._invoice(self.sep), self._invoice(october), self._invoice(november)
        self.assertEqual(inv_sep.osmd_penalty_charged_to, date(2026, 11, 30))
        self.assertEqual(inv_oct.osmd_penalty_charged_to, date(2026, 11, 30))
        self.assertFalse(inv_nov.osmd_penalty_charged_to)

        december = self._billing(DEC, date(2026, 12, 4))
        # the days of delay that have passed: 01.12–03.12 on September and October; November is due on 20.12
        self.assertEqual(self._penalty(december), 0.60)
        self.assertLessEqual(self._penalty(december), 0.80)
        self.assertRecordValues(
            self._charges(december, inv_sep) | self._charges(december, inv_oct),
            [
                {"date_from": date(2026, 12, 1), "date_to": date(2026, 12, 3), "days": 3, "amount": 0.30},
                {"date_from": date(2026, 12, 1), "date_to": date(2026, 12, 3), "days": 3, "amount": 0.30},
            ],
        )
        self.assertFalse(self._charges(december, inv_nov))
        self.assertRecordValues(
            december,
            [{"date_computed": date(2026, 12, 4), "penalty_date_to": date(2026, 12, 3), "penalty_early": True}],
        )
        self.assertFalse(november.penalty_early)
        line = december.line_ids.filtered(lambda x: x.account_id == self.account and x.kind == "penalty")
        amount = fmt_number(Decimal("1000"), 2)
        self.assertEqual(
            line.explanation,
            f"Invoice 09.2026: {amount} × 0,01 % × 3 days (01.12–03.12) = 0,30; "
            f"Invoice 10.2026: {amount} × 0,01 % × 3 days (01.12–03.12) = 0,30",
        )
        # the December invoice carries its penalty, which is never charged a penalty itself
        inv_dec = self._invoice(december)
        self.assertEqual(inv_dec.amount_total, 1000.60)

        # the January run (computed on 04.01) picks up the rest of December and 01.01–03.01
        january = self._billing(JAN, date(2027, 1, 4))
        self.assertRecordValues(
            self._charges(january, inv_sep) | self._charges(january, inv_oct) | self._charges(january, inv_nov),
            [
                {"date_from": date(2026, 12, 4), "date_to": date(2027, 1, 3), "days": 31, "amount": 3.10},
                {"date_from": date(2026, 12, 4), "date_to": date(2027, 1, 3), "days": 31, "amount": 3.10},
                # November due Sunday 20.12: from Monday 21.12
                {"date_from": date(2026, 12, 21), "date_to": date(2027, 1, 3), "days": 14, "amount": 1.40},
            ],
        )
        self.assertFalse(self._charges(january, inv_dec), "due on 20.01.2027")
        self.assertEqual(self._penalty(january), 7.60)
        # every day of delay of the September invoice was charged exactly once, from 21.10.2026 to 03.01.2027
        charges = self.env["osmd.penalty.charge"].search([("invoice_id", "=", inv_sep.id)], order="date_from")
        days = sum(charges.mapped("days"))
        self.assertEqual(days, (date(2027, 1, 3) - date(2026, 10, 21)).days + 1)
        for before, after in zip(charges, charges[1:], strict=False):
            self.assertEqual((after.date_from - before.date_to).days, 1, "no gap, no overlap")
        self.assertFalse(self._penalty(january, sequence=41), "nothing to correct")

    def test_recompute_gives_the_same_result(self):
        october = self._billing(OCT, date(2026, 11, 2))
        november = self._billing(NOV, date(2026, 11, 20), post=False)
        before = [(c.invoice_id, c.date_from, c.date_to, c.amount) for c in november.line_ids.penalty_charge_ids]
        with freeze_time(date(2026, 11, 20)):
            november.action_compute()
        after = [(c.invoice_id, c.date_from, c.date_to, c.amount) for c in november.line_ids.penalty_charge_ids]
        self.assertEqual(before, after)
        # computed on 20.11: the September invoice 01.11–19.11; October is due on 20.11
        self.assertEqual(self._penalty(november), 1.90)
        self.assertFalse(self._charges(november, self._invoice(october)))

    def test_skipped_month(self):
        october = self._billing(OCT, date(2026, 11, 2))
        # no November run: the December run computed on 04.12 charges every day not charged yet
        december = self._billing(DEC, date(2026, 12, 4))
        inv_sep, inv_oct = self._invoice(self.sep), self._invoice(october)
        self.assertRecordValues(
            self._charges(december, inv_sep) | self._charges(december, inv_oct),
            [
                {"date_from": date(2026, 11, 1), "date_to": date(2026, 12, 3), "days": 33, "amount": 3.30},
                {"date_from": date(2026, 11, 23), "date_to": date(2026, 12, 3), "days": 11, "amount": 1.10},
            ],
        )
        self.assertIn("11 days (23.11–03.12) = 1,10", self._charges(december, inv_oct).explanation)

    def test_payment_in_the_middle_of_a_month(self):
        self._billing(OCT, date(2026, 11, 2))
        inv_sep = self._invoice(self.sep)
        # 600.00 paid on 10.11: 01.11–09.11 on 1 000.00, 10.11–30.11 on 400.00
        self._pay(inv_sep, 600, date(2026, 11, 10))
        november = self._billing(NOV, date(2026, 12, 1))
        charge = self._charges(november, inv_sep)
        self.assertRecordValues(
            charge, [{"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30), "days": 30, "amount": 1.74}]
        )
        self.assertEqual(
            charge.explanation,
            f"Invoice 09.2026: {fmt_number(Decimal(1000), 2)} × 0,01 % × 9 days (01.11–09.11) = 0,90; "
            "Invoice 09.2026: 400,00 × 0,01 % × 21 days (10.11–30.11) = 0,84",
        )
        self.assertFalse(self._charges(november, inv_sep, "correction"), "paid before it was charged")

    def test_payment_booked_late_is_corrected_by_the_next_run(self):
        october = self._billing(OCT, date(2026, 11, 2))
        november = self._billing(NOV, date(2026, 12, 1))
        inv_sep = self._invoice(self.sep)
        self.assertEqual(self._charges(november, inv_sep).amount, 3.00)
        posted_before = november.move_ids.mapped(lambda m: (m.id, m.amount_total, m.state))
        # the bank statement with a payment of 10.11 is imported after the November run: the September invoice
        # was paid in full, the days 10.11–30.11 should not have been charged
        self._pay(inv_sep, 1000, date(2026, 11, 10))
        self.assertEqual(inv_sep.amount_residual, 0)
        december = self._billing(DEC, date(2026, 12, 4))
        correction = self._charges(december, inv_sep, "correction")
        # 21.10–31.10 (1.10) and 01.11–09.11 (0.90) stay: 2.00 instead of 4.10
        self.assertRecordValues(correction, [{"amount": -2.10}])
        self.assertEqual(
            correction.explanation,
            "Invoice 09.2026, days 21.10–30.11 charged before: 2,00 instead of 4,10 "
            "(payments dated 10.11.2026 booked after the charge)",
        )
        self.assertFalse(self._charges(december, inv_sep), "no new day: the invoice is paid")
        self.assertEqual(self._penalty(december, sequence=41), -2.10)
        # the correction is a line of the December invoice; the posted November invoices are untouched
        inv_dec = self._invoice(december)
        line = inv_dec.invoice_line_ids.filtered(lambda x: x.price_subtotal == -2.10)
        self.assertIn("2,00 instead of 4,10", line.name)
        self.assertEqual(november.move_ids.mapped(lambda m: (m.id, m.amount_total, m.state)), posted_before)
        # the next run does not correct it again
        january = self._billing(JAN, date(2027, 1, 4))
        self.assertFalse(self._charges(january, inv_sep, "correction"))
        self.assertTrue(october)

    def test_cap_reached_over_several_runs(self):
        self.company_b.write(
            {
                "osmd_penalty_override": True,
                "osmd_penalty_override_reason": "Court decision 16/2026 (test)",
                "osmd_penalty_rate": 2.0,
                "osmd_penalty_cap_percent": 50.0,
            }
        )
        october = self._billing(OCT, date(2026, 11, 2))
        inv_sep = self._invoice(self.sep)
        # 11 days × 2 % of 1 000.00 = 220.00
        self.assertEqual(self._charges(october, inv_sep).amount, 220.00)
        november = self._billing(NOV, date(2026, 12, 1))
        charge = self._charges(november, inv_sep)
        # 30 days would be 600.00: 500.00 (50 %) − 220.00 = 280.00
        self.assertEqual(charge.amount, 280.00)
        self.assertIn("(limited to 50 % of the debt)", charge.explanation)
        december = self._billing(DEC, date(2026, 12, 4))
        self.assertFalse(self._charges(december, inv_sep), "the cap is reached")
        self.assertFalse(self._charges(december, inv_sep, "correction"))
        total = sum(self.env["osmd.penalty.charge"].search([("invoice_id", "=", inv_sep.id)]).mapped("amount"))
        self.assertEqual(round(total, 2), 500.00)

    def test_suspension_spanning_two_periods(self):
        self.env["osmd.penalty.suspension"].create(
            {
                "name": "Мораторій",
                "company_id": self.company_b.id,
                "date_start": "2026-11-25",
                "date_end": "2026-12-05",
                "building_ids": [(6, 0, self.building.ids)],
            }
        )
        october = self._billing(OCT, date(2026, 11, 2))
        november = self._billing(NOV, date(2026, 12, 1))
        inv_sep, inv_oct = self._invoice(self.sep), self._invoice(october)
        self.assertRecordValues(
            self._charges(november, inv_sep) | self._charges(november, inv_oct),
            [
                {"days": 24, "amount": 2.40, "date_to": date(2026, 11, 30)},
                {"days": 2, "amount": 0.20, "date_to": date(2026, 11, 30)},
            ],
        )
        self.assertIn("no penalty 25.11–30.11: Мораторій", self._charges(november, inv_sep).explanation)
        december = self._billing(DEC, date(2026, 12, 10))
        # 01.12–05.12 suspended: 06.12–09.12
        self.assertRecordValues(
            self._charges(december, inv_sep) | self._charges(december, inv_oct),
            [{"days": 4, "amount": 0.40}, {"days": 4, "amount": 0.40}],
        )
        self.assertFalse(self._penalty(december, sequence=41))

    def test_suspension_entered_late_is_corrected(self):
        self._billing(OCT, date(2026, 11, 2))
        november = self._billing(NOV, date(2026, 12, 1))
        inv_sep = self._invoice(self.sep)
        self.assertEqual(self._charges(november, inv_sep).amount, 3.00)
        # the state owed the holder a subsidy from 01.11: exempt since then
        self.account.write(
            {
                "osmd_penalty_exempt": True,
                "osmd_penalty_exempt_reason": "subsidy",
                "osmd_penalty_exempt_since": "2026-11-01",
            }
        )
        december = self._billing(DEC, date(2026, 12, 4))
        self.assertEqual(self._penalty(december), 0, "exempt")
        self.assertEqual(self._charges(december, inv_sep, "correction").amount, -3.00)
        # the other account pays its penalty as before
        self.assertEqual(self._penalty(december, self.other), 0.60)
        # the exemption ends on 10.12: the days of the exemption stay without penalty
        with freeze_time(date(2026, 12, 11)):
            self.account.osmd_penalty_exempt = False
        suspension = self.env["osmd.penalty.suspension"].search([("account_ids", "in", self.account.ids)])
        self.assertRecordValues(
            suspension, [{"date_start": date(2026, 11, 1), "date_end": date(2026, 12, 10), "is_exemption": True}]
        )
        january = self._billing(JAN, date(2027, 1, 4))
        # 11.12–03.01: 24 days on September and October, 21.12–03.01 on November
        self.assertRecordValues(
            self._charges(january, inv_sep), [{"date_from": date(2026, 12, 1), "days": 24, "amount": 2.40}]
        )

    def test_draft_run_is_not_counted_and_stale_run_not_posted(self):
        """A computed run's penalties are a proposal until posted: a later run charges the same days only if
        it is posted first, and then the earlier run must be computed again."""
        self._billing(OCT, date(2026, 11, 2))
        november = self._billing(NOV, date(2026, 12, 1), post=False)
        inv_sep = self._invoice(self.sep)
        december = self._billing(DEC, date(2026, 12, 4))
        # November not posted: December counts the September invoice from 01.11
        self.assertRecordValues(
            self._charges(december, inv_sep), [{"date_from": date(2026, 11, 1), "date_to": date(2026, 12, 3)}]
        )
        with self.assertRaisesRegex(UserError, "compute it again before posting"):
            november.action_post()
        with freeze_time(date(2026, 12, 5)):
            november.action_compute()
        # nothing left to charge on September for November; October's days 23.11–30.11 were charged by December
        self.assertFalse(self._charges(november, inv_sep))
        self.assertFalse(november.line_ids.filtered(lambda line: line.kind == "penalty"))
        november.action_post()
        self.assertEqual(november.state, "posted")

    def test_other_association_cannot_exempt_or_read(self):
        """A hostile accountant of association A cannot suspend B's penalties nor read B's charges."""
        self._billing(OCT, date(2026, 11, 2))
        hostile = self.users_a["accountant"]
        Suspension = self.env["osmd.penalty.suspension"].with_user(hostile)
        with self.assertRaisesRegex(UserError, "(?i)compan|association"), self.env.cr.savepoint():
            Suspension.create(
                {
                    "name": "Ha",
                    "company_id": self.company_a.id,
                    "date_start": "2026-01-01",
                    "account_ids": [(6, 0, self.account.ids)],
                }
            )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Suspension.create({"name": "Ha", "company_id": self.company_b.id, "date_start": "2026-01-01"})
        self.assertFalse(
            self.env["osmd.penalty.charge"].with_user(hostile).search([("company_id", "=", self.company_b.id)])
        )
        with self.assertRaises(AccessError):
            self.account.with_user(hostile).write({"osmd_penalty_exempt": True, "osmd_penalty_exempt_reason": "other"})
        self.assertFalse(self.account.osmd_penalty_exempt)

    def test_charges_written_in_bulk_as_create_would(self):
        """A run writes its charges with one COPY, not create(): the rows are the ones create() writes."""
        skip = ("id", "line_id", "display_name", "create_date", "write_date")
        Charge = type(self.env["osmd.penalty.charge"])

        def rows(run):
            run.invalidate_recordset()
            charges = run.line_ids.penalty_charge_ids.sorted(lambda c: (c.account_id.id, c.invoice_id.id))
            return [{k: v for k, v in row.items() if k not in skip} for row in charges.read(load=None)]

        october = self.env["osmd.billing.run"].create({"company_id": self.company_b.id, "period": OCT})
        with (
            patch.object(Charge, "_create_for_lines_in_bulk", lambda self, run, vals_list: self.create(vals_list)),
            freeze_time(date(2026, 11, 2)),
        ):
            october.action_compute()
        reference = rows(october)
        with (
            patch.object(Charge, "create", side_effect=AssertionError("create() used")),
            freeze_time(date(2026, 11, 2)),
        ):
            october.action_compute()
        self.assertEqual(rows(october), reference)
        self.assertEqual(len(reference), 2)
        self.assertEqual(october.line_ids.penalty_charge_ids.line_id.account_id, self.account | self.other)

    def test_two_runs_in_one_month(self):
        """The December run computed on 04.12, then January's prepared on 20.12: the second counts 04.12–19.12."""
        self._billing(OCT, date(2026, 11, 2))
        self._billing(NOV, date(2026, 12, 1))
        inv_sep = self._invoice(self.sep)
        self._billing(DEC, date(2026, 12, 4))
        january = self._billing(JAN, date(2026, 12, 20))
        self.assertRecordValues(
            self._charges(january, inv_sep),
            [{"date_from": date(2026, 12, 4), "date_to": date(2026, 12, 19), "days": 16, "amount": 1.60}],
        )
        self.assertTrue(january.penalty_early)
        self.assertEqual(inv_sep.osmd_penalty_charged_to, date(2026, 12, 19))
