from odoo import models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _osmd_account_vals(self, vals, batch_result):
        """A payment registered on invoices of one personal account belongs to that account: its entry is in the
        account's ledger (the resident's payments and account book, the turnover register)."""
        accounts = batch_result["lines"].move_id.osmd_account_id
        if len(accounts) == 1 and vals.get("payment_type", "inbound") == "inbound":
            vals["osmd_account_id"] = accounts.id
        return vals

    def _create_payment_vals_from_wizard(self, batch_result):
        return self._osmd_account_vals(super()._create_payment_vals_from_wizard(batch_result), batch_result)

    def _create_payment_vals_from_batch(self, batch_result):
        return self._osmd_account_vals(super()._create_payment_vals_from_batch(batch_result), batch_result)
