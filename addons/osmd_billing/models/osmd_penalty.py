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

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import split_every

from ..tools.formatting import fmt_number
from ..tools.penalty import penalty_for_debt
from .osmd_billing_run import CENT, to_decimal

EXEMPT_REASONS = [
    ("benefit", "State benefit arrears"),
    ("subsidy", "Subsidy arrears"),
    ("wages", "Unpaid wages"),
    ("other", "Other"),
]


DEFAULT_DEADLINE_DAY = 20


def payment_deadline(period, day):
    """Deadline of the invoice of ``period``: day ``day`` of the next month (its last day at most)."""
    following = period.replace(day=1) + relativedelta(months=1)
    return following.replace(day=min(day, calendar.monthrange(following.year, following.month)[1]))


# Law 2189-VIII "On housing and communal services", art. 26: at most 0.01 % of the debt per day of
# delay, and all penalties together at most 100 % of the debt.
LEGAL_MAX_RATE = Decimal("0.01")
LEGAL_MAX_CAP = Decimal(100)
PENALTY_FIELDS = {
    "osmd_penalty_enabled",
    "osmd_penalty_rate",
    "osmd_penalty_deadline_day",
    "osmd_penalty_cap_percent",
    "osmd_penalty_override",
    "osmd_penalty_override_reason",
}
OVERRIDE_FIELDS = {"osmd_penalty_override", "osmd_penalty_override_reason"}
OVERRIDE_AUTHOR_FIELDS = {"osmd_penalty_override_user_id", "osmd_penalty_override_date"}


class ResCompany(models.Model):
    _inherit = "res.company"

    osmd_penalty_enabled = fields.Boolean(
        string="Charge penalties",
        tracking=True,
        help="Charge a penalty on overdue accrual invoices in every billing run of the association.",
    )
    osmd_penalty_rate = fields.Float(
        string="Penalty per day (%)",
        digits=(16, 4),
        default=0.01,
        tracking=True,
        help="Percent of the debt per day of delay. The law (2189-VIII, art. 26) allows at most 0.01 %.",
    )
    osmd_penalty_deadline_day = fields.Integer(
        string="Payment deadline (day of the following month)",
        default=20,
        tracking=True,
        help="Day of the month after the billed month by which the invoice is to be paid: the due date of "
        'the accrual and recalculation invoices ("Pay by" on the receipt, debts and their aging, reminders) '
        "and the day after which penalties are charged. A change applies to the invoices posted afterwards; "
        "invoices already posted keep their due date.",
    )
    osmd_penalty_cap_percent = fields.Float(
        string="Penalty cap (% of the debt)",
        digits=(16, 2),
        default=100.0,
        tracking=True,
        help="The penalties charged on one invoice never exceed this percent of its debt. The law "
        "(2189-VIII, art. 26) allows at most 100 %.",
    )
    osmd_penalty_override = fields.Boolean(
        string="Limits set by a statute or court decision",
        tracking=True,
        copy=False,
        help="Only where a statute or a court decision sets other limits than law 2189-VIII, art. 26: the "
        "rate may then exceed 0.01 % a day and the cap 100 % of the debt. Set by the chairman, with the reason.",
    )
    osmd_penalty_override_reason = fields.Text(
        string="Legal ground of other limits",
        tracking=True,
        copy=False,
        help="The statute or court decision (number, date, article) that sets the penalty limits.",
    )
    osmd_penalty_override_user_id = fields.Many2one(
        "res.users", string="Other limits set by", readonly=True, copy=False, tracking=True
    )
    osmd_penalty_override_date = fields.Datetime(string="Other limits set on", readonly=True, copy=False)

    _osmd_penalty_values_valid = models.Constraint(
        "CHECK(COALESCE(osmd_penalty_rate, 0) >= 0 AND COALESCE(osmd_penalty_cap_percent, 0) >= 0 "
        "AND (osmd_penalty_deadline_day IS NULL OR osmd_penalty_deadline_day BETWEEN 1 AND 31))",
        "The penalty rate and cap cannot be negative and the deadline day is between 1 and 31.",
    )

    @api.constrains(
        "osmd_penalty_rate", "osmd_penalty_cap_percent", "osmd_penalty_override", "osmd_penalty_override_reason"
    )
    def _check_osmd_penalty_legal_limits(self):
        for company in self:
            if company.osmd_penalty_override:
                if not (company.osmd_penalty_override_reason or "").strip():
                    raise ValidationError(
                        self.env._(
                            "%(association)s: give the statute or court decision that sets other penalty limits.",
                            association=company.name,
                        )
                    )
                continue
            if to_decimal(company.osmd_penalty_rate) > LEGAL_MAX_RATE:
                raise ValidationError(
                    self.env._(
                        "%(association)s: a penalty of %(rate)s %% a day is above the legal limit of 0.01 %% "
                        "(law 2189-VIII, art. 26).",
                        association=company.name,
                        rate=fmt_number(to_decimal(company.osmd_penalty_rate)),
                    )
                )
            if to_decimal(company.osmd_penalty_cap_percent) > LEGAL_MAX_CAP:
                raise ValidationError(
                    self.env._(
                        "%(association)s: a penalty cap of %(cap)s %% of the debt is above the legal limit of "
                        "100 %% (law 2189-VIII, art. 26).",
                        association=company.name,
                        cap=fmt_number(to_decimal(company.osmd_penalty_cap_percent)),
                    )
                )

    def write(self, vals):
        # who set other limits, and when, is only ever written here
        vals = {key: value for key, value in vals.items() if key not in OVERRIDE_AUTHOR_FIELDS}
        if OVERRIDE_FIELDS & vals.keys():
            self._osmd_check_penalty_override_right()
            vals = {
                **vals,
                "osmd_penalty_override_user_id": self.env.uid,
                "osmd_penalty_override_date": fields.Datetime.now(),
            }
        if (
            vals
            and not self.env.su
            and PENALTY_FIELDS >= vals.keys() - OVERRIDE_AUTHOR_FIELDS
            and self._osmd_is_own_chairman()
        ):
            # the chairman sets the penalty terms of their association, nothing else of the company;
            # sudo keeps the user, so the tracking shows who changed what
            return super(ResCompany, self.sudo()).write(vals)
        return super().write(vals)

    def _osmd_payment_deadline(self, period):
        """Due date of the association's invoices of ``period`` (any day of the billed month): day N of
        the following month, N being the association's payment deadline day."""
        self.ensure_one()
        return payment_deadline(period, self.osmd_penalty_deadline_day or DEFAULT_DEADLINE_DAY)

    def _osmd_correct_due_dates(self, batch_size=1000):
        """Give the posted accrual and recalculation invoices of the associations the due date of their
        payment deadline (``_osmd_payment_deadline`` of their period) where they have another one (before
        19.0.1.1.0 they were due on the day they were posted). Only what Odoo allows on posted entries
        changes: the maturity date of the receivable item and the invoice's due date; amounts and accounts
        stay as they are. Each corrected invoice gets an internal note. Returns the corrected invoices.

        Run once by the migration to 19.0.1.1.0; a later change of the deadline day is not applied to
        invoices already posted (do not call this for that)."""
        Move = self.env["account.move"].sudo()
        corrected = Move.browse()
        moves = Move.search(
            Domain("company_id", "in", self.ids)
            & Domain("state", "=", "posted")
            & Domain("move_type", "in", ("out_invoice", "out_refund"))
            & Domain("osmd_period", "!=", False)
            & (Domain("osmd_is_accrual", "=", True) | Domain("osmd_recalculation_id", "!=", False)),
            order="id",
        )
        for batch in split_every(batch_size, moves.ids, Move.browse):
            batch.fetch(["company_id", "osmd_period", "invoice_date_due", "line_ids"])
            terms = batch.line_ids.filtered(lambda line: line.display_type == "payment_term")
            terms.fetch(["move_id", "date_maturity"])
            terms_by_move = terms.grouped("move_id")
            changes = defaultdict(lambda: Move.browse())  # {(company, old date, new date): moves}
            for move in batch:
                deadline = move.company_id._osmd_payment_deadline(move.osmd_period)
                old = move.invoice_date_due
                move_terms = terms_by_move.get(move, move.line_ids.browse())
                if old != deadline or any(line.date_maturity != deadline for line in move_terms):
                    changes[(move.company_id, old, deadline)] |= move
            for (company, old, deadline), moves_to_fix in changes.items():
                lines = moves_to_fix.line_ids.filtered(lambda line: line.display_type == "payment_term")
                # no synchronisation of the dynamic lines: only the dates change
                lines.with_context(skip_invoice_sync=True).write({"date_maturity": deadline})
                moves_to_fix.with_context(skip_invoice_sync=True).write({"invoice_date_due": deadline})
                # in the association's language, as its documents
                body = self.with_context(lang=self.env["res.partner"]._osmd_document_lang(company)).env._(
                    "Due date corrected from %(old)s to %(new)s (payment deadline of the association).",
                    old=old.strftime("%d.%m.%Y") if old else "—",
                    new=deadline.strftime("%d.%m.%Y"),
                )
                moves_to_fix._message_log_batch(bodies=dict.fromkeys(moves_to_fix.ids, body))
                corrected |= moves_to_fix
        return corrected

    def _osmd_is_own_chairman(self):
        user = self.env.user
        return user.has_group("osmd_base.group_osmd_chairman") and not (self - user.company_ids)

    def _osmd_check_penalty_override_right(self):
        """Other penalty limits than the law's are set by the association's chairman only (OdooBot and
        installation data aside)."""
        if self.env.su and self.env.uid == SUPERUSER_ID:
            return
        if not self._osmd_is_own_chairman():
            raise AccessError(
                self.env._("Only the chairman of the association sets penalty limits other than the law's.")
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
        rate, cap = to_decimal(company.osmd_penalty_rate), to_decimal(company.osmd_penalty_cap_percent)
        if not company.osmd_penalty_override:
            # values stored before the legal limits were checked are held to them
            rate, cap = min(rate, LEGAL_MAX_RATE), min(cap, LEGAL_MAX_CAP)
        by_account = defaultdict(list)
        for invoice in invoices:
            by_account[invoice.osmd_account_id.id].append(invoice)
        return {
            "product": product,
            "invoices": by_account,  # {account id: [overdue invoice]}
            "already": already,
            "in_invoice": in_invoice,
            "suspensions": [(s.date_start, s.date_end, set(s.building_ids.ids)) for s in suspensions],
            "rate": rate,
            "cap": cap / 100,
            "deadline_day": company.osmd_penalty_deadline_day or DEFAULT_DEADLINE_DAY,
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
