import logging
import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import html2plaintext

_logger = logging.getLogger(__name__)

SMS_LENGTH = 300


class OsmdAnnouncement(models.Model):
    """An announcement of the board to the residents of chosen buildings (and entrances): a water shut-off, a
    meeting, works. Published, it is shown in the cabinet of everyone who sees a personal account there while it is
    valid, and sent by e-mail or SMS as each person chose for announcements; an urgent one goes by SMS to everyone
    concerned who has a mobile number. Who opened it is counted."""

    _name = "osmd.announcement"
    _inherit = ["mail.thread"]
    _description = "Announcement"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    body = fields.Html(string="Text", required=True, sanitize_style=True)
    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    building_ids = fields.Many2many(
        "osmd.building",
        string="Buildings",
        check_company=True,
        help="Empty: every building of the association.",
    )
    entrances = fields.Char(
        help="Entrance numbers, separated by commas (for example 1, 3); empty: every entrance.",
    )
    date_start = fields.Date(string="Shown from", required=True, default=fields.Date.context_today, tracking=True)
    date_end = fields.Date(string="Shown until", tracking=True, help="Empty: until it is archived.")
    urgent = fields.Boolean(
        help="A shut-off or an emergency: sent by SMS to everyone concerned who has a mobile number, whatever they "
        "chose for announcements.",
        tracking=True,
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("archived", "Archived")],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    published_date = fields.Datetime(readonly=True, copy=False)
    recipient_count = fields.Integer(string="Recipients", readonly=True, copy=False)
    read_ids = fields.One2many("osmd.announcement.read", "announcement_id", string="Read by", readonly=True)
    read_count = fields.Integer(string="Opened by", compute="_compute_read_count")

    _dates_valid = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "An announcement cannot end before it starts."
    )

    def _compute_read_count(self):
        counts = dict(
            self.env["osmd.announcement.read"]._read_group(
                [("announcement_id", "in", self.ids)], ["announcement_id"], ["__count"]
            )
        )
        for announcement in self:
            announcement.read_count = counts.get(announcement, 0)

    @api.constrains("entrances")
    def _check_entrances(self):
        for announcement in self.filtered("entrances"):
            if not re.fullmatch(r"\s*\d{1,2}(\s*,\s*\d{1,2})*\s*", announcement.entrances):
                raise ValidationError(
                    self.env._(
                        "Announcement %(title)s: entrances are numbers separated by commas, for example 1, 3.",
                        title=announcement.name,
                    )
                )

    def _osmd_entrance_numbers(self):
        self.ensure_one()
        return sorted({int(part) for part in (self.entrances or "").split(",") if part.strip()})

    # ------------------------------------------------------------
    # AUDIENCE
    # ------------------------------------------------------------

    def _osmd_accounts(self):
        """The open personal accounts of the announcement's buildings and entrances."""
        self.ensure_one()
        domain = Domain("company_id", "=", self.company_id.id) & Domain("state", "=", "active")
        if self.building_ids:
            domain &= Domain("premise_id.building_id", "in", self.building_ids.ids)
        if entrances := self._osmd_entrance_numbers():
            domain &= Domain("premise_id.entrance", "in", entrances)
        return self.env["osmd.account"].sudo().search(domain)

    def _osmd_audience(self):
        """The people who see those accounts in the cabinet today (holders, and co-owners and residents as the
        association allows)."""
        accounts = self._osmd_accounts()
        today = self.env["osmd.account"]._osmd_access_today()
        starts = accounts._get_portal_starts(today)
        return self.env["res.partner"].sudo().browse(sorted({partner_id for _account, partner_id in starts}))

    @api.model
    def _osmd_for_partner(self, partner, today):
        """The published announcements ``partner`` sees on ``today``: those of the buildings and entrances of the
        personal accounts they see."""
        starts = self.env["osmd.account"].sudo()._get_portal_starts(today, partners=partner)
        accounts = self.env["osmd.account"].sudo().browse({account_id for account_id, _partner in starts})
        if not accounts:
            return self.browse()
        candidates = self.sudo().search(
            Domain("state", "=", "published")
            & Domain("company_id", "in", accounts.company_id.ids)
            & Domain("date_start", "<=", today)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", today))
        )
        places = {
            (account.company_id.id, account.premise_id.building_id.id, account.premise_id.entrance)
            for account in accounts
        }
        return candidates.filtered(
            lambda announcement: any(
                company == announcement.company_id.id
                and (not announcement.building_ids or building in announcement.building_ids.ids)
                and (not announcement.entrances or entrance in announcement._osmd_entrance_numbers())
                for company, building, entrance in places
            )
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_publish(self):
        """Publish: shown in the cabinets from its first day, sent at once by e-mail and SMS as each person chose
        (an urgent one by SMS to everyone concerned with a mobile number)."""
        for announcement in self:
            if announcement.state != "draft":
                raise UserError(self.env._("Announcement %(title)s is already published.", title=announcement.name))
            audience = announcement._osmd_audience()
            announcement.write(
                {"state": "published", "published_date": fields.Datetime.now(), "recipient_count": len(audience)}
            )
            emails = audience._osmd_wants("news", "email").filtered("email")
            if emails:
                # one message for the thread, e-mailed to the people who want announcements by e-mail (queued)
                announcement.with_context(mail_notify_force_send=False).message_post(
                    body=announcement.body,
                    subject=announcement.name,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=emails.ids,
                    attachment_ids=announcement.attachment_ids.ids,
                    author_id=announcement.company_id.partner_id.id,
                )
            sms_people = audience if announcement.urgent else audience._osmd_wants("news", "sms")
            announcement._osmd_queue_sms(sms_people)
        return True

    def action_archive_announcement(self):
        self.write({"state": "archived"})

    def action_reset_to_draft(self):
        for announcement in self:
            if announcement.state == "published":
                raise UserError(
                    self.env._("A published announcement was already sent: archive it and write a new one.")
                )
        self.write({"state": "draft"})

    def _osmd_queue_sms(self, partners):
        self.ensure_one()
        body = f"{self.company_id.name}: {self.name}. {html2plaintext(self.body or '').strip()}"
        if len(body) > SMS_LENGTH:
            body = body[: SMS_LENGTH - 1] + "…"
        messages = [(partner, body, None) for partner in partners]
        return self.env["osmd.sms.provider"]._osmd_queue(self.company_id, messages, "announcements")


class OsmdAnnouncementRead(models.Model):
    _name = "osmd.announcement.read"
    _description = "Announcement opened"
    _order = "id desc"

    announcement_id = fields.Many2one("osmd.announcement", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="announcement_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Person", required=True, index=True, ondelete="cascade")
    read_date = fields.Datetime(default=fields.Datetime.now, required=True)

    _unique_read = models.Constraint("UNIQUE(announcement_id, partner_id)", "Counted once per person.")
