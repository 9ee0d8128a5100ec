from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..tools.consumption import MeterError, average_estimate, consumption, is_anomaly, norm_estimate, to_decimal

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
        compute="_compute_period", store=True, precompute=True, index=True,
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
    consumption = fields.Float(digits=(16, 3), readonly=True, aggregator="sum",
                               help="Consumption since the previous confirmed reading, multiplier applied.")
    previous_id = fields.Many2one("osmd.meter.reading", string="Previous reading", readonly=True, index=True)
    explanation = fields.Char(readonly=True, help="How the consumption was computed.")
    is_rollover = fields.Boolean(readonly=True, string="Rollover")
    is_anomaly = fields.Boolean(readonly=True, string="Anomaly", index=True)
    is_estimate = fields.Boolean(compute="_compute_is_estimate", store=True)
    submitted_by_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    note = fields.Char()

    _values_positive = models.Constraint(
        "CHECK(COALESCE(value1, 0) >= 0 AND COALESCE(value2, 0) >= 0 AND COALESCE(value3, 0) >= 0)",
        "A reading cannot be negative.",
    )
    _period_idx = models.Index("(meter_id, period, state)")

    @api.depends("date")
    def _compute_period(self):
        for reading in self:
            reading.period = first_day(reading.date)

    @api.depends("source")
    def _compute_is_estimate(self):
        for reading in self:
            reading.is_estimate = reading.source == "estimate"

    @api.depends("meter_id", "date", "value1")
    def _compute_display_name(self):
        for reading in self:
            reading.display_name = f"{reading.meter_id.serial or ''} {reading.date or ''}: {reading.value1:g}"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        readings = super().create(vals_list)
        readings._check_before_confirm(readings.filtered(lambda r: r.state != "rejected"))
        readings.filtered(lambda r: r.state == "confirmed")._apply_confirmation()
        return readings

    def write(self, vals):
        protected = {"value1", "value2", "value3", "date", "meter_id", "consumption", "consumption1"}
        if protected & set(vals) and self.filtered(lambda r: r.state == "confirmed"):
            raise UserError(self.env._(
                "A confirmed reading cannot be changed: reset it to submitted first (only the last one of a meter)."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        if self.filtered(lambda r: r.state == "confirmed"):
            raise UserError(self.env._("A confirmed reading cannot be deleted: reset it to submitted first."))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_confirm(self):
        to_confirm = self.filtered(lambda r: r.state == "submitted")
        self._check_before_confirm(to_confirm)
        to_confirm.write({"state": "confirmed", "reject_reason": False})
        to_confirm._apply_confirmation()
        return True

    def action_reject(self, reason=None):
        if not reason and not self.env.context.get("osmd_reject_reason"):
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Reject readings"),
                "res_model": "osmd.meter.reading.reject",
                "view_mode": "form",
                "target": "new",
                "context": {"default_reading_ids": self.ids},
            }
        reason = reason or self.env.context["osmd_reject_reason"]
        readings = self.filtered(lambda r: r.state == "submitted")
        readings.write({"state": "rejected", "reject_reason": reason})
        for reading in readings.filtered(lambda r: r.source == "resident"):
            reading.message_post(body=self.env._("Reading rejected: %s", reason),
                                 partner_ids=reading.create_uid.partner_id.ids)
        return True

    def action_reset_to_submitted(self):
        """Only the last confirmed reading of a meter may go back (later ones would depend on it)."""
        confirmed = self.filtered(lambda r: r.state == "confirmed")
        if self.search_count([("previous_id", "in", confirmed.ids), ("state", "=", "confirmed"),
                              ("id", "not in", confirmed.ids)]):
            raise UserError(self.env._("Only the last confirmed reading of a meter can be reset."))
        replaced = self.search([
            ("meter_id", "in", confirmed.meter_id.ids), ("period", "in", confirmed.mapped("period")),
            ("state", "=", "replaced")])
        super(OsmdMeterReading, replaced).write({"state": "confirmed"})
        super(OsmdMeterReading, confirmed).write({
            "state": "submitted", "consumption": 0, "consumption1": 0, "consumption2": 0, "consumption3": 0,
            "previous_id": False, "explanation": False, "is_rollover": False, "is_anomaly": False,
        })
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _check_before_confirm(self, readings):
        """Rules with clear errors, checked for all readings at once (nothing saved if one is bad)."""
        if not readings:
            return
        last = self._last_confirmed(readings.meter_id, real_only=True, exclude=readings)
        problems = []
        for reading in readings.sorted(lambda r: (r.meter_id.id, r.date, r.id)):
            meter = reading.meter_id
            if reading.source == "estimate":
                continue
            previous = last.get(meter.id)
            if meter.state != "active" and not self.env.context.get("osmd_final_reading"):
                problems.append(self.env._("Meter %(serial)s is not active.", serial=meter.serial))
                continue
            if reading.date < meter.install_date:
                problems.append(self.env._(
                    "Meter %(serial)s: the reading of %(date)s is dated before the meter was installed.",
                    serial=meter.serial, date=reading.date.strftime("%d.%m.%Y")))
                continue
            if previous and reading.date < previous.date:
                problems.append(self.env._(
                    "Meter %(serial)s: the reading of %(date)s is dated before the last confirmed reading "
                    "of %(last)s.",
                    serial=meter.serial, date=reading.date.strftime("%d.%m.%Y"),
                    last=previous.date.strftime("%d.%m.%Y")))
                continue
            base = previous._zone_values() if previous else meter._zone_values()
            for zone, (old, new) in enumerate(zip(base, reading._zone_values(), strict=True), start=1):
                try:
                    consumption(old, new, meter.digits, meter.multiplier)
                except MeterError as exc:
                    problems.append(self._meter_error_message(exc, meter, zone, new, old))
            if reading.state == "confirmed":
                last[meter.id] = reading
        if problems:
            raise ValidationError("\n".join(problems))

    def _meter_error_message(self, exc, meter, zone, new, old):
        if exc.code == "capacity":
            return self.env._(
                "Meter %(serial)s, zone T%(zone)s: %(value)s does not fit in the meter's %(digits)s digits.",
                serial=meter.serial, zone=zone, value=new, digits=meter.digits)
        if exc.code == "negative":
            return self.env._(
                "Meter %(serial)s, zone T%(zone)s: %(value)s is below the previous reading %(old)s; set the digit "
                "capacity if the meter rolled over.",
                serial=meter.serial, zone=zone, value=new, old=old)
        return self.env._("Meter %(serial)s, zone T%(zone)s: a reading cannot be negative.",
                          serial=meter.serial, zone=zone)

    def _zone_values(self):
        self.ensure_one()
        return tuple(self[f"value{zone}"] for zone in range(1, self.meter_id.zone_count + 1))

    def _last_confirmed(self, meters, real_only=False, exclude=None):
        """{meter id: last confirmed reading}, one query for all meters."""
        domain = Domain("meter_id", "in", meters.ids) & Domain("state", "=", "confirmed")
        if real_only:
            domain &= Domain("source", "!=", "estimate")
        if exclude:
            domain &= Domain("id", "not in", exclude.ids)
        result = {}
        for reading in self.search(domain, order="meter_id, date desc, id desc"):
            result.setdefault(reading.meter_id.id, reading)
        return result

    def _apply_confirmation(self):
        """Store consumption, previous reading, explanation and anomaly flag of newly confirmed readings.

        Consumption of a real reading = register difference since the last real reading (rollover and
        multiplier applied) minus the estimates confirmed in between; an estimate of the same period is
        marked replaced. Done in date order per meter, in batch.
        """
        if not self:
            return
        meters = self.meter_id
        confirmed_before = self.search([
            ("meter_id", "in", meters.ids), ("state", "=", "confirmed"), ("id", "not in", self.ids)],
            order="date, id")
        history = defaultdict(list)
        for reading in confirmed_before:
            history[reading.meter_id.id].append(reading)
        averages = self._history_for_anomaly(meters)
        for reading in self.sorted(lambda r: (r.meter_id.id, r.date, r.id)):
            meter = reading.meter_id
            previous_all = history[meter.id]
            if reading.source == "estimate":
                vals = reading._estimate_vals(previous_all)
            else:
                vals = reading._real_vals(previous_all)
            vals["is_anomaly"] = is_anomaly(vals["consumption"], averages.get(meter.id, []),
                                            meter.utility_id.anomaly_factor)
            super(OsmdMeterReading, reading).write(vals)
            history[meter.id].append(reading)

    def _real_vals(self, previous_all):
        meter = self.meter_id
        real_base = next((r for r in reversed(previous_all) if r.source != "estimate"), None)
        base_values = real_base._zone_values() if real_base else meter._zone_values()
        since = [r for r in previous_all if r.source == "estimate" and (not real_base or r.date >= real_base.date)]
        # An estimate of this very period is replaced by the real reading; earlier estimates were billed,
        # so the real consumption since the last real reading is reduced by them.
        same_period = [r for r in since if r.period == self.period]
        since = [r for r in since if r.period != self.period]
        if same_period:
            super(OsmdMeterReading, self.browse([r.id for r in same_period])).write({"state": "replaced"})
            previous_all[:] = [r for r in previous_all if r not in same_period]
        vals, total, any_rollover = {}, Decimal(0), False
        parts = []
        for zone, (old, new) in enumerate(zip(base_values, self._zone_values(), strict=True), start=1):
            qty = consumption(old, new, meter.digits, meter.multiplier)
            rollover = to_decimal(new) < to_decimal(old)
            any_rollover |= rollover
            estimated = sum((to_decimal(r[f"consumption{zone}"]) for r in since), Decimal(0))
            qty -= estimated
            vals[f"consumption{zone}"] = float(qty)
            total += qty
            part = f"{new:g} − {old:g}"
            if rollover:
                part = f"{new:g} + 10^{meter.digits} − {old:g}"
            if meter.multiplier != 1:
                part = f"({part}) × {meter.multiplier:g}"
            if estimated:
                part += " − " + self.env._("estimated %s", f"{estimated:g}")
            parts.append(part if meter.zone_count == 1 else f"T{zone}: {part}")
        vals.update({
            "consumption": float(total), "previous_id": (previous_all[-1].id if previous_all else False),
            "is_rollover": any_rollover,
            "explanation": self.env._("Meter %(serial)s: %(calc)s = %(qty)s %(uom)s",
                                      serial=meter.serial, calc="; ".join(parts), qty=f"{total:g}",
                                      uom=meter.uom_id.name or ""),
        })
        return vals

    def _estimate_vals(self, previous_all):
        meter = self.meter_id
        qty = to_decimal(self.consumption)
        base = previous_all[-1]._zone_values() if previous_all else meter._zone_values()
        vals = {"consumption1": float(qty), "consumption": float(qty),
                "previous_id": previous_all[-1].id if previous_all else False}
        limit = Decimal(10) ** meter.digits if meter.digits else None
        value = to_decimal(base[0]) + qty / to_decimal(meter.multiplier or 1)
        if limit is not None:
            value %= limit
        vals["value1"] = float(value)
        vals["explanation"] = self.explanation or self.env._("Estimate: %s", f"{qty:g}")
        return vals

    def _history_for_anomaly(self, meters):
        """{meter id: [monthly consumption of the 6 periods before the earliest new reading]}."""
        start = min(self.mapped("period")) - relativedelta(months=6)
        groups = self._read_group(
            [("meter_id", "in", meters.ids), ("state", "=", "confirmed"), ("period", ">=", start),
             ("period", "<", min(self.mapped("period"))), ("id", "not in", self.ids)],
            ["meter_id", "period:month"], ["consumption:sum"])
        result = defaultdict(list)
        for meter, _period, qty in groups:
            result[meter.id].append(qty)
        return result

    @api.model
    def _get_period_consumption(self, meters, periods):
        """{(meter id, period date): Decimal consumption} for confirmed readings, in one grouped query."""
        groups = self._read_group(
            [("meter_id", "in", meters.ids), ("state", "=", "confirmed"), ("period", "in", list(periods))],
            ["meter_id", "period:day"], ["consumption:sum"])
        return {(meter.id, fields.Date.to_date(period)): to_decimal(qty) for meter, period, qty in groups}

    @api.model
    def _create_estimates(self, meters, period):
        """Estimated readings for ``meters`` without a confirmed reading in ``period`` (batch)."""
        have = {meter.id for meter, in self._read_group(
            [("meter_id", "in", meters.ids), ("period", "=", period), ("state", "=", "confirmed")], ["meter_id"])}
        todo = meters.filtered(lambda m: m.id not in have and m.state == "active" and m.utility_id.estimate_method
                               != "none")
        if not todo:
            return self.browse()
        months = max(todo.utility_id.mapped("estimate_months") or [6])
        history = self._read_group(
            [("meter_id", "in", todo.ids), ("state", "=", "confirmed"),
             ("period", ">=", period - relativedelta(months=months)), ("period", "<", period)],
            ["meter_id", "period:month"], ["consumption:sum"], order="meter_id, period:month")
        by_meter = defaultdict(list)
        for meter, _month, qty in history:
            by_meter[meter.id].append(qty)
        vals_list = []
        for meter in todo:
            utility = meter.utility_id
            if utility.estimate_method == "norm":
                persons = len(meter.account_id._get_counted_residents(period)) if meter.account_id else 0
                qty = norm_estimate(utility.norm_per_person, persons)
                how = self.env._("Estimate by norm: %(norm)s × %(persons)s persons",
                                 norm=f"{utility.norm_per_person:g}", persons=persons)
            else:
                qty = average_estimate(by_meter.get(meter.id, []), utility.estimate_months)
                if qty is None:
                    continue
                count = len(by_meter[meter.id][-utility.estimate_months:])
                how = self.env._("Estimate: average of %(count)s months", count=count)
            vals_list.append({
                "meter_id": meter.id, "date": period, "source": "estimate", "state": "confirmed",
                "consumption": float(qty), "explanation": f"{how} = {qty:g}",
            })
        return self.create(vals_list)
