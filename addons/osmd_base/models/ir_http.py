from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"
