from odoo import models
from odoo.fields import Command


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _add_missing_default_values(self, values):
        # same as the template: no default sale tax on a condominium service
        if values.get("osmd_basis"):
            values.setdefault("type", "service")
            values.setdefault("taxes_id", [Command.clear()])
            # the association's services category: its income account is the services revenue account (703)
            if "categ_id" not in values:
                company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
                category = company.sudo().osmd_service_categ_id
                if category:
                    values["categ_id"] = category.id
        return super()._add_missing_default_values(values)
