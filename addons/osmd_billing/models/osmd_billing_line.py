from odoo import fields, models

LINE_KINDS = [("charge", "Charge"), ("benefit", "Benefit"), ("subsidy", "Subsidy")]


class OsmdBillingLine(models.Model):
    """One accrual of a billing run: a personal account × service (× tariff piece, × zone), with the
    explanation printed on the invoice and the receipt."""

    _name = "osmd.billing.line"
    _description = "Accrual line"
    _order = "run_id, building_id, premise_number_sort, account_id, sequence, id"
    _check_company_auto = True

    run_id = fields.Many2one("osmd.billing.run", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True, precompute=True)
    period = fields.Date(related="run_id.period", store=True, index=True)
    account_id = fields.Many2one(
        "osmd.account", string="Personal account", required=True, index=True, check_company=True
    )
    building_id = fields.Many2one(related="account_id.building_id", store=True, index=True)
    premise_number_sort = fields.Integer(related="account_id.premise_number_sort", store=True)
    partner_id = fields.Many2one("res.partner", string="Holder", index=True)
    product_id = fields.Many2one("product.product", string="Service", required=True, index=True)
    kind = fields.Selection(LINE_KINDS, required=True, default="charge")
    sequence = fields.Integer(default=10)
    tariff_id = fields.Many2one("osmd.tariff", index=True, ondelete="restrict")
    zone = fields.Integer(default=1)
    date_start = fields.Date(string="From")
    date_end = fields.Date(string="To")
    days = fields.Integer(help="Days of the month charged.")
    month_days = fields.Integer(string="Days in month")
    quantity = fields.Float(digits=(16, 3))
    currency_id = fields.Many2one(related="run_id.currency_id")
    price_unit = fields.Monetary(string="Price")
    amount = fields.Monetary(aggregator="sum")
    invoice_quantity = fields.Float(digits=(16, 2), help="Quantity put on the invoice line.")
    invoice_price_unit = fields.Monetary(help="Unit price put on the invoice line.")
    explanation = fields.Char(required=True)
    move_id = fields.Many2one("account.move", string="Invoice", index=True, readonly=True)
