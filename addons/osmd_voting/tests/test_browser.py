"""Online voting end to end in a real browser (the cabinet's suite: osmd_portal/tests/browser.py)."""

from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon
from odoo.addons.osmd_portal.tests.browser import BrowserSuite
from odoo.addons.osmd_portal.tests.common import resident_user

SCENARIO = Path(__file__).parent / "e2e" / "voting.js"


@tagged("post_install", "-at_install", "osmd_browser")
class TestVotingInBrowser(BrowserSuite, OsmdCommon, HttpCase):
    """An owner votes online on a 390 px phone and changes the vote; the chairman sees the tally change; after the
    deadline the vote is refused. In Ukrainian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_ukrainian()
        cls.owner = resident_user(cls.env, "e2e_voter", cls.data_a["owners"][0], cls.company_a)
        cls.chairman = cls.users_a["chairman"]
        (cls.owner | cls.chairman).lang = "uk_UA"
        cls.meeting = (
            cls.env["osmd.meeting"]
            .with_user(cls.chairman)
            .create(
                {
                    "name": "Загальні збори співвласників",
                    "company_id": cls.company_a.id,
                    "building_ids": [Command.set(cls.data_a["building"].ids)],
                    "date_meeting": fields.Datetime.now() + timedelta(days=12),
                    "place": "Подвір'я будинку",
                    "rule_id": cls.env.ref("osmd_voting.rule_statute_2023").id,
                    "question_ids": [
                        Command.create({"name": "Обрати голову зборів", "sequence": 1}),
                        Command.create(
                            {
                                "name": "Затвердити кошторис на 2027 рік",
                                "sequence": 2,
                                "threshold_id": cls.env.ref("osmd_voting.threshold_two_thirds").id,
                            }
                        ),
                    ],
                }
            )
        )
        cls.meeting.action_open_voting()

    def test_owner_votes_on_a_phone_and_the_chairman_sees_the_tally(self):
        first, budget = self.meeting.question_ids
        steps = self._run_scenario(
            SCENARIO,
            {
                "owner": {"login": "e2e_voter", "password": "e2e_voter_pwd_1"},
                "chairman": {"login": self.chairman.login, "password": self.chairman.login},
                "meeting_id": self.meeting.id,
                "q1": first.id,
                "q2": budget.id,
                "past_deadline": fields.Datetime.to_string(fields.Datetime.now() - timedelta(minutes=5)),
            },
        )
        # owner 0: half of 52,30 m² of 136,95 m² = 19,09 %
        self.assertIn("19,09", steps["tally_before"]["text"])
        self.env.invalidate_all()
        voter = self.meeting.voter_ids.filtered(lambda v: v.partner_id == self.owner.partner_id)
        votes = {vote.question_id: vote for vote in voter.vote_ids}
        self.assertEqual(votes[first].choice, "against", "changed online")
        self.assertEqual(votes[budget].choice, "against")
        self.assertEqual(set(voter.vote_ids.mapped("source")), {"online"})
        self.assertEqual(first.for_percent, 0.0)
        self.assertEqual(first.against_percent, 19.09)
        self.assertNotEqual(steps["tally_before"]["text"], steps["tally_after"]["text"], "the chairman saw it change")
        self.assertIn("Онлайн-голосування закрилося", steps["refused"]["message"])
        log = self.env["osmd.meeting.vote.log"].search([("voter_id", "=", voter.id)])
        # the whole ballot is sent each time (two questions, twice); the refused one wrote nothing
        self.assertEqual(len(log), 4)
        self.assertTrue(all(log.mapped("accepted")))
        self._assert_pages_clean(steps)
