from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from .common import PERIOD, BillingCommon

DEADLINE = date(2026, 4, 20)  # day 20 of the month after PERIOD (03.2026)


@tagged("post_install", "-at_install", "osmd")
class TestDueDates(BillingCommon):
    """Accrual and recalculation invoices are due by the association's payment deadline: day N of the
    month after the period, on both posting paths; debts and their aging count from it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.osmd_penalty_deadline_day = 20

    def _compute(self):
        run = self._create_run().with_user(self.accountant)
        run.action_compute()
        return run

    def _receivables(self, moves):
        return moves.line_ids.filtered(lambda line: line.display_type == "payment_term")

    def test_payment_deadline_of_the_association(self):
        company = self.company_a
        self.assertEqual(company._osmd_payment_deadline(date(2026, 9, 1)), date(2026, 10, 20))
        self.assertEqual(company._osmd_payment_deadline(date(2026, 9, 17)), date(2026, 10, 20))
        company.osmd_penalty_deadline_day = 31
        # the last day of a shorter month, February included
        self.assertEqual(company._osmd_payment_deadline(date(2026, 8, 1)), date(2026, 9, 30))
        self.assertEqual(company._osmd_payment_deadline(date(2026, 1, 1)), date(2026, 2, 28))
        self.assertEqual(company._osmd_payment_deadline(date(2027, 12, 1)), date(2028, 1, 31))
        company.osmd_penalty_deadline_day = 30
        self.assertEqual(company._osmd_payment_deadline(date(2028, 1, 1)), date(2028, 2, 29))

    def test_run_invoices_due_by_the_deadline(self):
        """Standard path: the run's invoices are due on 20.04.2026, their receivable items mature then."""
        run = self._compute()
        run.action_post()
        self.assertEqual(len(run.move_ids), 2)
        self.assertEqual(set(run.move_ids.mapped("invoice_date_due")), {DEADLINE})
        self.assertEqual(set(self._receivables(run.move_ids).mapped("date_maturity")), {DEADLINE})

    def test_last_day_when_the_month_is_shorter(self):
        self.company_a.osmd_penalty_deadline_day = 31
        run = self._compute()
        run.action_post()
        self.assertEqual(set(run.move_ids.mapped("invoice_date_due")), {date(2026, 4, 30)})

    def test_bulk_path_due_by_the_deadline(self):
        """The bulk path writes the same due date and maturity as Odoo for the deadline given."""
        run = self._compute()
        Move = type(self.env["account.move"])
        original, seen = Move._osmd_bulk_insert, []

        def spy(model, reference, bulk_vals, plan):
            seen.extend(bulk_vals)
            return original(model, reference, bulk_vals, plan)

        lines = run.line_ids.filtered(lambda line: line.account_id == self.account1).read(
            ["account_id", "partner_id", "product_id", "explanation", "invoice_quantity", "invoice_price_unit"],
            load=None,
        )
        vals = run._prepare_invoice_vals(self.account1, lines)
        # the same invoice four times (not as the accrual of the period: it is billed once)
        vals_list = [{**vals, "osmd_is_accrual": False, "osmd_billing_run_id": False} for _i in range(4)]
        with patch.object(Move, "_osmd_bulk_insert", autospec=True, side_effect=spy):
            moves = self.env["account.move"].with_company(self.company_a)._osmd_create_posted_invoices(vals_list)
        self.assertEqual(len(seen), 3, "every invoice but the reference takes the bulk path")
        moves.invalidate_recordset()
        self.assertEqual(moves.mapped("invoice_date_due"), [DEADLINE] * 4)
        self.assertEqual(self._receivables(moves).mapped("date_maturity"), [DEADLINE] * 4)

    def test_recalculation_invoice_due_by_the_deadline(self):
        run = self._compute()
        run.action_post()
        # the area was entered wrongly: one account pays more, the other less
        self.premises[0].total_area += 10
        self.premises[1].total_area -= 10
        recalculation = (
            self.env["osmd.recalculation"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "period": PERIOD, "date": "2026-05-12", "reason": "Area"})
        )
        recalculation.action_compute()
        recalculation.action_post()
        moves = recalculation.line_ids.move_id
        self.assertEqual(sorted(moves.mapped("move_type")), ["out_invoice", "out_refund"])
        # posted in May: due by the deadline after May, as May's accruals
        self.assertEqual(set(moves.mapped("invoice_date_due")), {date(2026, 6, 20)})
        self.assertEqual(set(self._receivables(moves).mapped("date_maturity")), {date(2026, 6, 20)})

    def test_debts_overdue_from_the_deadline(self):
        run = self._compute()
        run.action_post()
        total = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account1).amount_total

        def aged(day):
            return self.account1.with_user(self.accountant).with_context(date=day.isoformat())

        on_deadline = aged(DEADLINE)
        self.assertRecordValues(
            on_deadline, [{"balance": total, "overdue_amount": 0.0, "debt_0_30": total, "oldest_due_date": DEADLINE}]
        )
        self.assertEqual(on_deadline._get_open_debt_lines()[0]["days_overdue"], 0)
        later = aged(date(2026, 5, 31))
        self.assertRecordValues(later, [{"overdue_amount": total, "debt_0_30": 0.0, "debt_31_90": total}])
        self.assertEqual(later._get_open_debt_lines()[0]["days_overdue"], 41)

    def test_correct_due_dates_of_posted_invoices(self):
        """An accrual invoice posted with the posting day as due date gets the deadline: only the dates
        change, the invoice says so in its chatter."""
        run = self._compute()
        with patch.object(type(self.company_a), "_osmd_payment_deadline", lambda company, period: date(2026, 3, 31)):
            run.action_post()
        moves = run.move_ids
        self.assertEqual(set(moves.mapped("invoice_date_due")), {date(2026, 3, 31)})
        before = {line.id: (line.account_id, line.balance, line.amount_residual) for line in moves.line_ids}
        totals = moves.mapped("amount_total")
        corrected = self.company_a._osmd_correct_due_dates()
        self.assertEqual(corrected, moves)
        moves.invalidate_recordset()
        self.assertEqual(set(moves.mapped("invoice_date_due")), {DEADLINE})
        self.assertEqual(set(self._receivables(moves).mapped("date_maturity")), {DEADLINE})
        self.assertEqual(moves.mapped("state"), ["posted", "posted"])
        self.assertEqual(moves.mapped("amount_total"), totals)
        self.assertEqual(
            {line.id: (line.account_id, line.balance, line.amount_residual) for line in moves.line_ids}, before
        )
        for move in moves:
            self.assertIn("31.03.2026", move.message_ids[0].body)
            self.assertIn("20.04.2026", move.message_ids[0].body)
        # done once: nothing left to correct
        self.assertFalse(self.company_a._osmd_correct_due_dates())
