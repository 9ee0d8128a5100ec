from odoo import fields, models


class OsmdRecalculationLine(models.Model):
    """The difference of one personal account × service between what was posted for the period and
    what it amounts to now."""

    _name = "osmd.recalculation.line"
    _description = "Recalculation line"
    _order = "recalculation_id, account_id, product_id, id"
    _check_company_auto = True

    recalculation_id = fields.Many2one("osmd.recalculation", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recalculation_id.company_id", store=True, index=True, precompute=True)
    account_id = fields.Many2one(
        "osmd.account", string="Personal account", required=True, index=True, check_company=True
    )
    partner_id = fields.Many2one("res.partner", string="Holder", index=True)
    product_id = fields.Many2one("product.product", string="Service", required=True, index=True)
    currency_id = fields.Many2one(related="recalculation_id.currency_id")
    old_amount = fields.Monetary(string="Posted")
    new_amount = fields.Monetary(string="Recalculated")
    difference = fields.Monetary(aggregator="sum")
    old_explanation = fields.Char(string="Posted explanation")
    new_explanation = fields.Char(string="New explanation")
    explanation = fields.Char(required=True, help="Text of the adjustment invoice or credit note line.")
    move_id = fields.Many2one("account.move", string="Document", index=True, readonly=True)
