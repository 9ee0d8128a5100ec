from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.fields import Domain

from odoo.addons.osmd_base.tools.company_access import check_own_associations

from ..tools.money import round_money
from ..tools.proration import month_bounds
from ..tools.xlsx import build_workbook, download_action

COLUMNS = ("opening", "accrued", "recalculated", "penalties", "paid", "closing")
SERVICE_COLUMNS = ("accrued", "recalculated", "penalties")


def to_decimal(value):
    """A sum read from the ledger, to the kopeck by the one rounding rule."""
    return round_money(value)


class OsmdTurnoverRegister(models.TransientModel):
    """Turnover register (оборотна відомість) of a period, read from the ledger.

    The ledger of a personal account is the receivable journal items of the posted entries linked to
    it (``osmd_account_id``), plus the reconciliations of those items with entries not linked to any
    personal account (payments registered for the holder, reversals of cancelled runs), dated on the
    date of that other entry. For the period, per account:

    * opening balance: the ledger up to the day before the period;
    * accrued: invoices of the period, without penalty lines;
    * recalculated: credit notes and adjustment invoices of the period (entries with an
      ``osmd_recalc_period``, when the recalculation feature provides it) and reconciled unlinked
      credit notes; they may concern earlier periods;
    * penalties: lines of the penalty service on those documents;
    * paid: payments of the period (linked payments and payments reconciled with the account's items);
    * closing balance = opening + accrued + recalculated + penalties - paid.

    Per service, the accrued, recalculated and penalty amounts come from the invoice lines (tax
    included); payments are not split by service in the ledger, so balances are per account.
    """

    _name = "osmd.turnover.register"
    _description = "Turnover register"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    period = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Any day of the month of the register.",
    )
    building_ids = fields.Many2many(
        "osmd.building", string="Buildings", check_company=True, help="Empty: every building of the association."
    )
    xlsx_file = fields.Binary(string="File", readonly=True, attachment=False)
    xlsx_filename = fields.Char(string="File name", readonly=True)

    @api.constrains("company_id")
    def _check_own_association(self):
        check_own_associations(self)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_export_xlsx(self):
        self.ensure_one()
        return download_action(
            self,
            self._build_xlsx(),
            self.env._("turnover_register_%(period)s.xlsx", period=self.period.strftime("%Y_%m")),
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _get_accounts(self):
        domain = Domain("company_id", "=", self.company_id.id)
        if self.building_ids:
            domain &= Domain("building_id", "in", self.building_ids.ids)
        return self.env["osmd.account"].with_context(active_test=False).search(domain)

    @api.model
    def _get_penalty_products(self):
        """The penalty service, when the penalty feature defines one."""
        products = self.env["product.product"]
        penalty = self.env.ref("osmd_billing.product_osmd_penalty", raise_if_not_found=False)
        if penalty and penalty._name == "product.product":
            products |= penalty
        basis = self.env["product.template"]._fields["osmd_basis"]
        if "penalty" in basis.get_values(self.env):
            products |= products.sudo().search(Domain("osmd_basis", "=", "penalty"))
        return products

    @classmethod
    def _add_linked(cls, values, move_type, is_recalc, amount):
        """Add a linked entry's receivable ``amount`` to the register's column of its kind in ``values``."""
        category = cls._category(move_type, is_recalc)
        values[category] += -amount if category == "paid" else amount

    @staticmethod
    def _category(move_type, is_recalc):
        if move_type not in ("out_invoice", "out_refund", "out_receipt"):
            return "paid"
        if is_recalc or move_type == "out_refund":
            return "recalculated"
        return "accrued"

    def _get_register_data(self):
        """{"accounts": {account: {column: Decimal}}, "services": {(account, product): {column: Decimal}}}.

        A fixed number of grouped queries whatever the number of accounts; read as superuser once the
        user's access to the personal accounts has been applied.
        """
        self.ensure_one()
        first, last = month_bounds(self.period)
        data = self._get_movements(self._get_accounts(), first, last, services=True)
        data["accounts"] = {account: values for account, values in data["accounts"].items() if any(values.values())}
        return data

    @api.model
    def _get_movements(self, accounts, first, last, by_month=False, services=False, opening=True, linked=None):
        """The register's columns of ``accounts`` from ``first`` to ``last`` (any days).

        ``by_month``: keyed by the first day of each month instead of by account; the opening balance of
        the whole selection is then under the key ``None`` and no month has an opening or closing balance.
        ``services``: also the accrued, recalculated and penalty amounts per (account, service).
        ``opening``: False leaves out the linked entries before ``first`` from the opening balances (the caller
        derives them from the closing balances, saving a pass over the whole history).
        ``linked``: the sums of the linked entries' receivable items in the period, as rows (key, move type,
        recalculated period or None, balance), when the caller read them already in its own pass over the ledger.

        Returns {"accounts": {key: {column: Decimal}}, "services": {...}, "first": first, "last": last}.
        """
        Line = self.env["account.move.line"].sudo()
        Partial = self.env["account.partial.reconcile"].sudo()
        has_recalc = "osmd_recalc_period" in self.env["account.move"]._fields
        recalc_groupby = ["move_id.osmd_recalc_period:month"] if has_recalc else []
        penalty_products = self._get_penalty_products()
        per_key = defaultdict(lambda: dict.fromkeys(COLUMNS, Decimal(0)))
        per_service = defaultdict(lambda: dict.fromkeys(SERVICE_COLUMNS, Decimal(0)))
        result = {"accounts": per_key, "services": per_service, "first": first, "last": last}
        if not accounts:
            result.update(accounts={}, services={})
            return result
        key_field = "date:month" if by_month else "move_id.osmd_account_id"
        ledger = self.env["osmd.account"]._get_ledger_domain(accounts)
        # opening balance: the linked entries before the period (skipped when the caller derives it)
        for *key, balance in (
            Line._read_group(ledger & Domain("date", "<", first), [] if by_month else [key_field], ["balance:sum"])
            if opening
            else []
        ):
            per_key[key[0] if key else None]["opening"] += to_decimal(balance)
        # movements of the linked entries in the period
        in_period = Domain("date", ">=", first) & Domain("date", "<=", last)
        for key, move_type, *recalc, balance in (
            Line._read_group(ledger & in_period, [key_field, "move_id.move_type", *recalc_groupby], ["balance:sum"])
            if linked is None
            else linked
        ):
            self._add_linked(per_key[key], move_type, recalc and recalc[0], to_decimal(balance))
        # invoice lines: per service (when asked), penalties apart
        product_lines = (
            Domain("move_id.osmd_account_id", "in", accounts.ids)
            & Domain("parent_state", "=", "posted")
            & Domain("display_type", "=", "product")
            & Domain("move_id.move_type", "in", ["out_invoice", "out_refund", "out_receipt"])
            & in_period
        )
        if not services:
            product_lines &= Domain("product_id", "in", penalty_products.ids)
        for key, product, move_type, *recalc, total in Line._read_group(
            product_lines, [key_field, "product_id", "move_id.move_type", *recalc_groupby], ["price_total:sum"]
        ):
            category = self._category(move_type, recalc and recalc[0])
            amount = to_decimal(total) * (-1 if move_type == "out_refund" else 1)
            if product in penalty_products:
                per_key[key][category] -= amount
                per_key[key]["penalties"] += amount
                category = "penalties"
            if services:
                per_service[key, product][category] += amount
        # reconciliations with entries not linked to a personal account, dated on those entries
        for own, other, sign, domain in self._unlinked_reconciliations(accounts, last):
            groupby = [] if by_month else [f"{own}.move_id.osmd_account_id"]
            for *key, move_type, day, amount in Partial._read_group(
                domain, [*groupby, f"{other}.move_id.move_type", f"{other}.date:day"], ["amount:sum"]
            ):
                amount = sign * to_decimal(amount)
                key = key[0] if key else day.replace(day=1)
                if day < first:
                    per_key[None if by_month else key]["opening"] += amount
                elif move_type == "entry":
                    per_key[key]["paid"] -= amount
                else:
                    per_key[key]["recalculated"] += amount
        if not by_month:
            for values in per_key.values():
                values["closing"] = (
                    values["opening"]
                    + values["accrued"]
                    + values["recalculated"]
                    + values["penalties"]
                    - values["paid"]
                )
        result.update(accounts=dict(per_key), services=dict(per_service))
        return result

    @api.model
    def _unlinked_reconciliations(self, accounts, last):
        """(own side, other side, sign, domain of ``account.partial.reconcile``) of the reconciliations of the
        ``accounts``' receivable items with entries not linked to any personal account (payments registered for
        the holder, reversals), dated on those entries up to ``last``; the sign is the effect on the balance."""
        sides = (
            ("debit_move_id", "credit_move_id", Decimal(-1)),
            ("credit_move_id", "debit_move_id", Decimal(1)),
        )
        for own, other, sign in sides:
            domain = (
                Domain(f"{own}.move_id.osmd_account_id", "in", accounts.ids)
                & Domain(f"{own}.parent_state", "=", "posted")
                & Domain(f"{own}.account_type", "=", "asset_receivable")
                & Domain(f"{other}.move_id.osmd_account_id", "=", False)
                & Domain(f"{other}.date", "<=", last)
            )
            yield own, other, sign, domain

    @staticmethod
    def _sum_rows(rows, columns):
        totals = dict.fromkeys(columns, Decimal(0))
        for values in rows:
            for column in columns:
                totals[column] += values[column]
        return totals

    def _build_xlsx(self):
        self.ensure_one()
        data = self._get_register_data()
        period = data["first"].strftime("%m.%Y")
        by_building = defaultdict(list)
        for account in sorted(
            data["accounts"], key=lambda a: (a.building_id.name or "", a.premise_number_sort, a.number)
        ):
            by_building[account.building_id].append(account)
        account_rows = []
        for building, accounts in by_building.items():
            for account in accounts:
                values = data["accounts"][account]
                account_rows.append(
                    (
                        "row",
                        [building.name, account.number, account.premise_id.number, account.holder_id.name or ""]
                        + [values[column] for column in COLUMNS],
                    )
                )
            totals = self._sum_rows([data["accounts"][account] for account in accounts], COLUMNS)
            account_rows.append(
                (
                    "subtotal",
                    [self.env._("Total %(building)s", building=building.name), None, None, None]
                    + [totals[column] for column in COLUMNS],
                )
            )
        grand = self._sum_rows(data["accounts"].values(), COLUMNS)
        account_rows.append(
            ("total", [self.env._("Grand total"), None, None, None] + [grand[column] for column in COLUMNS])
        )

        service_rows = []
        services_by_building = defaultdict(list)
        for (account, product), values in data["services"].items():
            services_by_building[account.building_id].append((account, product, values))
        service_totals = defaultdict(lambda: dict.fromkeys(SERVICE_COLUMNS, Decimal(0)))
        for building, items in sorted(services_by_building.items(), key=lambda item: item[0].name or ""):
            items.sort(key=lambda item: (item[0].premise_number_sort, item[0].number, item[1].display_name))
            for account, product, values in items:
                service_rows.append(
                    (
                        "row",
                        [building.name, account.number, product.display_name]
                        + [values[column] for column in SERVICE_COLUMNS]
                        + [sum(values.values(), Decimal(0))],
                    )
                )
                for column in SERVICE_COLUMNS:
                    service_totals[product][column] += values[column]
            totals = self._sum_rows([values for _account, _product, values in items], SERVICE_COLUMNS)
            service_rows.append(
                (
                    "subtotal",
                    [self.env._("Total %(building)s", building=building.name), None, None]
                    + [totals[column] for column in SERVICE_COLUMNS]
                    + [sum(totals.values(), Decimal(0))],
                )
            )
        for product, totals in sorted(service_totals.items(), key=lambda item: item[0].display_name):
            service_rows.append(
                (
                    "subtotal",
                    [self.env._("Total by service"), None, product.display_name]
                    + [totals[column] for column in SERVICE_COLUMNS]
                    + [sum(totals.values(), Decimal(0))],
                )
            )
        grand_services = self._sum_rows(service_totals.values(), SERVICE_COLUMNS)
        service_rows.append(
            (
                "total",
                [self.env._("Grand total"), None, None]
                + [grand_services[column] for column in SERVICE_COLUMNS]
                + [sum(grand_services.values(), Decimal(0))],
            )
        )
        money_headers = [
            (self.env._("Opening balance"), 14),
            (self.env._("Accrued"), 13),
            (self.env._("Recalculated"), 13),
            (self.env._("Penalties"), 12),
            (self.env._("Paid"), 13),
            (self.env._("Closing balance"), 14),
        ]
        title = self.env._(
            "Turnover register of %(company)s for %(period)s", company=self.company_id.name, period=period
        )
        return build_workbook(
            [
                {
                    "name": self.env._("By account"),
                    "title": title,
                    "headers": [
                        (self.env._("Building"), 24),
                        (self.env._("Personal account"), 14),
                        (self.env._("Premise"), 10),
                        (self.env._("Holder"), 30),
                    ]
                    + money_headers,
                    "rows": account_rows,
                },
                {
                    "name": self.env._("By service"),
                    "title": title,
                    "headers": [
                        (self.env._("Building"), 24),
                        (self.env._("Personal account"), 14),
                        (self.env._("Service"), 30),
                    ]
                    + money_headers[1:4]
                    + [(self.env._("Total"), 13)],
                    "rows": service_rows,
                },
            ]
        )
