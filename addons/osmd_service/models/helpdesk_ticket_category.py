from odoo import fields, models

SERVICE_KINDS = [
    ("emergency", "Emergency"),
    ("repair", "Current repair"),
    ("paid", "Paid service"),
    ("complaint", "Complaint"),
    ("other", "Other"),
]


class HelpdeskTicketCategory(models.Model):
    """A category of the association's service requests: what kind of request it is, which team handles it and
    who gets it first (the reaction time is the team's SLA of the category)."""

    _inherit = "helpdesk.ticket.category"
    _check_company_auto = True

    osmd_kind = fields.Selection(SERVICE_KINDS, string="Kind of request", index=True)
    osmd_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Team", check_company=True, help="The team that handles these requests."
    )
    osmd_user_id = fields.Many2one(
        "res.users",
        string="Default assignee",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Who gets a new request of this category, usually the association's engineer.",
    )
