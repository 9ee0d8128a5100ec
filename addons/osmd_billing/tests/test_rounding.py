from decimal import Decimal
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import tagged

from ..tools.money import line_amount, to_decimal
from .common import PERIOD, BillingCommon

# every last-two-digit combination of the area: all x.xx5 products among them with these tariffs
AREAS = [round(3 * hundredths + 3 + hundredths / 100, 2) for hundredths in range(100)]
TARIFFS = [8.50, 3.33, 7.25, 12.35, 0.05]
LINES_PER_INVOICE = 25


@tagged("post_install", "-at_install", "osmd")
class TestRounding(BillingCommon):
    """One rounding rule: -balance == price_subtotal == half-up(quantity × price) on every line of an
    accrual invoice, lines summing to the total, on the standard and on the bulk path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Move = cls.env["account.move"].with_company(cls.company_a)
        cls.journal = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.company_a.id)], limit=1
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Утримання", "company_id": cls.company_a.id, "taxes_id": [Command.clear()], "type": "service"}
        )
        cls.holders = cls.env["res.partner"].create(
            [{"name": f"Власник {i}", "company_id": cls.company_a.id} for i in range(3)]
        )

    def _vals_list(self, holder):
        pairs = [(area, tariff) for tariff in TARIFFS for area in AREAS]
        return [
            {
                "move_type": "out_invoice",
                "company_id": self.company_a.id,
                "journal_id": self.journal.id,
                "partner_id": holder.id,
                "invoice_date": PERIOD.replace(day=31),
                "date": PERIOD.replace(day=31),
                "currency_id": self.company_a.currency_id.id,
                "payment_reference": self.account1.number,
                "osmd_account_id": self.account1.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "name": f"{area} × {tariff}",
                            "quantity": area,
                            "price_unit": tariff,
                        }
                    )
                    for area, tariff in pairs[start : start + LINES_PER_INVOICE]
                ],
            }
            for start in range(0, len(pairs), LINES_PER_INVOICE)
        ]

    def _assert_one_rule(self, moves):
        half_kopecks = 0
        for move in moves:
            total = Decimal(0)
            for line in move.invoice_line_ids:
                expected = line_amount(line.quantity, line.price_unit)
                half_kopecks += to_decimal(line.quantity) * to_decimal(line.price_unit) * 1000 % 10 == 5
                self.assertEqual(to_decimal(line.price_subtotal), expected, f"{move.name} {line.name} subtotal")
                self.assertEqual(to_decimal(-line.balance), expected, f"{move.name} {line.name} journal item")
                total += expected
            self.assertEqual(to_decimal(move.amount_total), total, move.name)
            receivable = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            self.assertEqual(to_decimal(receivable.balance), total, move.name)
        self.assertGreater(half_kopecks, 50, "the sweep hits the x.xx5 products")

    def test_standard_path(self):
        moves = self.Move.create(self._vals_list(self.holders[0]))
        moves.action_post()
        self._assert_one_rule(moves)

    def test_bulk_path(self):
        Move = type(self.env["account.move"])
        original, seen = Move._osmd_bulk_insert, []

        def spy(model, reference, bulk_vals, plan):
            seen.extend(bulk_vals)
            return original(model, reference, bulk_vals, plan)

        vals_list = self._vals_list(self.holders[1])
        with patch.object(Move, "_osmd_bulk_insert", autospec=True, side_effect=spy):
            moves = self.Move._osmd_create_posted_invoices(vals_list)
        self.assertEqual(len(seen), len(vals_list) - 1, "every invoice but the reference takes the bulk path")
        moves.invalidate_recordset()
        moves.line_ids.invalidate_recordset()
        self._assert_one_rule(moves)

    def test_billing_line_invoice_line_and_journal_item_agree(self):
        """71.35 m² × 8.50 = 606.475: 606.48 on the billing line, the invoice line and the journal item."""
        # two half-kopeck lines on one invoice: Odoo's document rounding booked one of them a kopeck lower
        self.premises[0].write({"total_area": 71.35, "heated_area": 71.35})
        self.tariffs.filtered(lambda tariff: tariff.product_id == self.svc_heat).price = 8.50
        run = self._create_run().with_user(self.accountant)
        run.action_compute()
        run.action_post()
        line = self._lines(run, self.account1, self.svc_maint)
        self.assertEqual(line.amount, 606.48)
        move = run.move_ids.filtered(lambda m: m.osmd_account_id == self.account1)
        invoice_line = move.invoice_line_ids.filtered(lambda il: il.product_id == self.svc_maint)
        self.assertRecordValues(invoice_line, [{"quantity": 71.35, "price_unit": 8.5, "price_subtotal": 606.48}])
        self.assertEqual(invoice_line.balance, -606.48)
        heat = move.invoice_line_ids.filtered(lambda il: il.product_id == self.svc_heat)
        self.assertEqual((heat.price_subtotal, heat.balance), (606.48, -606.48))
        for move in run.move_ids:
            lines = run.line_ids.filtered(lambda bl, move=move: bl.account_id == move.osmd_account_id)
            self.assertEqual(
                sum((to_decimal(bl.amount) for bl in lines), Decimal(0)), to_decimal(move.amount_total), move.name
            )
            self.assertEqual(
                sum((to_decimal(il.price_subtotal) for il in move.invoice_line_ids), Decimal(0)),
                to_decimal(move.amount_total),
            )
