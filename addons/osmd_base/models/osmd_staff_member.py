from odoo import fields, models

STAFF_ROLES = [
    ("engineer", "Engineer"),
    ("audit", "Audit commission"),
    ("accountant", "Accountant"),
    ("board", "Board member"),
    ("chairman", "Chairman"),
]

ROLE_GROUPS = {
    "engineer": "osmd_base.group_osmd_engineer",
    "audit": "osmd_base.group_osmd_audit",
    "accountant": "osmd_base.group_osmd_accountant",
    "board": "osmd_base.group_osmd_board",
    "chairman": "osmd_base.group_osmd_chairman",
}


class OsmdStaffMember(models.Model):
    _name = "osmd.staff.member"
    _description = "Staff user of an association"
    _inherit = ["mail.thread"]
    _order = "company_id, role desc, name"

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    name = fields.Char(required=True, tracking=True)
    email = fields.Char(required=True, tracking=True, help="Login and address of the invitation.")
    phone = fields.Char()
    role = fields.Selection(STAFF_ROLES, required=True, default="engineer", tracking=True)
    user_id = fields.Many2one("res.users", readonly=True, copy=False, ondelete="restrict")
    active = fields.Boolean(default=True, tracking=True)
    login_date = fields.Datetime(related="user_id.login_date", string="Last login")

    _user_company_uniq = models.Constraint(
        "UNIQUE(company_id, user_id)", "This user is already a staff member of the association."
    )
