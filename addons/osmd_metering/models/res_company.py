from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    osmd_reading_day_start = fields.Integer(
        string="Reading window opens on day",
        default=20,
        help="Day of the month from which residents may submit readings.",
    )
    osmd_reading_day_end = fields.Integer(
        string="Reading window closes on day",
        default=25,
        help="Last day of the month for readings of that month.",
    )
    osmd_verification_notice_days = fields.Integer(
        string="Warn before verification (days)",
        default=30,
        help="Engineers get an activity and residents a message this many days before a meter's verification is due.",
    )
    osmd_engineer_id = fields.Many2one(
        "res.users",
        string="Responsible engineer",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Receives the verification and reading-round activities.",
    )

    _osmd_reading_days_valid = models.Constraint(
        "CHECK(osmd_reading_day_start BETWEEN 1 AND 28 AND osmd_reading_day_end BETWEEN 1 AND 28)",
        "Reading window days must be between 1 and 28.",
    )

    @api.constrains("osmd_engineer_id")
    def _check_osmd_engineer(self):
        for company in self.sudo().filtered("osmd_engineer_id"):
            engineer = company.osmd_engineer_id
            if engineer.share or company not in engineer.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the responsible engineer must be a staff user of the association.",
                        company=company.name,
                    )
                )
