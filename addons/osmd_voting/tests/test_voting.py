import re
from datetime import date, datetime, timedelta
from fractions import Fraction

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon
from odoo.addons.osmd_portal.tests.common import resident_user

from ..tools.tally import to_fraction


@tagged("post_install", "-at_install", "osmd")
class TestVoting(OsmdCommon, HttpCase):
    """A meeting of association A's co-owners. The registry: flat 1 (52,30 m²) half each to owners 0 and 1, flat 2
    (71,15 m²) and parking П-1 (13,50 m²) to owner 2, who owns two premises."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.building = cls.data_a["building"]
        cls.premises = cls.data_a["premises"]
        cls.owners = cls.data_a["owners"]
        cls.chairman = cls.users_a["chairman"]
        cls.half = cls.env.ref("osmd_voting.threshold_half")
        cls.two_thirds = cls.env.ref("osmd_voting.threshold_two_thirds")
        resident_user(cls.env, "vote_owner0", cls.owners[0], cls.company_a)
        resident_user(cls.env, "vote_owner1", cls.owners[1], cls.company_a)
        resident_user(cls.env, "vote_resident_b", cls.data_b["owners"][0], cls.company_b)

    def _meeting(self, when=None, **vals):
        when = when or fields.Datetime.now() + timedelta(days=20)
        return (
            self.env["osmd.meeting"]
            .with_user(self.chairman)
            .create(
                {
                    "name": "Загальні збори",
                    "company_id": self.company_a.id,
                    "building_ids": [Command.set(self.building.ids)],
                    "date_meeting": when,
                    "rule_id": self.env.ref("osmd_voting.rule_statute_2023").id,
                    "question_ids": [
                        Command.create({"name": "Обрати голову зборів", "threshold_id": self.half.id}),
                        Command.create({"name": "Затвердити кошторис", "threshold_id": self.two_thirds.id}),
                    ],
                    **vals,
                }
            )
        )

    def _voter(self, meeting, owner):
        return meeting.voter_ids.filtered(lambda voter: voter.partner_id == owner)

    def test_register_by_area_sums_to_exactly_all_votes(self):
        meeting = self._meeting()
        meeting.action_open_voting()
        self.assertEqual(len(meeting.voter_ids), 3, "one line per co-owner, the two premises of owner 2 together")
        votes = {voter.partner_id: to_fraction(voter.votes_exact) for voter in meeting.voter_ids}
        self.assertEqual(votes[self.owners[0]], Fraction("52.30") / 2)
        self.assertEqual(votes[self.owners[1]], Fraction("52.30") / 2)
        self.assertEqual(votes[self.owners[2]], Fraction("71.15") + Fraction("13.50"), "both premises")
        self.assertEqual(sum(votes.values()), Fraction("136.95"))
        self.assertEqual(meeting._total(), Fraction("136.95"))
        self.assertEqual(len(self._voter(meeting, self.owners[2]).share_ids), 2)
        data = meeting._protocol_data()
        self.assertEqual(data["total_area"], "136,95")
        self.assertEqual(data["total_percent"], "100,00", "the register's percentages print exactly 100")
        self.assertEqual(sum(Fraction(line["percent"].replace(",", ".")) for line in data["register"]), 100)

    def test_transfer_the_day_before_the_meeting(self):
        when = datetime.combine(date.today() + timedelta(days=20), datetime.min.time()) + timedelta(hours=15)
        buyer = self.env["res.partner"].create({"name": "Покупець Б.", "company_id": self.company_a.id})
        form = Form(self.env["osmd.ownership.transfer"].with_context(default_premise_id=self.premises[0].id))
        form.date = when.date() - timedelta(days=1)
        form.reason = "sale"
        form.document_number = "15"
        with form.line_ids.new() as line:
            line.partner_id = buyer
            line.share_numerator = 1
            line.share_denominator = 2
        wizard = form.save()
        wizard.close_ownership_ids = self.premises[0].ownership_ids.filtered(
            lambda ownership: ownership.partner_id == self.owners[1] and not ownership.date_end
        )
        wizard.action_apply()
        meeting = self._meeting(when=when)
        meeting.action_open_voting()
        self.assertFalse(self._voter(meeting, self.owners[1]), "the seller no longer votes")
        self.assertEqual(to_fraction(self._voter(meeting, buyer).votes_exact), Fraction("52.30") / 2)
        self.assertEqual(meeting._total(), Fraction("136.95"))

    def _set_areas(self, flat1, flat2, parking):
        for premise, area in zip(self.premises, (flat1, flat2, parking), strict=True):
            premise.vote_area = area

    def test_more_than_half_at_exactly_half(self):
        self._set_areas(50, 40, 10)  # owners 0 and 1: 25 each; owner 2: 50 of 100
        meeting = self._meeting()
        meeting.action_open_voting()
        first = meeting.question_ids[0]
        meeting._record_votes(self._voter(meeting, self.owners[2]), {first: "for"}, "meeting", meeting.date_meeting)
        self.assertEqual(first.for_percent, 50.0)
        self.assertEqual(first.outcome, "pending", "exactly half is not more than half; 50 % have not voted")
        meeting._record_votes(self._voter(meeting, self.owners[0]), {first: "against"}, "meeting", meeting.date_meeting)
        meeting._record_votes(self._voter(meeting, self.owners[1]), {first: "against"}, "meeting", meeting.date_meeting)
        first.invalidate_recordset()
        self.assertEqual(first.outcome, "failed", "50 % for of all votes: not more than half")
        # one co-owner changes the vote on paper later: 75 % for
        meeting._record_votes(
            self._voter(meeting, self.owners[1]), {first: "for"}, "poll", meeting.date_meeting + timedelta(days=2)
        )
        first.invalidate_recordset()
        self.assertEqual((first.for_percent, first.against_percent, first.outcome), (75.0, 25.0, "passed"))

    def test_at_least_two_thirds_at_exactly_two_thirds(self):
        self._set_areas(40, 70, 10)  # owners 0 and 1: 20 each; owner 2: 80 of 120 = exactly 2/3
        meeting = self._meeting()
        meeting.action_open_voting()
        budget = meeting.question_ids[1]
        meeting._record_votes(self._voter(meeting, self.owners[2]), {budget: "for"}, "meeting", meeting.date_meeting)
        self.assertEqual(budget.outcome, "passed", "exactly two thirds is at least two thirds")
        self._set_areas(40, 69.99, 10)
        other = self._meeting()
        other.action_open_voting()
        budget = other.question_ids[1]
        other._record_votes(self._voter(other, self.owners[2]), {budget: "for"}, "meeting", other.date_meeting)
        other.action_close()
        budget.invalidate_recordset()
        self.assertEqual(budget.outcome, "failed", "79,99 of 119,99: just under two thirds")

    def test_paper_after_online_counts_and_an_earlier_one_does_not(self):
        meeting = self._meeting()
        meeting.action_open_voting()
        first = meeting.question_ids[0]
        voter = self._voter(meeting, self.owners[0])
        meeting._record_votes(voter, {first: "against"}, "online")
        # the paper ballot of the meeting (cast later, at the meeting) replaces the online vote
        self.assertEqual(meeting._record_votes(voter, {first: "for"}, "meeting", meeting.date_meeting), {first: True})
        vote = meeting.vote_ids.filtered(lambda v: v.voter_id == voter)
        self.assertRecordValues(vote, [{"choice": "for", "source": "meeting"}])
        # a poll sheet dated before the meeting's ballot is kept in the log, not counted
        earlier = fields.Datetime.now() - timedelta(days=1)
        self.assertEqual(meeting._record_votes(voter, {first: "abstain"}, "poll", earlier), {first: False})
        self.assertEqual(vote.choice, "for")
        log = self.env["osmd.meeting.vote.log"].search([("voter_id", "=", voter.id)], order="id")
        self.assertEqual(log.mapped("accepted"), [True, True, False])
        self.assertEqual(len(meeting.vote_ids), 1, "one vote per co-owner and question")
        # a question with votes keeps its wording and threshold
        with self.assertRaises(UserError):
            first.with_user(self.chairman).write({"threshold_id": self.two_thirds.id})
        with self.assertRaises(UserError):
            first.with_user(self.chairman).unlink()

    def test_notice_period(self):
        meeting = self._meeting(when=datetime(2026, 12, 20, 15, 0))
        meeting.action_announce()
        self.assertEqual(meeting.notify_by, date(2026, 12, 10), "10 days before under the 2023 model statute")
        voters = {voter.partner_id: voter for voter in meeting.voter_ids}
        Notice = self.env["osmd.meeting.notice"].with_user(self.chairman)
        Notice.create(
            [
                # handed against signature on the last day: in time
                {
                    "meeting_id": meeting.id,
                    "voter_id": voters[self.owners[0]].id,
                    "channel": "signature",
                    "date_sent": "2026-12-10",
                },
                # a registered letter one day late
                {
                    "meeting_id": meeting.id,
                    "voter_id": voters[self.owners[1]].id,
                    "channel": "registered",
                    "date_sent": "2026-12-11",
                    "tracking_number": "0102912345678",
                },
                # in time but returned
                {
                    "meeting_id": meeting.id,
                    "voter_id": voters[self.owners[2]].id,
                    "channel": "registered",
                    "date_sent": "2026-12-01",
                    "state": "returned",
                },
            ]
        )
        self.assertTrue(voters[self.owners[0]].notified_in_time)
        self.assertFalse(voters[self.owners[1]].notified_in_time)
        self.assertFalse(voters[self.owners[2]].notified_in_time)
        late = self.env["osmd.meeting.voter"].search(
            [("meeting_id", "=", meeting.id), ("notified_in_time", "=", False)]
        )
        self.assertEqual(late.partner_id, self.owners[1] | self.owners[2])
        self.assertEqual(meeting.unnotified_count, 2)
        # the older statute: 14 days
        meeting.rule_id = self.env.ref("osmd_voting.rule_statute_before_2023")
        self.assertEqual(meeting.notify_by, date(2026, 12, 6))

    def test_protocol_figures_equal_the_tally(self):
        meeting = self._meeting()
        meeting.action_open_voting()
        first, budget = meeting.question_ids
        when = meeting.date_meeting
        meeting._record_votes(self._voter(meeting, self.owners[0]), {first: "for", budget: "against"}, "meeting", when)
        meeting._record_votes(self._voter(meeting, self.owners[2]), {first: "for", budget: "abstain"}, "meeting", when)
        meeting.action_close()
        tally = meeting._tally()
        data = meeting._protocol_data()
        for item in data["questions"]:
            entry = tally[item["question"]]
            for row, choice in zip(item["rows"], ("for", "against", "abstain"), strict=True):
                self.assertEqual(row["heads"], entry[choice][1])
                self.assertEqual(row["percent"], f"{entry['percent'][choice]}".replace(".", ","))
                self.assertEqual(Fraction(row["area"].replace(",", ".")), round(entry[choice][0], 2))
        self.assertEqual(data["questions"][0]["outcome_key"], "passed")  # 26,15 + 84,65 of 136,95
        self.assertEqual(data["questions"][1]["outcome_key"], "failed")
        html = self.env["ir.actions.report"]._render_qweb_html("osmd_voting.meeting_protocol", meeting.ids)[0].decode()
        self.assertIn("136,95", html)
        self.assertIn(data["questions"][0]["rows"][0]["percent"], html)

    def test_owner_votes_online_changes_it_and_is_refused_after_the_deadline(self):
        meeting = self._meeting(online_deadline=fields.Datetime.now() + timedelta(days=5))
        meeting.action_announce()
        first, budget = meeting.question_ids
        self.authenticate("vote_owner0", "vote_owner0_pwd_1")
        page = self.url_open(f"/my/meetings/{meeting.id}")
        self.assertEqual(page.status_code, 200)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        voter = self._voter(meeting, self.owners[0])

        def vote(choices):
            data = {"csrf_token": token, "voter": str(voter.id)}
            data.update({f"question_{question.id}": choice for question, choice in choices.items()})
            return self.url_open(f"/my/meetings/{meeting.id}/vote", data=data, allow_redirects=False)

        self.assertEqual(vote({first: "for", budget: "against"}).status_code, 303)
        self.assertEqual(sorted(meeting.vote_ids.mapped("choice")), ["against", "for"])
        self.assertEqual(vote({budget: "for"}).status_code, 303)
        meeting.invalidate_recordset()
        self.assertEqual(meeting.vote_ids.filtered(lambda v: v.question_id == budget).choice, "for", "changed")
        self.assertEqual(set(meeting.vote_ids.mapped("source")), {"online"})
        # another co-owner's ballot: not theirs to fill
        other = self._voter(meeting, self.owners[2])
        response = self.url_open(
            f"/my/meetings/{meeting.id}/vote",
            data={"csrf_token": token, "voter": str(other.id), f"question_{first.id}": "against"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(other.vote_ids)
        # after the deadline: refused, nothing changed
        meeting.sudo().online_deadline = fields.Datetime.now() - timedelta(minutes=1)
        response = vote({first: "against"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Online voting closed", response.text)
        self.assertEqual(meeting.vote_ids.filtered(lambda v: v.question_id == first).choice, "for")
        # another association's resident does not see the meeting
        self.authenticate("vote_resident_b", "vote_resident_b_pwd_1")
        self.assertEqual(self.url_open(f"/my/meetings/{meeting.id}").status_code, 404)

    def test_roles(self):
        meeting = self._meeting()
        meeting.action_open_voting()
        audit, engineer = self.users_a["audit"], self.users_a["engineer"]
        self.assertEqual(self.env["osmd.meeting"].with_user(audit).search([("id", "=", meeting.id)]), meeting)
        with self.assertRaises(AccessError):
            meeting.with_user(audit).write({"place": "x"})
        with self.assertRaises(AccessError):
            self.env["osmd.meeting"].with_user(engineer).search([])
        chairman_b = self.users_b["chairman"]
        self.assertFalse(self.env["osmd.meeting"].with_user(chairman_b).search([("id", "=", meeting.id)]))
        with self.assertRaises(AccessError):
            meeting.voter_ids[:1].with_user(chairman_b).read(["votes_exact"])
        # the shared thresholds are read by every association and changed by none
        self.assertTrue(self.half.with_user(chairman_b).name)
        with self.assertRaises(AccessError):
            self.half.with_user(chairman_b).write({"numerator": 1, "denominator": 3})
        # votes are entered through the ballot screen, never written directly
        with self.assertRaises(AccessError):
            meeting.vote_ids.with_user(self.chairman).create(
                {
                    "meeting_id": meeting.id,
                    "question_id": meeting.question_ids[0].id,
                    "voter_id": meeting.voter_ids[0].id,
                    "choice": "for",
                    "source": "meeting",
                    "cast_at": fields.Datetime.now(),
                }
            )

    def test_paper_ballot_screen(self):
        meeting = self._meeting()
        meeting.action_open_voting()
        first, budget = meeting.question_ids
        entry = Form(self.env["osmd.ballot.entry"].with_user(self.chairman).with_context(active_id=meeting.id))
        entry.key = "2"  # flat 2: owner 2
        self.assertEqual(entry.voter_id.partner_id, self.owners[2])
        with entry.line_ids.edit(0) as line:
            line.vote_for = True
        with entry.line_ids.edit(1) as line:
            line.vote_for = True
            line.vote_against = True  # a change of mind: the last tick wins
        action = entry.save().action_save_next()
        voter = self._voter(meeting, self.owners[2])
        self.assertEqual(sorted(voter.vote_ids.mapped("choice")), ["against", "for"])
        self.assertEqual(set(voter.vote_ids.mapped("source")), {"meeting"})
        self.assertIn(self.owners[2].name, self.env["osmd.ballot.entry"].browse(action["res_id"]).last_saved)
        # flat 1 of two co-owners: the screen asks which
        entry = Form(self.env["osmd.ballot.entry"].with_user(self.chairman).with_context(active_id=meeting.id))
        entry.key = "1"
        self.assertFalse(entry.voter_id)
        with entry.line_ids.edit(0) as line:
            line.vote_for = True
        with self.assertRaises(UserError):
            entry.save().action_save_next()
        # not in the register
        entry = Form(self.env["osmd.ballot.entry"].with_user(self.chairman).with_context(active_id=meeting.id))
        entry.key = "999"
        with entry.line_ids.edit(0) as line:
            line.vote_for = True
        with self.assertRaisesRegex(UserError, "not in the meeting's register"):
            entry.save().action_save_next()

    def _html(self, report, records):
        return self.env["ir.actions.report"]._render_qweb_html(report, records.ids)[0].decode()

    def test_notices_poll_sheets_and_lists_on_paper(self):
        meeting = self._meeting(place="Двір, вул. Тестова, 1")
        meeting.action_announce()
        notices = self._html("osmd_voting.meeting_notices", meeting)
        for voter in meeting.voter_ids:
            self.assertIn(voter.partner_id.name, notices, "a notice per co-owner")
        self.assertIn("Двір, вул. Тестова, 1", notices)
        self.assertIn("Затвердити кошторис", notices)
        self.assertIn("84,65", notices, "owner 2's votes of both premises")
        meeting.action_open_voting()
        voter0 = self._voter(meeting, self.owners[0])
        meeting._record_votes(voter0, {meeting.question_ids[0]: "for"}, "meeting", meeting.date_meeting)
        sheets = self._html("osmd_voting.meeting_poll_sheets", meeting)
        self.assertNotIn(self.owners[0].name, sheets, "who voted gets no poll sheet")
        self.assertIn(self.owners[2].name, sheets)
        # the list of those who have not voted yet, as the board prints it
        not_voted = self.env["osmd.meeting.voter"].search([("meeting_id", "=", meeting.id), ("has_voted", "=", False)])
        self.assertEqual(not_voted.partner_id, self.owners[1] | self.owners[2])
        listing = self._html("osmd_voting.meeting_voter_list", not_voted)
        self.assertIn(self.owners[1].name, listing)
        self.assertNotIn(self.owners[0].name, listing)

    def _exchange(self, meeting, data=None):
        import base64  # noqa: PLC0415

        vals = {"meeting_id": meeting.id}
        if data is not None:
            vals.update(file=base64.b64encode(data.encode("utf-8")), filename="returned.csv")
        return self.env["osmd.meeting.exchange"].with_user(self.chairman).create(vals)

    def test_exchange_files(self):
        meeting = self._meeting()
        meeting.action_open_voting()
        first, budget = meeting.question_ids
        action = self._exchange(meeting).action_export_register()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        register = attachment.raw.decode("utf-8-sig")
        self.assertTrue(register.startswith("key;premises;co_owner;tax_id;votes_m2;votes_percent"))
        voters = {voter.partner_id: voter for voter in meeting.voter_ids}
        key0, key2 = (f"{meeting.id}-{voters[owner].id}" for owner in (self.owners[0], self.owners[2]))
        self.assertIn(key0, register)
        self.assertIn("84,6500", register)
        # a bad file: every problem named by row and column, nothing written
        bad = f"key;Q1;Q2;signed_at\n{key0};за;може;\n999-1;проти;;\n{key2};за;за;31.02.2026 10:00\n"
        with self.assertRaises(UserError) as error:
            self._exchange(meeting, bad).action_import_votes()
        message = str(error.exception)
        self.assertIn("row 2, Q2", message)
        self.assertIn("row 3, key", message)
        self.assertIn("row 4, signed_at", message)
        self.assertFalse(meeting.vote_ids)
        # a good one: counted as imported votes, with the moment of signing
        today = fields.Date.today().strftime("%d.%m.%Y")
        good = f"key;Q1;Q2;signed_at\n{key0};за;утримався;{today} 10:00\n{key2};проти;;\n"
        wizard = self._exchange(meeting, good)
        wizard.action_import_votes()
        self.assertIn("3 vote(s) counted", wizard.result)
        self.assertEqual(len(meeting.vote_ids), 3)
        self.assertEqual(set(meeting.vote_ids.mapped("source")), {"import"})
        self.assertEqual(voters[self.owners[0]].vote_ids.filtered(lambda v: v.question_id == budget).choice, "abstain")
        results = self._exchange(meeting).action_export_results()
        csv_text = (
            self.env["ir.attachment"].browse(int(results["url"].split("/")[3].split("?")[0])).raw.decode("utf-8-sig")
        )
        self.assertIn(f"1;{first.name};26,15;19,09;1;84,65;61,81;1", csv_text)

    def test_notify_by_email_and_cabinet_as_the_statute_allows(self):
        self.owners[1].email = "olena@example.com"
        self.owners[2].email = False
        meeting = self._meeting(when=fields.Datetime.now() + timedelta(days=20))
        meeting.action_announce()
        Mail = self.env["mail.mail"].sudo()
        before = Mail.search([])
        meeting.with_user(self.chairman).action_notify_online()
        channels = {(notice.voter_id.partner_id, notice.channel) for notice in meeting.notice_ids}
        self.assertIn((self.owners[0], "cabinet"), channels, "owner 0 signs in to the cabinet")
        self.assertIn((self.owners[1], "email"), channels)
        self.assertNotIn((self.owners[2], "email"), channels, "no address, no e-mail")
        mails = Mail.search([]) - before
        self.assertIn(self.owners[1], mails.recipient_ids)
        self.assertIn("Затвердити кошторис", mails[:1].body_html)
        self.assertTrue(self._voter(meeting, self.owners[1]).notified_in_time)
        # twice: nobody is notified again through the same channel
        count = len(meeting.notice_ids)
        meeting.with_user(self.chairman).action_notify_online()
        self.assertEqual(len(meeting.notice_ids), count)
        # an older statute: e-mails and cabinet notices are recorded but do not count
        meeting.rule_id = self.env.ref("osmd_voting.rule_statute_before_2023")
        self.assertFalse(self._voter(meeting, self.owners[1]).notified_in_time)

    def test_initiative_group_runs_its_own_meeting_only(self):
        organiser = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Ініціатор Іван",
                    "login": "vote_organiser",
                    "company_id": self.company_a.id,
                    "company_ids": [Command.set(self.company_a.ids)],
                    "group_ids": [Command.set(self.env.ref("osmd_voting.group_osmd_meeting_organiser").ids)],
                }
            )
        )
        group = organiser.partner_id | self.owners[1] | self.owners[2]
        founding = (
            self.env["osmd.meeting"]
            .with_user(organiser)
            .create(
                {
                    "name": "Установчі збори",
                    "kind": "founding",
                    "company_id": self.company_a.id,
                    "building_ids": [Command.set(self.building.ids)],
                    "date_meeting": fields.Datetime.now() + timedelta(days=20),
                    "initiative_partner_ids": [Command.set(group.ids)],
                    "question_ids": [Command.create({"name": "Створити ОСББ"})],
                }
            )
        )
        self.assertEqual(founding.initiator, "group")
        founding.with_user(organiser).action_open_voting()
        voter = self._voter(founding, self.owners[2])
        self.assertEqual(
            founding.with_user(organiser)._record_votes(voter, {founding.question_ids: "for"}, "meeting"),
            {founding.question_ids: True},
        )
        # the board's meeting is not theirs
        board_meeting = self._meeting()
        board_meeting.action_open_voting()
        Meeting = self.env["osmd.meeting"].with_user(organiser)
        self.assertEqual(Meeting.search([]), founding)
        with self.assertRaises(AccessError):
            board_meeting.with_user(organiser)._record_votes(
                board_meeting.voter_ids[0], {board_meeting.question_ids[0]: "for"}, "meeting"
            )
        with self.assertRaises(AccessError):
            board_meeting.with_user(organiser).read(["name"])
        # nor the registry's money or anything else
        with self.assertRaises(AccessError):
            self.env["osmd.account"].with_user(organiser).search([])
        # the board sees the initiative group's meeting too
        self.assertIn(founding, self.env["osmd.meeting"].with_user(self.chairman).search([]))
