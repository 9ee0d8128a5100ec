import re
from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

from odoo.addons.osmd_billing.tools.formatting import fmt_number
from odoo.addons.osmd_billing.tools.money import round_money

from ..tools import matching

MATCH_RULES = [
    ("qr", "Purpose of our QR code"),
    ("number", "Account number in the purpose"),
    ("address", "Flat and address in the purpose"),
    ("payer", "Known payer"),
    ("amount", "Known payer and the amount of an open invoice"),
    ("manual", "Chosen by hand"),
    ("registry", "Collector registry"),
]
LINE_KINDS = [
    ("resident", "Payment from a resident"),
    ("outgoing", "Outgoing"),
    ("foreign", "Foreign currency"),
    ("self", "Transfer between own accounts"),
    ("transit", "Transit account"),
    ("technical", "Technical line of the bank"),
    ("registry", "Collector's lump sum"),
]
MATCH_STATES = [
    ("none", "Not for residents"),
    ("todo", "To review"),
    ("auto", "Matched automatically"),
    ("confirmed", "Confirmed"),
    ("registry", "Split by a registry"),
    ("booked", "Booked to an account"),
    ("ignored", "Ignored"),
]
# what matching decided about a bank line: changed only by the matching itself and its buttons (run as superuser
# after their own checks), never by a direct write
MATCHING_FIELDS = frozenset(
    {
        "osmd_line_kind",
        "osmd_match_state",
        "osmd_matched_account_id",
        "osmd_match_rule",
        "osmd_match_confidence",
        "osmd_match_detail",
        "osmd_payer_code",
        "osmd_ultimate_code",
        "osmd_booked_account_id",
        "osmd_booking_move_id",
    }
)
HOUSE_RE = re.compile(r"^(?P<street>.*?)[\s,]+(?:буд\.?\s*)?(?P<house>\d+[\w/-]*)\s*$", re.IGNORECASE)


class AccountBankStatementLine(models.Model):
    _name = "account.bank.statement.line"
    _inherit = ["account.bank.statement.line", "osmd.bank.line.bulk"]

    osmd_line_kind = fields.Selection(LINE_KINDS, string="Kind of payment", readonly=True, index=True)
    osmd_match_state = fields.Selection(MATCH_STATES, string="Matching", readonly=True, index=True, copy=False)
    osmd_matched_account_id = fields.Many2one(
        "osmd.account", string="Paid for personal account", readonly=True, index="btree_not_null", copy=False
    )
    osmd_match_rule = fields.Selection(MATCH_RULES, string="Matched by", readonly=True, copy=False)
    osmd_match_confidence = fields.Integer(string="Confidence", readonly=True, copy=False)
    osmd_match_detail = fields.Char(string="Found in the payment", readonly=True, copy=False)
    osmd_payer_code = fields.Char(string="Payer's tax code", readonly=True, help="ЄДРПОУ / РНОКПП of the payer.")
    osmd_ultimate_code = fields.Char(string="Ultimate payer's code", readonly=True)
    osmd_suggestion_ids = fields.One2many("osmd.payment.suggestion", "statement_line_id", string="Suggestions")
    osmd_entry_ids = fields.One2many("account.move", "osmd_statement_line_id", string="Entries of this payment")
    osmd_booked_account_id = fields.Many2one(
        "account.account", string="Booked to", readonly=True, copy=False, index="btree_not_null"
    )
    osmd_booking_move_id = fields.Many2one("account.move", string="Booking entry", readonly=True, copy=False)
    osmd_best_account_id = fields.Many2one(
        "osmd.account", string="Suggested account", compute="_compute_osmd_best_account_id"
    )
    osmd_correct_account_id = fields.Many2one(
        "osmd.account",
        string="Assign to personal account",
        store=False,
        domain="[('company_id', '=', company_id)]",
        help="Choose the personal account this payment is for, then press Assign.",
    )

    @api.depends("osmd_suggestion_ids")
    def _compute_osmd_best_account_id(self):
        for line in self:
            line.osmd_best_account_id = line.osmd_suggestion_ids[:1].account_id

    # ------------------------------------------------------------
    # MATCHING INDEX
    # ------------------------------------------------------------

    @api.model
    def _osmd_match_index(self, company):
        """The matching index of one association: its accounts, buildings, learned payers and open invoices.
        Nothing of another association is read."""
        Account = self.env["osmd.account"].sudo()
        accounts = Account.search_fetch(Domain("company_id", "=", company.id), ["number", "building_id", "premise_id"])
        premises = accounts.premise_id
        premises.fetch(["number"])
        buildings = accounts.building_id
        buildings.fetch(["street"])
        building_keys = []
        for building in buildings:
            street, house = building.street or "", ""
            found = HOUSE_RE.match(street)
            if found:
                street, house = found["street"].rstrip(" ,"), found["house"]
            building_keys.append(matching.BuildingKey(building.id, street, house))
        account_keys = [
            matching.AccountKey(account.id, account.number, account.building_id.id, account.premise_id.number or "")
            for account in accounts
        ]
        open_invoices = defaultdict(list)
        for account, _move, residual in (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                Domain("move_id.osmd_account_id", "in", accounts.ids)
                & Domain("company_id", "=", company.id)
                & Domain("account_type", "=", "asset_receivable")
                & Domain("parent_state", "=", "posted")
                & Domain("reconciled", "=", False),
                ["move_id.osmd_account_id", "move_id"],
                ["amount_residual:sum"],
            )
        ):
            if residual > 0:
                open_invoices[account.id].append(Decimal(str(residual)).quantize(Decimal("0.01")))
        own_ibans = {
            re.sub(r"\s+", "", iban).upper()
            for iban in self.env["account.journal"]
            .sudo()
            .search(Domain("company_id", "=", company.id) & Domain("type", "=", "bank"))
            .bank_account_id.mapped("acc_number")
        }
        index = matching.MatchIndex(
            account_keys,
            buildings=building_keys,
            payer_links=self.env["osmd.payer.link"].sudo()._links_of(company),
            open_invoices=dict(open_invoices),
            own_ibans=tuple(own_ibans),
            own_codes=tuple(code for code in [company.osmd_edrpou] if code),
        )
        return index, accounts

    @api.model
    def _osmd_match_vals(self, company, vals_list):
        """Match the statement line values ``vals_list`` (before creation) with the personal accounts of
        ``company``: kind, state, rule, confidence, suggestions; a match above the association's threshold gets the
        account's holder as partner and its receivable account as counterpart, so the bank line is born paying the
        account (``osmd_account_id`` of its entry) and is reconciled with the account's invoices after creation."""
        if not vals_list:
            return
        index, accounts = self._osmd_match_index(company)
        threshold = company.osmd_payment_threshold or 80
        currency = company.currency_id.name
        holders = {account.id: account.holder_id for account in accounts}
        receivable = {}
        for vals in vals_list:
            result = matching.match(
                index,
                amount=vals.get("amount") or 0.0,
                currency=vals.pop("osmd_currency", None) or currency,
                purpose=vals.get("payment_ref") or "",
                partner_iban=vals.get("account_number") or "",
                partner_code=vals.get("osmd_payer_code") or "",
                partner_name=vals.get("partner_name") or "",
                ultimate_code=vals.get("osmd_ultimate_code") or "",
                technical=bool(vals.pop("osmd_technical", False)),
                company_currency=currency,
            )
            vals["osmd_line_kind"] = result.kind
            if result.kind != "resident":
                vals["osmd_match_state"] = "none"
                continue
            best = result.best
            holder = best and holders.get(best.account_id)
            if best and best.confidence >= threshold and holder:
                if holder.id not in receivable:
                    receivable[holder.id] = holder.with_company(company).property_account_receivable_id.id
                vals.update(
                    osmd_match_state="auto",
                    osmd_matched_account_id=best.account_id,
                    osmd_account_id=best.account_id,
                    osmd_match_rule=best.rule,
                    osmd_match_confidence=best.confidence,
                    osmd_match_detail=best.detail,
                    partner_id=holder.id,
                    counterpart_account_id=receivable[holder.id],
                )
            else:
                vals["osmd_match_state"] = "todo"
                if best:
                    vals.update(osmd_match_rule=best.rule, osmd_match_confidence=best.confidence)
                vals["osmd_suggestion_ids"] = [
                    Command.create(
                        {
                            "account_id": candidate.account_id,
                            "confidence": candidate.confidence,
                            "rule": candidate.rule,
                            "detail": candidate.detail,
                        }
                    )
                    for candidate in result.candidates
                ]

    def _osmd_after_import(self):
        """After the lines of an import are created: reconcile the automatically matched ones with their accounts'
        invoices and learn their payers."""
        lumps = self.filtered(lambda line: line.osmd_line_kind == "registry" and line.amount > 0)
        if lumps:
            self.env["osmd.payment.registry"].sudo().search(
                Domain("company_id", "in", lumps.company_id.ids) & Domain("state", "=", "waiting")
            )._osmd_find_transfer(lumps)
        auto = self.filtered(lambda line: line.osmd_match_state == "auto")
        if not auto:
            return
        self._osmd_ensure_suspense_reconcilable()
        credits = auto.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and line.balance < 0
        )
        self.env["account.move.line"]._osmd_reconcile_with_debts(credits)
        auto._osmd_learn(rules=("number", "qr"))

    def _osmd_learn(self, rules=None):
        """Teach matching rule 3 the payers of these matched lines (all of them, or those matched by ``rules``)."""
        for company, lines in self.grouped("company_id").items():
            entries = [
                (
                    line.osmd_matched_account_id.id,
                    line.account_number,
                    line.osmd_payer_code,
                    line.partner_name,
                    line.date,
                )
                for line in lines
                if line.osmd_matched_account_id and (rules is None or line.osmd_match_rule in rules)
            ]
            self.env["osmd.payer.link"].sudo()._learn(company, entries)

    def _osmd_ensure_suspense_reconcilable(self):
        """Bank payments waiting for their personal account stay on the journal's suspense account; matching them
        later reconciles that item, so the account must allow reconciliation."""
        accounts = self.journal_id.suspense_account_id.filtered(lambda account: not account.reconcile)
        if accounts:
            accounts.sudo().reconcile = True

    # ------------------------------------------------------------
    # REVIEW QUEUE ACTIONS
    # ------------------------------------------------------------

    def _osmd_check_matchable(self):
        for line in self:
            if line.osmd_match_state not in ("todo", "ignored"):
                raise UserError(
                    self.env._(
                        "The payment %(payment)s is not waiting for its personal account (it is %(state)s).",
                        payment=line._osmd_label(),
                        state=dict(line._fields["osmd_match_state"]._description_selection(self.env)).get(
                            line.osmd_match_state, line.osmd_match_state or "-"
                        ),
                    )
                )

    def _osmd_label(self):
        self.ensure_one()
        amount = f"{self.amount:,.2f}".replace(",", " ").replace(".", ",")
        return f"{self.date.strftime('%d.%m.%Y')} {amount} «{(self.payment_ref or '').strip()[:60]}»"

    def _osmd_open_suspense_item(self):
        """The open suspense item holding this payment's money: its own line, or the one of the entry that took it
        back from a personal account."""
        self.ensure_one()
        suspense = self.journal_id.suspense_account_id
        items = (self.move_id.line_ids | self.osmd_entry_ids.line_ids).filtered(
            lambda line: line.account_id == suspense and not line.reconciled and line.parent_state == "posted"
        )
        return items

    def _osmd_general_journal(self):
        """The association's miscellaneous journal for matching and booking entries (looked up once per
        association and transaction)."""
        self.ensure_one()
        journals = self.env.cr.cache.setdefault("osmd_general_journals", {})
        company = self.company_id
        if company.id not in journals:
            journals[company.id] = (
                self.env["account.journal"]
                .sudo()
                .search(Domain("company_id", "=", company.id) & Domain("type", "=", "general"), limit=1)
                .id
            )
        if not journals[company.id]:
            raise UserError(
                self.env._("%(company)s has no miscellaneous journal for matching entries.", company=company.name)
            )
        return self.env["account.journal"].sudo().browse(journals[company.id])

    def _osmd_assign(self, account):
        """Assign these payments (waiting in the review queue) to ``account``: one matching entry each moves the
        money from the suspense account to the account's receivable and closes its invoices, oldest first. Posted
        entries are not changed. The payer is remembered for the next payments (rule 3)."""
        return self._osmd_assign_shares({line: [(account, line.amount)] for line in self})

    def _osmd_split(self, shares):
        """Share this payment (one payer paying for several personal accounts) among ``shares`` [(account,
        amount)]: the parts must be positive, for different accounts and add up to the payment exactly."""
        self.ensure_one()
        if not shares:
            raise UserError(self.env._("Add the personal accounts this payment is for."))
        total, seen = round_money(0), set()
        for row, (account, amount) in enumerate(shares, start=1):
            if not account:
                raise UserError(self.env._("Row %(row)s: choose the personal account.", row=row))
            if round_money(amount) <= 0:
                raise UserError(
                    self.env._(
                        "Row %(row)s: the part of personal account %(account)s must be more than zero.",
                        row=row,
                        account=account.sudo().number,
                    )
                )
            if account.id in seen:
                raise UserError(
                    self.env._(
                        "Row %(row)s: personal account %(account)s is already in the split.",
                        row=row,
                        account=account.sudo().number,
                    )
                )
            seen.add(account.id)
            total += round_money(amount)
        if total != round_money(self.amount):
            raise UserError(
                self.env._(
                    "The parts add up to %(total)s but the payment is %(amount)s (difference %(difference)s).",
                    total=fmt_number(total, 2),
                    amount=fmt_number(round_money(self.amount), 2),
                    difference=fmt_number(round_money(self.amount) - total, 2),
                )
            )
        return self._osmd_assign_shares({self: list(shares)})

    def _osmd_assign_shares(self, shares_by_line):
        """Book each payment of ``shares_by_line`` {line: [(account, amount)]} (waiting in the review queue) to its
        personal accounts: one matching entry per account moves that part from the suspense account to the
        account's receivable and closes its invoices, oldest first. Posted entries are not changed."""
        lines = self.browse([line.id for line in shares_by_line])
        lines.check_access("write")
        lines._osmd_check_matchable()
        for line, shares in shares_by_line.items():
            for account, _amount in shares:
                account = account.sudo()
                if account.company_id != line.company_id:
                    raise UserError(
                        self.env._(
                            "The personal account %(account)s belongs to another association.", account=account.number
                        )
                    )
                if not account.holder_id:
                    raise UserError(
                        self.env._(
                            "The personal account %(account)s has no holder: the payment cannot be booked to it.",
                            account=account.number,
                        )
                    )
        lines._osmd_ensure_suspense_reconcilable()
        Move = self.env["account.move"].sudo()
        entries_vals, groups = [], []
        for line, shares in shares_by_line.items():
            suspense_item = line._osmd_open_suspense_item()
            amount = -sum(suspense_item.mapped("balance"))
            if line.currency_id.compare_amounts(amount, line.amount) != 0:
                raise UserError(
                    self.env._(
                        "The payment %(payment)s is no longer on the suspense account: it cannot be assigned.",
                        payment=line._osmd_label(),
                    )
                )
            groups.append((line, suspense_item, len(shares)))
            entries_vals += [
                line._osmd_entry_vals(account.sudo(), float(round_money(part)), to_account=True)
                for account, part in shares
            ]
        entries = Move.with_context(osmd_defer_advances=True).create(entries_vals)
        entries.with_context(osmd_defer_advances=True).action_post()
        Line = self.env["account.move.line"].sudo()
        suspense = lines.journal_id.suspense_account_id
        plan, start = [], 0
        for line, suspense_item, count in groups:
            own = entries[start : start + count]
            start += count
            plan.append(suspense_item | own.line_ids.filtered(lambda ml: ml.account_id in suspense))
            shares = shares_by_line[line]
            main = max(shares, key=lambda share: round_money(share[1]))[0]
            detail = False
            if len(shares) > 1:
                detail = self.env._(
                    "Split: %(parts)s",
                    parts="; ".join(
                        f"{account.sudo().number} — {fmt_number(round_money(part), 2)}" for account, part in shares
                    ),
                )
            line.sudo().write(
                {
                    "osmd_match_state": "confirmed",
                    "osmd_matched_account_id": main.id,
                    "osmd_match_rule": "manual",
                    "osmd_match_confidence": 100,
                    "osmd_match_detail": detail,
                }
            )
        Line._reconcile_plan(plan)
        lines.osmd_suggestion_ids.sudo().unlink()
        Line._osmd_reconcile_with_debts(entries.line_ids.filtered(lambda ml: ml.account_type == "asset_receivable"))
        lines._osmd_learn()
        return entries

    def _osmd_entry_vals(self, account, amount, to_account):
        """Values of a matching entry of ``amount`` (> 0) for ``account``: from suspense to the account's receivable
        (``to_account``), or back."""
        self.ensure_one()
        holder = account.holder_id
        receivable = holder.with_company(self.company_id).property_account_receivable_id
        suspense = self.journal_id.suspense_account_id
        label = self.env._(
            "Bank payment of %(date)s for personal account %(account)s: %(purpose)s",
            date=self.date.strftime("%d.%m.%Y"),
            account=account.number,
            purpose=(self.payment_ref or "")[:120],
        )
        sign = 1 if to_account else -1
        return {
            "move_type": "entry",
            "journal_id": self._osmd_general_journal().id,
            "company_id": self.company_id.id,
            "date": max(self.date, fields.Date.context_today(self)) if not to_account else self.date,
            "ref": label,
            "osmd_account_id": account.id,
            "osmd_statement_line_id": self.id,
            "partner_id": holder.id,
            "line_ids": [
                Command.create(
                    {
                        "account_id": suspense.id,
                        "partner_id": holder.id,
                        "name": label,
                        "balance": sign * amount,
                    }
                ),
                Command.create(
                    {
                        "account_id": receivable.id,
                        "partner_id": holder.id,
                        "name": label,
                        "balance": -sign * amount,
                    }
                ),
            ],
        }

    def action_osmd_assign(self):
        """Form button: assign the payment to the personal account chosen in the field above it (passed in the
        button's context: the field is not stored)."""
        account = self.env["osmd.account"].browse(self.env.context.get("osmd_assign_account_id") or [])
        if not account:
            raise UserError(self.env._("Choose the personal account this payment is for."))
        account.check_access("read")
        self._osmd_assign(account)
        return True

    def action_osmd_confirm_best(self):
        """List button: confirm the best suggestion of every selected payment waiting for review."""
        for line in self:
            best = line.osmd_suggestion_ids[:1]
            if not best:
                raise UserError(
                    self.env._(
                        "The payment %(payment)s has no suggested personal account: choose one.",
                        payment=line._osmd_label(),
                    )
                )
            line._osmd_assign(best.account_id)
        return True

    def action_osmd_ignore(self):
        """Not a resident's payment (a refund, a grant, a wrong transfer): leave it to the accountant's books."""
        self.check_access("write")
        self._osmd_check_matchable()
        self.sudo().write({"osmd_match_state": "ignored"})
        return True

    def _osmd_book(self, account, label=None):
        """Book these bank lines that are not residents' payments (bank fees, outgoing payments, grants, refunds) to
        ``account``: a new entry of the miscellaneous journal moves each line's money from the suspense account to
        ``account`` and is reconciled with it. The bank line's own entry is not changed."""
        self.check_access("write")
        account = account.sudo()
        blocked = {"asset_receivable", "liability_payable", "off_balance"}
        for line in self:
            if line.osmd_line_kind == "registry":
                raise UserError(
                    self.env._(
                        "The payment %(payment)s is a collector's lump sum: import the collector's registry to split "
                        "it among the personal accounts.",
                        payment=line._osmd_label(),
                    )
                )
            if line.osmd_match_state not in ("none", "todo", "ignored"):
                raise UserError(
                    self.env._(
                        "The payment %(payment)s is already booked or paid to a personal account.",
                        payment=line._osmd_label(),
                    )
                )
            if account.company_ids and line.company_id not in account.company_ids:
                raise UserError(
                    self.env._("The account %(account)s belongs to another association.", account=account.code)
                )
            if account.account_type in blocked or account == line.journal_id.suspense_account_id:
                raise UserError(
                    self.env._(
                        "The account %(account)s cannot take a bank line: choose an income, expense, bank or other "
                        "account (personal accounts are paid through matching).",
                        account=account.display_name,
                    )
                )
        self._osmd_ensure_suspense_reconcilable()
        entries_vals, items = [], []
        for line in self:
            item = line._osmd_open_suspense_item()
            balance = sum(item.mapped("balance"))
            if line.currency_id.compare_amounts(-balance, line.amount) != 0:
                raise UserError(
                    self.env._(
                        "The payment %(payment)s is no longer on the suspense account: it cannot be booked.",
                        payment=line._osmd_label(),
                    )
                )
            items.append(item)
            name = label or line.payment_ref or "/"
            common = {"partner_id": line.partner_id.id, "name": name}
            entries_vals.append(
                {
                    "move_type": "entry",
                    "journal_id": line._osmd_general_journal().id,
                    "company_id": line.company_id.id,
                    "date": line.date,
                    "ref": self.env._(
                        "Bank line of %(date)s booked to %(account)s: %(purpose)s",
                        date=line.date.strftime("%d.%m.%Y"),
                        account=account.code,
                        purpose=(line.payment_ref or "")[:120],
                    ),
                    "osmd_statement_line_id": line.id,
                    "partner_id": line.partner_id.id,
                    "line_ids": [
                        Command.create(
                            dict(common, account_id=line.journal_id.suspense_account_id.id, balance=-balance)
                        ),
                        Command.create(dict(common, account_id=account.id, balance=balance)),
                    ],
                }
            )
        entries = self.env["account.move"].sudo().with_context(osmd_defer_advances=True).create(entries_vals)
        entries.with_context(osmd_defer_advances=True).action_post()
        self.env["account.move.line"].sudo()._reconcile_plan(
            [
                item | entry.line_ids.filtered(lambda ml, item=item: ml.account_id == item.account_id)
                for item, entry in zip(items, entries, strict=True)
            ]
        )
        for line, entry in zip(self.sudo(), entries, strict=True):
            line.write(
                {"osmd_match_state": "booked", "osmd_booked_account_id": account.id, "osmd_booking_move_id": entry.id}
            )
        self.osmd_suggestion_ids.sudo().unlink()
        return entries

    def action_osmd_unbook(self):
        """Cancel the booking of these bank lines: the booking entry is reversed by a new entry and the line waits
        on the suspense account again."""
        self.check_access("write")
        for line in self:
            if line.osmd_match_state != "booked":
                raise UserError(
                    self.env._("The payment %(payment)s is not booked to an account.", payment=line._osmd_label())
                )
        for line in self.sudo():
            line.osmd_booking_move_id._osmd_reverse_entries(
                lambda move: self.env._("Reversal of %(entry)s: booking cancelled", entry=move.name)
            )
            line.write(
                {
                    "osmd_match_state": "todo" if line.osmd_line_kind == "resident" else "none",
                    "osmd_booked_account_id": False,
                    "osmd_booking_move_id": False,
                }
            )
        return True

    def action_osmd_unmatch(self):
        """Take the payment back from its personal account to the review queue: its invoices are open again as they
        were before it, and a new entry moves its money back to the suspense account (nothing posted is changed)."""
        self.check_access("write")
        for line in self:
            if line.osmd_match_state not in ("auto", "confirmed"):
                raise UserError(
                    self.env._(
                        "The payment %(payment)s is not matched to a personal account.", payment=line._osmd_label()
                    )
                )
        self._osmd_ensure_suspense_reconcilable()
        Move = self.env["account.move"].sudo()
        reopened = self.env["osmd.account"]
        for line in self:
            items = line._osmd_account_items()
            items.remove_move_reconcile()
            parts = items.grouped(lambda ml: ml.move_id.osmd_account_id)
            entries = Move.with_context(osmd_defer_advances=True).create(
                [
                    line._osmd_entry_vals(account.sudo(), -sum(part.mapped("balance")), to_account=False)
                    for account, part in parts.items()
                ]
            )
            entries.with_context(osmd_defer_advances=True).action_post()
            self.env["account.move.line"].sudo()._reconcile_plan(
                [
                    part | entry.line_ids.filtered(lambda ml: ml.account_type == "asset_receivable")
                    for part, entry in zip(parts.values(), entries, strict=True)
                ]
            )
            line.sudo().write(
                {
                    "osmd_match_state": "todo",
                    "osmd_matched_account_id": False,
                    "osmd_match_rule": False,
                    "osmd_match_confidence": 0,
                    "osmd_match_detail": False,
                }
            )
            reopened |= self.env["osmd.account"].browse([account.id for account in parts])
        # other payments of those accounts waiting as advances now pay the invoices that are open again
        if reopened:
            self.env["account.move"]._osmd_apply_account_advances(reopened)
        return True

    def _osmd_account_items(self):
        """The receivable items by which this payment pays its personal account now: the bank line's own (matched
        automatically) or its matching entry's, leaving out those an entry already took back."""
        self.ensure_one()
        items = (self.move_id.line_ids | self.osmd_entry_ids.line_ids).filtered(
            lambda ml: ml.account_type == "asset_receivable" and ml.balance < 0 and ml.parent_state == "posted"
        )
        return items.filtered(
            lambda ml: (
                not ml.matched_debit_ids.debit_move_id.filtered(
                    lambda debit: debit.move_id.osmd_statement_line_id == self
                )
            )
        )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if not self.env.su and MATCHING_FIELDS.intersection(vals):
            raise UserError(
                self.env._(
                    "The matching of a bank payment changes only through its buttons (assign, split, take back, book "
                    "to an account), never by editing it."
                )
            )
        return super().write(vals)

    def unlink(self):
        """Deleting bank lines (a statement imported by mistake) gives the invoices back the amounts these payments
        closed, exactly: their reconciliations are removed and their matching entries are reversed by new entries."""
        registries = self.env["osmd.payment.registry"].sudo().search(Domain("statement_line_id", "in", self.ids))
        if registries:
            registries.filtered(lambda registry: registry.state == "done").action_unsplit()
            registries.write({"statement_line_id": False, "state": "waiting"})
        matched = self.filtered(
            lambda line: line.osmd_entry_ids or line.osmd_match_state in ("auto", "confirmed", "booked")
        )
        if matched:
            matched._osmd_release()
        move_ids = set(self.move_id.ids)
        deleting = self.env.cr.cache.setdefault("osmd_statement_moves", set())
        deleting.update(move_ids)
        try:
            return super().unlink()
        finally:
            deleting.difference_update(move_ids)

    def _osmd_release(self):
        for line in self.sudo():
            line.osmd_entry_ids._osmd_reverse_entries(
                lambda move: self.env._("Reversal of %(entry)s: its bank payment was deleted", entry=move.name),
                other_items=line.move_id.line_ids,
            )


class AccountBankStatement(models.Model):
    _inherit = "account.bank.statement"

    def unlink(self):
        """Deleting an imported statement deletes its payments too (Odoo would leave them without a statement), each
        giving back to the invoices exactly what it paid."""
        lines = self.line_ids.filtered("osmd_match_state")
        res = super().unlink()
        lines.exists().unlink()
        return res
