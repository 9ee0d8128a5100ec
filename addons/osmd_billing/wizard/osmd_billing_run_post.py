from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools.misc import formatLang

from ..tools.money import round_money


class OsmdBillingRunPost(models.TransientModel):
    """Posting of a billing run: its warnings by kind and service, its total against the previous
    period's posted run of the same association and buildings, and the confirmation to post."""

    _name = "osmd.billing.run.post"
    _description = "Posting of a billing run"

    run_id = fields.Many2one("osmd.billing.run", string="Billing run", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="run_id.company_id")
    currency_id = fields.Many2one(related="run_id.currency_id")
    in_background = fields.Boolean(string="Post in background", readonly=True)
    warning_count = fields.Integer(related="run_id.warning_count", string="Warnings")
    warning_summary = fields.Html(compute="_compute_warning_summary", sanitize=False, string="Warnings by kind")
    amount_total = fields.Monetary(related="run_id.amount_total", string="Total of the run")
    previous_run_id = fields.Many2one(
        "osmd.billing.run", compute="_compute_previous", string="Previous period's billing run"
    )
    previous_amount = fields.Monetary(compute="_compute_previous", string="Total of the previous period")
    amount_change = fields.Monetary(compute="_compute_previous", string="Change of the total")
    amount_change_percent = fields.Float(compute="_compute_previous", string="Change, %", digits=(16, 1))

    def _warning_groups(self):
        """[(kind label, service name, number of warnings)], the most frequent first."""
        self.ensure_one()
        Problem = self.env["osmd.billing.problem"]
        kinds = dict(Problem._fields["kind"]._description_selection(self.env))
        groups = Problem._read_group(
            Domain("run_id", "=", self.run_id.id) & Domain("severity", "=", "warning"),
            ["kind", "product_id"],
            ["__count"],
        )
        return sorted(
            ((kinds.get(kind, kind or ""), product.display_name or "", count) for kind, product, count in groups),
            key=lambda group: (-group[2], group[0], group[1]),
        )

    @api.depends("run_id")
    def _compute_warning_summary(self):
        for wizard in self:
            groups = wizard._warning_groups() if wizard.run_id else []
            if not groups:
                wizard.warning_summary = False
                continue
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
                % (escape(kind), escape(service), count)
                for kind, service, count in groups
            )
            wizard.warning_summary = Markup(
                "<table class='table table-sm o_osmd_warning_summary'><thead><tr><th>%s</th><th>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (self.env._("Warning"), self.env._("Service"), self.env._("Count"), rows)

    @api.depends("run_id")
    def _compute_previous(self):
        for wizard in self:
            run = wizard.run_id
            previous = run._osmd_previous_posted_run() if run else run
            wizard.previous_run_id = previous
            if not previous:
                wizard.previous_amount = wizard.amount_change = wizard.amount_change_percent = 0.0
                continue
            current, before = round_money(run.amount_total), round_money(previous.amount_total)
            change = current - before
            wizard.previous_amount = float(before)
            wizard.amount_change = float(change)
            wizard.amount_change_percent = float(round_money(change * 100 / before)) if before else 0.0

    def action_confirm(self):
        """Post the run (or queue it), the warnings confirmed in the name of the current user."""
        self.ensure_one()
        run = self.run_id
        run.check_access("write")
        if run.warning_count:
            run.sudo().write({"warnings_confirmed_by": self.env.uid, "warnings_confirmed_date": fields.Datetime.now()})
            run.message_post(
                body=self.env._(
                    "Posting confirmed with %(count)s warning(s); total %(total)s against %(previous)s of the "
                    "previous period.",
                    count=run.warning_count,
                    total=self._format_amount(self.amount_total),
                    previous=self._format_amount(self.previous_amount) if self.previous_run_id else "—",
                )
            )
        if self.in_background:
            run.action_post_background()
        else:
            run.action_post()
        return {"type": "ir.actions.act_window_close"}

    def _format_amount(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)
