from odoo import api, fields, models


class OsmdSubsidy(models.Model):
    """A housing subsidy (субсидія) granted to a personal account for a month: a credit line on the
    month's invoice (never more than the month's charges)."""

    _name = "osmd.subsidy"
    _description = "Subsidy"
    _inherit = ["mail.thread"]
    _order = "company_id, period desc, account_id, id"
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
    period = fields.Date(required=True, index=True, tracking=True, help="First day of the month.")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True, tracking=True)
    note = fields.Char(help="Decision of the social protection office.")

    _amount_positive = models.Constraint("CHECK(amount > 0)", "A subsidy amount must be positive.")
    _account_period_uniq = models.Constraint(
        "UNIQUE(account_id, period)", "This personal account already has a subsidy for the period."
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("period"):
                vals["period"] = fields.Date.to_date(vals["period"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("period"):
            vals["period"] = fields.Date.to_date(vals["period"]).replace(day=1)
        return super().write(vals)
