"""The cabinet end to end, in a real browser: Debian's chromium driven by playwright-core (npm, no browser download)
through ``tests/e2e/cabinet.js``, against this test's Odoo server. Screenshots are kept in ``var/log/e2e``."""

import json
import logging
import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import HOST, TEST_CURSOR_COOKIE_NAME

from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.osmd_payments.tests.common import PaymentsCommon

from .common import resident_user

_logger = logging.getLogger(__name__)

SCENARIO = Path(__file__).parent / "e2e" / "cabinet.js"


def _repo_root():
    """The checkout holding ``node_modules/playwright-core`` (installed by ``make setup``)."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "node_modules" / "playwright-core").is_dir():
            return folder
    return None


@tagged("post_install", "-at_install", "osmd_browser")
class TestCabinetInBrowser(PaymentsCommon, HttpCase):
    """A resident on a 390 px phone: balance and "pay by", the receipt PDF, a reading (a too-low one refused), a card
    payment through the demo provider, the payment on the balance; the engineer confirms the reading on a phone."""

    # Latin on a Ukrainian page that is not English left over: the meter's serial, the bank's codes, the demo
    # provider's own test form (a real association's providers are LiqPay and Monobank), "Passkey" as Odoo's own
    # Ukrainian translation writes it ("Додати Passkey")
    LATIN_ALLOWED = frozenset(
        {
            "E2E",
            "WATER",
            "IBAN",
            "SMS",
            "PDF",
            "QR",
            "Demo",
            "Successful",
            "Pending",
            "Cancelled",
            "Error",
            "LiqPay",
            "Monobank",
            "Passkey",
        }
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = date.today()
        # the association's language, as a real installation has it: Odoo's, OCA's and our words in Ukrainian
        cls.env["res.lang"]._activate_lang("uk_UA")
        installed = cls.env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        cls.env["ir.module.module"]._load_module_terms(installed, ["uk_UA"])
        cls.env["ir.ui.view"]._osmd_translate_odoo_terms()
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

    def _run_scenario(self, config):
        root = _repo_root()
        node = shutil.which("node")
        chromium = os.environ.get("OSMD_CHROMIUM") or shutil.which("chromium")
        # never skipped: a machine without them fails here, saying what to install
        self.assertTrue(root, "playwright-core is not installed: run `make setup` (npm ci)")
        self.assertTrue(node, "Node.js is not installed (apt-get install nodejs)")
        self.assertTrue(chromium, "Debian's chromium is not installed (apt-get install chromium)")
        artifacts = Path(os.environ.get("OSMD_E2E_ARTIFACTS") or root / "var" / "log" / "e2e")
        artifacts.mkdir(parents=True, exist_ok=True)
        config.update(base_url=self.base_url(), chromium=chromium, artifacts=str(artifacts))
        with self.allow_requests():
            # Odoo's test server answers only requests carrying this test's key (as in its own browser tests)
            config["cookie"] = {"name": TEST_CURSOR_COOKIE_NAME, "value": self.http_request_key, "domain": HOST}
            process = self._node(node, root, config)
        steps = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
        for step in steps:
            _logger.info("e2e: %s", step)
        self.assertEqual(process.returncode, 0, f"{process.stderr}\n{process.stdout}\nscreenshots in {artifacts}")
        return {step["step"]: step for step in steps}

    @staticmethod
    def _node(node, root, config):
        return subprocess.run(  # noqa: S603 - our own scenario, run with the node found on PATH
            # Odoo caps this process's address space (limit_memory_hard); node reserves more for WebAssembly
            ["/bin/sh", "-c", 'ulimit -v unlimited && exec "$0" "$@"', node, str(SCENARIO)],
            input=json.dumps(config),
            capture_output=True,
            text=True,
            timeout=600,
            cwd=root,
            env={**os.environ, "NODE_PATH": str(root / "node_modules")},
            check=False,
        )

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
                }
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
        # no English on any page the resident saw: only codes and names that are Latin in Ukrainian too
        english = {page: sorted(set(words) - self.LATIN_ALLOWED) for page, words in steps["latin"]["pages"].items()}
        self.assertFalse({page: words for page, words in english.items() if words}, "English words on the pages")
        # readable: every text the resident saw meets WCAG AA contrast (4.5:1, large text 3:1)
        low = {page: texts for page, texts in steps["contrast"]["pages"].items() if texts}
        self.assertFalse(low, "text below WCAG AA contrast")
        new_balance = f"{due - to_pay:,.2f}".replace(",", "\N{NO-BREAK SPACE}").replace(".", ",")
        self.assertEqual(steps["paid"]["balance"], new_balance, "the new balance on the resident's page")
