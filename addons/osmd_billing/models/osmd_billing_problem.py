from odoo import fields, models

PROBLEM_SEVERITIES = [("blocking", "Blocking"), ("warning", "Warning")]
PROBLEM_KINDS = [
    ("no_reading", "No meter reading"),
    ("house_consumption", "House consumption not done"),
    ("subsidy_capped", "Subsidy exceeds the charges"),
    ("no_holder", "No account holder"),
    ("no_tariff", "No tariff"),
    ("no_journal", "No sales journal"),
    ("other", "Other"),
]


class OsmdBillingProblem(models.Model):
    _name = "osmd.billing.problem"
    _description = "Billing run problem"
    _order = "run_id, severity, account_id, id"
    _check_company_auto = True

    run_id = fields.Many2one("osmd.billing.run", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True, precompute=True)
    severity = fields.Selection(PROBLEM_SEVERITIES, required=True, default="blocking")
    kind = fields.Selection(PROBLEM_KINDS, required=True, default="other", index=True)
    account_id = fields.Many2one("osmd.account", string="Personal account", check_company=True)
    product_id = fields.Many2one("product.product", string="Service")
    message = fields.Char(required=True)
