from odoo import api, fields, models
from odoo.exceptions import UserError


class OsmdPaymentBook(models.TransientModel):
    """Bank lines that are not residents' payments (bank fees, outgoing payments, grants, refunds) booked to an
    account of the ledger by a separate entry, so that they leave the bank journal's suspense account."""

    _name = "osmd.payment.book"
    _description = "Book bank lines to an account"

    statement_line_ids = fields.Many2many("account.bank.statement.line", string="Bank lines", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    account_id = fields.Many2one(
        "account.account",
        string="Account",
        required=True,
        domain="[('company_ids', 'in', company_id), "
        "('account_type', 'not in', ('asset_receivable', 'liability_payable', 'off_balance'))]",
        help="Bank fees to the expense account, a grant to income, a transfer between own accounts to the other bank "
        "account or a transit account.",
    )
    label = fields.Char(help="Text of the entry's items; the purpose of each bank line when empty.")
    count = fields.Integer(compute="_compute_totals", string="Lines")
    total = fields.Monetary(compute="_compute_totals", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("statement_line_ids")
    def _compute_totals(self):
        for wizard in self:
            wizard.count = len(wizard.statement_line_ids)
            wizard.total = sum(wizard.statement_line_ids.mapped("amount"))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        lines = self.env["account.bank.statement.line"].browse(self.env.context.get("active_ids") or [])
        if lines:
            if len(lines.company_id) > 1:
                raise UserError(self.env._("Choose the bank lines of one association."))
            values.update(statement_line_ids=[fields.Command.set(lines.ids)], company_id=lines.company_id.id)
        return values

    def action_book(self):
        self.ensure_one()
        if not self.statement_line_ids:
            raise UserError(self.env._("Choose the bank lines to book."))
        self.statement_line_ids._osmd_book(self.account_id, label=self.label)
        return {"type": "ir.actions.act_window_close"}
