from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command

from odoo.addons.osmd_base.models.osmd_premise import PREMISE_KINDS

OSMD_BASES = [
    ("area_total", "Total area"),
    ("area_heated", "Heated area"),
    ("persons", "Registered persons"),
    ("fixed", "Fixed per premise"),
    ("consumption", "Meter consumption"),
    ("norm", "Norm per person (no meter)"),
    ("house_share", "Share of house consumption"),
]
# bases that need a utility
UTILITY_BASES = ("consumption", "norm", "house_share")
# bases charged as a monthly quantity, prorated by the days of the month the service is active
MONTHLY_BASES = ("area_total", "area_heated", "persons", "fixed", "norm")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    osmd_basis = fields.Selection(
        OSMD_BASES,
        string="Billing basis",
        help="How the monthly quantity of this condominium service is computed for a personal account. "
        "Empty for products that are not condominium services.",
    )
    osmd_utility_id = fields.Many2one(
        "osmd.utility",
        string="Utility",
        help="Metered utility of the service (consumption, norm and house share bases).",
    )
    osmd_premise_kinds = fields.Char(
        string="Premise kinds",
        help="Comma-separated premise kinds the service applies to (apartment, non_residential, parking, "
        "storage); empty: every kind.",
    )
    osmd_quantity_digits = fields.Integer(
        string="Quantity decimals",
        default=3,
        help="The quantity is rounded to this number of decimals before pricing; amounts are rounded to "
        "the currency (kopecks).",
    )

    _osmd_quantity_digits_valid = models.Constraint(
        "CHECK(osmd_quantity_digits IS NULL OR osmd_quantity_digits BETWEEN 0 AND 6)",
        "The quantity decimals are between 0 and 6.",
    )

    @api.constrains("osmd_basis", "osmd_utility_id", "osmd_premise_kinds", "type")
    def _check_osmd_service(self):
        valid_kinds = {key for key, _label in PREMISE_KINDS}
        for template in self.filtered("osmd_basis"):
            if template.type != "service":
                raise ValidationError(
                    self.env._("Condominium service %(name)s must be a service product.", name=template.name)
                )
            if template.osmd_basis in UTILITY_BASES and not template.osmd_utility_id:
                raise ValidationError(
                    self.env._("Condominium service %(name)s needs a utility for its basis.", name=template.name)
                )
            unknown = set(template._osmd_get_premise_kinds()) - valid_kinds
            if unknown:
                raise ValidationError(
                    self.env._(
                        "Condominium service %(name)s: unknown premise kinds %(kinds)s (use %(valid)s).",
                        name=template.name,
                        kinds=", ".join(sorted(unknown)),
                        valid=", ".join(sorted(valid_kinds)),
                    )
                )

    @api.onchange("osmd_basis")
    def _onchange_osmd_basis(self):
        # associations are not VAT payers: a condominium service gets no default sale tax
        if self.osmd_basis and not self._origin.osmd_basis:
            self.taxes_id = False
            self.type = "service"

    def _add_missing_default_values(self, values):
        # associations are not VAT payers: a condominium service gets no default sale tax
        # (l10n_ua sets 20 % VAT as the company's default) unless taxes are given explicitly
        if values.get("osmd_basis"):
            values.setdefault("type", "service")
            values.setdefault("taxes_id", [Command.clear()])
            # the association's services category: its income account is the services revenue account (703)
            if "categ_id" not in values:
                company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
                category = company.sudo().osmd_service_categ_id
                if category:
                    values["categ_id"] = category.id
        return super()._add_missing_default_values(values)

    def _force_default_sale_tax(self, companies):
        # account gives a product without company the default sale tax of every company (20 % VAT
        # with l10n_ua): not to condominium services nor to the subsidy credit line
        subsidy = self.env.ref("osmd_billing.product_osmd_subsidy", raise_if_not_found=False)
        taxed = self.filtered(lambda t: not t.osmd_basis and (not subsidy or t != subsidy.product_tmpl_id))
        return super(ProductTemplate, taxed)._force_default_sale_tax(companies)

    def _osmd_get_premise_kinds(self):
        """Premise kinds the service applies to ([] = every kind)."""
        self.ensure_one()
        return [kind.strip() for kind in (self.osmd_premise_kinds or "").split(",") if kind.strip()]
