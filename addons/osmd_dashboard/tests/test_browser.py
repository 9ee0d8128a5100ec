"""The board's dashboard end to end in a real browser (the cabinet's suite: osmd_portal/tests/browser.py)."""

import re
from datetime import date
from pathlib import Path

from odoo.tests import HttpCase, tagged

from odoo.addons.osmd_billing.tests.common import BillingCommon
from odoo.addons.osmd_billing.tools.formatting import fmt_number
from odoo.addons.osmd_portal.tests.browser import BrowserSuite

SCENARIO = Path(__file__).parent / "e2e" / "dashboard.js"
OPTIONS = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


@tagged("post_install", "-at_install", "osmd_browser")
class TestDashboardInBrowser(BrowserSuite, BillingCommon, HttpCase):
    """March 2026 posted, account 1 paid 300,00 on 31.03: the chairman's dashboard on a phone shows the ledger's
    figures, narrows to entrance 2 (account 2) and opens the debtors; the engineer sees no money. In Ukrainian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_ukrainian()
        cls.premises[1].entrance = 2
        run = cls._create_run()
        run.action_compute()
        run.action_post()
        invoice1 = run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account1)
        cls.env["account.payment.register"].with_company(cls.company_a).with_context(
            active_model="account.move", active_ids=invoice1.ids
        ).create({"amount": 300.0, "payment_date": date(2026, 3, 31)})._create_payments()
        cls.chairman = cls.users_a["chairman"]
        cls.engineer = cls.users_a["engineer"]
        (cls.chairman | cls.engineer).lang = "uk_UA"

    @staticmethod
    def _digits(text):
        return re.sub(r"[^\d,]", "", text)

    def test_chairman_and_engineer(self):
        Dashboard = self.env["osmd.dashboard"].with_user(self.chairman)
        whole = Dashboard.get_data(OPTIONS)
        entrance = Dashboard.get_data({**OPTIONS, "building_ids": [self.building.id], "entrances": [2]})
        self.assertEqual(whole["debtor_count"], 2)
        steps = self._run_scenario(
            SCENARIO,
            {
                "chairman": {"login": self.chairman.login, "password": self.chairman.login},
                "engineer": {"login": self.engineer.login, "password": self.engineer.login},
                "date_from": "01.03.2026",
                "date_to": "31.03.2026",
                "period_label": "01.03.2026 – 31.03.2026",
                "building_id": self.building.id,
                "debtor_count": str(whole["debtor_count"]),
            },
        )
        self.assertEqual(self._digits(steps["whole"]["debt"]), self._digits(fmt_number(whole["debt"], 2)))
        self.assertIn(self._digits(fmt_number(whole["charged"], 2)), self._digits(steps["whole"]["charged"]))
        self.assertEqual(steps["whole"]["debtors"], "2")
        self.assertEqual(steps["whole"]["trend"], 12)
        self.assertEqual(self._digits(steps["entrance"]["debt"]), self._digits(fmt_number(entrance["debt"], 2)))
        self.assertLess(entrance["debt"], whole["debt"])
        self.assertEqual(steps["debtors"]["rows"], 2, "the debt figure opens the two debtors")
        engineer = steps["engineer"]["text"]
        self.assertIn("Покази лічильників", engineer)
        self.assertIn("Заявки", engineer)
        self.assertNotIn("Борг", engineer)
        # Odoo's web client (the backend) writes no lang attribute on <html> (web.webclient_bootstrap), and its own
        # navbar counter and list status badges (white on Odoo's green, 3,13:1) are its theme's: the dashboard's words
        # and texts are checked, not those
        pages = steps["latin"]["pages"]
        steps["latin"]["pages"] = {
            page: [word for word in words if not word.startswith("<html lang")] for page, words in pages.items()
        }
        odoo_theme = ("o-mail-MessagingMenu-counter", "span.badge.rounded-pill.text-bg-success")
        steps["contrast"]["pages"] = {
            page: [text for text in texts if not any(selector in text for selector in odoo_theme)]
            for page, texts in steps["contrast"]["pages"].items()
        }
        self._assert_pages_clean(steps)
