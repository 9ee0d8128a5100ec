from datetime import datetime

import pytz

from odoo import fields, models
from odoo.fields import Command

from odoo.addons.osmd_billing.tools.money import round_money

from ..tools.gateway import GatewayError, _lt


class OsmdPaymentAgentTransaction(models.Model):
    """One payment taken by an agent: posted to the personal account when it was made, once per (agent, transaction
    id), cancelled only on its day by a reversing entry."""

    _name = "osmd.payment.agent.transaction"
    _description = "Payment taken by an agent"
    _order = "id desc"
    _check_company_auto = True

    agent_id = fields.Many2one("osmd.payment.agent", string="Agent", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="agent_id.company_id", store=True, string="Association", index=True)
    txn_id = fields.Char(string="Agent's transaction", required=True, readonly=True)
    account_id = fields.Many2one(
        "osmd.account", string="Personal account", required=True, readonly=True, index=True, check_company=True
    )
    amount = fields.Monetary(readonly=True, required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Payment date", required=True, readonly=True)
    services = fields.Json(readonly=True, help="The split by service the agent sent, as it sent it.")
    state = fields.Selection(
        [("pending", "Reserved"), ("paid", "Paid"), ("cancelled", "Cancelled")],
        default="paid",
        required=True,
        readonly=True,
        index=True,
        help="Reserved: announced by the agent, waiting for its confirmation (two-step protocols); nothing booked.",
    )
    move_id = fields.Many2one("account.move", string="Entry", readonly=True, copy=False)
    registry_id = fields.Many2one(
        "osmd.payment.registry",
        string="Settled by registry",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The collector's registry whose transfer brought this payment's money to the bank account.",
    )
    cancelled_at = fields.Datetime(readonly=True, copy=False)

    _agent_txn_uniq = models.Constraint("UNIQUE(agent_id, txn_id)", "An agent's transaction is taken only once.")

    def _osmd_replay(self, number, amount):
        """The same transaction sent again: the same answer, or a conflict when it says something else."""
        self.ensure_one()
        if round_money(self.amount) != amount or self.account_id.number.lstrip("0") != str(number or "").strip().lstrip(
            "0"
        ):
            raise GatewayError(
                "conflict",
                _lt("Payment %(txn)s was already taken for account %(account)s and %(amount)s."),
                txn=self.txn_id,
                account=self.account_id.number,
                amount=f"{round_money(self.amount):.2f}",
            )
        return self._osmd_answer()

    def _osmd_post(self):
        """The entry of the payment (settlement account of the agent → the account's receivable), posted and
        reconciled with the account's invoices at once, oldest first (or by service priority)."""
        self.ensure_one()
        agent, account = self.agent_id, self.account_id
        holder = account.holder_id
        receivable = holder.with_company(agent.company_id).property_account_receivable_id
        label = self.env._(
            "%(agent)s payment %(txn)s for personal account %(account)s",
            agent=agent.name,
            txn=self.txn_id,
            account=account.number,
        )
        Move = self.env["account.move"].sudo().with_context(osmd_defer_advances=True)
        move = Move._osmd_book_agent_payment(
            self,
            {
                "move_type": "entry",
                "journal_id": agent.journal_id.id,
                "company_id": agent.company_id.id,
                "date": self.date,
                "ref": label,
                "osmd_account_id": account.id,
                "osmd_agent_transaction_id": self.id,
                "partner_id": holder.id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": agent.clearing_account_id.id,
                            "partner_id": holder.id,
                            "name": label,
                            "balance": self.amount,
                        }
                    ),
                    Command.create(
                        {"account_id": receivable.id, "partner_id": holder.id, "name": label, "balance": -self.amount}
                    ),
                ],
            },
        )
        self.write({"move_id": move.id, "state": "paid"})
        self.env["account.move.line"].sudo()._osmd_reconcile_with_debts(
            move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        )

    def _osmd_cancel(self):
        """Cancel the payment on the day it was made: a new entry reverses it, the invoices it paid are open again as
        they were. Cancelling twice answers the same."""
        self.ensure_one()
        if self.state == "cancelled":
            return
        if self.state == "pending":
            self.write({"state": "cancelled", "cancelled_at": fields.Datetime.now()})
            return
        if self.registry_id:
            raise GatewayError(
                "cancel_refused",
                _lt("Payment %(txn)s is already settled by the collector's registry %(registry)s."),
                txn=self.txn_id,
                registry=self.registry_id.name,
            )
        tz = pytz.timezone("Europe/Kyiv")
        today = datetime.now(tz).date()
        if self.date != today or self.create_date.replace(tzinfo=pytz.utc).astimezone(tz).date() != today:
            raise GatewayError(
                "cancel_refused",
                _lt("Payment %(txn)s can be cancelled only on the day it was made (%(date)s)."),
                txn=self.txn_id,
                date=self.date.isoformat(),
            )
        self.move_id._osmd_reverse_entries(
            lambda move: self.env._("Reversal of %(entry)s: cancelled by the agent", entry=move.name)
        )
        self.write({"state": "cancelled", "cancelled_at": fields.Datetime.now()})
        # other payments waiting as advances pay the invoices that are open again
        self.env["account.move"]._osmd_apply_account_advances(self.account_id)

    def _osmd_answer(self):
        self.ensure_one()
        self.account_id.invalidate_recordset(["balance"])
        return {
            "transaction_id": self.txn_id,
            "payment_id": self.id,
            "account": self.account_id.number,
            "amount": f"{round_money(self.amount):.2f}",
            "date": self.date.isoformat(),
            "state": self.state,
            "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
            "balance": f"{round_money(self.account_id.balance):.2f}",
        }
