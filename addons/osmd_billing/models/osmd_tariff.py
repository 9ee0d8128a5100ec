from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from odoo.addons.osmd_base.models.osmd_premise import check_bounds
from odoo.addons.osmd_base.tools.bounds import PRICE_BOUNDS

from ..tools.proration import month_bounds, split_by_ranges

TARIFF_BOUNDS = {"price": PRICE_BOUNDS, "price_zone2": PRICE_BOUNDS, "price_zone3": PRICE_BOUNDS}


class OsmdTariff(models.Model):
    _name = "osmd.tariff"
    _description = "Tariff"
    _inherit = ["mail.thread"]
    _order = "company_id, product_id, building_id, date_start desc, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('osmd_basis', '!=', False)]",
        tracking=True,
    )
    osmd_basis = fields.Selection(related="product_id.osmd_basis", string="Billing basis")
    building_id = fields.Many2one(
        "osmd.building",
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="Empty: the tariff of the whole association; a building's own tariff takes precedence.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    price = fields.Monetary(required=True, tracking=True, help="Price per unit (zone 1 / single zone).")
    price_zone2 = fields.Monetary(string="Price zone 2", tracking=True, help="Price per unit in zone 2 (night).")
    price_zone3 = fields.Monetary(string="Price zone 3", tracking=True)
    date_start = fields.Date(required=True, index=True, tracking=True)
    date_end = fields.Date(index=True, tracking=True, help="Last day the tariff applies; empty: until further notice.")
    note = fields.Char(help="Decision that set the tariff, e.g. minutes of the board meeting.")
    billing_line_ids = fields.One2many("osmd.billing.line", "tariff_id", string="Accruals")

    _price_positive = models.Constraint(
        "CHECK(price >= 0 AND COALESCE(price_zone2, 0) >= 0 AND COALESCE(price_zone3, 0) >= 0)",
        "A tariff cannot be negative.",
    )
    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "A tariff cannot end before it starts."
    )

    @api.depends("product_id", "building_id", "date_start", "price")
    def _compute_display_name(self):
        for tariff in self:
            start = tariff.date_start.strftime("%d.%m.%Y") if tariff.date_start else ""
            where = f" ({tariff.building_id.name})" if tariff.building_id else ""
            tariff.display_name = f"{tariff.product_id.name or ''}{where} {start}"

    @api.constrains("company_id", "product_id", "building_id", "date_start", "date_end")
    def _check_overlap(self):
        for tariff in self:
            domain = (
                Domain("id", "!=", tariff.id)
                & Domain("company_id", "=", tariff.company_id.id)
                & Domain("product_id", "=", tariff.product_id.id)
                & Domain("building_id", "=", tariff.building_id.id or False)
                & (Domain("date_end", "=", False) | Domain("date_end", ">=", tariff.date_start))
            )
            if tariff.date_end:
                domain &= Domain("date_start", "<=", tariff.date_end)
            other = self.sudo().search(domain, limit=1)
            if other:
                raise ValidationError(
                    self.env._(
                        "The tariff of %(service)s from %(date)s overlaps the tariff from %(other)s: "
                        "close the previous tariff first.",
                        service=tariff.product_id.display_name,
                        date=tariff.date_start.strftime("%d.%m.%Y"),
                        other=other.date_start.strftime("%d.%m.%Y"),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_bounds(self, vals, TARIFF_BOUNDS, self.env._("Tariff"))
        return super().create(vals_list)

    def write(self, vals):
        check_bounds(self, vals, TARIFF_BOUNDS, self.env._("Tariff"))
        protected = {"company_id", "product_id", "building_id", "price", "price_zone2", "price_zone3", "date_start"}
        if protected & set(vals) and self.sudo().billing_line_ids:
            raise UserError(
                self.env._(
                    "This tariff has already been billed: close it with an end date and add a new tariff "
                    "instead of changing it."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_billed(self):
        if self.sudo().billing_line_ids:
            raise UserError(self.env._("A tariff that has been billed is kept in the history and cannot be deleted."))

    @api.model
    def _get_day_map(self, company, products, buildings, period):
        """{(building id, product id): {day: tariff}} for every day of the month of ``period``
        covered by a tariff; a building's own tariff wins over the association's. One query."""
        date_from, date_to = month_bounds(period)
        tariffs = self.search(
            Domain("company_id", "=", company.id)
            & Domain("product_id", "in", products.ids)
            & (Domain("building_id", "=", False) | Domain("building_id", "in", buildings.ids))
            & Domain("date_start", "<=", date_to)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", date_from)),
            order="date_start, id",
        )
        general, own = {}, {}
        for tariff in tariffs:
            pieces = split_by_ranges(period, [(tariff.date_start, tariff.date_end, tariff)])
            if tariff.building_id:
                own.setdefault((tariff.building_id.id, tariff.product_id.id), []).extend(pieces)
            else:
                general.setdefault(tariff.product_id.id, []).extend(pieces)
        result = {}
        for building in buildings:
            for product in products:
                day_map = {}
                for start, _end, days, tariff in general.get(product.id, []) + own.get((building.id, product.id), []):
                    for offset in range(days):
                        day_map[start + timedelta(days=offset)] = tariff
                result[(building.id, product.id)] = day_map
        return result
