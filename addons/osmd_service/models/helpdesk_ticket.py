from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.osmd_billing.tools.formatting import fmt_number
from odoo.addons.osmd_billing.tools.money import to_decimal


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
            moved._osmd_mail_stage()
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

    # ------------------------------------------------------------
    # PAID SERVICES: a price the resident accepts, then a one-off charge on the account's next invoice
    # ------------------------------------------------------------

    osmd_price_state = fields.Selection(
        [
            ("none", "No price"),
            ("proposed", "Waiting for the resident"),
            ("accepted", "Accepted"),
            ("declined", "Declined"),
        ],
        string="Resident's answer",
        default="none",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    osmd_price_product_id = fields.Many2one(
        "product.product",
        string="Paid service",
        domain="[('sale_ok', '=', True), ('osmd_basis', '=', False)]",
        default=lambda self: self.env.ref("osmd_billing.product_osmd_paid_service", raise_if_not_found=False),
        copy=False,
    )
    osmd_price_description = fields.Char(
        string="Work and materials", copy=False, help="What the price covers, as the invoice line will say."
    )
    osmd_currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    osmd_price = fields.Monetary(
        string="Price of the service", currency_field="osmd_currency_id", copy=False, tracking=True
    )
    osmd_price_answered_by = fields.Many2one("res.partner", string="Answered by", readonly=True, copy=False)
    osmd_price_answered_at = fields.Datetime(string="Answered on", readonly=True, copy=False)
    osmd_extra_charge_id = fields.Many2one(
        "osmd.extra.charge", string="One-off charge", readonly=True, copy=False, groups="osmd_base.group_osmd_audit"
    )

    def action_osmd_propose_price(self):
        """Offer the price to the resident: they accept or decline it in the cabinet; nothing is charged before."""
        if not self.env.user.has_group("osmd_base.group_osmd_board"):
            raise AccessError(self.env._("The board sets the prices of paid services."))
        for ticket in self:
            if ticket.osmd_kind != "paid":
                raise UserError(self.env._("Request %(number)s is not a paid service.", number=ticket.number))
            if not ticket.osmd_account_id:
                raise UserError(
                    self.env._(
                        "Request %(number)s has no personal account: the price has nobody to be charged to.",
                        number=ticket.number,
                    )
                )
            if ticket.osmd_price_state == "accepted":
                raise UserError(
                    self.env._("The resident already accepted the price of request %(number)s.", number=ticket.number)
                )
            if ticket.osmd_price <= 0 or not ticket.osmd_price_product_id:
                raise UserError(
                    self.env._("Request %(number)s: set the paid service and a price above zero.", number=ticket.number)
                )
            ticket.write({"osmd_price_state": "proposed", "osmd_price_answered_by": False})
            env = self.with_context(lang=ticket.company_id.partner_id.lang or self.env.lang).env
            ticket.message_post(
                body=env._(
                    "The price of the service: %(price)s UAH (%(what)s). Accept it or decline it on the request's "
                    "page in your cabinet; it is added to your next invoice once you accept it.",
                    price=fmt_number(to_decimal(ticket.osmd_price), 2),
                    what=ticket._osmd_price_text(),
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def _osmd_price_text(self):
        self.ensure_one()
        return self.osmd_price_description or self.name

    def _osmd_can_answer_price(self, partner):
        """The request's author and the account's holder answer the price (they pay it)."""
        self.ensure_one()
        account = self.osmd_account_id
        holder = account._get_holders_at(fields.Date.context_today(self)).get(account.id) if account else None
        return partner in (self.partner_id | (holder or partner.browse()))

    def _osmd_answer_price(self, partner, accept):
        """The resident's answer to the proposed price; accepting it creates the one-off charge of the account,
        which the next billing run puts on the invoice."""
        self.ensure_one()
        ticket = self.sudo()
        if ticket.osmd_price_state != "proposed":
            raise UserError(self.env._("There is no price waiting for an answer on this request."))
        if not ticket._osmd_can_answer_price(partner):
            raise AccessError(self.env._("Only the author of the request or the account's holder answers the price."))
        vals = {
            "osmd_price_state": "accepted" if accept else "declined",
            "osmd_price_answered_by": partner.id,
            "osmd_price_answered_at": fields.Datetime.now(),
        }
        env = self.with_context(lang=ticket.company_id.partner_id.lang or self.env.lang).env
        price = fmt_number(to_decimal(ticket.osmd_price), 2)
        if accept:
            charge = (
                self.env["osmd.extra.charge"]
                .sudo()
                .with_context(lang=env.lang)
                .create(
                    {
                        "company_id": ticket.company_id.id,
                        "account_id": ticket.osmd_account_id.id,
                        "product_id": ticket.osmd_price_product_id.id,
                        "name": env._(
                            "Request %(number)s: %(what)s", number=ticket.number, what=ticket._osmd_price_text()
                        ),
                        "quantity": 1.0,
                        "price_unit": ticket.osmd_price,
                        "origin": ticket.number,
                    }
                )
            )
            vals["osmd_extra_charge_id"] = charge.id
            body = env._(
                "%(name)s accepted the price of %(price)s UAH: it is added to the next invoice of account %(account)s.",
                name=partner.name,
                price=price,
                account=ticket.osmd_account_id.number,
            )
        else:
            body = env._("%(name)s declined the price of %(price)s UAH.", name=partner.name, price=price)
        ticket.write(vals)
        ticket.message_post(body=body, author_id=partner.id, message_type="comment", subtype_xmlid="mail.mt_comment")
        return True

    # ------------------------------------------------------------
    # RATING: the author rates a closed request in the cabinet
    # ------------------------------------------------------------

    def _osmd_rate(self, partner, score, feedback):
        """The author's rating of a closed request (1, 3 or 5, as Odoo's rating faces), once; with their comment."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket.closed:
            raise UserError(self.env._("A request is rated once it is closed."))
        if partner != ticket.partner_id:
            raise AccessError(self.env._("Only the author of the request rates it."))
        if score not in (1, 3, 5):
            raise UserError(self.env._("Choose one of the three faces to rate the request."))
        if ticket._osmd_rating():
            raise UserError(self.env._("This request is already rated."))
        token = ticket._rating_get_access_token(partner)
        ticket.rating_apply(score, token=token, feedback=(feedback or "").strip()[:1000] or None)
        return True

    def _osmd_rating(self):
        """The author's rating of the request, if given."""
        self.ensure_one()
        return self.sudo().rating_ids.filtered(lambda rating: rating.consumed and rating.partner_id == self.partner_id)[
            :1
        ]

    # ------------------------------------------------------------
    # STAGE E-MAILS: in the association's words, to the residents who want them
    # ------------------------------------------------------------

    def _track_template(self, changes):
        """OCA's stage e-mails go to the author whatever they chose, greeting the assignee, in English for most: an
        association's requests tell their stages through ``_osmd_mail_stage`` instead."""
        res = super()._track_template(changes)
        if self and (self[0].osmd_account_id or self[0].osmd_building_id):
            res.pop("stage_id", None)
        return res

    def _osmd_mail_stage(self):
        """A short e-mail of the new stage to the residents following each request who want requests by e-mail, in
        the language of their documents."""
        for ticket in self.sudo():
            if not (ticket.osmd_account_id or ticket.osmd_building_id):
                continue
            partners = ticket.message_partner_ids.filtered(
                lambda partner: partner.partner_share and partner.osmd_notify_requests == "email" and partner.email
            )
            by_lang = {}
            for partner in partners:
                by_lang.setdefault(partner._osmd_document_lang(ticket.company_id), partner.browse())
                by_lang[partner._osmd_document_lang(ticket.company_id)] |= partner
            for lang, group in by_lang.items():
                env = self.with_context(lang=lang).env
                ticket.with_env(env).message_notify(
                    partner_ids=group.ids,
                    subject=env._(
                        "Request %(number)s: %(stage)s", number=ticket.number, stage=ticket.stage_id.with_env(env).name
                    ),
                    body=env._(
                        "%(association)s: your request %(number)s «%(title)s» is now «%(stage)s».",
                        association=ticket.company_id.name,
                        number=ticket.number,
                        title=ticket.name,
                        stage=ticket.stage_id.with_env(env).name,
                    ),
                    email_layout_xmlid="mail.mail_notification_light",
                )
