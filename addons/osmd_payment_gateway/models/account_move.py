from odoo import api, fields, models
from odoo.fields import Domain


class AccountMove(models.Model):
    _inherit = "account.move"

    osmd_agent_transaction_id = fields.Many2one(
        "osmd.payment.agent.transaction",
        string="Agent's payment",
        index="btree_not_null",
        groups="account.group_account_readonly",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="The payment taken by a collector's agent that this entry posts.",
    )

    @api.model
    def _osmd_payment_item_domain(self):
        # payments taken by agents are payments too: their advances pay the next invoices
        domain = super()._osmd_payment_item_domain()
        return domain | (self._osmd_open_receivable_domain() & Domain("move_id.osmd_agent_transaction_id", "!=", False))
