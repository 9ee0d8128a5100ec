from odoo import fields, models

VOTE_CHOICES = [("for", "For"), ("against", "Against"), ("abstain", "Abstained")]
VOTE_SOURCES = [
    ("meeting", "At the meeting"),
    ("poll", "Written poll"),
    ("online", "Online in the cabinet"),
    ("import", "Imported file"),
]


class OsmdMeetingVote(models.Model):
    """The vote that counts for one co-owner on one question: one per co-owner and question whatever the channel;
    a later vote replaces it by the rule of ``tally.supersedes`` (every attempt stays in the vote log)."""

    _name = "osmd.meeting.vote"
    _description = "Vote of a co-owner"
    _order = "meeting_id, question_id, voter_id"

    meeting_id = fields.Many2one("osmd.meeting", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="meeting_id.company_id", store=True, index=True)
    question_id = fields.Many2one("osmd.meeting.question", required=True, index=True, ondelete="cascade")
    voter_id = fields.Many2one("osmd.meeting.voter", string="Co-owner", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(related="voter_id.partner_id", string="Co-owner's name")
    choice = fields.Selection(VOTE_CHOICES, required=True)
    source = fields.Selection(VOTE_SOURCES, required=True)
    cast_at = fields.Datetime(string="Cast at", required=True)
    entered_at = fields.Datetime(string="Entered at", required=True, default=fields.Datetime.now)
    entered_by = fields.Many2one("res.users", string="Entered by", default=lambda self: self.env.user)
    sheet = fields.Char(string="Ballot / poll sheet No.")

    _unique_vote = models.UniqueIndex(
        "(question_id, voter_id)", "A co-owner has one vote per question: a new one replaces it."
    )


class OsmdMeetingVoteLog(models.Model):
    """Every vote sent or entered, kept as it came (append-only): what the co-owner chose, through which channel,
    when, who entered it, and whether it replaced the vote counted before."""

    _name = "osmd.meeting.vote.log"
    _description = "Vote log"
    _order = "id desc"
    _log_access = True

    meeting_id = fields.Many2one("osmd.meeting", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="meeting_id.company_id", store=True, index=True)
    question_id = fields.Many2one("osmd.meeting.question", required=True, ondelete="cascade")
    voter_id = fields.Many2one("osmd.meeting.voter", string="Co-owner", required=True, ondelete="cascade")
    choice = fields.Selection(VOTE_CHOICES, required=True)
    source = fields.Selection(VOTE_SOURCES, required=True)
    cast_at = fields.Datetime(string="Cast at", required=True)
    sheet = fields.Char(string="Ballot / poll sheet No.")
    accepted = fields.Boolean(
        string="Counted", help="Unticked: a vote cast earlier than the one already counted, kept for the record."
    )
