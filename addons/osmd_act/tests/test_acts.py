from datetime import date

from markupsafe import escape

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.osmd_billing.tests.common import PERIOD, BillingCommon


@tagged("post_install", "-at_install", "osmd")
class TestActs(BillingCommon):
    """Account 1's holder is a company: posting the run makes its act from the invoice's lines; account 2's holder
    is a person who did not ask for acts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_holder = cls.account1.holder_id
        cls.company_holder.write({"is_company": True, "vat": "12345603"})
        cls.company_a.osmd_edrpou = "87654316"

    def _post(self, period=PERIOD):
        run = self._create_run(period=period)
        run.action_compute()
        # later months have warnings (no readings) that a user confirms in the Post dialog
        run._do_post()
        return run

    def test_act_has_the_invoice_lines_and_total(self):
        run = self._post()
        invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account1)
        act = self.env["osmd.act"].search([("move_id", "in", run.move_ids.ids)])
        self.assertEqual(act.move_id, invoice, "only the company's invoice gets an act")
        self.assertEqual(act.name, "2026-00001")
        self.assertEqual(act.date, invoice.invoice_date)
        self.assertEqual(act._lines(), invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product"))
        self.assertEqual(sum(act._lines().mapped("price_subtotal")), invoice.amount_untaxed)
        self.assertEqual(act.amount_total, invoice.amount_total)
        self.assertFalse(act.amount_tax)
        html = self.env["ir.actions.report"]._render_qweb_html("osmd_act.report_act", act.ids)[0].decode()
        self.assertIn("2026-00001", html)
        self.assertIn("87654316", html)
        self.assertIn("12345603", html)
        self.assertIn("Without VAT", html)
        for line in act._lines():
            self.assertIn(line.name.split(":")[0], html)
        self.assertIn(str(escape(act._total_words())), html)
        self.assertEqual(run.act_count, 1)
        # the invoice's e-mail carries the act
        placeholders = self.env["account.move.send"]._get_placeholder_mail_template_dynamic_attachments_data(
            invoice, self.env.ref("account.email_template_edi_invoice")
        )
        self.assertIn("osmd_act.report_act_move", [p.get("dynamic_report") for p in placeholders])
        other = run.move_ids - invoice
        placeholders = self.env["account.move.send"]._get_placeholder_mail_template_dynamic_attachments_data(
            other, self.env.ref("account.email_template_edi_invoice")
        )
        self.assertNotIn("osmd_act.report_act_move", [p.get("dynamic_report") for p in placeholders])

    def test_numbering_per_association_and_year_and_on_request(self):
        self.account2.holder_id.osmd_wants_act = True  # a sole proprietor who asked for acts
        march = self._post()
        april = self._post(date(2026, 4, 1))
        acts = self.env["osmd.act"].search([("company_id", "=", self.company_a.id)], order="id")
        self.assertEqual(len(acts), 4, "two invoices a month now have acts")
        self.assertEqual(acts.mapped("name"), ["2026-00001", "2026-00002", "2026-00003", "2026-00004"])
        self.assertEqual(len(march.move_ids), 2)
        january = self._post(date(2027, 1, 1))
        self.assertEqual(
            sorted(self.env["osmd.act"].search([("move_id", "in", january.move_ids.ids)]).mapped("name")),
            ["2027-00001", "2027-00002"],
            "a new year starts again",
        )
        # generating again makes nothing twice
        april.action_generate_acts()
        self.assertEqual(self.env["osmd.act"].search_count([("move_id", "in", april.move_ids.ids)]), 2)

    def test_vat_payer_gets_vat_lines_on_invoice_and_act(self):
        tax = self.env["account.tax"].create(
            {
                "name": "ПДВ 20%",
                "amount": 20,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": self.company_a.id,
            }
        )
        self.svc_maint.taxes_id = tax
        run = self._post()
        invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account1)
        maint = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.svc_maint)
        self.assertEqual(invoice.amount_tax, round(maint.price_subtotal * 0.2, 2))
        act = self.env["osmd.act"].search([("move_id", "=", invoice.id)])
        self.assertEqual(
            (act.amount_untaxed, act.amount_tax, act.amount_total),
            (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total),
        )
        html = self.env["ir.actions.report"]._render_qweb_html("osmd_act.report_act", act.ids)[0].decode()
        self.assertNotIn("Without VAT<", html)
        self.assertIn("Total without VAT", html)

    def test_access(self):
        self._post()
        act = self.env["osmd.act"].search([("company_id", "=", self.company_a.id)])
        self.assertTrue(act.with_user(self.users_a["audit"]).name)
        with self.assertRaises(AccessError):
            act.with_user(self.users_a["audit"]).write({"name": "x"})
        with self.assertRaises(AccessError):
            act.with_user(self.users_a["engineer"]).read(["amount_total"])
        self.assertFalse(self.env["osmd.act"].with_user(self.users_b["chairman"]).search([]))

    def test_register_of_acts(self):
        self.account2.holder_id.osmd_wants_act = True
        run = self._post()
        register = self.env["osmd.act.register"].with_user(self.users_a["audit"]).create({"period": PERIOD})
        acts = register._acts()
        self.assertEqual(len(acts), 2)
        from odoo.addons.osmd_base.tools.xlsx_read import read_workbook  # noqa: PLC0415

        sheets = read_workbook(register._build_xlsx())
        cells = [str(cell) for sheet in sheets for row in sheet.rows for cell in row if cell not in (None, "")]
        for act in acts:
            self.assertIn(act.name, cells)
        self.assertIn(str(sum(run.move_ids.mapped("amount_total"))), " ".join(cells))
        # mass printing of the period
        action = register.action_print()
        self.assertEqual(action["report_name"], "osmd_act.report_act")
        self.assertEqual(sorted(action["context"]["active_ids"]), sorted(acts.ids))
