from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from odoo.addons.osmd_base.tools.company_access import check_own_associations

ZONES = (1, 2, 3)


class OsmdReadingRound(models.TransientModel):
    """The engineer's reading round: every active meter of a building (or entrance) in walking order.

    "Load" fills one line per meter with its previous reading; the engineer types the new values
    inline and "Save" creates the filled lines as confirmed engineer readings in one batch: the
    reading rules are checked for all of them together, so either all are saved or none.
    """

    _name = "osmd.reading.round"
    _description = "Reading round"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        string="Association",
        required=True,
        default=lambda self: self.env.company,
    )
    building_id = fields.Many2one("osmd.building", required=True, check_company=True)
    entrance = fields.Integer(help="Only the meters of this entrance; 0 = the whole building.")
    utility_id = fields.Many2one(
        "osmd.utility",
        check_company=True,
        help="Only the meters of this utility; empty = all utilities.",
    )
    date = fields.Date(string="Reading date", required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("osmd.reading.round.line", "round_id", string="Meters")
    line_count = fields.Integer(compute="_compute_line_stats")
    filled_count = fields.Integer(compute="_compute_line_stats", string="Filled in")
    max_zone_count = fields.Integer(compute="_compute_line_stats")
    resident_count = fields.Integer(compute="_compute_line_stats", string="From residents")

    @api.depends("building_id", "date")
    def _compute_display_name(self):
        for round_ in self:
            round_.display_name = self.env._(
                "Reading round %(building)s", building=round_.building_id.display_name or ""
            ).strip()

    @api.constrains("company_id")
    def _check_own_association(self):
        check_own_associations(self)

    @api.depends("line_ids.is_filled", "line_ids.zone_count", "line_ids.resident_reading_id")
    def _compute_line_stats(self):
        for round_ in self:
            round_.line_count = len(round_.line_ids)
            round_.filled_count = len(round_.line_ids.filtered("is_filled"))
            round_.max_zone_count = max(round_.line_ids.mapped("zone_count") or [1])
            round_.resident_count = len(round_.line_ids.filtered("resident_reading_id"))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_load(self):
        self.ensure_one()
        self._load_lines()
        return True  # the form reloads the record with its lines

    def action_take_residents(self):
        """One tap: every meter with a reading from a resident takes the resident's value."""
        self.ensure_one()
        for line in self.line_ids.filtered("resident_reading_id"):
            reading = line.resident_reading_id
            line.write({"take_resident": True, **{f"value{zone}": reading[f"value{zone}"] for zone in ZONES}})
        return True

    def action_save(self):
        self.ensure_one()
        readings = self._save_readings()
        self._load_lines()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s readings saved.", count=len(readings)),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _load_lines(self):
        """Replace the lines by one line per active meter, with its previous reading (two queries)."""
        self.line_ids.unlink()
        meters = self._search_meters(self.building_id, self.entrance, self.utility_id)
        previous = self._get_previous_values(meters)
        submitted = self._get_resident_readings(meters)
        self.env["osmd.reading.round.line"].create(
            [
                self._prepare_line_vals(meter, previous[meter.id], sequence, submitted.get(meter.id))
                for sequence, meter in enumerate(meters, start=1)
            ]
        )

    def _prepare_line_vals(self, meter, previous, sequence, resident_reading=None):
        previous_date, values = previous
        vals = {
            "resident_reading_id": resident_reading.id if resident_reading else False,
            "round_id": self.id,
            "sequence": sequence,
            "meter_id": meter.id,
            "premise_id": meter.premise_id.id,
            "place": meter.premise_id.number
            or (
                self.env._("Entrance %(entrance)s", entrance=meter.entrance) if meter.entrance else self.env._("House")
            ),
            "entrance": meter.entrance,
            "floor": meter.floor,
            "serial": meter.serial,
            "utility_id": meter.utility_id.id,
            "zone_count": meter.zone_count,
            "previous_date": previous_date,
        }
        for zone, value in zip(ZONES, values, strict=False):
            vals[f"previous_value{zone}"] = value
        return vals

    @api.model
    def _search_meters(self, building, entrance=0, utility=None):
        """Active meters of ``building`` in walking order: entrance, floor, premise number (natural)."""
        domain = Domain("building_id", "=", building.id) & Domain("state", "=", "active")
        if entrance:
            domain &= Domain("entrance", "=", entrance)
        if utility:
            domain &= Domain("utility_id", "=", utility.id)
        return self.env["osmd.meter"].search(
            domain, order="entrance, floor, premise_number_sort, premise_id, utility_id, serial, id"
        )

    @api.model
    def _get_previous_values(self, meters):
        """{meter id: (date, (T1, …))} of the last real confirmed reading, or the install date and
        initial values of a meter without one (one query for all meters)."""
        last = self.env["osmd.meter.reading"]._last_confirmed(meters, real_only=True)
        result = {}
        for meter in meters:
            reading = last.get(meter.id)
            if reading:
                result[meter.id] = (reading.date, reading._zone_values())
            else:
                result[meter.id] = (meter.install_date, meter._zone_values())
        return result

    @api.model
    def _get_resident_readings(self, meters):
        """{meter id: the latest reading residents submitted and nobody confirmed yet} (one query)."""
        result = {}
        for reading in self.env["osmd.meter.reading"].search(
            Domain("meter_id", "in", meters.ids)
            & Domain("state", "=", "submitted")
            & Domain("source", "=", "resident"),
            order="date desc, id desc",
        ):
            result.setdefault(reading.meter_id.id, reading)
        return result

    def _save_readings(self):
        """Confirm the residents' readings the engineer took unchanged; create the others as engineer
        readings; all checked together (nothing is saved when one is refused)."""
        lines = self.line_ids.filtered("is_filled")
        if not lines:
            raise UserError(self.env._("Enter the new value of at least one meter."))
        taken = lines.filtered(lambda line: line._is_resident_taken())
        residents = taken.resident_reading_id
        if residents:
            residents.action_confirm()
        readings = self.env["osmd.meter.reading"].create([line._prepare_reading_vals() for line in lines - taken])
        return residents | readings


class OsmdReadingRoundLine(models.TransientModel):
    _name = "osmd.reading.round.line"
    _description = "Reading round line"
    _order = "sequence, id"

    round_id = fields.Many2one("osmd.reading.round", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer()
    meter_id = fields.Many2one("osmd.meter", string="Meter record", required=True, readonly=True)
    premise_id = fields.Many2one("osmd.premise", string="Premise record", readonly=True)
    place = fields.Char(string="Premise", readonly=True)
    entrance = fields.Integer(readonly=True)
    floor = fields.Integer(readonly=True)
    serial = fields.Char(string="Meter", readonly=True)
    utility_id = fields.Many2one("osmd.utility", readonly=True)
    zone_count = fields.Integer(string="Zones", readonly=True)
    previous_date = fields.Date(string="Previous date", readonly=True)
    previous_value1 = fields.Float(string="Previous T1", digits=(16, 3), readonly=True)
    previous_value2 = fields.Float(string="Previous T2", digits=(16, 3), readonly=True)
    previous_value3 = fields.Float(string="Previous T3", digits=(16, 3), readonly=True)
    value1 = fields.Float(string="New T1", digits=(16, 3))
    value2 = fields.Float(string="New T2", digits=(16, 3))
    value3 = fields.Float(string="New T3", digits=(16, 3))
    consumption = fields.Float(
        compute="_compute_check",
        digits=(16, 3),
        help="The consumption the new value means, computed as the confirmation will store it.",
    )
    warning = fields.Text(compute="_compute_check", string="Check")
    has_warning = fields.Boolean(compute="_compute_check")
    resident_reading_id = fields.Many2one(
        "osmd.meter.reading",
        string="Resident's reading",
        readonly=True,
        help="The latest reading a resident submitted for this meter and nobody confirmed yet.",
    )
    resident_info = fields.Char(compute="_compute_resident_info", string="From resident")
    take_resident = fields.Boolean(
        string="Take resident's",
        help="Use the resident's value: on save the resident's reading is confirmed (with its date).",
    )
    is_filled = fields.Boolean(
        string="Save",
        compute="_compute_is_filled",
        store=True,
        readonly=False,
        help="Set when a new value is entered; tick it to save a reading of 0.",
    )

    @api.depends("value1", "value2", "value3")
    def _compute_is_filled(self):
        for line in self:
            line.is_filled = any(line[f"value{zone}"] for zone in ZONES)

    @api.depends("resident_reading_id")
    def _compute_resident_info(self):
        for line in self:
            reading = line.resident_reading_id
            line.resident_info = (
                self.env._(
                    "%(value)s — %(who)s, %(date)s",
                    value=reading._format_values(),
                    who=reading.submitted_by_id.name or "",
                    date=reading.date.strftime("%d.%m.%Y"),
                )
                if reading
                else False
            )

    @api.depends("value1", "value2", "value3", "is_filled", "meter_id", "round_id.date")
    def _compute_check(self):
        Reading = self.env["osmd.meter.reading"]
        filled = self.filtered(lambda line: line.is_filled and line.meter_id and line.round_id.date)
        tails = Reading._get_confirmed_tails(filled.meter_id) if filled else {}
        previews = {line: Reading.new(line._prepare_reading_vals()) for line in filled}
        histories = Reading._get_average_histories(Reading.concat(*previews.values())) if previews else {}
        for line in self:
            qty, warnings = None, []
            if line in previews:
                preview = previews[line]
                qty, warnings = preview._preview_confirmation(
                    tails.get(line.meter_id.id, []), histories.get(preview, [])
                )
            elif line.meter_id and line.round_id.date:
                warnings = line.meter_id._get_verification_warnings(line.round_id.date)
            line.consumption = float(qty) if qty is not None else 0.0
            line.warning = "\n".join(warnings) or False
            line.has_warning = bool(warnings)

    @api.onchange("take_resident")
    def _onchange_take_resident(self):
        reading = self.resident_reading_id
        if self.take_resident and reading:
            self.update({f"value{zone}": reading[f"value{zone}"] for zone in ZONES})

    def _is_resident_taken(self):
        """The line confirms its resident's reading: taken, and the values left as the resident sent them."""
        self.ensure_one()
        reading = self.resident_reading_id
        return bool(
            self.take_resident
            and reading
            and reading.state == "submitted"
            and all(self[f"value{zone}"] == reading[f"value{zone}"] for zone in range(1, self.zone_count + 1))
        )

    def _prepare_reading_vals(self):
        self.ensure_one()
        vals = {
            "meter_id": self.meter_id.id,
            "date": self.round_id.date,
            "source": "engineer",
            "state": "confirmed",
        }
        for zone in ZONES:
            vals[f"value{zone}"] = self[f"value{zone}"] if zone <= self.zone_count else 0.0
        return vals
