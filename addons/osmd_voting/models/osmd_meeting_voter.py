from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from odoo.addons.osmd_billing.tools.formatting import fmt_number

from ..tools.tally import percent, round_fraction, to_fraction

NOTICE_CHANNELS = [
    ("signature", "Handed against signature"),
    ("registered", "Registered letter"),
    ("email", "E-mail"),
    ("cabinet", "Resident cabinet"),
    ("other_address", "Another address on the owner's request"),
]


class OsmdMeetingVoter(models.Model):
    """A co-owner in a meeting's register: a person or a company, with the votes of all their premises (share ×
    area for votes, exact), who may vote through a representative with a power of attorney."""

    _name = "osmd.meeting.voter"
    _description = "Co-owner in a meeting's register"
    _order = "meeting_id, first_premise_sort, partner_id"
    _rec_name = "partner_id"

    meeting_id = fields.Many2one("osmd.meeting", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="meeting_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Co-owner", required=True, index=True)
    share_ids = fields.One2many("osmd.meeting.voter.share", "voter_id", string="Premises and shares")
    premises = fields.Char(string="Premises (share)", compute="_compute_premises")
    first_premise_sort = fields.Integer(compute="_compute_first_premise_sort", store=True)
    votes_exact = fields.Char(string="Votes (exact)", required=True, readonly=True)
    votes_area = fields.Float(string="Votes, m²", digits=(16, 4), readonly=True)
    votes_percent = fields.Float(string="Votes, %", digits=(8, 4), compute="_compute_votes_percent")
    representative_id = fields.Many2one("res.partner", string="Representative")
    poa_number = fields.Char(string="Power of attorney No.")
    poa_date = fields.Date(string="Power of attorney of")
    poa_scope = fields.Char(string="Power of attorney covers")
    poll_sheet_issued = fields.Date(string="Poll sheet handed on")
    notice_ids = fields.One2many("osmd.meeting.notice", "voter_id", string="Notices")
    vote_ids = fields.One2many("osmd.meeting.vote", "voter_id", string="Votes")
    notified_in_time = fields.Boolean(
        compute="_compute_notified_in_time",
        store=True,
        index=True,
        help="A notice not returned was sent or handed over no later than the rules' days before the meeting.",
    )
    notice_channels = fields.Char(compute="_compute_notified_in_time", store=True, string="Notified by")
    has_voted = fields.Boolean(compute="_compute_has_voted", search="_search_has_voted", string="Voted")
    poll_returned = fields.Boolean(compute="_compute_has_voted", search="_search_poll_returned")

    _unique_partner = models.UniqueIndex("(meeting_id, partner_id)", "A co-owner is once in a meeting's register.")

    @api.depends("share_ids.premise_id")
    def _compute_first_premise_sort(self):
        for voter in self:
            premises = voter.share_ids.premise_id.sorted(lambda p: (p.building_id.id, p.number_sort, p.id))
            voter.first_premise_sort = premises[:1].number_sort or 0

    @api.depends("share_ids.premise_id", "share_ids.share_numerator", "share_ids.share_denominator")
    @api.depends_context("lang")
    def _compute_premises(self):
        for voter in self:
            shares = voter.share_ids.sorted(lambda s: (s.premise_id.building_id.id, s.premise_id.number_sort, s.id))
            voter.premises = ", ".join(
                share.premise_id.display_name
                + (f" ({share.share_numerator}/{share.share_denominator})" if share.share_denominator != 1 else "")
                for share in shares
            )

    def _compute_votes_percent(self):
        for voter in self:
            voter.votes_percent = float(
                percent(to_fraction(voter.votes_exact or 0), voter.meeting_id._total() or 1, digits=4)
            )

    def _notice_ok(self, notice):
        meeting = self.meeting_id
        if notice.channel in ("email", "cabinet") and not meeting.rule_id.online_notices:
            return False
        return notice.state != "returned" and notice.date_sent and notice.date_sent <= meeting.notify_by

    @api.depends(
        "notice_ids.state",
        "notice_ids.date_sent",
        "notice_ids.channel",
        "meeting_id.notify_by",
        "meeting_id.rule_id.online_notices",
    )
    def _compute_notified_in_time(self):
        labels = dict(NOTICE_CHANNELS)
        for voter in self:
            good = voter.notice_ids.filtered(voter._notice_ok)
            voter.notified_in_time = bool(good)
            voter.notice_channels = ", ".join(sorted({labels[notice.channel] for notice in good}))

    @api.depends("vote_ids.source")
    def _compute_has_voted(self):
        for voter in self:
            voter.has_voted = bool(voter.vote_ids)
            voter.poll_returned = any(vote.source == "poll" for vote in voter.vote_ids)

    def _search_has_voted(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        positive = (operator == "=") == value
        return Domain("vote_ids", "!=" if positive else "=", False)

    def _search_poll_returned(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        positive = (operator == "=") == value
        domain = Domain("vote_ids", "any", Domain("source", "=", "poll"))
        return domain if positive else ~domain

    def _can_vote_as(self, partner):
        """The co-owner themselves, or their representative."""
        self.ensure_one()
        return partner in (self.partner_id | self.representative_id)


class OsmdMeetingVoterShare(models.Model):
    """One premise of a co-owner in a meeting's register: the share, the area for votes, their product (exact)."""

    _name = "osmd.meeting.voter.share"
    _description = "Premise of a co-owner in a meeting's register"
    _order = "voter_id, premise_id"

    voter_id = fields.Many2one("osmd.meeting.voter", required=True, index=True, ondelete="cascade")
    meeting_id = fields.Many2one(related="voter_id.meeting_id", store=True, index=True)
    company_id = fields.Many2one(related="voter_id.company_id", store=True, index=True)
    ownership_id = fields.Many2one("osmd.ownership", index=True, ondelete="set null")
    premise_id = fields.Many2one("osmd.premise", required=True, index=True)
    share_numerator = fields.Integer(required=True)
    share_denominator = fields.Integer(required=True)
    area = fields.Float(string="Area for votes, m²", digits=(16, 2))
    votes_exact = fields.Char(string="Votes (exact)", required=True)
    votes_area = fields.Float(string="Votes, m²", digits=(16, 4), compute="_compute_votes_area")

    def _compute_votes_area(self):
        for share in self:
            share.votes_area = float(to_fraction(share.votes_exact or 0))


class OsmdMeetingNotice(models.Model):
    """How and when a co-owner was told of the meeting: handed against signature, a registered letter with its
    tracking number, an e-mail, the cabinet, another address on their request; returned letters do not count."""

    _name = "osmd.meeting.notice"
    _description = "Notice of a meeting"
    _order = "meeting_id, date_sent, id"

    meeting_id = fields.Many2one("osmd.meeting", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="meeting_id.company_id", store=True, index=True)
    voter_id = fields.Many2one(
        "osmd.meeting.voter",
        string="Co-owner",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('meeting_id', '=', meeting_id)]",
    )
    channel = fields.Selection(NOTICE_CHANNELS, required=True, default="signature")
    date_sent = fields.Date(string="Sent or handed on", required=True, default=fields.Date.context_today)
    tracking_number = fields.Char(string="Tracking No.")
    address = fields.Char(help="Where the letter or e-mail went.")
    state = fields.Selection(
        [("sent", "Sent"), ("delivered", "Delivered"), ("returned", "Returned")], required=True, default="sent"
    )
    date_delivered = fields.Date(string="Delivered or returned on")
    note = fields.Char()

    @api.constrains("voter_id", "meeting_id")
    def _check_voter(self):
        for notice in self:
            if notice.voter_id.meeting_id != notice.meeting_id:
                raise ValidationError(self.env._("The co-owner is not in this meeting's register."))


class OsmdMeetingVoterPrint(models.Model):
    _inherit = "osmd.meeting.voter"

    postal_address = fields.Char(
        compute="_compute_postal_address", help="Where a letter goes: for envelopes and the lists of notices."
    )

    @api.depends_context("lang")
    def _compute_postal_address(self):
        for voter in self:
            voter.postal_address = voter._postal_address()

    def _postal_address(self):
        """Where a letter to the co-owner goes: their own address when the registry has one (another address on
        their request), else their first premise in the building."""
        self.ensure_one()
        partner = self.partner_id
        if partner.street and partner.city:
            return ", ".join(part for part in (partner.street, partner.street2, partner.city, partner.zip) if part)
        premise = self.share_ids.premise_id[:1]
        building = premise.building_id
        parts = [building.street, premise.display_name.split(", ")[-1] if premise else "", building.city, building.zip]
        return ", ".join(part for part in parts if part)

    def _votes_text(self):
        self.ensure_one()
        return fmt_number(round_fraction(to_fraction(self.votes_exact), 2), 2)
