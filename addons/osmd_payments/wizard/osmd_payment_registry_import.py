import base64

from odoo import fields, models


class OsmdPaymentRegistryImport(models.TransientModel):
    _name = "osmd.payment.registry.import"
    _description = "Import a collector's registry"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    collector_id = fields.Many2one("osmd.payment.collector", string="Collector", required=True, check_company=True)
    number = fields.Char(
        string="Registry number", help="Leave empty when the file or its name says it (e.g. 'reestr_123.csv')."
    )
    file = fields.Binary(required=True, string="Registry file")
    filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        registry = self.env["osmd.payment.registry"]._osmd_import(
            self.collector_id, base64.b64decode(self.file), self.filename, number=self.number or ""
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "osmd.payment.registry",
            "res_id": registry.id,
            "view_mode": "form",
            "target": "current",
        }
