from odoo import api, fields, models

from .osmd_premise import check_bounds

# the same limits as the registry import
BUILDING_BOUNDS = {"entrance_count": (1, 99), "floor_count": (1, 200), "year_built": (1700, 2100)}


class OsmdBuilding(models.Model):
    _name = "osmd.building"
    _description = "Apartment building"
    _inherit = ["mail.thread"]
    _order = "company_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True, help="Short name used in lists, e.g. 'Kyiv, Khreshchatyk 10'.")
    company_id = fields.Many2one(
        "res.company",
        string="Association",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    street = fields.Char(required=True)
    city = fields.Char(required=True)
    zip = fields.Char(string="Postcode")
    state_id = fields.Many2one("res.country.state", string="Region", domain="[('country_id.code', '=', 'UA')]")
    country_id = fields.Many2one("res.country", default=lambda self: self.env.ref("base.ua", raise_if_not_found=False))
    cadastral_number = fields.Char(help="Cadastral number of the land plot, if known.")
    entrance_count = fields.Integer(string="Entrances", default=1)
    floor_count = fields.Integer(string="Floors", default=1)
    year_built = fields.Integer(string="Year built")
    active = fields.Boolean(default=True)
    premise_ids = fields.One2many("osmd.premise", "building_id", string="Premises")
    premise_count = fields.Integer(compute="_compute_areas", store=True, string="Premises count")
    total_area = fields.Float(compute="_compute_areas", store=True, digits=(12, 2), string="Total area, m²")
    living_area = fields.Float(compute="_compute_areas", store=True, digits=(12, 2), string="Living area, m²")
    heated_area = fields.Float(compute="_compute_areas", store=True, digits=(12, 2), string="Heated area, m²")
    vote_area = fields.Float(compute="_compute_areas", store=True, digits=(12, 2), string="Area for votes, m²")
    note = fields.Html(groups="base.group_user")

    _entrance_count_positive = models.Constraint("CHECK(entrance_count >= 1)", "A building has at least one entrance.")
    _floor_count_positive = models.Constraint("CHECK(floor_count >= 1)", "A building has at least one floor.")
    _name_company_uniq = models.Constraint(
        "UNIQUE(company_id, name)", "A building with this name already exists in the association."
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._osmd_check_input(vals, vals.get("name"))
        return super().create(vals_list)

    def write(self, vals):
        self._osmd_check_input(vals, ", ".join(self.mapped("name")) if len(self) <= 3 else "")
        return super().write(vals)

    def _osmd_check_input(self, vals, name):
        """Typed counts out of bounds are refused by name (an unknown year is 0)."""
        check_bounds(self, {k: v for k, v in vals.items() if v or k != "year_built"}, BUILDING_BOUNDS, name)

    @api.depends(
        "premise_ids.active",
        "premise_ids.total_area",
        "premise_ids.living_area",
        "premise_ids.heated_area",
        "premise_ids.vote_area",
    )
    def _compute_areas(self):
        # Areas are stored with 2 decimals; summing in hundredths keeps the totals exact.
        totals = (
            {
                building: (count, total, living, heated, vote)
                for building, count, total, living, heated, vote in self.env["osmd.premise"]._read_group(
                    [("building_id", "in", self.ids), ("active", "=", True)],
                    ["building_id"],
                    ["__count", "total_area:sum", "living_area:sum", "heated_area:sum", "vote_area:sum"],
                )
            }
            if self.ids
            else {}
        )
        for building in self:
            count, total, living, heated, vote = totals.get(building, (0, 0.0, 0.0, 0.0, 0.0))
            building.premise_count = count
            building.total_area = round(total or 0.0, 2)
            building.living_area = round(living or 0.0, 2)
            building.heated_area = round(heated or 0.0, 2)
            building.vote_area = round(vote or 0.0, 2)

    @api.depends("name", "city")
    def _compute_display_name(self):
        for building in self:
            building.display_name = building.name or ""

    def action_view_premises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_base.osmd_premise_action")
        action["domain"] = [("building_id", "=", self.id)]
        action["context"] = {"default_building_id": self.id}
        return action
