from odoo import fields, models


class OsmdLoginDenial(models.Model):
    """A staff login, API call or session refused by an association's allowlist.

    Written only by ``res.users._osmd_log_ip_denial`` (sudo, own cursor); read by
    the association's audit commission and chairman.
    """

    _name = "osmd.login.denial"
    _description = "Staff login refused by the IP allowlist"
    _order = "create_date desc, id desc"
    _log_access = True

    company_id = fields.Many2one(
        "res.company",
        string="Association",
        required=True,
        index=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one("res.users", index=True, ondelete="set null")
    login = fields.Char()
    ip_address = fields.Char(string="IP address")
    kind = fields.Selection(
        [
            ("login", "Login refused"),
            ("session", "Session ended"),
            ("apikey", "API key refused"),
        ],
        required=True,
        default="login",
    )
