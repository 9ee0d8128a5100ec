import base64
from datetime import date, timedelta

from lxml import html

from odoo.fields import Command
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.osmd_billing.tests.common import PERIOD
from odoo.addons.osmd_payments.tests.common import PaymentsCommon

from ..models.ir_ui_view import ODOO_MODULES, ODOO_TERMS_UK
from .common import resident_user

NBSP = "\N{NO-BREAK SPACE}"


@tagged("post_install", "-at_install")
class TestResidentCabinet(PaymentsCommon, HttpCase):
    """A resident's cabinet: their accounts with balance, debt by service, the date to pay by, the accruals with
    their explanations, receipts, payments and the account book; never anybody else's, by URL or id."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payer = cls.data_a["owners"][0]  # holder of account 1
        cls.neighbour_partner = cls.data_a["owners"][2]  # holder of account 2
        cls.resident = resident_user(cls.env, "cabinet_payer", cls.payer, cls.company_a)
        cls.neighbour = resident_user(cls.env, "cabinet_neighbour", cls.neighbour_partner, cls.company_a)
        run = cls._create_run()
        run.action_compute()
        run.action_post()
        cls.invoice1 = run.move_ids.filtered(lambda move: move.osmd_account_id == cls.account1)
        cls.invoice2 = run.move_ids.filtered(lambda move: move.osmd_account_id == cls.account2)
        cls.lines1 = run.line_ids.filtered(lambda line: line.account_id == cls.account1)
        cls.payment = cls._pay(cls.account1, 25.00, PERIOD + timedelta(days=20))
        # the accountant registers a payment on the invoice (Odoo's "Register payment")
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice1.ids
        ).create({"amount": 10.00, "payment_date": PERIOD + timedelta(days=25)}).action_create_payments()
        cls.paid = 35.00

    @classmethod
    def _pay(cls, account, amount, day):
        """A bank payment of the account, posted and reconciled with its invoices as the import does."""
        journal = cls.journal_a
        move = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": day,
                "osmd_account_id": account.id,
                "partner_id": account.holder_id.id,
                "line_ids": [
                    Command.create({"account_id": journal.default_account_id.id, "balance": amount, "name": "Оплата"}),
                    Command.create(
                        {
                            "account_id": account.holder_id.with_company(
                                cls.company_a
                            ).property_account_receivable_id.id,
                            "partner_id": account.holder_id.id,
                            "balance": -amount,
                            "name": "Оплата",
                        }
                    ),
                ],
            }
        )
        move.action_post()
        cls.env["account.move.line"]._osmd_reconcile_with_debts(
            move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        )
        return move

    @staticmethod
    def money(value):
        return f"{value:,.2f}".replace(",", NBSP).replace(".", ",")

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def test_home_shows_the_accounts_balance_pay_by_and_last_payment(self):
        self.authenticate("cabinet_payer", "cabinet_payer_pwd_1")
        page = self._get("/my")
        self.assertEqual(page.status_code, 200)
        balance = self.invoice1.amount_total - self.paid
        self.assertIn(self.account1.number, page.text)
        self.assertIn(self.money(balance), page.text)
        self.assertIn(self.invoice1.invoice_date_due.strftime("%d.%m.%Y"), page.text, "pay by")
        self.assertIn(self.money(10.00), page.text, "the last payment, registered by the accountant")
        self.assertIn(f"/my/osmd/accounts/{self.account1.id}/pay", page.text)
        self.assertNotIn(self.account2.number, page.text)
        self.assertNotIn(self.neighbour_partner.name, page.text)
        # one account: /my/balance and /my/accounts lead to it
        for url in ("/my/balance", "/my/accounts"):
            response = self._get(url)
            self.assertEqual(response.status_code, 303, url)
            self.assertTrue(response.headers["Location"].endswith(f"/my/accounts/{self.account1.id}"))

    def test_account_page_explains_every_accrual(self):
        self.authenticate("cabinet_payer", "cabinet_payer_pwd_1")
        page = self._get(f"/my/accounts/{self.account1.id}")
        self.assertEqual(page.status_code, 200)
        self.assertTrue(self.lines1)
        for line in self.lines1:
            self.assertIn(line.explanation, page.text)
        self.assertIn(f"/my/accounts/{self.account1.id}/receipts/{self.invoice1.id}", page.text)
        # debt by service: what is left of each service after the payment (oldest first)
        owed, _other = self.account1._osmd_debt_by_service()
        self.assertTrue(owed)
        for product, amount in owed:
            self.assertIn(self.money(amount), page.text, product.name)
        self.assertIn(self.company_a.osmd_iban, page.text, "the bank details, the no-fee alternative")
        # the NBU payment link of the amount due: on a phone it opens the bank's app with the payment filled in
        link = html.fromstring(page.text).xpath("//a[starts-with(@href, 'https://bank.gov.ua/qr/')]/@href")
        self.assertEqual(len(link), 1)
        payload = base64.urlsafe_b64decode(link[0].removeprefix("https://bank.gov.ua/qr/") + "==").decode()
        due = self.invoice1.amount_total - self.paid
        self.assertIn(f"UAH{due:.2f}", payload.splitlines())
        self.assertIn(self.company_a.osmd_iban, payload.splitlines())
        self.assertIn(f"о/р {self.account1.number}", payload)

    def test_receipt_is_the_associations(self):
        self.authenticate("cabinet_payer", "cabinet_payer_pwd_1")
        response = self._get(f"/my/accounts/{self.account1.id}/receipts/{self.invoice1.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.account1.number, response.text)
        self.assertIn("bank.gov.ua/qr/", response.text, "the NBU payment QR link")

    def test_account_book_runs_the_balance(self):
        self.authenticate("cabinet_payer", "cabinet_payer_pwd_1")
        response = self._get(f"/my/accounts/{self.account1.id}/book?date_from=2026-01-01&date_to=2026-12-31")
        self.assertEqual(response.status_code, 200)
        text = response.text
        total = self.invoice1.amount_total
        self.assertIn(self.money(total), text)
        self.assertIn(self.money(25.00), text)
        self.assertIn(self.money(10.00), text, "the payment registered on the invoice is in the book")
        self.assertIn(self.money(total - self.paid), text, "the closing balance")
        self.assertEqual(self.account1.balance, total - self.paid)
        first, second = sorted([(self.invoice1.date, self.invoice1.name), (self.payment.date, self.payment.name)])
        self.assertLess(text.index(first[1]), text.index(second[1]), "in the order of the ledger's dates")
        # a period before the holding began starts at its first day
        response = self._get(f"/my/accounts/{self.account1.id}/book?date_from=2001-01-01&date_to=2026-12-31")
        self.assertIn("01.01.2020", response.text)
        # a date that is not one: the default period and a message, not an error page
        response = self._get(f"/my/accounts/{self.account1.id}/book?date_from=31-02-2026")
        self.assertEqual(response.status_code, 200)

    def test_nobody_reads_what_is_not_theirs(self):
        account1, invoice1 = self.account1, self.invoice1
        urls = [
            f"/my/accounts/{account1.id}",
            f"/my/accounts/{account1.id}/book",
            f"/my/accounts/{account1.id}/receipts/{invoice1.id}",
            f"/my/accounts/{self.account2.id}/receipts/{invoice1.id}",  # their own account, someone else's receipt
            f"/my/accounts/{self.account_b1.id}",  # another association
            "/my/accounts/999999",
        ]
        self.authenticate("cabinet_neighbour", "cabinet_neighbour_pwd_1")
        for url in urls:
            self.assertEqual(self._get(url).status_code, 404, url)
        home = self._get("/my").text
        self.assertNotIn(account1.number, home)
        self.assertNotIn(self.payer.name, home)
        self.assertIn(self.account2.number, home)
        # a staff member (chairman) sees no resident's card on their own /my
        self.authenticate(self.users_a["chairman"].login, self.users_a["chairman"].login)
        self.assertNotIn(account1.number, self._get("/my").text)
        # anonymous: to the login page
        self.authenticate(None, None)
        response = self._get(f"/my/accounts/{account1.id}")
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_odoo_invoice_pages_lead_to_the_cabinet(self):
        self.authenticate("cabinet_payer", "cabinet_payer_pwd_1")
        self.assertNotIn("/my/invoices?filterby=invoices", self._get("/my").text, "no Odoo invoice list on /my")
        self.assertTrue(self._get("/my/invoices").headers["Location"].endswith("/my/accounts"))
        page = self._get(f"/my/invoices/{self.invoice1.id}")
        self.assertTrue(page.headers["Location"].endswith(f"/my/accounts/{self.account1.id}"))
        pdf = self._get(f"/my/invoices/{self.invoice1.id}?report_type=pdf&download=true")
        self.assertTrue(
            pdf.headers["Location"].endswith(f"/my/accounts/{self.account1.id}/receipts/{self.invoice1.id}?download=1")
        )
        # someone else's invoice: Odoo's own answer (back to /my), never a way into that account
        self.authenticate("cabinet_neighbour", "cabinet_neighbour_pwd_1")
        response = self._get(f"/my/invoices/{self.invoice1.id}")
        self.assertNotIn(f"/my/accounts/{self.account1.id}", response.headers.get("Location", ""))

    def test_notification_preferences_are_the_persons_own(self):
        self.authenticate("cabinet_payer", "cabinet_payer_pwd_1")
        page = self.url_open("/my/notifications")
        self.assertEqual(page.status_code, 200)
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        self.url_open(
            "/my/notifications",
            data={
                "csrf_token": token,
                "osmd_notify_receipts": "none",
                "osmd_notify_debt": "email",
                "osmd_notify_news": "fax",  # not a choice: unchanged
                "name": "Someone else",  # not a preference: never written
                "osmd_document_lang": "en_US",
            },
        )
        self.payer.invalidate_recordset()
        self.assertEqual(
            (self.payer.osmd_notify_receipts, self.payer.osmd_notify_debt, self.payer.osmd_notify_news),
            ("none", "email", "email"),
        )
        self.assertNotEqual(self.payer.name, "Someone else")
        self.assertFalse(self.payer.osmd_document_lang)
        self.assertEqual(self.neighbour_partner.osmd_notify_receipts, "email", "nobody else's")

    def test_contact_details_checked_and_all_or_nothing(self):
        self.authenticate("cabinet_payer", "cabinet_payer_pwd_1")
        page = self.url_open("/my/notifications")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        before = (self.payer.email, self.payer.phone, self.payer.osmd_notify_readings)

        def post(**data):
            return self.url_open("/my/notifications", data={"csrf_token": token, **data})

        # a wrong phone: refused with the message, the e-mail and the choice typed with it not saved either
        response = post(email="new@example.com", phone="12345", osmd_notify_readings="sms")
        self.assertIn("osmd_phone_error", response.text)
        self.assertIn('value="12345"', response.text, "the form comes back as typed")
        self.payer.invalidate_recordset()
        self.assertEqual((self.payer.email, self.payer.phone, self.payer.osmd_notify_readings), before)
        response = post(email="not an address", phone="050 111 22 33")
        self.assertIn("osmd_email_error", response.text)
        self.payer.invalidate_recordset()
        self.assertEqual((self.payer.email, self.payer.phone), before[:2])
        # right ones: kept, the phone in international form; another person's contact is never the target
        post(
            email=" New@Example.com ",
            phone="050 111 22 33",
            osmd_notify_readings="sms",
            partner_id=str(self.neighbour_partner.id),
        )
        self.payer.invalidate_recordset()
        self.assertEqual(
            (self.payer.email, self.payer.phone, self.payer.osmd_notify_readings),
            ("new@example.com", "+380501112233", "sms"),
        )
        self.assertNotEqual(self.neighbour_partner.email, "new@example.com")
        # Odoo's address pages (a street and a ZIP code to change a phone) lead a resident here; staff keep them
        for url in ("/my/account", "/my/addresses", "/my/address"):
            self.assertTrue(self._get(url).headers.get("Location", "").endswith("/my/notifications"), url)
        self.assertNotIn("/my/addresses", self._get("/my").text)
        self.authenticate(self.users_a["chairman"].login, self.users_a["chairman"].login)
        self.assertEqual(self._get("/my/account").status_code, 200)

    def test_former_holder_loses_access_the_day_the_holding_ends(self):
        self.authenticate("cabinet_payer", "cabinet_payer_pwd_1")
        self.assertEqual(self._get(f"/my/accounts/{self.account1.id}").status_code, 200)
        # the holder sells their half to the neighbour today (the registry's transfer: ownership, holding and the
        # seller's registration end yesterday)
        self._sell_share(self.payer, self.neighbour_partner)
        self.assertEqual(self.account1.holder_id, self.neighbour_partner)
        self.env.flush_all()
        for url in (f"/my/accounts/{self.account1.id}", f"/my/accounts/{self.account1.id}/receipts/{self.invoice1.id}"):
            self.assertEqual(self._get(url).status_code, 404, url)
        self.assertNotIn(self.account1.number, self._get("/my").text)
        # the new holder sees the account from their first day: not the accruals and payments before
        self.authenticate("cabinet_neighbour", "cabinet_neighbour_pwd_1")
        page = self._get(f"/my/accounts/{self.account1.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(f"/receipts/{self.invoice1.id}", page.text)
        self.assertEqual(self._get(f"/my/accounts/{self.account1.id}/receipts/{self.invoice1.id}").status_code, 404)

    def _sell_share(self, seller, buyer):
        """``seller`` sells their half of account 1's flat to ``buyer`` today, through the registry's transfer."""
        premise = self.account1.premise_id
        form = Form(self.env["osmd.ownership.transfer"].with_context(default_premise_id=premise.id))
        form.date = date.today()
        form.reason = "sale"
        form.document_number = "77"
        with form.line_ids.new() as line:
            line.partner_id = buyer
            line.share_numerator = 1
            line.share_denominator = 2
        wizard = form.save()
        wizard.close_ownership_ids = premise.ownership_ids.filtered(
            lambda line: line.partner_id == seller and not line.date_end
        )
        wizard.action_apply()

    def test_who_sees_an_account_is_the_associations_choice(self):
        """Holders always; co-owners of the premise and registered residents as the association decides; a
        resident whose cabinet access is unticked (a child) only as a co-owner; nobody after their period."""
        account, company = self.account1, self.company_a
        co_owner = self.data_a["owners"][1]  # owns 1/2 of the flat and lives there, not the holder
        tenant = self.env["res.partner"].create({"name": "Мешканка Ганна", "company_id": company.id})
        self.env["osmd.resident"].create(
            {"account_id": account.id, "partner_id": tenant.id, "relation": "tenant", "date_start": "2025-01-01"}
        )
        resident_user(self.env, "cabinet_co_owner", co_owner, company)
        resident_user(self.env, "cabinet_tenant", tenant, company)
        url = f"/my/accounts/{account.id}"

        def status(login):
            self.env.flush_all()
            self.authenticate(login, f"{login}_pwd_1")
            return self._get(url).status_code

        def sees(partner):
            return account in self.env["osmd.account"].search([("portal_partner_ids", "in", partner.ids)])

        self.assertEqual((status("cabinet_co_owner"), status("cabinet_tenant")), (200, 200))
        company.osmd_portal_residents = False
        self.assertEqual((status("cabinet_co_owner"), status("cabinet_tenant")), (200, 404), "co-owner, not tenant")
        self.assertEqual(status("cabinet_payer"), 200, "the holder always")
        company.osmd_portal_co_owners = False
        self.assertEqual(status("cabinet_co_owner"), 404)
        self.assertFalse(sees(co_owner))
        # residents again, but her cabinet access is unticked: she sees it only as a co-owner
        company.write({"osmd_portal_residents": True, "osmd_portal_co_owners": True})
        account.resident_ids.filtered(lambda line: line.partner_id == co_owner).has_portal_access = False
        self.assertEqual(status("cabinet_co_owner"), 200)
        self.assertEqual(
            set(account._get_portal_starts(date.today()).get((account.id, p.id)) for p in (co_owner, tenant)),
            {date(2020, 1, 1), date(2025, 1, 1)},
            "each sees the account's history from their own first day",
        )
        # she sells her half today: no more access
        self._sell_share(co_owner, self.env["res.partner"].create({"name": "Покупець", "company_id": company.id}))
        self.assertEqual(status("cabinet_co_owner"), 404)
        self.assertFalse(sees(co_owner))
        self.assertTrue(sees(tenant))
        # another association's settings never open this one
        self.company_b.write({"osmd_portal_residents": True, "osmd_portal_co_owners": True})
        company.osmd_portal_residents = False
        self.assertEqual(status("cabinet_tenant"), 404)


@tagged("post_install", "-at_install")
class TestCabinetSpeaksUkrainian(PaymentsCommon, HttpCase):
    """The resident's pages in Ukrainian, Odoo's own words on them included; the association's name instead of
    Odoo's "Your logo" picture."""

    def test_no_english_left_on_the_residents_pages(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms([*ODOO_MODULES, "osmd_portal"], ["uk_UA"], overwrite=True)
        self.env["ir.ui.view"]._osmd_translate_odoo_terms()
        resident_user(self.env, "uk_resident", self.data_a["owners"][0], self.company_a, lang="uk_UA")
        login = self.url_open("/web/login").text  # no language chosen: Ukrainian
        self.authenticate("uk_resident", "uk_resident_pwd_1")
        pages = [login] + [
            self.url_open(url).text
            for url in (
                "/my",
                f"/my/accounts/{self.account1.id}",
                f"/my/accounts/{self.account1.id}/book",
                f"/my/osmd/accounts/{self.account1.id}/pay",
            )
        ]
        for page in pages:
            english = {text for text in visible_texts(page) if text in ODOO_TERMS_UK}
            self.assertFalse(english, "Odoo's words left in English")
        self.assertIn("Мій обліковий запис", pages[1])
        self.assertIn("Мої особові рахунки", pages[1])
        # the association's name, not Odoo's placeholder picture
        self.assertTrue(self.company_a.uses_default_logo)
        brand = html.fromstring(pages[1]).xpath("//a[contains(@class, 'navbar-brand')]")[0]
        self.assertEqual(brand.text_content().strip(), self.company_a.name)
        self.assertFalse(brand.xpath(".//img"))


def visible_texts(page):
    """The texts of a page a reader sees or hears (text, placeholders, titles, labels), one per node."""
    doc = html.fromstring(page)
    for hidden in doc.xpath("//script|//style|//noscript"):
        hidden.drop_tree()
    texts = {" ".join(text.split()) for text in doc.xpath("//body//text()")}
    texts |= {" ".join(text.split()) for text in doc.xpath("//@placeholder|//@title|//@aria-label|//@alt")}
    return texts - {""}
