from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

CONFIRMATION_FIELDS = ("warnings_confirmed_by", "warnings_confirmed_date")


class OsmdBillingRun(models.Model):
    """A run with warnings is posted only once someone confirmed them in the posting wizard
    (osmd.billing.run.post): the confirmation is stored on the run, not passed in a context any RPC caller
    could set, and forgotten when the run is computed again."""

    _inherit = "osmd.billing.run"

    warnings_confirmed_by = fields.Many2one(
        "res.users",
        string="Warnings confirmed by",
        readonly=True,
        copy=False,
        help="Who confirmed posting the run despite its warnings, after seeing their summary.",
    )
    warnings_confirmed_date = fields.Datetime(string="Warnings confirmed on", readonly=True, copy=False)

    def write(self, vals):
        # only the posting wizard (as superuser, in the name of the user who confirms) writes the confirmation
        if set(CONFIRMATION_FIELDS) & set(vals) and not self.env.su:
            raise AccessError(self.env._("The warnings of a billing run are confirmed only when posting it."))
        return super().write(vals)

    def _do_compute(self):
        result = super()._do_compute()
        self._osmd_forget_confirmation()
        return result

    def action_reset_to_draft(self):
        result = super().action_reset_to_draft()
        self._osmd_forget_confirmation()
        return result

    def _osmd_forget_confirmation(self):
        confirmed = self.filtered("warnings_confirmed_by")
        if confirmed:
            confirmed.sudo().write(dict.fromkeys(CONFIRMATION_FIELDS, False))

    def _check_can_post(self):
        result = super()._check_can_post()
        if self.warning_count and not self.warnings_confirmed_by:
            raise UserError(
                self.env._(
                    "The billing run %(run)s has %(count)s warning(s): post it with its Post button, which shows "
                    "them and the change of the total, and confirm there.",
                    run=self.name,
                    count=self.warning_count,
                )
            )
        return result

    def action_open_post_wizard(self):
        """The Post buttons: a summary of the warnings and of the total against the previous period, and an
        explicit confirmation. Blocking problems are refused at once, as by the posting itself."""
        self.ensure_one()
        # the checks of the posting without the confirmation this wizard asks for
        self._check_postable()
        in_background = bool(self.env.context.get("osmd_post_in_background"))
        if in_background:
            self._check_can_create_invoices()
        wizard = self.env["osmd.billing.run.post"].create({"run_id": self.id, "in_background": in_background})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Post the billing run"),
            "res_model": "osmd.billing.run.post",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _osmd_previous_posted_run(self):
        """The posted run of the month before, of the same association and the same buildings (or nothing)."""
        self.ensure_one()
        previous_period = self.period.replace(day=1) - relativedelta(months=1)
        runs = self.search(
            Domain("company_id", "=", self.company_id.id)
            & Domain("period", "=", previous_period)
            & Domain("state", "=", "posted"),
            order="id desc",
        )
        return runs.filtered(lambda r: r.building_ids == self.building_ids)[:1]
