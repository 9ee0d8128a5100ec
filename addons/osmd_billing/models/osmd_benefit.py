from odoo import api, fields, models
from odoo.exceptions import ValidationError


class OsmdBenefit(models.Model):
    """A benefit (пільга): a percentage of a service's accrual not charged to the account, over dates."""

    _name = "osmd.benefit"
    _description = "Benefit"
    _inherit = ["mail.thread"]
    _order = "company_id, account_id, product_id, date_start desc, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    account_id = fields.Many2one(
        "osmd.account",
        string="Personal account",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('osmd_basis', '!=', False)]",
        tracking=True,
    )
    percent = fields.Float(string="Discount, %", digits=(5, 2), required=True, tracking=True)
    category = fields.Char(help="Benefit category and document, e.g. 'Combatant, certificate No. 123'.")
    date_start = fields.Date(required=True, tracking=True)
    date_end = fields.Date(tracking=True)

    _percent_valid = models.Constraint(
        "CHECK(percent > 0 AND percent <= 100)", "A benefit is between 0 and 100 percent."
    )
    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "A benefit cannot end before it starts."
    )

    @api.constrains("account_id", "product_id", "date_start", "date_end")
    def _check_overlap(self):
        for benefit in self:
            others = self.sudo().search(
                [
                    ("id", "!=", benefit.id),
                    ("account_id", "=", benefit.account_id.id),
                    ("product_id", "=", benefit.product_id.id),
                ]
            )
            for other in others:
                if other.date_start <= (benefit.date_end or other.date_start) and benefit.date_start <= (
                    other.date_end or benefit.date_start
                ):
                    raise ValidationError(
                        self.env._(
                            "Personal account %(account)s already has a benefit for %(service)s over these dates.",
                            account=benefit.account_id.number,
                            service=benefit.product_id.display_name,
                        )
                    )
