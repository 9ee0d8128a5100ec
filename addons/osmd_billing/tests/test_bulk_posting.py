from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import BillingCommon

INVOICE_DATE = date(2026, 3, 31)
# columns that differ between two invoices by nature
MOVE_OWN_COLUMNS = {"id", "name", "sequence_number", "create_date", "write_date"}
LINE_OWN_COLUMNS = {"id", "move_id", "move_name", "create_date", "write_date"}


@tagged("post_install", "-at_install")
class TestBulkPosting(BillingCommon):
    """The bulk path of accrual invoices writes exactly the rows Odoo's create + action_post writes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Move = cls.env["account.move"].with_company(cls.company_a)
        cls.journal = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.company_a.id)], limit=1
        )
        Product = cls.env["product.product"]
        cls.plain1, cls.plain2 = Product.create(
            [
                {"name": name, "company_id": cls.company_a.id, "taxes_id": [Command.clear()], "type": "service"}
                for name in ("Утримання", "Вивіз ТПВ")
            ]
        )
        cls.partners = cls.env["res.partner"].create(
            [{"name": f"Власник {i}", "company_id": cls.company_a.id} for i in range(1, 7)]
        )

    def _vals(self, partner, lines, reference="000123"):
        return {
            "move_type": "out_invoice",
            "company_id": self.company_a.id,
            "journal_id": self.journal.id,
            "partner_id": partner.id,
            "invoice_date": INVOICE_DATE,
            "date": INVOICE_DATE,
            "currency_id": self.company_a.currency_id.id,
            "payment_reference": reference,
            "invoice_origin": "Нарахування 03.2026",
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": name,
                        "quantity": quantity,
                        "price_unit": price,
                        "tax_ids": [Command.set(product.taxes_id.ids)],
                    }
                )
                for product, name, quantity, price in lines
            ],
        }

    def _specs(self):
        return [
            (self.partners[0], [(self.plain1, "52,30 м² × 8,50 грн", 52.3, 8.5), (self.plain2, "Пільга", 1, -10.25)]),
            (self.partners[1], [(self.plain1, "40,00 м² × 8,50 грн", 40, 8.5)]),
            (self.partners[2], [(self.plain2, "2 особи × 45,00 грн", 2, 45), (self.plain1, "Пільга\tтаб", 1, -5)]),
            (self.partners[3], [(self.plain1, "1 приміщення", 1, 20)]),
        ]

    def _rows(self, table, column, record_id):
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT * FROM %s WHERE %s = %s ORDER BY id", SQL.identifier(table), SQL.identifier(column), record_id)
        )
        return self.env.cr.dictfetchall()

    def _post_bulk(self, vals_list):
        """(moves, number of invoices that took the bulk INSERT path)"""
        Move = type(self.env["account.move"])
        original = Move._osmd_bulk_insert
        seen = []

        def spy(model, reference, bulk_vals, plan):
            seen.extend(bulk_vals)
            return original(model, reference, bulk_vals, plan)

        with patch.object(Move, "_osmd_bulk_insert", autospec=True, side_effect=spy):
            moves = self.Move._osmd_create_posted_invoices(vals_list)
        return moves, len(seen)

    def test_same_rows_as_create_and_post(self):
        specs = self._specs()
        bulk, bulk_count = self._post_bulk(
            [self._vals(partner, lines, f"00{i}") for i, (partner, lines) in enumerate(specs)]
        )
        self.assertEqual(bulk_count, len(specs) - 1, "all but the reference invoice take the bulk path")
        self.assertEqual(self.partners[:4].mapped("customer_rank"), [1, 1, 1, 1], "the holders become customers")
        standard = self.Move.create([self._vals(partner, lines, f"00{i}") for i, (partner, lines) in enumerate(specs)])
        standard.action_post()
        for ours, theirs in zip(bulk, standard, strict=True):
            [our_move] = self._rows("account_move", "id", ours.id)
            [their_move] = self._rows("account_move", "id", theirs.id)
            for column in set(their_move) - MOVE_OWN_COLUMNS:
                self.assertEqual(our_move[column], their_move[column], f"account_move.{column} of {ours.name}")
            our_lines = self._rows("account_move_line", "move_id", ours.id)
            their_lines = self._rows("account_move_line", "move_id", theirs.id)
            self.assertEqual(len(our_lines), len(their_lines))
            for our_line, their_line in zip(our_lines, their_lines, strict=True):
                for column in set(their_line) - LINE_OWN_COLUMNS:
                    self.assertEqual(our_line[column], their_line[column], f"account_move_line.{column} of {ours.name}")
        # the ORM sees the written invoices as Odoo's own
        self.assertEqual(bulk.mapped("state"), ["posted"] * 4)
        self.assertEqual(bulk.mapped("amount_total"), [434.3, 340.0, 85.0, 20.0])
        self.assertEqual(bulk.mapped("payment_state"), ["not_paid"] * 4)
        self.assertEqual(bulk[2].invoice_line_ids[1].name, "Пільга\tтаб")
        numbers = bulk.mapped("sequence_number")
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 4)), "consecutive numbers")
        self.assertEqual(standard[0].sequence_number, numbers[-1] + 1, "Odoo's numbering goes on after them")

    def test_bulk_invoice_is_paid_and_reconciled(self):
        moves, bulk_count = self._post_bulk([self._vals(partner, lines) for partner, lines in self._specs()])
        self.assertEqual(bulk_count, 3)
        invoice = moves[1]
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"payment_date": INVOICE_DATE}
        )._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.amount_residual, 0)
        receivable = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertTrue(receivable.reconciled)

    def test_other_shapes_take_the_standard_path(self):
        tax = self.env["account.tax"].create(
            {"name": "ПДВ 20%", "amount": 20, "type_tax_use": "sale", "company_id": self.company_a.id}
        )
        taxed = self.env["product.product"].create(
            {"name": "Оренда", "company_id": self.company_a.id, "taxes_id": [Command.set(tax.ids)]}
        )
        term = self.env.ref("account.account_payment_term_30days")
        self.partners[5].with_company(self.company_a).property_payment_term_id = term
        vals_list = [
            self._vals(self.partners[0], [(self.plain1, "a", 1, 100)]),
            self._vals(self.partners[1], [(self.plain1, "b", 1, 100)]),
            self._vals(self.partners[2], [(taxed, "c", 1, 100)]),  # a tax
            self._vals(self.partners[3], [(self.plain1, "d", 1, 0)]),  # a zero invoice
            self._vals(self.partners[4], [(self.plain1, "e", 1, 0.333)]),  # not exact to the kopeck
            self._vals(self.partners[5], [(self.plain1, "f", 1, 100)]),  # a payment term
        ]
        moves, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 1, "only the second invoice is of the bulk shape besides the reference")
        self.assertEqual(moves.mapped("state"), ["posted"] * 6)
        self.assertEqual(moves.partner_id, self.partners)
        self.assertEqual(moves[2].amount_tax, 20)
        self.assertEqual(moves[3].payment_state, "paid")
        self.assertEqual(moves[4].amount_total, 0.33)
        self.assertEqual(moves[5].invoice_date_due, date(2026, 4, 30))

    def test_a_difference_on_the_reference_falls_back(self):
        """When the rows built for the reference differ from Odoo's, nothing is written in bulk."""
        Move = type(self.env["account.move"])
        original = Move._osmd_bulk_rows

        def wrong(model, vals, name, number, plan):
            move, lines = original(model, vals, name, number, plan)
            return {**move, "amount_total": move["amount_total"] + 1}, lines

        vals_list = [self._vals(partner, lines) for partner, lines in self._specs()]
        with (
            patch.object(Move, "_osmd_bulk_rows", autospec=True, side_effect=wrong),
            self.assertLogs("odoo.addons.osmd_billing.models.account_move_bulk", "WARNING") as logs,
        ):
            moves, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 0)
        self.assertIn("account_move.amount_total", logs.output[0])
        self.assertEqual(moves.mapped("amount_total"), [434.3, 340.0, 85.0, 20.0])
        self.assertEqual(moves.mapped("state"), ["posted"] * 4)

    def test_needs_the_right_to_post_invoices(self):
        vals_list = [self._vals(partner, lines) for partner, lines in self._specs()]
        with self.assertRaises(AccessError):
            self.Move.with_user(self.users_a["engineer"])._osmd_create_posted_invoices(vals_list)
        self.assertFalse(self.Move.search([("partner_id", "in", self.partners.ids)]))
