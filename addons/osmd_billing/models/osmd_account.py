from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.fields import Domain

from ..tools.aging import age_debts, months_between


class OsmdAccount(models.Model):
    """Balance and debt aging of a personal account, always read from the ledger.

    The ledger of a personal account is the receivable journal items of the posted entries whose
    ``osmd_account_id`` is the account: its accrual invoices, credit notes, and payments once they are
    linked to the account. Payments recorded for the holder only (partner-based) count through the
    reconciliation: a payment reconciled with an invoice lowers that invoice's open amount.

    balance = sum of ``amount_residual`` (company currency) of those items: positive is a debt,
    negative an advance. Nothing here is stored or written by hand.
    """

    _inherit = "osmd.account"

    currency_id = fields.Many2one(related="company_id.currency_id")
    balance = fields.Monetary(
        compute="_compute_debt",
        help="Open amount of the account's posted invoices, credit notes and payments: positive is a debt, "
        "negative an advance payment.",
    )
    overdue_amount = fields.Monetary(compute="_compute_debt", string="Overdue", help="Debt past its due date.")
    debt_0_30 = fields.Monetary(
        compute="_compute_debt", string="Debt 0–30 days", help="Not yet due or at most 30 days overdue."
    )
    debt_31_90 = fields.Monetary(compute="_compute_debt", string="Debt 31–90 days")
    debt_91_180 = fields.Monetary(compute="_compute_debt", string="Debt 91–180 days")
    debt_180_plus = fields.Monetary(compute="_compute_debt", string="Debt over 180 days")
    oldest_due_date = fields.Date(
        compute="_compute_debt", string="Oldest unpaid due date", help="Due date of the oldest unpaid invoice."
    )
    months_overdue = fields.Integer(
        compute="_compute_debt",
        string="Months overdue",
        help="Whole months since the due date of the oldest unpaid invoice.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends_context("date")
    def _compute_debt(self):
        today = self._osmd_debt_date()
        items = self._get_open_items()
        for account in self:
            aging = age_debts(items.get(account._origin.id, []), today)
            account.balance = float(sum((amount for _due, amount in items.get(account._origin.id, [])), Decimal(0)))
            account.overdue_amount = float(aging["overdue"])
            account.debt_0_30 = float(aging["0_30"])
            account.debt_31_90 = float(aging["31_90"])
            account.debt_91_180 = float(aging["91_180"])
            account.debt_180_plus = float(aging["180_plus"])
            account.oldest_due_date = aging["oldest_due"]
            account.months_overdue = months_between(aging["oldest_due"], today) if aging["overdue"] else 0

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _osmd_debt_date(self):
        """The day debts are aged on: ``date`` in the context, else today."""
        return fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)

    @api.model
    def _get_ledger_domain(self, accounts):
        """Receivable journal items of the posted entries of ``accounts`` (the accounts' ledger)."""
        return (
            Domain("move_id.osmd_account_id", "in", accounts.ids)
            & Domain("parent_state", "=", "posted")
            & Domain("account_type", "=", "asset_receivable")
        )

    def _get_open_items(self):
        """{account id: [(due date, open amount as Decimal)]} in one grouped query."""
        accounts = self._origin.filtered("id")
        if not accounts:
            return {}
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                self._get_ledger_domain(accounts) & Domain("amount_residual", "!=", 0),
                ["move_id.osmd_account_id", "date_maturity:day"],
                ["amount_residual:sum"],
            )
        )
        result = defaultdict(list)
        for account, due, amount in groups:
            result[account.id].append((due, Decimal(str(amount)).quantize(Decimal("0.01"))))
        return result

    def _get_open_debt_lines(self):
        """The open items of the account, oldest first, for reminder letters: unpaid invoices and
        credits not applied yet (negative); they add up to the balance."""
        self.ensure_one()
        today = self._osmd_debt_date()
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                self._get_ledger_domain(self) & Domain("amount_residual", "!=", 0),
                order="date_maturity, id",
            )
        )
        return [
            {
                "move": line.move_id,
                "name": line.move_id.name,
                "period": line.move_id.osmd_period,
                "date_due": line.date_maturity,
                "amount": line.amount_residual,
                "days_overdue": max((today - line.date_maturity).days, 0)
                if line.date_maturity and line.amount_residual > 0
                else 0,
            }
            for line in lines
        ]
