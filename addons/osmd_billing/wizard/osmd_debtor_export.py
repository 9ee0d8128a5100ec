from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.osmd_base.tools.company_access import check_own_associations

from ..tools.xlsx import build_workbook, download_action


class OsmdDebtorExport(models.TransientModel):
    """Filters of the debtors list: show it, export it to XLSX or print reminder letters."""

    _name = "osmd.debtor.export"
    _description = "Debtors list"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_amount = fields.Monetary(string="Minimum debt", help="Only debts of at least this amount.")
    months_overdue = fields.Integer(
        string="Overdue at least (months)",
        help="Only accounts whose oldest unpaid invoice fell due at least this many whole months ago.",
    )
    building_ids = fields.Many2many(
        "osmd.building", string="Buildings", check_company=True, help="Empty: every building of the association."
    )
    date = fields.Date(
        string="Debts on", required=True, default=fields.Date.context_today, help="Day the debts are aged on."
    )
    xlsx_file = fields.Binary(string="File", readonly=True, attachment=False)
    xlsx_filename = fields.Char(string="File name", readonly=True)

    @api.constrains("company_id")
    def _check_own_association(self):
        check_own_associations(self)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_list(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_billing.osmd_debtor_report_action")
        action["domain"] = list(self._get_domain())
        action["context"] = {"date": fields.Date.to_string(self.date)}
        return action

    def action_export_xlsx(self):
        self.ensure_one()
        return download_action(
            self, self._build_xlsx(), self.env._("debtors_%(date)s.xlsx", date=self.date.strftime("%Y%m%d"))
        )

    def action_print_letters(self):
        self.ensure_one()
        debtors = self._get_debtors()
        if not debtors:
            raise UserError(self.env._("No debtor matches the filters."))
        return (
            self.env.ref("osmd_billing.action_report_osmd_reminder_letter")
            .with_context(date=fields.Date.to_string(self.date))
            .report_action(debtors)
        )

    def action_print_notice_board(self):
        """The list for the notice board: premises and amounts, no names."""
        self.ensure_one()
        debtors = self._get_debtors()
        if not debtors:
            raise UserError(self.env._("No debtor matches the filters."))
        return (
            self.env.ref("osmd_billing.action_report_osmd_notice_board")
            .with_context(date=fields.Date.to_string(self.date))
            .report_action(debtors)
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _get_domain(self):
        return self.env["osmd.debtor.report"]._get_debtors_domain(
            min_amount=self.min_amount,
            months_overdue=self.months_overdue,
            buildings=self.building_ids,
            company=self.company_id,
        )

    def _get_debtors(self):
        Report = self.env["osmd.debtor.report"].with_context(date=fields.Date.to_string(self.date))
        return Report.search(self._get_domain(), order="building_id, balance desc, id")

    def _build_xlsx(self):
        self.ensure_one()
        debtors = self._get_debtors()
        headers = [
            (self.env._("Personal account"), 14),
            (self.env._("Building"), 24),
            (self.env._("Premise"), 10),
            (self.env._("Holder"), 30),
            (self.env._("Phone"), 16),
            (self.env._("Debt"), 13),
            (self.env._("0–30 days"), 12),
            (self.env._("31–90 days"), 12),
            (self.env._("91–180 days"), 12),
            (self.env._("Over 180 days"), 12),
            (self.env._("Oldest unpaid due date"), 14),
            (self.env._("Months overdue"), 10),
        ]
        rows = [
            (
                "row",
                [
                    debtor.account_id.number,
                    debtor.building_id.name,
                    debtor.premise_id.number,
                    debtor.partner_id.name or "",
                    debtor.holder_phone or "",
                    debtor.balance,
                    debtor.debt_0_30,
                    debtor.debt_31_90,
                    debtor.debt_91_180,
                    debtor.debt_180_plus,
                    debtor.oldest_due_date,
                    debtor.months_overdue,
                ],
            )
            for debtor in debtors
        ]
        money = ("balance", "debt_0_30", "debt_31_90", "debt_91_180", "debt_180_plus")
        rows.append(
            (
                "total",
                [self.env._("Total"), self.env._("%(count)s debtors", count=len(debtors)), None, None, None]
                + [self.currency_id.round(sum(debtors.mapped(fname))) for fname in money]
                + [None, None],
            )
        )
        title = self.env._(
            "Debtors of %(company)s on %(date)s", company=self.company_id.name, date=self.date.strftime("%d.%m.%Y")
        )
        return build_workbook([{"name": self.env._("Debtors"), "title": title, "headers": headers, "rows": rows}])
