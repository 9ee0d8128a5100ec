from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

from odoo.addons.osmd_billing.tools.money import round_money


class OsmdPaymentRegistry(models.Model):
    """The collector's registry settles the payments its agent already booked online: they are not booked to the
    accounts a second time; the transfer clears the agent's settlement account instead (the day's reconciliation)."""

    _inherit = "osmd.payment.registry"

    agent_transaction_ids = fields.One2many(
        "osmd.payment.agent.transaction", "registry_id", string="Online payments settled", readonly=True
    )

    def _osmd_agent_matches(self):
        """{registry line: agent's payment} for the lines an agent of the registry's collector already took."""
        self.ensure_one()
        lines = self.line_ids.filtered("txn_id")
        if not lines or not self.collector_id:
            return {}
        payments = (
            self.env["osmd.payment.agent.transaction"]
            .sudo()
            .search(
                Domain("agent_id.collector_id", "=", self.collector_id.id)
                & Domain("company_id", "=", self.company_id.id)
                & Domain("txn_id", "in", lines.mapped("txn_id"))
            )
        )
        by_txn = {payment.txn_id: payment for payment in payments}
        return {line: by_txn[line.txn_id] for line in lines if line.txn_id in by_txn}

    def _osmd_lines_to_book(self):
        matches = self._osmd_agent_matches()
        for line, payment in matches.items():
            problem = None
            if payment.state == "cancelled":
                problem = self.env._("the agent cancelled this payment, the registry still pays it")
            elif payment.state == "pending":
                problem = self.env._("the agent never confirmed this payment, the registry pays it")
            elif payment.registry_id and payment.registry_id != self:
                problem = self.env._("already settled by %(registry)s", registry=payment.registry_id.name)
            elif round_money(payment.amount) != round_money(line.amount):
                problem = self.env._(
                    "the agent took %(taken)s, the registry says %(amount)s",
                    taken=f"{payment.amount:.2f}",
                    amount=f"{line.amount:.2f}",
                )
            elif payment.account_id != line.account_id:
                problem = self.env._(
                    "the agent paid personal account %(taken)s, the registry says %(account)s",
                    taken=payment.account_id.number,
                    account=line.account_id.number or "-",
                )
            if problem:
                raise UserError(
                    self.env._(
                        "%(registry)s, transaction %(txn)s: %(problem)s. Settle it with the collector first.",
                        registry=self.name,
                        txn=line.txn_id,
                        problem=problem,
                    )
                )
        taken = self.env["osmd.payment.registry.line"].browse([line.id for line in matches])
        return super()._osmd_lines_to_book() - taken

    def _osmd_settlement_vals(self, journal, suspense, day):
        vals_list = super()._osmd_settlement_vals(journal, suspense, day)
        by_account = defaultdict(float)
        for line, payment in self._osmd_agent_matches().items():
            by_account[payment.agent_id.clearing_account_id] += line.amount
        for account, amount in by_account.items():
            label = self.env._("%(registry)s: payments taken online by the agent", registry=self.name)
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "date": day,
                    "ref": label,
                    "osmd_registry_id": self.id,
                    "line_ids": [
                        Command.create({"account_id": suspense.id, "name": label, "balance": amount}),
                        Command.create({"account_id": account.id, "name": label, "balance": -amount}),
                    ],
                }
            )
        return vals_list

    def _osmd_after_split(self, entries):
        super()._osmd_after_split(entries)
        matches = self._osmd_agent_matches()
        if not matches:
            return
        payments = self.env["osmd.payment.agent.transaction"].browse([payment.id for payment in matches.values()])
        plan = []
        for account in payments.agent_id.clearing_account_id:
            plan.append(
                (entries.line_ids | payments.move_id.line_ids).filtered(
                    lambda item, account=account: item.account_id == account and not item.reconciled
                )
            )
        self.env["account.move.line"].sudo()._reconcile_plan(plan)
        payments.write({"registry_id": self.id})

    def action_unsplit(self):
        settled = self.sudo().agent_transaction_ids
        result = super().action_unsplit()
        settled.write({"registry_id": False})
        return result
