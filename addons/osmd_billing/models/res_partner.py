from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    osmd_receipt_by_email = fields.Boolean(
        string="E-mail receipts",
        default=True,
        help="Send the monthly receipts to this contact by e-mail (when an e-mail address is known).",
    )
    osmd_sms_reminders = fields.Boolean(
        string="SMS reminders",
        default=True,
        help="Send payment reminders to this contact by SMS (when a mobile phone is known).",
    )
