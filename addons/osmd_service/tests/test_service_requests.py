import base64
import json
import re
from datetime import timedelta

from lxml import html

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon
from odoo.addons.osmd_portal.tests.common import resident_user

# a 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install", "osmd")
class TestServiceRequests(OsmdCommon, HttpCase):
    """Residents' service requests: each association has its team, categories and reaction times; a resident sends
    a request for one of their accounts with photos; it reaches the engineer with its deadline; it is seen by its
    author and the people who see the account, never by other residents or another association."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write(
            {"osmd_chairman_id": cls.users_a["chairman"].id, "osmd_engineer_id": cls.users_a["engineer"].id}
        )
        cls.company_b.write({"osmd_chairman_id": cls.users_b["chairman"].id})
        cls.account1, cls.account2 = cls.data_a["accounts"]
        cls.payer, cls.co_owner, cls.neighbour = cls.data_a["owners"]  # account 1: payer, co-owner; 2: neighbour
        resident_user(cls.env, "req_payer", cls.payer, cls.company_a)
        resident_user(cls.env, "req_co_owner", cls.co_owner, cls.company_a)
        resident_user(cls.env, "req_neighbour", cls.neighbour, cls.company_a)
        resident_user(cls.env, "req_resident_b", cls.data_b["owners"][0], cls.company_b)
        Category = cls.env["helpdesk.ticket.category"]
        cls.emergency_a = Category.search([("company_id", "=", cls.company_a.id), ("osmd_kind", "=", "emergency")])
        cls.repair_b = Category.search([("company_id", "=", cls.company_b.id), ("osmd_kind", "=", "repair")])

    def _login(self, login):
        self.authenticate(login, f"{login}_pwd_1")

    def _token(self):
        page = self.url_open("/my/requests/new")
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _send(self, files=None, **data):
        values = {
            "csrf_token": self._token(),
            "account": str(self.account1.id),
            "category": str(self.emergency_a.id),
            "subject": "Тече труба у ванній",
            "description": "З учорашнього вечора капає зі стояка.",
            **data,
        }
        return self.url_open("/my/requests/new", data=values, files=files or {}, allow_redirects=False)

    def _tickets(self):
        return self.env["helpdesk.ticket"].sudo().search([("company_id", "in", (self.company_a | self.company_b).ids)])

    def test_each_association_has_its_team_categories_and_reaction_times(self):
        for company in (self.company_a, self.company_b):
            team = company.osmd_service_team_id
            self.assertEqual(team.company_id, company)
            categories = self.env["helpdesk.ticket.category"].search([("company_id", "=", company.id)])
            self.assertEqual(
                sorted(categories.mapped("osmd_kind")), ["complaint", "emergency", "other", "paid", "repair"]
            )
            self.assertEqual(set(categories.osmd_team_id), {team})
            emergency_sla = self.env["helpdesk.sla"].search(
                [("category_ids", "in", categories.filtered(lambda c: c.osmd_kind == "emergency").ids)]
            )
            self.assertEqual((emergency_sla.days, emergency_sla.hours, emergency_sla.team_ids), (0, 2, team))
        # the engineer set on the association joins the team and gets its requests first
        self.assertIn(self.users_a["engineer"], self.company_a.osmd_service_team_id.user_ids)
        self.assertEqual(self.emergency_a.osmd_user_id, self.users_a["engineer"])
        self.assertEqual(self.repair_b.osmd_user_id, self.users_b["chairman"], "no engineer in B: the chairman")

    def test_resident_sends_a_request_with_a_photo(self):
        self._login("req_payer")
        form = self.url_open("/my/requests/new").text
        self.assertIn(self.account1.number, form)
        options = html.fromstring(form).xpath
        self.assertEqual(options("//select[@name='account']/option/@value"), [str(self.account1.id)], "their own")
        self.assertEqual(
            sorted(options("//select[@name='category']/option/@value")),
            sorted(str(category.id) for category in self.emergency_a.search([("company_id", "=", self.company_a.id)])),
            "only their association's categories",
        )
        before = fields.Datetime.now()
        response = self._send(files={"photos": ("leak.png", PNG, "image/png")})
        self.assertEqual(response.status_code, 303, response.text[:500])
        ticket = self._tickets()
        self.assertEqual(len(ticket), 1)
        self.assertTrue(response.headers["Location"].endswith(f"/my/requests/{ticket.id}?created=1"))
        self.assertRecordValues(
            ticket,
            [
                {
                    "company_id": self.company_a.id,
                    "osmd_account_id": self.account1.id,
                    "osmd_premise_id": self.account1.premise_id.id,
                    "osmd_building_id": self.data_a["building"].id,
                    "team_id": self.company_a.osmd_service_team_id.id,
                    "user_id": self.users_a["engineer"].id,
                    "partner_id": self.payer.id,
                    "priority": "3",
                    "osmd_kind": "emergency",
                }
            ],
        )
        deadline = min(ticket.ticket_sla_ids.mapped("deadline"))
        self.assertAlmostEqual(deadline, before + timedelta(hours=2), delta=timedelta(minutes=2))
        self.assertEqual(ticket.attachment_ids.mapped("mimetype"), ["image/png"])
        page = self.url_open(f"/my/requests/{ticket.id}?created=1")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Тече труба у ванній", page.text)
        self.assertIn(f"/web/image/{ticket.attachment_ids.id}/", page.text)
        self.assertIn(ticket._osmd_deadline_text(), page.text, "when it is to be taken")
        # taken in time: no deadline any more
        ticket.with_user(self.users_a["engineer"]).stage_id = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        self.assertEqual(ticket.ticket_sla_ids.state, "accomplished")
        self.assertEqual(ticket._osmd_deadline_text(), "")

    def test_bad_input_names_the_field_and_writes_nothing(self):
        self._login("req_payer")
        cases = [
            ({"account": str(self.account2.id)}, None, "Choose one of your personal accounts"),
            ({"category": str(self.repair_b.id)}, None, "Choose what the request is about"),
            ({"subject": "  "}, None, "Say in a few words"),
            ({"description": ""}, None, "Describe the problem"),
            ({}, {"photos": ("notes.txt", b"not a photo", "image/png")}, "is not a photo"),
        ]
        for data, files, message in cases:
            with self.subTest(message=message):
                response = self._send(files=files, **data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        self.assertFalse(self._tickets())
        self.assertFalse(
            self.env["ir.attachment"].sudo().search([("res_model", "=", "helpdesk.ticket"), ("name", "=", "notes.txt")])
        )

    def test_who_sees_a_request(self):
        self._login("req_payer")
        self._send()
        ticket = self._tickets()
        url = f"/my/requests/{ticket.id}"
        # the co-owner sees the account, so its requests; the neighbour and association B's residents do not
        self._login("req_co_owner")
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertIn(ticket.number, self.url_open("/my/requests").text)
        for login in ("req_neighbour", "req_resident_b"):
            self._login(login)
            self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 404, login)
            self.assertNotIn(ticket.number, self.url_open("/my/requests").text, login)
            # OCA's own pages lead residents to the cabinet's, which checks the same
            response = self.url_open(f"/my/ticket/{ticket.id}", allow_redirects=False)
            self.assertTrue(response.headers["Location"].endswith(url))
        # staff: the engineer of A works on it; the chairman of B never reads it; the audit reads and cannot write
        self.assertTrue(ticket.with_user(self.users_a["engineer"]).has_access("write"))
        self.assertFalse(
            self.env["helpdesk.ticket"].with_user(self.users_b["chairman"]).search([("id", "=", ticket.id)])
        )
        with self.assertRaises(AccessError):
            ticket.with_user(self.users_b["chairman"]).read(["name"])
        self.assertEqual(ticket.with_user(self.users_a["audit"]).read(["name"])[0]["name"], ticket.name)
        with self.assertRaises(AccessError):
            ticket.with_user(self.users_a["audit"]).write({"name": "x"})

    def test_ocas_form_is_closed_to_smuggled_associations(self):
        # a resident is sent to the cabinet's form; a chairman of B cannot file a request into A through OCA's
        self._login("req_payer")
        response = self.url_open("/new/ticket", allow_redirects=False)
        self.assertTrue(response.headers["Location"].endswith("/my/requests/new"))
        self.authenticate(self.users_b["chairman"].login, self.users_b["chairman"].login)
        page = self.url_open("/new/ticket")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            "/submitted/ticket",
            data={"csrf_token": token, "category": str(self.emergency_a.id), "subject": "x", "description": "y"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self._tickets())

    def test_late_emergency_goes_to_the_chairman_once(self):
        self._login("req_payer")
        self._send()
        ticket = self._tickets()
        ticket.ticket_sla_ids.write({"deadline": fields.Datetime.now() - timedelta(minutes=5)})
        ticket.invalidate_recordset()
        Ticket = self.env["helpdesk.ticket"]
        self.assertEqual(Ticket._cron_osmd_escalate(), ticket)
        activity = self.env["mail.activity"].search([("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)])
        self.assertEqual(activity.user_id, self.users_a["chairman"])
        self.assertTrue(ticket.osmd_escalated)
        self.assertFalse(Ticket._cron_osmd_escalate(), "once")

    def test_stage_changes_reach_each_resident_as_they_want(self):
        from odoo.addons.osmd_billing.tests.test_sending import start_fake_gateway  # noqa: PLC0415

        start_fake_gateway(self, self.company_a)
        self._login("req_payer")
        self._send()
        ticket = self._tickets()
        ticket.message_subscribe(partner_ids=self.co_owner.ids)  # the co-owner follows it too
        self.payer.write({"osmd_notify_requests": "sms", "phone": "050 111 22 33"})
        self.co_owner.write({"osmd_notify_requests": "none", "email": "olena@example.com"})
        in_progress = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        ticket.with_user(self.users_a["engineer"]).write({"stage_id": in_progress.id})
        sms = self.env["sms.sms"].sudo().search([("osmd_company_id", "=", self.company_a.id)])
        self.assertEqual(sms.partner_id, self.payer, "SMS to the one who chose SMS, with a phone")
        self.assertEqual(sms.number, "+380501112233")
        self.assertIn(ticket.number, sms.body)
        self.assertIn(in_progress.name, sms.body)
        # an answer from the engineer: e-mailed to residents who want e-mails only
        message = ticket.with_user(self.users_a["engineer"]).message_post(
            body="Слюсар буде за пів години.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        emailed = message.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id
        self.assertNotIn(self.co_owner, emailed, "she wants nothing")
        self.assertNotIn(self.payer, emailed, "he wants SMS")
        self.co_owner.osmd_notify_requests = "email"
        message = ticket.with_user(self.users_a["engineer"]).message_post(
            body="Виконано.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertIn(
            self.co_owner,
            message.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id,
        )

    def _post(self, account, body):
        return self.url_open(
            "/mail/message/post",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "thread_model": "osmd.account",
                        "thread_id": account.id,
                        "post_data": {"body": body, "message_type": "comment", "partner_ids": [self.neighbour.id]},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        ).json()

    def _account_messages(self, account, user=None):
        Message = self.env["mail.message"].with_user(user) if user else self.env["mail.message"].sudo()
        return Message.search([("model", "=", "osmd.account"), ("res_id", "=", account.id)])

    def test_residents_write_to_the_board_on_their_account(self):
        self._login("req_payer")
        page = self.url_open(f"/my/accounts/{self.account1.id}")
        self.assertIn('data-res_model="osmd.account"', page.text, "the conversation on the account page")
        answer = self._post(self.account1, "Чому опалення подорожчало?")
        self.assertNotIn("error", answer, answer)
        message = self._account_messages(self.account1).filtered(lambda m: m.author_id == self.payer)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.users_a["chairman"].partner_id, "to the chairman, nobody else")
        self.assertFalse(message.subtype_id.internal)
        # another account: refused, nothing written
        answer = self._post(self.account2, "Сусідський рахунок")
        self.assertIn("error", answer)
        self.assertFalse(self._account_messages(self.account2).filtered(lambda m: m.author_id == self.payer))
        # the chairman answers, the accountant leaves an internal note: the resident reads the answer only
        self.account1.with_user(self.users_a["chairman"]).message_post(
            body="Новий тариф з 1 березня.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.account1.with_user(self.users_a["accountant"]).message_post(
            body="Внутрішня нотатка", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        resident = self.env["res.users"].search([("login", "=", "req_payer")])
        seen = self._account_messages(self.account1, resident).mapped("body")
        self.assertTrue(any("Новий тариф" in body for body in seen))
        self.assertFalse(any("Внутрішня нотатка" in body for body in seen))
        neighbour = self.env["res.users"].search([("login", "=", "req_neighbour")])
        self.assertFalse(self._account_messages(self.account1, neighbour), "never another account's thread")
