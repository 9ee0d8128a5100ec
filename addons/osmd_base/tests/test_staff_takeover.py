from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import JsonRpcMixin

# The one answer to every e-mail address the chairman may not use: it must not
# tell an administrator from a resident or from another association's staff.
REFUSED = "This e-mail address cannot be used for a staff user of this association. Use another address."
# The answer about an existing member whose user this association does not manage alone.
NOT_OWN = "The user of %s is not managed by this association alone: ask the platform administrator."
HOME_IP = "198.51.100.7"


class StaffTakeoverCommon:
    """Association A (attacked by its chairman) and association B with staff and residents."""

    @classmethod
    def _setup_takeover_data(cls):
        ua = cls.env.ref("base.ua")
        cls.company_a, cls.company_b = cls.env["res.company"].create(
            [
                {"name": "OSBB Podil 3", "osmd_kind": "osbb", "country_id": ua.id},
                {"name": "OSBB Obolon 7", "osmd_kind": "osbb", "country_id": ua.id},
            ]
        )
        cls.chairman_a = cls._user("chair.a@podil.test", "osmd_base.group_osmd_chairman", cls.company_a)
        cls.chairman_b = cls._user("chair.b@obolon.test", "osmd_base.group_osmd_chairman", cls.company_b)
        Member_b = cls.env["osmd.staff.member"].with_user(cls.chairman_b)
        cls.member_engineer_b, cls.member_accountant_b = Member_b.create(
            [
                {"name": "Engineer B", "email": "engineer@obolon.test", "role": "engineer"},
                {"name": "Accountant B", "email": "accountant@obolon.test", "role": "accountant"},
            ]
        )
        cls.member_accountant_b.action_archive()
        cls.engineer_b = cls.member_engineer_b.sudo().user_id
        cls.accountant_b = cls.member_accountant_b.sudo().user_id
        cls.resident_a = cls._user("resident@podil.test", "base.group_portal", cls.company_a)
        cls.resident_b = cls._user("resident@obolon.test", "base.group_portal", cls.company_b)
        # made by the platform: Odoo keeps the case of a login
        cls.mixed_case_b = cls._user("Mixed.Case@Obolon.test", "osmd_base.group_osmd_board", cls.company_b)
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.login = "root@platform.test"  # an e-mail address, as a chairman would type it
        # B's staff follow B's records: a takeover must not move or keep these
        cls.member_engineer_b.sudo().message_subscribe(partner_ids=(cls.engineer_b | cls.accountant_b).partner_id.ids)

    @classmethod
    def _user(cls, login, groups, company, **vals):
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[company.id],
            **vals,
        )

    def _snapshot(self, user):
        """What a takeover would change on ``user`` and its partner."""
        user = user.sudo().with_context(active_test=False)
        self.env.invalidate_all()
        followed = self.env["mail.followers"].sudo().search([("partner_id", "=", user.partner_id.id)])
        return {
            "login": user.login,
            "email": user.email,
            "active": user.active,
            "company_id": user.company_id.id,
            "company_ids": sorted(user.company_ids.ids),
            "group_ids": sorted(user.group_ids.ids),
            "partner": user.partner_id.read(["name", "email", "phone", "company_id", "active"])[0],
            "followed": sorted((f.res_model, f.res_id) for f in followed),
        }

    def _mails_to(self, user):
        partner = user.sudo().partner_id
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    "|",
                    "|",
                    "&",
                    ("model", "=", "res.users"),
                    ("res_id", "=", user.id),
                    ("recipient_ids", "in", partner.ids),
                    ("email_to", "ilike", user.sudo().login),
                ]
            )
        )


@tagged("post_install", "-at_install", "osmd")
class TestStaffTakeover(StaffTakeoverCommon, TransactionCase):
    """A hostile chairman of A tries to take over the users of B, residents and administrators."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls._setup_takeover_data()
        cls.Member_a = cls.env["osmd.staff.member"].with_user(cls.chairman_a)

    def _add(self, email, role="accountant"):
        return self.Member_a.create({"name": "New Staff", "email": email, "role": role})

    def _assert_refused(self, email, target, message=REFUSED, role="accountant"):
        before = self._snapshot(target)
        mails = self._mails_to(target)
        members = self.env["osmd.staff.member"].sudo().with_context(active_test=False).search_count([])
        with self.assertRaises(UserError) as caught:
            self._add(email, role=role)
        self.assertEqual(str(caught.exception), message)
        self.assertEqual(self._snapshot(target), before, f"{email}: nothing written on the user")
        self.assertEqual(self._mails_to(target), mails, f"{email}: no mail queued")
        self.assertEqual(self.env["osmd.staff.member"].sudo().with_context(active_test=False).search_count([]), members)
        return str(caught.exception)

    def test_takeover_attempts_get_one_generic_refusal(self):
        messages = {
            "B's active engineer": self._assert_refused("engineer@obolon.test", self.engineer_b, role="engineer"),
            "B's active engineer, other role": self._assert_refused("Engineer@Obolon.test", self.engineer_b),
            "B's archived accountant": self._assert_refused("accountant@obolon.test", self.accountant_b),
            "A's resident": self._assert_refused("resident@podil.test", self.resident_a),
            "B's resident": self._assert_refused("resident@obolon.test", self.resident_b),
            "B's chairman": self._assert_refused("chair.b@obolon.test", self.chairman_b, role="chairman"),
            "B's user, login in other case": self._assert_refused("mixed.case@obolon.test", self.mixed_case_b),
        }
        messages["administrator"] = self._assert_refused("root@platform.test", self.admin)
        self.assertEqual(set(messages.values()), {REFUSED}, messages)
        self.assertFalse(self.accountant_b.active)
        self.assertEqual(self.engineer_b.company_ids, self.company_b)

    def test_ties_to_another_association_in_the_past_are_refused(self):
        """An archived user now only in A, that was B's staff or chairman, or refused by B's allowlist."""
        Users = self.env["res.users"].with_context(active_test=False)

        def former(login, **vals):
            user = self._user(login, "osmd_base.group_osmd_accountant", self.company_a, **vals)
            user.active = False
            return user

        member_b = former("member.b@history.test")
        self.env["osmd.staff.member"].sudo().create(
            {
                "name": "Old B",
                "email": "member.b@history.test",
                "company_id": self.company_b.id,
                "active": False,
                "role": "accountant",
            }
        ).user_id = member_b
        chairman_b = former("chairman.b@history.test")
        self.company_b.osmd_chairman_id = chairman_b
        partner_b = former("partner.b@history.test")
        partner_b.partner_id.company_id = self.company_b
        denied_b = former("denied.b@history.test")
        self.env["osmd.login.denial"].sudo().create(
            {"company_id": self.company_b.id, "user_id": denied_b.id, "login": denied_b.login, "ip_address": HOME_IP}
        )
        main_company = former("main@history.test")
        main_company.company_ids = self.env.ref("base.main_company") | self.company_a
        taken = []
        for user in (member_b, chairman_b, partner_b, denied_b, main_company):
            try:
                self._assert_refused(user.login, user)
            except AssertionError:
                taken.append(user.login)  # all cases are reported at once
        self.assertFalse(taken, "users with a past elsewhere were taken over")
        self.assertFalse(Users.search([("login", "like", "@history.test"), ("active", "=", True)]))

    def test_own_former_user_is_reactivated_only_in_a(self):
        former = self._user("former@podil.test", "osmd_base.group_osmd_engineer", self.company_a)
        former.active = False
        member = self._add("Former@Podil.test")
        self.assertEqual(member.sudo().user_id, former)
        self.assertRecordValues(
            former,
            [
                {
                    "active": True,
                    "login": "former@podil.test",
                    "company_id": self.company_a.id,
                    "company_ids": self.company_a.ids,
                }
            ],
        )
        self.assertTrue(former.has_group("osmd_base.group_osmd_accountant"))
        self.assertFalse(former.has_group("osmd_base.group_osmd_engineer"))

    def test_fresh_address_is_allowed(self):
        member = self._add("fresh@podil.test")
        user = member.sudo().user_id
        self.assertRecordValues(
            user, [{"login": "fresh@podil.test", "active": True, "company_ids": self.company_a.ids}]
        )
        self.assertEqual(len(self._mails_to(user)), 1, "the invitation is queued")

    def test_archived_member_of_a_is_reactivated_not_duplicated(self):
        member = self._add("leaver@podil.test")
        user = member.sudo().user_id
        member.action_archive()
        self.assertFalse(user.active)
        with self.assertRaises(UserError) as caught:
            self._add("leaver@podil.test")
        self.assertIn("leaver@podil.test", str(caught.exception))
        self.assertIn("New Staff", str(caught.exception), "names A's own member to reactivate")
        member.action_unarchive()
        self.assertTrue(user.active)
        self.assertEqual(user.company_ids, self.company_a)

    def test_email_change_to_a_taken_login_reveals_nothing(self):
        member = self._add("own@podil.test")
        user = member.sudo().user_id
        for login, target in (
            ("engineer@obolon.test", self.engineer_b),
            ("accountant@obolon.test", self.accountant_b),
            ("resident@obolon.test", self.resident_b),
            ("chair.b@obolon.test", self.chairman_b),
            ("chair.a@podil.test", self.chairman_a),
        ):
            before = self._snapshot(target)
            with self.assertRaises(UserError) as caught:
                member.email = login
            self.assertEqual(str(caught.exception), REFUSED, login)
            self.assertEqual(self._snapshot(target), before)
        self.assertEqual(user.login, "own@podil.test")
        member.email = "renamed@podil.test"
        self.assertEqual(user.login, "renamed@podil.test")
        # a deactivated member: refused at once, not when reactivated
        member.action_archive()
        with self.assertRaises(UserError) as caught:
            member.email = "accountant@obolon.test"
        self.assertEqual(str(caught.exception), REFUSED)
        member.email = "back@podil.test"
        member.action_unarchive()
        self.assertRecordValues(user, [{"active": True, "login": "back@podil.test", "email": "back@podil.test"}])

    def test_invitation_never_goes_to_a_foreign_user(self):
        """A user shared with B (set up by the platform) is frozen for A: role, login, invitation."""
        member = (
            self.env["osmd.staff.member"]
            .sudo()
            .create(
                {
                    "name": "Shared",
                    "email": "shared@podil.test",
                    "company_id": self.company_a.id,
                    "active": False,
                    "role": "engineer",
                }
            )
        )
        member.user_id = self.engineer_b
        self.engineer_b.sudo().company_ids |= self.company_a
        # as the old code left it: an active member of A on B's user
        self.env.cr.execute("UPDATE osmd_staff_member SET active = TRUE WHERE id = %s", [member.id])
        member.invalidate_recordset(["active"])
        member = member.with_user(self.chairman_a)
        before = self._snapshot(self.engineer_b)
        mails = self._mails_to(self.engineer_b)
        not_own = NOT_OWN % "Shared"
        for vals in ({"email": "chair.a.private@podil.test"}, {"role": "chairman"}):
            with self.assertRaises(UserError) as caught:
                member.write(vals)
            self.assertEqual(str(caught.exception), not_own)
        with self.assertRaises(UserError) as caught:
            member.action_invite()
        self.assertEqual(str(caught.exception), not_own)
        self.assertEqual(self._snapshot(self.engineer_b), before)
        self.assertEqual(self._mails_to(self.engineer_b), mails)
        # A can still let go of the user: only A is removed
        member.action_archive()
        self.assertRecordValues(
            self.engineer_b, [{"active": True, "company_id": self.company_b.id, "company_ids": self.company_b.ids}]
        )

    def test_user_taken_over_by_the_old_code_is_frozen(self):
        """B's former accountant moved to A by the old code (only A now): A cannot retarget it."""
        self.accountant_b.sudo().write(
            {"active": True, "company_id": self.company_a.id, "company_ids": [Command.set(self.company_a.ids)]}
        )
        member = (
            self.env["osmd.staff.member"]
            .sudo()
            .create(
                {
                    "name": "Taken",
                    "email": "accountant@obolon.test",
                    "company_id": self.company_a.id,
                    "active": False,
                    "role": "engineer",
                }
            )
        )
        member.user_id = self.accountant_b
        self.env.cr.execute("UPDATE osmd_staff_member SET active = TRUE WHERE id = %s", [member.id])
        member.invalidate_recordset(["active"])
        member = member.with_user(self.chairman_a)
        before = self._snapshot(self.accountant_b)
        mails = self._mails_to(self.accountant_b)
        with self.assertRaises(UserError) as caught:
            member.email = "chair.a.private@podil.test"
        self.assertEqual(str(caught.exception), NOT_OWN % "Taken")
        with self.assertRaises(UserError) as caught:
            member.action_invite()
        self.assertEqual(str(caught.exception), NOT_OWN % "Taken")
        self.assertEqual(self._snapshot(self.accountant_b), before)
        self.assertEqual(self._mails_to(self.accountant_b), mails)

    def test_a_cannot_freeze_b_staff(self):
        """What A can do to B's users (make their partner follow A's records) never blocks B."""
        building_a = self.env["osmd.building"].create(
            {"name": "Podil 3", "street": "Podil St, 3", "city": "Kyiv", "company_id": self.company_a.id}
        )
        partners = (self.engineer_b | self.accountant_b).partner_id
        with self.assertRaises(AccessError):
            building_a.with_user(self.chairman_a).message_subscribe(partner_ids=partners.ids)
        self.assertFalse(partners & building_a.message_partner_ids)
        # as the old code let A do: B's staff follow A's building; B still manages them
        building_a.sudo().message_subscribe(partner_ids=partners.ids)
        self.member_engineer_b.role = "board"
        self.assertTrue(self.engineer_b.has_group("osmd_base.group_osmd_board"))
        self.member_engineer_b.action_invite()
        self.member_accountant_b.action_unarchive()
        self.assertRecordValues(self.accountant_b, [{"active": True, "company_ids": self.company_b.ids}])

    def test_a_allowlist_never_applies_to_b_staff(self):
        self.env["osmd.ip.range"].create({"company_id": self.company_a.id, "cidr": "203.0.113.0/24"})
        with self.assertRaises(UserError):
            self._add("engineer@obolon.test", role="engineer")
        self.assertFalse(self.engineer_b._osmd_ip_denying_companies(HOME_IP))
        self.assertEqual(self.engineer_b.company_ids, self.company_b)

    def test_onboarding_refuses_an_existing_login_in_any_case(self):
        platform = new_test_user(self.env, login="onb_takeover", groups="base.group_user,base.group_system")
        Users = self.env["res.users"].with_context(active_test=False)
        count = Users.search_count([])
        wizard = (
            self.env["osmd.association.create"]
            .with_user(platform)
            .create(
                {
                    "name": "OSBB Rusanivka 1",
                    "edrpou": "32855961",
                    "chairman_name": "Takeover",
                    "chairman_email": "mixed.case@obolon.test",
                }
            )
        )
        with self.assertRaises(UserError):
            wizard.action_create()
        self.assertEqual(Users.search_count([]), count)
        self.assertEqual(self.mixed_case_b.company_ids, self.company_b)


@tagged("post_install", "-at_install", "osmd")
class TestStaffTakeoverOverHttp(JsonRpcMixin, StaffTakeoverCommon, HttpCase):
    """The same refusals through the web client's JSON-RPC, logged in as A's chairman."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        cls._setup_takeover_data()
        cls.member_a = (
            cls.env["osmd.staff.member"]
            .with_user(cls.chairman_a)
            .create({"name": "Own A", "email": "own@podil.test", "role": "engineer"})
        )

    def _error(self, result):
        self.assertIn("error", result, result.get("result"))
        return result["error"]["data"]["name"], result["error"]["data"]["message"]

    @mute_logger("odoo.http")  # refusals are logged as warnings by design
    def test_chairman_takeover_over_json_rpc(self):
        self.authenticate("chair.a@podil.test", "chair.a@podil.test")
        targets = {
            "engineer@obolon.test": self.engineer_b,
            "accountant@obolon.test": self.accountant_b,
            "resident@obolon.test": self.resident_b,
            "resident@podil.test": self.resident_a,
            self.admin.login: self.admin,
        }
        for email, target in targets.items():
            before = self._snapshot(target)
            result = self._call_kw("osmd.staff.member", "create", [{"name": "X", "email": email, "role": "engineer"}])
            self.assertEqual(self._error(result), ("odoo.exceptions.UserError", REFUSED), email)
            self.assertEqual(self._snapshot(target), before, email)
            result = self._call_kw("osmd.staff.member", "write", [[self.member_a.id], {"email": email}])
            self.assertEqual(self._error(result), ("odoo.exceptions.UserError", REFUSED), email)
            self.assertEqual(self._snapshot(target), before, email)
        self.assertEqual(self.member_a.sudo().user_id.login, "own@podil.test")
        result = self._call_kw("osmd.staff.member", "action_invite", [[self.member_a.id]])
        self.assertNotIn("error", result)
        result = self._call_kw(
            "osmd.staff.member", "create", [{"name": "Y", "email": "fresh@podil.test", "role": "engineer"}]
        )
        self.assertNotIn("error", result)

    @mute_logger("odoo.http")
    def test_chairman_acts_on_b_members_over_json_rpc(self):
        """Every staff action with the ids of B's members is refused and changes nothing."""
        self.authenticate("chair.a@podil.test", "chair.a@podil.test")
        engineer_id, accountant_id = self.member_engineer_b.id, self.member_accountant_b.id
        before = {user: self._snapshot(user) for user in (self.engineer_b, self.accountant_b)}
        calls = [
            ("read", [[engineer_id], ["email", "user_id"]], {}),
            ("web_read", [[accountant_id]], {"specification": {"email": {}, "user_id": {"fields": {}}}}),
            ("write", [[engineer_id], {"email": "chair.a.private@podil.test"}], {}),
            ("write", [[engineer_id], {"role": "chairman"}], {}),
            ("action_invite", [[engineer_id]], {}),
            ("action_archive", [[engineer_id]], {}),
            ("action_unarchive", [[accountant_id]], {}),
            ("copy", [[accountant_id]], {"default": {"company_id": self.company_a.id}}),
            ("create", [{"name": "X", "email": "x@podil.test", "company_id": self.company_b.id}], {}),
        ]
        for method, args, kwargs in calls:
            result = self._call_kw("osmd.staff.member", method, args, kwargs)
            self.assertEqual(self._error(result)[0], "odoo.exceptions.AccessError", method)
        result = self._call_kw("osmd.staff.member", "search_read", [[["company_id", "=", self.company_b.id]]])
        self.assertEqual(result["result"], [])
        for user, snapshot in before.items():
            self.assertEqual(self._snapshot(user), snapshot)
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search([("login", "=", "x@podil.test")]))


@tagged("post_install", "-at_install", "osmd")
class TestStaffFollowers(StaffTakeoverCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_takeover_data()

    def test_user_leaving_an_association_stops_following_its_records(self):
        """A user the platform shares with B, taken off A by A's chairman, no longer follows A's records."""
        shared = new_test_user(
            self.env,
            login="shared@platform.test",
            groups="osmd_base.group_osmd_engineer",
            company_id=self.company_b.id,
            company_ids=[self.company_a.id, self.company_b.id],
        )
        member = (
            self.env["osmd.staff.member"]
            .sudo()
            .create(
                {
                    "name": "Shared",
                    "email": "shared@platform.test",
                    "company_id": self.company_a.id,
                    "active": False,
                    "role": "engineer",
                }
            )
        )
        member.user_id = shared
        self.env.cr.execute("UPDATE osmd_staff_member SET active = TRUE WHERE id = %s", [member.id])
        member.invalidate_recordset(["active"])
        building_a, building_b = self.env["osmd.building"].create(
            [
                {"name": "Podil 5", "street": "Podil St, 5", "city": "Kyiv", "company_id": self.company_a.id},
                {"name": "Obolon 5", "street": "Obolon St, 5", "city": "Kyiv", "company_id": self.company_b.id},
            ]
        )
        (building_a | building_b).message_subscribe(partner_ids=shared.partner_id.ids)
        member.with_user(self.chairman_a).action_archive()
        self.assertEqual(shared.company_ids, self.company_b)
        self.assertNotIn(shared.partner_id, building_a.message_partner_ids)
        self.assertIn(shared.partner_id, building_b.message_partner_ids)

    def test_own_colleagues_can_be_subscribed(self):
        building_a = self.env["osmd.building"].create(
            {"name": "Podil 6", "street": "Podil St, 6", "city": "Kyiv", "company_id": self.company_a.id}
        )
        colleague = new_test_user(
            self.env, login="colleague@podil.test", groups="osmd_base.group_osmd_engineer", company_id=self.company_a.id
        )
        building_a.with_user(self.chairman_a).message_subscribe(partner_ids=colleague.partner_id.ids)
        self.assertIn(colleague.partner_id, building_a.message_partner_ids)
