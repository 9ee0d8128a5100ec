"""Penalties (пеня) on overdue accrual invoices: configuration per association, suspension periods,
exempt accounts, and the penalty line of the monthly billing run.

The arithmetic is in tools/penalty.py; here the records are read in batch and turned into one
"Penalty" line per personal account, with one charge per overdue invoice remembered so that the
cumulative cap holds across months.
"""

import calendar
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools.formatting import fmt_number
from ..tools.penalty import penalty_for_debt
from .osmd_billing_run import CENT, to_decimal

EXEMPT_REASONS = [
    ("benefit", "State benefit arrears"),
    ("subsidy", "Subsidy arrears"),
    ("wages", "Unpaid wages"),
    ("other", "Other"),
]


def payment_deadline(period, day):
    """Deadline of the invoice of ``period``: day ``day`` of the next month (its last day at most)."""
    following = period.replace(day=1) + relativedelta(months=1)
    return following.replace(day=min(day, calendar.monthrange(following.year, following.month)[1]))


class ResCompany(models.Model):
    _inherit = "res.company"

    osmd_penalty_enabled = fields.Boolean(
        string="Charge penalties",
        help="Charge a penalty on overdue accrual invoices in every billing run of the association.",
    )
    osmd_penalty_rate = fields.Float(
        string="Penalty per day (%)",
        digits=(16, 4),
        default=0.01,
        help="Percent of the debt per day of delay (the law allows at most 0.01 %).",
    )
    osmd_penalty_deadline_day = fields.Integer(
        string="Payment deadline day",
        default=20,
        help="Day of the month after the billed month by which the invoice is to be paid; the penalty "
        "starts on the first business day after it.",
    )
    osmd_penalty_cap_percent = fields.Float(
        string="Penalty cap (% of the debt)",
        digits=(16, 2),
        default=100.0,
        help="The penalties charged on one invoice never exceed this percent of its debt.",
    )

    _osmd_penalty_values_valid = models.Constraint(
        "CHECK(COALESCE(osmd_penalty_rate, 0) >= 0 AND COALESCE(osmd_penalty_cap_percent, 0) >= 0 "
        "AND (osmd_penalty_deadline_day IS NULL OR osmd_penalty_deadline_day BETWEEN 1 AND 31))",
        "The penalty rate and cap cannot be negative and the deadline day is between 1 and 31.",
    )


class OsmdAccount(models.Model):
    _inherit = "osmd.account"

    osmd_penalty_exempt = fields.Boolean(
        string="Exempt from penalties",
        tracking=True,
        help="No penalty is charged on this account, e.g. while the state owes the holder benefits or subsidies.",
    )
    osmd_penalty_exempt_reason = fields.Selection(EXEMPT_REASONS, string="Exemption reason", tracking=True)

    @api.constrains("osmd_penalty_exempt", "osmd_penalty_exempt_reason")
    def _check_osmd_penalty_exempt_reason(self):
        if self.filtered(lambda a: a.osmd_penalty_exempt and not a.osmd_penalty_exempt_reason):
            raise ValidationError(self.env._("Give the reason why the personal account is exempt from penalties."))


class ProductTemplate(models.Model):
    _inherit = "product.template"

    osmd_basis = fields.Selection(
        selection_add=[("penalty", "Penalty on overdue debt")], ondelete={"penalty": "set null"}
    )


class OsmdPenaltySuspension(models.Model):
    """A period without penalties, e.g. the martial-law moratorium from 05.03.2022."""

    _name = "osmd.penalty.suspension"
    _description = "Penalty suspension"
    _order = "company_id, date_start desc, id"
    _check_company_auto = True

    name = fields.Char(required=True, help="Decision or law that suspends the penalties.")
    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    date_start = fields.Date(required=True)
    date_end = fields.Date(help="Last day without penalties; empty: until further notice.")
    building_ids = fields.Many2many(
        "osmd.building", string="Buildings", check_company=True, help="Empty: every building of the association."
    )

    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "A suspension cannot end before it starts."
    )


class OsmdPenaltyCharge(models.Model):
    """The penalty charged on one overdue invoice by one billing run (the run's penalty line sums them)."""

    _name = "osmd.penalty.charge"
    _description = "Penalty charge"
    _order = "period, invoice_id, id"

    line_id = fields.Many2one("osmd.billing.line", string="Accrual line", required=True, index=True, ondelete="cascade")
    run_id = fields.Many2one(related="line_id.run_id", store=True, index=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True, index=True)
    period = fields.Date(related="line_id.period", store=True)
    account_id = fields.Many2one(related="line_id.account_id", store=True, index=True)
    invoice_id = fields.Many2one(
        "account.move", string="Overdue invoice", required=True, index=True, ondelete="restrict"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    debt = fields.Monetary(help="Unpaid amount of the invoice the penalty is computed on.")
    days = fields.Integer(help="Days of delay charged in the period.")
    amount = fields.Monetary()
    explanation = fields.Char()


class OsmdBillingLine(models.Model):
    _inherit = "osmd.billing.line"

    kind = fields.Selection(selection_add=[("penalty", "Penalty")], ondelete={"penalty": "cascade"})
    penalty_charge_ids = fields.One2many("osmd.penalty.charge", "line_id", string="Penalty per invoice")


class OsmdBillingRun(models.Model):
    _inherit = "osmd.billing.run"

    def _collect_penalty_data(self, data):
        """Overdue invoices of the run's accounts, penalties already charged on them, suspensions:
        a fixed number of queries for any number of accounts; None when no penalty is charged."""
        company = self.company_id
        product = self.env.ref("osmd_billing.product_osmd_penalty", raise_if_not_found=False)
        accounts = data["account_records"]
        if not company.osmd_penalty_enabled or not product or not accounts:
            return None
        first, last = data["first"], data["last"]
        invoices = self.env["account.move"].search_fetch(
            Domain("company_id", "=", company.id)
            & Domain("osmd_account_id", "in", accounts.ids)
            & Domain("osmd_account_id.osmd_penalty_exempt", "=", False)
            & Domain("move_type", "=", "out_invoice")
            & Domain("state", "=", "posted")
            & Domain("osmd_is_accrual", "=", True)
            & Domain("osmd_period", "<", first)
            & Domain("amount_residual", ">", 0),
            ["osmd_account_id", "osmd_period", "amount_residual", "amount_total"],
            order="osmd_period, id",
        )
        if not invoices:
            return None
        charge_domain = Domain("invoice_id", "in", invoices.ids) & Domain("run_id.state", "!=", "cancel")
        if self.id:
            charge_domain &= Domain("run_id", "!=", self.id)
        already = {
            invoice.id: to_decimal(amount)
            for invoice, amount in self.env["osmd.penalty.charge"]._read_group(
                charge_domain, ["invoice_id"], ["amount:sum"]
            )
        }
        # penalties are not charged on penalties: the penalty lines of an invoice are left out of its debt
        in_invoice = {
            move.id: to_decimal(amount)
            for move, amount in self.env["account.move.line"]._read_group(
                Domain("move_id", "in", invoices.ids)
                & Domain("product_id", "=", product.id)
                & Domain("display_type", "=", "product"),
                ["move_id"],
                ["price_subtotal:sum"],
            )
        }
        suspensions = self.env["osmd.penalty.suspension"].search(
            Domain("company_id", "=", company.id)
            & Domain("date_start", "<=", last)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", first))
        )
        by_account = defaultdict(list)
        for invoice in invoices:
            by_account[invoice.osmd_account_id.id].append(invoice)
        return {
            "product": product,
            "invoices": by_account,  # {account id: [overdue invoice]}
            "already": already,
            "in_invoice": in_invoice,
            "suspensions": [(s.date_start, s.date_end, set(s.building_ids.ids)) for s in suspensions],
            "rate": to_decimal(company.osmd_penalty_rate),
            "cap": to_decimal(company.osmd_penalty_cap_percent) / 100,
            "deadline_day": company.osmd_penalty_deadline_day or 20,
        }

    def _get_texts(self):
        """The wordings of the penalty line as well."""
        return {
            **super()._get_texts(),
            "penalty": self.env._("Invoice %(period)s: %(debt)s × %(rate)s %% × %(days)s days = %(amount)s"),
            "penalty_capped": self.env._("(limited to %(cap)s %% of the debt)"),
        }

    def _penalty_lines(self, account, holder, data, texts):
        """The penalty line of an account: the sum over its overdue invoices, explained per invoice."""
        penalty = data.get("penalty")
        invoices = penalty and penalty["invoices"].get(account.id)
        if not invoices:
            return []
        first, last = data["first"], data["last"]
        suspensions = [
            (start, end)
            for start, end, buildings in penalty["suspensions"]
            if not buildings or account.building_id in buildings
        ]
        total, explanations, charges = Decimal(0), [], []
        for invoice in invoices:
            debt = min(
                to_decimal(invoice.amount_residual),
                to_decimal(invoice.amount_total) - penalty["in_invoice"].get(invoice.id, Decimal(0)),
            )
            deadline = payment_deadline(invoice.osmd_period, penalty["deadline_day"])
            amount, days = penalty_for_debt(
                debt,
                deadline,
                first,
                last,
                penalty["rate"],
                already_charged=penalty["already"].get(invoice.id, Decimal(0)),
                cap_ratio=penalty["cap"],
                suspensions=suspensions,
            )
            if amount <= 0:
                continue
            text = texts["penalty"] % {
                "period": invoice.osmd_period.strftime("%m.%Y"),
                "debt": fmt_number(debt, 2),
                "rate": fmt_number(penalty["rate"]),
                "days": days,
                "amount": fmt_number(amount, 2),
            }
            full = (debt * penalty["rate"] / 100 * days).quantize(CENT)
            if amount < full:
                text += " " + texts["penalty_capped"] % {"cap": fmt_number(penalty["cap"] * 100)}
            explanations.append(text)
            total += amount
            charges.append(
                fields.Command.create(
                    {
                        "invoice_id": invoice.id,
                        "debt": float(debt),
                        "days": days,
                        "amount": float(amount),
                        "explanation": text,
                    }
                )
            )
        if not total:
            return []
        return [
            {
                "run_id": self.id,
                "account_id": account.id,
                "partner_id": holder.id if holder else False,
                "product_id": penalty["product"].id,
                "kind": "penalty",
                "sequence": 40,
                "date_start": first,
                "date_end": last,
                "quantity": 1.0,
                "price_unit": float(total),
                "amount": float(total),
                "invoice_quantity": 1.0,
                "invoice_price_unit": float(total),
                "explanation": "; ".join(explanations),
                "penalty_charge_ids": charges,
            }
        ]
