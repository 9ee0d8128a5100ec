from odoo import models
from odoo.fields import Command


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _add_missing_default_values(self, values):
        # same as the template: no default sale tax on a condominium service
        if values.get("osmd_basis"):
            values.setdefault("type", "service")
            values.setdefault("taxes_id", [Command.clear()])
        return super()._add_missing_default_values(values)
