from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

RESIDENT_RELATIONS = [
    ("owner", "Owner"),
    ("family", "Family member"),
    ("tenant", "Tenant"),
    ("registered", "Registered person"),
]


class OsmdResident(models.Model):
    _name = "osmd.resident"
    _inherit = ["osmd.dated.mixin", "osmd.registry.trail"]
    _description = "Resident of a personal account"
    _order = "account_id, date_end desc, relation, id"
    _check_company_auto = True
    _osmd_trail_parent = "account_id"
    _osmd_trail_fields = ("partner_id", "relation", "date_start", "date_end", "is_counted", "has_portal_access")

    account_id = fields.Many2one("osmd.account", required=True, index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True, precompute=True)
    premise_id = fields.Many2one(related="account_id.premise_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Person", required=True, index=True, ondelete="restrict")
    # contacts are for the staff: residents see who lives with them, not their phones and e-mails
    phone = fields.Char(related="partner_id.phone", readonly=False, groups="base.group_user")
    email = fields.Char(related="partner_id.email", readonly=False, groups="base.group_user")
    relation = fields.Selection(RESIDENT_RELATIONS, required=True, default="registered")
    date_start = fields.Date(string="From", required=True, default=fields.Date.context_today)
    date_end = fields.Date(string="Until")
    is_counted = fields.Boolean(
        string="Counted for per-person services",
        default=True,
        help="Counted in the number of persons used by per-person services and norms.",
    )
    has_portal_access = fields.Boolean(
        string="Resident cabinet access",
        default=True,
        help="The person sees this account's balance, receipts and meters in the resident cabinet.",
    )

    portal_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_portal_partner_ids",
        search="_search_portal_partner_ids",
        string="Seen by residents",
        groups="base.group_user",
        help="Residents who see this line today: the people with access to the account, while the line is "
        "current (never the residents before them).",
    )

    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "A residence cannot end before it starts."
    )

    @api.constrains("account_id", "partner_id", "date_start", "date_end")
    def _check_no_overlap(self):
        for rec in self:
            same = rec.account_id.resident_ids.filtered(lambda r, rec=rec: r.partner_id == rec.partner_id and r != rec)
            for other in same:
                if (not other.date_end or other.date_end >= rec.date_start) and (
                    not rec.date_end or rec.date_end >= other.date_start
                ):
                    raise ValidationError(
                        self.env._(
                            "%(person)s is already a resident of account %(account)s in an overlapping period.",
                            person=rec.partner_id.name,
                            account=rec.account_id.number,
                        )
                    )

    @api.depends("account_id", "date_start", "date_end")
    def _compute_portal_partner_ids(self):
        today = self.env["osmd.account"]._osmd_access_today()
        for rec in self:
            current = rec._is_valid_on(today)
            rec.portal_partner_ids = rec.account_id.sudo().portal_partner_ids if current else self.env["res.partner"]

    def _search_portal_partner_ids(self, operator, value):
        """Current lines of the accounts the partners in ``value`` see today (record rule of residents)."""
        if operator != "in":
            return NotImplemented
        Account = self.env["osmd.account"]
        return Domain("account_id", "any", Domain("portal_partner_ids", "in", list(value))) & self._get_valid_on_domain(
            Account._osmd_access_today()
        )
