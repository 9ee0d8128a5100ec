import functools
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools.proration import month_bounds

SUBSCRIPTION_MODES = [("include", "Include"), ("exclude", "Exclude")]


class OsmdSubscription(models.Model):
    """Which personal accounts get which services.

    A line without a personal account is the default of its building: every account of the building
    gets the service over the dates. A line with an account is an exception: "include" adds the
    service to that account, "exclude" removes it, over the dates. Days outside a month's coverage
    are prorated.
    """

    _name = "osmd.subscription"
    _description = "Service subscription"
    _order = "company_id, building_id, account_id, product_id, date_start desc, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    building_id = fields.Many2one(
        "osmd.building",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        compute="_compute_building_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    account_id = fields.Many2one(
        "osmd.account",
        string="Personal account",
        index=True,
        ondelete="restrict",
        check_company=True,
        help="Empty: the default of the whole building.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('osmd_basis', '!=', False)]",
    )
    mode = fields.Selection(SUBSCRIPTION_MODES, required=True, default="include")
    date_start = fields.Date(required=True, default=fields.Date.context_today)
    date_end = fields.Date(help="Last day of the service; empty: until further notice.")
    note = fields.Char()

    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "A subscription cannot end before it starts."
    )
    _default_includes = models.Constraint(
        "CHECK(account_id IS NOT NULL OR mode = 'include')",
        "A building default always includes the service: exclusions are set per personal account.",
    )

    @api.depends("account_id")
    def _compute_building_id(self):
        for subscription in self.filtered("account_id"):
            subscription.building_id = subscription.account_id.building_id

    @api.constrains("account_id", "building_id")
    def _check_building(self):
        for subscription in self.filtered("account_id"):
            if subscription.account_id.building_id != subscription.building_id:
                raise ValidationError(
                    self.env._(
                        "Personal account %(account)s is not in building %(building)s.",
                        account=subscription.account_id.number,
                        building=subscription.building_id.display_name,
                    )
                )

    @api.model
    def _get_active_days(self, company, buildings, accounts, period):
        """({(account id, product id): frozenset of days of the month with the service}, services), in one
        query. Accounts with the same days get the same frozenset (most accounts of a building)."""
        date_from, date_to = month_bounds(period)
        subscriptions = self.search_fetch(
            Domain("company_id", "=", company.id)
            & Domain("building_id", "in", buildings.ids)
            & Domain("date_start", "<=", date_to)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", date_from)),
            ["building_id", "account_id", "product_id", "mode", "date_start", "date_end"],
        )

        @functools.cache
        def days_of(date_start, date_end):
            start, end = max(date_start, date_from), min(date_end or date_to, date_to)
            return frozenset(start + timedelta(days=offset) for offset in range((end - start).days + 1))

        defaults, includes, excludes = {}, {}, {}
        for sub in subscriptions:
            if not sub.account_id:
                target, key = defaults, (sub.building_id.id, sub.product_id.id)
            else:
                target = includes if sub.mode == "include" else excludes
                key = (sub.account_id.id, sub.product_id.id)
            target[key] = target.get(key, frozenset()) | days_of(sub.date_start, sub.date_end)
        products = subscriptions.product_id
        product_ids = products.ids
        result = {}
        for account in accounts:
            open_days = days_of(account.date_open, account.date_close)
            building_id = account.building_id.id
            for product_id in product_ids:
                key = (account.id, product_id)
                days = defaults.get((building_id, product_id), frozenset())
                if key in excludes:
                    days -= excludes[key]
                if key in includes:
                    days |= includes[key]
                if not days <= open_days:
                    days &= open_days
                if days:
                    result[key] = days
        return result, products
