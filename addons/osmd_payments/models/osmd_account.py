from decimal import Decimal

from odoo import models
from odoo.fields import Domain

from odoo.addons.osmd_billing.tools.money import round_money, to_decimal


class OsmdAccount(models.Model):
    _inherit = "osmd.account"

    def _osmd_debt_by_service(self):
        """What the personal account still owes, by service: ([(product, amount)] in the order payments pay them
        (service priority), amount owed outside the accrual invoices (opening balances)). The open invoices' services
        less what their earlier payments covered, shared as the collected-by-service report shares them."""
        self.ensure_one()
        Line = self.env["account.move.line"].sudo()
        debits = Line.search(
            Domain("move_id.osmd_account_id", "=", self.id)
            & Domain("account_type", "=", "asset_receivable")
            & Domain("parent_state", "=", "posted")
            & Domain("reconciled", "=", False)
            & Domain("amount_residual", ">", 0)
        )
        penalties = set(self.env["osmd.turnover.register"]._get_penalty_products().ids)
        left = Line._osmd_left_by_service(debits, penalties, self.company_id)
        totals = {}
        for rest in left.values():
            for product_id, amount in rest.items():
                totals[product_id] = totals.get(product_id, Decimal(0)) + amount
        explained = sum(totals.values(), Decimal(0))
        other = round_money(sum((to_decimal(line.amount_residual) for line in debits), Decimal(0))) - explained
        products = self.env["product.product"].sudo().browse(list(totals))
        services = [
            (product, round_money(totals[product.id]))
            for product in products.sorted(lambda p: (p.osmd_payment_priority, p.id))
            if totals[product.id] > 0
        ]
        return services, max(other, Decimal(0))
