from odoo import fields, http
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.osmd_portal.controllers.portal import OsmdResidentPortal, fmt_date
from odoo.addons.portal.controllers import portal

SHOWN_STATES = ("announced", "voting", "closed")


class OsmdMeetingPortal(portal.CustomerPortal):
    """Meetings in the cabinet: a co-owner (or their representative) reads the agenda and votes online until the
    deadline, changing the vote as often as they like; residents of the meeting's buildings see the aggregate
    results once the board shows them, and nobody sees another co-owner's ballot."""

    @staticmethod
    def _osmd_meetings():
        """{meeting: voters the person votes for} of the meetings shown to the person (sudo records)."""
        partner = request.env.user.partner_id
        Voter = request.env["osmd.meeting.voter"].sudo()
        voters = Voter.search(
            (Domain("partner_id", "=", partner.id) | Domain("representative_id", "=", partner.id))
            & Domain("meeting_id.state", "in", SHOWN_STATES)
        )
        buildings = OsmdResidentPortal._osmd_my_accounts().sudo().building_id
        meetings = voters.meeting_id | request.env["osmd.meeting"].sudo().search(
            Domain("building_ids", "in", buildings.ids) & Domain("state", "in", SHOWN_STATES)
        )
        return {
            meeting: voters.filtered(lambda voter, m=meeting: voter.meeting_id == m)
            for meeting in meetings.sorted(lambda m: m.date_meeting, reverse=True)
        }

    @http.route()
    def home(self, **kw):
        response = super().home(**kw)
        if response.qcontext.get("osmd_cards"):
            response.qcontext["osmd_meetings"] = list(self._osmd_meetings())
        return response

    @http.route("/my/meetings", type="http", auth="user", website=True, sitemap=False)
    def osmd_meetings(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(page_name="osmd_meetings", meetings=self._osmd_meetings(), fmt_datetime=self._fmt_datetime)
        return request.render("osmd_voting.meetings", values)

    @staticmethod
    def _fmt_datetime(meeting, value):
        return fields.Datetime.context_timestamp(meeting, value).strftime("%d.%m.%Y %H:%M") if value else ""

    def _osmd_meeting_values(self, meeting_id, voters_by_meeting=None):
        meetings = voters_by_meeting if voters_by_meeting is not None else self._osmd_meetings()
        meeting = next((m for m in meetings if m.id == meeting_id), None)
        if meeting is None:
            raise request.not_found()
        voters = meetings[meeting]
        tz_meeting = meeting.with_context(tz=meeting.company_id.partner_id.tz or "Europe/Kyiv")
        open_online = (
            meeting.state in ("announced", "voting")
            and meeting.rule_id.online_voting
            and fields.Datetime.now() <= meeting._online_deadline()
        )
        ballots = {voter: {vote.question_id: vote for vote in voter.vote_ids} for voter in voters}
        show_results = meeting.state == "closed" and meeting.results_published
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_meeting",
            meeting=meeting,
            voters=voters,
            ballots=ballots,
            open_online=open_online,
            deadline=self._fmt_datetime(tz_meeting, meeting._online_deadline()),
            date_meeting=self._fmt_datetime(tz_meeting, meeting.date_meeting),
            tally=meeting._tally() if show_results else {},
            show_results=show_results,
            fmt_date=fmt_date,
            choice_labels=dict(request.env["osmd.meeting.vote"]._fields["choice"]._description_selection(request.env)),
            outcome_labels=dict(
                request.env["osmd.meeting.question"]._fields["outcome"]._description_selection(request.env)
            ),
        )
        return values

    @http.route("/my/meetings/<int:meeting_id>", type="http", auth="user", website=True, sitemap=False)
    def osmd_meeting(self, meeting_id, **kw):
        values = self._osmd_meeting_values(meeting_id)
        values["done"] = kw.get("done") == "1"
        return request.render("osmd_voting.meeting", values)

    @http.route("/my/meetings/<int:meeting_id>/vote", type="http", auth="user", methods=["POST"], website=True)
    def osmd_meeting_vote(self, meeting_id, voter=None, **post):
        """The co-owner's online ballot: one choice per question (a question left blank keeps its vote)."""
        meetings = self._osmd_meetings()
        values = self._osmd_meeting_values(meeting_id, meetings)
        meeting = values["meeting"]
        voter_record = values["voters"].filtered(lambda v: str(v.id) == str(voter))
        if not voter_record:
            raise request.not_found()
        choices = {}
        for question in meeting.question_ids:
            choice = post.get(f"question_{question.id}")
            if choice:
                choices[question] = choice
        try:
            if not choices:
                raise UserError(request.env._("Tick a choice for at least one question."))
            meeting._record_votes(voter_record, choices, "online")
        except UserError as exc:
            values = self._osmd_meeting_values(meeting_id)
            values["error"] = exc.args[0]
            return request.render("osmd_voting.meeting", values)
        return request.redirect(f"/my/meetings/{meeting.id}?done=1")
