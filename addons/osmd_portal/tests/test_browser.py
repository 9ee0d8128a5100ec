"""The cabinet end to end, in a real browser: Debian's chromium driven by playwright-core (npm, no browser download)
through ``tests/e2e/cabinet.js``, against this test's Odoo server. Screenshots are kept in ``var/log/e2e``."""

from datetime import date, timedelta
from pathlib import Path
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.osmd_payments.tests.common import PaymentsCommon

from .browser import BrowserSuite
from .common import resident_user

SCENARIO = Path(__file__).parent / "e2e" / "cabinet.js"


def _repo_root():
    """The checkout holding ``node_modules/playwright-core`` (installed by ``make setup``)."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "node_modules" / "playwright-core").is_dir():
            return folder
    return None


@tagged("post_install", "-at_install", "osmd_browser")
class TestCabinetInBrowser(BrowserSuite, PaymentsCommon, HttpCase):
    """A resident on a 390 px phone: balance and "pay by", the receipt PDF, a reading (a too-low one refused), a card
    payment through the demo provider, the payment on the balance; the engineer confirms the reading on a phone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = date.today()
        # the association's language, as a real installation has it: Odoo's, OCA's and our words in Ukrainian
        cls._load_ukrainian()
        cls.payer = cls.data_a["owners"][0]  # holder of account 1
        cls.payer.name = "Шевчук-Коваленко Олександра Володимирівна"  # a long name must not widen a phone's page
        cls.resident = resident_user(cls.env, "e2e_resident", cls.payer, cls.company_a)
        cls.engineer = cls.users_a["engineer"]
        (cls.resident | cls.engineer).lang = "uk_UA"
        run = cls._create_run()
        run.action_compute()
        run.action_post()
        cls.invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == cls.account1)
        # the association's card provider (the demo one) and an open reading window (every day of the month)
        provider = cls.env.ref("payment.payment_provider_demo").copy(
            {"name": "Картка", "company_id": cls.company_a.id, "state": "test", "is_published": True}
        )
        card = cls.env.ref("payment.payment_method_card") | cls.env.ref("payment_demo.payment_method_demo")
        provider.payment_method_ids = [Command.set(card.ids)]
        card.active = True
        cls.company_a.write({"osmd_reading_day_start": 2, "osmd_reading_day_end": 1})
        cls.meter = cls.env["osmd.meter"].create(
            {
                "serial": "E2E-WATER-1",
                "company_id": cls.company_a.id,
                "utility_id": cls.env.ref("osmd_metering.utility_cold_water").id,
                "premise_id": cls.account1.premise_id.id,
                "install_date": "2025-01-01",
                "digits": 5,
                "initial_value1": 100,
            }
        )
        cls.env["osmd.meter.reading"].create(
            {"meter_id": cls.meter.id, "date": today - timedelta(days=40), "value1": 120, "state": "confirmed"}
        )

    def _balance(self):
        self.account1.invalidate_recordset(["balance"])
        return self.account1.balance

    def test_resident_pays_and_sends_a_reading_engineer_confirms(self):
        due = self._balance()
        self.assertGreater(due, 0)
        to_pay = 100.0
        # in tests Odoo renders reports as HTML: the receipt goes through wkhtmltopdf here as it does in production
        render = IrActionsReport._render_qweb_pdf

        def render_pdf(report, report_ref, res_ids=None, data=None):
            return render(report.with_context(force_report_rendering=True), report_ref, res_ids=res_ids, data=data)

        with patch.object(IrActionsReport, "_render_qweb_pdf", render_pdf):
            steps = self._run_scenario(
                SCENARIO,
                {
                    "resident": {"login": "e2e_resident", "password": "e2e_resident_pwd_1"},
                    "engineer": {"login": self.engineer.login, "password": self.engineer.login},
                    "account": {"id": self.account1.id, "number": self.account1.number},
                    "due": f"{due:,.2f}".replace(",", "\N{NO-BREAK SPACE}").replace(".", ","),
                    "pay_by": self.invoice.invoice_date_due.strftime("%d.%m.%Y"),
                    "invoice_id": self.invoice.id,
                    "meter": {"id": self.meter.id, "serial": self.meter.serial, "too_low": "119", "value": "131,5"},
                    "pay": "100,00",
                    "phone": "067 765 43 21",
                },
            )
        self.env.invalidate_all()
        # what the browser did is in the ledger and the engineer's queue
        reading = self.env["osmd.meter.reading"].search([("meter_id", "=", self.meter.id), ("source", "=", "resident")])
        self.assertEqual(len(reading), 1, "the too-low reading was never written")
        self.assertEqual((reading.value1, reading.state), (131.5, "confirmed"))
        self.assertEqual(reading.submitted_by_id, self.resident)
        transaction = self.env["payment.transaction"].search([("osmd_account_id", "=", self.account1.id)])
        self.assertEqual((transaction.state, transaction.amount), ("done", to_pay))
        self.assertEqual(transaction.payment_id.move_id.state, "posted")
        self.assertAlmostEqual(self._balance(), due - to_pay, places=2)
        self.assertTrue(steps["receipt"]["pdf"], "the receipt is a PDF")
        status = dict(
            self.env["osmd.meter.reading"]
            .with_context(lang="uk_UA")
            ._fields["state"]
            ._description_selection(self.env(context={"lang": "uk_UA"}))
        )["confirmed"]
        self.assertEqual(steps["resident_sees_confirmed"]["status"], status, "the resident sees it confirmed")
        # the contact page kept the phone, normalised, and the choice of SMS for meter reminders
        self.assertEqual((self.payer.phone, self.payer.osmd_notify_readings), ("+380677654321", "sms"))
        # no English on any page the resident saw, every text readable
        self._assert_pages_clean(steps)
        new_balance = f"{due - to_pay:,.2f}".replace(",", "\N{NO-BREAK SPACE}").replace(".", ",")
        self.assertEqual(steps["paid"]["balance"], new_balance, "the new balance on the resident's page")
