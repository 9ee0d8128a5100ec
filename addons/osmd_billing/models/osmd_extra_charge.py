from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools.formatting import fmt_number
from ..tools.money import line_amount, to_decimal

EXTRA_CHARGE_STATES = [
    ("pending", "Waiting for the next run"),
    ("in_run", "In a computed run"),
    ("billed", "Invoiced"),
    ("cancel", "Cancelled"),
]
# what may still change on a charge a run has taken
RUN_SAFE_FIELDS = {"message_follower_ids", "message_ids", "activity_ids", "origin"}


class OsmdExtraCharge(models.Model):
    """A one-off charge of a personal account (a paid service: a boiler installed, a lock replaced): it waits for
    the next billing run of its account, which puts it on the account's invoice as a line of its own, with the
    description. A run reset to draft or cancelled gives it back; once the run is posted it stays invoiced, and a
    mistake is corrected by a credit note, never by editing it."""

    _name = "osmd.extra.charge"
    _description = "One-off charge"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Description", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    account_id = fields.Many2one(
        "osmd.account", string="Personal account", required=True, index=True, check_company=True, tracking=True
    )
    building_id = fields.Many2one(related="account_id.building_id", store=True, index=True)
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        required=True,
        check_company=True,
        domain="[('sale_ok', '=', True), ('osmd_basis', '=', False)]",
        default=lambda self: self.env.ref("osmd_billing.product_osmd_paid_service", raise_if_not_found=False),
        help="A service outside the monthly accrual (no billing basis): its name heads the invoice line.",
    )
    date = fields.Date(
        string="Date of the service",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="The first billing run whose period includes this day takes the charge.",
    )
    quantity = fields.Float(digits=(16, 3), default=1.0, required=True, tracking=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    price_unit = fields.Monetary(string="Price", required=True, tracking=True)
    amount = fields.Monetary(compute="_compute_amount", store=True, aggregator="sum")
    origin = fields.Char(string="Source", help="What the charge comes from, e.g. a service request's number.")
    line_ids = fields.One2many("osmd.billing.line", "extra_charge_id", string="Accrual lines", readonly=True)
    is_cancelled = fields.Boolean(string="Cancelled", readonly=True, copy=False)
    state = fields.Selection(
        EXTRA_CHARGE_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
        default="pending",
    )
    run_id = fields.Many2one("osmd.billing.run", string="Billing run", compute="_compute_state", store=True)
    move_id = fields.Many2one("account.move", string="Invoice", compute="_compute_move_id")

    _positive_quantity = models.Constraint("CHECK(quantity > 0)", "The quantity of a one-off charge is positive.")
    _positive_price = models.Constraint("CHECK(price_unit > 0)", "The price of a one-off charge is positive.")

    @api.depends("quantity", "price_unit")
    def _compute_amount(self):
        for charge in self:
            charge.amount = float(line_amount(to_decimal(charge.quantity), to_decimal(charge.price_unit)))

    @api.depends("is_cancelled", "line_ids.run_id.state")
    def _compute_state(self):
        for charge in self:
            runs = charge.line_ids.run_id.filtered(lambda run: run.state in ("computed", "posted"))
            charge.run_id = runs[:1]
            if charge.is_cancelled:
                charge.state = "cancel"
            elif "posted" in runs.mapped("state"):
                charge.state = "billed"
            elif runs:
                charge.state = "in_run"
            else:
                charge.state = "pending"

    def _compute_move_id(self):
        for charge in self:
            run = charge.run_id
            account = charge.account_id
            charge.move_id = (
                run.state == "posted"
                and run.move_ids.filtered(
                    lambda move, account=account: move.osmd_account_id == account and move.state == "posted"
                )[:1]
            )

    def _explanation(self):
        """The wording of the charge's line, as its invoice and receipt print it (in the run's language)."""
        self.ensure_one()
        return self.env._(
            "%(description)s (%(date)s): %(quantity)s × %(price)s UAH",
            description=self.name,
            date=self.date.strftime("%d.%m.%Y"),
            quantity=fmt_number(to_decimal(self.quantity)),
            price=fmt_number(to_decimal(self.price_unit), 2),
        )

    def _check_not_taken(self, consequence):
        """Refuse when a charge is on a computed or posted run; ``consequence``: what cannot be done, as the message
        says it."""
        taken = self.filtered(lambda charge: charge.state in ("in_run", "billed"))
        if taken:
            raise UserError(
                self.env._(
                    "One-off charge «%(name)s» is on billing run %(run)s: %(consequence)s",
                    name=taken[0].name,
                    run=taken[0].run_id.name,
                    consequence=consequence,
                )
            )

    def write(self, vals):
        if set(vals) - RUN_SAFE_FIELDS - {"is_cancelled"}:
            self._check_not_taken(
                self.env._(
                    "it cannot be changed. Reset the run to draft first, or correct an invoiced charge with a credit "
                    "note."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_pending(self):
        self._check_not_taken(self.env._("it cannot be deleted."))

    def action_cancel(self):
        self._check_not_taken(
            self.env._("reset the run to draft before cancelling it, or correct an invoiced charge with a credit note.")
        )
        self.write({"is_cancelled": True})

    def action_reset(self):
        self.write({"is_cancelled": False})

    @api.model
    def _pending_domain(self, company, accounts, last_day):
        """The charges a run of ``company`` up to ``last_day`` takes for ``accounts``."""
        return (
            Domain("company_id", "=", company.id)
            & Domain("account_id", "in", accounts.ids)
            & Domain("state", "=", "pending")
            & Domain("date", "<=", last_day)
        )
