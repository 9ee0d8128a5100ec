from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    osmd_payment_threshold = fields.Integer(
        string="Automatic matching from",
        default=80,
        help="Incoming bank payments matched to a personal account with at least this confidence (0–100) are "
        "reconciled with its invoices automatically; the others wait in the review queue.",
    )
    osmd_payment_allocation = fields.Selection(
        [("proportional", "Proportionally to the services of the invoice"), ("priority", "By service priority")],
        string="Payments cover services",
        default="proportional",
        required=True,
        help="Proportionally: a payment closes the oldest invoices first and is shared among the services of each "
        "invoice in proportion to what is owed for them. By service priority: a payment goes to the service of the "
        "highest priority (lowest number) on every open invoice, oldest first, then to the next service; the "
        "invoices are paid accordingly. Either way, penalties are covered last unless the box below is ticked, and "
        "the report of payments collected by service shows the same split.",
    )
    osmd_penalty_first = fields.Boolean(
        string="Penalties paid first",
        help="Payments cover the penalties of an invoice before its services (by default penalties come last).",
    )

    @api.constrains("osmd_payment_threshold")
    def _check_osmd_payment_threshold(self):
        for company in self:
            if not 1 <= company.osmd_payment_threshold <= 100:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the confidence for automatic matching must be between 1 and 100.",
                        company=company.name,
                    )
                )


class ProductTemplate(models.Model):
    _inherit = "product.template"

    osmd_payment_priority = fields.Integer(
        string="Payment priority",
        default=10,
        help="With payments covering services by priority: this service is paid on every open invoice before the "
        "services with higher numbers.",
    )
