from datetime import date, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon
from odoo.addons.osmd_billing.tests.test_sending import start_fake_gateway
from odoo.addons.osmd_portal.tests.common import resident_user


@tagged("post_install", "-at_install", "osmd")
class TestAnnouncements(OsmdCommon, HttpCase):
    """The board announces to chosen buildings and entrances: the residents there see it in the cabinet while it is
    valid and get it as they chose (e-mail, SMS; an urgent one by SMS to everyone with a phone); other buildings and
    associations never see it; opening it is counted once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server, cls.provider = start_fake_gateway(cls, cls.company_a)
        cls.account1, cls.account2 = cls.data_a["accounts"]
        cls.payer, cls.co_owner, cls.neighbour = cls.data_a["owners"]
        # a second building of association A with one flat and its resident
        cls.building2 = cls.env["osmd.building"].create(
            {"name": "Будинок А2", "company_id": cls.company_a.id, "street": "вул. Інша, 2", "city": "Київ"}
        )
        premise = cls.env["osmd.premise"].create(
            {"building_id": cls.building2.id, "number": "7", "total_area": 50.0, "entrance": 1, "floor": 1}
        )
        cls.other = cls.env["res.partner"].create({"name": "Мешканець А2", "company_id": cls.company_a.id})
        cls.env["osmd.account"].create(
            {
                "premise_id": premise.id,
                "company_id": cls.company_a.id,
                "holder_id": cls.other.id,
                "date_open": "2024-01-01",
            }
        )
        resident_user(cls.env, "ann_payer", cls.payer, cls.company_a)
        resident_user(cls.env, "ann_other", cls.other, cls.company_a)
        resident_user(cls.env, "ann_b", cls.data_b["owners"][0], cls.company_b)
        cls.payer.write({"osmd_notify_news": "email", "email": "ivan@example.com"})
        cls.neighbour.write({"osmd_notify_news": "sms", "phone": "067 123 45 67"})
        cls.co_owner.write({"osmd_notify_news": "none", "phone": "050 222 33 44"})

    def _announcement(self, **vals):
        return (
            self.env["osmd.announcement"]
            .with_user(self.users_a["chairman"])
            .create(
                {
                    "name": "Відключення гарячої води",
                    "body": "<p>12 березня з 9:00 до 17:00 не буде гарячої води.</p>",
                    "company_id": self.company_a.id,
                    "building_ids": [(6, 0, self.data_a["building"].ids)],
                    **vals,
                }
            )
        )

    def _sms(self):
        return self.env["sms.sms"].sudo().search([("osmd_company_id", "=", self.company_a.id)])

    def test_published_to_one_building_as_each_resident_chose(self):
        announcement = self._announcement()
        self.authenticate("ann_payer", "ann_payer_pwd_1")
        self.assertNotIn(announcement.name, self.url_open("/my").text, "a draft is not shown")
        announcement.action_publish()
        self.assertEqual(announcement.state, "published")
        # building A's people: payer and co-owner (account 1), neighbour (account 2); not building A2's resident
        self.assertEqual(announcement.recipient_count, 3)
        message = announcement.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(message.partner_ids, self.payer, "by e-mail to those who want e-mail")
        self.assertEqual(self._sms().partner_id, self.neighbour, "by SMS to those who want SMS")
        # the cabinet: shown to building A, opening it counts once
        home = self.url_open("/my").text
        self.assertIn(announcement.name, home)
        page = self.url_open(f"/my/announcements/{announcement.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("не буде гарячої води", page.text)
        self.url_open(f"/my/announcements/{announcement.id}")
        self.assertEqual(announcement.read_count, 1)
        for login in ("ann_other", "ann_b"):
            self.authenticate(login, f"{login}_pwd_1")
            self.assertNotIn(announcement.name, self.url_open("/my").text, login)
            response = self.url_open(f"/my/announcements/{announcement.id}", allow_redirects=False)
            self.assertEqual(response.status_code, 404, login)

    def test_urgent_goes_by_sms_to_everyone_with_a_phone(self):
        self._announcement(urgent=True, name="Аварія на водогоні").action_publish()
        self.assertEqual(
            set(self._sms().mapped("number")),
            {"+380671234567", "+380502223344"},
            "the neighbour and the co-owner who wants nothing: both have a phone; the payer has none",
        )

    def test_entrances_dates_and_other_associations(self):
        self.account2.premise_id.entrance = 2
        announcement = self._announcement(entrances="2")
        announcement.action_publish()
        self.assertEqual(announcement.recipient_count, 1, "the neighbour of entrance 2 only")
        self.authenticate("ann_payer", "ann_payer_pwd_1")
        self.assertEqual(self.url_open(f"/my/announcements/{announcement.id}").status_code, 404)
        # over: no longer shown
        expired = self._announcement(
            name="Прибирання подвір'я минуло",
            entrances=False,
            date_start=date.today() - timedelta(days=10),
            date_end=date.today() - timedelta(days=1),
        )
        expired.action_publish()
        self.assertEqual(expired.recipient_count, 3, "sent while it was valid for building A")
        self.assertNotIn("Прибирання подвір", self.url_open("/my").text)
        self.assertEqual(self.url_open(f"/my/announcements/{expired.id}").status_code, 404)
        # another association's chairman neither reads nor publishes it; the audit reads it
        with self.assertRaises(AccessError):
            announcement.with_user(self.users_b["chairman"]).read(["name"])
        self.assertEqual(announcement.with_user(self.users_a["audit"]).read(["name"])[0]["name"], announcement.name)
        with self.assertRaises(AccessError):
            announcement.with_user(self.users_a["audit"]).write({"name": "x"})
