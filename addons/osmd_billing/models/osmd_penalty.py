"""Penalties (пеня) on overdue accrual invoices: configuration per association, suspension periods,
exempt accounts, and the penalty line of the monthly billing run.

The arithmetic is in tools/penalty.py; here the records are read in batch and turned into one
"Penalty" line per personal account, with one charge per overdue invoice remembered so that the
cumulative cap holds across months.
"""

import calendar
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import float_repr, split_every

from ..tools.bulk_sql import copy_rows, copy_text, next_ids
from ..tools.formatting import fmt_number
from ..tools.penalty import DebtByDay, PriorCharge, Reduction, invoice_penalty, penalty_cutoff, penalty_start
from ..tools.proration import month_bounds
from .osmd_billing_run import to_decimal


def fmt_day(day):
    """A day of a penalty explanation: 23.11 (the year is the invoice's or the next)."""
    return day.strftime("%d.%m") if day else "—"


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
        help="No penalty is charged on this account from the date given, e.g. while the state owes the holder "
        "benefits or subsidies. The exemption is kept as a penalty suspension of the account: clearing the box "
        "ends it the day before, the days of the exemption stay without penalty.",
    )
    osmd_penalty_exempt_reason = fields.Selection(EXEMPT_REASONS, string="Exemption reason", tracking=True)
    osmd_penalty_exempt_since = fields.Date(
        string="Exempt since",
        tracking=True,
        help="First day without penalty (e.g. the first day the state owed the subsidy). Empty: today.",
    )

    @api.constrains("osmd_penalty_exempt", "osmd_penalty_exempt_reason")
    def _check_osmd_penalty_exempt_reason(self):
        if self.filtered(lambda a: a.osmd_penalty_exempt and not a.osmd_penalty_exempt_reason):
            raise ValidationError(self.env._("Give the reason why the personal account is exempt from penalties."))

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts.filtered("osmd_penalty_exempt")._osmd_sync_penalty_exemption()
        return accounts

    def write(self, vals):
        exemption = {"osmd_penalty_exempt", "osmd_penalty_exempt_reason", "osmd_penalty_exempt_since"} & vals.keys()
        before = {account: account.osmd_penalty_exempt for account in self} if exemption else {}
        result = super().write(vals)
        if exemption and not self.env.context.get("osmd_exemption_sync"):
            self.filtered(lambda a: a.osmd_penalty_exempt or before[a])._osmd_sync_penalty_exemption()
        return result

    def _osmd_sync_penalty_exemption(self):
        """Keep the exemption of each account as its own penalty suspension: an open suspension from the
        "exempt since" date while the box is ticked, ended the day before the box is cleared. Penalty runs only
        read suspensions, so the days of an exemption stay without penalty after it ends."""
        today = fields.Date.context_today(self)
        Suspension = self.env["osmd.penalty.suspension"].sudo()
        own = Suspension.search(
            Domain("account_ids", "in", self.ids) & Domain("is_exemption", "=", True),
        )
        reasons = dict(self._fields["osmd_penalty_exempt_reason"]._description_selection(self.env))
        vals_list = []
        for account in self:
            current = own.filtered(
                lambda s, account=account: s.account_ids == account and (not s.date_end or s.date_end >= today)
            )
            if account.osmd_penalty_exempt:
                since = account.osmd_penalty_exempt_since or today
                name = f"{reasons.get(account.osmd_penalty_exempt_reason, '')}: {account.number}"
                if current:
                    current[:1].write({"date_start": since, "date_end": False, "name": name})
                    (current - current[:1]).unlink()
                else:
                    vals_list.append(
                        {
                            "company_id": account.company_id.id,
                            "name": name,
                            "date_start": since,
                            "account_ids": [Command.set(account.ids)],
                            "is_exemption": True,
                        }
                    )
                if not account.osmd_penalty_exempt_since:
                    account.with_context(osmd_exemption_sync=True).write({"osmd_penalty_exempt_since": since})
            else:
                ended = today - timedelta(days=1)
                current.filtered(lambda s, ended=ended: s.date_start > ended).unlink()
                current.filtered(lambda s, ended=ended: s.date_start <= ended).write({"date_end": ended})
                account.with_context(osmd_exemption_sync=True).write({"osmd_penalty_exempt_since": False})
        return Suspension.create(vals_list)


class ProductTemplate(models.Model):
    _inherit = "product.template"

    osmd_basis = fields.Selection(
        selection_add=[("penalty", "Penalty on overdue debt")], ondelete={"penalty": "set null"}
    )


class OsmdPenaltySuspension(models.Model):
    """A period without penalties: the martial-law moratorium from 05.03.2022 for an association or some of its
    buildings, or the exemption of one account while the state owes its holder benefits or subsidies."""

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
    account_ids = fields.Many2many(
        "osmd.account",
        string="Personal accounts",
        check_company=True,
        help="Empty: every personal account of the buildings.",
    )
    is_exemption = fields.Boolean(
        string="Exemption of an account",
        readonly=True,
        help='Kept by the account\'s "Exempt from penalties" box.',
    )

    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "A suspension cannot end before it starts."
    )


CHARGE_KINDS = [("days", "Days of delay"), ("correction", "Correction")]


class OsmdPenaltyCharge(models.Model):
    """The penalty charged on one overdue invoice by one billing run: for the days of delay it counted
    (``date_from``–``date_to``), or the correction of what earlier runs charged for their days."""

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
    kind = fields.Selection(CHARGE_KINDS, required=True, default="days")
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(string="From", help="First day of delay counted.")
    date_to = fields.Date(
        string="To", help="Last day of delay counted: the next run of the invoice starts the day after."
    )
    debt = fields.Monetary(help="The largest daily debt of the invoice over the days counted (the cap's base).")
    days = fields.Integer(help="Days of delay charged (suspended days and days without debt not counted).")
    amount = fields.Monetary()
    is_fixed = fields.Boolean(
        string="Not recomputed",
        readonly=True,
        help="Charged before the penalty was counted day by day (before version 19.0.1.3.0): kept as charged.",
    )
    explanation = fields.Char()

    @api.model
    def _create_for_lines_in_bulk(self, run, vals_list):
        """Create the charges of the accrual lines of ``run`` just inserted in bulk (``vals_list``: values of
        ``create()`` with ``line_id``) with one COPY: a run charges tens of thousands of overdue invoices, and
        ``create()`` spends about 0.6 ms on each. The related columns come from the run and the lines; amounts
        are rounded to the run's currency as ``create()`` does; access and constraints are checked after."""
        if not vals_list:
            return self.browse()
        self.check_access("create")
        own = ["line_id", "invoice_id", "kind", "date_from", "date_to", "debt", "days", "amount", "is_fixed"]
        own.append("explanation")
        unknown = {name for vals in vals_list for name in vals} - set(own)
        if unknown:
            raise ValueError(f"_create_for_lines_in_bulk: unexpected fields {sorted(unknown)}")
        columns = ["id", "line_id", "run_id", "company_id", "period", "account_id", *own[1:]]
        columns += ["create_uid", "create_date", "write_uid", "write_date"]
        stored = {name for name, field in self._fields.items() if field.store and field.column_type}
        if stored != set(columns):
            # a field added to the model and not written here: create() knows how to fill it
            return self.create(vals_list)
        lines = {
            line["id"]: line["account_id"]
            for line in self.env["osmd.billing.line"]
            .browse({vals["line_id"] for vals in vals_list})
            .read(["account_id"], load=None)
        }
        currency, now, uid = run.currency_id, self.env.cr.now(), self.env.uid

        def money(value):
            return copy_text(Decimal(float_repr(currency.round(value or 0.0), currency.decimal_places)))

        ids = next_ids(self.env.cr, self._table, len(vals_list))
        rows = []
        for id_, vals in zip(ids, vals_list, strict=True):
            rows.append(
                [
                    str(id_),
                    str(vals["line_id"]),
                    str(run.id),
                    str(run.company_id.id),
                    copy_text(run.period),
                    copy_text(lines[vals["line_id"]]),
                    str(vals["invoice_id"]),
                    copy_text(vals.get("kind") or "days"),
                    copy_text(vals.get("date_from") or None),
                    copy_text(vals.get("date_to") or None),
                    money(vals.get("debt")),
                    str(int(vals.get("days") or 0)),
                    money(vals.get("amount")),
                    copy_text(bool(vals.get("is_fixed"))),
                    copy_text(vals.get("explanation") or None),
                    str(uid),
                    copy_text(now),
                    str(uid),
                    copy_text(now),
                ]
            )
        copy_rows(self.env.cr, self._table, columns, rows)
        records = self.browse(ids)
        self.env["osmd.billing.line"].invalidate_model(["penalty_charge_ids"])
        self.env["account.move"].invalidate_model(["osmd_penalty_charged_to"])
        records.modified(self._fields, create=True)
        records._validate_fields(own)
        records.check_access("create")
        return records

    @api.model
    def _booked(self, invoice_ids, exclude_run=None):
        """The charges on ``invoice_ids`` that are in the books: carried by a posted invoice of a billing run
        that is not cancelled (a draft run's charges are only a proposal; a cancelled run's are reversed).
        ``exclude_run``: leave that run's charges out."""
        if not invoice_ids:
            return self.browse()
        for model in ("osmd.penalty.charge", "osmd.billing.line", "osmd.billing.run", "account.move"):
            self.env[model].flush_model()
        self.env.cr.execute(
            """
            SELECT c.id
              FROM osmd_penalty_charge c
              JOIN osmd_billing_run r ON r.id = c.run_id AND r.state != 'cancel'
              JOIN account_move m ON m.osmd_billing_run_id = c.run_id AND m.osmd_account_id = c.account_id
                                 AND m.move_type = 'out_invoice' AND m.state = 'posted'
             WHERE c.invoice_id = ANY(%s) AND c.run_id != %s
             ORDER BY c.id
            """,
            [list(invoice_ids), exclude_run or 0],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])


class OsmdBillingLine(models.Model):
    _inherit = "osmd.billing.line"

    kind = fields.Selection(selection_add=[("penalty", "Penalty")], ondelete={"penalty": "cascade"})
    penalty_charge_ids = fields.One2many("osmd.penalty.charge", "line_id", string="Penalty per invoice")


class AccountMove(models.Model):
    _inherit = "account.move"

    osmd_penalty_charged_to = fields.Date(
        string="Penalty charged up to",
        compute="_compute_osmd_penalty_charged_to",
        help="Last day of delay of this invoice a billing run has charged a penalty for: the next run counts "
        "from the day after.",
    )

    def _compute_osmd_penalty_charged_to(self):
        charged = {}
        for charge in self.env["osmd.penalty.charge"].sudo()._booked(self.ids):
            if charge.date_to:
                charged[charge.invoice_id] = max(charged.get(charge.invoice_id, charge.date_to), charge.date_to)
        for move in self:
            move.osmd_penalty_charged_to = charged.get(move, False)


class OsmdBillingRun(models.Model):
    _inherit = "osmd.billing.run"

    date_computed = fields.Date(
        string="Computed on", readonly=True, copy=False, help="The day the run was last computed."
    )
    penalty_date_to = fields.Date(
        string="Penalties up to",
        readonly=True,
        copy=False,
        help="Last day of delay the penalties of the run count: the day before it was computed, or the last day "
        "of its period if earlier. The days after are charged by the next run.",
    )
    penalty_early = fields.Boolean(
        string="Computed before the end of the period",
        compute="_compute_penalty_early",
        help="Computed before its period ended: the penalties count the days up to the computation.",
    )

    @api.depends("penalty_date_to", "period")
    def _compute_penalty_early(self):
        for run in self:
            run.penalty_early = bool(
                run.penalty_date_to and run.period and run.penalty_date_to < month_bounds(run.period)[1]
            )

    def _osmd_compute_date(self):
        """The day the run is computed: today, or an earlier day given by the ``osmd_compute_date`` context
        key (the demo data, a run prepared as of the first of the month) — never a later one, whose days of
        delay have not passed."""
        today = fields.Date.context_today(self)
        asked = fields.Date.to_date(self.env.context.get("osmd_compute_date"))
        return min(asked, today) if asked else today

    def _do_compute(self):
        computed_on = self._osmd_compute_date()
        result = super(OsmdBillingRun, self.with_context(osmd_compute_date=computed_on))._do_compute()
        company = self.company_id
        self.write(
            {
                "date_computed": computed_on,
                "penalty_date_to": penalty_cutoff(computed_on, month_bounds(self.period)[1])
                if company.osmd_penalty_enabled
                else False,
            }
        )
        return result

    def action_reset_to_draft(self):
        result = super().action_reset_to_draft()
        self.write({"date_computed": False, "penalty_date_to": False})
        return result

    def _check_postable(self):
        """Refuse to post penalties computed on what has changed since: another run has put penalties of the
        same invoices in the books after this run was computed (its days or corrections would count twice)."""
        result = super()._check_postable()
        mine = self.line_ids.penalty_charge_ids
        if mine:
            # charge ids follow the order of creation (runs of an association are computed one at a time)
            first = min(mine.ids)
            booked = self.env["osmd.penalty.charge"]._booked(mine.invoice_id.ids, exclude_run=self.id)
            since = booked.filtered(lambda c: c.id > first)
            if since:
                raise UserError(
                    self.env._(
                        "%(run)s has charged penalties on the same invoices since this run was computed: compute "
                        "it again before posting.",
                        run=since[0].run_id.name,
                    )
                )
        return result

    def _collect_penalty_data(self, data):
        """What the penalties of the run's accounts need, in a fixed number of queries for any number of
        accounts: the overdue invoices and those paid late (a payment dated within days already charged),
        each one's payments with their value dates, the charges of earlier runs, the suspensions. None when
        no penalty is charged."""
        company = self.company_id
        product = self.env.ref("osmd_billing.product_osmd_penalty", raise_if_not_found=False)
        accounts = data["account_records"]
        if not company.osmd_penalty_enabled or not product or not accounts:
            return None
        first, last = data["first"], data["last"]
        cutoff = penalty_cutoff(self._osmd_compute_date(), last)
        Move, Charge = self.env["account.move"], self.env["osmd.penalty.charge"]
        overdue = Move.search(
            Domain("company_id", "=", company.id)
            & Domain("osmd_account_id", "in", accounts.ids)
            & Domain("move_type", "=", "out_invoice")
            & Domain("state", "=", "posted")
            & Domain("osmd_is_accrual", "=", True)
            & Domain("osmd_period", "<", first)
            & Domain("amount_residual", ">", 0),
            order="osmd_period, id",
        )
        for model in ("account.move", "account.move.line", "account.partial.reconcile", "osmd.penalty.charge"):
            self.env[model].flush_model()
        self.env["osmd.billing.run"].flush_model(["state"])
        # invoices settled since their last charge by a payment dated within the days charged
        self.env.cr.execute(
            """
            WITH charged AS (
                SELECT c.invoice_id, MAX(c.create_date) AS charged_at, MAX(c.date_to) AS charged_to
                  FROM osmd_penalty_charge c
                  JOIN osmd_billing_run r ON r.id = c.run_id AND r.state != 'cancel'
                  JOIN account_move m ON m.osmd_billing_run_id = c.run_id AND m.osmd_account_id = c.account_id
                                     AND m.move_type = 'out_invoice' AND m.state = 'posted'
                 WHERE r.id != %(run)s AND c.company_id = %(company)s AND c.account_id = ANY(%(accounts)s)
                 GROUP BY c.invoice_id
            )
            SELECT DISTINCT charged.invoice_id
              FROM charged
              JOIN account_move_line aml ON aml.move_id = charged.invoice_id AND aml.display_type = 'payment_term'
              JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
              JOIN account_move_line cp ON cp.id = apr.credit_move_id
             WHERE apr.create_date >= charged.charged_at AND cp.date <= charged.charged_to
            """,
            {"run": self.id or 0, "company": company.id, "accounts": accounts.ids},
        )
        settled = Move.browse([row[0] for row in self.env.cr.fetchall()]) - overdue
        invoices = (overdue | settled.filtered(lambda m: m.state == "posted")).sorted(lambda m: (m.osmd_period, m.id))
        if not invoices:
            return None
        invoices.fetch(["osmd_account_id", "osmd_period", "amount_total_signed", "amount_residual"])
        prior, charged_at = defaultdict(list), {}
        booked = Charge._booked(invoices.ids, exclude_run=self.id)
        booked.fetch(["invoice_id", "date_from", "date_to", "amount", "is_fixed", "create_date"])
        for charge in booked:
            prior[charge.invoice_id.id].append(
                PriorCharge(charge.date_from, charge.date_to, to_decimal(charge.amount), charge.is_fixed)
            )
            invoice_id = charge.invoice_id.id
            charged_at[invoice_id] = max(charged_at.get(invoice_id, charge.create_date), charge.create_date)
        # what reduced each invoice, on the value date of the payment (the date of its journal item)
        self.env.cr.execute(
            """
            SELECT aml.move_id, apr.amount, cp.date, apr.create_date
              FROM account_move_line aml
              JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
              JOIN account_move_line cp ON cp.id = apr.credit_move_id
             WHERE aml.move_id = ANY(%s) AND aml.display_type = 'payment_term'
             ORDER BY cp.date, apr.id
            """,
            [invoices.ids],
        )
        reductions = defaultdict(list)
        for move_id, amount, value_date, created in self.env.cr.fetchall():
            # booked with or after the last charge (a test books both in one transaction, at one timestamp)
            late = move_id in charged_at and created >= charged_at[move_id]
            reductions[move_id].append(Reduction(value_date, to_decimal(amount), late))
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
        # nor on one-off charges (paid services): the penalty is for late payment of the housing services
        for run, account, amount in self.env["osmd.billing.line"]._read_group(
            Domain("kind", "=", "extra")
            & Domain("run_id", "in", invoices.osmd_billing_run_id.ids)
            & Domain("account_id", "in", accounts.ids),
            ["run_id", "account_id"],
            ["amount:sum"],
        ):
            for move in invoices:
                if move.osmd_billing_run_id == run and move.osmd_account_id == account:
                    in_invoice[move.id] = in_invoice.get(move.id, Decimal(0)) + to_decimal(amount)
        suspensions = self.env["osmd.penalty.suspension"].search(
            Domain("company_id", "=", company.id) & Domain("date_start", "<=", cutoff)
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
            "cutoff": cutoff,
            "invoices": by_account,  # {account id: [invoice]}
            "prior": prior,  # {invoice id: [PriorCharge]}
            "reductions": reductions,  # {invoice id: [Reduction]}
            "in_invoice": in_invoice,
            # [(first day, last day or None, name, building ids, account ids)]: empty ids for all
            "suspensions": [
                (s.date_start, s.date_end, s.name, set(s.building_ids.ids), set(s.account_ids.ids)) for s in suspensions
            ],
            "rate": rate,
            "cap": cap / 100,
            "deadline_day": company.osmd_penalty_deadline_day or DEFAULT_DEADLINE_DAY,
        }

    def _get_texts(self):
        """The wordings of the penalty lines as well."""
        return {
            **super()._get_texts(),
            "penalty": self.env._(
                "Invoice %(period)s: %(debt)s × %(rate)s %% × %(days)s days (%(date_from)s–%(date_to)s) = %(amount)s"
            ),
            "penalty_suspended": self.env._("no penalty %(date_from)s–%(date_to)s: %(name)s"),
            "penalty_capped": self.env._("(limited to %(cap)s %% of the debt)"),
            "penalty_correction": self.env._(
                "Invoice %(period)s, days %(date_from)s–%(date_to)s charged before: %(new)s instead of %(old)s"
            ),
            "penalty_correction_late": self.env._("payments dated %(dates)s booked after the charge"),
            "penalty_postponed": self.env._(
                "%(account)s: the penalty correction of %(amount)s is more than the account's charges of the "
                "month; it is left to the next run."
            ),
        }

    def _penalty_lines(self, account, holder, data, texts, account_lines=(), problems=None):
        """The penalty lines of an account: the new days of delay of its overdue invoices, explained per
        invoice and per stretch of days with one debt, and the correction of what earlier runs charged when
        the books now say otherwise (a payment booked late with an earlier value date, a suspension added)."""
        penalty = data.get("penalty")
        invoices = penalty and penalty["invoices"].get(account.id)
        if not invoices:
            return []
        suspensions = [
            (start, end, name)
            for start, end, name, buildings, accounts in penalty["suspensions"]
            if (not buildings or account.building_id in buildings) and (not accounts or account.id in accounts)
        ]
        rate, cutoff = penalty["rate"], penalty["cutoff"]
        charges, corrections = [], []
        for invoice in invoices:
            total = to_decimal(invoice.amount_total_signed)
            base = total - penalty["in_invoice"].get(invoice.id, Decimal(0))
            reductions = penalty["reductions"].get(invoice.id, [])
            result = invoice_penalty(
                penalty_start(payment_deadline(invoice.osmd_period, penalty["deadline_day"])),
                cutoff,
                DebtByDay(base, total, reductions),
                rate,
                cap_ratio=penalty["cap"],
                prior=penalty["prior"].get(invoice.id, []),
                suspensions=suspensions,
                late_dates=[r.date for r in reductions if r.late],
            )
            period = invoice.osmd_period.strftime("%m.%Y")
            if result.amount > 0:
                parts = [
                    texts["penalty"]
                    % {
                        "period": period,
                        "debt": fmt_number(segment.debt, 2),
                        "rate": fmt_number(rate),
                        "days": segment.days,
                        "date_from": fmt_day(segment.date_from),
                        "date_to": fmt_day(segment.date_to),
                        "amount": fmt_number(segment.amount, 2),
                    }
                    for segment in result.segments
                ]
                parts += [
                    texts["penalty_suspended"] % {"date_from": fmt_day(lo), "date_to": fmt_day(hi), "name": name}
                    for lo, hi, name in result.suspended
                ]
                text = "; ".join(parts)
                if result.capped:
                    text += " " + texts["penalty_capped"] % {"cap": fmt_number(penalty["cap"] * 100)}
                charges.append(
                    {
                        "invoice_id": invoice.id,
                        "kind": "days",
                        "date_from": result.date_from,
                        "date_to": result.date_to,
                        "debt": float(result.debt),
                        "days": result.days,
                        "amount": float(result.amount),
                        "explanation": text,
                    }
                )
            if result.correction:
                text = texts["penalty_correction"] % {
                    "period": period,
                    "date_from": fmt_day(result.recomputed_from),
                    "date_to": fmt_day(result.recomputed_to),
                    "new": fmt_number(result.already + result.correction, 2),
                    "old": fmt_number(result.already, 2),
                }
                if result.late_dates:
                    dates = ", ".join(day.strftime("%d.%m.%Y") for day in result.late_dates)
                    text += f" ({texts['penalty_correction_late'] % {'dates': dates}})"
                corrections.append(
                    {
                        "invoice_id": invoice.id,
                        "kind": "correction",
                        "debt": float(result.debt),
                        "amount": float(result.correction),
                        "explanation": text,
                    }
                )
        correction = sum((to_decimal(c["amount"]) for c in corrections), Decimal(0))
        others = sum((to_decimal(line["amount"]) for line in account_lines), Decimal(0))
        new = sum((to_decimal(c["amount"]) for c in charges), Decimal(0))
        if corrections and others + new + correction < 0:
            # an invoice cannot be negative: the correction waits for a month with enough charges
            if problems is not None:
                message = texts["penalty_postponed"] % {
                    "account": account.number,
                    "amount": fmt_number(-correction, 2),
                }
                problems.append(
                    self._problem_vals(account, penalty["product"], message, severity="warning", kind="other")
                )
            corrections, correction = [], Decimal(0)
        if corrections and not correction:
            # corrections that cancel out go with the new days, or wait for them
            charges, corrections = (charges + corrections if charges else []), []
        lines = []
        for sequence, part, amount in ((40, charges, new), (41, corrections, correction)):
            if not part:
                continue
            lines.append(
                {
                    "run_id": self.id,
                    "account_id": account.id,
                    "partner_id": holder.id if holder else False,
                    "product_id": penalty["product"].id,
                    "kind": "penalty",
                    "sequence": sequence,
                    "date_start": part[0].get("date_from") or data["first"],
                    "date_end": max((c["date_to"] for c in part if c.get("date_to")), default=data["last"]),
                    "quantity": 1.0,
                    "price_unit": float(amount),
                    "amount": float(amount),
                    "invoice_quantity": 1.0,
                    "invoice_price_unit": float(amount),
                    "explanation": "; ".join(c["explanation"] for c in part),
                    "penalty_charge_ids": [Command.create(c) for c in part],
                }
            )
        return lines
