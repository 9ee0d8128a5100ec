from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from odoo.addons.osmd_billing.tools.money import round_money


class OsmdPaymentSplit(models.TransientModel):
    """One bank payment for several personal accounts (a payer paying for two flats in one transfer): shared among
    them in the review queue."""

    _name = "osmd.payment.split"
    _description = "Split a bank payment among personal accounts"

    statement_line_id = fields.Many2one(
        "account.bank.statement.line", string="Bank payment", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="statement_line_id.company_id")
    currency_id = fields.Many2one(related="statement_line_id.currency_id")
    amount = fields.Monetary(related="statement_line_id.amount", string="Payment")
    purpose = fields.Char(related="statement_line_id.payment_ref", string="Purpose")
    line_ids = fields.One2many("osmd.payment.split.line", "wizard_id", string="Parts")
    total = fields.Monetary(compute="_compute_total", string="Shared")
    difference = fields.Monetary(compute="_compute_total", string="Left to share")

    @api.depends("line_ids.amount", "amount")
    def _compute_total(self):
        for wizard in self:
            total = sum((round_money(line.amount) for line in wizard.line_ids), round_money(0))
            wizard.total = float(total)
            wizard.difference = float(round_money(wizard.amount) - total)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        line = self.env["account.bank.statement.line"].browse(
            values.get("statement_line_id") or self.env.context.get("active_id")
        )
        if not line:
            return values
        line.check_access("write")
        line._osmd_check_matchable()
        values["statement_line_id"] = line.id
        # the accounts found in the purpose first, each prefilled with its debt while the payment lasts
        suggestions = line.osmd_suggestion_ids.sorted(lambda s: (s.rule != "number", -s.confidence, s.id))
        left = round_money(line.amount)
        rows = []
        for suggestion in suggestions[:4]:
            part = min(max(round_money(suggestion.balance), round_money(0)), left)
            left -= part
            rows.append(Command.create({"account_id": suggestion.account_id.id, "amount": float(part)}))
        if rows and left > 0:
            rows[-1][2]["amount"] = float(round_money(rows[-1][2]["amount"]) + left)
        values["line_ids"] = rows
        return values

    def action_split(self):
        self.ensure_one()
        if self.statement_line_id.company_id not in self.env.companies:
            raise UserError(self.env._("This payment belongs to another association."))
        self.statement_line_id._osmd_split([(row.account_id, row.amount) for row in self.line_ids])
        return {"type": "ir.actions.act_window_close"}


class OsmdPaymentSplitLine(models.TransientModel):
    _name = "osmd.payment.split.line"
    _description = "Part of a split bank payment"

    wizard_id = fields.Many2one("osmd.payment.split", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    account_id = fields.Many2one(
        "osmd.account", string="Personal account", required=True, domain="[('company_id', '=', company_id)]"
    )
    holder_id = fields.Many2one(related="account_id.holder_id", string="Holder")
    balance = fields.Monetary(related="account_id.balance", string="Owes")
    amount = fields.Monetary(string="Part of the payment", required=True)
