from datetime import timedelta
from fractions import Fraction

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain

from odoo.addons.osmd_billing.tools.formatting import fmt_number

from ..tools.tally import CHOICES, apportion, fraction_text, outcome, percent, round_fraction, supersedes, to_fraction

MEETING_KINDS = [("founding", "Founding"), ("general", "General"), ("extraordinary", "Extraordinary")]
MEETING_STATES = [
    ("draft", "Draft"),
    ("announced", "Announced"),
    ("voting", "Voting"),
    ("closed", "Closed"),
    ("cancel", "Cancelled"),
]
OUTCOMES = [("passed", "Passed"), ("failed", "Failed"), ("pending", "Pending")]


class OsmdMeeting(models.Model):
    """A meeting of the co-owners (founding, general or extraordinary): its agenda, the register of who votes with
    how many votes (from the ownerships on the meeting's day), the notices sent, the votes from the meeting, the
    written poll and the cabinet, and the tally of each question against ALL co-owners' votes."""

    _name = "osmd.meeting"
    _description = "Co-owners' meeting"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_meeting desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    building_ids = fields.Many2many(
        "osmd.building",
        string="Buildings",
        check_company=True,
        required=True,
        help="The co-owners of these buildings vote.",
    )
    kind = fields.Selection(MEETING_KINDS, required=True, default="general", tracking=True)
    date_meeting = fields.Datetime(string="Meeting on", required=True, tracking=True)
    place = fields.Char(tracking=True)
    videoconference = fields.Boolean(help="Co-owners may take part by video conference.")
    video_link = fields.Char(string="Video conference link")
    initiator = fields.Selection(
        [("board", "The board"), ("group", "An initiative group of co-owners")],
        required=True,
        default=lambda self: "board" if self.env.user.has_group("osmd_base.group_osmd_board") else "group",
        tracking=True,
    )
    initiative_partner_ids = fields.Many2many(
        "res.partner",
        string="Initiative group",
        default=lambda self: (
            self.env["res.partner"]
            if self.env.user.has_group("osmd_base.group_osmd_board")
            else self.env.user.partner_id
        ),
        help='At least three co-owners for a founding meeting. Those of them with the role "Initiative group member" '
        "prepare and run this meeting.",
    )
    rule_id = fields.Many2one(
        "osmd.voting.rule",
        string="Rules",
        required=True,
        check_company=True,
        default=lambda self: self.env["osmd.voting.rule"]._default_for(self.env.company),
    )
    notice_days = fields.Integer(related="rule_id.notice_days")
    notify_by = fields.Date(
        string="Notify by",
        compute="_compute_notify_by",
        store=True,
        help="The last day a notice may be sent or handed over.",
    )
    online_deadline = fields.Datetime(
        string="Online votes until", tracking=True, help="Empty: online votes close when the meeting starts."
    )
    poll_end = fields.Date(
        string="Written poll until",
        compute="_compute_poll_end",
        store=True,
        readonly=False,
        tracking=True,
        help="The meeting's day plus the rules' poll period.",
    )
    state = fields.Selection(MEETING_STATES, required=True, default="draft", tracking=True, copy=False)
    results_published = fields.Boolean(
        string="Results shown in the cabinet", copy=False, tracking=True, help="Residents see the aggregate results."
    )
    question_ids = fields.One2many("osmd.meeting.question", "meeting_id", string="Agenda", copy=True)
    voter_ids = fields.One2many("osmd.meeting.voter", "meeting_id", string="Register", copy=False)
    notice_ids = fields.One2many("osmd.meeting.notice", "meeting_id", string="Notices", copy=False)
    vote_ids = fields.One2many("osmd.meeting.vote", "meeting_id", string="Votes", copy=False)
    voter_count = fields.Integer(compute="_compute_counts", string="Co-owners")
    total_votes_exact = fields.Char(string="All votes (exact)", readonly=True, copy=False)
    total_votes = fields.Float(string="All votes, m²", digits=(16, 2), readonly=True, copy=False)
    unnotified_count = fields.Integer(compute="_compute_counts", string="Not notified in time")
    not_voted_count = fields.Integer(compute="_compute_counts", string="Not voted yet")

    @api.constrains("kind", "initiator", "initiative_partner_ids")
    def _check_initiative_group(self):
        for meeting in self:
            if meeting.initiator == "group" and len(meeting.initiative_partner_ids) < 3:
                raise ValidationError(
                    self.env._("Meeting %(name)s: an initiative group has at least three co-owners.", name=meeting.name)
                )

    @api.depends("date_meeting", "rule_id.notice_days", "company_id")
    def _compute_notify_by(self):
        for meeting in self:
            meeting.notify_by = (
                meeting._meeting_day() - timedelta(days=meeting.rule_id.notice_days) if meeting.date_meeting else False
            )

    @api.depends("date_meeting", "rule_id.poll_days", "company_id")
    def _compute_poll_end(self):
        for meeting in self:
            meeting.poll_end = (
                meeting._meeting_day() + timedelta(days=meeting.rule_id.poll_days) if meeting.date_meeting else False
            )

    def _compute_counts(self):
        for meeting in self:
            voters = meeting.voter_ids
            meeting.voter_count = len(voters)
            meeting.unnotified_count = len(voters.filtered(lambda voter: not voter.notified_in_time))
            meeting.not_voted_count = len(voters.filtered(lambda voter: not voter.has_voted))

    def _meeting_day(self):
        """The meeting's day in the association's time zone (whoever looks at it)."""
        self.ensure_one()
        tz = self.company_id.partner_id.tz or "Europe/Kyiv"
        return fields.Datetime.context_timestamp(self.with_context(tz=tz), self.date_meeting).date()

    def _online_deadline(self):
        """When online votes close: the deadline set, else the start of the meeting."""
        self.ensure_one()
        return self.online_deadline or self.date_meeting

    # ------------------------------------------------------------
    # REGISTER
    # ------------------------------------------------------------

    def action_build_register(self):
        """The register from the ownerships valid on the meeting's day: one line per co-owner (a person or a
        company), their premises with share × area for votes; the votes exact, summing to all premises' areas."""
        for meeting in self:
            if meeting.vote_ids:
                raise UserError(
                    self.env._("Meeting %(name)s already has votes: its register is kept as it is.", name=meeting.name)
                )
            meeting._build_register()
        return True

    def _build_register(self):
        self.ensure_one()
        self.check_access("write")  # the register itself is written only here, not by hand
        day = self._meeting_day()
        Ownership = self.env["osmd.ownership"].sudo()
        ownerships = Ownership.search(
            Domain("company_id", "=", self.company_id.id)
            & Domain("building_id", "in", self.building_ids.ids)
            & Ownership._get_valid_on_domain(day),
            order="partner_id, premise_id",
        )
        premises = (
            self.env["osmd.premise"]
            .sudo()
            .search(
                Domain("company_id", "=", self.company_id.id)
                & Domain("building_id", "in", self.building_ids.ids)
                & Domain("vote_area", ">", 0)
            )
        )
        owned = {ownership.premise_id for ownership in ownerships}
        missing = premises.filtered(lambda premise: premise not in owned)
        if missing:
            raise UserError(
                self.env._(
                    "No owner is recorded on %(day)s for %(count)s premise(s), e.g. %(examples)s: their votes would be "
                    "lost. Record the owners in the registry first.",
                    day=day.strftime("%d.%m.%Y"),
                    count=len(missing),
                    examples=", ".join(missing[:5].mapped("display_name")),
                )
            )
        by_partner = {}
        for ownership in ownerships:
            by_partner.setdefault(ownership.partner_id, []).append(ownership)
        self.sudo().voter_ids.unlink()
        total = Fraction(0)
        vals_list = []
        for partner, items in by_partner.items():
            shares = []
            votes = Fraction(0)
            for ownership in items:
                area = to_fraction(ownership.premise_id.vote_area)
                part = ownership.share * area
                votes += part
                shares.append(
                    Command.create(
                        {
                            "ownership_id": ownership.id,
                            "premise_id": ownership.premise_id.id,
                            "share_numerator": ownership.share_numerator,
                            "share_denominator": ownership.share_denominator,
                            "area": float(area),
                            "votes_exact": fraction_text(part),
                        }
                    )
                )
            total += votes
            vals_list.append(
                {
                    "meeting_id": self.id,
                    "partner_id": partner.id,
                    "votes_exact": fraction_text(votes),
                    "votes_area": float(votes),
                    "share_ids": shares,
                }
            )
        self.env["osmd.meeting.voter"].sudo().create(vals_list)
        self.write({"total_votes_exact": fraction_text(total), "total_votes": float(total)})
        self.message_post(
            body=self.env._(
                "Register built from the ownerships of %(day)s: %(count)s co-owners, %(area)s m² of votes.",
                day=day.strftime("%d.%m.%Y"),
                count=len(vals_list),
                area=f"{float(total):.2f}".replace(".", ","),
            )
        )

    def action_notify_online(self):
        """Notify the co-owners in the register who can be reached online: in the cabinet (those who sign in to it)
        and by e-mail (those with an address), in the association's language; each notice recorded with its channel
        and day. A co-owner already notified through a channel is not notified through it again."""
        self.ensure_one()
        self.check_access("write")
        if self.state not in ("announced", "voting"):
            raise UserError(self.env._("Announce the meeting first."))
        lang = self.company_id.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        today = fields.Date.context_today(self)
        done = {(notice.voter_id, notice.channel) for notice in self.notice_ids if notice.state != "returned"}
        vals_list, emails = [], self.env["res.partner"]
        for voter in self.voter_ids:
            partner = voter.representative_id or voter.partner_id
            if (voter, "cabinet") not in done and partner.sudo().user_ids.filtered(lambda user: user.share):
                vals_list.append(
                    {
                        "meeting_id": self.id,
                        "voter_id": voter.id,
                        "channel": "cabinet",
                        "date_sent": today,
                        "state": "delivered",
                        "date_delivered": today,
                    }
                )
            if (voter, "email") not in done and partner.email:
                vals_list.append(
                    {
                        "meeting_id": self.id,
                        "voter_id": voter.id,
                        "channel": "email",
                        "date_sent": today,
                        "address": partner.email,
                    }
                )
                emails |= partner
        if emails:
            tz = self.company_id.partner_id.tz or "Europe/Kyiv"
            when = fields.Datetime.context_timestamp(self.with_context(tz=tz), self.date_meeting)
            agenda = "".join(f"<li>{escape(question.name)}</li>" for question in self.question_ids)
            body = Markup("<p>%s</p><ol>%s</ol><p>%s</p>") % (
                env._(
                    "%(association)s: %(meeting)s on %(date)s at %(place)s.",
                    association=self.company_id.name,
                    meeting=self.name,
                    date=when.strftime("%d.%m.%Y %H:%M"),
                    place=self.place or "—",
                ),
                Markup(agenda),
                env._(
                    "The agenda and your ballot are in your resident cabinet: %(url)s",
                    url=f"{self.get_base_url()}/my/meetings/{self.id}",
                ),
            )
            self.with_env(env).message_notify(
                partner_ids=emails.ids,
                subject=env._("Notice of the meeting of co-owners: %(name)s", name=self.name),
                body=body,
                email_layout_xmlid="mail.mail_notification_light",
            )
        notices = self.env["osmd.meeting.notice"].create(vals_list)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Notified: %(cabinet)s in the cabinet, %(email)s by e-mail.",
                    cabinet=len(notices.filtered(lambda n: n.channel == "cabinet")),
                    email=len(notices.filtered(lambda n: n.channel == "email")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_open_register(self):
        """The meeting's register as a list, with the lists on demand as filters (not voted, poll sheet not returned,
        notified by each channel, not notified in time): on screen, exported to XLSX or printed."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_voting.osmd_meeting_voter_action")
        action["domain"] = [("meeting_id", "=", self.id)]
        action["context"] = {**self.env.context, "default_meeting_id": self.id}
        action["name"] = self.name
        return action

    # ------------------------------------------------------------
    # STATES
    # ------------------------------------------------------------

    def action_announce(self):
        for meeting in self:
            if not meeting.question_ids:
                raise UserError(self.env._("Meeting %(name)s has no agenda.", name=meeting.name))
            if not meeting.voter_ids:
                meeting._build_register()
            meeting.state = "announced"
        return True

    def action_open_voting(self):
        for meeting in self:
            if meeting.state not in ("draft", "announced"):
                raise UserError(self.env._("Meeting %(name)s is not waiting for its votes.", name=meeting.name))
            if not meeting.voter_ids:
                meeting._build_register()
            meeting.state = "voting"
        return True

    def action_close(self):
        self.write({"state": "closed"})
        return True

    def action_cancel(self):
        self.write({"state": "cancel"})
        return True

    def action_reset_to_draft(self):
        for meeting in self:
            if meeting.vote_ids:
                raise UserError(
                    self.env._("Meeting %(name)s already has votes: it cannot go back to draft.", name=meeting.name)
                )
        self.write({"state": "draft"})
        return True

    # ------------------------------------------------------------
    # VOTES
    # ------------------------------------------------------------

    def _record_votes(self, voter, choices, source, cast_at=None, sheet=None):
        """Record ``voter``'s ``choices`` ({question: choice}) from ``source`` (meeting, poll, online, import), cast at
        ``cast_at``: refused outside the channel's time, else each replaces the co-owner's earlier vote on the
        question by the rule of ``tally.supersedes`` (the vote cast last counts). Returns {question: accepted}."""
        self.ensure_one()
        if source != "online":
            # ballots, poll sheets and files are entered by those who run the meeting (online: the controller checks
            # that the person votes for this co-owner)
            self.check_access("write")
        self._check_can_vote(voter, source, cast_at)
        now = fields.Datetime.now()
        cast_at = cast_at or now
        Vote = self.env["osmd.meeting.vote"].sudo()
        current = {vote.question_id: vote for vote in Vote.search([("voter_id", "=", voter.id)])}
        results, logs, new = {}, [], []
        for question, choice in choices.items():
            if question.meeting_id != self:
                raise UserError(self.env._("Question %(name)s is not on this meeting's agenda.", name=question.name))
            if choice not in CHOICES:
                raise UserError(self.env._("Question %(name)s: choose for, against or abstain.", name=question.name))
            vote = current.get(question)
            accepted = not vote or supersedes((cast_at, now), (vote.cast_at, vote.entered_at))
            logs.append(
                {
                    "meeting_id": self.id,
                    "question_id": question.id,
                    "voter_id": voter.id,
                    "choice": choice,
                    "source": source,
                    "cast_at": cast_at,
                    "sheet": sheet,
                    "accepted": accepted,
                }
            )
            results[question] = accepted
            vals = {"choice": choice, "source": source, "cast_at": cast_at, "entered_at": now, "sheet": sheet}
            if accepted and vote:
                vote.write({**vals, "entered_by": self.env.uid})
            elif accepted:
                new.append(
                    {
                        **vals,
                        "meeting_id": self.id,
                        "question_id": question.id,
                        "voter_id": voter.id,
                        "entered_by": self.env.uid,
                    }
                )
        Vote.create(new)
        self.env["osmd.meeting.vote.log"].sudo().create(logs)
        return results

    def _check_can_vote(self, voter, source, cast_at):
        self.ensure_one()
        if voter.meeting_id != self:
            raise UserError(self.env._("This co-owner is not in the meeting's register."))
        if self.state not in ("announced", "voting"):
            raise UserError(self.env._("Meeting %(name)s does not take votes now.", name=self.name))
        now = fields.Datetime.now()
        if source == "online":
            if not self.rule_id.online_voting:
                raise UserError(self.env._("This meeting takes no votes online."))
            if now > self._online_deadline():
                raise UserError(
                    self.env._(
                        "Online voting closed on %(deadline)s.",
                        deadline=fields.Datetime.context_timestamp(self, self._online_deadline()).strftime(
                            "%d.%m.%Y %H:%M"
                        ),
                    )
                )
        elif source == "poll":
            if cast_at and self.poll_end and fields.Datetime.context_timestamp(self, cast_at).date() > self.poll_end:
                raise UserError(
                    self.env._(
                        "The poll sheet is dated after the written poll's end (%(end)s): it is not counted.",
                        end=self.poll_end.strftime("%d.%m.%Y"),
                    )
                )

    # ------------------------------------------------------------
    # TALLY
    # ------------------------------------------------------------

    def _total(self):
        self.ensure_one()
        return to_fraction(self.total_votes_exact or 0)

    def _tally(self):
        """{question: {"for"/"against"/"abstain": (Fraction votes, heads), "cast": Fraction, "heads_cast": int,
        "outcome": str}} for the agenda, from one read of the votes."""
        self.ensure_one()
        votes = self.env["osmd.meeting.vote"].sudo().search([("meeting_id", "=", self.id)])
        votes.fetch(["question_id", "choice", "voter_id"])
        votes.voter_id.fetch(["votes_exact"])
        result = {}
        total = self._total()
        for question in self.question_ids:
            result[question] = {choice: [Fraction(0), 0] for choice in CHOICES}
        for vote in votes:
            entry = result.get(vote.question_id)
            if entry is None:
                continue
            entry[vote.choice][0] += to_fraction(vote.voter_id.votes_exact)
            entry[vote.choice][1] += 1
        final = self.state == "closed"
        for question, entry in result.items():
            cast = sum(entry[choice][0] for choice in CHOICES)
            entry["cast"] = cast
            entry["heads_cast"] = sum(entry[choice][1] for choice in CHOICES)
            entry["outcome"] = outcome(
                entry["for"][0], cast, total, question.threshold_id.ratio, question.threshold_id.strict, final
            )
            entry["percent"] = {choice: percent(entry[choice][0], total) for choice in CHOICES}
        return result


class OsmdMeetingQuestion(models.Model):
    """A question of the agenda with the threshold its decision needs, and its live tally."""

    _name = "osmd.meeting.question"
    _description = "Agenda question"
    _order = "meeting_id, sequence, id"

    meeting_id = fields.Many2one("osmd.meeting", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="meeting_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    number = fields.Integer(compute="_compute_number", string="No.")
    name = fields.Char(string="Question", required=True)
    proposal = fields.Text(string="Draft decision")
    threshold_id = fields.Many2one(
        "osmd.voting.threshold",
        string="Decision needs",
        required=True,
        default=lambda self: self.env.ref("osmd_voting.threshold_half", raise_if_not_found=False),
    )
    for_votes = fields.Float(string="For, m²", digits=(16, 2), compute="_compute_tally")
    against_votes = fields.Float(string="Against, m²", digits=(16, 2), compute="_compute_tally")
    abstain_votes = fields.Float(string="Abstained, m²", digits=(16, 2), compute="_compute_tally")
    for_percent = fields.Float(string="For, %", digits=(5, 2), compute="_compute_tally")
    against_percent = fields.Float(string="Against, %", digits=(5, 2), compute="_compute_tally")
    abstain_percent = fields.Float(string="Abstained, %", digits=(5, 2), compute="_compute_tally")
    for_heads = fields.Integer(string="For, co-owners", compute="_compute_tally")
    against_heads = fields.Integer(string="Against, co-owners", compute="_compute_tally")
    abstain_heads = fields.Integer(string="Abstained, co-owners", compute="_compute_tally")
    outcome = fields.Selection(OUTCOMES, compute="_compute_tally")

    @api.depends("sequence", "meeting_id.question_ids")
    def _compute_number(self):
        for meeting in self.meeting_id:
            for index, question in enumerate(meeting.question_ids.sorted(lambda q: (q.sequence, q.id)), start=1):
                if question in self:
                    question.number = index
        for question in self.filtered(lambda q: not q.meeting_id):
            question.number = 0

    def write(self, vals):
        if {"meeting_id", "name", "proposal", "threshold_id"} & set(vals):
            self._check_no_votes()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_without_votes(self):
        self._check_no_votes()

    def _check_no_votes(self):
        voted = self.env["osmd.meeting.vote"].sudo().search([("question_id", "in", self.ids)], limit=1)
        if voted:
            raise UserError(
                self.env._(
                    "Question %(name)s already has votes: it cannot be changed or removed.",
                    name=voted.question_id.name,
                )
            )

    @api.depends(
        "meeting_id.vote_ids.choice",
        "meeting_id.vote_ids.voter_id",
        "meeting_id.state",
        "meeting_id.total_votes_exact",
        "threshold_id.numerator",
        "threshold_id.denominator",
        "threshold_id.strict",
    )
    def _compute_tally(self):
        for meeting in self.meeting_id:
            tally = meeting._tally() if meeting.id else {}
            for question in self.filtered(lambda q, m=meeting: q.meeting_id == m):
                entry = tally.get(question)
                if not entry:
                    question.update(
                        {f"{choice}_{kind}": 0 for choice in CHOICES for kind in ("votes", "percent", "heads")}
                        | {"outcome": "pending"}
                    )
                    continue
                values = {"outcome": entry["outcome"]}
                for choice in CHOICES:
                    values[f"{choice}_votes"] = float(entry[choice][0])
                    values[f"{choice}_heads"] = entry[choice][1]
                    values[f"{choice}_percent"] = float(entry["percent"][choice])
                question.update(values)


class OsmdMeetingProtocol(models.Model):
    _inherit = "osmd.meeting"

    def _protocol_data(self):
        """What the protocol prints, from the same tally as the screen: per question the votes in m² (rounded to
        0,01 m²) and % of all co-owners' votes, heads, the outcome; the register with areas and percentages
        apportioned so their columns sum to the exact totals; each co-owner's votes; the poll sheets returned."""
        self.ensure_one()
        total = self._total()
        tally = self._tally()
        labels = dict(self.env["osmd.meeting.question"]._fields["outcome"]._description_selection(self.env))
        choice_labels = dict(self.env["osmd.meeting.vote"]._fields["choice"]._description_selection(self.env))
        questions = []
        for question in self.question_ids:
            entry = tally[question]
            areas = apportion([entry[choice][0] for choice in CHOICES] + [total - entry["cast"]], total)
            questions.append(
                {
                    "question": question,
                    "rows": [
                        {
                            "label": choice_labels[choice],
                            "area": fmt_number(areas[index], 2),
                            "percent": fmt_number(entry["percent"][choice], 2),
                            "heads": entry[choice][1],
                        }
                        for index, choice in enumerate(CHOICES)
                    ],
                    "not_voted_area": fmt_number(areas[3], 2),
                    "outcome": labels[entry["outcome"]],
                    "outcome_key": entry["outcome"],
                }
            )
        voters = self.voter_ids.sorted(lambda v: (v.first_premise_sort, v.partner_id.name or ""))
        exact = [to_fraction(voter.votes_exact) for voter in voters]
        areas = apportion(exact, total)
        percents = apportion([value * 100 / total for value in exact], 100) if total else []
        votes = {(vote.voter_id, vote.question_id): vote for vote in self.vote_ids}
        register = [
            {
                "voter": voter,
                "area": fmt_number(areas[index], 2),
                "percent": fmt_number(percents[index], 2),
                "votes": [
                    choice_labels[votes[(voter, question)].choice] if (voter, question) in votes else "—"
                    for question in self.question_ids
                ],
            }
            for index, voter in enumerate(voters)
        ]
        return {
            "questions": questions,
            "register": register,
            "total_area": fmt_number(round_fraction(total, 2), 2),
            "total_percent": fmt_number(sum(percents), 2) if percents else "0,00",
            "voter_count": len(voters),
            "voted_count": len(voters.filtered("has_voted")),
            "poll_voters": voters.filtered("poll_returned"),
        }
