from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HelpdeskTicket(models.Model):
    """A service request of the association: tied to a personal account (and so its premise and building) or to a
    building alone (a leak in the basement); its category gives the team, the first assignee and the reaction
    time."""

    _inherit = "helpdesk.ticket"

    osmd_account_id = fields.Many2one(
        "osmd.account", string="Personal account", index="btree_not_null", check_company=True, tracking=True
    )
    osmd_premise_id = fields.Many2one(
        "osmd.premise",
        string="Premise",
        compute="_compute_osmd_place",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
    )
    osmd_building_id = fields.Many2one(
        "osmd.building",
        string="Building",
        compute="_compute_osmd_place",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
    )
    osmd_kind = fields.Selection(string="Kind of request", related="category_id.osmd_kind", store=True, index=True)

    @api.depends("osmd_account_id", "osmd_premise_id")
    def _compute_osmd_place(self):
        for ticket in self:
            if ticket.osmd_account_id:
                ticket.osmd_premise_id = ticket.osmd_account_id.premise_id
            if ticket.osmd_premise_id:
                ticket.osmd_building_id = ticket.osmd_premise_id.building_id

    @api.constrains("osmd_account_id", "osmd_premise_id", "osmd_building_id", "category_id", "company_id")
    def _check_osmd_place(self):
        for ticket in self:
            company = ticket.company_id
            for record in (ticket.osmd_account_id, ticket.osmd_building_id, ticket.category_id):
                if record and record.company_id and record.company_id != company:
                    raise ValidationError(
                        self.env._(
                            "Request %(number)s: %(record)s belongs to another association.",
                            number=ticket.number,
                            record=record.display_name,
                        )
                    )
            if ticket.osmd_account_id and ticket.osmd_premise_id != ticket.osmd_account_id.premise_id:
                raise ValidationError(
                    self.env._("Request %(number)s: the premise is not the personal account's.", number=ticket.number)
                )

    @api.model_create_multi
    def create(self, vals_list):
        categories = (
            self.env["helpdesk.ticket.category"]
            .sudo()
            .browse({vals["category_id"] for vals in vals_list if vals.get("category_id")})
        )
        by_id = {category.id: category for category in categories}
        for vals in vals_list:
            category = by_id.get(vals.get("category_id"))
            if not category:
                continue
            # the category's team and first assignee, unless the request already has them
            if category.osmd_team_id and not vals.get("team_id"):
                vals["team_id"] = category.osmd_team_id.id
            if category.osmd_user_id and not vals.get("user_id"):
                vals["user_id"] = category.osmd_user_id.id
            if category.osmd_kind == "emergency" and not vals.get("priority"):
                vals["priority"] = "3"
        return super().create(vals_list)

    osmd_escalated = fields.Boolean(
        string="Escalated to the chairman",
        readonly=True,
        copy=False,
        help="The reaction time ran out: the chairman was given a to-do on this request.",
    )

    @api.model
    def _cron_osmd_escalate(self):
        """Requests whose reaction time ran out go to the chairman of their association: a to-do and a note, once
        per request."""
        late = self.sudo().search(
            [("sla_expired", "=", True), ("osmd_escalated", "=", False), ("closed", "=", False)], limit=500
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for ticket in late:
            chairman = ticket.company_id.osmd_chairman_id
            if not chairman:
                continue
            env = self.with_context(lang=chairman.lang or "en_US").env
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": ticket.id,
                    "activity_type_id": todo.id,
                    "user_id": chairman.id,
                    "automated": True,
                    "summary": env._("Reaction time ran out"),
                    "note": env._(
                        "Request %(number)s (%(category)s) was not taken in time: deadline %(deadline)s.",
                        number=ticket.number,
                        category=ticket.category_id.with_env(env).name or "",
                        deadline=ticket._osmd_deadline_text(states=("in_progress", "expired")) or "—",
                    ),
                }
            )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)
        late.write({"osmd_escalated": True})
        return late

    def _osmd_deadline_text(self, states=("in_progress",)):
        """The earliest reaction deadline of the request still running (or of ``states``), in the association's time
        zone; "" when there is none (taken in time, or no reaction time)."""
        self.ensure_one()
        slas = self.ticket_sla_ids.filtered(lambda sla: sla.state in states)
        deadline = min((day for day in slas.mapped("deadline") if day), default=None)
        if not deadline:
            return ""
        tz = self.company_id.partner_id.tz or "Europe/Kyiv"
        return fields.Datetime.context_timestamp(self.with_context(tz=tz), deadline).strftime("%d.%m.%Y %H:%M")

    # ------------------------------------------------------------
    # NOTIFICATIONS: as each resident wants them
    # ------------------------------------------------------------

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        """Residents (not staff) get the e-mails of their requests only if they want service requests by e-mail;
        the others read them in the cabinet (and get an SMS of each stage if they chose SMS)."""
        recipients = super()._notify_get_recipients(message, msg_vals=msg_vals, **kwargs)
        outside = [data["id"] for data in recipients if data.get("type") != "user" and data.get("notif") == "email"]
        if not outside:
            return recipients
        unwanted = set(
            self.env["res.partner"].sudo().browse(outside).filtered(lambda p: p.osmd_notify_requests != "email").ids
        )
        return [data for data in recipients if data.get("id") not in unwanted or data.get("type") == "user"]

    def write(self, vals):
        before = {ticket: ticket.stage_id for ticket in self} if "stage_id" in vals else {}
        result = super().write(vals)
        moved = self.filtered(lambda ticket: ticket in before and ticket.stage_id != before[ticket])
        if moved:
            moved._osmd_queue_stage_sms()
        return result

    def _osmd_queue_stage_sms(self):
        """An SMS of the new stage to the residents following each request who chose SMS for service requests and
        have a mobile number, through the association's SMS provider (queued; Odoo's SMS queue sends them)."""
        sms = self.env["sms.sms"]
        for ticket in self.sudo():
            messages = []
            for partner in ticket.message_partner_ids.filtered(
                lambda partner: partner.partner_share and partner.osmd_notify_requests == "sms"
            ):
                env = self.with_context(lang=partner._osmd_document_lang(ticket.company_id)).env
                body = env._(
                    "%(association)s: request %(number)s \u00ab%(title)s\u00bb is now \u00ab%(stage)s\u00bb.",
                    association=ticket.company_id.name,
                    number=ticket.number,
                    title=(ticket.name or "")[:40],
                    stage=ticket.stage_id.with_env(env).name,
                )
                messages.append((partner, body, ticket.osmd_account_id))
            sms |= self.env["osmd.sms.provider"]._osmd_queue(ticket.company_id, messages, "request stages")
        return sms
