from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import OsmdCommon

IBAN_A = "UA213223130000026007233566001"


@tagged("post_install", "-at_install", "osmd")
class TestAssociationSettings(OsmdCommon):
    """The chairman keeps their association's settings; nothing of another association, nothing technical."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chairman_a = cls.users_a["chairman"]
        cls.platform_admin = new_test_user(
            cls.env,
            login="platform_admin",
            groups="base.group_erp_manager,base.group_multi_company,osmd_base.group_osmd_chairman",
            company_id=cls.env.ref("base.main_company").id,
            company_ids=[cls.env.ref("base.main_company").id, cls.company_a.id, cls.company_b.id],
        )

    def test_chairman_edits_own_settings(self):
        company = self.company_a.with_user(self.chairman_a)
        self.assertTrue(company.has_access("write"), "the settings form must be editable for the chairman")
        company.write(
            {
                "osmd_statute_rules": "before_2023",
                "osmd_edrpou": "32855961",
                "osmd_iban": IBAN_A,
                "phone": "+380441234567",
                "email": "osbb@example.com",
                "street": "вул. Хрещатик, 10",
            }
        )
        self.assertRecordValues(
            self.company_a,
            [{"osmd_statute_rules": "before_2023", "osmd_iban": IBAN_A, "email": "osbb@example.com"}],
        )
        self.assertTrue(company._osmd_is_own_chairman())
        company.phone = "044 123 45 67"
        self.assertEqual(self.company_a.phone, "+380441234567")
        with self.assertRaisesRegex(ValidationError, "Phone 12-34 of the association"):
            company.phone = "12-34"

    def test_chairman_cannot_write_another_association(self):
        with self.assertRaises(AccessError):
            self.company_b.with_user(self.chairman_a).write({"osmd_statute_rules": "before_2023"})
        with self.assertRaises(AccessError):
            (self.company_a | self.company_b).with_user(self.chairman_a).write({"phone": "+380441234567"})
        self.assertEqual(self.company_b.osmd_statute_rules, "after_2023")

    def test_chairman_cannot_write_technical_fields(self):
        company = self.company_a.with_user(self.chairman_a)
        currency = self.company_a.currency_id
        other_currency = (
            self.env["res.currency"].with_context(active_test=False).search([("id", "!=", currency.id)], limit=1)
        )
        forbidden = {
            "currency_id": other_currency.id,
            "parent_id": self.company_b.id,
            "name": "Перейменоване",
            "osmd_kind": "zhbk",
            "osmd_chairman_id": self.users_a["engineer"].id,
            "user_ids": [(4, self.users_b["chairman"].id)],
            "osmd_ip_range_ids": [(0, 0, {"cidr": "0.0.0.0/0"})],
        }
        for name, value in forbidden.items():
            with self.subTest(field=name), self.assertRaises(AccessError):
                company.write({name: value, "phone": "+380441234567"})
        self.assertEqual(self.company_a.currency_id, currency)
        self.assertFalse(self.company_a.osmd_ip_range_ids)

    def test_other_roles_read_only(self):
        for role in ("engineer", "audit", "accountant", "board"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.company_a.with_user(self.users_a[role]).write({"phone": "+380441234567"})

    def test_bank_journal_of_the_association_only(self):
        self.company_b.sudo()._osmd_set_iban(IBAN_A)
        journal_b = self.company_b.osmd_bank_journal_id
        with self.assertRaises(AccessError):
            self.company_a.with_user(self.chairman_a).write({"osmd_bank_journal_id": journal_b.id})
        with self.assertRaises(ValidationError):
            self.company_a.write({"osmd_bank_journal_id": journal_b.id})

    def test_settings_action_opens_current_association(self):
        action = self.env["res.company"].with_user(self.chairman_a).action_osmd_association_settings()
        self.assertEqual(action["res_id"], self.company_a.id)
        # the administrator in the platform's own company gets the list of associations
        action = self.env["res.company"].with_user(self.platform_admin).action_osmd_association_settings()
        self.assertEqual(action["xml_id"], "osmd_base.osmd_association_action")

    def test_platform_admin_opens_association_of_other_company(self):
        """The association form reads for an administrator working in another company now."""
        self.company_a._osmd_set_iban(IBAN_A)
        self.env.invalidate_all()  # read as the web client would, not from this test's cache
        admin = self.platform_admin
        admin_env = self.env(user=admin, context={"allowed_company_ids": admin.company_id.ids})
        view = admin_env["res.company"].get_views([(self.env.ref("osmd_base.osmd_association_view_form").id, "form")])
        fields = view["models"]["res.company"]["fields"]
        spec = {
            name: {"fields": {"display_name": {}}} if info["type"] in ("many2one", "one2many", "many2many") else {}
            for name, info in fields.items()
        }
        record = admin_env["res.company"].browse(self.company_a.id).web_read(spec)[0]
        self.assertEqual(record["osmd_iban"], IBAN_A)
        admin_env["res.company"].browse(self.company_a.id).write({"osmd_kind": "zhbk"})
        self.assertEqual(self.company_a.osmd_kind, "zhbk")
