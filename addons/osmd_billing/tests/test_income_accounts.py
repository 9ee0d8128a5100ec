from unittest.mock import patch

from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install", "osmd")
class TestIncomeAccounts(BillingCommon):
    """The services of an association are income of works and services (703 of the Ukrainian chart), not
    of finished products (701), on both posting paths, each association on its own account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading("ua_psbo", cls.company_b, install_demo=False)

    def _account(self, company, code):
        return self.env["account.chart.template"].with_company(company).ref(f"ua_psbp_{code}")

    def _post_run(self):
        run = self._create_run()
        run.action_compute()
        run.problem_ids.filtered(lambda p: p.severity == "warning").unlink()
        self.assertFalse(run.problem_ids, "the fixture bills without problems")
        run.with_user(self.accountant).action_post()
        return run

    def _post_bulk(self, vals_list):
        """(invoices, number of them that took the bulk INSERT path)"""
        Move = type(self.env["account.move"])
        original = Move._osmd_bulk_insert
        seen = []

        def spy(model, reference, bulk_vals, plan):
            seen.extend(bulk_vals)
            return original(model, reference, bulk_vals, plan)

        with patch.object(Move, "_osmd_bulk_insert", autospec=True, side_effect=spy):
            moves = self.env["account.move"].with_company(self.company_a)._osmd_create_posted_invoices(vals_list)
        return moves, len(seen)

    def test_accruals_posted_to_703(self):
        run = self._post_run()
        moves = run.move_ids
        self.assertEqual(len(moves), 2)
        income = moves.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        self.assertTrue(income)
        self.assertEqual(income.account_id, self._account(self.company_a, "703"))
        self.assertEqual(income.account_id.company_ids, self.company_a)

    def test_bulk_path_posts_to_703(self):
        run = self._create_run()
        run.action_compute()
        lines = run.line_ids.read(
            ["account_id", "partner_id", "product_id", "explanation", "invoice_quantity", "invoice_price_unit"],
            load=None,
        )
        maint = [line for line in lines if line["product_id"] == self.svc_maint.id]
        partners = self.env["res.partner"].create(
            [{"name": f"Власник {i}", "company_id": self.company_a.id} for i in range(3)]
        )
        vals_list = []
        for partner in partners:
            vals = run._prepare_invoice_vals(self.account1, [dict(maint[0], partner_id=partner.id)])
            vals.update(osmd_account_id=False, osmd_billing_run_id=False, osmd_is_accrual=False)
            vals_list.append(vals)
        moves, bulk_count = self._post_bulk(vals_list)
        self.assertGreaterEqual(bulk_count, 1, "the bulk path is taken")
        income = moves.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        self.assertEqual(len(income), 3)
        self.assertEqual(income.account_id, self._account(self.company_a, "703"))

    def test_each_association_has_its_own_703(self):
        category_a = self.company_a.osmd_service_categ_id
        category_b = self.company_b.osmd_service_categ_id
        self.assertTrue(category_a and category_b)
        self.assertNotEqual(category_a, category_b)
        account_a, account_b = self._account(self.company_a, "703"), self._account(self.company_b, "703")
        self.assertNotEqual(account_a, account_b)
        self.assertEqual(category_a.with_company(self.company_a).property_account_income_categ_id, account_a)
        self.assertEqual(category_b.with_company(self.company_b).property_account_income_categ_id, account_b)
        service_b = self.env["product.product"].create(
            {"name": "Утримання Б", "osmd_basis": "area_total", "company_id": self.company_b.id}
        )
        self.assertEqual(service_b.categ_id, category_b)
        self.assertEqual(service_b.with_company(self.company_b)._get_product_accounts()["income"], account_b)
        self.assertEqual(self.svc_maint.categ_id, category_a)
        # a service created in the association without a company of its own (the services screen)
        shared = (
            self.env["product.template"]
            .with_company(self.company_b)
            .create({"name": "Домофон Б", "osmd_basis": "fixed"})
        )
        self.assertEqual(shared.categ_id, category_b)

    def test_explicit_income_account_is_kept(self):
        other = self._account(self.company_a, "7091")
        self.svc_maint.with_company(self.company_a).property_account_income_id = other
        run = self._post_run()
        lines = run.move_ids.invoice_line_ids
        self.assertEqual(lines.filtered(lambda line: line.product_id == self.svc_maint).account_id, other)
        self.assertEqual(
            (
                lines.filtered(lambda line: line.display_type == "product")
                - lines.filtered(lambda line: line.product_id == self.svc_maint)
            ).account_id,
            self._account(self.company_a, "703"),
        )
        # the migration step is idempotent and keeps what the accountant chose
        self.company_a._osmd_ensure_service_category()
        self.assertEqual(self.svc_maint.with_company(self.company_a).property_account_income_id, other)

    def test_payment_method_lines_in_the_association_language(self):
        """The payment wizard of a Ukrainian association offers "Ручний платіж", not Odoo's "Manual Payment"
        frozen in the language of whoever loaded the chart; a name chosen by the accountant is kept."""
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(["account"], ["uk_UA"])
        self.company_b.partner_id.lang = "uk_UA"
        bank = self.env["account.journal"].search(
            [("company_id", "=", self.company_b.id), ("type", "=", "bank")], limit=1
        )
        lines = bank.inbound_payment_method_line_ids.filtered(lambda line: line.payment_method_id.code == "manual")
        self.assertTrue(lines)
        lines.name = "Manual Payment"
        renamed = bank.outbound_payment_method_line_ids.filtered(lambda line: line.payment_method_id.code == "manual")
        renamed.name = "Каса правління"
        self.company_b._osmd_translate_payment_method_lines()
        self.assertEqual(lines.mapped("name"), ["Ручний платіж"] * len(lines))
        self.assertEqual(renamed.mapped("name"), ["Каса правління"] * len(renamed))
