from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    osmd_account_id = fields.Many2one(
        "osmd.account",
        string="Personal account",
        index=True,
        ondelete="restrict",
        check_company=True,
        copy=False,
        readonly=True,
    )
    osmd_period = fields.Date(string="Billing period", index=True, copy=False, readonly=True)
    osmd_is_accrual = fields.Boolean(
        string="Monthly accrual",
        copy=False,
        readonly=True,
        help="The invoice is the monthly accrual of its personal account and period (at most one each); "
        "cleared when its billing run is cancelled and the invoice reversed.",
    )
    osmd_billing_run_id = fields.Many2one(
        "osmd.billing.run", string="Billing run", index=True, copy=False, readonly=True, ondelete="restrict"
    )

    _osmd_accrual_uniq = models.UniqueIndex(
        "(osmd_account_id, osmd_period) WHERE osmd_is_accrual AND move_type = 'out_invoice' AND state != 'cancel'",
        "This personal account has already been billed for the period: use a recalculation.",
    )
