from odoo import fields, models
from odoo.exceptions import UserError


class AccountPayment(models.Model):
    _inherit = "account.payment"

    osmd_account_id = fields.Many2one(
        "osmd.account",
        string="Personal account",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="restrict",
        check_company=True,
        help="The personal account this payment was made for (online, by card): its entry is on the account's balance.",
    )

    def write(self, vals):
        # the account a payment belongs to is set when the payment is made, never moved to another account
        if "osmd_account_id" in vals and not self.env.su:
            raise UserError(self.env._("The personal account of a payment cannot be changed."))
        return super().write(vals)

    def _generate_move_vals(self, write_off_line_vals=None, force_balance=None, line_ids=None):
        vals = super()._generate_move_vals(write_off_line_vals, force_balance, line_ids)
        if self.osmd_account_id:
            vals["osmd_account_id"] = self.osmd_account_id.id
        return vals
