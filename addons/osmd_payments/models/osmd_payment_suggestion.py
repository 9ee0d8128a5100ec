from odoo import fields, models

from .account_bank_statement_line import MATCH_RULES


class OsmdPaymentSuggestion(models.Model):
    """A personal account proposed for a bank payment waiting in the review queue."""

    _name = "osmd.payment.suggestion"
    _description = "Suggested personal account for a payment"
    _order = "statement_line_id, confidence desc, id"
    _check_company_auto = True

    statement_line_id = fields.Many2one("account.bank.statement.line", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="statement_line_id.company_id", store=True, string="Association")
    account_id = fields.Many2one(
        "osmd.account", string="Personal account", required=True, ondelete="cascade", check_company=True
    )
    holder_id = fields.Many2one(related="account_id.holder_id", string="Holder")
    premise_id = fields.Many2one(related="account_id.premise_id", string="Premise")
    balance = fields.Monetary(related="account_id.balance", currency_field="currency_id")
    currency_id = fields.Many2one(related="account_id.currency_id")
    confidence = fields.Integer()
    rule = fields.Selection(MATCH_RULES)
    detail = fields.Char(string="Found", help="What in the payment pointed to this account.")

    def action_confirm(self):
        """Confirm this suggestion: the payment goes to its account and closes its invoices."""
        self.ensure_one()
        self.statement_line_id._osmd_assign(self.account_id)
        return True
