from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, drop_view_if_exists

from ..tools.aging import months_between
from ..tools.formatting import fmt_number
from ..tools.money import to_decimal


class OsmdDebtorReport(models.Model):
    """Debtors: one row per personal account whose ledger balance is a debt (a PostgreSQL view).

    The balance is the sum of the open amounts of the account's posted receivable journal items, as
    ``osmd.account.balance``; the row id is the personal account's id.
    """

    _name = "osmd.debtor.report"
    _description = "Debtor"
    _auto = False
    _order = "balance desc, id"
    _rec_name = "account_id"
    _depends = {
        "account.move.line": ["move_id", "parent_state", "account_id", "amount_residual", "date_maturity"],
        "account.move": ["osmd_account_id"],
        "account.account": ["account_type"],
        "osmd.account": ["company_id", "building_id", "premise_id", "holder_id"],
    }

    account_id = fields.Many2one("osmd.account", string="Personal account", readonly=True)
    company_id = fields.Many2one("res.company", string="Association", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    building_id = fields.Many2one("osmd.building", readonly=True)
    premise_id = fields.Many2one("osmd.premise", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Holder", readonly=True)
    holder_phone = fields.Char(related="partner_id.phone")
    holder_email = fields.Char(related="partner_id.email")
    balance = fields.Monetary(string="Debt", readonly=True, aggregator="sum")
    oldest_due_date = fields.Date(string="Oldest unpaid due date", readonly=True)
    open_invoice_count = fields.Integer(string="Unpaid invoices", readonly=True, aggregator="sum")
    months_overdue = fields.Integer(
        string="Months overdue",
        compute="_compute_months_overdue",
        search="_search_months_overdue",
        help="Whole months since the due date of the oldest unpaid invoice.",
    )
    overdue_amount = fields.Monetary(related="account_id.overdue_amount")
    debt_0_30 = fields.Monetary(related="account_id.debt_0_30")
    debt_31_90 = fields.Monetary(related="account_id.debt_31_90")
    debt_91_180 = fields.Monetary(related="account_id.debt_91_180")
    debt_180_plus = fields.Monetary(related="account_id.debt_180_plus")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends_context("date")
    def _compute_months_overdue(self):
        today = self.env["osmd.account"]._osmd_debt_date()
        for row in self:
            row.months_overdue = months_between(row.oldest_due_date, today)

    def _search_months_overdue(self, operator, value):
        """``months_overdue >= n``: the oldest unpaid invoice fell due at least n whole months ago."""
        if operator not in (">=", ">") or not isinstance(value, int):
            return NotImplemented
        months = value if operator == ">=" else value + 1
        today = self.env["osmd.account"]._osmd_debt_date()
        if months <= 0:
            return Domain("oldest_due_date", "<", today)
        return Domain("oldest_due_date", "<=", today - relativedelta(months=months))

    # ------------------------------------------------------------
    # VIEW
    # ------------------------------------------------------------

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                    SELECT acc.id AS id,
                           acc.id AS account_id,
                           acc.company_id AS company_id,
                           acc.building_id AS building_id,
                           acc.premise_id AS premise_id,
                           acc.holder_id AS partner_id,
                           SUM(aml.amount_residual) AS balance,
                           MIN(aml.date_maturity) FILTER (WHERE aml.amount_residual > 0) AS oldest_due_date,
                           COUNT(DISTINCT aml.move_id) FILTER (WHERE aml.amount_residual > 0) AS open_invoice_count
                      FROM account_move_line aml
                      JOIN account_move move ON move.id = aml.move_id
                      JOIN osmd_account acc ON acc.id = move.osmd_account_id
                      JOIN account_account ledger ON ledger.id = aml.account_id
                     WHERE aml.parent_state = 'posted'
                       AND ledger.account_type = 'asset_receivable'
                       AND aml.amount_residual != 0
                  GROUP BY acc.id
                    HAVING SUM(aml.amount_residual) > 0
                )
                """,
                view=SQL.identifier(self._table),
            )
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _get_debtors_domain(self, min_amount=0.0, months_overdue=0, buildings=None, company=None):
        """Debtors owing at least ``min_amount``, overdue for at least ``months_overdue`` whole months,
        in ``buildings`` (any building when empty) of ``company`` (the user's companies when empty)."""
        domain = Domain.TRUE
        if company:
            domain &= Domain("company_id", "=", company.id)
        if min_amount:
            domain &= Domain("balance", ">=", min_amount)
        if months_overdue:
            domain &= Domain("months_overdue", ">=", months_overdue)
        if buildings:
            domain &= Domain("building_id", "in", buildings.ids)
        return domain

    def _notice_board_date(self):
        """The day the debts are on, as the notice prints it."""
        return self.env["osmd.account"]._osmd_debt_date().strftime("%d.%m.%Y")

    def _notice_board_amount(self):
        self.ensure_one()
        return fmt_number(to_decimal(self.balance), 2)
