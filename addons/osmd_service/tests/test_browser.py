"""A service request end to end in a real browser (the cabinet's suite: osmd_portal/tests/browser.py)."""

import base64
from pathlib import Path

from odoo.tests import HttpCase, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon
from odoo.addons.osmd_portal.tests.browser import BrowserSuite
from odoo.addons.osmd_portal.tests.common import resident_user

SCENARIO = Path(__file__).parent / "e2e" / "service.js"
# a small PNG photo
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install", "osmd_browser")
class TestServiceRequestInBrowser(BrowserSuite, OsmdCommon, HttpCase):
    """A resident on a 390 px phone reports an emergency with a photo; the engineer, on a phone, takes it in work and
    answers; the resident sees the new stage and the answer; the engineer closes it with a note, the resident rates it.
    In Ukrainian, OCA's words included."""

    LATIN_ALLOWED = frozenset({"HT"})  # the request's number prefix

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_ukrainian()
        cls.env["helpdesk.ticket.stage"]._osmd_translate_stages()
        cls.company_a.write(
            {"osmd_chairman_id": cls.users_a["chairman"].id, "osmd_engineer_id": cls.users_a["engineer"].id}
        )
        cls.resident = resident_user(cls.env, "e2e_requester", cls.data_a["owners"][0], cls.company_a)
        cls.engineer = cls.users_a["engineer"]
        (cls.resident | cls.engineer).lang = "uk_UA"
        # a second building with its resident, and the board's draft announcement to the first building
        building2 = cls.env["osmd.building"].create(
            {"name": "Будинок А2", "company_id": cls.company_a.id, "street": "вул. Інша, 2", "city": "Київ"}
        )
        premise = cls.env["osmd.premise"].create(
            {"building_id": building2.id, "number": "7", "total_area": 50.0, "entrance": 1, "floor": 1}
        )
        other = cls.env["res.partner"].create({"name": "Мешканець А2", "company_id": cls.company_a.id})
        cls.env["osmd.account"].create(
            {"premise_id": premise.id, "company_id": cls.company_a.id, "holder_id": other.id, "date_open": "2024-01-01"}
        )
        resident_user(cls.env, "e2e_other_building", other, cls.company_a).lang = "uk_UA"
        cls.chairman = cls.users_a["chairman"]
        cls.chairman.lang = "uk_UA"
        cls.announcement = cls.env["osmd.announcement"].create(
            {
                "name": "Відключення гарячої води 12 березня",
                "body": "<p>З 9:00 до 17:00 не буде гарячої води.</p>",
                "company_id": cls.company_a.id,
                "building_ids": [(6, 0, cls.data_a["building"].ids)],
            }
        )
        cls.emergency = cls.env["helpdesk.ticket.category"].search(
            [("company_id", "=", cls.company_a.id), ("osmd_kind", "=", "emergency")]
        )

    def test_emergency_request_answered_on_phones(self):
        photo = Path(self.env["ir.attachment"]._filestore()) / "e2e-leak.png"
        photo.write_bytes(PNG)
        in_progress = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        uk = in_progress.with_context(lang="uk_UA").name
        steps = self._run_scenario(
            SCENARIO,
            {
                "resident": {"login": "e2e_requester", "password": "e2e_requester_pwd_1"},
                "engineer": {"login": self.engineer.login, "password": self.engineer.login},
                "category_id": self.emergency.id,
                "subject": "Тече труба у ванній",
                "photo": str(photo),
                "stage_in_progress": uk,
                "reply": "Слюсар буде за пів години, перекрийте кран під раковиною.",
                "chairman": {"login": self.chairman.login, "password": self.chairman.login},
                "other": {"login": "e2e_other_building", "password": "e2e_other_building_pwd_1"},
                "announcement": {"id": self.announcement.id, "title": self.announcement.name},
                "close_button": "Закрити з коментарем",
                "close_note": "Замінено прокладку на стояку, протікання немає.",
                "feedback": "Прийшли швидко, дякую!",
            },
        )
        ticket = self.env["helpdesk.ticket"].browse(steps["request_sent"]["id"])
        self.assertEqual(ticket.osmd_account_id, self.data_a["accounts"][0])
        self.assertEqual(ticket.user_id, self.engineer)
        self.assertEqual(ticket.attachment_ids.mapped("mimetype"), ["image/png"])
        self.assertEqual(steps["resident_sees"]["stage"], uk)
        # closed by the engineer with a note; rated by the resident
        done = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        self.assertEqual(ticket.stage_id, done)
        self.assertEqual(steps["rated"]["stage"], done.with_context(lang="uk_UA").name)
        self.assertRecordValues(
            ticket._osmd_rating(),
            [{"rating": 5.0, "feedback": "Прийшли швидко, дякую!", "partner_id": self.resident.partner_id.id}],
        )
        self.assertIn("Прийшли швидко, дякую!", steps["rated"]["rated"])
        self.env.invalidate_all()
        self.assertEqual(self.announcement.state, "published", "published by the chairman on the phone")
        self.assertEqual(self.announcement.read_count, 1, "opened by the resident of the building")
        self.assertFalse(steps["other_building"]["sees"], "not shown in the other building")
        self._assert_pages_clean(steps)
