from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


@tagged("post_install", "-at_install", "osmd")
class TestPortalGrant(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        ua = cls.env.ref("base.ua")
        cls.company_a, cls.company_b = cls.env["res.company"].create(
            [
                {
                    "name": "OSBB Khreshchatyk 10",
                    "osmd_kind": "osbb",
                    "country_id": ua.id,
                },
                {"name": "OSBB Sumska 5", "osmd_kind": "osbb", "country_id": ua.id},
            ]
        )
        cls.accountant = new_test_user(
            cls.env,
            login="acc_a",
            groups="osmd_base.group_osmd_accountant",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.audit = new_test_user(
            cls.env,
            login="audit_a",
            groups="osmd_base.group_osmd_audit",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        building_a, building_b = cls.env["osmd.building"].create(
            [
                {
                    "name": "Khreshchatyk 10",
                    "company_id": cls.company_a.id,
                    "street": "Khreshchatyk 10",
                    "city": "Kyiv",
                },
                {
                    "name": "Sumska 5",
                    "company_id": cls.company_b.id,
                    "street": "Sumska 5",
                    "city": "Kharkiv",
                },
            ]
        )
        premises = cls.env["osmd.premise"].create(
            [
                {
                    "building_id": building_a.id,
                    "number": str(number),
                    "total_area": 48.5,
                }
                for number in (1, 2, 3)
            ]
            + [{"building_id": building_b.id, "number": "1", "total_area": 61.2}]
        )
        # people are created without an association, as imported data: phones are raw
        Partner = cls.env["res.partner"]
        cls.oksana = Partner.create(
            {
                "name": "Oksana Melnyk",
                "email": "Oksana@Mail.test",
                "phone": "067 765 43 21",
            }
        )
        cls.petro = Partner.create({"name": "Petro Shevchuk", "phone": "067 123 45 67"})
        cls.stepan = Partner.create({"name": "Stepan Koval", "phone": "12345"})
        cls.nobody = Partner.create({"name": "Nina Without Contacts"})
        cls.closed_holder = Partner.create({"name": "Former Holder", "email": "former@mail.test"})
        cls.holder_b = Partner.create({"name": "Borys Sumsky", "email": "borys@mail.test"})
        Account = cls.env["osmd.account"]
        cls.account_1, cls.account_2, cls.account_closed, cls.account_b = Account.create(
            [
                {
                    "premise_id": premises[0].id,
                    "company_id": cls.company_a.id,
                    "holder_id": cls.oksana.id,
                },
                {
                    "premise_id": premises[1].id,
                    "company_id": cls.company_a.id,
                    "holder_id": cls.petro.id,
                },
                {
                    "premise_id": premises[2].id,
                    "company_id": cls.company_a.id,
                    "holder_id": cls.closed_holder.id,
                },
                {
                    "premise_id": premises[3].id,
                    "company_id": cls.company_b.id,
                    "holder_id": cls.holder_b.id,
                },
            ]
        )
        cls.account_closed.action_close()
        cls.env["osmd.resident"].create(
            [
                {
                    "account_id": cls.account_2.id,
                    "partner_id": cls.stepan.id,
                    "relation": "family",
                },
                {
                    "account_id": cls.account_2.id,
                    "partner_id": cls.nobody.id,
                    "relation": "family",
                },
                # a staff member who lives in the building keeps her internal user
                {
                    "account_id": cls.account_1.id,
                    "partner_id": cls.accountant.partner_id.id,
                    "relation": "tenant",
                },
            ]
        )

    def _wizard(self, accounts, user=None, include_residents=True):
        return (
            self.env["osmd.portal.grant"]
            .with_user(user or self.accountant)
            .with_context(
                active_model="osmd.account",
                active_ids=accounts.ids,
            )
            .create({"include_residents": include_residents})
        )

    def _lines_by_partner(self, wizard):
        return {line.partner_id: line for line in wizard.line_ids}

    def _all_users_count(self):
        return self.env["res.users"].with_context(active_test=False).search_count([])

    def test_preview(self):
        wizard = self._wizard(self.account_1 | self.account_2 | self.account_closed)
        lines = self._lines_by_partner(wizard)
        self.assertEqual(
            set(lines),
            {
                self.oksana,
                self.petro,
                self.stepan,
                self.nobody,
                self.accountant.partner_id,
            },
            "holders and residents of the active accounts only",
        )
        self.assertRecordValues(
            lines[self.oksana],
            [{"login": "oksana@mail.test", "channel": "email", "status": "invite"}],
        )
        self.assertRecordValues(
            lines[self.petro],
            [
                {
                    "login": "+380671234567",
                    "channel": "link",
                    "status": "invite",
                    "phone": "067 123 45 67",
                }
            ],
        )
        self.assertEqual(lines[self.stepan].status, "invalid_phone")
        self.assertFalse(lines[self.stepan].login)
        self.assertEqual(lines[self.nobody].status, "no_contact")
        self.assertEqual(lines[self.accountant.partner_id].status, "internal")
        self.assertEqual(wizard.invite_count, 2)
        self.assertEqual(wizard.problem_count, 2)
        without_residents = self._wizard(self.account_2, include_residents=False)
        self.assertEqual(without_residents.line_ids.partner_id, self.petro)

    def test_preview_in_form(self):
        """The preview is computed while the dialog is filled in (web client flow)."""
        Wizard = (
            self.env["osmd.portal.grant"]
            .with_user(self.accountant)
            .with_context(active_model="osmd.account", active_ids=self.account_2.ids)
        )
        with Form(Wizard) as form:
            self.assertEqual(len(form.line_ids), 1)
            form.include_residents = True
            self.assertEqual(len(form.line_ids), 3)
        wizard = form.record
        self.assertEqual(wizard.line_ids.partner_id, self.petro | self.stepan | self.nobody)
        wizard.action_grant()
        self.assertEqual(
            self.env["res.users"].search([("login", "=", "+380671234567")]).partner_id,
            self.petro,
        )

    def test_grant_creates_portal_users(self):
        users_before = self._all_users_count()
        wizard = self._wizard(self.account_1 | self.account_2)
        wizard.action_grant()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(self._all_users_count(), users_before + 2)

        Users = self.env["res.users"]
        oksana_user = Users.search([("login", "=", "oksana@mail.test")])
        petro_user = Users.search([("login", "=", "+380671234567")])
        self.assertRecordValues(
            oksana_user | petro_user,
            [
                {
                    "partner_id": self.oksana.id,
                    "share": True,
                    "company_id": self.company_a.id,
                    "company_ids": self.company_a.ids,
                },
                {
                    "partner_id": self.petro.id,
                    "share": True,
                    "company_id": self.company_a.id,
                    "company_ids": self.company_a.ids,
                },
            ],
        )
        for user in oksana_user | petro_user:
            self.assertTrue(user.has_group("osmd_base.group_osmd_resident"))
            self.assertTrue(user.has_group("base.group_portal"))
            self.assertFalse(user.has_group("base.group_user"))
        self.assertFalse(self.stepan.with_context(active_test=False).user_ids)
        self.assertFalse(self.nobody.with_context(active_test=False).user_ids)
        self.assertFalse(self.accountant.share, "an internal user is never turned into a portal user")
        self.assertEqual(
            self.env["res.partner"].search_count([("name", "in", ["Oksana Melnyk", "Petro Shevchuk"])]),
            2,
            "the existing partners are reused",
        )

        # e-mail: invitation queued; phone only: a signup link on screen
        mail = self.env["mail.mail"].sudo().search([("model", "=", "res.users"), ("res_id", "=", oksana_user.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, self.oksana)
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("model", "=", "res.users"), ("res_id", "=", petro_user.id)])
        )
        lines = self._lines_by_partner(wizard)
        self.assertRecordValues(
            lines[self.oksana],
            [{"status": "granted", "channel": "email", "signup_url": False}],
        )
        self.assertEqual(lines[self.petro].status, "granted")
        self.assertIn("token=", lines[self.petro].signup_url)
        self.assertEqual(lines[self.stepan].status, "invalid_phone")
        self.assertEqual(wizard.link_count, 1)
        # the link is on screen only: never in the chatter that every audit/accounting user reads
        note = self.account_2.message_ids.filtered(lambda m: "+380671234567" in m.body)
        self.assertEqual(len(note), 1)
        self.assertTrue(note.is_internal)
        self.assertNotIn("token", note.body)
        self.assertNotIn("signup", note.body.lower().replace("signup link was given", ""))
        stored = (
            self.env["mail.message"].sudo().search_count([("model", "=", "osmd.account"), ("body", "ilike", "token=")])
        )
        self.assertEqual(stored, 0, "no signup link is stored on any account")

        # each resident reads only their own account
        Account = self.env["osmd.account"]
        self.assertEqual(Account.with_user(oksana_user).search([]), self.account_1)
        self.assertEqual(Account.with_user(petro_user).search([]), self.account_2)
        self.account_1.with_user(oksana_user).read(["number"])
        with self.assertRaises(AccessError):
            self.account_2.with_user(oksana_user).read(["number"])
        with self.assertRaises(AccessError):
            self.account_1.with_user(petro_user).read(["number"])
        with self.assertRaises(AccessError):
            self.account_b.with_user(petro_user).read(["number"])

        # a second run creates nobody new
        again = self._wizard(self.account_1 | self.account_2)
        lines = self._lines_by_partner(again)
        self.assertEqual(lines[self.oksana].status, "has_access")
        self.assertEqual(lines[self.petro].status, "has_access")
        self.assertEqual(lines[self.stepan].status, "invalid_phone")
        again.action_grant()
        self.assertEqual(self._all_users_count(), users_before + 2)
        self.assertEqual(again.link_count, 0)

        # an expired link is replaced on demand, still without a new user
        resend = self._wizard(self.account_2, include_residents=False)
        resend.resend_invitations = True
        self.assertEqual(resend.line_ids.status, "invite")
        self.assertEqual(resend.line_ids.user_id, petro_user)
        resend.action_grant()
        self.assertEqual(self._all_users_count(), users_before + 2)
        self.assertIn("token=", resend.line_ids.signup_url)

    def test_same_login_is_not_given_twice(self):
        """Two people sharing an e-mail: the first gets it, the second is reported."""
        self.petro.email = "oksana@mail.test"
        wizard = self._wizard(self.account_1 | self.account_2, include_residents=False)
        lines = self._lines_by_partner(wizard)
        self.assertEqual(
            sorted([lines[self.oksana].status, lines[self.petro].status]),
            ["invite", "login_taken"],
        )
        wizard.action_grant()
        self.assertEqual(self.env["res.users"].search_count([("login", "=", "oksana@mail.test")]), 1)

    def test_only_staff_of_the_association_grants(self):
        with self.assertRaises(AccessError):
            self._wizard(self.account_1, user=self.audit)
        with self.assertRaises(AccessError):
            self._wizard(self.account_b).action_grant()
        self.assertFalse(self.holder_b.with_context(active_test=False).user_ids)
