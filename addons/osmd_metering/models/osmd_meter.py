from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.consumption import capacity_limit, fmt, to_decimal

METER_STATES = [("active", "Active"), ("replaced", "Replaced"), ("removed", "Removed")]
# a verification due within this many days is announced to whoever reads the meter
VERIFICATION_SOON_DAYS = 30


class OsmdMeter(models.Model):
    _name = "osmd.meter"
    _description = "Meter"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "building_id, entrance, premise_number_sort, utility_id, serial, id"
    _check_company_auto = True
    _rec_names_search = ["serial", "premise_id.number"]

    serial = fields.Char(string="Serial number", required=True, tracking=True, index=True)
    company_id = fields.Many2one(
        "res.company",
        string="Association",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    utility_id = fields.Many2one(
        "osmd.utility",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    uom_id = fields.Many2one(related="utility_id.uom_id", string="Unit")
    premise_id = fields.Many2one(
        "osmd.premise",
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="Empty for a house or entrance meter.",
    )
    building_id = fields.Many2one(
        "osmd.building",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        compute="_compute_building_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    entrance = fields.Integer(
        compute="_compute_building_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Entrance of the premise, or the entrance a house meter serves (0 = whole building).",
    )
    floor = fields.Integer(related="premise_id.floor", store=True)
    premise_number_sort = fields.Integer(related="premise_id.number_sort", store=True)
    is_house_meter = fields.Boolean(compute="_compute_is_house_meter", store=True, string="House meter")
    account_id = fields.Many2one(
        "osmd.account",
        compute="_compute_account_id",
        string="Personal account",
        groups="osmd_base.group_osmd_audit",  # engineers do not read personal accounts
    )
    zone_count = fields.Integer(string="Zones", default=1, required=True, tracking=True)
    digits = fields.Integer(
        string="Digit capacity",
        default=5,
        tracking=True,
        help="Number of integer digits on the register: after 99999 a five-digit meter shows 00000 again.",
    )
    multiplier = fields.Float(
        digits=(10, 3),
        default=1.0,
        required=True,
        tracking=True,
        help="Transformer coefficient: the register difference is multiplied by it.",
    )
    install_date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    initial_value1 = fields.Float(string="Initial reading T1", digits=(16, 3))
    initial_value2 = fields.Float(string="Initial reading T2", digits=(16, 3))
    initial_value3 = fields.Float(string="Initial reading T3", digits=(16, 3))
    verification_date = fields.Date(string="Last verification", tracking=True)
    verification_interval = fields.Integer(
        string="Verification interval, years", default=4, help="Interval between verifications (повірка)."
    )
    next_verification_date = fields.Date(
        compute="_compute_next_verification_date",
        store=True,
        string="Next verification",
        index=True,
    )
    seal_number = fields.Char(string="Seal", tracking=True)
    state = fields.Selection(METER_STATES, default="active", required=True, tracking=True, index=True)
    removal_date = fields.Date(string="Removed on", tracking=True)
    replaced_by_id = fields.Many2one("osmd.meter", string="Replaced by", copy=False, check_company=True)
    replaces_id = fields.Many2one("osmd.meter", copy=False, check_company=True)
    reading_ids = fields.One2many("osmd.meter.reading", "meter_id", string="Readings")
    last_reading_id = fields.Many2one(
        "osmd.meter.reading", compute="_compute_last_reading_id", string="Last confirmed reading"
    )
    last_reading_date = fields.Date(compute="_compute_last_reading_id", string="Last reading on")
    last_value1 = fields.Float(compute="_compute_last_reading_id", string="Last T1", digits=(16, 3))
    note = fields.Html(groups="base.group_user")  # the staff's note, never shown to residents
    active = fields.Boolean(default=True)

    _serial_utility_uniq = models.Constraint(
        "UNIQUE(company_id, utility_id, serial)",
        "A meter with this serial number already exists for this utility in the association.",
    )
    _zone_count_valid = models.Constraint("CHECK(zone_count BETWEEN 1 AND 3)", "A meter has 1, 2 or 3 zones.")
    _digits_valid = models.Constraint(
        "CHECK(digits IS NULL OR digits BETWEEN 0 AND 12)", "The digit capacity is between 1 and 12 (0 = unknown)."
    )
    _multiplier_positive = models.Constraint(
        "CHECK(multiplier > 0 AND multiplier <= 10000)",
        "The multiplier (transformation ratio) of a meter is more than 0 and at most 10 000.",
    )
    _initial_positive = models.Constraint(
        "CHECK(COALESCE(initial_value1, 0) >= 0 AND COALESCE(initial_value2, 0) >= 0 "
        "AND COALESCE(initial_value3, 0) >= 0)",
        "Initial readings cannot be negative.",
    )

    @api.depends("premise_id")
    def _compute_building_id(self):
        for meter in self.filtered("premise_id"):
            meter.building_id = meter.premise_id.building_id
            meter.entrance = meter.premise_id.entrance

    @api.depends("premise_id")
    def _compute_is_house_meter(self):
        for meter in self:
            meter.is_house_meter = not meter.premise_id

    def _compute_account_id(self):
        accounts = (
            self.env["osmd.account"]
            .sudo()
            .search([("premise_id", "in", self.premise_id.ids), ("state", "=", "active")])
        )
        by_premise = {account.premise_id: account for account in accounts}
        for meter in self:
            meter.account_id = by_premise.get(meter.premise_id, False)

    @api.depends("verification_date", "verification_interval", "install_date")
    def _compute_next_verification_date(self):
        for meter in self:
            base = meter.verification_date or meter.install_date
            meter.next_verification_date = (
                base + relativedelta(years=meter.verification_interval)
                if base and meter.verification_interval
                else False
            )

    def _compute_last_reading_id(self):
        Reading = self.env["osmd.meter.reading"]
        last = Reading._last_confirmed(self.filtered("id")) if self.ids else {}
        for meter in self:
            reading = last.get(meter.id, Reading)
            meter.last_reading_id = reading
            meter.last_reading_date = reading.date
            meter.last_value1 = reading.value1 if reading else meter.initial_value1

    @api.depends("serial", "utility_id", "premise_id")
    def _compute_display_name(self):
        for meter in self:
            where = meter.premise_id.display_name or meter.building_id.display_name or ""
            meter.display_name = f"{meter.utility_id.name or ''} {meter.serial or ''} ({where})"

    @api.constrains("premise_id", "building_id")
    def _check_building(self):
        for meter in self:
            if meter.premise_id and meter.premise_id.building_id != meter.building_id:
                raise ValidationError(
                    self.env._(
                        "Meter %(serial)s: the premise is not in building %(building)s.",
                        serial=meter.serial,
                        building=meter.building_id.display_name,
                    )
                )

    @api.constrains("digits", "zone_count", "initial_value1", "initial_value2", "initial_value3")
    def _check_initial_values(self):
        for meter in self:
            limit = capacity_limit(meter.digits)
            for zone, value in enumerate(meter._zone_values(), start=1):
                if limit is not None and to_decimal(value) >= limit:
                    raise ValidationError(
                        self.env._(
                            "Meter %(serial)s, zone T%(zone)s: the initial reading %(value)s does not fit in the "
                            "meter's %(digits)s digits.",
                            serial=meter.serial,
                            zone=zone,
                            value=fmt(value),
                            digits=meter.digits,
                        )
                    )

    @api.onchange("utility_id")
    def _onchange_utility_id(self):
        if self.utility_id and not self.reading_ids:
            self.zone_count = int(self.utility_id.zone_count)

    def _zone_values(self, prefix="initial_value"):
        """Tuple of the meter's per-zone values for ``prefix`` (initial_value by default)."""
        self.ensure_one()
        return tuple(self[f"{prefix}{zone}"] for zone in range(1, self.zone_count + 1))

    def _get_verification_warnings(self, date):
        """Warnings about the meter's verification (повірка) on ``date``: expired, or due soon."""
        self.ensure_one()
        due = self.next_verification_date
        if not due or not date:
            return []
        if due < date:
            return [
                self.env._(
                    "Verification expired on %(date)s: arrange a verification of meter %(meter)s.",
                    date=due.strftime("%d.%m.%Y"),
                    meter=self.serial,
                )
            ]
        if (due - date).days <= VERIFICATION_SOON_DAYS:
            return [self.env._("Verification due on %(date)s.", date=due.strftime("%d.%m.%Y"))]
        return []

    def action_view_readings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_metering.osmd_meter_reading_action")
        action["domain"] = [("meter_id", "=", self.id)]
        action["context"] = {"default_meter_id": self.id, "search_default_group_period": 0}
        return action
