from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PaymentsCommon


@tagged("post_install", "-at_install")
class TestRegistries(PaymentsCommon):
    """A collector's registry splits its lump-sum bank transfer into payments of the personal accounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.env["osmd.payment.collector"].create(
            {"name": "EasyPay", "company_id": cls.company_a.id, "layout": "generic_csv"}
        )

    def _registry_file(self, rows, total=None):
        out = ["ID;Дата;Рахунок;Сума;Комісія"]
        out += [f"{txn};09.04.2026;{account};{amount};{fee}" for txn, account, amount, fee in rows]
        if total is not None:
            out.append(f"Разом;;;{total};")
        return ("\n".join(out) + "\n").encode("utf-8-sig")

    def _import_registry(self, data, filename="reestr_123.csv", user=None):
        return (
            self.env["osmd.payment.registry"]
            .with_user(user or self.accountant)
            ._osmd_import(self.collector.with_user(user or self.accountant), data, filename)
        )

    def test_lump_sum_split_through_the_registry(self):
        inv1 = self._invoice(self.account1, 100.00, date(2026, 4, 20))
        inv2 = self._invoice(self.account2, 80.00, date(2026, 4, 20))
        registry = self._import_registry(
            self._registry_file(
                [("T1", self.account1.number, "60.00", "0.90"), ("T2", f"00{self.account2.number}", "80.00", "1.20")],
                total="140.00",
            )
        )
        self.assertEqual((registry.number, registry.count, registry.amount_net), ("123", 2, 137.90))
        self.assertEqual(registry.state, "waiting")
        self.assertFalse(registry.unknown_count)
        # the collector's transfer arrives: one lump sum naming the registry, never matched to a resident
        self._import(self._file([self._doc("137.90", "Перерахування коштів згідно реєстру № 123 від 09.04.2026")]))
        lump = self._lines()
        self.assertEqual((lump.osmd_line_kind, lump.osmd_match_state), ("registry", "none"))
        self.assertEqual(registry.statement_line_id, lump)
        self.assertEqual(registry.state, "ready")
        self.assertEqual((inv1.amount_residual, inv2.amount_residual), (100.00, 80.00), "nothing paid before the split")
        registry.with_user(self.accountant).action_split()
        self.assertEqual(registry.state, "done")
        self.assertEqual(
            (inv1.amount_residual, inv2.payment_state), (40.00, "paid"), "residents paid the gross amounts"
        )
        self.assertTrue(lump.is_reconciled)
        self.assertEqual(lump.osmd_match_state, "registry")
        self.assertLedgerBalanced()
        # undo gives the invoices back exactly
        registry.with_user(self.accountant).action_unsplit()
        self.assertEqual((inv1.amount_residual, inv2.amount_residual), (100.00, 80.00))
        self.assertEqual(registry.state, "ready")
        self.assertLedgerBalanced()

    def test_hostile_registries_write_nothing(self):
        """An amount of 1E+308 or a number of 5 000 digits beside good rows, or a damaged workbook: a clear error
        naming the row, and no registry written."""
        number = self.account1.number
        cases = {
            "r_1.csv": (self._registry_file([("T1", number, "10.00", "0"), ("T2", number, "1e308", "0")]), "Row 3"),
            "r_2.csv": (self._registry_file([("T3", number, "9" * 5000, "0")]), "Row 2"),
            "r_3.csv": (b"\xef\xbb\xbfID;\x00\x01\x02" * 50, ""),
        }
        for filename, (data, expected) in cases.items():
            with self.subTest(filename), self.assertRaisesRegex(UserError, expected):
                self._import_registry(data, filename)
        self.assertFalse(self.env["osmd.payment.registry"].search([("company_id", "=", self.company_a.id)]))

    def test_registry_twice_and_control_totals(self):
        data = self._registry_file([("T7", self.account1.number, "10.00", "0")], total="10.00")
        self._import_registry(data)
        with self.assertRaisesRegex(UserError, "imported already"):
            self._import_registry(data)
        with self.assertRaises(UserError):
            self._import_registry(
                self._registry_file([("T8", self.account1.number, "10.00", "0")], total="11.00"), "r_5.csv"
            )
        self.assertEqual(self.env["osmd.payment.registry"].search_count([("company_id", "=", self.company_a.id)]), 1)

    def test_unknown_accounts_are_listed_and_block_the_split(self):
        registry = self._import_registry(
            self._registry_file([("U1", "99999", "10.00", "0"), ("U2", self.account1.number, "5.00", "0")]),
            "reestr_9.csv",
        )
        self.assertEqual(registry.unknown_count, 1)
        self._import(self._file([self._doc("15.00", "Оплата по реєстру №9")]))
        self.assertEqual(registry.state, "ready")
        with self.assertRaisesRegex(UserError, "unknown"):
            registry.with_user(self.accountant).action_split()
        registry.line_ids.filtered(lambda line: not line.account_id).with_user(
            self.accountant
        ).account_id = self.account2
        registry.with_user(self.accountant).action_split()
        self.assertEqual(registry.state, "done")
        self.assertLedgerBalanced()

    def test_registry_roles(self):
        data = self._registry_file([("R1", self.account1.number, "10.00", "0")])
        with self.assertRaises(AccessError):
            self._import_registry(data, user=self.users_a["audit"])
        with self.assertRaises(AccessError):
            self._import_registry(data, user=self.users_a["engineer"])
        registry = self._import_registry(data, user=self.users_a["chairman"])
        with self.assertRaises(AccessError):
            registry.with_user(self.chairman_b).read(["amount_net"])
