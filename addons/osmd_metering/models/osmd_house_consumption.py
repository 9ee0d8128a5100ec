from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools.misc import formatLang

from ..tools.consumption import QUANT, share_losses, to_decimal

HOUSE_CONSUMPTION_STATES = [("draft", "Draft"), ("computed", "Computed"), ("done", "Done")]
LOSS_BASES = [("area", "Total area"), ("persons", "Registered persons")]


class OsmdHouseConsumption(models.Model):
    """House (or entrance) meter consumption of a period against the sum of the premises' meters.

    The difference (losses and common use) is shared among the premises that have a meter of the
    same utility in service during the period, in proportion to their total area or to the persons
    registered on their personal account on the first day of the period (the utility's
    ``loss_basis``, which the record may override). A negative difference (the house meter shows less
    than the premises together) is shared the same way by default, lowering the premises' quantities;
    untick ``share_negative`` to report it without sharing. Billing charges the lines' quantities.
    """

    _name = "osmd.house.consumption"
    _description = "House consumption and loss sharing"
    _inherit = ["mail.thread"]
    _order = "period desc, building_id, entrance, utility_id, id"
    _check_company_auto = True

    building_id = fields.Many2one(
        "osmd.building",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(related="building_id.company_id", store=True, index=True, precompute=True)
    entrance = fields.Integer(
        default=0,
        required=True,
        tracking=True,
        help="Entrance the house meters serve; 0 = the whole building.",
    )
    utility_id = fields.Many2one(
        "osmd.utility",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    uom_id = fields.Many2one(related="utility_id.uom_id", string="Unit")
    period = fields.Date(
        required=True,
        index=True,
        tracking=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="First day of the month (any day of the month may be entered).",
    )
    meter_ids = fields.Many2many(
        "osmd.meter",
        string="House meters",
        check_company=True,
        compute="_compute_meter_ids",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('building_id', '=', building_id), ('utility_id', '=', utility_id), ('premise_id', '=', False)]",
        help="Meters of the building (or entrance) without a premise, in service during the period.",
    )
    loss_basis = fields.Selection(
        LOSS_BASES,
        string="Share by",
        required=True,
        tracking=True,
        compute="_compute_loss_basis",
        store=True,
        readonly=False,
        precompute=True,
    )
    share_negative = fields.Boolean(
        string="Share a negative difference",
        default=True,
        tracking=True,
        help="When the house meters show less than the premises together, share the (negative) difference "
        "too, which lowers the premises' quantities. Untick to only report it.",
    )
    house_total = fields.Float(digits=(16, 3), readonly=True, string="House total")
    premises_total = fields.Float(digits=(16, 3), readonly=True, string="Premises total")
    difference = fields.Float(
        digits=(16, 3),
        readonly=True,
        help="House meters minus premises' meters: losses and common use.",
    )
    weight_total = fields.Float(digits=(16, 3), readonly=True, string="Total weight")
    shared_total = fields.Float(digits=(16, 3), readonly=True, string="Shared")
    explanation = fields.Text(readonly=True, string="Calculation")
    warning = fields.Text(readonly=True, help="Meters without a confirmed reading in the period.")
    line_ids = fields.One2many("osmd.house.consumption.line", "consumption_id", string="Shares", readonly=True)
    line_count = fields.Integer(compute="_compute_line_count")
    state = fields.Selection(HOUSE_CONSUMPTION_STATES, default="draft", required=True, tracking=True, index=True)

    _period_uniq = models.Constraint(
        "UNIQUE(building_id, entrance, utility_id, period)",
        "The house consumption of this building, entrance, utility and period already exists.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("building_id", "entrance", "utility_id", "period")
    def _compute_meter_ids(self):
        for record in self:
            if not (record.building_id and record.utility_id and record.period):
                record.meter_ids = False
                continue
            record.meter_ids = self.env["osmd.meter"].search(
                record._get_meter_domain() & Domain("premise_id", "=", False) & Domain("entrance", "=", record.entrance)
            )

    @api.depends("utility_id")
    def _compute_loss_basis(self):
        for record in self:
            record.loss_basis = record.utility_id.loss_basis or record.loss_basis or "area"

    def _compute_line_count(self):
        for record in self:
            record.line_count = len(record.line_ids)

    @api.depends("building_id", "entrance", "utility_id", "period")
    def _compute_display_name(self):
        for record in self:
            parts = [record.building_id.name or "", record.utility_id.name or ""]
            if record.entrance:
                parts.insert(1, self.env._("entrance %s", record.entrance))
            if record.period:
                parts.append(record.period.strftime("%m.%Y"))
            record.display_name = ", ".join(part for part in parts if part)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("period"):
                vals["period"] = fields.Date.to_date(vals["period"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if "period" in vals and vals["period"]:
            vals["period"] = fields.Date.to_date(vals["period"]).replace(day=1)
        locked = {"building_id", "entrance", "utility_id", "period", "meter_ids", "loss_basis", "share_negative"}
        if locked & set(vals) and self.filtered(lambda r: r.state == "done"):
            raise UserError(self.env._("A house consumption marked done cannot be changed: reset it to draft first."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if self.filtered(lambda r: r.state == "done"):
            raise UserError(self.env._("A house consumption marked done cannot be deleted: reset it to draft first."))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_compute(self):
        if self.filtered(lambda r: r.state == "done"):
            raise UserError(
                self.env._("A house consumption marked done cannot be recomputed: reset it to draft first.")
            )
        self._do_compute()
        return True

    def action_done(self):
        if self.filtered(lambda r: r.state != "computed"):
            raise UserError(self.env._("Compute the house consumption before marking it done."))
        self.write({"state": "done"})
        return True

    def action_reset_to_draft(self):
        """Billing may already have charged the shares of a done record: only the chairman reopens it."""
        if self.filtered(lambda r: r.state == "done") and not self.env.user.has_group("osmd_base.group_osmd_chairman"):
            raise UserError(self.env._("Only the chairman can reopen a house consumption marked done."))
        self.write({"state": "draft"})
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _period_end(self):
        self.ensure_one()
        return self.period + relativedelta(months=1, days=-1)

    def _get_meter_domain(self):
        """Meters of this building/utility (and entrance) in service at some time during the period."""
        self.ensure_one()
        return (
            Domain("building_id", "=", self.building_id.id)
            & Domain("utility_id", "=", self.utility_id.id)
            & Domain("install_date", "<=", self._period_end())
            & (Domain("removal_date", "=", False) | Domain("removal_date", ">=", self.period))
        )

    def _get_premise_meters(self):
        """Meters of the premises that share the difference (those served by the utility in the period)."""
        self.ensure_one()
        domain = self._get_meter_domain() & Domain("premise_id", "!=", False)
        if self.entrance:
            domain &= Domain("entrance", "=", self.entrance)
        return self.env["osmd.meter"].search(domain)

    def _get_accounts(self, premises):
        """{premise: the personal account open during the period (the latest opened)}."""
        self.ensure_one()
        # engineers compute losses but do not read personal accounts: only the account and its head count
        # are taken from them
        accounts = (
            self.env["osmd.account"]
            .sudo()
            .search(
                Domain("premise_id", "in", premises.ids)
                & Domain("date_open", "<=", self._period_end())
                & (Domain("date_close", "=", False) | Domain("date_close", ">=", self.period)),
                order="date_open, id",
            )
        )
        return {account.premise_id: account for account in accounts}

    def _get_weights(self, premises, accounts):
        """{premise: Decimal weight} by the record's basis."""
        self.ensure_one()
        if self.loss_basis == "persons":
            return {
                premise: Decimal(
                    len(accounts[premise]._get_counted_residents(self.period)) if premise in accounts else 0
                )
                for premise in premises
            }
        return {premise: to_decimal(premise.total_area) for premise in premises}

    def _format_qty(self, value, digits=3):
        return formatLang(self.env, float(value), digits=digits)

    def _format_weight(self, value):
        if self.loss_basis == "persons":
            return self.env._("%(count)s persons", count=int(value))
        return self.env._("%(area)s m²", area=self._format_qty(value, digits=2))

    def _do_compute(self):
        Reading = self.env["osmd.meter.reading"]
        Line = self.env["osmd.house.consumption.line"]
        self.line_ids.unlink()
        line_vals = []
        for record in self:
            period = record.period
            house_meters = record.meter_ids
            if not house_meters:
                raise UserError(
                    self.env._(
                        "%(record)s: there is no house meter of this utility for the building and entrance.",
                        record=record.display_name,
                    )
                )
            house = Reading._get_period_consumption(house_meters, [period])
            unread = house_meters.filtered(lambda m, house=house, period=period: (m.id, period) not in house)
            if unread:
                raise UserError(
                    self.env._(
                        "%(record)s: house meter %(meters)s has no confirmed reading for the period.",
                        record=record.display_name,
                        meters=", ".join(unread.mapped("serial")),
                    )
                )
            house_total = sum(house.values(), Decimal(0)).quantize(QUANT, rounding=ROUND_HALF_UP)

            premise_meters = record._get_premise_meters()
            premises = premise_meters.premise_id
            by_premise = Reading._get_premise_consumption(premises, record.utility_id, [period])
            premise_qty = {
                premise: to_decimal(by_premise.get((premise.id, record.utility_id.id, period), 0)).quantize(
                    QUANT, rounding=ROUND_HALF_UP
                )
                for premise in premises
            }
            premises_total = sum(premise_qty.values(), Decimal(0))
            difference = house_total - premises_total
            readings = Reading._get_period_consumption(premise_meters, [period])
            missing = premise_meters.filtered(lambda m, done=readings, period=period: (m.id, period) not in done)

            accounts = record._get_accounts(premises)
            weights = record._get_weights(premises, accounts)
            weight_total = sum(weights.values(), Decimal(0))
            share = bool(difference) and (difference > 0 or record.share_negative)
            shares = share_losses(difference, weights) if share else {}
            if share and not shares:
                raise UserError(
                    self.env._(
                        "%(record)s: no premise has a weight (area or registered persons) to share the difference "
                        "of %(difference)s.",
                        record=record.display_name,
                        difference=record._format_qty(difference),
                    )
                )

            # explanations end up on invoice lines and receipts: in the association's language and number format
            doc = record.with_context(lang=self.env["res.partner"]._osmd_document_lang(record.company_id))
            for premise in premises:
                weight = weights[premise]
                quantity = shares.get(premise, Decimal(0))
                line_vals.append(
                    {
                        "consumption_id": record.id,
                        "premise_id": premise.id,
                        "account_id": accounts[premise].id if premise in accounts else False,
                        "premise_consumption": float(premise_qty[premise]),
                        "weight": float(weight),
                        "quantity": float(quantity),
                        "explanation": doc._line_explanation(weight, weight_total, difference, quantity, share),
                    }
                )
            record.write(
                {
                    "house_total": float(house_total),
                    "premises_total": float(premises_total),
                    "difference": float(difference),
                    "weight_total": float(weight_total),
                    "shared_total": float(sum(shares.values(), Decimal(0))),
                    "explanation": doc._explanation(house, house_total, premises, premises_total, difference, share),
                    "warning": self.env._(
                        "No confirmed reading in the period (counted as 0; estimate missing readings first): %s",
                        ", ".join(missing.mapped("display_name")),
                    )
                    if missing
                    else False,
                    "state": "computed",
                }
            )
        Line.create(line_vals)

    def _line_explanation(self, weight, weight_total, difference, quantity, share):
        """'52,30 m² / 1 234,50 m² × 45,000 = 1,906' in the number format of the environment's language."""
        self.ensure_one()
        if not share:
            if not difference:
                return self.env._("No difference to share.")
            return self.env._("The negative difference is not shared.")
        if not weight:
            return self.env._("No weight: no share.")
        text = self.env._(
            "%(weight)s / %(total)s × %(difference)s = %(share)s",
            weight=self._format_weight(weight),
            total=self._format_weight(weight_total),
            difference=self._format_qty(difference),
            share=self._format_qty(quantity),
        )
        exact = (difference * weight / weight_total).quantize(QUANT, rounding=ROUND_HALF_UP)
        if exact != quantity:
            text = self.env._(
                "%(text)s (%(exact)s rounded so that the shares add up to the difference)",
                text=text,
                exact=self._format_qty(exact),
            )
        return text

    def _explanation(self, house, house_total, premises, premises_total, difference, share):
        self.ensure_one()
        meters = ", ".join(
            f"{meter.serial}: {self._format_qty(house.get((meter.id, self.period), 0))}" for meter in self.meter_ids
        )
        basis = dict(self._fields["loss_basis"]._description_selection(self.env))[self.loss_basis]
        lines = [
            self.env._("House meters (%(meters)s) = %(total)s", meters=meters, total=self._format_qty(house_total)),
            self.env._(
                "Premises' meters (%(count)s premises) = %(total)s",
                count=len(premises),
                total=self._format_qty(premises_total),
            ),
            self.env._(
                "Difference = %(house)s − %(premises)s = %(difference)s",
                house=self._format_qty(house_total),
                premises=self._format_qty(premises_total),
                difference=self._format_qty(difference),
            ),
        ]
        if share:
            lines.append(self.env._("Shared by %(basis)s, in proportion to each premise's weight.", basis=basis))
        elif difference < 0:
            lines.append(self.env._("The negative difference is reported, not shared."))
        return "\n".join(lines)
