from odoo import fields, models


class OsmdAssociationCreate(models.TransientModel):
    _name = "osmd.association.create"
    _description = "New association"

    name = fields.Char(required=True)
