from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import plaintext2html


class OsmdTicketClose(models.TransientModel):
    """The engineer closes a request from the phone: what was done (the resident reads it), photos of the work, and
    the request goes to the team's "done" stage."""

    _name = "osmd.ticket.close"
    _description = "Close a service request with a note"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    note = fields.Text(string="What was done", required=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Photos of the work")

    def _done_stage(self):
        ticket = self.ticket_id
        done = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done", raise_if_not_found=False)
        domain = Domain("closed", "=", True) & (
            Domain("team_ids", "=", False) | Domain("team_ids", "in", ticket.team_id.ids)
        )
        if done and done.filtered_domain(domain):
            return done
        return self.env["helpdesk.ticket.stage"].search(domain, order="sequence, id", limit=1)

    def action_close(self):
        self.ensure_one()
        ticket = self.ticket_id
        if ticket.closed:
            raise UserError(self.env._("Request %(number)s is already closed.", number=ticket.number))
        stage = self._done_stage()
        if not stage:
            raise UserError(self.env._("The request's team has no closing stage."))
        note = (self.note or "").strip()
        if not note:
            raise UserError(self.env._("Say what was done: the resident reads it."))
        self.attachment_ids.write({"res_model": ticket._name, "res_id": ticket.id})
        ticket.message_post(
            body=plaintext2html(note),
            attachment_ids=self.attachment_ids.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        ticket.write({"stage_id": stage.id})
        return {"type": "ir.actions.act_window_close"}
