import re
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

from ..tools import registries as parsers

PRESET_SELECTION = [
    ("gerc", "City settlement centre (GERC / ERC)"),
    ("easypay", "EasyPay"),
    ("ipay", "iPay.ua"),
    ("portmone", "Portmone"),
    ("privat_komunalka", "PrivatBank utility payments"),
    ("ukrposhta", "Ukrposhta (post office)"),
    ("generic_csv", "Other: CSV"),
    ("generic_xlsx", "Other: XLSX"),
    ("generic_dbf", "Other: dBase (DBF)"),
]


class OsmdPaymentCollector(models.Model):
    """A payment collector that sends the association registries of residents' payments and one bank transfer
    (net of its fee) per registry."""

    _name = "osmd.payment.collector"
    _description = "Payment collector"
    _order = "company_id, name"
    _check_company_auto = True

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    layout = fields.Selection(PRESET_SELECTION, string="Registry layout", required=True, default="generic_csv")
    encoding = fields.Selection(
        [("", "Detect"), ("utf-8", "UTF-8"), ("cp1251", "Windows-1251"), ("cp866", "DOS (866)")],
        default="",
    )
    column_overrides = fields.Text(
        string="Columns",
        help="Column headers of this collector's files when they differ from the layout, one per line: "
        "field = header, e.g. 'account = Особовий рахунок'. Fields: txn_id, date, account, payer, address, "
        "service_code, period, amount, fee.",
    )
    fee_account_id = fields.Many2one(
        "account.account",
        string="Fee expense account",
        check_company=True,
        help="The collector's commission is booked here when a registry is split (bank charges by default).",
    )
    registry_ids = fields.One2many("osmd.payment.registry", "collector_id", string="Registries")

    def _layout(self):
        """The parser layout of this collector: its preset, with the column headers the accountant gave."""
        self.ensure_one()
        layout = parsers.preset(self.layout)
        columns = dict(layout.columns)
        for raw in (self.column_overrides or "").splitlines():
            if "=" not in raw:
                continue
            field, header = (part.strip() for part in raw.split("=", 1))
            if field in parsers.FIELDS and header:
                known = columns.get(field)
                columns[field] = [header, *known] if isinstance(known, list) else [header]
        changes = {"columns": columns}
        if self.encoding:
            changes["encoding"] = self.encoding
        return parsers.preset(self.layout, **changes)

    def _fee_account(self):
        self.ensure_one()
        if self.fee_account_id:
            return self.fee_account_id
        Account = self.env["account.account"].sudo().with_company(self.company_id)
        # bank charges of the Ukrainian chart: 92 (administrative expenses) as the fallback
        return Account.search(
            Domain("company_ids", "in", self.company_id.ids) & Domain("code", "=like", "92%"), order="code", limit=1
        ) or Account.search(
            Domain("company_ids", "in", self.company_id.ids) & Domain("account_type", "=", "expense"),
            order="code",
            limit=1,
        )


class OsmdPaymentRegistry(models.Model):
    """A collector's registry of residents' payments: split into per-account payments against the collector's
    lump-sum bank transfer."""

    _name = "osmd.payment.registry"
    _description = "Collector's payment registry"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", string="Association", required=True, index=True)
    collector_id = fields.Many2one("osmd.payment.collector", required=True, check_company=True, index=True)
    number = fields.Char(string="Registry number", index=True)
    date = fields.Date(required=True)
    filename = fields.Char()
    line_ids = fields.One2many("osmd.payment.registry.line", "registry_id", string="Payments")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(string="Paid by residents", readonly=True)
    fee_total = fields.Monetary(string="Collector's fee", readonly=True)
    amount_net = fields.Monetary(
        string="Transferred", readonly=True, help="Paid by residents less the collector's fee."
    )
    count = fields.Integer(string="Number of payments", readonly=True)
    unknown_count = fields.Integer(compute="_compute_unknown_count", string="Unknown accounts")
    statement_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="Bank transfer",
        readonly=True,
        copy=False,
        check_company=True,
        help="The collector's lump-sum transfer this registry splits.",
    )
    state = fields.Selection(
        [("waiting", "Waiting for the bank transfer"), ("ready", "Ready to split"), ("done", "Split")],
        default="waiting",
        required=True,
        tracking=True,
    )
    entry_ids = fields.One2many("account.move", "osmd_registry_id", string="Entries")

    _number_uniq = models.Constraint(
        "UNIQUE(collector_id, number, date)", "This registry of the collector has been imported already."
    )

    @api.depends("collector_id.name", "number", "date")
    def _compute_name(self):
        for registry in self:
            day = registry.date.strftime("%d.%m.%Y") if registry.date else ""
            registry.name = f"{registry.collector_id.name or ''} № {registry.number or '-'} {day}".strip()

    @api.depends("line_ids.account_id")
    def _compute_unknown_count(self):
        for registry in self:
            registry.unknown_count = len(registry.line_ids.filtered(lambda line: not line.account_id))

    # ------------------------------------------------------------
    # IMPORT
    # ------------------------------------------------------------

    @api.model
    def _osmd_import(self, collector, data, filename, number=""):
        """Create the registry of ``data`` (a file of ``collector``): every payment checked, nothing written when
        one is wrong or the registry was imported before."""
        collector.check_access("read")
        self.check_access("create")
        try:
            parsed = parsers.parse_registry(data, collector._layout(), filename=filename or "")
        except parsers.RegistryError as error:
            params = {"row": error.row, **error.params}
            # the field and file kind names are English labels marked with _lt() in tools/registries.py
            for key in ("field", "expected", "found"):
                if isinstance(params.get(key), str):
                    params[key] = self.env._(params[key])  # pylint: disable=translation-not-lazy
            message = self.env._(error.message, **params)  # pylint: disable=translation-not-lazy
            raise UserError(self.env._("%(file)s: %(message)s", file=filename or "-", message=message)) from error
        number = number or parsed.number or parsers.registry_number_in(filename or "") or number_in_filename(filename)
        if not parsed.records:
            raise UserError(self.env._("%(file)s: the registry lists no payment.", file=filename or "-"))
        txn_ids = [record.txn_id for record in parsed.records]
        Line = self.env["osmd.payment.registry.line"].sudo()
        known = Line.search_fetch(
            Domain("collector_id", "=", collector.id) & Domain("txn_id", "in", txn_ids), ["txn_id", "registry_id"]
        )
        if known:
            if len(known) == len(txn_ids):
                raise UserError(
                    self.env._(
                        "%(file)s: this registry has been imported already (%(registry)s). Nothing was imported.",
                        file=filename or "-",
                        registry=known.registry_id[:1].name,
                    )
                )
            raise UserError(
                self.env._(
                    "%(file)s: %(count)s payments of this registry were imported before in %(registry)s (first: "
                    "transaction %(txn)s). A registry is imported whole: nothing was imported.",
                    file=filename or "-",
                    count=len(known),
                    registry=", ".join(known.registry_id.mapped("name")),
                    txn=known[0].txn_id,
                )
            )
        company = collector.company_id
        accounts = self.env["osmd.account"].sudo().search_fetch(Domain("company_id", "=", company.id), ["number"])
        by_number = defaultdict(list)
        for account in accounts:
            by_number[account.number.lstrip("0")].append(account.id)
        day = parsed.date or max(record.date for record in parsed.records)
        registry = self.create(
            {
                "company_id": company.id,
                "collector_id": collector.id,
                "number": number,
                "date": day,
                "filename": filename,
                "amount_total": float(parsed.total_amount),
                "fee_total": float(parsed.total_fee),
                "amount_net": float(parsed.net_amount),
                "count": parsed.count,
                "line_ids": [
                    Command.create(
                        {
                            "row": record.row,
                            "txn_id": record.txn_id,
                            "date": record.date,
                            "account_number": record.account,
                            "account_id": (
                                by_number.get(record.account.lstrip("0"), [False])[0]
                                if len(by_number.get(record.account.lstrip("0"), [])) == 1
                                else False
                            ),
                            "payer": record.payer,
                            "address": record.address,
                            "service_code": record.service_code,
                            "period": record.period,
                            "amount": float(record.amount),
                            "fee": float(record.fee),
                        }
                    )
                    for record in parsed.records
                ],
            }
        )
        registry._osmd_find_transfer()
        return registry

    # ------------------------------------------------------------
    # LUMP SUM
    # ------------------------------------------------------------

    def _osmd_find_transfer(self, lines=None):
        """Link each waiting registry with its collector's lump-sum bank transfer: a bank line not from residents
        whose purpose names the registry's number and whose amount is the registry's net total."""
        waiting = self.filtered(lambda registry: registry.state == "waiting" and not registry.statement_line_id)
        if not waiting:
            return
        if lines is None:
            lines = self.env["account.bank.statement.line"].search(
                Domain("company_id", "in", waiting.company_id.ids)
                & Domain("osmd_line_kind", "=", "registry")
                & Domain("osmd_match_state", "=", "none")
                & Domain("amount", ">", 0)
            )
        taken = set(self.search(Domain("statement_line_id", "in", lines.ids)).statement_line_id.ids)
        for registry in waiting:
            for line in lines:
                if line.id in taken or line.company_id != registry.company_id:
                    continue
                number = parsers.registry_number_in(line.payment_ref or "")
                if (
                    parsers.same_registry_number(number, registry.number)
                    and registry.currency_id.compare_amounts(line.amount, registry.amount_net) == 0
                ):
                    registry.write({"statement_line_id": line.id, "state": "ready"})
                    taken.add(line.id)
                    break

    def action_split(self):
        """Split the lump-sum transfer into one payment per personal account of the registry (and the collector's
        fee), reconciled with the accounts' invoices. Payments for unknown accounts stay on the suspense account."""
        self.check_access("write")
        for registry in self:
            if registry.state != "ready" or not registry.statement_line_id:
                raise UserError(
                    self.env._(
                        "%(registry)s has no bank transfer of the collector yet: import the bank statement with it "
                        "(its purpose must name the registry number and its amount be %(amount)s).",
                        registry=registry.name,
                        amount=f"{registry.amount_net:.2f}",
                    )
                )
            if registry.unknown_count:
                raise UserError(
                    self.env._(
                        "%(registry)s has %(count)s payments for unknown personal accounts: choose their accounts "
                        "first.",
                        registry=registry.name,
                        count=registry.unknown_count,
                    )
                )
            registry.sudo()._osmd_split()
        return True

    def _osmd_split(self):
        self.ensure_one()
        st_line = self.statement_line_id
        st_line._osmd_ensure_suspense_reconcilable()
        suspense = st_line.journal_id.suspense_account_id
        journal = st_line._osmd_general_journal()
        Move = self.env["account.move"].with_context(osmd_defer_advances=True)
        by_account = defaultdict(float)
        for line in self._osmd_lines_to_book():
            by_account[line.account_id] += line.amount
        vals_list = self._osmd_settlement_vals(journal, suspense, st_line.date)
        for account, amount in by_account.items():
            holder = account.holder_id
            receivable = holder.with_company(self.company_id).property_account_receivable_id
            label = self.env._(
                "%(registry)s: payments for personal account %(account)s", registry=self.name, account=account.number
            )
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "date": st_line.date,
                    "ref": label,
                    "osmd_account_id": account.id,
                    "osmd_registry_id": self.id,
                    "partner_id": holder.id,
                    "line_ids": [
                        Command.create(
                            {"account_id": suspense.id, "partner_id": holder.id, "name": label, "balance": amount}
                        ),
                        Command.create(
                            {"account_id": receivable.id, "partner_id": holder.id, "name": label, "balance": -amount}
                        ),
                    ],
                }
            )
        if self.currency_id.compare_amounts(self.fee_total, 0) > 0:
            label = self.env._("%(registry)s: collector's fee", registry=self.name)
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "date": st_line.date,
                    "ref": label,
                    "osmd_registry_id": self.id,
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": self.collector_id._fee_account().id,
                                "name": label,
                                "balance": self.fee_total,
                            }
                        ),
                        Command.create({"account_id": suspense.id, "name": label, "balance": -self.fee_total}),
                    ],
                }
            )
        entries = Move.create(vals_list)
        entries.action_post()
        Line = self.env["account.move.line"]
        suspense_items = st_line._osmd_open_suspense_item() | entries.line_ids.filtered(
            lambda item: item.account_id == suspense
        )
        Line._reconcile_plan([suspense_items])
        Line._osmd_reconcile_with_debts(entries.line_ids.filtered(lambda item: item.account_type == "asset_receivable"))
        self._osmd_after_split(entries)
        st_line.write({"osmd_match_state": "registry"})
        self.write({"state": "done"})

    def _osmd_lines_to_book(self):
        """The registry's payments to book to their personal accounts now (all of them here; the payments an agent
        already booked online are settled instead, see osmd_payment_gateway)."""
        return self.line_ids

    def _osmd_settlement_vals(self, journal, suspense, day):
        """Values of the entries that settle, from the transfer, what was already booked to the accounts (none
        here)."""
        return []

    def _osmd_after_split(self, entries):
        """Hook after the split's entries are posted and reconciled."""

    def action_unsplit(self):
        """Undo the split: the payments of the registry are taken back from the accounts (their invoices open again
        exactly as before) by reversing entries; the transfer waits on the suspense account again."""
        self.check_access("write")
        for registry in self.sudo().filtered(lambda registry: registry.state == "done"):
            registry.entry_ids._osmd_reverse_entries(
                lambda move: self.env._("Reversal of %(entry)s: registry split undone", entry=move.name),
                other_items=registry.statement_line_id.move_id.line_ids,
                osmd_registry_id=registry.id,
            )
            registry.statement_line_id.write({"osmd_match_state": "none"})
            registry.write({"state": "ready"})
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_split(self):
        for registry in self:
            if registry.state == "done":
                raise UserError(
                    self.env._("%(registry)s has been split: undo the split first.", registry=registry.name)
                )


class OsmdPaymentRegistryLine(models.Model):
    _name = "osmd.payment.registry.line"
    _description = "Payment of a collector's registry"
    _order = "registry_id, row, id"
    _check_company_auto = True

    registry_id = fields.Many2one("osmd.payment.registry", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="registry_id.company_id", store=True, string="Association")
    collector_id = fields.Many2one(related="registry_id.collector_id", store=True, index=True)
    currency_id = fields.Many2one(related="registry_id.currency_id")
    row = fields.Integer()
    txn_id = fields.Char(string="Transaction", required=True, index=True)
    date = fields.Date(required=True)
    account_number = fields.Char(string="Account number in the registry")
    account_id = fields.Many2one("osmd.account", string="Personal account", check_company=True, index=True)
    payer = fields.Char()
    address = fields.Char()
    service_code = fields.Char(string="Service code")
    period = fields.Date()
    amount = fields.Monetary()
    fee = fields.Monetary()

    _txn_uniq = models.Constraint(
        "UNIQUE(collector_id, txn_id)", "A transaction of the collector is imported only once."
    )


def number_in_filename(filename):
    """The last group of digits of a file name ('reestr_123.csv' → '123'), or ''."""
    stem = (filename or "").rsplit(".", 1)[0]
    found = re.findall(r"\d+", stem)
    return found[-1] if found else ""
