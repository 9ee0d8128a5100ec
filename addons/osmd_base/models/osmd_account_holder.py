from odoo import api, fields, models
from odoo.exceptions import ValidationError

HOLDER_REASONS = [
    ("opening", "Account opened"),
    ("sale", "Sale"),
    ("inheritance", "Inheritance"),
    ("gift", "Gift"),
    ("court", "Court decision"),
    ("other", "Other"),
]


class OsmdAccountHolder(models.Model):
    _name = "osmd.account.holder"
    _inherit = ["osmd.dated.mixin", "osmd.registry.trail"]
    _description = "Holder of a personal account over time"
    _order = "account_id, date_start desc, id desc"
    _check_company_auto = True
    _osmd_trail_parent = "account_id"
    _osmd_trail_fields = ("partner_id", "date_start", "date_end", "reason", "document")

    account_id = fields.Many2one("osmd.account", required=True, index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True, precompute=True)
    partner_id = fields.Many2one("res.partner", string="Holder", required=True, index=True, ondelete="restrict")
    date_start = fields.Date(string="From", required=True)
    date_end = fields.Date(string="Until")
    reason = fields.Selection(HOLDER_REASONS, default="opening", required=True)
    document = fields.Char(help="Title document of the change, e.g. contract of sale No. 123 of 01.02.2026.")

    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "A holder period cannot end before it starts."
    )

    @api.constrains("account_id", "date_start", "date_end")
    def _check_no_overlap(self):
        for account in self.account_id:
            lines = account.holder_line_ids.sorted("date_start")
            for previous, line in zip(lines, lines[1:], strict=False):
                if not previous.date_end or previous.date_end >= line.date_start:
                    raise ValidationError(
                        self.env._(
                            "Account %(account)s: holder periods of %(first)s and %(second)s overlap.",
                            account=account.number,
                            first=previous.partner_id.name,
                            second=line.partner_id.name,
                        )
                    )
