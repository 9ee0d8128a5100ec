from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from odoo.addons.osmd_billing.tools.money import to_decimal
from odoo.addons.osmd_billing.tools.proration import month_bounds
from odoo.addons.osmd_billing.tools.xlsx import build_workbook, download_action


class OsmdActRegister(models.TransientModel):
    """The register of the acts of a period (XLSX): number, date, customer and their code, personal account,
    premises, amounts without VAT, VAT and total, with the totals of the period."""

    _name = "osmd.act.register"
    _description = "Register of acts"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    period = fields.Date(required=True, default=lambda self: fields.Date.context_today(self).replace(day=1))
    building_ids = fields.Many2many("osmd.building", string="Buildings", help="Empty: every building.")
    xlsx_file = fields.Binary(readonly=True, attachment=False)
    xlsx_filename = fields.Char()

    def _acts(self):
        first, _last = month_bounds(self.period)
        domain = Domain("company_id", "=", self.company_id.id) & Domain("period", "=", first)
        if self.building_ids:
            domain &= Domain("building_id", "in", self.building_ids.ids)
        return self.env["osmd.act"].search(domain, order="name")

    def _build_xlsx(self):
        acts = self._acts()
        if not acts:
            raise UserError(self.env._("No act for %(period)s.", period=self.period.strftime("%m.%Y")))
        rows = []
        totals = [to_decimal(0)] * 3
        for act in acts:
            amounts = [to_decimal(act.amount_untaxed), to_decimal(act.amount_tax), to_decimal(act.amount_total)]
            totals = [total + amount for total, amount in zip(totals, amounts, strict=True)]
            partner = act.partner_id.commercial_partner_id
            rows.append(
                (
                    "row",
                    [
                        act.name,
                        act.date,
                        partner.name,
                        partner.vat or partner.company_registry or "",
                        act.account_id.number,
                        act.account_id.premise_id.display_name,
                        act.move_id.name,
                        *amounts,
                    ],
                )
            )
        rows.append(("total", [self.env._("Total"), None, None, None, None, None, None, *totals]))
        return build_workbook(
            [
                {
                    "name": self.env._("Acts"),
                    "title": self.env._(
                        "%(association)s: register of acts of services for %(period)s",
                        association=self.company_id.name,
                        period=self.period.strftime("%m.%Y"),
                    ),
                    "headers": [
                        (self.env._("Act No."), 12),
                        (self.env._("Date"), 11),
                        (self.env._("Customer"), 32),
                        (self.env._("EDRPOU / RNOKPP"), 14),
                        (self.env._("Personal account"), 12),
                        (self.env._("Premises"), 26),
                        (self.env._("Invoice"), 18),
                        (self.env._("Without VAT"), 13),
                        (self.env._("VAT"), 11),
                        (self.env._("Total"), 13),
                    ],
                    "rows": rows,
                }
            ]
        )

    def action_export_xlsx(self):
        self.ensure_one()
        return download_action(self, self._build_xlsx(), f"acts_{self.period.strftime('%Y%m')}.xlsx")

    def action_print(self):
        """Every act of the period (of the buildings chosen) in one PDF, for mass printing."""
        self.ensure_one()
        acts = self._acts()
        if not acts:
            raise UserError(self.env._("No act for %(period)s.", period=self.period.strftime("%m.%Y")))
        return self.env.ref("osmd_act.action_report_osmd_act").report_action(
            acts.sorted(lambda a: (a.building_id.id, a.name))
        )
