import re
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain

ACCOUNT_NUMBER_RE = re.compile(r"^\d{1,12}$")


class OsmdAccount(models.Model):
    _name = "osmd.account"
    _description = "Personal account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id, building_id, premise_number_sort, number, id"
    _check_company_auto = True
    _rec_names_search = ["number", "holder_id.name", "premise_id.number"]

    number = fields.Char(
        required=True,
        copy=False,
        index=True,
        default=lambda self: self.env._("New"),
        tracking=True,
        help="Personal account number (digits only). It goes into payment purposes and QR codes and is never reused.",
    )
    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    premise_id = fields.Many2one(
        "osmd.premise", required=True, index=True, ondelete="restrict", check_company=True, tracking=True
    )
    building_id = fields.Many2one(related="premise_id.building_id", store=True, index=True)
    premise_number_sort = fields.Integer(related="premise_id.number_sort", store=True)
    premise_kind = fields.Selection(related="premise_id.kind")
    total_area = fields.Float(related="premise_id.total_area", digits=(10, 2))
    heated_area = fields.Float(related="premise_id.heated_area", digits=(10, 2))
    holder_id = fields.Many2one(
        "res.partner",
        compute="_compute_holder_id",
        inverse="_inverse_holder_id",
        store=True,
        index=True,
        tracking=True,
        help="Who the account is kept for (usually the owner); invoices are issued to the holder.",
    )
    # the holder's contacts, the history and the staff note are for the staff, never for residents
    holder_phone = fields.Char(related="holder_id.phone", groups="base.group_user")
    holder_email = fields.Char(related="holder_id.email", groups="base.group_user")
    holder_line_ids = fields.One2many(
        "osmd.account.holder", "account_id", string="Holder history", groups="base.group_user"
    )
    resident_ids = fields.One2many("osmd.resident", "account_id", string="Residents")
    counted_resident_count = fields.Integer(
        compute="_compute_counted_resident_count",
        string="Persons counted",
        help="Residents counted today for per-person services.",
    )
    state = fields.Selection(
        [("active", "Active"), ("closed", "Closed")], default="active", required=True, tracking=True, index=True
    )
    date_open = fields.Date(string="Opened on", required=True, default=fields.Date.context_today)
    date_close = fields.Date(string="Closed on", tracking=True)
    portal_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_portal_partner_ids",
        search="_search_portal_partner_ids",
        string="Portal access",
        groups="base.group_user",
        help="People who see this account in the resident cabinet today: its holders, the residents with access and "
        "the premise's co-owners (as the association allows) whose period includes today. Worked out at each "
        "access, never stored.",
    )
    note = fields.Html(groups="base.group_user")

    _number_company_uniq = models.Constraint(
        "UNIQUE(company_id, number)", "This personal account number is already used in the association."
    )
    _dates_valid = models.Constraint(
        "CHECK(date_close IS NULL OR date_close >= date_open)", "An account cannot be closed before it is opened."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("holder_line_ids.partner_id", "holder_line_ids.date_start", "holder_line_ids.date_end")
    def _compute_holder_id(self):
        today = fields.Date.context_today(self)
        for account in self:
            account.holder_id = account._get_holder_at(today) or account.holder_line_ids[:1].partner_id

    def _inverse_holder_id(self):
        """Setting the holder directly corrects the current holder line (use the transfer for a change)."""
        today = fields.Date.context_today(self)
        to_create = []
        for account in self:
            line = account.holder_line_ids.filtered(lambda h: h._is_valid_on(today))[:1]
            if not account.holder_id:
                continue
            if line:
                line.partner_id = account.holder_id
            elif not account.holder_line_ids:
                to_create.append(
                    {"account_id": account.id, "partner_id": account.holder_id.id, "date_start": account.date_open}
                )
            else:
                raise UserError(
                    self.env._(
                        "Account %s has a holder history: change the holder with an ownership transfer.", account.number
                    )
                )
        if to_create:
            self.env["osmd.account.holder"].create(to_create)

    @api.depends(
        "holder_line_ids.partner_id",
        "holder_line_ids.date_start",
        "holder_line_ids.date_end",
        "resident_ids.partner_id",
        "resident_ids.has_portal_access",
        "resident_ids.date_start",
        "resident_ids.date_end",
        "premise_id.ownership_ids.partner_id",
        "premise_id.ownership_ids.date_start",
        "premise_id.ownership_ids.date_end",
        "date_close",
        "company_id.osmd_portal_co_owners",
        "company_id.osmd_portal_residents",
    )
    def _compute_portal_partner_ids(self):
        # today only, as the search below: never a ``date`` nor a time zone from the caller's context, which
        # the access check (filtered_domain) would otherwise use to let a former holder in
        starts = self._origin.filtered("id")._get_portal_starts(self._osmd_access_today())
        partners = defaultdict(list)
        for account_id, partner_id in starts:
            partners[account_id].append(partner_id)
        for account in self:
            account.portal_partner_ids = self.env["res.partner"].browse(partners.get(account._origin.id, []))

    def _search_portal_partner_ids(self, operator, value):
        """Accounts that the partners in ``value`` may see today: their holder or resident (with cabinet
        access) period includes today. Resolved at each query (record rules use it), so access starts and
        ends exactly with the periods, whatever a cron did or missed."""
        if operator != "in":
            return NotImplemented
        partner_ids = [pid for pid in value if pid]
        if not partner_ids:
            return Domain.FALSE
        today = self._osmd_access_today()
        Holder, Resident = self.env["osmd.account.holder"], self.env["osmd.resident"]
        Ownership = self.env["osmd.ownership"]
        holders = Domain("partner_id", "in", partner_ids) & Holder._get_valid_on_domain(today)
        residents = (
            Domain("partner_id", "in", partner_ids)
            & Domain("has_portal_access", "=", True)
            & Resident._get_valid_on_domain(today)
            & Domain("company_id", "any!", Domain("osmd_portal_residents", "=", True))
        )
        owners = (
            Domain("partner_id", "in", partner_ids)
            & Ownership._get_valid_on_domain(today)
            & Domain("company_id", "any!", Domain("osmd_portal_co_owners", "=", True))
        )
        co_owned = Domain("premise_id", "any!", Domain("ownership_ids", "any!", owners)) & (
            Domain("date_close", "=", False) | Domain("date_close", ">=", today)
        )
        return Domain("holder_line_ids", "any!", holders) | Domain("resident_ids", "any!", residents) | co_owned

    @api.depends("resident_ids.is_counted", "resident_ids.date_start", "resident_ids.date_end")
    @api.depends_context("date")
    def _compute_counted_resident_count(self):
        day = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        for account in self:
            account.counted_resident_count = len(account._get_counted_residents(day))

    @api.depends("number", "premise_id")
    def _compute_display_name(self):
        for account in self:
            account.display_name = (
                f"{account.number} — {account.premise_id.display_name}" if account.premise_id else account.number
            )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("number")
    def _check_number(self):
        for account in self:
            if not ACCOUNT_NUMBER_RE.match(account.number or ""):
                raise ValidationError(
                    self.env._("Personal account number %(number)s must be 1 to 12 digits.", number=account.number)
                )

    @api.constrains("premise_id", "state", "date_open", "date_close")
    def _check_one_active_per_premise(self):
        """One active personal account per premise at a time."""
        premises = self.filtered(lambda a: a.state == "active").premise_id
        if not premises:
            return
        groups = self.sudo()._read_group(
            [("premise_id", "in", premises.ids), ("state", "=", "active")],
            ["premise_id"],
            ["__count"],
            having=[("__count", ">", 1)],
        )
        if groups:
            raise ValidationError(
                self.env._(
                    "Premise %s already has an active personal account: close it before opening another one.",
                    groups[0][0].display_name,
                )
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        new_label = self.env._("New")
        companies = self.env["res.company"].browse(
            {vals.get("company_id") or self.env.company.id for vals in vals_list}
        )
        self._osmd_check_can_create(companies, vals_list)
        for vals in vals_list:
            if not vals.get("company_id"):
                vals["company_id"] = self.env.company.id
            if not vals.get("number") or vals["number"] == new_label:
                company = companies.browse(vals["company_id"])
                vals["number"] = company._osmd_get_account_sequence().sudo().next_by_id()
        return super().create(vals_list)

    def _osmd_check_can_create(self, companies, vals_list):
        """Refuse a create the record rules would refuse before a number is drawn: the number comes from
        the association's gapless sequence (through sudo), which must never be touched, locked nor created
        for an association the user does not work in."""
        if self.env.su:
            return
        self.browse().check_access("create")
        if companies - self.env.companies:
            raise AccessError(self.env._("You can only open personal accounts in your own association."))
        premises = self.env["osmd.premise"].browse({vals["premise_id"] for vals in vals_list if vals.get("premise_id")})
        premises.check_access("read")

    def write(self, vals):
        if "number" in vals and any(a.number != vals["number"] for a in self):
            raise UserError(
                self.env._(
                    "A personal account number cannot be changed: it is printed on receipts and used to match payments."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_numbered(self):
        raise UserError(
            self.env._(
                "Personal accounts are never deleted, so that their numbers are never reused: "
                "close the account instead."
            )
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_close(self):
        today = fields.Date.context_today(self)
        self.filtered(lambda a: a.state == "active").write({"state": "closed", "date_close": today})

    def action_reopen(self):
        self.filtered(lambda a: a.state == "closed").write({"state": "active", "date_close": False})

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _get_holder_at(self, day):
        """The holder of the account on ``day`` (empty recordset if none)."""
        self.ensure_one()
        return self.holder_line_ids.filtered(lambda h: h._is_valid_on(day))[:1].partner_id

    def _get_counted_residents(self, day):
        self.ensure_one()
        return self.resident_ids.filtered(lambda r: r.is_counted and r._is_valid_on(day))

    @api.model
    def _osmd_access_today(self):
        """The day residents' access is decided on: today in the association's time zone (Kyiv by
        default), never a date or time zone the caller puts in the context."""
        tz = self.env.company.sudo().partner_id.tz or "Europe/Kyiv"
        return fields.Date.context_today(self.with_context(tz=tz, date=None))

    def _get_portal_starts(self, day, partners=None):
        """{(account id, partner id): first day of the person's current period} of the people who see the
        accounts of ``self`` (all accounts if ``self`` is empty and ``partners`` given) on ``day``: holders;
        residents with cabinet access, if the association lets residents see accounts; co-owners of the premise
        (its accounts not closed before ``day``), if it lets co-owners see them; each whose period includes
        ``day``. A person sees the account's history from that first day on, never that of the people before
        them."""
        if not self and partners is None:
            return {}
        Holder, Resident = self.env["osmd.account.holder"].sudo(), self.env["osmd.resident"].sudo()
        Ownership = self.env["osmd.ownership"].sudo()
        scope = Domain("account_id", "in", self.ids) if self else Domain.TRUE
        people = Domain("partner_id", "in", partners.ids) if partners is not None else Domain.TRUE
        starts = {}

        def add(account_id, partner_id, start):
            key = (account_id, partner_id)
            starts[key] = min(starts.get(key, start), start)

        for lines in (
            Holder.search_fetch(
                scope & people & Holder._get_valid_on_domain(day), ["account_id", "partner_id", "date_start"]
            ),
            Resident.search_fetch(
                scope
                & people
                & Domain("has_portal_access", "=", True)
                & Resident._get_valid_on_domain(day)
                & Domain("company_id", "any!", Domain("osmd_portal_residents", "=", True)),
                ["account_id", "partner_id", "date_start"],
            ),
        ):
            for line in lines:
                add(line.account_id.id, line.partner_id.id, line.date_start)
        owners = Ownership.search_fetch(
            (Domain("premise_id", "in", self.sudo().premise_id.ids) if self else Domain.TRUE)
            & people
            & Ownership._get_valid_on_domain(day)
            & Domain("company_id", "any!", Domain("osmd_portal_co_owners", "=", True)),
            ["premise_id", "partner_id", "date_start"],
        )
        if owners:
            accounts = self.sudo().search_fetch(
                Domain("premise_id", "in", owners.premise_id.ids)
                & (Domain("id", "in", self.ids) if self else Domain.TRUE)
                & (Domain("date_close", "=", False) | Domain("date_close", ">=", day)),
                ["premise_id"],
            )
            by_premise = defaultdict(list)
            for account in accounts:
                by_premise[account.premise_id.id].append(account.id)
            for line in owners:
                for account_id in by_premise[line.premise_id.id]:
                    add(account_id, line.partner_id.id, line.date_start)
        return starts

    def _get_holders_at(self, day):
        """{account id: holder (res.partner) on ``day``} for the accounts of ``self`` that have one: what
        ``_get_holder_at`` gives for each account, in one query for any number of accounts."""
        Holder = self.env["osmd.account.holder"]
        lines = Holder.search_fetch(
            Domain("account_id", "in", self.ids) & Holder._get_valid_on_domain(day),
            ["account_id", "partner_id"],
            order="account_id, date_start desc, id desc",  # the order of holder_line_ids
        )
        holders = {}
        for line in lines:
            holders.setdefault(line.account_id.id, line.partner_id)
        return holders

    def _get_counted_resident_counts(self, day):
        """{account id: number of residents counted on ``day``} for the accounts of ``self`` that have
        some: ``len(_get_counted_residents(day))`` of each account, in one query for any number of accounts."""
        Resident = self.env["osmd.resident"]
        groups = Resident._read_group(
            Domain("account_id", "in", self.ids) & Domain("is_counted", "=", True) & Resident._get_valid_on_domain(day),
            ["account_id"],
            ["__count"],
        )
        return {account.id: count for account, count in groups}

    @api.model
    def _search_by_number(self, number, company):
        """The account with ``number`` in ``company``: the key for payments and QR codes."""
        return self.search(
            Domain("company_id", "=", company.id) & Domain("number", "=", (number or "").strip()), limit=1
        )

    def _cron_refresh_holders(self):
        """Apply dated holder changes when their date comes: every account whose stored holder is not
        the holder of today is recomputed, so a missed run is caught up by the next one. (Resident
        cabinet access does not depend on this: the record rules read the periods at each access.)"""
        today = fields.Date.context_today(self)
        accounts = self.search([("holder_line_ids", "!=", False)])
        current = accounts._get_holders_at(today)
        stale = accounts.filtered(lambda a: a.id in current and a.holder_id != current[a.id])
        if stale:
            self.env.add_to_compute(self._fields["holder_id"], stale)
            stale.flush_recordset()
