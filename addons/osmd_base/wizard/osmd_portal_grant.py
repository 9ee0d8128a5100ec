from odoo import fields, models


class OsmdPortalGrant(models.TransientModel):
    _name = "osmd.portal.grant"
    _description = "Grant resident cabinet access"

    account_ids = fields.Many2many("osmd.account")
