from odoo import api, fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    osmd_account_id = fields.Many2one(
        "osmd.account",
        string="Personal account",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="The personal account paid by this transaction: the payment is posted to it when the provider "
        "confirms it.",
    )

    @api.model
    def _compute_reference_prefix(self, separator, **values):
        # the account's number: what the accountant and the provider's reports show
        account_id = values.get("osmd_account_id")
        if account_id:
            return self.env["osmd.account"].sudo().browse(account_id).number
        return super()._compute_reference_prefix(separator, **values)

    def _create_child_transaction(self, amount, is_refund=False, **custom_create_values):
        # a refund or a partial capture pays (or takes back from) the same personal account
        if self.osmd_account_id:
            custom_create_values.setdefault("osmd_account_id", self.osmd_account_id.id)
        return super()._create_child_transaction(amount, is_refund=is_refund, **custom_create_values)

    def _process(self, provider_code, payment_data):
        tx = super()._process(provider_code, payment_data)
        # a card payment is on the account's balance the moment the provider confirms it (its callback), not when
        # the payer's browser comes back nor at the next run of the post-processing job
        # (refunds made at the provider and recorded from the same callback included)
        (tx | tx.child_transaction_ids).filtered(
            lambda t: t.osmd_account_id and t.state == "done" and not t.is_post_processed
        )._post_process()
        return tx

    def _create_payment(self, **extra_create_values):
        if not self.osmd_account_id:
            return super()._create_payment(**extra_create_values)
        account = self.osmd_account_id
        # the ledger of the association knows the account's holder, whoever paid (a resident, a relative)
        payment = super()._create_payment(
            osmd_account_id=account.id, partner_id=account.holder_id.id, **extra_create_values
        )
        items = payment.move_id.line_ids.filtered(lambda line: line.account_id == payment.destination_account_id)
        if self.operation == "refund":
            self._osmd_take_back(items)
        else:
            self.env["account.move.line"].sudo()._osmd_reconcile_with_debts(items)
        return payment

    def _osmd_take_back(self, refund_items):
        """A refund takes its amount back from the payment it refunds: the payment's reconciliations are removed
        (its invoices are open again), the payment is reconciled with all its refunds, and what is left of it pays
        the account's debts again, oldest first. The invoices end up owing exactly what was refunded."""
        source = self.source_transaction_id
        paid = source.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id == source.payment_id.destination_account_id
        )
        if not paid:
            return
        refunds = source.child_transaction_ids.filtered(lambda tx: tx.operation == "refund").payment_id
        taken = refunds.move_id.line_ids.filtered(lambda line: line.account_id in paid.account_id) | refund_items
        paid.remove_move_reconcile()
        (paid | taken).reconcile()
        if not paid.reconciled:
            self.env["account.move.line"].sudo()._osmd_reconcile_with_debts(paid)
