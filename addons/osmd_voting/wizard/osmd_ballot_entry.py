from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

from ..models.osmd_meeting_vote import VOTE_CHOICES


class OsmdBallotEntry(models.TransientModel):
    """Paper ballots typed in fast: the flat or account number, a choice per question, Save and next. A flat of
    several co-owners asks which of them the ballot is."""

    _name = "osmd.ballot.entry"
    _description = "Paper ballot entry"

    meeting_id = fields.Many2one("osmd.meeting", required=True, ondelete="cascade")
    source = fields.Selection(
        [("meeting", "Ballot of the meeting"), ("poll", "Written poll sheet")], required=True, default="meeting"
    )
    poll_date = fields.Date(string="Date on the poll sheet")
    sheet = fields.Char(string="Ballot / sheet No.")
    key = fields.Char(string="Flat or account No.")
    candidate_ids = fields.Many2many("osmd.meeting.voter", string="Co-owners found", compute="_compute_candidate_ids")
    voter_id = fields.Many2one(
        "osmd.meeting.voter",
        string="Co-owner",
        domain="[('id', 'in', candidate_ids)]",
        compute="_compute_voter_id",
        store=True,
        readonly=False,
    )
    line_ids = fields.One2many("osmd.ballot.entry.line", "entry_id", string="Votes")
    last_saved = fields.Char(readonly=True)

    def _find_voters(self):
        """The co-owners of the flat (or the personal account's premise) typed, in the meeting's register."""
        self.ensure_one()
        key = (self.key or "").strip()
        if not key or not self.meeting_id:
            return self.env["osmd.meeting.voter"]
        shares = self.env["osmd.meeting.voter.share"].search(
            Domain("meeting_id", "=", self.meeting_id.id)
            & (Domain("premise_id.number", "=ilike", key) | Domain("premise_id.account_ids.number", "=", key))
        )
        return shares.voter_id

    @api.depends("key", "meeting_id")
    def _compute_candidate_ids(self):
        for entry in self:
            entry.candidate_ids = entry._find_voters()

    @api.depends("key", "meeting_id")
    def _compute_voter_id(self):
        for entry in self:
            voters = entry._find_voters()
            if entry.voter_id not in voters:
                entry.voter_id = voters if len(voters) == 1 else False

    @api.model
    def _lines_for(self, meeting):
        return [fields.Command.create({"question_id": question.id}) for question in meeting.question_ids]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        meeting = self.env["osmd.meeting"].browse(values.get("meeting_id") or self.env.context.get("active_id"))
        if meeting and "line_ids" in fields_list and not values.get("line_ids"):
            values["meeting_id"] = meeting.id
            values["line_ids"] = self._lines_for(meeting)
        return values

    def _cast_at(self):
        meeting = self.meeting_id
        if self.source == "meeting":
            return meeting.date_meeting
        if not self.poll_date:
            raise UserError(self.env._("Type the date written on the poll sheet."))
        tz = pytz.timezone(meeting.company_id.partner_id.tz or self.env.user.tz or "Europe/Kyiv")
        end = tz.localize(datetime.combine(self.poll_date, time(23, 59, 59)))
        return end.astimezone(pytz.utc).replace(tzinfo=None)

    def action_save_next(self):
        self.ensure_one()
        if not self.meeting_id.has_access("write"):
            raise AccessError(self.env._("The board or the meeting's initiative group enters the ballots."))
        if not self.voter_id:
            raise UserError(
                self.env._("Flat or account %(key)s: choose the co-owner whose ballot this is.", key=self.key or "—")
                if self.candidate_ids
                else self.env._("Flat or account %(key)s is not in the meeting's register.", key=self.key or "—")
            )
        doubled = self.line_ids.filtered(lambda line: sum((line.vote_for, line.vote_against, line.vote_abstain)) > 1)
        if doubled:
            raise UserError(
                self.env._("Question %(name)s has more than one box ticked.", name=doubled[0].question_id.name)
            )
        choices = {line.question_id: line.choice for line in self.line_ids if line.choice}
        if not choices:
            raise UserError(self.env._("The ballot has no vote ticked."))
        results = self.meeting_id._record_votes(self.voter_id, choices, self.source, self._cast_at(), self.sheet)
        kept = sum(1 for accepted in results.values() if not accepted)
        message = self.env._(
            "Saved: %(name)s (%(premises)s), %(count)s vote(s).",
            name=self.voter_id.partner_id.name,
            premises=self.voter_id.premises,
            count=len(results) - kept,
        )
        if kept:
            message += " " + self.env._(
                "%(count)s vote(s) were cast earlier than the ones already counted and are kept in the log only.",
                count=kept,
            )
        entry = self.create(
            {
                "meeting_id": self.meeting_id.id,
                "source": self.source,
                "poll_date": self.poll_date,
                "last_saved": message,
                "line_ids": self._lines_for(self.meeting_id),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": entry.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Paper ballots"),
        }


class OsmdBallotEntryLine(models.TransientModel):
    _name = "osmd.ballot.entry.line"
    _description = "Paper ballot entry line"

    entry_id = fields.Many2one("osmd.ballot.entry", required=True, ondelete="cascade")
    question_id = fields.Many2one("osmd.meeting.question", required=True, readonly=True)
    # three ticks, as on the paper, each a click in the list (a radio there needs the row opened first)
    vote_for = fields.Boolean(string="For")
    vote_against = fields.Boolean(string="Against")
    vote_abstain = fields.Boolean(string="Abstained")
    choice = fields.Selection(VOTE_CHOICES, compute="_compute_choice", inverse="_inverse_choice")

    @api.depends("vote_for", "vote_against", "vote_abstain")
    def _compute_choice(self):
        for line in self:
            ticked = [choice for choice in ("for", "against", "abstain") if line[f"vote_{choice}"]]
            line.choice = ticked[0] if len(ticked) == 1 else False

    def _inverse_choice(self):
        for line in self:
            line.update({f"vote_{choice}": line.choice == choice for choice in ("for", "against", "abstain")})

    @api.onchange("vote_for")
    def _onchange_vote_for(self):
        if self.vote_for:
            self.update({"vote_against": False, "vote_abstain": False})

    @api.onchange("vote_against")
    def _onchange_vote_against(self):
        if self.vote_against:
            self.update({"vote_for": False, "vote_abstain": False})

    @api.onchange("vote_abstain")
    def _onchange_vote_abstain(self):
        if self.vote_abstain:
            self.update({"vote_for": False, "vote_against": False})
