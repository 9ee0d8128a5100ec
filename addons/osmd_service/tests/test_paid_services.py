import re

from lxml import html

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon
from odoo.addons.osmd_portal.tests.common import resident_user


@tagged("post_install", "-at_install", "osmd")
class TestPaidServicesAndClosing(OsmdCommon, HttpCase):
    """A paid service: the board offers a price, the resident who pays accepts it in the cabinet and a one-off
    charge waits for the account's next invoice; the engineer closes a request with a note; its author rates it;
    each stage reaches the residents as they chose, in the association's words."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write(
            {"osmd_chairman_id": cls.users_a["chairman"].id, "osmd_engineer_id": cls.users_a["engineer"].id}
        )
        cls.account1, cls.account2 = cls.data_a["accounts"]
        cls.payer, cls.co_owner, cls.neighbour = cls.data_a["owners"]  # account 1: payer (holder), co-owner
        resident_user(cls.env, "paid_payer", cls.payer, cls.company_a)
        resident_user(cls.env, "paid_co_owner", cls.co_owner, cls.company_a)
        resident_user(cls.env, "paid_neighbour", cls.neighbour, cls.company_a)
        resident_user(cls.env, "paid_resident_b", cls.data_b["owners"][0], cls.company_b)
        Category = cls.env["helpdesk.ticket.category"]
        cls.paid_a = Category.search([("company_id", "=", cls.company_a.id), ("osmd_kind", "=", "paid")])
        cls.repair_a = Category.search([("company_id", "=", cls.company_a.id), ("osmd_kind", "=", "repair")])

    def _request(self, category=None, author=None):
        ticket = (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                {
                    "company_id": self.company_a.id,
                    "category_id": (category or self.paid_a).id,
                    "osmd_account_id": self.account1.id,
                    "name": "Встановити бойлер",
                    "description": "<p>Бойлер на 80 л у ванній.</p>",
                    "partner_id": (author or self.payer).id,
                }
            )
        )
        ticket.message_subscribe(partner_ids=(author or self.payer).ids)
        return ticket

    def _login(self, login):
        self.authenticate(login, f"{login}_pwd_1")
        page = self.url_open("/my/requests/new")
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _offer(self, ticket, price="1500.00"):
        chairman = self.users_a["chairman"]
        ticket.with_user(chairman).write({"osmd_price": float(price), "osmd_price_description": "Бойлер і монтаж"})
        ticket.with_user(chairman).action_osmd_propose_price()

    def _answer(self, ticket, token, answer):
        return self.url_open(
            f"/my/requests/{ticket.id}/price", data={"csrf_token": token, "answer": answer}, allow_redirects=False
        )

    def _charges(self):
        return self.env["osmd.extra.charge"].sudo().search([("company_id", "=", self.company_a.id)])

    def test_the_payer_accepts_the_price_and_it_waits_for_the_next_invoice(self):
        ticket = self._request()
        # only the board sets prices, only on paid services
        with self.assertRaises(AccessError):
            ticket.with_user(self.users_a["engineer"]).action_osmd_propose_price()
        with self.assertRaises(UserError):
            self._offer(self._request(category=self.repair_a))
        self._offer(ticket)
        self.assertEqual(ticket.osmd_price_state, "proposed")
        self.assertFalse(self._charges(), "nothing charged before the resident accepts")
        # the co-owner reads the request but does not pay: no buttons, and a forged answer is refused
        token = self._login("paid_co_owner")
        page = self.url_open(f"/my/requests/{ticket.id}").text
        self.assertIn("1\xa0500,00", page)
        self.assertNotIn('value="accept"', page)
        response = self._answer(ticket, token, "accept")
        self.assertEqual(response.status_code, 200)
        self.assertIn("account&#39;s holder answers the price", response.text)
        self.assertEqual(ticket.osmd_price_state, "proposed")
        # the neighbour and another association's resident do not even see it
        for login in ("paid_neighbour", "paid_resident_b"):
            token = self._login(login)
            self.assertEqual(self._answer(ticket, token, "accept").status_code, 404, login)
        self.assertFalse(self._charges())
        # the payer accepts
        token = self._login("paid_payer")
        page = self.url_open(f"/my/requests/{ticket.id}").text
        self.assertIn('value="accept"', page)
        response = self._answer(ticket, token, "accept")
        self.assertEqual(response.status_code, 303)
        charge = self._charges()
        self.assertRecordValues(
            charge,
            [
                {
                    "account_id": self.account1.id,
                    "amount": 1500.0,
                    "state": "pending",
                    "origin": ticket.number,
                    "product_id": self.env.ref("osmd_billing.product_osmd_paid_service").id,
                }
            ],
        )
        self.assertIn("Бойлер і монтаж", charge.name)
        self.assertRecordValues(
            ticket,
            [
                {
                    "osmd_price_state": "accepted",
                    "osmd_price_answered_by": self.payer.id,
                    "osmd_extra_charge_id": charge.id,
                }
            ],
        )
        box = html.fromstring(self.url_open(f"/my/requests/{ticket.id}?done=price").text).get_element_by_id(
            "osmd_price"
        )
        self.assertIn(f"Accepted by {self.payer.name}", " ".join(box.text_content().split()))
        self.assertFalse(box.xpath(".//button"), "nothing left to answer")
        # twice: refused, one charge
        response = self._answer(ticket, token, "accept")
        self.assertIn("no price waiting", response.text)
        self.assertEqual(len(self._charges()), 1)
        # the board cannot change an accepted price
        with self.assertRaises(UserError):
            ticket.with_user(self.users_a["chairman"]).action_osmd_propose_price()

    def test_declined_price_charges_nothing_and_can_be_offered_again(self):
        ticket = self._request()
        self._offer(ticket, "2000")
        token = self._login("paid_payer")
        self.assertEqual(self._answer(ticket, token, "decline").status_code, 303)
        self.assertEqual(ticket.osmd_price_state, "declined")
        self.assertFalse(self._charges())
        self._offer(ticket, "1800")
        self.assertEqual(ticket.osmd_price_state, "proposed")
        self.assertEqual(self._answer(ticket, token, "accept").status_code, 303)
        self.assertEqual(self._charges().amount, 1800.0)

    def test_engineer_closes_with_a_note_and_the_author_rates_it(self):
        ticket = self._request(category=self.repair_a)
        self.co_owner.write({"osmd_notify_requests": "email", "email": "olena@example.com"})
        self.payer.write({"osmd_notify_requests": "none", "email": "petro@example.com"})
        ticket.message_subscribe(partner_ids=self.co_owner.ids)
        token = self._login("paid_payer")
        # not closed yet: no rating
        response = self.url_open(f"/my/requests/{ticket.id}/rate", data={"csrf_token": token, "score": "5"})
        self.assertIn("once it is closed", response.text)
        engineer = self.users_a["engineer"]
        wizard = (
            self.env["osmd.ticket.close"]
            .with_user(engineer)
            .create({"ticket_id": ticket.id, "note": "Замінено кран на стояку."})
        )
        Mail = self.env["mail.mail"].sudo()
        before = Mail.search([])
        wizard.action_close()
        self.assertTrue(ticket.closed)
        self.assertEqual(ticket.stage_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done"))
        # the note is a reply the residents read
        note = ticket.message_ids.filtered(lambda message: "Замінено кран на стояку." in (message.body or ""))
        self.assertEqual(len(note), 1)
        self.assertRecordValues(note, [{"message_type": "comment", "author_id": engineer.partner_id.id}])
        self.assertFalse(note.subtype_id.internal, "a reply the residents read, not an internal note")
        # the stage e-mail: to the co-owner who wants e-mails, in Ukrainian; not to the payer; not OCA's
        mails = Mail.search([]) - before
        self.assertEqual(mails.recipient_ids, self.co_owner, mails.mapped("subject"))
        lang = self.co_owner._osmd_document_lang(self.company_a)
        stage_name = ticket.stage_id.with_context(lang=lang).name
        stage_mail = mails.filtered(lambda mail: (mail.subject or "").endswith(f"{ticket.number}: {stage_name}"))
        self.assertEqual(len(stage_mail), 1, mails.mapped("subject"))
        self.assertNotIn("has been closed", " ".join(mails.mapped("subject")), "not OCA's English template")
        self.assertIn("Замінено кран", " ".join(mails.mapped("body_html")), "the note reaches her too")
        # the co-owner cannot rate the payer's request; the payer rates it once
        token_co = self._login("paid_co_owner")
        response = self.url_open(f"/my/requests/{ticket.id}/rate", data={"csrf_token": token_co, "score": "1"})
        self.assertIn("Only the author", response.text)
        token = self._login("paid_payer")
        response = self.url_open(
            f"/my/requests/{ticket.id}/rate",
            data={"csrf_token": token, "score": "5", "feedback": "Швидко і чисто"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        rating = ticket._osmd_rating()
        self.assertRecordValues(rating, [{"rating": 5.0, "feedback": "Швидко і чисто", "partner_id": self.payer.id}])
        response = self.url_open(f"/my/requests/{ticket.id}/rate", data={"csrf_token": token, "score": "1"})
        self.assertIn("already rated", response.text)
        self.assertEqual(ticket._osmd_rating().rating, 5.0)
        # a resident of another association: 404
        token_b = self._login("paid_resident_b")
        response = self.url_open(f"/my/requests/{ticket.id}/rate", data={"csrf_token": token_b, "score": "1"})
        self.assertEqual(response.status_code, 404)
