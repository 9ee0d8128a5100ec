import base64
import io
from datetime import date

import openpyxl

from odoo.fields import Command, Domain
from odoo.tests import tagged

from .common import PERIOD, BillingCommon


@tagged("post_install", "-at_install", "osmd")
class TestTurnoverRegister(BillingCommon):
    """The March 2026 register of a posted run, a February debt, a penalty, a credit note and
    payments in and after the period, checked against the journal items."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        run = cls._create_run()
        run.action_compute()
        run.action_post()
        cls.billing_run = run
        cls.inv1 = run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account1)
        cls.inv2 = run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account2)
        cls.penalty_product = cls.env.ref("osmd_billing.product_osmd_penalty")
        Move = cls.env["account.move"].with_company(cls.company_a)

        def document(account, day, lines, move_type="out_invoice"):
            return {
                "move_type": move_type,
                "partner_id": account.holder_id.id,
                "invoice_date": day,
                "osmd_account_id": account.id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "quantity": 1, "price_unit": price, "tax_ids": [Command.clear()]}
                    )
                    for product, price in lines
                ],
            }

        cls.february, cls.penalty_invoice, cls.credit_note = Move.create(
            [
                document(cls.account2, date(2026, 2, 10), [(cls.svc_maint, 75.0)]),
                document(cls.account2, date(2026, 3, 15), [(cls.svc_intercom, 20.0), (cls.penalty_product, 12.34)]),
                document(cls.account1, date(2026, 3, 20), [(cls.svc_maint, 40.0)], move_type="out_refund"),
            ]
        )
        (cls.february | cls.penalty_invoice | cls.credit_note).action_post()
        cls.payment_march = cls._pay(cls.inv1, 500.0, date(2026, 3, 31))
        cls.payment_april = cls._pay(cls.inv2, 100.0, date(2026, 4, 5))

    @classmethod
    def _pay(cls, invoices, amount, day):
        return (
            cls.env["account.payment.register"]
            .with_company(cls.company_a)
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount, "payment_date": day})
            ._create_payments()
        )

    def _register(self, period=PERIOD, **vals):
        return (
            self.env["osmd.turnover.register"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "period": period, **vals})
        )

    def _ledger_lines(self, date_to):
        """Receivable items of the accounts' entries and of the payments, up to ``date_to``."""
        accounts = self.account1 | self.account2
        payments = (self.payment_march | self.payment_april).move_id
        return self.env["account.move.line"].search(
            (Domain("move_id.osmd_account_id", "in", accounts.ids) | Domain("move_id", "in", payments.ids))
            & Domain("account_type", "=", "asset_receivable")
            & Domain("parent_state", "=", "posted")
            & Domain("date", "<=", date_to)
        )

    def _totals(self, data):
        totals = dict.fromkeys(("opening", "accrued", "recalculated", "penalties", "paid", "closing"), 0.0)
        for values in data["accounts"].values():
            for key in totals:
                totals[key] += float(values[key])
        return {key: round(value, 2) for key, value in totals.items()}

    def test_ties_out_to_the_ledger(self):
        data = self._register()._get_register_data()
        totals = self._totals(data)
        lines = self._ledger_lines(date(2026, 3, 31))
        march = lines.filtered(lambda line: line.date >= PERIOD)

        def total(move_type):
            return sum(march.filtered(lambda line: line.move_id.move_type == move_type).mapped("balance"))

        # the Ukrainian chart books credit notes in storno (negative debit): compare signed balances
        expected = {
            "opening": round(sum((lines - march).mapped("balance")), 2),
            # invoice receivables of the month, the penalty apart
            "accrued": round(total("out_invoice") - 12.34, 2),
            "recalculated": round(total("out_refund"), 2),
            "penalties": 12.34,
            "paid": round(-total("entry"), 2),
            "closing": round(sum(lines.mapped("balance")), 2),
        }
        self.assertEqual(totals, expected)
        self.assertEqual(
            expected,
            {
                "opening": 75.0,
                "accrued": round(self.inv1.amount_total + self.inv2.amount_total + 20.0, 2),
                "recalculated": -40.0,
                "penalties": 12.34,
                "paid": 500.0,
                "closing": round(
                    75.0 + self.inv1.amount_total + self.inv2.amount_total + 20.0 + 12.34 - 40.0 - 500.0, 2
                ),
            },
        )
        self.assertRecordValues(
            self.account1.with_context(date="2026-03-31"),
            [{"balance": round(self.inv1.amount_total - 40.0 - 500.0, 2)}],
        )
        self.assertEqual(
            {key: float(value) for key, value in data["accounts"][self.account1].items()},
            {
                "opening": 0.0,
                "accrued": self.inv1.amount_total,
                "recalculated": -40.0,
                "penalties": 0.0,
                "paid": 500.0,
                "closing": round(self.inv1.amount_total - 540.0, 2),
            },
        )

    def test_per_service(self):
        services = self._register()._get_register_data()["services"]
        self.assertEqual(float(services[self.account1, self.svc_maint]["accrued"]), 444.55)
        self.assertEqual(float(services[self.account1, self.svc_maint]["recalculated"]), -40.0)
        self.assertEqual(float(services[self.account2, self.svc_intercom]["accrued"]), 40.0)
        self.assertEqual(float(services[self.account2, self.penalty_product]["penalties"]), 12.34)
        self.assertEqual(float(services[self.account2, self.penalty_product]["accrued"]), 0.0)
        accrued = sum(
            float(values["accrued"]) for (account, _product), values in services.items() if account == self.account1
        )
        self.assertAlmostEqual(accrued, self.inv1.amount_total)

    def test_next_period_opens_with_the_closing_balance(self):
        march = self._totals(self._register()._get_register_data())
        april = self._totals(self._register(period=date(2026, 4, 1))._get_register_data())
        self.assertEqual(april["opening"], march["closing"])
        self.assertEqual(april["paid"], 100.0)
        self.assertEqual(april["closing"], round(march["closing"] - 100.0, 2))
        self.assertEqual(april["closing"], round(sum(self._ledger_lines(date(2026, 4, 30)).mapped("balance")), 2))

    def test_building_filter(self):
        other = self.env["osmd.building"].create(
            {"name": "Порожній", "street": "вул. Лесі Українки, 1", "city": "Київ", "company_id": self.company_a.id}
        )
        self.assertFalse(self._register(building_ids=[Command.set(other.ids)])._get_register_data()["accounts"])
        self.assertEqual(
            set(self._register(building_ids=[Command.set(self.building.ids)])._get_register_data()["accounts"]),
            {self.account1, self.account2},
        )

    def test_other_association_sees_nothing(self):
        register = (
            self.env["osmd.turnover.register"]
            .with_user(self.users_b["accountant"])
            .create({"company_id": self.company_b.id, "period": PERIOD})
        )
        self.assertFalse(register._get_register_data()["accounts"])

    def test_xlsx_totals(self):
        register = self._register()
        action = register.action_export_xlsx()
        self.assertIn("field=xlsx_file", action["url"])
        totals = self._totals(register._get_register_data())
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(register.xlsx_file)))
        self.assertEqual(book.sheetnames, ["By account", "By service"])
        rows = [row for row in book["By account"].iter_rows(values_only=True) if any(c is not None for c in row)]
        self.assertEqual(
            rows[1],
            (
                "Building",
                "Personal account",
                "Premise",
                "Holder",
                "Opening balance",
                "Accrued",
                "Recalculated",
                "Penalties",
                "Paid",
                "Closing balance",
            ),
        )
        self.assertEqual(rows[-2][0], f"Total {self.building.name}")
        self.assertEqual(rows[-1][0], "Grand total")
        self.assertEqual(
            [round(value, 2) for value in rows[-1][4:]],
            [totals[key] for key in ("opening", "accrued", "recalculated", "penalties", "paid", "closing")],
        )
        account_rows = {row[1]: row for row in rows[2:-2]}
        self.assertEqual(set(account_rows), {self.account1.number, self.account2.number})
        service_rows = [row for row in book["By service"].iter_rows(values_only=True) if row[0] == "Grand total"]
        self.assertEqual(round(service_rows[0][3], 2), totals["accrued"])
        self.assertEqual(round(service_rows[0][5], 2), totals["penalties"])

    def test_sheets_agree_to_the_kopeck(self):
        """Two lines of 71.35 × 8.50 = 606.475 on one invoice: 606.48 each on both sheets (Odoo's document
        rounding booked 1 212.95 while the lines said 1 212.96)."""
        move = (
            self.env["account.move"]
            .with_company(self.company_a)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.account1.holder_id.id,
                    "invoice_date": date(2026, 3, 25),
                    "osmd_account_id": self.account1.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": 71.35,
                                "price_unit": 8.5,
                                "tax_ids": [Command.clear()],
                            }
                        )
                        for product in (self.svc_maint, self.svc_heat)
                    ],
                }
            )
        )
        move.action_post()
        self.assertEqual(move.amount_total, 1212.96)
        data = self._register()._get_register_data()
        for account in (self.account1, self.account2):
            for column in ("accrued", "recalculated", "penalties"):
                by_service = sum(
                    (
                        values[column]
                        for (service_account, _product), values in data["services"].items()
                        if service_account == account
                    ),
                    0,
                )
                self.assertEqual(by_service, data["accounts"][account][column], f"{account.number} {column}")
