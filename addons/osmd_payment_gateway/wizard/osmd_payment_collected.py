from odoo import api, models


class OsmdPaymentCollected(models.TransientModel):
    _inherit = "osmd.payment.collected"

    @api.model
    def _is_payment(self, move):
        return super()._is_payment(move) or bool(move.osmd_agent_transaction_id)
