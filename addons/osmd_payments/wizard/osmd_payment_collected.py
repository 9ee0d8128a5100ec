from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from odoo.addons.osmd_billing.tools.xlsx import build_workbook, download_action

from ..tools.allocation import allocate, owed_by_service


def _dec(value):
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


class OsmdPaymentCollected(models.TransientModel):
    """Payments collected in a period, by service (надходження в розрізі статей).

    Every payment that closed (part of) an invoice of a personal account in the period (a bank payment, a collector's
    payment, a payment registered by hand) is shared among the services of that invoice, in the order the invoice was
    paid: principal services before the penalty (unless the association pays penalties first), proportionally or by
    the services' priority (the association's setting). Credit notes lower what is owed but are not money collected.
    Advances not applied to any invoice yet are shown apart."""

    _name = "osmd.payment.collected"
    _description = "Payments collected by service"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    building_ids = fields.Many2many(
        "osmd.building", string="Buildings", check_company=True, help="Empty: every building of the association."
    )
    xlsx_file = fields.Binary(string="File", readonly=True, attachment=False)
    xlsx_filename = fields.Char(string="File name", readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period ends before it starts."))

    def action_export_xlsx(self):
        self.ensure_one()
        self.company_id.check_access("read")
        if self.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("You can only report on your own association."))
        data = self._collected()
        return download_action(
            self,
            self._build_xlsx(data),
            self.env._(
                "collected_%(start)s_%(end)s.xlsx",
                start=self.date_from.strftime("%Y%m%d"),
                end=self.date_to.strftime("%Y%m%d"),
            ),
        )

    # ------------------------------------------------------------
    # DATA
    # ------------------------------------------------------------

    @api.model
    def _is_payment(self, move):
        return bool(
            move.statement_line_id or move.osmd_statement_line_id or move.osmd_registry_id or move.origin_payment_id
        )

    def _collected(self):
        """{"by_service": {(building, product): amount}, "by_account": {(account, product): amount},
        "advances": {account: amount}} for the period."""
        self.ensure_one()
        Line = self.env["account.move.line"].sudo()
        Partial = self.env["account.partial.reconcile"].sudo()
        company = self.company_id
        invoice_domain = (
            Domain("move_id.osmd_account_id.company_id", "=", company.id)
            & Domain("move_id.move_type", "=", "out_invoice")
            & Domain("parent_state", "=", "posted")
            & Domain("account_type", "=", "asset_receivable")
        )
        if self.building_ids:
            invoice_domain &= Domain("move_id.osmd_account_id.building_id", "in", self.building_ids.ids)
        in_period = Partial.search(
            Domain("max_date", ">=", self.date_from)
            & Domain("max_date", "<=", self.date_to)
            & Domain("debit_move_id", "any", invoice_domain)
        )
        invoices = in_period.debit_move_id.move_id
        partials = Partial.search(Domain("debit_move_id.move_id", "in", invoices.ids), order="id")
        partials.fetch(["debit_move_id", "credit_move_id", "amount", "max_date"])
        penalty_products = self.env["osmd.turnover.register"]._get_penalty_products()
        priority = None
        if company.osmd_payment_allocation == "priority":
            priority = {product: product.osmd_payment_priority for product in invoices.invoice_line_ids.product_id}
        by_service, by_account = defaultdict(Decimal), defaultdict(Decimal)
        by_invoice = defaultdict(list)
        for partial in partials:
            by_invoice[partial.debit_move_id.move_id].append(partial)
        for invoice, invoice_partials in by_invoice.items():
            owed = owed_by_service(
                (line.product_id, _dec(line.price_total))
                for line in invoice.invoice_line_ids
                if line.display_type == "product"
            )
            shares = allocate(
                owed,
                [(partial, _dec(partial.amount)) for partial in invoice_partials],
                penalties=set(penalty_products),
                priority=priority,
                penalty_first=company.osmd_penalty_first,
            )
            account = invoice.osmd_account_id
            for partial in invoice_partials:
                if not (self.date_from <= partial.max_date <= self.date_to):
                    continue
                if not self._is_payment(partial.credit_move_id.move_id):
                    continue
                for product, amount in shares[partial].items():
                    by_service[(account.building_id, product)] += amount
                    by_account[(account, product)] += amount
        advances = defaultdict(Decimal)
        credit_domain = (
            self.env["account.move"]._osmd_payment_item_domain()
            & Domain("move_id.osmd_account_id.company_id", "=", company.id)
            & Domain("date", ">=", self.date_from)
            & Domain("date", "<=", self.date_to)
            & Domain("amount_residual", "<", 0)
        )
        if self.building_ids:
            credit_domain &= Domain("move_id.osmd_account_id.building_id", "in", self.building_ids.ids)
        for line in Line.search(credit_domain):
            advances[line.move_id.osmd_account_id] += -_dec(line.amount_residual)
        return {"by_service": by_service, "by_account": by_account, "advances": advances}

    def _build_xlsx(self, data):
        period = f"{self.date_from.strftime('%d.%m.%Y')} – {self.date_to.strftime('%d.%m.%Y')}"
        service_rows, total = [], Decimal(0)
        for building, product in sorted(data["by_service"], key=lambda key: (key[0].name or "", key[1].name or "")):
            amount = data["by_service"][(building, product)]
            total += amount
            service_rows.append(("row", [building.name, product.name, amount]))
        service_rows.append(("total", [self.env._("Total"), None, total]))
        account_rows = []
        for account, product in sorted(
            data["by_account"],
            key=lambda key: (key[0].building_id.name or "", key[0].premise_number_sort, key[0].number),
        ):
            account_rows.append(
                (
                    "row",
                    [
                        account.number,
                        account.premise_id.display_name,
                        account.holder_id.name,
                        product.name,
                        data["by_account"][(account, product)],
                    ],
                )
            )
        advance_rows = [
            ("row", [account.number, account.premise_id.display_name, amount])
            for account, amount in sorted(data["advances"].items(), key=lambda item: item[0].number)
        ]
        return build_workbook(
            [
                {
                    "name": self.env._("By service"),
                    "title": self.env._(
                        "Payments collected by service, %(company)s, %(period)s",
                        company=self.company_id.name,
                        period=period,
                    ),
                    "headers": [
                        (self.env._("Building"), 30),
                        (self.env._("Service"), 34),
                        (self.env._("Collected"), 16),
                    ],
                    "rows": service_rows,
                },
                {
                    "name": self.env._("By account"),
                    "title": self.env._("Payments collected by personal account, %(period)s", period=period),
                    "headers": [
                        (self.env._("Account"), 12),
                        (self.env._("Premise"), 28),
                        (self.env._("Holder"), 30),
                        (self.env._("Service"), 30),
                        (self.env._("Collected"), 16),
                    ],
                    "rows": account_rows,
                },
                {
                    "name": self.env._("Advances"),
                    "title": self.env._(
                        "Payments of the period not applied to invoices yet (advances), %(period)s", period=period
                    ),
                    "headers": [(self.env._("Account"), 12), (self.env._("Premise"), 28), (self.env._("Advance"), 16)],
                    "rows": advance_rows,
                },
            ]
        )
