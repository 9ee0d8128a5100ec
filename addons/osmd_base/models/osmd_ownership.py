from fractions import Fraction

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools.shares import format_period, format_share, share_errors
from .osmd_premise import check_bounds

SHARE_BOUNDS = {"share_numerator": (1, 1_000_000), "share_denominator": (1, 1_000_000)}

TITLE_DOCUMENT_KINDS = [
    ("register_extract", "Extract from the State Register of Real Property Rights"),
    ("certificate", "Certificate of ownership"),
    ("sale_contract", "Contract of sale"),
    ("gift_contract", "Gift contract"),
    ("inheritance", "Certificate of inheritance"),
    ("privatisation", "Privatisation certificate"),
    ("court_decision", "Court decision"),
    ("other", "Other document"),
]


class OsmdOwnership(models.Model):
    _name = "osmd.ownership"
    _inherit = ["osmd.dated.mixin", "osmd.registry.trail"]
    _description = "Ownership share of a premise"
    _order = "premise_id, date_start desc, id"
    _check_company_auto = True
    _osmd_trail_parent = "premise_id"
    _osmd_trail_fields = (
        "partner_id",
        "share_numerator",
        "share_denominator",
        "date_start",
        "date_end",
        "document_kind",
        "document_number",
        "document_date",
    )

    premise_id = fields.Many2one("osmd.premise", required=True, index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one(
        "res.company", string="Association", related="premise_id.company_id", store=True, index=True, precompute=True
    )
    building_id = fields.Many2one(related="premise_id.building_id", store=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Owner",
        required=True,
        index=True,
        ondelete="restrict",
        help="A person or a legal entity.",
    )
    share_numerator = fields.Integer(string="Share numerator", required=True, default=1)
    share_denominator = fields.Integer(string="Share denominator", required=True, default=1)
    share_display = fields.Char(string="Share", compute="_compute_share_display")
    date_start = fields.Date(string="Owner since", required=True, default=fields.Date.context_today, index=True)
    date_end = fields.Date(string="Owner until", index=True, help="Last day of ownership; empty while it lasts.")
    # title documents are for the staff: residents see their co-owners' names and shares only
    document_kind = fields.Selection(TITLE_DOCUMENT_KINDS, string="Title document", groups="base.group_user")
    document_number = fields.Char(groups="base.group_user")
    document_date = fields.Date(groups="base.group_user")
    vote_area = fields.Float(
        compute="_compute_vote_area",
        digits=(10, 4),
        string="Area for votes, m²",
        help="Area of the premise counted for votes, times the share.",
    )

    portal_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_portal_partner_ids",
        search="_search_portal_partner_ids",
        string="Seen by residents",
        groups="base.group_user",
        help="Residents who see this ownership today: the people with access to an account of the premise, "
        "while the ownership is current (never the previous owners).",
    )

    _share_valid = models.Constraint(
        "CHECK(share_numerator > 0 AND share_denominator > 0 AND share_numerator <= share_denominator)",
        "A share must be a fraction between 0 and 1, e.g. 1/2.",
    )
    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "Ownership cannot end before it starts."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("share_numerator", "share_denominator")
    def _compute_share_display(self):
        for rec in self:
            rec.share_display = f"{rec.share_numerator}/{rec.share_denominator}"

    @api.depends("share_numerator", "share_denominator", "premise_id.vote_area")
    def _compute_vote_area(self):
        for rec in self:
            rec.vote_area = (
                float(rec.share * Fraction(str(rec.premise_id.vote_area or 0))) if rec.share_denominator else 0.0
            )

    @property
    def share(self):
        """The exact share as a Fraction (the record must be a singleton)."""
        self.ensure_one()
        return Fraction(self.share_numerator, self.share_denominator or 1)

    @api.depends("premise_id", "date_start", "date_end")
    def _compute_portal_partner_ids(self):
        today = self.env["osmd.account"]._osmd_access_today()
        for rec in self:
            current = rec._is_valid_on(today)
            rec.portal_partner_ids = (
                rec.premise_id.sudo().account_ids.portal_partner_ids if current else self.env["res.partner"]
            )

    def _search_portal_partner_ids(self, operator, value):
        """Current ownerships of the premises whose accounts the partners in ``value`` see today (record
        rule of residents)."""
        if operator != "in":
            return NotImplemented
        Account = self.env["osmd.account"]
        partners = Domain("portal_partner_ids", "in", list(value))
        return Domain("premise_id", "any", Domain("account_ids", "any", partners)) & self._get_valid_on_domain(
            Account._osmd_access_today()
        )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("premise_id", "share_numerator", "share_denominator", "date_start", "date_end")
    def _check_shares(self):
        if self.env.context.get("osmd_defer_share_check"):
            return
        self._check_premise_shares(self.premise_id)

    @api.model
    def _check_premise_shares(self, premises):
        """Shares of each premise valid on any date sum to exactly 1 (or nothing is recorded)."""
        if not premises:
            return
        self.flush_model()
        by_premise = self.sudo().search([("premise_id", "in", premises.ids)]).grouped("premise_id")
        problems = []
        for premise, ownerships in by_premise.items():
            periods = [(o.date_start, o.date_end, o.share) for o in ownerships if o.share_denominator]
            for start, end, total in share_errors(periods):
                problems.append(
                    self.env._(
                        "%(premise)s: on %(period)s the owners' shares sum to %(total)s instead of 1.",
                        premise=premise.display_name,
                        period=format_period(start, end),
                        total=format_share(total),
                    )
                )
        if problems:
            raise ValidationError("\n".join(problems))

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._osmd_check_share_input(vals, vals.get("share_numerator", 1), vals.get("share_denominator", 1))
        return super().create(vals_list)

    def write(self, vals):
        if {"share_numerator", "share_denominator"} & vals.keys():
            for ownership in self:
                ownership._osmd_check_share_input(
                    vals,
                    vals.get("share_numerator", ownership.share_numerator),
                    vals.get("share_denominator", ownership.share_denominator),
                )
        return super().write(vals)

    def _osmd_check_share_input(self, vals, numerator, denominator):
        """A typed share is refused by name before the database sees it."""
        check_bounds(self, vals, SHARE_BOUNDS, self.env._("Ownership share"))
        if numerator and denominator and numerator > denominator:
            raise ValidationError(
                self.env._(
                    "The share %(numerator)s/%(denominator)s is more than the whole premise: the numerator "
                    "cannot exceed the denominator (e.g. 1/2, 1/3, 1/1).",
                    numerator=numerator,
                    denominator=denominator,
                )
            )

    @api.depends("partner_id", "share_numerator", "share_denominator")
    def _compute_display_name(self):
        for rec in self:
            rec.display_name = f"{rec.partner_id.name or ''} {rec.share_display}"
