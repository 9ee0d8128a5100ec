from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tests import new_test_user, tagged
from odoo.tools import html2plaintext

from odoo.addons.osmd_billing.tests.common import BillingCommon
from odoo.addons.osmd_billing.tools.formatting import fmt_number

APRIL = date(2026, 4, 1)
APRIL_END = date(2026, 4, 30)
OPTIONS = {"date_from": "2026-04-01", "date_to": "2026-04-30"}


@tagged("post_install", "-at_install", "osmd")
class TestDashboard(BillingCommon):
    """April 2026 of association A: the March invoices, a payment, a recalculation of March (a late reading
    replacing an estimate) and the April run with penalties; the dashboard's figures against the turnover
    register and the ledger, its lists, its filters and who sees what."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write({"osmd_penalty_enabled": True, "osmd_penalty_deadline_day": 17})
        cls.penalty_product = cls.env.ref("osmd_billing.product_osmd_penalty")
        cls.premises[1].entrance = 2
        # account 2's water meter: March was billed on an estimate, the real reading comes late
        cls.meter_late = cls.env["osmd.meter"].create(
            {
                "serial": "W-2",
                "company_id": cls.company_a.id,
                "utility_id": cls.utility_water.id,
                "premise_id": cls.premises[1].id,
                "install_date": "2025-01-01",
            }
        )
        cls.env["osmd.meter.reading"].create(
            {
                "meter_id": cls.meter_late.id,
                "date": "2026-03-01",
                "source": "estimate",
                "consumption": 5,
                "state": "confirmed",
            }
        )
        march = cls._create_run()
        march.action_compute()
        march.action_post()
        cls.march1 = march.move_ids.filtered(lambda m: m.osmd_account_id == cls.account1)
        cls.march2 = march.move_ids.filtered(lambda m: m.osmd_account_id == cls.account2)
        # account 1 pays 300,00 on 10.04
        cls.payment = (
            cls.env["account.payment.register"]
            .with_company(cls.company_a)
            .with_context(active_model="account.move", active_ids=cls.march1.ids)
            .create({"amount": 300.0, "payment_date": date(2026, 4, 10)})
            ._create_payments()
        )
        # the late reading: a recalculation of March dated 15.04
        cls.env["osmd.meter.reading"].create(
            {"meter_id": cls.meter_late.id, "date": "2026-03-28", "value1": 8, "state": "confirmed"}
        )
        recalculation = cls.env["osmd.recalculation"].create(
            {"company_id": cls.company_a.id, "period": "2026-03-15", "date": "2026-04-15", "reason": "Late reading"}
        )
        recalculation.action_compute()
        recalculation.action_post()
        cls.recalculation = recalculation
        # the April run, with penalties on what was not paid by the deadline
        april = cls._create_run(period=APRIL)
        april.action_compute()
        action = april.action_open_post_wizard()
        cls.env["osmd.billing.run.post"].browse(action["res_id"]).action_confirm()
        cls.april = april
        cls.accounts = cls.account1 | cls.account2
        cls.Dashboard = cls.env["osmd.dashboard"]

    def _data(self, user=None, **options):
        return self.Dashboard.with_user(user or self.accountant).get_data({**OPTIONS, **options})

    def _accounts_aging(self, day):
        """The aging of the two accounts' own fields (their open items) on ``day``, summed."""
        aged = self.accounts.with_context(date=day)
        buckets = ("0_30", "31_90", "91_180", "180_plus")
        return {bucket: round(sum(aged.mapped(f"debt_{bucket}")), 2) for bucket in buckets}

    def _receivable(self, domain):
        return self.env["account.move.line"].search(
            Domain("account_type", "=", "asset_receivable") & Domain("parent_state", "=", "posted") & domain
        )

    # ------------------------------------------------------------
    # FIGURES
    # ------------------------------------------------------------

    def test_figures_tie_out_to_the_register_and_the_ledger(self):
        data = self._data()
        totals = data["totals"]
        # the turnover register of April (the accountant's XLSX) gives the same columns
        register = (
            self.env["osmd.turnover.register"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "period": APRIL})
        )
        columns = {key: 0.0 for key in totals}
        for values in register._get_register_data()["accounts"].values():
            for key in columns:
                columns[key] += float(values[key])
        self.assertEqual(totals, {key: round(value, 2) for key, value in columns.items()})

        # the ledger: receivable items of the accounts' documents and of the payment
        linked = Domain("move_id.osmd_account_id", "in", self.accounts.ids)
        april = Domain("date", ">=", APRIL) & Domain("date", "<=", APRIL_END)
        documents = self._receivable(linked & april & Domain("move_id.move_type", "in", ["out_invoice", "out_refund"]))
        penalty_lines = self.env["account.move.line"].search(
            linked & april & Domain("product_id", "=", self.penalty_product.id) & Domain("parent_state", "=", "posted")
        )
        self.assertTrue(penalty_lines, "the April invoices carry penalties")
        recalculated = documents.filtered(lambda line: line.move_id.osmd_recalc_period)
        self.assertEqual(round(sum(recalculated.mapped("balance")), 2), 90.51, "8 m³ instead of the 5 m³ estimate")
        self.assertEqual(totals["recalculated"], 90.51)
        self.assertEqual(totals["penalties"], round(sum(penalty_lines.mapped("price_total")), 2))
        self.assertEqual(data["charged"], round(sum(documents.mapped("balance")), 2))
        self.assertEqual(totals["accrued"], round(sum(documents.mapped("balance")) - 90.51 - totals["penalties"], 2))
        self.assertEqual(totals["paid"], 300.0)
        payments = self._receivable(Domain("move_id", "in", self.payment.move_id.ids))
        self.assertEqual(totals["paid"], round(-sum(payments.mapped("balance")), 2))
        up_to_april = self._receivable(linked | Domain("move_id", "in", self.payment.move_id.ids))
        up_to_april = up_to_april.filtered(lambda line: line.date <= APRIL_END)
        self.assertEqual(totals["closing"], round(sum(up_to_april.mapped("balance")), 2))
        self.assertEqual(data["collection_rate"], round(300.0 * 100 / data["charged"], 2))

        # debts: the debtors list (nothing is dated after April) and each account's aging on 30.04
        debtors = self.env["osmd.debtor.report"].search([("company_id", "=", self.company_a.id)])
        self.assertEqual(data["debt"], round(sum(debtors.mapped("balance")), 2))
        self.assertEqual(data["debtor_count"], len(debtors))
        self.assertEqual(data["debtor_count"], 2)
        self.assertEqual(data["debt"], totals["closing"], "no advance payments here")
        self.assertEqual(data["aging"], self._accounts_aging("2026-04-30"))
        self.assertEqual(data["aging"]["0_30"], data["debt"], "the March invoices fell due on 17.04")
        # on 31.07 March (due 17.04) is 105 days overdue, April (due 17.05) 75 days: as the accounts' own aging
        july = self._data(date_from="2026-07-01", date_to="2026-07-31")
        self.assertEqual(july["aging"], self._accounts_aging("2026-07-31"))
        self.assertGreater(july["aging"]["31_90"], 0)
        self.assertGreater(july["aging"]["91_180"], 0)
        self.assertEqual(round(sum(july["aging"].values()), 2), july["debt"])
        self.assertEqual(
            [(row["id"], row["debt"]) for row in data["top_debtors"]],
            sorted(((d.account_id.id, d.balance) for d in debtors), key=lambda item: -item[1]),
        )

        # the 12-month trend ends with April and agrees with the period's figures
        trend = data["trend"]
        self.assertEqual(len(trend), 12)
        self.assertEqual(trend[-1]["month"], "2026-04-01")
        self.assertEqual((trend[-1]["charged"], trend[-1]["paid"]), (data["charged"], 300.0))
        self.assertEqual(trend[-1]["balance"], totals["closing"])
        self.assertEqual(trend[-2]["charged"], round(self.march1.amount_total + self.march2.amount_total, 2))
        self.assertEqual(trend[-2]["balance"], totals["opening"])
        self.assertEqual(trend[0]["balance"], 0.0)

    def test_debt_on_an_earlier_day(self):
        """On 31.03 the March invoices were all owed and nothing was overdue yet."""
        data = self._data(date_from="2026-03-01", date_to="2026-03-31")
        march_total = round(self.march1.amount_total + self.march2.amount_total, 2)
        self.assertEqual(data["debt"], march_total)
        self.assertEqual(data["totals"]["paid"], 0.0)
        self.assertEqual(data["aging"]["0_30"], march_total)
        self.assertEqual(data["collection_rate"], 0.0)

    def test_filters(self):
        both = self._data()
        only2 = self._data(building_ids=[self.building.id], entrances=[2])
        self.assertEqual(only2["account_count"], 1)
        self.assertEqual(
            only2["debt"], round(self.account2.with_context(date="2026-04-30").balance, 2), "account 2 only"
        )
        listed = self._data(account_ids=[self.account1.id])
        self.assertEqual(listed["account_count"], 1)
        self.assertEqual(round(listed["debt"] + only2["debt"], 2), both["debt"])
        empty = self.env["osmd.building"].create(
            {"name": "Порожній", "street": "вул. Лесі Українки, 1", "city": "Київ", "company_id": self.company_a.id}
        )
        nothing = self._data(building_ids=[empty.id])
        self.assertEqual((nothing["account_count"], nothing["debt"], nothing["charged"]), (0, 0.0, 0.0))
        with self.assertRaises(UserError):
            self._data(date_from="2026-05-01", date_to="2026-04-30")
        # "Show on the dashboard" on the accounts list opens it with those accounts
        action = (
            self.env.ref("osmd_dashboard.osmd_account_action_dashboard")
            .with_user(self.accountant)
            .with_context(active_model="osmd.account", active_ids=self.account1.ids, active_id=self.account1.id)
            .run()
        )
        self.assertEqual((action["tag"], action["params"]), ("osmd_dashboard", {"account_ids": self.account1.ids}))

    def test_readings_and_requests(self):
        Reading = self.env["osmd.meter.reading"]
        Reading.create({"meter_id": self.meter_water.id, "date": "2026-04-24", "value1": 150, "state": "confirmed"})
        Reading.create({"meter_id": self.meter_power.id, "date": "2026-04-25", "value1": 1150, "value2": 560})
        Reading.create({"meter_id": self.meter_late.id, "date": "2026-04-01", "source": "estimate", "consumption": 5})
        readings = self._data()["readings"]
        self.assertEqual(
            readings,
            {"month": "04.2026", "expected": 3, "received": 2, "missing": 1, "waiting": 1, "rate": 66.7},
        )
        missing = self.Dashboard.with_user(self.accountant).action_open_figure(OPTIONS, "readings_missing")
        self.assertEqual(self.env["osmd.meter"].search(missing["domain"]), self.meter_late)
        # entrance 2 has account 2's two meters, none read (an estimate is not a reading)
        self.assertEqual(self._data(building_ids=[self.building.id], entrances=[2])["readings"]["received"], 1)

        category = self.env["helpdesk.ticket.category"].search(
            [("company_id", "=", self.company_a.id), ("osmd_kind", "=", "emergency")], limit=1
        )
        ticket = (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                {
                    "company_id": self.company_a.id,
                    "category_id": category.id,
                    "osmd_account_id": self.account2.id,
                    "name": "Тече труба",
                    "description": "<p>Тече стояк.</p>",
                }
            )
        )
        today = self.env.cr.now().date().isoformat()
        requests = self._data(date_from=today, date_to=today)["requests"]
        self.assertEqual((requests["open"], requests["emergency"], requests["new"]), (1, 1, 1))
        self.assertEqual(self._data(account_ids=[self.account1.id])["requests"]["open"], 0)
        action = self.Dashboard.with_user(self.accountant).action_open_figure(OPTIONS, "requests_emergency")
        self.assertEqual(self.env["helpdesk.ticket"].search(action["domain"]), ticket)

    # ------------------------------------------------------------
    # CLICK-THROUGH
    # ------------------------------------------------------------

    def test_each_figure_opens_its_records(self):
        data = self._data()
        Dashboard = self.Dashboard.with_user(self.accountant)

        def records(figure, key=None):
            action = Dashboard.action_open_figure(OPTIONS, figure, key)
            return self.env[action["res_model"]].with_context(active_test=False).search(action["domain"])

        self.assertEqual(round(sum(records("accrued").mapped("price_total")), 2), data["totals"]["accrued"])
        self.assertEqual(round(sum(records("recalculated").mapped("price_total")), 2), 90.51)
        self.assertEqual(round(sum(records("penalties").mapped("price_total")), 2), data["totals"]["penalties"])
        self.assertEqual(round(-sum(records("paid").mapped("balance")), 2), 300.0)
        self.assertEqual(records("debtors"), self.accounts, "the accounts owing on 30.04")
        self.assertFalse(records("advances"))
        self.assertFalse(records("aging", "180_plus"))
        self.assertEqual(records("aging", "0_30"), self.accounts)
        account = Dashboard.action_open_figure(OPTIONS, "account", self.account2.id)
        self.assertEqual((account["res_model"], account["res_id"]), ("osmd.account", self.account2.id))
        with self.assertRaises(UserError):
            Dashboard.action_open_figure(OPTIONS, "account", self.data_b["accounts"][0].id)

    # ------------------------------------------------------------
    # ACCESS
    # ------------------------------------------------------------

    def test_engineer_sees_no_money(self):
        engineer = self.users_a["engineer"]
        data = self._data(engineer)
        self.assertFalse(data["money"])
        self.assertNotIn("totals", data)
        self.assertNotIn("debt", data)
        self.assertEqual(data["readings"]["expected"], 3)
        for figure in ("debt", "accrued", "paid", "notify"):
            with self.assertRaises(AccessError):
                self.Dashboard.with_user(engineer).action_open_figure(OPTIONS, figure)
        with self.assertRaises(AccessError):
            self._data(engineer, account_ids=[self.account1.id])

    def test_audit_reads_and_sends_nothing(self):
        audit = self.users_a["audit"]
        data = self._data(audit)
        self.assertTrue(data["money"])
        self.assertFalse(data["can_notify"])
        self.assertEqual(data["debt"], self._data()["debt"])
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(audit).action_open_figure(OPTIONS, "notify")
        with self.assertRaises(AccessError):
            self.env["osmd.debtor.notify"].with_user(audit).create({"account_ids": [(6, 0, self.accounts.ids)]})

    def test_residents_and_other_associations_see_nothing(self):
        resident = new_test_user(
            self.env,
            login="dash_resident",
            groups="osmd_base.group_osmd_resident",
            partner_id=self.owners[0].id,
            company_id=self.company_a.id,
            company_ids=[self.company_a.id],
        )
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(resident).get_data(OPTIONS)
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(resident).action_open_figure(OPTIONS, "debt")
        chairman_b = self.users_b["chairman"]
        # association A's buildings and accounts in the options are not B's: nothing of A is counted
        data = self._data(chairman_b, building_ids=[self.building.id], account_ids=self.accounts.ids)
        self.assertEqual(data["company"]["id"], self.company_b.id)
        self.assertEqual((data["account_count"], data["debt"], data["charged"]), (0, 0.0, 0.0))
        self.assertFalse(data["buildings"][0]["id"] == self.building.id)
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(chairman_b).with_context(allowed_company_ids=[self.company_a.id]).get_data(OPTIONS)

    # ------------------------------------------------------------
    # MESSAGES TO THE SELECTION
    # ------------------------------------------------------------

    def test_reminders_to_the_selection(self):
        self.env["ir.config_parameter"].sudo().set_param("osmd_billing.sms_gateway_origins", "http://127.0.0.1:1")
        self.env["osmd.sms.provider"].create(
            {
                "name": "TurboSMS",
                "company_id": self.company_a.id,
                "kind": "turbosms",
                "url": "http://127.0.0.1:1/",
                "sender": "OSBB Test",
                "token": "t",
            }
        )
        self.owners[2].osmd_notify_debt = "sms"  # account 2's holder, with a mobile number
        action = self.Dashboard.with_user(self.accountant).action_open_figure(
            {**OPTIONS, "date_to": self.env.cr.now().date().isoformat()}, "notify"
        )
        wizard = self.env["osmd.debtor.notify"].with_user(self.accountant).with_context(**action["context"]).create({})
        self.assertEqual(wizard.account_ids, self.accounts)
        self.assertEqual(wizard.debtor_count, 2)
        self.assertIn("{amount}", wizard.body)
        debt2 = self.account2.balance
        wizard.action_send()
        amount = fmt_number(debt2, 2)
        message = self.account2.message_ids.filtered(lambda m: amount in html2plaintext(m.body or ""))
        self.assertTrue(message, "the reminder is on account 2's thread, in the cabinet")
        sms = self.env["sms.sms"].sudo().search([("osmd_account_id", "=", self.account2.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn(amount, sms.body)
        self.assertIn(self.account2.number, sms.body)
        self.assertFalse(self.env["sms.sms"].sudo().search([("osmd_account_id", "=", self.account1.id)]))

    def test_notice_board_announcement_without_names(self):
        board = self.users_a["board"]
        wizard = (
            self.env["osmd.debtor.notify"]
            .with_user(board)
            .create({"account_ids": [(6, 0, self.accounts.ids)], "mode": "announcement"})
        )
        action = wizard.action_send()
        announcement = self.env["osmd.announcement"].browse(action["res_id"])
        self.assertEqual(announcement.state, "draft")
        self.assertEqual(announcement.building_ids, self.building)
        body = str(announcement.body)
        self.assertIn(self.premises[0].display_name, body)
        for owner in self.owners:
            self.assertNotIn(owner.name, body)
        for account in self.accounts:
            self.assertNotIn(account.number, body)
        self.assertEqual(announcement.attachment_ids.mimetype, "application/pdf")
        with self.assertRaises(UserError):
            self.env["osmd.debtor.notify"].with_user(self.accountant).create(
                {"account_ids": [(6, 0, self.accounts.ids)], "mode": "announcement"}
            ).action_send()
