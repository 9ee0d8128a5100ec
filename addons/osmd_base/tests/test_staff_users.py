from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


@tagged("post_install", "-at_install", "osmd")
class TestStaffUsers(TransactionCase):
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
        cls.chairman_a = cls._new_user("chair_a", "osmd_base.group_osmd_chairman", cls.company_a)
        cls.chairman_b = cls._new_user("chair_b", "osmd_base.group_osmd_chairman", cls.company_b)
        cls.board_a = cls._new_user("board_a", "osmd_base.group_osmd_board", cls.company_a)
        cls.audit_a = cls._new_user("audit_a", "osmd_base.group_osmd_audit", cls.company_a)
        cls.Member = cls.env["osmd.staff.member"]
        cls.member_b = cls.Member.with_user(cls.chairman_b).create(
            {"name": "Olha Bondar", "email": "olha@sumska.test", "role": "engineer"}
        )

    @classmethod
    def _new_user(cls, login, groups, company):
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[company.id],
        )

    def _create_member(self, chairman, **vals):
        return self.Member.with_user(chairman).create({"name": "Ivan Petrenko", "role": "accountant", **vals})

    def _osmd_groups(self, user):
        return user.group_ids & self.env.ref("osmd_base.res_groups_privilege_osmd").group_ids

    def test_chairman_creates_accountant(self):
        member = self._create_member(self.chairman_a, email="Ivan@Khreshchatyk.test")
        user = member.sudo().user_id
        self.assertRecordValues(
            user,
            [
                {
                    "login": "ivan@khreshchatyk.test",
                    "name": "Ivan Petrenko",
                    "company_id": self.company_a.id,
                    "company_ids": self.company_a.ids,
                    "active": True,
                    "share": False,
                }
            ],
        )
        self.assertEqual(member.company_id, self.company_a)
        self.assertTrue(user.has_group("osmd_base.group_osmd_accountant"))
        self.assertFalse(user.has_group("osmd_base.group_osmd_board"))
        self.assertFalse(user.has_group("base.group_system"))
        self.assertFalse(user.has_group("base.group_erp_manager"))
        self.assertEqual(self._osmd_groups(user), self.env.ref("osmd_base.group_osmd_accountant"))
        # the invitation is queued, not sent: no mail server is needed
        mail = self.env["mail.mail"].sudo().search([("model", "=", "res.users"), ("res_id", "=", user.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(user.partner_id, mail.recipient_ids)
        self.assertEqual(user.partner_id.sudo().signup_type, "signup")

    def test_action_invite_queues_mail(self):
        member = self._create_member(self.chairman_a, email="invite@khreshchatyk.test")
        user = member.sudo().user_id
        Mail = self.env["mail.mail"].sudo()
        before = Mail.search_count([("model", "=", "res.users"), ("res_id", "=", user.id)])
        member.with_user(self.chairman_a).action_invite()
        after = Mail.search_count([("model", "=", "res.users"), ("res_id", "=", user.id)])
        self.assertEqual(after, before + 1)
        with self.assertRaises(AccessError):
            member.with_user(self.audit_a).action_invite()

    def test_role_change_replaces_osmd_group_only(self):
        member = self._create_member(self.chairman_a, email="role@khreshchatyk.test")
        user = member.sudo().user_id
        export = self.env.ref("base.group_allow_export")
        user.sudo().group_ids = [(4, export.id)]
        member.with_user(self.chairman_a).role = "engineer"
        self.assertEqual(self._osmd_groups(user), self.env.ref("osmd_base.group_osmd_engineer"))
        self.assertFalse(user.has_group("osmd_base.group_osmd_accountant"))
        self.assertTrue(user.has_group("osmd_base.group_osmd_engineer"))
        self.assertIn(export, user.group_ids, "non-OSMD groups are kept")
        self.assertTrue(user.has_group("base.group_user"))
        member.with_user(self.chairman_a).role = "chairman"
        self.assertTrue(user.has_group("osmd_base.group_osmd_chairman"))
        self.assertFalse(user.has_group("base.group_system"))

    def test_deactivate_and_reactivate(self):
        member = self._create_member(self.chairman_a, email="leave@khreshchatyk.test")
        user = member.sudo().user_id
        member.with_user(self.chairman_a).action_archive()
        self.assertFalse(member.active)
        self.assertFalse(user.active)
        member.with_user(self.chairman_a).action_unarchive()
        self.assertTrue(user.active)
        self.assertEqual(user.company_ids, self.company_a)
        self.assertTrue(user.has_group("osmd_base.group_osmd_accountant"))

    def test_user_of_another_association_is_refused(self):
        """Staff users are per association: B's accountant is not added to A, whatever the role."""
        member_b = self._create_member(self.chairman_b, email="shared@accounting.test")
        user = member_b.sudo().user_id
        for role in ("accountant", "chairman"):
            with self.assertRaises(UserError):
                self._create_member(self.chairman_a, email="shared@accounting.test", role=role)
        self.assertEqual(user.company_ids, self.company_b)
        self.assertEqual(user.company_id, self.company_b)
        self.assertEqual(self._osmd_groups(user), self.env.ref("osmd_base.group_osmd_accountant"))
        self.assertEqual(self.Member.with_context(active_test=False).search([("user_id", "=", user.id)]), member_b)

    def test_chairman_limited_to_own_association(self):
        Member_a = self.Member.with_user(self.chairman_a)
        self.assertFalse(Member_a.search([("id", "=", self.member_b.id)]))
        self.assertNotIn(self.member_b, Member_a.search([]))
        with self.assertRaises(AccessError):
            self.member_b.with_user(self.chairman_a).read(["name"])
        with self.assertRaises(AccessError):
            self.member_b.with_user(self.chairman_a).write({"role": "chairman"})
        with self.assertRaises(AccessError):
            self.member_b.with_user(self.chairman_a).action_archive()
        with self.assertRaises(AccessError):
            self._create_member(
                self.chairman_a,
                email="intruder@sumska.test",
                company_id=self.company_b.id,
            )
        self.assertFalse(self.env["res.users"].search([("login", "=", "intruder@sumska.test")]))
        self.assertTrue(self.member_b.sudo().user_id.active)

    def test_only_chairman_manages_staff(self):
        with self.assertRaises(AccessError):
            self._create_member(self.board_a, email="board@khreshchatyk.test")
        self.assertFalse(self.env["res.users"].search([("login", "=", "board@khreshchatyk.test")]))

    def test_chairman_cannot_pick_or_move_user(self):
        member = self._create_member(self.chairman_a, email="pick@khreshchatyk.test")
        admin = self.env.ref("base.user_admin")
        with self.assertRaises(AccessError):
            member.with_user(self.chairman_a).write({"user_id": admin.id})
        with self.assertRaises(AccessError):
            self._create_member(self.chairman_a, email="pick2@khreshchatyk.test", user_id=admin.id)
        with self.assertRaises(UserError):
            member.with_user(self.chairman_a).write({"company_id": self.company_b.id})

    def test_admin_and_portal_logins_are_not_hijacked(self):
        admin = new_test_user(
            self.env,
            login="root@hosting.test",
            groups="base.group_system",
            company_id=self.company_a.id,
            company_ids=[self.company_a.id],
        )
        groups_before = admin.group_ids
        with self.assertRaises(UserError):
            self._create_member(self.chairman_a, email="root@hosting.test", role="engineer")
        self.assertEqual(admin.group_ids, groups_before)
        self.assertTrue(admin.has_group("base.group_system"))
        self.assertFalse(self.Member.search([("email", "=", "root@hosting.test")]))
        portal = new_test_user(self.env, login="resident@mail.test", groups="base.group_portal")
        with self.assertRaises(UserError):
            self._create_member(self.chairman_a, email="resident@mail.test")
        self.assertTrue(portal.share)
        self.assertFalse(portal.has_group("base.group_user"))

    def test_email_change_updates_login(self):
        member = self._create_member(self.chairman_a, email="old@khreshchatyk.test")
        member.with_user(self.chairman_a).email = "new@khreshchatyk.test"
        self.assertEqual(member.sudo().user_id.login, "new@khreshchatyk.test")
        with self.assertRaises(UserError):
            member.with_user(self.chairman_a).email = "olha@sumska.test"

    def test_staff_list_shows_users_made_outside_it(self):
        """Users the platform made (Settings, wizard, demo) appear in the association's staff list."""
        action = self.Member.with_user(self.chairman_a).action_osmd_open_staff()
        self.assertEqual(action["res_model"], "osmd.staff.member")
        members = self.Member.with_user(self.chairman_a).search([])
        self.assertEqual(members.company_id, self.company_a)
        self.assertEqual(
            {(m.user_id.id, m.role) for m in members.sudo()},
            {(self.chairman_a.id, "chairman"), (self.board_a.id, "board"), (self.audit_a.id, "audit")},
        )
        # opening it again adds nothing; B's list is B's own
        self.Member.with_user(self.chairman_a).action_osmd_open_staff()
        self.assertEqual(self.Member.with_user(self.chairman_a).search_count([]), 3)
        self.assertNotIn(self.chairman_b, self.Member.sudo().search([("company_id", "=", self.company_a.id)]).user_id)
        # the synced member is edited like any other: a role change reaches the user
        board = members.filtered(lambda m: m.sudo().user_id == self.board_a)
        board.role = "accountant"
        self.assertEqual(self._osmd_groups(self.board_a), self.env.ref("osmd_base.group_osmd_accountant"))

    def test_role_must_be_chosen(self):
        self.assertFalse(self.Member.with_user(self.chairman_a).default_get(["role"]).get("role"))
        self.assertTrue(self.Member._fields["role"].required)
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            self.Member.with_user(self.chairman_a).create({"name": "No Role", "email": "norole@khreshchatyk.test"})

    def test_phone_normalised(self):
        member = self._create_member(self.chairman_a, email="phone@khreshchatyk.test", phone="(067) 123-45-67")
        self.assertEqual(member.phone, "+380671234567")
        member.phone = "38 050 765 43 21"
        self.assertEqual(member.phone, "+380507654321")
        with self.assertRaisesRegex(ValidationError, "12-34"):
            member.phone = "12-34"
