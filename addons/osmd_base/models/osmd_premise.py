import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools.misc import formatLang

from ..tools.bounds import AREA_BOUNDS, AREA_MAX, out_of_bounds

PREMISE_KINDS = [
    ("apartment", "Apartment"),
    ("non_residential", "Non-residential premise"),
    ("parking", "Parking space"),
    ("storage", "Storage room"),
]
# numbers typed in for a premise; the same limits as the registry import
PREMISE_BOUNDS = {
    "total_area": AREA_BOUNDS,
    "living_area": AREA_BOUNDS,
    "heated_area": AREA_BOUNDS,
    "vote_area": AREA_BOUNDS,
    "entrance": (0, 99),
    "floor": (-10, 200),
    "rooms": (0, 99),
}


def check_bounds(model, vals, bounds, record_name=""):
    """Raise a ValidationError naming the field when a value of ``vals`` is outside ``bounds``.

    Called before the values reach the database, so that the message is about the field and the
    value typed, not a database constraint.
    """
    found = out_of_bounds(vals, bounds)
    if not found:
        return
    name, value, low, high = found[0]
    field = model._fields[name]
    digits = 2 if field.type in ("float", "monetary") else 0
    raise ValidationError(
        model.env._(
            "%(record)s%(field)s must be from %(low)s to %(high)s; entered: %(value)s.",
            record=f"{record_name}: " if record_name else "",
            field=field._description_string(model.env),
            low=formatLang(model.env, float(low), digits=digits),
            high=formatLang(model.env, float(high), digits=digits),
            value=formatLang(model.env, float(value), digits=digits),
        )
    )


# who may see the owners and personal accounts of a premise (its residents see their own)
PEOPLE_GROUPS = "osmd_base.group_osmd_audit,osmd_base.group_osmd_resident"


class OsmdPremise(models.Model):
    _name = "osmd.premise"
    _description = "Premise"
    _inherit = ["mail.thread"]
    _order = "building_id, number_sort, number, id"
    _check_company_auto = True
    _rec_names_search = ["number", "building_id.name"]

    building_id = fields.Many2one(
        "osmd.building", required=True, index=True, ondelete="restrict", check_company=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", string="Association", related="building_id.company_id", store=True, index=True, precompute=True
    )
    number = fields.Char(required=True, tracking=True, help="Number of the apartment or premise, e.g. 12, 12a, P-3.")
    number_sort = fields.Integer(compute="_compute_number_sort", store=True, precompute=True)
    kind = fields.Selection(PREMISE_KINDS, required=True, default="apartment", tracking=True)
    entrance = fields.Integer(help="Entrance (під'їзд) number; 0 when the premise has its own entrance.")
    floor = fields.Integer()
    rooms = fields.Integer()
    total_area = fields.Float(string="Total area, m²", digits=(10, 2), required=True, tracking=True)
    living_area = fields.Float(string="Living area, m²", digits=(10, 2), tracking=True)
    heated_area = fields.Float(string="Heated area, m²", digits=(10, 2), tracking=True)
    vote_area = fields.Float(
        string="Area for votes, m²",
        digits=(10, 2),
        compute="_compute_vote_area",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Area counted for votes at owners' meetings; the total area unless set otherwise.",
    )
    active = fields.Boolean(default=True)
    # Owners and personal accounts are people's data: the engineer works with premises and meters
    # without them (no access to ownership or accounts), so these fields are not even offered to them.
    ownership_ids = fields.One2many("osmd.ownership", "premise_id", string="Ownership history", groups=PEOPLE_GROUPS)
    current_ownership_ids = fields.One2many(
        "osmd.ownership", compute="_compute_current_ownership_ids", string="Current owners", groups=PEOPLE_GROUPS
    )
    owner_names = fields.Char(compute="_compute_current_ownership_ids", string="Owners", groups=PEOPLE_GROUPS)
    account_ids = fields.One2many("osmd.account", "premise_id", string="Personal accounts", groups=PEOPLE_GROUPS)
    account_count = fields.Integer(compute="_compute_account_count", groups=PEOPLE_GROUPS)

    _number_building_uniq = models.Constraint(
        "UNIQUE(building_id, number)", "The premise number must be unique in its building."
    )
    _total_area_positive = models.Constraint(
        f"CHECK(total_area > 0 AND total_area <= {AREA_MAX})",
        "The total area of a premise must be more than 0 m² and at most 100 000 m².",
    )
    _living_area_positive = models.Constraint(
        "CHECK(living_area IS NULL OR living_area >= 0)", "The living area cannot be negative."
    )
    _heated_area_positive = models.Constraint(
        "CHECK(heated_area IS NULL OR heated_area >= 0)", "The heated area cannot be negative."
    )
    _vote_area_positive = models.Constraint(
        "CHECK(vote_area IS NULL OR vote_area >= 0)", "The area for votes cannot be negative."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("number")
    def _compute_number_sort(self):
        """Natural order: 1, 2, 9, 9а, 10, 100, then prefixed numbers grouped by prefix (Н-1, Н-2, П-1…)."""
        for premise in self:
            match = re.match(r"(\D*)(\d{1,5})", (premise.number or "").strip())
            if not match:
                premise.number_sort = 0
            elif not match.group(1):
                premise.number_sort = int(match.group(2))
            else:
                premise.number_sort = min(ord(match.group(1)[0].upper()), 20_000) * 100_000 + int(match.group(2))

    @api.depends("total_area")
    def _compute_vote_area(self):
        for premise in self:
            if not premise.vote_area:
                premise.vote_area = premise.total_area

    @api.depends("ownership_ids.date_start", "ownership_ids.date_end", "ownership_ids.partner_id")
    @api.depends_context("date")
    def _compute_current_ownership_ids(self):
        today = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        for premise in self:
            current = premise.ownership_ids.filtered(lambda o: o._is_valid_on(today))
            premise.current_ownership_ids = current
            premise.owner_names = ", ".join(
                f"{o.partner_id.name} ({o.share_display})" if o.share_display != "1/1" else o.partner_id.name
                for o in current
            )

    def _compute_account_count(self):
        counts = dict(
            self.env["osmd.account"]._read_group([("premise_id", "in", self.ids)], ["premise_id"], ["__count"])
        )
        for premise in self:
            premise.account_count = counts.get(premise, 0)

    @api.depends("building_id", "number", "kind")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for premise in self:
            if premise.kind == "apartment":
                label = self.env._("apt. %s", premise.number or "")
            else:
                label = f"{labels.get(premise.kind, '')} {premise.number or ''}"
            premise.display_name = f"{premise.building_id.name}, {label}" if premise.building_id else label

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("total_area", "living_area", "heated_area", "vote_area", "entrance", "floor", "rooms")
    def _check_areas(self):
        for premise in self:
            check_bounds(self, {name: premise[name] for name in PREMISE_BOUNDS}, PREMISE_BOUNDS, premise.display_name)
            if premise.living_area and premise.living_area > premise.total_area:
                raise ValidationError(
                    self.env._(
                        "Premise %(premise)s: the living area (%(living)s m²) exceeds the total area (%(total)s m²).",
                        premise=premise.display_name,
                        living=premise.living_area,
                        total=premise.total_area,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._osmd_check_input(vals, vals.get("number"))
        return super().create(vals_list)

    def write(self, vals):
        self._osmd_check_input(vals, ", ".join(self.mapped("number")) if len(self) <= 3 else "")
        if "ownership_ids" not in vals:
            return super().write(vals)
        # Shares are checked once all ownership lines of the form are saved, so
        # that "1/1 becomes 1/2 + a new 1/2" is accepted in one save.
        result = super(OsmdPremise, self.with_context(osmd_defer_share_check=True)).write(vals)
        self.env["osmd.ownership"]._check_premise_shares(self)
        return result

    def _osmd_check_input(self, vals, number):
        """Typed values out of bounds are refused by name before the database sees them; a total
        area of 0 or less too (the database would refuse it with its own words)."""
        label = self.env._("Premise %s", number) if number else ""
        if "total_area" in vals and vals["total_area"] is not False and vals["total_area"] <= 0:
            raise ValidationError(
                self.env._("%(record)sthe total area must be more than 0 m².", record=f"{label}: " if label else "")
            )
        check_bounds(self, vals, PREMISE_BOUNDS, label)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_transfer_ownership(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Ownership transfer"),
            "res_model": "osmd.ownership.transfer",
            "view_mode": "form",
            "target": "new",
            "context": {"default_premise_id": self.id},
        }

    def action_view_accounts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_base.osmd_account_action")
        action["domain"] = [("premise_id", "=", self.id)]
        action["context"] = {"default_premise_id": self.id}
        return action

    def _get_owned_domain(self, partner, date=None):
        """Premises owned by ``partner`` on ``date`` (today by default)."""
        day = date or fields.Date.context_today(self)
        return Domain(
            "ownership_ids",
            "any",
            Domain("partner_id", "=", partner.id)
            & Domain("date_start", "<=", day)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", day)),
        )
