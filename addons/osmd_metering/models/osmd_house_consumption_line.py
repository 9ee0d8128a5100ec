from odoo import fields, models


class OsmdHouseConsumptionLine(models.Model):
    _name = "osmd.house.consumption.line"
    _description = "Share of house losses"
    _order = "consumption_id, premise_number_sort, id"
    _check_company_auto = True

    consumption_id = fields.Many2one(
        "osmd.house.consumption",
        string="House consumption",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="consumption_id.company_id", store=True, index=True, precompute=True)
    building_id = fields.Many2one(related="consumption_id.building_id", store=True)
    utility_id = fields.Many2one(related="consumption_id.utility_id", store=True, index=True)
    period = fields.Date(related="consumption_id.period", store=True, index=True)
    state = fields.Selection(related="consumption_id.state", store=True, index=True)
    uom_id = fields.Many2one(related="consumption_id.uom_id", string="Unit")
    premise_id = fields.Many2one("osmd.premise", required=True, index=True, ondelete="restrict", check_company=True)
    premise_number_sort = fields.Integer(related="premise_id.number_sort", store=True)
    account_id = fields.Many2one(
        "osmd.account",
        string="Personal account",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    premise_consumption = fields.Float(digits=(16, 3), string="Premise's meters")
    weight = fields.Float(digits=(16, 3), help="Total area (m²) or registered persons.")
    quantity = fields.Float(digits=(16, 3), string="Share", help="Share of the difference billed to the premise.")
    explanation = fields.Char()
