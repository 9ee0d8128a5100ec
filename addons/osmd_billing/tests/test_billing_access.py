from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install", "osmd")
class TestBillingAccess(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_run = cls._create_run()
        cls.billing_run.action_compute()

    def test_engineer_has_no_money_models(self):
        engineer = self.users_a["engineer"]
        for model in ("osmd.billing.run", "osmd.billing.line", "osmd.tariff", "osmd.benefit", "osmd.subsidy"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(engineer).search([])

    def test_audit_reads_but_cannot_write(self):
        audit = self.users_a["audit"]
        run = self.billing_run.with_user(audit)
        self.assertEqual(run.amount_total, self.billing_run.amount_total)
        self.assertTrue(run.line_ids)
        with self.assertRaises(AccessError):
            run.action_compute()
        with self.assertRaises(AccessError):
            self.env["osmd.tariff"].with_user(audit).create(
                {
                    "company_id": self.company_a.id,
                    "product_id": self.svc_maint.id,
                    "price": 1,
                    "date_start": "2030-01-01",
                }
            )
        with self.assertRaises(AccessError):
            self.tariffs[0].with_user(audit).date_end = "2030-01-01"

    def test_accountant_and_chairman_configure_billing(self):
        for year, role in ((2031, "accountant"), (2032, "chairman")):
            user = self.users_a[role]
            tariff = (
                self.env["osmd.tariff"]
                .with_user(user)
                .create(
                    {
                        "company_id": self.company_a.id,
                        "product_id": self.svc_maint.id,
                        "building_id": self.building.id,
                        "price": 9,
                        "date_start": f"{year}-01-01",
                        "date_end": f"{year}-12-31",
                    }
                )
            )
            self.assertEqual(tariff.price, 9)
            self.env["osmd.benefit"].with_user(user).create(
                {
                    "company_id": self.company_a.id,
                    "account_id": self.account1.id,
                    "product_id": self.svc_heat.id,
                    "percent": 25,
                    "date_start": f"{year}-01-01",
                    "date_end": f"{year}-12-31",
                }
            )
            self.svc_maint.product_tmpl_id.with_user(user).osmd_quantity_digits = 2

    def test_other_association_sees_nothing(self):
        accountant_b = self.users_b["accountant"]
        for model in (
            "osmd.billing.run",
            "osmd.billing.line",
            "osmd.billing.problem",
            "osmd.tariff",
            "osmd.subscription",
        ):
            with self.subTest(model=model):
                self.assertFalse(self.env[model].with_user(accountant_b).search([]))
        with self.assertRaises(AccessError):
            self.billing_run.with_user(accountant_b).read(["amount_total"])

    def test_chairman_saves_the_whole_settings_form(self):
        """One save of the association settings: penalties, reading window, bank, contacts."""
        chairman = self.users_a["chairman"]
        self.company_a.with_user(chairman).write(
            {
                "osmd_penalty_enabled": True,
                "osmd_penalty_rate": 0.005,
                "osmd_penalty_deadline_day": 15,
                "osmd_reading_day_start": 18,
                "osmd_reading_day_end": 24,
                "osmd_engineer_id": self.users_a["engineer"].id,
                "osmd_iban": "UA213223130000026007233566001",
                "phone": "+380441234567",
            }
        )
        self.assertRecordValues(
            self.company_a,
            [{"osmd_penalty_rate": 0.005, "osmd_penalty_deadline_day": 15, "osmd_reading_day_start": 18}],
        )
        with self.assertRaises(ValidationError):
            self.company_a.with_user(chairman).write({"osmd_penalty_rate": 0.02, "phone": "+380441234568"})
        with self.assertRaises(AccessError):
            self.company_a.with_user(chairman).write({"osmd_engineer_id": self.users_b["engineer"].id})
        with self.assertRaises(ValidationError):
            self.company_a.write({"osmd_engineer_id": self.users_b["engineer"].id})
        with self.assertRaises(AccessError):
            self.company_b.with_user(chairman).write({"osmd_penalty_rate": 0.001, "osmd_reading_day_start": 10})
        with self.assertRaises(AccessError):
            self.company_a.with_user(chairman).write(
                {"osmd_penalty_rate": 0.001, "currency_id": self.env.ref("base.EUR").id}
            )
        with self.assertRaises(AccessError):
            self.company_a.with_user(self.users_a["accountant"]).write({"osmd_penalty_rate": 0.001})

    def test_implausible_tariff_price_refused_by_name(self):
        vals = {"company_id": self.company_a.id, "product_id": self.svc_maint.id, "date_start": "2030-01-01"}
        with self.assertRaisesRegex(ValidationError, "Tariff: Price must be from 0.00 to 100,000.00"):
            self.env["osmd.tariff"].create({**vals, "price": 850_000_000})
        with self.assertRaisesRegex(ValidationError, "Price zone 2 must be from"):
            self.env["osmd.tariff"].create({**vals, "price": 4.32, "price_zone2": -1})
        self.tariffs.filtered(lambda t: t.product_id == self.svc_maint).date_end = "2029-12-31"
        self.assertTrue(self.env["osmd.tariff"].create({**vals, "price": 100_000}))
