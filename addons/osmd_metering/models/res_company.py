from odoo import fields, models


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
        domain="[('share', '=', False)]",
        help="Receives the verification and reading-round activities.",
    )

    _osmd_reading_days_valid = models.Constraint(
        "CHECK(osmd_reading_day_start BETWEEN 1 AND 28 AND osmd_reading_day_end BETWEEN 1 AND 28)",
        "Reading window days must be between 1 and 28.",
    )
