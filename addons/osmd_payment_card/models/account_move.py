from odoo import api, models
from odoo.fields import Domain


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def _osmd_payment_item_domain(self):
        # card payments of personal accounts are payments too: their advances pay the next invoices
        domain = super()._osmd_payment_item_domain()
        return domain | (
            self._osmd_open_receivable_domain() & Domain("move_id.origin_payment_id.osmd_account_id", "!=", False)
        )
