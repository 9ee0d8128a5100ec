from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL

from odoo.addons.osmd_billing.tools.aging import BUCKETS
from odoo.addons.osmd_billing.tools.money import round_money

TOP_DEBTORS = 10
TREND_MONTHS = 12
# days past the due date at the lower end of each aging bucket but the first (as osmd_billing.tools.aging)
BUCKET_STARTS = {"31_90": 31, "91_180": 91, "180_plus": 181}
READ_STATES = ("submitted", "confirmed")
MOVEMENTS = ("accrued", "recalculated", "penalties", "paid")


class OsmdDashboard(models.AbstractModel):
    """The board's home: accruals, payments, debts, readings and service requests of an association for any period.

    Every figure comes from a fixed number of grouped queries whatever the number of accounts, and the money
    figures from the same ledger reading as the turnover register (``osmd.turnover.register._get_movements``), so
    the two always agree. The options (a dict, from the client action) are:

    * ``date_from``, ``date_to``: the period (ISO dates); debts, aging and debtors are on ``date_to``; the trend
      covers the 12 months up to ``date_to``; readings are those of the month of ``date_to``;
    * ``building_ids``, ``entrances`` (numbers) and ``account_ids``: the part of the association (empty: all).

    The association is the current company (the company switcher). Money is shown to the audit commission,
    the accountant, the board and the chairman; an engineer sees the readings and requests only; residents
    (portal users) nothing.
    """

    _name = "osmd.dashboard"
    _description = "Board dashboard"

    # ------------------------------------------------------------
    # ACCESS AND OPTIONS
    # ------------------------------------------------------------

    @api.model
    def _check_staff(self):
        user = self.env.user
        if not user._is_internal() or not (
            user.has_group("osmd_base.group_osmd_audit") or user.has_group("osmd_base.group_osmd_engineer")
        ):
            raise AccessError(self.env._("The dashboard is for the association's board and staff."))

    @api.model
    def _no_jit(self):
        """A few grouped queries over many rows: PostgreSQL's JIT compilation costs more than it saves on them
        (0,15 s of 0,7 s on 10 000 accounts). For this request's transaction only."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

    @api.model
    def _can_see_money(self):
        return self.env.user.has_group("osmd_base.group_osmd_audit")

    @api.model
    def _parse_options(self, options):
        """Checked options: the company, the dates, and the buildings, entrances and accounts of the company the
        user may read."""
        options = dict(options or {})
        company = self.env.company
        if not company.osmd_kind:
            raise UserError(self.env._("Choose an association in the company switcher to see its dashboard."))
        today = fields.Date.context_today(self)
        try:
            date_to = fields.Date.to_date(options.get("date_to")) or today
            date_from = fields.Date.to_date(options.get("date_from")) or date_to.replace(day=1)
        except ValueError as exc:
            raise UserError(self.env._("The dashboard's dates are not valid dates.")) from exc
        if date_from > date_to:
            raise UserError(
                self.env._(
                    "The period starts on %(start)s, after its end %(end)s.",
                    start=date_from.strftime("%d.%m.%Y"),
                    end=date_to.strftime("%d.%m.%Y"),
                )
            )
        buildings = self.env["osmd.building"].search(
            Domain("id", "in", [int(i) for i in options.get("building_ids") or []])
            & Domain("company_id", "=", company.id)
        )
        entrances = sorted({int(number) for number in options.get("entrances") or [] if 0 <= int(number) <= 99})
        accounts = self.env["osmd.account"]
        account_ids = [int(i) for i in options.get("account_ids") or []]
        if account_ids:
            if not self._can_see_money():
                raise AccessError(self.env._("Lists of personal accounts are for the board and the accountant."))
            accounts = accounts.with_context(active_test=False).search(
                Domain("id", "in", account_ids) & Domain("company_id", "=", company.id)
            )
        return {
            "company": company,
            "date_from": date_from,
            "date_to": date_to,
            "buildings": buildings,
            "entrances": entrances,
            "accounts": accounts,
            "account_list": bool(account_ids),
        }

    @api.model
    def _place_domain(self, opts, building, premise, account):
        """The options' association, buildings, entrances and accounts on a model whose building, premise and
        account are the fields (paths) ``building``, ``premise`` and ``account`` (``account``: a domain on the
        premise instead, when the model has no account)."""
        domain = Domain("company_id", "=", opts["company"].id)
        if opts["buildings"]:
            domain &= Domain(building, "in", opts["buildings"].ids)
        if opts["entrances"]:
            domain &= Domain(f"{premise}.entrance", "in", opts["entrances"])
        if opts["account_list"]:
            if account:
                domain &= Domain(account, "in", opts["accounts"].ids)
            else:
                domain &= Domain(premise, "in", opts["accounts"].sudo().premise_id.ids)
        return domain

    @api.model
    def _account_domain(self, opts):
        return self._place_domain(opts, "building_id", "premise_id", "id")

    @api.model
    def _is_whole(self, opts):
        """The options select the whole association (its every personal account)."""
        return not (opts["buildings"] or opts["entrances"] or opts["account_list"])

    @api.model
    def _get_accounts(self, opts):
        return self.env["osmd.account"].with_context(active_test=False).search(self._account_domain(opts))

    # ------------------------------------------------------------
    # DATA FOR THE CLIENT ACTION
    # ------------------------------------------------------------

    @api.model
    def get_data(self, options=None):
        """Everything the dashboard shows, as JSON-ready values (money as numbers rounded to the kopeck)."""
        self._check_staff()
        opts = self._parse_options(options)
        money = self._can_see_money()
        self._no_jit()
        data = {
            "options": {
                "date_from": fields.Date.to_string(opts["date_from"]),
                "date_to": fields.Date.to_string(opts["date_to"]),
                "building_ids": opts["buildings"].ids,
                "entrances": opts["entrances"],
                "account_ids": opts["accounts"].ids,
            },
            "company": {"id": opts["company"].id, "name": opts["company"].name},
            "currency": opts["company"].currency_id.symbol,
            "buildings": [
                {"id": building.id, "name": building.display_name, "entrances": building.entrance_count}
                for building in self.env["osmd.building"].search(Domain("company_id", "=", opts["company"].id))
            ],
            "accounts": [{"id": account.id, "name": account.display_name} for account in opts["accounts"][:50]],
            "money": money,
            "can_notify": self.env.user.has_group("osmd_base.group_osmd_accountant"),
            "readings": self._reading_figures(opts),
            "requests": self._request_figures(opts),
        }
        if money:
            data.update(self._money_figures(opts))
        return data

    @api.model
    def _money_figures(self, opts):
        """One pass over the ledger whatever the period (``_ledger_pass``): the accounts' balances and invoices by
        age on ``date_to``, and the month sums the turnover register turns into the movements of the 12 months up
        to ``date_to`` (its penalty lines and unlinked reconciliations are grouped queries of their own). The
        period's opening balance is the closing balance less the period's movements; a period that does not start
        on the 1st of a month inside those 12 months is read by the register on its own."""
        accounts = self._get_accounts(opts)
        date_from, date_to = opts["date_from"], opts["date_to"]
        window = date_to.replace(day=1) - relativedelta(months=TREND_MONTHS - 1)
        balances, linked = self._ledger_pass(accounts, date_to, whole=self._is_whole(opts))
        closing = {account_id: balance for account_id, (balance, _invoiced) in balances.items()}
        total_closing = sum(closing.values(), Decimal(0))
        months = self._movements_by_month(accounts, window, date_to, linked=[row for row in linked if row[0] >= window])
        if date_from.day == 1 and date_from >= window:
            period = [values for month, values in months.items() if month >= date_from]
        else:
            period = self._movements_by_month(accounts, date_from, date_to).values()
        totals = dict.fromkeys(MOVEMENTS, Decimal(0))
        for values in period:
            for key in MOVEMENTS:
                totals[key] += values[key]
        charged = totals["accrued"] + totals["recalculated"] + totals["penalties"]
        totals.update(opening=total_closing - charged + totals["paid"], closing=total_closing)
        debtors = {account: amount for account, amount in closing.items() if amount > 0}
        aging = self._aging(debtors, balances)
        aging_totals = dict.fromkeys(BUCKETS, Decimal(0))
        for buckets in aging.values():
            for bucket, amount in buckets.items():
                aging_totals[bucket] += amount
        top = sorted(debtors.items(), key=lambda item: (-item[1], item[0]))[:TOP_DEBTORS]
        # read the ten accounts' premises and holders, not those of the whole selection (its prefetch)
        shown = self.env["osmd.account"].browse([account_id for account_id, _amount in top])
        return {
            "totals": {key: float(value) for key, value in totals.items()},
            "charged": float(charged),
            "collection_rate": float(round_money(totals["paid"] * 100 / charged)) if charged > 0 else None,
            "debt": float(sum(debtors.values(), Decimal(0))),
            "advances": float(-sum((amount for amount in closing.values() if amount < 0), Decimal(0))),
            "debtor_count": len(debtors),
            "account_count": len(accounts),
            "aging": {bucket: float(amount) for bucket, amount in aging_totals.items()},
            "top_debtors": [
                {
                    "id": account.id,
                    "number": account.number,
                    "premise": account.premise_id.display_name,
                    "holder": account.holder_id.name or "",
                    "debt": float(amount),
                    "oldest": next(
                        (bucket for bucket in reversed(BUCKETS) if aging.get(account.id, {}).get(bucket)), "0_30"
                    ),
                }
                for account, (_top, amount) in zip(shown, top, strict=True)
            ],
            "trend": self._trend(months, window, total_closing),
        }

    @api.model
    def _movements_by_month(self, accounts, first, last, linked=None):
        """{first day of a month: {accrued, recalculated, penalties, paid}} of ``accounts`` from ``first`` to
        ``last``, as the turnover register reads them (without opening balances); ``linked``: the month sums of
        the linked entries read by ``_ledger_pass``."""
        movements = self.env["osmd.turnover.register"]._get_movements(
            accounts, first, last, by_month=True, opening=False, linked=linked
        )["accounts"]
        return {month: values for month, values in movements.items() if month is not None}

    @api.model
    def _balances(self, accounts, on_date, whole=False):
        """{account id: (balance on ``on_date``, [invoiced 0–30, 31–90, 91–180, over 180 days past due])}: see
        ``_ledger_pass``."""
        return self._ledger_pass(accounts, on_date, whole=whole)[0]

    @api.model
    def _ledger_pass(self, accounts, on_date, whole=False):
        """One pass over the ``accounts``' ledger up to ``on_date`` (SQL, two groupings of the same rows):

        * {account id: (balance, [invoiced 0–30, 31–90, 91–180, over 180 days past due])}: the balance is the turnover
          register's closing balance (the account's receivable items dated up to ``on_date`` and their
          reconciliations with entries not linked to any account, one more grouped query); the invoiced amounts
          are the receivable debits by how long they are past their due date on that day;
        * [(month, move type, recalculated, balance)]: the receivable items by month and kind of entry, for the
          register's columns (``osmd.turnover.register._get_movements(linked=...)``).

        ``whole``: ``accounts`` are all the accounts of their association (read by the association, not by ids).
        The invoiced amounts are left as read (Odoo reads numeric sums as floats): ``_aging`` rounds those of the
        debtors by the money rule.
        """
        if not accounts:
            return {}, []
        bounds = {bucket: on_date - timedelta(days=days) for bucket, days in BUCKET_STARTS.items()}
        self.env["account.move.line"].flush_model(["balance", "date", "date_maturity", "parent_state", "account_id"])
        self.env["account.move"].flush_model(["osmd_account_id", "move_type", "osmd_recalc_period"])
        self.env.cr.execute(
            SQL(
                """
                SELECT GROUPING(move.osmd_account_id) = 0,
                       move.osmd_account_id,
                       date_trunc('month', aml.date)::date,
                       move.move_type,
                       move.osmd_recalc_period IS NOT NULL,
                       SUM(aml.balance),
                       SUM(aml.balance) FILTER (WHERE aml.balance > 0 AND due > %(b31)s),
                       SUM(aml.balance) FILTER (WHERE aml.balance > 0 AND due <= %(b31)s AND due > %(b91)s),
                       SUM(aml.balance) FILTER (WHERE aml.balance > 0 AND due <= %(b91)s AND due > %(b181)s),
                       SUM(aml.balance) FILTER (WHERE aml.balance > 0 AND due <= %(b181)s)
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  CROSS JOIN LATERAL (SELECT COALESCE(aml.date_maturity, aml.date) AS due) AS maturity
                 WHERE %(accounts)s
                   AND aml.company_id = %(company)s
                   AND aml.parent_state = 'posted'
                   AND aml.account_id = ANY(%(receivable)s)
                   AND aml.date <= %(on_date)s
              GROUP BY GROUPING SETS (
                       (move.osmd_account_id),
                       (date_trunc('month', aml.date)::date, move.move_type, move.osmd_recalc_period IS NOT NULL)
                   )
                """,
                accounts=SQL("move.osmd_account_id IS NOT NULL")
                if whole
                else SQL("move.osmd_account_id = ANY(%s)", accounts.ids),
                company=accounts[:1].company_id.id,
                # the receivable accounts by id: PostgreSQL then knows how many items it reads (a join to the
                # accounts hid it, and it chose a nested loop: 0,8 s instead of 0,55 s on 10 000 accounts)
                receivable=self.env["account.account"].sudo().search([("account_type", "=", "asset_receivable")]).ids,
                on_date=on_date,
                b31=bounds["31_90"],
                b91=bounds["91_180"],
                b181=bounds["180_plus"],
            )
        )
        per_account, linked = {}, []
        for is_account, account_id, month, move_type, recalc, balance, *invoiced in self.env.cr.fetchall():
            if is_account:
                per_account[account_id] = (balance, invoiced)
            else:
                linked.append((month, move_type, recalc, balance))
        balances = {}
        nothing = (0, (0, 0, 0, 0))
        for account_id in accounts.ids:
            balance, invoiced = per_account.get(account_id) or nothing
            balances[account_id] = [round_money(balance or 0), invoiced]
        Partial = self.env["account.partial.reconcile"].sudo()
        Register = self.env["osmd.turnover.register"]
        for own, _other, sign, domain in Register._unlinked_reconciliations(accounts, on_date):
            for account, amount in Partial._read_group(domain, [f"{own}.move_id.osmd_account_id"], ["amount:sum"]):
                balances[account.id][0] += sign * round_money(amount)
        return {account_id: tuple(values) for account_id, values in balances.items()}, linked

    @api.model
    def _aging(self, debts, balances):
        """{account id: {bucket: Decimal}} for ``debts`` ({account id: debt}) from the ``balances``' invoiced
        amounts.

        What was paid or credited settles the oldest invoices first, as payments do, so the newest invoices make
        up the debt and the buckets add up to it exactly.
        """
        result = {}
        for account, debt in debts.items():
            left, buckets = debt, dict.fromkeys(BUCKETS, Decimal(0))
            # newest first: 0–30, 31–90, 91–180, over 180
            for bucket, amount in zip(BUCKETS, balances[account][1], strict=True):
                taken = min(left, round_money(amount or 0))
                buckets[bucket] = taken
                left -= taken
            # more debt than invoices (a refund paid out): the oldest bucket
            buckets["180_plus"] += left
            result[account] = buckets
        return result

    @api.model
    def _trend(self, months, window, closing):
        """The 12 months from ``window``: charged (accrued, recalculated, penalties), paid, and the selection's
        ledger balance at each month's end (debts less advances), back from the ``closing`` balance."""
        starts = [window + relativedelta(months=index) for index in range(TREND_MONTHS)]
        empty = dict.fromkeys(MOVEMENTS, Decimal(0))
        rows = []
        for month in starts:
            values = months.get(month) or empty
            rows.append((month, values["accrued"] + values["recalculated"] + values["penalties"], values["paid"]))
        balance = closing - sum((charged - paid for _month, charged, paid in rows), Decimal(0))
        trend = []
        for month, charged, paid in rows:
            balance += charged - paid
            trend.append(
                {
                    "month": fields.Date.to_string(month),
                    "label": month.strftime("%m.%Y"),
                    "charged": float(charged),
                    "paid": float(paid),
                    "balance": float(balance),
                }
            )
        return trend

    # ------------------------------------------------------------
    # READINGS AND REQUESTS
    # ------------------------------------------------------------

    @api.model
    def _month(self, opts):
        month = opts["date_to"].replace(day=1)
        return month, month + relativedelta(months=1, days=-1)

    @api.model
    def _meter_domain(self, opts):
        """Premise meters that should be read in the month of ``date_to``: installed by its end and not removed
        before it."""
        _month, month_end = self._month(opts)
        return (
            self._place_domain(opts, "building_id", "premise_id", None)
            & Domain("premise_id", "!=", False)
            & Domain("install_date", "<=", month_end)
            & (Domain("state", "=", "active") | Domain("removal_date", ">", month_end))
        )

    @api.model
    def _reading_domain(self, opts):
        month, _month_end = self._month(opts)
        return (
            Domain("meter_id", "any", self._meter_domain(opts))
            & Domain("period", "=", month)
            & Domain("state", "in", READ_STATES)
            & Domain("source", "!=", "estimate")
        )

    @api.model
    def _reading_figures(self, opts):
        Reading = self.env["osmd.meter.reading"]
        expected = self.env["osmd.meter"].search_count(self._meter_domain(opts))
        [(received,)] = Reading._read_group(self._reading_domain(opts), [], ["meter_id:count_distinct"])
        waiting = Reading.search_count(self._reading_domain(opts) & Domain("state", "=", "submitted"))
        month, _month_end = self._month(opts)
        return {
            "month": month.strftime("%m.%Y"),
            "expected": expected,
            "received": received,
            "missing": max(expected - received, 0),
            "waiting": waiting,
            "rate": round(received * 100 / expected, 1) if expected else None,
        }

    @api.model
    def _ticket_domain(self, opts):
        return self._place_domain(opts, "osmd_building_id", "osmd_premise_id", "osmd_account_id")

    @api.model
    def _ticket_domains(self, opts):
        base = self._ticket_domain(opts)
        start = fields.Datetime.to_datetime(opts["date_from"])
        end = fields.Datetime.to_datetime(opts["date_to"] + timedelta(days=1))
        open_ = base & Domain("closed", "=", False)
        return {
            "open": open_,
            "emergency": open_ & Domain("osmd_kind", "=", "emergency"),
            "late": open_ & Domain("sla_expired", "=", True),
            "new": base & Domain("create_date", ">=", start) & Domain("create_date", "<", end),
            "closed": base
            & Domain("closed", "=", True)
            & Domain("closed_date", ">=", start)
            & Domain("closed_date", "<", end),
        }

    @api.model
    def _request_figures(self, opts):
        Ticket = self.env["helpdesk.ticket"]
        return {key: Ticket.search_count(domain) for key, domain in self._ticket_domains(opts).items()}

    # ------------------------------------------------------------
    # CLICK-THROUGH
    # ------------------------------------------------------------

    @api.model
    def action_open_figure(self, options, figure, key=None):
        """The records behind a figure, as a window action (list views)."""
        self._check_staff()
        opts = self._parse_options(options)
        self._no_jit()
        if figure in ("readings_expected", "readings_missing", "readings_received", "readings_waiting"):
            return self._open_readings(opts, figure)
        if figure in ("requests_open", "requests_emergency", "requests_late", "requests_new", "requests_closed"):
            return self._list_action(
                "helpdesk.ticket",
                self.env._("Service requests"),
                self._ticket_domains(opts)[figure.removeprefix("requests_")],
            )
        if not self._can_see_money():
            raise AccessError(self.env._("Money figures are for the board, the accountant and the audit commission."))
        if figure in ("accrued", "recalculated", "penalties", "paid"):
            return self._open_movements(opts, figure)
        if figure == "notify" and not self.env.user.has_group("osmd_base.group_osmd_accountant"):
            raise AccessError(self.env._("Messages to debtors are sent by the accountant and the board."))
        if figure in ("debt", "debtors", "advances", "aging", "account", "notify"):
            return self._open_accounts(opts, figure, key)
        raise UserError(self.env._("Unknown figure %(figure)s.", figure=figure))

    @api.model
    def _list_action(self, model, name, domain, context=None, views=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "views": views or [(False, "list"), (False, "form")],
            "domain": list(domain),
            "context": {"create": False, **(context or {})},
            "target": "current",
        }

    @api.model
    def _open_readings(self, opts, figure):
        month, _month_end = self._month(opts)
        if figure in ("readings_received", "readings_waiting"):
            domain = self._reading_domain(opts)
            if figure == "readings_waiting":
                domain &= Domain("state", "=", "submitted")
            return self._list_action("osmd.meter.reading", self.env._("Readings"), domain)
        domain = self._meter_domain(opts)
        if figure == "readings_missing":
            domain &= Domain(
                "reading_ids",
                "not any",
                Domain("period", "=", month) & Domain("state", "in", READ_STATES) & Domain("source", "!=", "estimate"),
            )
        return self._list_action("osmd.meter", self.env._("Meters"), domain)

    @api.model
    def _open_movements(self, opts, figure):
        """Journal items behind the money figures of the period (the register's categories)."""
        in_period = Domain("date", ">=", opts["date_from"]) & Domain("date", "<=", opts["date_to"])
        accounts = Domain("move_id.osmd_account_id", "any", self._account_domain(opts))
        penalty = self.env["osmd.turnover.register"]._get_penalty_products()
        posted = Domain("parent_state", "=", "posted")
        if figure == "paid":
            payments_of = Domain(
                "matched_debit_ids.debit_move_id.move_id.osmd_account_id", "any", self._account_domain(opts)
            )
            domain = (
                posted
                & in_period
                & Domain("account_type", "=", "asset_receivable")
                & Domain("move_id.move_type", "=", "entry")
                & (accounts | (Domain("move_id.osmd_account_id", "=", False) & payments_of))
            )
            return self._list_action("account.move.line", self.env._("Payments"), domain)
        domain = posted & in_period & accounts & Domain("display_type", "=", "product")
        if figure == "penalties":
            domain &= Domain("product_id", "in", penalty.ids)
        else:
            recalc = Domain("move_id.move_type", "=", "out_refund")
            if "osmd_recalc_period" in self.env["account.move"]._fields:
                recalc |= Domain("move_id.osmd_recalc_period", "!=", False)
            invoices = Domain("move_id.move_type", "in", ["out_invoice", "out_refund", "out_receipt"])
            domain &= invoices & Domain("product_id", "not in", penalty.ids)
            domain &= recalc if figure == "recalculated" else ~recalc
        names = {
            "accrued": self.env._("Accrued"),
            "recalculated": self.env._("Recalculated"),
            "penalties": self.env._("Penalties"),
        }
        return self._list_action("account.move.line", names[figure], domain)

    @api.model
    def _open_accounts(self, opts, figure, key):
        if figure == "account":
            # the one account, if it is in the selection (not the whole selection read to find it)
            account = (
                self.env["osmd.account"]
                .with_context(active_test=False)
                .search(self._account_domain(opts) & Domain("id", "=", int(key or 0)))
            )
            if not account:
                raise UserError(self.env._("This personal account is not in the dashboard's selection."))
            return {
                "type": "ir.actions.act_window",
                "res_model": "osmd.account",
                "res_id": account.id,
                "views": [(False, "form")],
                "target": "current",
            }
        accounts = self._get_accounts(opts)
        balances = self._balances(accounts, opts["date_to"], whole=self._is_whole(opts))
        closing = {account_id: balance for account_id, (balance, _invoiced) in balances.items()}
        if figure == "advances":
            ids = [account_id for account_id, amount in closing.items() if amount < 0]
            name = self.env._("Advance payments on %(date)s", date=opts["date_to"].strftime("%d.%m.%Y"))
        else:
            debts = {account: amount for account, amount in closing.items() if amount > 0}
            if figure == "aging":
                if key not in BUCKETS:
                    raise UserError(self.env._("Unknown aging bucket %(bucket)s.", bucket=key))
                debts = {account: buckets[key] for account, buckets in self._aging(debts, balances).items()}
                debts = {account: amount for account, amount in debts.items() if amount > 0}
            ids = list(debts)
            name = self.env._("Debtors on %(date)s", date=opts["date_to"].strftime("%d.%m.%Y"))
        if figure == "notify":
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Message to debtors"),
                "res_model": "osmd.debtor.notify",
                "views": [(False, "form")],
                "target": "new",
                "context": {"default_account_ids": [Command.set(ids)], "default_company_id": opts["company"].id},
            }
        if opts["date_to"] == fields.Date.context_today(self) and figure != "advances":
            # the debtors list, with its filters, reports and messages (debts are today's there)
            return self._list_action(
                "osmd.debtor.report",
                name,
                Domain("account_id", "in", ids),
                context={"date": fields.Date.to_string(opts["date_to"])},
                views=[(False, "list")],
            )
        return self._list_action(
            "osmd.account", name, Domain("id", "in", ids), context={"date": fields.Date.to_string(opts["date_to"])}
        )
