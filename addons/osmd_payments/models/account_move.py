from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.fields import Command, Domain

from odoo.addons.osmd_billing.tools.money import round_money, to_decimal

from ..tools.allocation import allocate, owed_by_service


class AccountMove(models.Model):
    _inherit = "account.move"

    osmd_statement_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="For the bank payment",
        index="btree_not_null",
        groups="account.group_account_readonly",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The bank payment this entry moves to or from a personal account (payment matching).",
    )

    osmd_registry_id = fields.Many2one(
        "osmd.payment.registry",
        string="Collector's registry",
        index="btree_not_null",
        groups="account.group_account_readonly",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="The collector's registry this entry splits.",
    )

    def _osmd_is_document(self):
        # the move of a bank statement line is the bank's record, not a billing document: it goes when its statement
        # line is deleted (its personal account, once posted, still never changes)
        self.ensure_one()
        # the moves of bank lines being deleted have lost their statement line already (kept out of the context, so
        # that no RPC caller can pass it)
        if self.statement_line_id or self.id in self.env.cr.cache.get("osmd_statement_moves", ()):
            return False
        return super()._osmd_is_document()

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if not self.env.context.get("osmd_defer_advances"):
            posted._osmd_apply_advances()
        return posted

    def _osmd_create_posted_invoices(self, vals_list):
        # the bulk path compares its rows with the reference invoices posted the standard way: advances are applied
        # to all of them afterwards
        moves = super(AccountMove, self.with_context(osmd_defer_advances=True))._osmd_create_posted_invoices(vals_list)
        moves = moves.with_env(self.env)
        moves._osmd_apply_advances()
        return moves

    def _osmd_reverse_entries(self, ref, other_items=None, **values):
        """Take back what these entries (matching, registry or booking entries of bank payments) did, with new
        entries: the reconciliations of their items (and of ``other_items``, e.g. the bank line's own) are removed,
        so every invoice gets back exactly what they paid, then each entry not reversed yet is reversed and reconciled
        with its reversal. ``ref(move)`` gives the reversal's reference; ``values`` go on every reversal."""
        entries = self.filtered(lambda move: move.state == "posted" and not move.reversal_move_ids)
        items = (entries.line_ids | (other_items or self.env["account.move.line"])).filtered(
            lambda item: item.account_id.reconcile and (item.matched_debit_ids or item.matched_credit_ids)
        )
        items.remove_move_reconcile()
        if entries:
            entries.with_context(osmd_defer_advances=True)._reverse_moves(
                [
                    {
                        "date": max(move.date, fields.Date.context_today(self)),
                        "ref": ref(move),
                        "osmd_account_id": move.osmd_account_id.id,
                        **values,
                    }
                    for move in entries
                ],
                cancel=True,
            )

    # ------------------------------------------------------------
    # ADVANCES
    # ------------------------------------------------------------

    @api.model
    def _osmd_open_receivable_domain(self):
        """Posted receivable items not reconciled yet."""
        return (
            Domain("account_type", "=", "asset_receivable")
            & Domain("parent_state", "=", "posted")
            & Domain("reconciled", "=", False)
        )

    @api.model
    def _osmd_payment_item_domain(self):
        """Receivable items of payments: bank statement lines and the matching entries of bank payments (other
        addons add their kinds of payments)."""
        return self._osmd_open_receivable_domain() & (
            Domain("move_id.statement_line_id", "!=", False) | Domain("move_id.osmd_statement_line_id", "!=", False)
        )

    def _osmd_apply_advances(self):
        """Close the open debts of the personal accounts of ``self`` (posted customer invoices) with the advances of
        those accounts (payments not applied yet), oldest debt first, in one reconciliation."""
        invoices = self.filtered(lambda m: m.state == "posted" and m.osmd_account_id and m.move_type == "out_invoice")
        if invoices:
            self._osmd_apply_account_advances(invoices.osmd_account_id)

    @api.model
    def _osmd_apply_account_advances(self, accounts):
        """Reconcile the payments of ``accounts`` not applied yet (advances) with their open debts: after invoices
        are posted, or after a payment is taken back and its invoices are open again."""
        Line = self.env["account.move.line"].sudo()
        credits = Line.search(
            self._osmd_payment_item_domain()
            & Domain("move_id.osmd_account_id", "in", accounts.ids)
            & Domain("amount_residual", "<", 0)
        )
        if credits:
            Line._osmd_reconcile_with_debts(credits)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model
    def _osmd_reconcile_with_debts(self, credits):
        """Reconcile the receivable credit items ``credits`` (payments of personal accounts) with the open debit
        items of the same personal accounts, oldest due date first: one reconciliation plan for all accounts."""
        credits = credits.filtered(lambda line: not line.reconciled and line.move_id.osmd_account_id)
        if not credits:
            return
        Line = self.sudo()
        debits = Line.search(
            Domain("move_id.osmd_account_id", "in", credits.move_id.osmd_account_id.ids)
            & Domain("account_type", "=", "asset_receivable")
            & Domain("parent_state", "=", "posted")
            & Domain("reconciled", "=", False)
            & Domain("amount_residual", ">", 0),
            order="date_maturity, date, id",
        )
        groups = defaultdict(lambda: Line.browse())
        for line in credits:
            groups[(line.move_id.osmd_account_id.id, line.account_id.id)] |= line
        debit_groups = defaultdict(lambda: Line.browse())
        for line in debits:
            debit_groups[(line.move_id.osmd_account_id.id, line.account_id.id)] |= line
        plans = [(lines, debit_groups[key]) for key, lines in groups.items() if debit_groups.get(key)]
        if not plans:
            return
        by_priority, oldest_first = [], []
        for plan in plans:
            priority = plan[0].company_id[:1].osmd_payment_allocation == "priority"
            (by_priority if priority else oldest_first).append(plan)
        if by_priority:
            plans = oldest_first
            Line._osmd_reconcile_by_priority(by_priority)
            if not plans:
                return
            credits = Line.browse([line.id for lines, _owed in plans for line in lines])
            debits = Line.browse([line.id for _lines, owed in plans for line in owed])
        involved = credits | debits
        involved.fetch(["matched_debit_ids", "matched_credit_ids", "currency_id", "amount_residual", "date"])
        company_currencies = involved.company_id.currency_id
        simple = not any(involved.company_id.mapped("tax_exigibility"))
        lite, standard = [], []
        for lines, owed in plans:
            group = lines | owed
            if (
                simple
                and len(lines) == 1
                and group.currency_id <= company_currencies
                and not group.matched_debit_ids
                and not group.matched_credit_ids
            ):
                lite.append((lines, owed))
            else:
                standard.append(group)
        if standard:
            Line._reconcile_plan(standard)
        if lite:
            Line._osmd_reconcile_fresh(lite)

    @api.model
    def _osmd_reconcile_fresh(self, plans):
        """Reconcile each payment credit item with its account's debit items (oldest due first) when none of them is
        reconciled with anything yet and all are in the company currency: the partials Odoo's ``_reconcile_plan``
        would make (amount = the smaller residual, in order), created in one batch with the full reconciliations of
        the groups that end at zero. Odoo computes the residuals, matching numbers and payment states."""
        Partial = self.env["account.partial.reconcile"].sudo()
        line_ids = []
        partial_vals, groups = [], []
        for credit, owed in plans:
            line_ids += credit.ids + owed.ids
            currency = credit.company_currency_id
            remaining = -credit.amount_residual
            touched, done = [], True
            for debit in owed.sorted(lambda line: (line.date_maturity or line.date, line.id)):
                if currency.compare_amounts(remaining, 0) <= 0:
                    break
                amount = currency.round(min(remaining, debit.amount_residual))
                partial_vals.append(
                    {
                        "debit_move_id": debit.id,
                        "credit_move_id": credit.id,
                        "amount": amount,
                        "debit_amount_currency": amount,
                        "credit_amount_currency": amount,
                    }
                )
                remaining = currency.round(remaining - amount)
                touched.append(debit)
                done = done and currency.is_zero(debit.amount_residual - amount)
            full = done and currency.is_zero(remaining)
            groups.append((credit, touched, full, len(touched)))
        all_lines = self.browse(line_ids)
        pre_hook_data = all_lines._reconcile_pre_hook()
        partials = Partial.create(partial_vals)
        full_vals, start = [], 0
        for credit, touched, full, count in groups:
            if full:
                full_vals.append(
                    {
                        "partial_reconcile_ids": [
                            Command.link(partial.id) for partial in partials[start : start + count]
                        ],
                        "reconciled_line_ids": [Command.link(line.id) for line in [credit, *touched]],
                    }
                )
            start += count
        if full_vals:
            self.env["account.full.reconcile"].sudo().create(full_vals)
        all_lines._reconcile_post_hook(pre_hook_data)

    # ------------------------------------------------------------
    # PAYMENT BY SERVICE PRIORITY
    # ------------------------------------------------------------

    @api.model
    def _osmd_reconcile_by_priority(self, plans):
        """Reconcile each payment group [(credits, debits)] of an association that pays services by priority: the
        money goes to the service of the highest priority on every open invoice (oldest first), then to the next
        service, penalties last (first when the statute says so); each invoice is paid the sum of its services'
        parts. The collected-by-service report shares every invoice's payments the same way, so the two agree.
        Debts that are not accrual invoices, or a payment left over, fall back to oldest-first."""
        penalties = set(self.env["osmd.turnover.register"]._get_penalty_products().ids)
        all_debits = self.browse([line.id for _credits, debits in plans for line in debits])
        left = self._osmd_left_by_service(all_debits, penalties, plans[0][0].company_id[:1])
        priorities = {
            product.id: product.osmd_payment_priority
            for product in self.env["product.product"].browse({pid for rest in left.values() for pid in rest})
        }
        pairs = []
        for credits, debits in plans:
            company = credits.company_id[:1]
            credits = credits.sorted(lambda line: (line.date, line.id))
            debits = debits.sorted(lambda line: (line.date_maturity or line.date, line.id))
            money = -sum((to_decimal(line.amount_residual) for line in credits), Decimal(0))
            targets = self._osmd_priority_targets(company, debits, money, left, priorities, penalties)
            credit_left = {line: -to_decimal(line.amount_residual) for line in credits}
            for debit in debits:
                want = targets.get(debit.id, Decimal(0))
                for credit in credits:
                    if want <= 0:
                        break
                    take = min(want, credit_left[credit])
                    if take > 0:
                        pairs.append((debit.id, credit.id, take))
                        credit_left[credit] -= take
                        want -= take
        if pairs:
            self._osmd_create_partials(pairs)

    @api.model
    def _osmd_left_by_service(self, debits, penalties, company):
        """{debit item id: {product id: amount still owed}} of the open accrual invoices of ``debits`` (one receivable
        item each): each invoice's services less what its earlier payments covered, shared as the report shares
        them. Read with grouped queries for all accounts at once."""
        Line = self.env["account.move.line"].sudo()
        debits.fetch(["move_id"])
        debit_of_move = {line.move_id.id: line.id for line in debits}
        single = {
            move.id
            for move, count in Line._read_group(
                Domain("move_id", "in", list(debit_of_move))
                & Domain("move_id.move_type", "=", "out_invoice")
                & Domain("account_type", "=", "asset_receivable"),
                ["move_id"],
                ["__count"],
            )
            if count == 1
        }
        services = defaultdict(list)
        for move, product, total in Line._read_group(
            Domain("move_id", "in", list(single)) & Domain("display_type", "=", "product"),
            ["move_id", "product_id"],
            ["price_total:sum"],
        ):
            services[move.id].append((product.id, round_money(total)))
        paid = defaultdict(list)
        for row in (
            self.env["account.partial.reconcile"]
            .sudo()
            .search_read(
                Domain("debit_move_id", "in", [debit_of_move[move_id] for move_id in single]),
                ["debit_move_id", "amount"],
                order="id",
            )
        ):
            paid[row["debit_move_id"][0]].append((row["id"], to_decimal(row["amount"])))
        priority = {
            product.id: product.osmd_payment_priority
            for product in self.env["product.product"].browse({pid for lines in services.values() for pid, _t in lines})
        }
        left = {}
        for move_id in single:
            debit_id = debit_of_move[move_id]
            owed = owed_by_service(services[move_id])
            shares = allocate(
                owed,
                paid[debit_id],
                penalties=penalties,
                priority=priority,
                penalty_first=company.osmd_penalty_first,
            )
            rest = dict(owed)
            for parts in shares.values():
                for product_id, amount in parts.items():
                    rest[product_id] -= amount
            left[debit_id] = rest
        return left

    @api.model
    def _osmd_priority_targets(self, company, debits, money, left, priorities, penalties):
        """{debit item id: amount} this payment of ``money`` pays on each open debit item of one account."""
        services = []
        for debit in debits:
            for product_id, amount in left.get(debit.id, {}).items():
                if amount > 0:
                    fine = product_id in penalties
                    group = (0 if fine else 1) if company.osmd_penalty_first else (1 if fine else 0)
                    # the order of allocate(): priority, then the service's name as the report sorts it
                    service = f"product.product({product_id},)"
                    key = (group, priorities.get(product_id, 0), service, debit.date_maturity or debit.date, debit.id)
                    services.append((key, debit, amount))
        targets = defaultdict(Decimal)
        for _key, debit, amount in sorted(services, key=lambda item: item[0]):
            if money <= 0:
                break
            take = min(money, amount, to_decimal(debit.amount_residual) - targets[debit.id])
            if take > 0:
                targets[debit.id] += take
                money -= take
        # what no service explains (an opening balance, a rounding difference) is paid oldest first
        for debit in debits:
            if money <= 0:
                break
            take = min(money, round_money(debit.amount_residual) - targets[debit.id])
            if take > 0:
                targets[debit.id] += take
                money -= take
        return targets

    @api.model
    def _osmd_create_partials(self, pairs):
        """Create the partial reconciliations ``pairs`` [(debit id, credit id, amount)] (company currency) in one
        batch, then the full reconciliations of the groups of items they leave at zero; Odoo computes the residuals,
        the matching numbers and the invoices' payment states."""
        lines = self.browse(sorted({line_id for debit, credit, _amount in pairs for line_id in (debit, credit)}))
        pre_hook_data = lines._reconcile_pre_hook()
        self.env["account.partial.reconcile"].sudo().create(
            [
                {
                    "debit_move_id": debit,
                    "credit_move_id": credit,
                    "amount": float(amount),
                    "debit_amount_currency": float(amount),
                    "credit_amount_currency": float(amount),
                }
                for debit, credit, amount in pairs
            ]
        )
        self.env.flush_all()
        # the groups of reconciled items (one matching number each) that are now at zero and not yet full
        self.env.cr.execute(
            """
            SELECT aml.matching_number, array_agg(aml.id ORDER BY aml.id)
              FROM account_move_line aml
             WHERE aml.matching_number IN (
                       SELECT DISTINCT matching_number FROM account_move_line
                        WHERE id = ANY(%s) AND matching_number LIKE 'P%%')
             GROUP BY aml.matching_number
            HAVING bool_and(ROUND(aml.amount_residual, 2) = 0) AND bool_and(aml.full_reconcile_id IS NULL)
            """,
            [lines.ids],
        )
        groups = dict(self.env.cr.fetchall())
        if groups:
            self.env.cr.execute(
                """
                SELECT aml.matching_number, array_agg(p.id ORDER BY p.id)
                  FROM account_partial_reconcile p
                  JOIN account_move_line aml ON aml.id = p.debit_move_id
                 WHERE aml.matching_number = ANY(%s)
                 GROUP BY aml.matching_number
                """,
                [list(groups)],
            )
            partials = dict(self.env.cr.fetchall())
            self.env["account.full.reconcile"].sudo().create(
                [
                    {
                        "partial_reconcile_ids": [Command.link(pid) for pid in partials.get(number, [])],
                        "reconciled_line_ids": [Command.link(line_id) for line_id in line_ids],
                    }
                    for number, line_ids in groups.items()
                ]
            )
        lines._reconcile_post_hook(pre_hook_data)
