from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain

from ..tools.consumption import (
    QUANT,
    MeterError,
    advance,
    average_estimate,
    consumption,
    fmt,
    fmt_doc,
    is_anomaly,
    is_rollover,
    norm_estimate,
    prorate,
    to_decimal,
    unit_label,
    zone_label,
)

READING_SOURCES = [
    ("engineer", "Engineer"),
    ("resident", "Resident"),
    ("import", "Import"),
    ("estimate", "Estimate"),
]
READING_STATES = [
    ("submitted", "Submitted"),
    ("confirmed", "Confirmed"),
    ("rejected", "Rejected"),
    ("replaced", "Replaced by a reading"),
]
ZONES = (1, 2, 3)
ANOMALY_MONTHS = 6
# fields of a confirmed reading that only the confirmation itself may set
PROTECTED_FIELDS = {
    "meter_id",
    "date",
    "source",
    "value1",
    "value2",
    "value3",
    "consumption",
    "consumption1",
    "consumption2",
    "consumption3",
    "previous_id",
}

# Set while the model itself stores what a confirmation computed (consumption, state "replaced", a
# reset): write() then skips the locks meant for users. A context variable, not a context key, so that
# no RPC call can set it.
_storing_computation = ContextVar("osmd_reading_storing_computation", default=False)


@contextmanager
def storing_computation():
    token = _storing_computation.set(True)
    try:
        yield
    finally:
        _storing_computation.reset(token)


def first_day(day):
    return day.replace(day=1) if day else day


class OsmdMeterReading(models.Model):
    _name = "osmd.meter.reading"
    _description = "Meter reading"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    meter_id = fields.Many2one("osmd.meter", required=True, index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one(related="meter_id.company_id", store=True, index=True, precompute=True)
    utility_id = fields.Many2one(related="meter_id.utility_id", store=True, index=True)
    premise_id = fields.Many2one(related="meter_id.premise_id", store=True, index=True)
    building_id = fields.Many2one(related="meter_id.building_id", store=True, index=True)
    zone_count = fields.Integer(related="meter_id.zone_count")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    period = fields.Date(
        compute="_compute_period",
        store=True,
        precompute=True,
        index=True,
        help="First day of the month the reading counts for.",
    )
    value1 = fields.Float(string="T1", digits=(16, 3))
    value2 = fields.Float(string="T2", digits=(16, 3))
    value3 = fields.Float(string="T3", digits=(16, 3))
    source = fields.Selection(READING_SOURCES, required=True, default="engineer", index=True)
    state = fields.Selection(READING_STATES, required=True, default="submitted", index=True, tracking=True)
    reject_reason = fields.Char(tracking=True)
    consumption1 = fields.Float(digits=(16, 3), readonly=True, string="Consumption T1")
    consumption2 = fields.Float(digits=(16, 3), readonly=True, string="Consumption T2")
    consumption3 = fields.Float(digits=(16, 3), readonly=True, string="Consumption T3")
    consumption = fields.Float(
        digits=(16, 3),
        readonly=True,
        aggregator="sum",
        help="Consumption since the previous confirmed reading, multiplier applied.",
    )
    previous_id = fields.Many2one("osmd.meter.reading", string="Previous reading", readonly=True, index=True)
    explanation = fields.Char(readonly=True, help="How the consumption was computed.")
    is_rollover = fields.Boolean(readonly=True, string="Rollover")
    is_anomaly = fields.Boolean(readonly=True, string="Anomaly", index=True)
    is_estimate = fields.Boolean(compute="_compute_is_estimate", store=True)
    is_effective = fields.Boolean(
        compute="_compute_is_effective",
        string="Effective",
        help="The latest confirmed reading of its meter in its period: the one the period is billed up to.",
    )
    # who entered it and the staff's note are for the staff; residents see their readings only
    submitted_by_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, readonly=True, groups="base.group_user"
    )
    note = fields.Char(groups="base.group_user")
    portal_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_portal_partner_ids",
        search="_search_portal_partner_ids",
        string="Seen by residents",
        groups="base.group_user",
        help="Residents who see this reading today: the holders and residents (with cabinet access) of the "
        "premise's account, for readings dated from the first day of their current period.",
    )

    # what the engineer needs before confirming: the base the consumption is counted from, the
    # consumption confirming would store and what looks wrong about it
    base_date = fields.Date(
        compute="_compute_check",
        groups="base.group_user",
        string="Previous reading on",
        help="Date of the reading the consumption counts from.",
    )
    base_values = fields.Char(compute="_compute_check", groups="base.group_user", string="Previous value")
    # the same as numbers, for the screens (the user's decimal comma); all for the staff only
    base_value1 = fields.Float(compute="_compute_check", groups="base.group_user", digits=(16, 3), string="Previous T1")
    base_value2 = fields.Float(compute="_compute_check", groups="base.group_user", digits=(16, 3), string="Previous T2")
    base_value3 = fields.Float(compute="_compute_check", groups="base.group_user", digits=(16, 3), string="Previous T3")
    check_consumption = fields.Float(
        compute="_compute_check",
        groups="base.group_user",
        digits=(16, 3),
        string="Consumption if confirmed",
        help="For a submitted reading, the consumption its confirmation would store; otherwise the stored one.",
    )
    check_warning = fields.Text(compute="_compute_check", groups="base.group_user", string="Check")
    average_consumption = fields.Float(
        compute="_compute_check",
        groups="base.group_user",
        digits=(16, 3),
        string="Average",
        help="Average monthly consumption of the meter over the previous months.",
    )

    _values_positive = models.Constraint(
        "CHECK(COALESCE(value1, 0) >= 0 AND COALESCE(value2, 0) >= 0 AND COALESCE(value3, 0) >= 0)",
        "A reading cannot be negative.",
    )
    _period_idx = models.Index("(meter_id, period, state)")

    def _compute_portal_partner_ids(self):
        today = self.env["osmd.account"]._osmd_access_today()
        accounts = self.env["osmd.account"].sudo().search([("premise_id", "in", self.premise_id.ids)])
        seen = defaultdict(list)  # premise id: [(partner id, first day)]
        for (account_id, partner_id), start in accounts._get_portal_starts(today).items():
            seen[accounts.browse(account_id).premise_id.id].append((partner_id, start))
        for reading in self:
            reading.portal_partner_ids = self.env["res.partner"].browse(
                [pid for pid, start in seen.get(reading.premise_id.id, []) if reading.date and reading.date >= start]
            )

    def _search_portal_partner_ids(self, operator, value):
        """Readings the partners in ``value`` see today: those of the meters of the premises of the accounts
        they hold or live on today, dated from the first day of their current period (never the history of
        the people before them). Resolved at each query: the record rule of residents uses it."""
        if operator != "in":
            return NotImplemented
        partners = self.env["res.partner"].browse([pid for pid in value if pid])
        if not partners:
            return Domain.FALSE
        Account = self.env["osmd.account"].sudo()
        today = Account._osmd_access_today()
        starts = {}  # premise id: first day
        for (account_id, _partner_id), start in Account._get_portal_starts(today, partners).items():
            premise_id = Account.browse(account_id).premise_id.id
            starts[premise_id] = min(starts.get(premise_id, start), start)
        return Domain.OR(
            Domain("premise_id", "=", premise_id) & Domain("date", ">=", start) for premise_id, start in starts.items()
        )

    @api.depends("date")
    def _compute_period(self):
        for reading in self:
            reading.period = first_day(reading.date)

    @api.depends("source")
    def _compute_is_estimate(self):
        for reading in self:
            reading.is_estimate = reading.source == "estimate"

    @api.depends("state", "meter_id", "period", "date")
    def _compute_is_effective(self):
        confirmed = self.filtered(lambda r: r.state == "confirmed" and r.id)
        effective = set()
        if confirmed:
            latest = {}
            for reading in self.search(
                Domain("meter_id", "in", confirmed.meter_id.ids)
                & Domain("state", "=", "confirmed")
                & Domain("period", "in", list(set(confirmed.mapped("period")))),
                order="meter_id, period, date desc, id desc",
            ):
                latest.setdefault((reading.meter_id.id, reading.period), reading.id)
            effective = set(latest.values())
        for reading in self:
            reading.is_effective = reading.id in effective

    @api.depends("meter_id", "date", "value1", "value2", "value3", "state", "previous_id", "consumption")
    def _compute_check(self):
        pending = self.filtered(lambda r: r.state == "submitted" and r.meter_id and r.date)
        saved = pending.filtered("id")._origin
        tails = self._get_confirmed_tails(pending.meter_id, exclude=saved) if pending else {}
        histories = self._get_average_histories(pending) if pending else {}
        for reading in self:
            if reading in pending:
                tail = tails.get(reading.meter_id.id, [])
                base = next((r for r in reversed(tail) if r.source != "estimate"), None)
                qty, warnings = reading._preview_confirmation(tail, histories.get(reading, []))
                history = histories.get(reading, [])
                numbers = base._zone_values() if base else reading.meter_id._zone_values()
                reading.update(
                    {
                        **{f"base_value{zone}": (*numbers, 0.0, 0.0, 0.0)[zone - 1] for zone in ZONES},
                        "base_date": base.date if base else reading.meter_id.install_date,
                        "base_values": base._format_values() if base else reading._format_values_of(reading.meter_id),
                        "check_consumption": float(qty) if qty is not None else 0.0,
                        "check_warning": "\n".join(warnings) or False,
                        "average_consumption": float(sum(history, Decimal(0)) / len(history)) if history else 0.0,
                    }
                )
            else:
                previous = reading.previous_id
                numbers = previous._zone_values() if previous else ()
                reading.update(
                    {
                        **{f"base_value{zone}": (*numbers, 0.0, 0.0, 0.0)[zone - 1] for zone in ZONES},
                        "base_date": previous.date,
                        "base_values": previous._format_values() if previous else False,
                        "check_consumption": reading.consumption,
                        "check_warning": False,
                        "average_consumption": 0.0,
                    }
                )

    @api.depends("meter_id", "date", "value1")
    def _compute_display_name(self):
        for reading in self:
            reading.display_name = f"{reading.meter_id.serial or ''} {reading.date or ''}: {fmt(reading.value1)}"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # no "created" note nor the creator as follower on every reading: a round creates hundreds, and
        # the chatter is for what happens next (confirmation, rejection with its reason)
        readings = (
            super(OsmdMeterReading, self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True))
            .create(vals_list)
            .with_env(self.env)
        )
        # submitted readings are checked at once too, so that a resident learns of a typo when sending it
        readings._check_before_confirm(readings.filtered(lambda r: r.state in ("submitted", "confirmed")))
        readings.filtered(lambda r: r.state == "confirmed")._apply_confirmation()
        return readings

    def write(self, vals):
        if _storing_computation.get():
            return super().write(vals)
        # a replaced estimate is locked too: resetting the real reading that replaced it restores it
        locked = self.filtered(lambda r: r.state in ("confirmed", "replaced"))
        if locked and PROTECTED_FIELDS & set(vals):
            raise UserError(
                self.env._(
                    "The confirmed reading %(reading)s cannot be changed: reset it to submitted first (only the last "
                    "one of a meter can be).",
                    reading=locked[0].display_name,
                )
            )
        if "state" in vals and any(reading.state != vals["state"] for reading in locked):
            raise UserError(
                self.env._(
                    'The confirmed reading %(reading)s can only go back with "Reset to submitted".',
                    reading=locked[0].display_name,
                )
            )
        confirmed = locked.filtered(lambda r: r.state == "confirmed")
        to_confirm = self.browse()
        if vals.get("state") == "confirmed":
            to_confirm = self - confirmed
        result = super().write(vals)
        if to_confirm:
            self._check_before_confirm(to_confirm)
            to_confirm._apply_confirmation()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        confirmed = self.filtered(lambda r: r.state in ("confirmed", "replaced"))
        if confirmed:
            raise UserError(
                self.env._(
                    "The confirmed reading %(reading)s cannot be deleted: reset it to submitted first.",
                    reading=confirmed[0].display_name,
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_confirm(self):
        to_confirm = self.filtered(lambda r: r.state == "submitted")
        if not to_confirm:
            raise UserError(self.env._("Only submitted readings can be confirmed."))
        to_confirm.write({"state": "confirmed", "reject_reason": False})
        return True

    def action_reject(self, reason=None):
        """Without a reason: open the wizard asking for it; with it: reject and tell the residents why."""
        readings = self.filtered(lambda r: r.state == "submitted")
        if not readings:
            raise UserError(self.env._("Only submitted readings can be rejected."))
        if not reason:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Reject readings"),
                "res_model": "osmd.meter.reading.reject",
                "view_mode": "form",
                "target": "new",
                "context": {"default_reading_ids": [Command.set(readings.ids)]},
            }
        readings.write({"state": "rejected", "reject_reason": reason})
        for reading in readings.filtered(lambda r: r.source == "resident" and r.submitted_by_id):
            reading.message_post(
                body=self.env._(
                    "Your reading %(value)s of %(date)s for meter %(meter)s was rejected: %(reason)s",
                    value=reading._format_values(),
                    date=reading.date.strftime("%d.%m.%Y"),
                    meter=reading.meter_id.display_name,
                    reason=reason,
                ),
                partner_ids=reading.submitted_by_id.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_reset_to_submitted(self):
        """Only the last confirmed reading of a meter may go back (later ones were computed from it)."""
        confirmed = self.filtered(lambda r: r.state == "confirmed")
        if not confirmed:
            raise UserError(self.env._("Only confirmed readings can be reset to submitted."))
        tails = self._get_confirmed_tails(confirmed.meter_id)
        for reading in confirmed:
            last = tails.get(reading.meter_id.id, [])[-1:]
            if last != [reading]:
                raise UserError(
                    self.env._(
                        "Meter %(meter)s: only its last confirmed reading (%(date)s) can be reset to submitted.",
                        meter=reading.meter_id.display_name,
                        date=last[0].date.strftime("%d.%m.%Y"),
                    )
                )
        # an estimate this real reading replaced counts again
        real = confirmed.filtered(lambda r: r.source != "estimate")
        keys = {(r.meter_id.id, r.period) for r in real}
        replaced = self.search(
            Domain("meter_id", "in", real.meter_id.ids)
            & Domain("period", "in", list({r.period for r in real}))
            & Domain("state", "=", "replaced")
        ).filtered(lambda r: (r.meter_id.id, r.period) in keys)
        computed = {
            "state": "submitted",
            "previous_id": False,
            "explanation": False,
            "is_rollover": False,
            "is_anomaly": False,
        }
        with storing_computation():
            replaced.write({"state": "confirmed"})
            # an estimate keeps its quantity (it is its input); a real reading's consumption is recomputed
            (confirmed - real).write(computed)
            real.write(dict(computed, consumption=0, consumption1=0, consumption2=0, consumption3=0))
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _format_values(self):
        self.ensure_one()
        values = [fmt(value) for value in self._zone_values()]
        if len(values) == 1:
            return values[0]
        return ", ".join(f"T{zone}: {value}" for zone, value in enumerate(values, start=1))

    @api.model
    def _format_values_of(self, meter, prefix="initial_value"):
        """A meter's values (initial ones by default) as _format_values shows a reading's."""
        values = [fmt(value) for value in meter._zone_values(prefix)]
        if len(values) == 1:
            return values[0]
        return ", ".join(f"T{zone}: {value}" for zone, value in enumerate(values, start=1))

    def _get_average_histories(self, readings):
        """{reading: [Decimal monthly consumption of its meter over the ANOMALY_MONTHS before its period]}
        (one grouped query for all), the months the anomaly check compares with."""
        readings = readings.filtered(lambda r: r.meter_id and r.period)
        if not readings:
            return {}
        history = self._get_monthly_history(
            readings.meter_id,
            min(readings.mapped("period")) - relativedelta(months=ANOMALY_MONTHS),
            max(readings.mapped("period")),
            exclude=readings.filtered("id")._origin,
        )
        result = {}
        for reading in readings:
            start = reading.period - relativedelta(months=ANOMALY_MONTHS)
            months = history.get(reading.meter_id.id, {})
            result[reading] = [qty for period, qty in months.items() if start <= period < reading.period]
        return result

    def _preview_confirmation(self, tail, history):
        """(consumption or None, [warnings]) of confirming this real reading after ``tail`` (see
        _get_confirmed_tails) with the same computation the confirmation stores, without writing anything.

        Warnings: what would refuse the confirmation (below the previous value, capacity, dated before
        the previous reading), a negative consumption after netting estimates, a rollover, a consumption
        unusually large against ``history`` (the utility's anomaly factor), an expired verification or
        one due soon.
        """
        self.ensure_one()
        meter = self.meter_id
        warnings = []
        base = next((r for r in reversed(tail) if r.source != "estimate"), None)
        qty = None
        if base and self.date < base.date:
            warnings.append(
                self.env._(
                    "Dated before the previous reading of %(date)s.",
                    date=base.date.strftime("%d.%m.%Y"),
                )
            )
        else:
            old_values = base._zone_values() if base else meter._zone_values()
            for zone, (old, new) in enumerate(zip(old_values, self._zone_values(), strict=True), start=1):
                try:
                    consumption(old, new, meter.digits, meter.multiplier)
                except MeterError as exc:
                    warnings.append(self._meter_error_message(exc, meter, zone, new, old))
            if not warnings:
                vals, _replaced = self._real_vals(tail)
                qty = to_decimal(vals["consumption"])
                # read by residents in the cabinet too: comma decimals and Ukrainian units in Ukrainian
                lang = self.env.lang
                uom = unit_label(meter.uom_id.name, lang)
                if qty < 0:
                    warnings.append(
                        self.env._(
                            "The consumption is negative (%(qty)s %(uom)s): the estimates billed since the previous "
                            "reading were higher.",
                            qty=fmt_doc(qty, lang),
                            uom=uom,
                        )
                    )
                if vals["is_rollover"]:
                    warnings.append(self.env._("Counted as a rollover of the register: check the value."))
                factor = meter.utility_id.anomaly_factor
                if is_anomaly(qty, history, factor):
                    warnings.append(
                        self.env._(
                            "Unusually large: %(qty)s %(uom)s, more than %(factor)s × the average of %(average)s "
                            "%(uom)s.",
                            qty=fmt_doc(qty, lang),
                            uom=uom,
                            factor=fmt_doc(factor, lang),
                            average=fmt_doc((sum(history, Decimal(0)) / len(history)).quantize(QUANT), lang),
                        )
                    )
        warnings += meter._get_verification_warnings(self.date)
        return qty, warnings

    def _zone_values(self):
        self.ensure_one()
        return tuple(self[f"value{zone}"] for zone in range(1, self.meter_id.zone_count + 1))

    def _zone_consumptions(self):
        self.ensure_one()
        return tuple(to_decimal(self[f"consumption{zone}"]) for zone in range(1, self.meter_id.zone_count + 1))

    def _get_confirmed_tails(self, meters, exclude=None):
        """{meter id: confirmed readings from the meter's last real reading on, oldest first}.

        The tail holds everything the next reading needs: the last real reading (the base of the
        register difference), the estimates confirmed after it (netted off the next real reading, or
        replaced by a real one of the same period) and the last confirmed reading (tail[-1]).
        Two queries for any number of meters; meters without confirmed readings are absent.
        """
        base = Domain("meter_id", "in", meters.ids) & Domain("state", "=", "confirmed")
        if exclude:
            base &= Domain("id", "not in", exclude.ids)
        last_real = dict(self._read_group(base & Domain("source", "!=", "estimate"), ["meter_id"], ["date:max"]))
        meters_by_date = defaultdict(list)
        for meter in meters:
            meters_by_date[last_real.get(meter)].append(meter.id)
        domain = Domain.OR(
            Domain("meter_id", "in", ids) & (Domain("date", ">=", day) if day else Domain.TRUE)
            for day, ids in meters_by_date.items()
        )
        tails = defaultdict(list)
        for reading in self.search(base & domain, order="meter_id, date, id"):
            tails[reading.meter_id.id].append(reading)
        # readings on the last real date but before the last real reading (by id) are not needed
        for meter_id, tail in tails.items():
            last = max((i for i, r in enumerate(tail) if r.source != "estimate"), default=0)
            tails[meter_id] = tail[last:]
        return tails

    def _last_confirmed(self, meters, real_only=False, exclude=None):
        """{meter id: last confirmed reading (the last real one with ``real_only``)}, in two queries."""
        result = {}
        for meter_id, tail in self._get_confirmed_tails(meters, exclude=exclude).items():
            reading = next((r for r in reversed(tail) if r.source != "estimate"), None) if real_only else tail[-1]
            if reading:
                result[meter_id] = reading
        return result

    @api.model
    def _local_today(self, company):
        """Today in the association's time zone (Kyiv by default): a reading sent at 00:30 in Kyiv is dated today there,
        whatever the server's or the user's time zone says."""
        tz = company.sudo().partner_id.tz or "Europe/Kyiv"
        return fields.Date.context_today(self.with_context(tz=tz))

    def _check_before_confirm(self, readings):
        """Rules with clear errors, checked for all readings at once (nothing saved if one is bad).

        - the meter is active (a replacement's final reading is saved before the meter is marked replaced);
        - not dated before the meter's installation, nor in the future;
        - a real reading: not dated before the last confirmed real reading, nor in a period before a
          confirmed estimate (estimates of earlier periods are netted off it); each zone's value fits in
          the digit capacity and is not below the previous one unless the register rolled over;
        - an estimate: for a period after every confirmed reading of the meter.
        """
        if not readings:
            return
        tails = self._get_confirmed_tails(readings.meter_id, exclude=readings)
        todays = {company: self._local_today(company) for company in readings.meter_id.company_id}
        problems = []
        for reading in readings.sorted(lambda r: (r.meter_id.id, r.date, r.id)):
            meter = reading.meter_id
            tail = tails.get(meter.id, [])
            last = tail[-1] if tail else None
            last_real = next((r for r in reversed(tail) if r.source != "estimate"), None)
            date = reading.date.strftime("%d.%m.%Y")
            if meter.state != "active":
                problems.append(self.env._("Meter %(meter)s is not active.", meter=meter.display_name))
                continue
            if reading.date < meter.install_date:
                problems.append(
                    self.env._(
                        "Meter %(meter)s: the reading of %(date)s is dated before the meter was installed on "
                        "%(install)s.",
                        meter=meter.display_name,
                        date=date,
                        install=meter.install_date.strftime("%d.%m.%Y"),
                    )
                )
                continue
            if reading.source == "estimate":
                if any(qty < 0 for qty in (reading.consumption, *reading._zone_consumptions())):
                    problems.append(
                        self.env._(
                            "Meter %(meter)s: an estimate for %(period)s cannot be negative.",
                            meter=meter.display_name,
                            period=reading.period.strftime("%m.%Y"),
                        )
                    )
                    continue
                if last and reading.period <= last.period:
                    problems.append(
                        self.env._(
                            "Meter %(meter)s: an estimate for %(period)s is not possible, there is already a confirmed "
                            "reading of %(last)s.",
                            meter=meter.display_name,
                            period=reading.period.strftime("%m.%Y"),
                            last=last.date.strftime("%d.%m.%Y"),
                        )
                    )
                    continue
            else:
                if reading.date > todays[meter.company_id]:
                    problems.append(
                        self.env._(
                            "Meter %(meter)s: the reading of %(date)s is dated in the future.",
                            meter=meter.display_name,
                            date=date,
                        )
                    )
                    continue
                if last_real and reading.date < last_real.date:
                    problems.append(
                        self.env._(
                            "Meter %(meter)s: the reading of %(date)s is dated before the last confirmed reading "
                            "of %(last)s.",
                            meter=meter.display_name,
                            date=date,
                            last=last_real.date.strftime("%d.%m.%Y"),
                        )
                    )
                    continue
                if last and last.source == "estimate" and reading.period < last.period:
                    problems.append(
                        self.env._(
                            "Meter %(meter)s: the reading of %(date)s is for a period before the confirmed estimate "
                            "for %(period)s; reset the estimate first.",
                            meter=meter.display_name,
                            date=date,
                            period=last.period.strftime("%m.%Y"),
                        )
                    )
                    continue
                base = last_real._zone_values() if last_real else meter._zone_values()
                for zone, (old, new) in enumerate(zip(base, reading._zone_values(), strict=True), start=1):
                    try:
                        consumption(old, new, meter.digits, meter.multiplier)
                    except MeterError as exc:
                        problems.append(self._meter_error_message(exc, meter, zone, new, old))
            if reading.state == "confirmed":
                tail = [reading] if reading.source != "estimate" else [*tail, reading]
                tails[meter.id] = tail
        if problems:
            raise ValidationError("\n".join(problems))

    def _meter_error_message(self, exc, meter, zone, new, old):
        names = {"meter": meter.display_name, "zone": zone}
        if exc.code == "capacity":
            return self.env._(
                "Meter %(meter)s, zone T%(zone)s: %(value)s does not fit in the meter's %(digits)s digits.",
                **names,
                value=fmt(exc.value),
                digits=meter.digits,
            )
        if exc.code == "negative":
            return self.env._(
                "Meter %(meter)s, zone T%(zone)s: %(value)s is below the previous reading %(old)s; set the digit "
                "capacity if the meter rolled over.",
                **names,
                value=fmt(new),
                old=fmt(old),
            )
        if exc.code == "rollover":
            return self.env._(
                "Meter %(meter)s, zone T%(zone)s: %(value)s is below the previous reading %(old)s; as a rollover "
                "it would mean a consumption of %(qty)s, which is not plausible.",
                **names,
                value=fmt(new),
                old=fmt(old),
                qty=fmt(exc.value),
            )
        return self.env._(
            "Meter %(meter)s, zone T%(zone)s: a reading cannot be negative (%(value)s).", **names, value=fmt(new)
        )

    def _apply_confirmation(self):
        """Store consumption, previous reading, explanation and anomaly flag of newly confirmed readings.

        Consumption of a real reading = register difference since the last real reading (rollover and
        multiplier applied) minus the estimates of earlier periods confirmed in between; an estimate of
        the same period is marked replaced. Done in date order per meter, for the whole batch with a
        fixed number of queries (the values are flushed in grouped UPDATEs).
        """
        if not self:
            return
        meters = self.meter_id
        tails = self._get_confirmed_tails(meters, exclude=self)
        history = self._get_monthly_history(
            meters,
            min(self.mapped("period")) - relativedelta(months=ANOMALY_MONTHS),
            max(self.mapped("period")),
            exclude=self,
        )
        replaced_ids = []
        for reading in self.sorted(lambda r: (r.meter_id.id, r.date, r.id)):
            meter = reading.meter_id
            tail = tails[meter.id]
            months = history[meter.id]
            if reading.source == "estimate":
                vals = reading._estimate_vals(tail[-1] if tail else None)
                vals["is_anomaly"] = False
                tail.append(reading)
            else:
                vals, replaced = reading._real_vals(tail)
                start = reading.period - relativedelta(months=ANOMALY_MONTHS)
                vals["is_anomaly"] = is_anomaly(
                    vals["consumption"],
                    [qty for period, qty in months.items() if start <= period < reading.period],
                    meter.utility_id.anomaly_factor,
                )
                for estimate in replaced:
                    months[estimate.period] -= to_decimal(estimate.consumption)
                replaced_ids += [estimate.id for estimate in replaced]
                tails[meter.id] = [reading]
            months[reading.period] += to_decimal(vals["consumption"])
            with storing_computation():
                reading.write(vals)
        if replaced_ids:
            with storing_computation():
                self.browse(replaced_ids).write({"state": "replaced"})

    def _real_vals(self, tail):
        """Values of a real reading confirmed after ``tail`` (see _get_confirmed_tails) and the
        estimates it replaces."""
        meter = self.meter_id
        last_real = next((r for r in reversed(tail) if r.source != "estimate"), None)
        base_values = last_real._zone_values() if last_real else meter._zone_values()
        estimates = [r for r in tail if r.source == "estimate"]
        # An estimate of this very period is replaced by the real reading; estimates of earlier periods
        # were billed, so the real consumption since the last real reading is reduced by them.
        replaced = [r for r in estimates if r.period == self.period]
        netted = [r for r in estimates if r.period != self.period]
        kept = [r for r in tail if r not in replaced]
        # the explanation is part of the association's documents (invoice lines, receipts): in its language
        lang = self.env["res.partner"]._osmd_document_lang(meter.company_id)
        doc = self.with_context(lang=lang)

        def num(value):
            return fmt_doc(value, lang)

        vals, total, any_rollover, parts = {}, Decimal(0), False, []
        for zone, (old, new) in enumerate(zip(base_values, self._zone_values(), strict=True), start=1):
            qty = consumption(old, new, meter.digits, meter.multiplier)
            rollover = is_rollover(old, new)
            any_rollover |= rollover
            estimated = sum((to_decimal(r[f"consumption{zone}"]) for r in netted), Decimal(0))
            qty -= estimated
            vals[f"consumption{zone}"] = float(qty)
            total += qty
            part = f"{num(new)} − {num(old)}"
            if rollover:
                part = f"{num(new)} + 10^{meter.digits} − {num(old)}"
            if meter.multiplier != 1:
                part = f"({part}) × {num(meter.multiplier)}"
            if netted:
                part += " − " + doc.env._("estimated %(qty)s", qty=num(estimated))
            parts.append(part if meter.zone_count == 1 else f"{zone_label(zone, lang)}: {part}")
        if not last_real:
            parts.insert(0, doc.env._("from the initial reading"))
        vals.update(
            {
                "consumption": float(total),
                "previous_id": kept[-1].id if kept else False,
                "is_rollover": any_rollover,
                "explanation": doc.env._(
                    "Meter %(serial)s: %(calc)s = %(qty)s %(uom)s",
                    serial=meter.serial,
                    calc="; ".join(parts),
                    qty=num(total),
                    uom=unit_label(meter.uom_id.with_context(lang=lang).name, lang),
                ),
            }
        )
        return vals, replaced

    def _estimate_vals(self, previous):
        """Values of an estimate confirmed after ``previous``: the estimated consumption per zone
        (all in T1 when only ``consumption`` was given) and the register values it implies."""
        meter = self.meter_id
        quantities = list(self._zone_consumptions())
        if not any(quantities):
            quantities[0] = to_decimal(self.consumption)
        base = previous._zone_values() if previous else meter._zone_values()
        vals = {
            "consumption": float(sum(quantities, Decimal(0))),
            "previous_id": previous.id if previous else False,
            "is_rollover": False,
        }
        for zone, (old, qty) in enumerate(zip(base, quantities, strict=True), start=1):
            vals[f"consumption{zone}"] = float(qty)
            vals[f"value{zone}"] = float(advance(old, qty, meter.digits, meter.multiplier))
        lang = self.env["res.partner"]._osmd_document_lang(meter.company_id)
        vals["explanation"] = self.explanation or self.with_context(lang=lang).env._(
            "Estimate: %(qty)s", qty=fmt_doc(vals["consumption"], lang)
        )
        return vals

    def _get_monthly_history(self, meters, date_from, date_to, exclude=None):
        """{meter id: {period: Decimal consumption}} of confirmed readings with date_from <= period < date_to."""
        domain = (
            Domain("meter_id", "in", meters.ids)
            & Domain("state", "=", "confirmed")
            & Domain("period", ">=", date_from)
            & Domain("period", "<", date_to)
        )
        if exclude:
            domain &= Domain("id", "not in", exclude.ids)
        result = defaultdict(lambda: defaultdict(Decimal))
        for meter, period, qty in self._read_group(domain, ["meter_id", "period:day"], ["consumption:sum"]):
            result[meter.id][fields.Date.to_date(period)] += to_decimal(qty)
        return result

    @api.model
    def _get_period_consumption(self, meters, periods):
        """{(meter id, period): Decimal consumption} of confirmed readings, in one grouped query.

        Each reading holds the consumption since the previous confirmed one, so a period's sum is its
        effective (latest confirmed) reading minus the previous period's. ``periods`` are first days of
        months; a meter without a confirmed reading in a period is absent from the result.
        """
        groups = self._read_group(
            Domain("meter_id", "in", meters.ids)
            & Domain("state", "=", "confirmed")
            & Domain("period", "in", [first_day(fields.Date.to_date(p)) for p in periods]),
            ["meter_id", "period:day"],
            ["consumption:sum"],
        )
        return {
            (meter.id, fields.Date.to_date(period)): to_decimal(qty).quantize(QUANT) for meter, period, qty in groups
        }

    @api.model
    def _get_premise_consumption(self, premises, utilities, periods):
        """{(premise id, utility id, period): Decimal consumption} of the premises' meters (a meter
        replaced during the period counts with its successor), in one grouped query."""
        groups = self._read_group(
            Domain("premise_id", "in", premises.ids)
            & Domain("utility_id", "in", utilities.ids)
            & Domain("state", "=", "confirmed")
            & Domain("period", "in", [first_day(fields.Date.to_date(p)) for p in periods]),
            ["premise_id", "utility_id", "period:day"],
            ["consumption:sum"],
        )
        return {
            (premise.id, utility.id, fields.Date.to_date(period)): to_decimal(qty).quantize(QUANT)
            for premise, utility, period, qty in groups
        }

    @api.model
    def _create_estimates(self, meters, period):
        """Estimated readings for active ``meters`` without a confirmed reading in ``period`` or later
        (batch): by the average of the utility's last N months, per zone, or by the norm per person
        counted on the account on the first day of the period (all in T1)."""
        period = first_day(fields.Date.to_date(period))
        period_end = period + relativedelta(months=1, days=-1)
        have = {
            meter.id
            for (meter,) in self._read_group(
                Domain("meter_id", "in", meters.ids)
                & Domain("period", ">=", period)
                & Domain("state", "=", "confirmed"),
                ["meter_id"],
            )
        }
        todo = meters.filtered(
            lambda m: (
                m.id not in have
                and m.state == "active"
                and m.install_date <= period_end
                and m.utility_id.estimate_method != "none"
            )
        )
        if not todo:
            return self.browse()
        months = max(todo.utility_id.mapped("estimate_months") or [6])
        history = self._read_group(
            Domain("meter_id", "in", todo.ids)
            & Domain("state", "=", "confirmed")
            & Domain("period", ">=", period - relativedelta(months=months))
            & Domain("period", "<", period),
            ["meter_id", "period:month"],
            ["consumption1:sum", "consumption2:sum", "consumption3:sum"],
            order="meter_id, period:month",
        )
        by_meter = defaultdict(list)
        for meter, _month, *zones in history:
            by_meter[meter.id].append(zones)
        vals_list = []
        for meter in todo:
            utility = meter.utility_id
            quantities = [Decimal(0)] * meter.zone_count
            # the explanation is part of the association's documents: in its language
            lang = self.env["res.partner"]._osmd_document_lang(meter.company_id)
            doc = self.with_context(lang=lang)
            if utility.estimate_method == "norm":
                account = meter.sudo().account_id  # engineers may not read personal accounts
                persons = len(account._get_counted_residents(period)) if account else 0
                quantities[0] = norm_estimate(utility.norm_per_person, persons)
                how = doc.env._(
                    "Estimate by norm: %(norm)s × %(persons)s persons",
                    norm=fmt_doc(utility.norm_per_person, lang),
                    persons=persons,
                )
                # a meter installed during the month (a replacement) estimates only its own days:
                # the meter it replaced measured the others
                days, month_days = (period_end - max(period, meter.install_date)).days + 1, period_end.day
                if days < month_days:
                    quantities[0] = prorate(quantities[0], days, month_days)
                    how += " " + doc.env._("× %(days)s/%(month_days)s days", days=days, month_days=month_days)
            else:
                rows = by_meter.get(meter.id, [])[-utility.estimate_months :]
                if not rows:
                    continue
                # netted corrections can make a month negative; an estimate never is
                quantities = [
                    max(average_estimate([row[zone] for row in rows], utility.estimate_months), 0)
                    for zone in range(meter.zone_count)
                ]
                how = doc.env._("Estimate: average of %(count)s months", count=len(rows))
            total = sum(quantities, Decimal(0))
            vals = {
                "meter_id": meter.id,
                "date": max(period, meter.install_date),
                "source": "estimate",
                "state": "confirmed",
                "consumption": float(total),
                "explanation": f"{how} = {fmt_doc(total, lang)}",
            }
            vals.update({f"consumption{zone}": float(qty) for zone, qty in enumerate(quantities, start=1)})
            vals_list.append(vals)
        return self.create(vals_list)
