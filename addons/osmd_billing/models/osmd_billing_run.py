from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import split_every

from ..tools.formatting import fmt_number, unit_label
from ..tools.money import CENT, line_amount, round_money, to_decimal
from ..tools.proration import month_bounds
from .product_template import MONTHLY_BASES

RUN_STATES = [("draft", "Draft"), ("computed", "Computed"), ("posted", "Posted"), ("cancel", "Cancelled")]
INVOICE_QUANTITY_DIGITS = 2  # "Product Unit" precision of invoice lines
CRON_BATCH_SIZE = 1000  # invoices posted between two commits of the background posting


# What the accrual reads of the records, read in bulk before the loop over the accounts (reading the
# records themselves line by line costs more than computing the lines).


class AccountInfo(NamedTuple):
    """A personal account."""

    id: int
    number: str
    building_id: int
    building_name: str
    premise_id: int
    premise_kind: str
    total_area: float
    heated_area: float


class ServiceInfo(NamedTuple):
    """A service (product.product) billed by the run."""

    id: int
    display_name: str
    basis: str
    utility_id: int
    utility_name: str
    uom: str  # the name of the utility's unit
    norm: Decimal  # the utility's norm per person
    quantum: Decimal  # the quantity is rounded to it, e.g. Decimal("0.001")
    premise_kinds: list  # empty: every kind


class TariffInfo(NamedTuple):
    """A tariff: its price and the price written on the lines, per zone (a zone without a price of its
    own takes the price of zone 1)."""

    id: int
    prices: tuple
    price_texts: tuple

    @classmethod
    def from_tariff(cls, tariff):
        price = to_decimal(tariff.price)
        prices = (price, to_decimal(tariff.price_zone2) or price, to_decimal(tariff.price_zone3) or price)
        return cls(tariff.id, prices, tuple(fmt_number(zone_price, 2) for zone_price in prices))


class OsmdBillingRun(models.Model):
    """The monthly accrual of an association (or some of its buildings).

    Compute turns subscriptions, tariffs, the registry and meter data into accrual lines with an
    explanation per line, and lists the problems; post issues one customer invoice per personal
    account, in batches (in the background for big associations); cancel reverses the invoices with
    credit notes while none of them is paid.
    """

    _name = "osmd.billing.run"
    _description = "Billing run"
    _inherit = ["osmd.billing.document", "mail.thread"]
    _order = "period desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    period = fields.Date(
        required=True,
        index=True,
        tracking=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="First day of the billed month (any day of the month may be entered).",
    )
    date_invoice = fields.Date(
        string="Invoice date",
        compute="_compute_date_invoice",
        store=True,
        readonly=False,
        precompute=True,
        help="Date of the invoices: the last day of the period by default.",
    )
    state = fields.Selection(RUN_STATES, default="draft", required=True, index=True, tracking=True)
    is_post_queued = fields.Boolean(string="Posting in background", readonly=True, copy=False)
    post_requested_by = fields.Many2one(
        "res.users",
        string="Posting requested by",
        readonly=True,
        copy=False,
        help="The user who queued the posting in background: the invoices are posted in their name, with their "
        "access rights.",
    )
    line_ids = fields.One2many("osmd.billing.line", "run_id", string="Accruals", readonly=True)
    problem_ids = fields.One2many("osmd.billing.problem", "run_id", string="Problems", readonly=True)
    move_ids = fields.One2many("account.move", "osmd_billing_run_id", string="Invoices", readonly=True)
    line_count = fields.Integer(compute="_compute_totals", string="Accrual lines")
    account_count = fields.Integer(compute="_compute_totals", string="Personal accounts")
    amount_total = fields.Monetary(compute="_compute_totals", string="Total")
    blocking_count = fields.Integer(compute="_compute_totals", string="Blocking problems")
    warning_count = fields.Integer(compute="_compute_totals", string="Warnings")
    move_count = fields.Integer(compute="_compute_totals", string="Invoices posted")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("period", "building_ids")
    def _compute_name(self):
        for run in self:
            period = run.period.strftime("%m.%Y") if run.period else ""
            # stored: in the association's language, not in that of whoever triggers the computation
            lang = self.env["res.partner"]._osmd_document_lang(run.company_id)
            name = run.with_context(lang=lang).env._("Billing %(period)s", period=period)
            if run.building_ids:
                name = f"{name} ({', '.join(run.building_ids.mapped('name'))})"
            run.name = name

    @api.depends("period")
    def _compute_date_invoice(self):
        for run in self:
            run.date_invoice = month_bounds(run.period)[1] if run.period else False

    @api.depends("line_ids.amount", "problem_ids.severity", "move_ids.state")
    def _compute_totals(self):
        # grouped in the database: a run has tens of thousands of lines
        lines = {
            run.id: (count, accounts, amount)
            for run, count, accounts, amount in self.env["osmd.billing.line"]._read_group(
                Domain("run_id", "in", self.ids), ["run_id"], ["__count", "account_id:count_distinct", "amount:sum"]
            )
        }
        for run in self:
            run.line_count, run.account_count, run.amount_total = lines.get(run.id, (0, 0, 0.0))
            run.blocking_count = len(run.problem_ids.filtered(lambda p: p.severity == "blocking"))
            run.warning_count = len(run.problem_ids) - run.blocking_count
            run.move_count = len(run.move_ids.filtered(lambda m: m.state == "posted"))

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("company_id", "period", "building_ids", "state")
    def _check_overlap(self):
        """One live run per association, period and building."""
        for run in self.filtered(lambda r: r.state != "cancel"):
            others = self.sudo().search(
                Domain("id", "!=", run.id)
                & Domain("company_id", "=", run.company_id.id)
                & Domain("period", "=", run.period)
                & Domain("state", "!=", "cancel")
            )
            for other in others:
                common = run.building_ids & other.building_ids
                if run.building_ids and other.building_ids and not common:
                    continue
                raise ValidationError(
                    self.env._(
                        "Billing run %(other)s already covers %(buildings)s for %(period)s: finish or cancel it "
                        "first (later changes go through a recalculation).",
                        other=other.name,
                        buildings=", ".join(common.mapped("name")) or self.env._("all buildings"),
                        period=run.period.strftime("%m.%Y"),
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if {"period", "building_ids", "company_id"} & set(vals) and self.filtered(lambda r: r.state != "draft"):
            raise UserError(self.env._("The period and buildings of a computed billing run cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if self.filtered(lambda r: r.state in ("posted", "cancel") or r.move_ids):
            raise UserError(self.env._("A posted or cancelled billing run is kept: it is the history of the ledger."))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_compute(self):
        for run in self:
            if run.state not in ("draft", "computed"):
                raise UserError(self.env._("Only a draft or computed billing run can be computed."))
            run._lock()
            run._check_overlap()
            run._do_compute()
        return True

    def action_reset_to_draft(self):
        if self.filtered(lambda r: r.state != "computed" or r.is_post_queued):
            raise UserError(self.env._("Only a computed billing run that is not being posted goes back to draft."))
        self.line_ids.unlink()
        self.problem_ids.unlink()
        self.state = "draft"
        return True

    def action_post(self):
        for run in self:
            run._check_can_post()
            run._lock()
            run._do_post()
        return True

    def action_post_background(self):
        self.ensure_one()
        self._check_can_post()
        self._check_can_create_invoices()
        # the background job posts in the name and with the rights of whoever pressed the button
        self.write({"is_post_queued": True, "post_requested_by": self.env.uid})
        self.env.ref("osmd_billing.ir_cron_osmd_billing_run")._trigger()
        return True

    def action_cancel(self):
        for run in self:
            run._lock()
            run._do_cancel()
        return True

    def action_view_invoices(self):
        return self._action_view_documents("osmd_billing_run_id")

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _check_can_post(self):
        """Refuse posting what may not be posted (extended: warnings must be confirmed)."""
        return self._check_postable()

    def _check_postable(self):
        """The checks of the posting that no confirmation overrides: state, queue, blocking problems."""
        self.ensure_one()
        if self.state != "computed":
            raise UserError(self.env._("Compute the billing run before posting it."))
        if self.is_post_queued and not self.env.context.get("osmd_billing_cron"):
            raise UserError(self.env._("The billing run is already being posted in the background."))
        blocking = self.problem_ids.filtered(lambda p: p.severity == "blocking")
        if blocking:
            raise UserError(
                self.env._(
                    "Nothing is posted while the billing run has %(count)s blocking problem(s), e.g.: %(examples)s",
                    count=len(blocking),
                    examples="; ".join(blocking[:5].mapped("message")),
                )
            )
        if not self.journal_id:
            raise UserError(self.env._("The association has no sales journal."))

    def _check_can_create_invoices(self):
        """Refuse a user who may not create and post the invoices of the run."""
        self.ensure_one()
        self.check_access("write")
        self.env["account.move"].check_access("create")
        self.env["account.move.line"].check_access("create")
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("You don't have the access rights to post an invoice."))

    # ---------------- compute ----------------

    def _do_compute(self):
        self.ensure_one()
        self.line_ids.unlink()
        self.problem_ids.unlink()
        lines, problems = self._compute_lines()
        if not self.journal_id:
            problems.append(
                self._problem_vals(None, None, self.env._("The association has no sales journal."), kind="no_journal")
            )
        self.env["osmd.billing.line"]._create_in_bulk(lines)
        # the one-off charges taken are now "in a computed run" (the lines were inserted without the ORM)
        extra = self.env["osmd.extra.charge"].browse(
            {line["extra_charge_id"] for line in lines if line.get("extra_charge_id")}
        )
        extra.invalidate_recordset(["line_ids"])
        extra.modified(["line_ids"])
        self.env["osmd.billing.problem"].create(problems)
        self.state = "computed"

    def _compute_lines(self, accounts=None, with_penalties=True):
        """(accrual line values, problem values) of the run's period, for its accounts or only
        ``accounts``, without writing anything: the run stores them, a recalculation compares them with
        what was posted (it works on a new, unsaved run and leaves penalties out)."""
        self.ensure_one()
        data = self._collect_data(accounts)
        if with_penalties:
            data["penalty"] = self._collect_penalty_data(data)
            data["extra"] = self._collect_extra_charges(data)
        lines, problems = [], list(data["problems"])
        texts_by_lang = {}
        for account in data["accounts"]:
            holder = data["holders"].get(account.id)
            # explanations and messages are written in the language of the holder's documents
            lang = self._get_document_lang(holder)
            texts = texts_by_lang.get(lang)
            if texts is None:
                texts = texts_by_lang[lang] = self.with_context(lang=lang)._get_texts()
            if not holder:
                message = texts["no_holder"] % {"account": account.number, "date": data["last"].strftime("%d.%m.%Y")}
                problems.append(self._problem_vals(account, None, message, kind="no_holder"))
            account_lines = self._compute_account_lines(account, holder, data, problems, texts)
            if with_penalties:
                account_lines += self._extra_charge_lines(account, holder, data, lang)
                account_lines += self._penalty_lines(account, holder, data, texts, account_lines, problems)
            lines += account_lines
        return lines, problems

    def _collect_extra_charges(self, data):
        """{account id: [one-off charge]}: the charges still waiting for a run, dated up to the period's end, of the
        run's accounts (one query)."""
        charges = self.env["osmd.extra.charge"].search(
            self.env["osmd.extra.charge"]._pending_domain(self.company_id, data["account_records"], data["last"]),
            order="date, id",
        )
        by_account = defaultdict(list)
        for charge in charges:
            by_account[charge.account_id.id].append(charge)
        return by_account

    def _extra_charge_lines(self, account, holder, data, lang):
        """A line per one-off charge of the account, worded in the holder's language."""
        lines = []
        for charge in data.get("extra", {}).get(account.id, []):
            qty, price, amount = to_decimal(charge.quantity), to_decimal(charge.price_unit), to_decimal(charge.amount)
            exact = qty == qty.quantize(Decimal(1).scaleb(-INVOICE_QUANTITY_DIGITS))
            lines.append(
                {
                    "run_id": self.id,
                    "account_id": account.id,
                    "partner_id": holder.id if holder else False,
                    "product_id": charge.product_id.id,
                    "kind": "extra",
                    "sequence": 30,
                    "date_start": charge.date,
                    "date_end": charge.date,
                    "quantity": float(qty),
                    "price_unit": float(price),
                    "amount": float(amount),
                    "invoice_quantity": float(qty if exact else 1),
                    "invoice_price_unit": float(price if exact else amount),
                    "explanation": charge.with_context(lang=lang)._explanation(),
                    "extra_charge_id": charge.id,
                }
            )
        return lines

    def _get_document_lang(self, partner, company=None):
        """The language of ``partner``'s documents of the association (``company``, by default the run's):
        the one the partner chose explicitly, else the association's."""
        return (partner or self.env["res.partner"])._osmd_document_lang(company or self.company_id)

    def _get_texts(self):
        """{key: translated wording} of the explanations and messages written for each account, in the
        language of the environment. They are translated once per run and language and filled with ``%``
        line by line: a translation lookup per line costs more than computing the line."""
        return {
            "lang": self.env.lang,  # units written the way of this language (м³ in Ukrainian)
            "no_holder": self.env._(
                "Personal account %(account)s has no holder on %(date)s: the invoice has no partner."
            ),
            "area": self.env._("%(qty)s m²"),
            "persons": self.env._("%(qty)s pers."),
            "premise": self.env._("1 premise"),
            "norm": self.env._("Norm %(norm)s %(uom)s × %(persons)s pers. = %(qty)s %(uom)s"),
            "quantity": self.env._("%(qty)s %(uom)s"),
            "no_reading": self.env._(
                "Personal account %(account)s: no confirmed reading nor estimate of %(utility)s for "
                "the period; the service is not charged this month."
            ),
            "no_tariff": self.env._("No tariff for %(service)s in %(building)s on %(date)s."),
            "price": self.env._("%(base)s × %(price)s UAH"),
            "prorated": self.env._("× %(days)s/%(month_days)s days"),
            "zone": self.env._("zone T%(zone)s: %(qty)s"),
            "split": self.env._("%(days)s/%(total)s days = %(qty)s"),
            "benefit": self.env._("Benefit %(percent)s%% of %(base)s UAH"),
            "subsidy": self.env._("Subsidy for %(period)s"),
            "subsidy_capped": self.env._(
                "Personal account %(account)s: the subsidy %(subsidy)s exceeds the month's charges; "
                "%(amount)s is credited."
            ),
        }

    def _problem_vals(self, account, product, message, severity="blocking", kind="other"):
        return {
            "run_id": self.id,
            "severity": severity,
            "kind": kind,
            "account_id": account.id if account else False,
            "product_id": product.id if product else False,
            "message": message,
        }

    def _collect_data(self, accounts=None):
        """Everything the accrual needs, read in a fixed number of queries for any number of accounts; the
        accounts, services and tariffs as plain values (AccountInfo, ServiceInfo, TariffInfo)."""
        first, last = month_bounds(self.period)
        buildings = self._get_buildings()
        domain = (
            Domain("company_id", "=", self.company_id.id)
            & Domain("building_id", "in", buildings.ids)
            & Domain("date_open", "<=", last)
            & (Domain("date_close", "=", False) | Domain("date_close", ">=", first))
        )
        if accounts is not None:
            domain &= Domain("id", "in", accounts.ids)
        accounts = self.env["osmd.account"].search_fetch(
            domain, ["number", "building_id", "premise_id", "date_open", "date_close"]
        )
        accounts.building_id.fetch(["name"])
        premises = accounts.premise_id
        premises.fetch(["kind", "total_area", "heated_area"])
        active_days, products = self.env["osmd.subscription"]._get_active_days(
            self.company_id, buildings, accounts, self.period
        )
        tariffs = self.env["osmd.tariff"]._get_day_map(self.company_id, products, buildings, self.period)
        tariff_infos = {}
        for day_map in tariffs.values():
            for day, tariff in day_map.items():
                if tariff.id not in tariff_infos:
                    tariff_infos[tariff.id] = TariffInfo.from_tariff(tariff)
                day_map[day] = tariff_infos[tariff.id]
        holders = accounts._get_holders_at(last)
        self.env["res.partner"].browse({holder.id for holder in holders.values()}).fetch(["lang", "osmd_document_lang"])
        account_infos = []
        for account in accounts:
            building, premise = account.building_id, account.premise_id
            account_infos.append(
                AccountInfo(
                    account.id,
                    account.number,
                    building.id,
                    building.name,
                    premise.id,
                    premise.kind,
                    premise.total_area,
                    premise.heated_area,
                )
            )
        problems = []
        data = {
            "first": first,
            "last": last,
            "month_days": last.day,
            "account_records": accounts,
            "accounts": account_infos,
            "services": [
                ServiceInfo(
                    product.id,
                    product.display_name,
                    product.osmd_basis,
                    product.osmd_utility_id.id,
                    product.osmd_utility_id.name,
                    product.osmd_utility_id.uom_id.name or "",
                    to_decimal(product.osmd_utility_id.norm_per_person),
                    Decimal(1).scaleb(-(product.osmd_quantity_digits or 0)),
                    product.product_tmpl_id._osmd_get_premise_kinds(),
                )
                for product in products
            ],
            "active_days": active_days,
            "tariffs": tariffs,  # {(building id, product id): {day: TariffInfo}}
            "tariff_pieces": {},  # cache of _get_tariff_pieces
            "holders": holders,
            "problems": problems,
            "missing_tariffs": set(),
            "persons": {},
        }
        bases = set(products.mapped("osmd_basis"))
        if bases & {"persons", "norm"}:
            data["persons"] = accounts._get_counted_resident_counts(first)
        metered_products = products.filtered(lambda p: p.osmd_basis in ("consumption", "norm"))
        utilities = metered_products.osmd_utility_id
        data["metered"] = set()
        if utilities:
            meters = self.env["osmd.meter"]._read_group(
                Domain("premise_id", "in", premises.ids)
                & Domain("utility_id", "in", utilities.ids)
                & Domain("install_date", "<=", last)
                & (Domain("removal_date", "=", False) | Domain("removal_date", ">=", first)),
                ["premise_id", "utility_id"],
            )
            data["metered"] = {(premise.id, utility.id) for premise, utility in meters}
        consumption_utilities = products.filtered(lambda p: p.osmd_basis == "consumption").osmd_utility_id
        data["consumption"], data["zones"], data["reading_explanations"] = {}, {}, defaultdict(list)
        if consumption_utilities:
            Reading = self.env["osmd.meter.reading"]
            data["consumption"] = Reading._get_premise_consumption(premises, consumption_utilities, [first])
            domain = (
                Domain("premise_id", "in", premises.ids)
                & Domain("utility_id", "in", consumption_utilities.ids)
                & Domain("state", "=", "confirmed")
                & Domain("period", "=", first)
            )
            for premise, utility, zone1, zone2, zone3 in Reading._read_group(
                domain, ["premise_id", "utility_id"], ["consumption1:sum", "consumption2:sum", "consumption3:sum"]
            ):
                data["zones"][(premise.id, utility.id)] = [to_decimal(zone1), to_decimal(zone2), to_decimal(zone3)]
            for reading in Reading.search_fetch(domain, ["premise_id", "utility_id", "explanation"], order="date, id"):
                data["reading_explanations"][(reading.premise_id.id, reading.utility_id.id)].append(
                    reading.explanation or ""
                )
        house_utilities = products.filtered(lambda p: p.osmd_basis == "house_share").osmd_utility_id
        data["house"] = {}
        if house_utilities:
            house_lines = self.env["osmd.house.consumption.line"].search_fetch(
                Domain("premise_id", "in", premises.ids)
                & Domain("utility_id", "in", house_utilities.ids)
                & Domain("period", "=", first)
                & Domain("state", "=", "done"),
                ["premise_id", "utility_id", "quantity", "explanation"],
            )
            for line in house_lines:
                qty, texts = data["house"].get((line.premise_id.id, line.utility_id.id), (Decimal(0), []))
                data["house"][(line.premise_id.id, line.utility_id.id)] = (
                    qty + to_decimal(line.quantity),
                    [*texts, line.explanation or ""],
                )
            pending = self.env["osmd.house.consumption"].search(
                Domain("building_id", "in", buildings.ids)
                & Domain("utility_id", "in", house_utilities.ids)
                & Domain("period", "=", first)
                & Domain("state", "!=", "done")
            )
            for record in pending:
                problems.append(
                    self._problem_vals(
                        None,
                        None,
                        self.env._(
                            "House consumption %(record)s is not done: its shares are not billed.",
                            record=record.display_name,
                        ),
                        severity="warning",
                        kind="house_consumption",
                    )
                )
        benefits = self.env["osmd.benefit"].search_fetch(
            Domain("account_id", "in", accounts.ids)
            & Domain("product_id", "in", products.ids)
            & Domain("date_start", "<=", last)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", first)),
            ["account_id", "product_id", "percent", "category", "date_start", "date_end"],
        )
        data["benefits"] = benefits.grouped(lambda b: (b.account_id.id, b.product_id.id))
        subsidies = self.env["osmd.subsidy"].search_fetch(
            Domain("account_id", "in", accounts.ids) & Domain("period", "=", first), ["account_id", "amount"]
        )
        data["subsidies"] = {subsidy.account_id.id: subsidy for subsidy in subsidies}
        data["subsidy_product"] = self.env.ref("osmd_billing.product_osmd_subsidy", raise_if_not_found=False)
        return data

    def _get_base_quantity(self, account, service, data, problems, texts):
        """(quantity, explanation of the quantity, {zone: quantity} or None) of a service for an account,
        or None when the service does not apply."""
        basis = service.basis

        def rounded(value):
            return to_decimal(value).quantize(service.quantum, rounding=ROUND_HALF_UP)

        if basis in ("area_total", "area_heated"):
            qty = rounded(account.total_area if basis == "area_total" else account.heated_area)
            return (qty, texts["area"] % {"qty": fmt_number(qty, 2)}, None) if qty else None
        if basis == "persons":
            qty = Decimal(data["persons"].get(account.id, 0))
            return (qty, texts["persons"] % {"qty": fmt_number(qty)}, None) if qty else None
        if basis == "fixed":
            return Decimal(1), texts["premise"], None
        key = (account.premise_id, service.utility_id)
        uom = unit_label(service.uom, texts["lang"])
        if basis == "norm":
            persons = data["persons"].get(account.id, 0)
            if key in data["metered"] or not persons:
                return None
            qty = rounded(service.norm * persons)
            text = texts["norm"] % {
                "norm": fmt_number(service.norm),
                "uom": uom,
                "persons": persons,
                "qty": fmt_number(qty),
            }
            return qty, text, None
        if basis == "consumption":
            if key not in data["metered"]:
                return None
            if (*key, data["first"]) not in data["consumption"]:
                message = texts["no_reading"] % {"account": account.number, "utility": service.utility_name}
                problems.append(self._problem_vals(account, service, message, severity="warning", kind="no_reading"))
                return None
            qty = rounded(data["consumption"][(*key, data["first"])])
            zones = [rounded(zone) for zone in data["zones"].get(key, [qty])]
            zone_map = {zone: value for zone, value in enumerate(zones, start=1) if value}
            if sum(zone_map.values(), Decimal(0)) != qty or len(zone_map) <= 1:
                zone_map = None
            text = "; ".join(filter(None, data["reading_explanations"].get(key, [])))
            return qty, text or texts["quantity"] % {"qty": fmt_number(qty), "uom": uom}, zone_map
        if basis == "house_share":
            if key not in data["house"]:
                return None
            qty, house_texts = data["house"][key]
            qty = rounded(qty)
            if not qty:
                return None
            text = "; ".join(filter(None, house_texts))
            return qty, text or texts["quantity"] % {"qty": fmt_number(qty), "uom": uom}, None
        return None

    def _get_tariff_pieces(self, account, service, days, data, problems, texts):
        """((tariff, first day, last day, active days), ...) of the month, cutting where the tariff changes.
        The same for the accounts of a building with the same days: computed once for them."""
        key = (account.building_id, service.id)
        cached = data["tariff_pieces"].get((*key, days))
        if cached is not None:
            return cached
        day_map = data["tariffs"].get(key, {})
        pieces = []
        for day in sorted(days):
            tariff = day_map.get(day)
            if not tariff:
                if key not in data["missing_tariffs"]:
                    data["missing_tariffs"].add(key)
                    message = texts["no_tariff"] % {
                        "service": service.display_name,
                        "building": account.building_name,
                        "date": day.strftime("%d.%m.%Y"),
                    }
                    problems.append(self._problem_vals(account, service, message, kind="no_tariff"))
                continue
            if pieces and pieces[-1][0].id == tariff.id and (day - pieces[-1][2]).days == 1:
                pieces[-1][2] = day
                pieces[-1][3] += 1
            else:
                pieces.append([tariff, day, day, 1])
        pieces = data["tariff_pieces"][(*key, days)] = tuple(tuple(piece) for piece in pieces)
        return pieces

    def _compute_account_lines(self, account, holder, data, problems, texts):
        """Accrual lines of one personal account, worded with ``texts`` (in the holder's language)."""
        lines = []
        month_days = data["month_days"]
        for service in data["services"]:
            days = data["active_days"].get((account.id, service.id))
            if not days:
                continue
            if service.premise_kinds and account.premise_kind not in service.premise_kinds:
                continue
            base = self._get_base_quantity(account, service, data, problems, texts)
            if not base:
                continue
            qty, base_text, zone_map = base
            pieces = self._get_tariff_pieces(account, service, days, data, problems, texts)
            if not pieces:
                continue
            service_lines = []
            if service.basis in MONTHLY_BASES:
                for tariff, start, end, piece_days in pieces:
                    price = tariff.prices[0]
                    amount = round_money(qty * price * piece_days / month_days)
                    text = texts["price"] % {"base": base_text, "price": tariff.price_texts[0]}
                    if piece_days != month_days:
                        text += " " + texts["prorated"] % {"days": piece_days, "month_days": month_days}
                    service_lines.append(
                        self._line_vals(
                            account,
                            holder,
                            service,
                            tariff,
                            1,
                            start,
                            end,
                            piece_days,
                            month_days,
                            qty,
                            price,
                            amount,
                            text,
                            prorated=piece_days != month_days,
                        )
                    )
            else:
                # measured quantities are not prorated; a tariff change splits them by days
                total_days = sum(piece[3] for piece in pieces)
                for zone, zone_qty in (zone_map or {1: qty}).items():
                    left = zone_qty
                    for index, (tariff, start, end, piece_days) in enumerate(pieces):
                        if index == len(pieces) - 1:
                            piece_qty = left
                        else:
                            piece_qty = (zone_qty * piece_days / total_days).quantize(
                                service.quantum, rounding=ROUND_HALF_UP
                            )
                            left -= piece_qty
                        price = tariff.prices[zone - 1]
                        amount = line_amount(piece_qty, price)
                        parts = [base_text]
                        if zone_map:
                            parts.append(texts["zone"] % {"zone": zone, "qty": fmt_number(zone_qty)})
                        if len(pieces) > 1:
                            parts.append(
                                texts["split"] % {"days": piece_days, "total": total_days, "qty": fmt_number(piece_qty)}
                            )
                        text = texts["price"] % {"base": "; ".join(parts), "price": tariff.price_texts[zone - 1]}
                        service_lines.append(
                            self._line_vals(
                                account,
                                holder,
                                service,
                                tariff,
                                zone,
                                start,
                                end,
                                piece_days,
                                month_days,
                                piece_qty,
                                price,
                                amount,
                                text,
                            )
                        )
            lines += service_lines
            lines += self._benefit_lines(account, holder, service, service_lines, data, texts)
        return lines + self._subsidy_lines(account, holder, lines, data, problems, texts)

    def _line_vals(
        self,
        account,
        holder,
        service,
        tariff,
        zone,
        start,
        end,
        days,
        month_days,
        qty,
        price,
        amount,
        text,
        prorated=False,
    ):
        exact = qty == qty.quantize(Decimal(1).scaleb(-INVOICE_QUANTITY_DIGITS)) and price == price.quantize(CENT)
        if exact and not prorated:
            invoice_qty, invoice_price = qty, price
        else:
            invoice_qty, invoice_price = Decimal(1), amount
        return {
            "run_id": self.id,
            "account_id": account.id,
            "partner_id": holder.id if holder else False,
            "product_id": service.id,
            "kind": "charge",
            "sequence": 10,
            "tariff_id": tariff.id,
            "zone": zone,
            "date_start": start,
            "date_end": end,
            "days": days,
            "month_days": month_days,
            "quantity": float(qty),
            "price_unit": float(price),
            "amount": float(amount),
            "invoice_quantity": float(invoice_qty),
            "invoice_price_unit": float(invoice_price),
            "explanation": text,
        }

    def _benefit_lines(self, account, holder, service, service_lines, data, texts):
        """A discount line per benefit of the account on the service, for the days it covers."""
        result = []
        for benefit in data["benefits"].get((account.id, service.id), []):
            base = Decimal(0)
            for line in service_lines:
                covered = (
                    min(line["date_end"], benefit.date_end or line["date_end"])
                    - max(line["date_start"], benefit.date_start)
                ).days + 1
                if covered <= 0:
                    continue
                span = (line["date_end"] - line["date_start"]).days + 1
                base += to_decimal(line["amount"]) * min(covered, span) / span
            base = round_money(base)
            amount = round_money(base * to_decimal(benefit.percent) / 100)
            if not amount:
                continue
            text = texts["benefit"] % {"percent": fmt_number(to_decimal(benefit.percent)), "base": fmt_number(base, 2)}
            if benefit.category:
                text = f"{text} ({benefit.category})"
            result.append(
                {
                    "run_id": self.id,
                    "account_id": account.id,
                    "partner_id": holder.id if holder else False,
                    "product_id": service.id,
                    "kind": "benefit",
                    "sequence": 20,
                    "quantity": 1.0,
                    "price_unit": float(-amount),
                    "amount": float(-amount),
                    "invoice_quantity": 1.0,
                    "invoice_price_unit": float(-amount),
                    "explanation": text,
                }
            )
        return result

    def _subsidy_lines(self, account, holder, lines, data, problems, texts):
        """The subsidy of the month as a credit line, never more than the month's charges."""
        subsidy = data["subsidies"].get(account.id)
        if not subsidy:
            return []
        total = sum((to_decimal(line["amount"]) for line in lines), Decimal(0))
        amount = min(to_decimal(subsidy.amount), total)
        if amount < to_decimal(subsidy.amount):
            message = texts["subsidy_capped"] % {
                "account": account.number,
                "subsidy": fmt_number(to_decimal(subsidy.amount), 2),
                "amount": fmt_number(amount, 2),
            }
            problems.append(self._problem_vals(account, None, message, severity="warning", kind="subsidy_capped"))
        if amount <= 0 or not data["subsidy_product"]:
            return []
        return [
            {
                "run_id": self.id,
                "account_id": account.id,
                "partner_id": holder.id if holder else False,
                "product_id": data["subsidy_product"].id,
                "kind": "subsidy",
                "sequence": 30,
                "quantity": 1.0,
                "price_unit": float(-amount),
                "amount": float(-amount),
                "invoice_quantity": 1.0,
                "invoice_price_unit": float(-amount),
                "explanation": texts["subsidy"] % {"period": data["first"].strftime("%m.%Y")},
            }
        ]

    # ---------------- post ----------------

    def _prepare_invoice_vals(self, account, lines, taxes=None, names=None):
        """Values of the accrual invoice of ``account``; ``lines``: its accrual lines as read with
        ``read(load=None)``; ``taxes``: {product id: tax ids}, ``names``: {(product id, language): the
        service's name}, caches filled as needed. A line says its service, then how it was computed, in
        the language of the holder's documents."""
        self.ensure_one()
        taxes = {} if taxes is None else taxes
        names = {} if names is None else names
        for product_id in {line["product_id"] for line in lines} - set(taxes):
            company_taxes = self.env["account.tax"]._check_company_domain(self.company_id)
            taxes[product_id] = (
                self.env["product.product"].browse(product_id).taxes_id.filtered_domain(company_taxes).ids
            )
        lang = self._get_document_lang(self.env["res.partner"].browse(lines[0]["partner_id"]))
        for product_id in {line["product_id"] for line in lines} - {key[0] for key in names if key[1] == lang}:
            names[(product_id, lang)] = self.env["product.product"].with_context(lang=lang).browse(product_id).name
        return {
            "move_type": "out_invoice",
            "company_id": self.company_id.id,
            "journal_id": self.journal_id.id,
            "partner_id": lines[0]["partner_id"],
            "invoice_date": self.date_invoice,
            "date": self.date_invoice,
            # the association's payment deadline (no payment term: Odoo gives it to the receivable item)
            "invoice_date_due": self.company_id._osmd_payment_deadline(self.period),
            "currency_id": self.currency_id.id,
            "payment_reference": account.number,
            "invoice_origin": self.name,
            "osmd_account_id": account.id,
            "osmd_period": self.period,
            "osmd_is_accrual": True,
            "osmd_billing_run_id": self.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": line["product_id"],
                        "name": f"{names[(line['product_id'], lang)]}: {line['explanation']}",
                        "quantity": line["invoice_quantity"],
                        "price_unit": line["invoice_price_unit"],
                        "tax_ids": [Command.set(taxes[line["product_id"]])],
                    }
                )
                for line in lines
            ],
        }

    def _do_post(self, batch_size=None, in_cron=False):
        """Post the invoices of the accounts not invoiced yet (so an interrupted run resumes), by batches."""
        self.ensure_one()
        run = self.with_company(self.company_id)
        done = set(run.move_ids.filtered(lambda m: m.state != "cancel").osmd_account_id.ids)
        lines_by_account = defaultdict(list)
        fnames = ["account_id", "partner_id", "product_id", "explanation", "invoice_quantity", "invoice_price_unit"]
        for line in run.line_ids.read(fnames, load=None):
            lines_by_account[line["account_id"]].append(line)
        todo = self.env["osmd.account"].browse(account_id for account_id in lines_by_account if account_id not in done)
        # the holders' languages in one query, not one per invoice
        self.env["res.partner"].browse(
            {lines[0]["partner_id"] for lines in lines_by_account.values() if lines[0]["partner_id"]}
        ).fetch(["lang", "osmd_document_lang"])
        Move = run.env["account.move"]
        already = Move.search(
            Domain("osmd_account_id", "in", todo.ids)
            & Domain("osmd_period", "=", run.period)
            & Move._osmd_billed_domain()
        )
        if already:
            raise UserError(
                self.env._(
                    "Personal account %(account)s is already billed for %(period)s (%(invoice)s): a period is billed "
                    "once, later changes go through a recalculation.",
                    account=already[0].osmd_account_id.number,
                    period=run.period.strftime("%m.%Y"),
                    invoice=already[0].name,
                )
            )
        # the chatter of the invoices shows who created and posted them, as Odoo's own posting does
        Move = Move.with_context(mail_create_nolog=False, mail_notrack=False, tracking_disable=False)
        left, taxes, names = len(todo), {}, {}
        for batch in split_every(batch_size or max(left, 1), todo):
            Move._osmd_create_posted_invoices(
                [run._prepare_invoice_vals(account, lines_by_account[account.id], taxes, names) for account in batch]
            )
            left -= len(batch)
            if in_cron and left and self.env["ir.cron"]._commit_progress(len(batch), remaining=left) <= 0:
                return False
        run.write({"state": "posted", "is_post_queued": False, "post_requested_by": False})
        return True

    @api.model
    def _cron_post_queued(self):
        """Post the runs queued with "Post in background", committing after each batch, each as the user who
        queued it (its invoices are theirs, created with their access rights in the run's association)."""
        for run in self.search(Domain("is_post_queued", "=", True) & Domain("state", "=", "computed"), order="id"):
            user = run.post_requested_by
            try:
                if not user.active:
                    raise AccessError(self.env._("the user who queued it is unknown or no longer active."))
                run = run.with_user(user).with_company(run.company_id).with_context(osmd_billing_cron=True)
                run._check_can_create_invoices()
                run._check_can_post()
            except (AccessError, UserError) as error:
                # not posted in anybody else's name: the run waits for someone who may post it
                run = run.sudo()
                run.write({"is_post_queued": False, "post_requested_by": False})
                run.message_post(
                    body=self.env._(
                        "The posting in background stopped, nothing was posted: %(reason)s Post the run again.",
                        reason=error.args[0] if error.args else "",
                    )
                )
                self.env["ir.cron"]._commit_progress(1)
                continue
            run._lock()
            if not run._do_post(batch_size=CRON_BATCH_SIZE, in_cron=True):
                return
            self.env["ir.cron"]._commit_progress(1)

    # ---------------- cancel ----------------

    def _do_cancel(self):
        self.ensure_one()
        if self.state == "cancel":
            return
        moves = self.move_ids.filtered(lambda m: m.state != "cancel")
        posted = moves.filtered(lambda m: m.state == "posted")
        # a payment matched but without journal entry yet (Odoo's "in process") leaves the open amount unchanged
        paid = posted.filtered(
            lambda m: m.matched_payment_ids or m.currency_id.compare_amounts(m.amount_residual, m.amount_total) != 0
        )
        if paid:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s of the billing run is already (partly) paid: the run cannot be cancelled; "
                    "use a recalculation.",
                    invoice=paid[0].name,
                )
            )
        if posted:
            # posted entries are never edited: credit notes reverse them and are reconciled with them
            posted._reverse_moves(
                [
                    {
                        "ref": self.env._("Cancellation of %(run)s", run=self.name),
                        "date": move.date,
                        "invoice_date": move.invoice_date,
                    }
                    for move in posted
                ],
                cancel=True,
            )
        (moves - posted).button_cancel()
        # the period may then be billed again: the reversed invoices (payment state "reversed") no longer count for
        # the unique index of the account and period; the posted invoices themselves are not written
        posted.flush_recordset(["payment_state"])
        unreversed = posted.filtered(lambda m: m.payment_state != "reversed")
        if unreversed:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s of the billing run could not be fully reversed: the run is not cancelled.",
                    invoice=unreversed[0].name,
                )
            )
        self.write({"state": "cancel", "is_post_queued": False, "post_requested_by": False})
