from odoo import api, fields, models
from odoo.exceptions import UserError


class OsmdMeterReadingReject(models.TransientModel):
    """Ask the engineer why submitted readings are rejected; the residents who sent them are told."""

    _name = "osmd.meter.reading.reject"
    _description = "Reject meter readings"

    reading_ids = fields.Many2many(
        "osmd.meter.reading",
        string="Readings",
        required=True,
        domain=[("state", "=", "submitted")],
    )
    reading_count = fields.Integer(compute="_compute_reading_count", string="Readings to reject")
    reason = fields.Char(required=True, help="Sent to the residents who submitted the readings.")

    @api.depends("reading_ids")
    def _compute_reading_count(self):
        for wizard in self:
            wizard.reading_count = len(wizard.reading_ids)

    def action_reject(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the rejection: the resident will read it."))
        self.reading_ids.action_reject(reason=reason)
        return {"type": "ir.actions.act_window_close"}
