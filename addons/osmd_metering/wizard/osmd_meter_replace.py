from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.consumption import capacity_limit, fmt, to_decimal

ZONES = (1, 2, 3)


class OsmdMeterReplace(models.TransientModel):
    """Replace a meter: final reading of the old one, the new one installed with its initial reading.

    Everything happens in one savepoint: the old meter's final reading (an engineer's confirmed reading,
    checked by the reading rules), the new meter and the old meter marked replaced. The period's
    consumption of the premise is then the old meter's part (final − previous) plus the new meter's
    part (its readings − its initial values), see ``osmd.meter.reading._get_premise_consumption``.
    """

    _name = "osmd.meter.replace"
    _description = "Replace a meter"
    _check_company_auto = True

    meter_id = fields.Many2one(
        "osmd.meter",
        string="Old meter",
        required=True,
        check_company=True,
        ondelete="cascade",
        domain="[('state', '=', 'active')]",
    )
    company_id = fields.Many2one(related="meter_id.company_id")
    utility_id = fields.Many2one(related="meter_id.utility_id")
    old_zone_count = fields.Integer(related="meter_id.zone_count", string="Zones of the old meter")
    previous_date = fields.Date(compute="_compute_previous", string="Last reading on")
    previous_value1 = fields.Float(compute="_compute_previous", string="Last T1", digits=(16, 3))
    previous_value2 = fields.Float(compute="_compute_previous", string="Last T2", digits=(16, 3))
    previous_value3 = fields.Float(compute="_compute_previous", string="Last T3", digits=(16, 3))
    date = fields.Date(string="Replacement date", required=True, default=fields.Date.context_today)
    final_value1 = fields.Float(string="Final reading T1", digits=(16, 3))
    final_value2 = fields.Float(string="Final reading T2", digits=(16, 3))
    final_value3 = fields.Float(string="Final reading T3", digits=(16, 3))
    is_rollover = fields.Boolean(
        string="Register rolled over",
        help="Tick only if the old meter's register passed its maximum and restarted from zero since the last "
        "reading: a final reading below the last one is refused otherwise.",
    )
    serial = fields.Char(string="New serial number", required=True)
    zone_count = fields.Integer(
        string="Zones",
        compute="_compute_from_meter",
        store=True,
        readonly=False,
        precompute=True,
    )
    digits = fields.Integer(
        string="Digit capacity",
        compute="_compute_from_meter",
        store=True,
        readonly=False,
        precompute=True,
    )
    multiplier = fields.Float(
        digits=(10, 3),
        compute="_compute_from_meter",
        store=True,
        readonly=False,
        precompute=True,
    )
    verification_interval = fields.Integer(
        string="Verification interval, years",
        compute="_compute_from_meter",
        store=True,
        readonly=False,
        precompute=True,
    )
    initial_value1 = fields.Float(string="Initial reading T1", digits=(16, 3))
    initial_value2 = fields.Float(string="Initial reading T2", digits=(16, 3))
    initial_value3 = fields.Float(string="Initial reading T3", digits=(16, 3))
    verification_date = fields.Date(
        string="Verified on",
        compute="_compute_verification_date",
        store=True,
        readonly=False,
        precompute=True,
    )
    seal_number = fields.Char(string="Seal")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("meter_id")
    def _compute_previous(self):
        last = self.env["osmd.meter.reading"]._last_confirmed(self.meter_id, real_only=True)
        for wizard in self:
            reading = last.get(wizard.meter_id.id)
            source = reading or wizard.meter_id
            prefix = "value" if reading else "initial_value"
            wizard.previous_date = reading.date if reading else wizard.meter_id.install_date
            for zone in ZONES:
                wizard[f"previous_value{zone}"] = source[f"{prefix}{zone}"] if source else 0.0

    @api.depends("meter_id")
    def _compute_from_meter(self):
        for wizard in self:
            meter = wizard.meter_id
            wizard.zone_count = meter.zone_count or 1
            wizard.digits = meter.digits
            wizard.multiplier = meter.multiplier or 1.0
            wizard.verification_interval = meter.verification_interval

    @api.depends("date")
    def _compute_verification_date(self):
        for wizard in self:
            wizard.verification_date = wizard.date

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_apply(self):
        self.ensure_one()
        self._check_replacement()
        old = self.meter_id
        Reading = self.env["osmd.meter.reading"]
        with self.env.cr.savepoint():
            final = Reading.create(self._prepare_final_reading_vals())
            new = self.env["osmd.meter"].create(self._prepare_new_meter_vals())
            old.write({"state": "replaced", "removal_date": self.date, "replaced_by_id": new.id})
            old.message_post(
                body=self.env._(
                    "Replaced on %(date)s by meter %(serial)s. %(explanation)s",
                    date=self.date.strftime("%d.%m.%Y"),
                    serial=new.serial,
                    explanation=final.explanation or "",
                )
            )
            new.message_post(
                body=self.env._(
                    "Installed on %(date)s in place of meter %(serial)s.",
                    date=self.date.strftime("%d.%m.%Y"),
                    serial=old.serial,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "osmd.meter",
            "res_id": new.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _check_replacement(self):
        """Clear errors before anything is written (the reading rules are checked again on create)."""
        self.ensure_one()
        old = self.meter_id
        old.check_access("write")
        if old.state != "active":
            raise UserError(
                self.env._("Meter %(serial)s is not active: only an active meter can be replaced.", serial=old.serial)
            )
        if self.date > fields.Date.context_today(self):
            raise ValidationError(self.env._("The replacement date cannot be in the future."))
        if self.date < old.install_date:
            raise ValidationError(
                self.env._(
                    "Meter %(serial)s was installed on %(install)s, after the replacement date.",
                    serial=old.serial,
                    install=old.install_date.strftime("%d.%m.%Y"),
                )
            )
        if not 1 <= self.zone_count <= 3:
            raise ValidationError(self.env._("A meter has 1, 2 or 3 zones."))
        if self.multiplier <= 0:
            raise ValidationError(self.env._("The multiplier must be positive."))
        problems = []
        if not self.is_rollover:
            for zone in range(1, old.zone_count + 1):
                previous, final = self[f"previous_value{zone}"], self[f"final_value{zone}"]
                if to_decimal(final) < to_decimal(previous):
                    problems.append(
                        self.env._(
                            "Meter %(serial)s, zone T%(zone)s: the final reading %(final)s is below the last "
                            "reading %(previous)s of %(date)s. Tick 'Register rolled over' if the register "
                            "restarted from zero.",
                            serial=old.serial,
                            zone=zone,
                            final=fmt(final),
                            previous=fmt(previous),
                            date=self.previous_date.strftime("%d.%m.%Y") if self.previous_date else "",
                        )
                    )
        limit = capacity_limit(self.digits)
        for zone in range(1, self.zone_count + 1):
            initial = to_decimal(self[f"initial_value{zone}"])
            if initial < 0 or (limit is not None and initial >= limit):
                problems.append(
                    self.env._(
                        "New meter, zone T%(zone)s: the initial reading %(value)s must be between 0 and the meter's "
                        "capacity (%(digits)s digits).",
                        zone=zone,
                        value=fmt(initial),
                        digits=self.digits,
                    )
                )
        serial = (self.serial or "").strip()
        if (
            self.env["osmd.meter"]
            .with_context(active_test=False)
            .search_count(
                [
                    ("company_id", "=", old.company_id.id),
                    ("utility_id", "=", old.utility_id.id),
                    ("serial", "=", serial),
                ]
            )
        ):
            problems.append(
                self.env._(
                    "A meter with serial number %(serial)s already exists for %(utility)s in the association.",
                    serial=serial,
                    utility=old.utility_id.name,
                )
            )
        if problems:
            raise ValidationError("\n".join(problems))

    def _prepare_final_reading_vals(self):
        self.ensure_one()
        vals = {
            "meter_id": self.meter_id.id,
            "date": self.date,
            "source": "engineer",
            "state": "confirmed",
            "note": self.env._("Final reading: meter replaced by %s", (self.serial or "").strip()),
        }
        for zone in range(1, self.meter_id.zone_count + 1):
            vals[f"value{zone}"] = self[f"final_value{zone}"]
        return vals

    def _prepare_new_meter_vals(self):
        self.ensure_one()
        old = self.meter_id
        vals = {
            "serial": (self.serial or "").strip(),
            "company_id": old.company_id.id,
            "utility_id": old.utility_id.id,
            "premise_id": old.premise_id.id,
            "building_id": old.building_id.id,
            "entrance": old.entrance,
            "zone_count": self.zone_count,
            "digits": self.digits,
            "multiplier": self.multiplier,
            "install_date": self.date,
            "verification_date": self.verification_date,
            "verification_interval": self.verification_interval,
            "seal_number": self.seal_number,
            "replaces_id": old.id,
        }
        for zone in ZONES:
            vals[f"initial_value{zone}"] = self[f"initial_value{zone}"] if zone <= self.zone_count else 0.0
        return vals
