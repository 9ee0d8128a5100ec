import sys
import threading
import time
from datetime import date
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import BillingCommon

INVOICE_DATE = date(2026, 3, 31)
# columns that differ between two invoices by nature
MOVE_OWN_COLUMNS = {"id", "name", "sequence_number", "create_date", "write_date", "inalterable_hash"}
LINE_OWN_COLUMNS = {"id", "move_id", "move_name", "create_date", "write_date"}
RANK_KEY = "account.res.partner.increase_rank.customer_rank"
CHATTER_CONTEXT = {"tracking_disable": False, "mail_create_nolog": False, "mail_notrack": False}


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

    def _post_bulk(self, vals_list, Move=None):
        """(moves, number of invoices that took the bulk INSERT path)"""
        model = Move if Move is not None else self.Move
        Move = type(self.env["account.move"])
        original = Move._osmd_bulk_insert
        seen = []

        def spy(model, reference, bulk_vals, plan):
            seen.extend(bulk_vals)
            return original(model, reference, bulk_vals, plan)

        with patch.object(Move, "_osmd_bulk_insert", autospec=True, side_effect=spy):
            moves = model._osmd_create_posted_invoices(vals_list)
        return moves, len(seen)

    def _assert_same_as_standard(self, bulk, vals_list, Move=None, line_skip=()):
        """The rows of the invoices ``bulk`` equal those Odoo's create + action_post writes for ``vals_list``."""
        standard = (Move if Move is not None else self.Move).create(vals_list)
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
                for column in set(their_line) - LINE_OWN_COLUMNS - set(line_skip):
                    self.assertEqual(our_line[column], their_line[column], f"account_move_line.{column} of {ours.name}")
        return standard

    def _batch(self, partners):
        return [
            self._vals(partner, lines, f"00{i}")
            for i, (partner, (_p, lines)) in enumerate(zip(partners, self._specs(), strict=False))
        ]

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

    def test_half_kopeck_lines_of_a_personal_account_take_the_bulk_path(self):
        """71.35 × 8.50 = 606.475 on an invoice of a personal account: rounded half-up (606.48) on the
        bulk path as Odoo's create + action_post rounds it for such invoices, row for row, due by the
        deadline given."""
        due = date(2026, 4, 20)
        specs = [
            (partner, [(self.plain1, "71,35 м² × 8,50 грн", 71.35, 8.5), (self.plain2, "0,15 × 0,10", 0.15, 0.1)])
            for partner in self.partners[:4]
        ]
        vals_list = [
            {**self._vals(partner, lines, f"00{i}"), "osmd_account_id": self.account1.id, "invoice_date_due": due}
            for i, (partner, lines) in enumerate(specs)
        ]
        bulk, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 3, "all but the reference invoice take the bulk path")
        self._assert_same_as_standard(bulk, vals_list)
        self.assertEqual(bulk.mapped("amount_total"), [606.50] * 4)
        self.assertEqual(bulk.invoice_line_ids.mapped("price_subtotal"), [606.48, 0.02] * 4)
        self.assertEqual(bulk.invoice_line_ids.mapped("balance"), [-606.48, -0.02] * 4)
        self.assertEqual(bulk.mapped("invoice_date_due"), [due] * 4)

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

    # ------------------------------------------------------------
    # issue 8 item 6: the guard gaps
    # ------------------------------------------------------------

    def test_every_product_is_validated_by_odoo(self):
        """A product that is not on the first invoice of the batch still goes through Odoo's checks of
        ``_post``: here an income account that forces a secondary currency, which Odoo refuses."""
        eur = self.env.ref("base.EUR")
        account = self.env["account.account"].create(
            {
                "name": "Дохід у EUR",
                "code": "703900",
                "account_type": "income",
                "currency_id": eur.id,
                "company_ids": [Command.set(self.company_a.ids)],
            }
        )
        foreign = (
            self.env["product.product"]
            .with_company(self.company_a)
            .create(
                {
                    "name": "Послуга з валютним рахунком",
                    "company_id": self.company_a.id,
                    "taxes_id": [Command.clear()],
                    "type": "service",
                    "property_account_income_id": account.id,
                }
            )
        )
        vals_list = [
            self._vals(self.partners[0], [(self.plain1, "a", 1, 100)]),
            self._vals(self.partners[1], [(self.plain1, "b", 1, 100)]),
            self._vals(self.partners[2], [(self.plain1, "c", 1, 100), (foreign, "d", 1, 10)]),
        ]
        with self.assertRaisesRegex(UserError, "secondary currency"):
            self._post_bulk(vals_list)

    def test_every_product_has_a_reference(self):
        """Each product of the batch is on an invoice posted by Odoo and compared with the rows built here."""
        Move = type(self.env["account.move"])
        original = Move._osmd_bulk_check_reference
        checked = []

        def spy(model, reference, vals, plan):
            checked.append(reference)
            return original(model, reference, vals, plan)

        vals_list = [
            self._vals(partner, [(product, "x", 1, 10)])
            for partner, product in zip(
                self.partners, (self.plain1, self.plain1, self.plain2, self.plain1), strict=False
            )
        ]
        with patch.object(Move, "_osmd_bulk_check_reference", autospec=True, side_effect=spy):
            moves, bulk_count = self._post_bulk(vals_list)
        references = self.env["account.move"].concat(*checked)
        self.assertEqual(references, moves[0] | moves[2], "the second product appears first on the third invoice")
        self.assertEqual(references.invoice_line_ids.product_id, self.plain1 | self.plain2)
        self.assertEqual(bulk_count, 2)

    def test_batch_columns_are_compared(self):
        """A batch value that differs for a holder (here the salesperson Odoo takes from the holder) is not
        copied from the reference: the holder takes the standard path and every row is Odoo's."""
        self.partners[2].user_id = self.users_a["accountant"]
        vals_list = self._batch(self.partners)
        bulk, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 2)
        self.assertEqual(bulk[2].invoice_user_id, self.users_a["accountant"])
        self._assert_same_as_standard(bulk, vals_list)

    def test_names_are_built_not_copied(self):
        """The reference's name is compared with the one built from the sequence format, as for every bulk
        invoice: a format that gives other names than Odoo's sends the batch to the standard path."""
        Move = type(self.env["account.move"])
        original = Move._get_sequence_format_param

        def wrong(model, previous):
            sequence_format, values = original(model, previous)
            # only the bulk path's own calls get another format than Odoo's
            frame = sys._getframe(1)
            while frame.f_code.co_filename.endswith("mock.py") or frame.f_code.co_filename == "<string>":
                frame = frame.f_back
            if frame.f_code.co_filename.endswith("account_move_bulk.py"):
                return sequence_format + "-X", values
            return sequence_format, values

        vals_list = self._batch(self.partners)
        with (
            patch.object(Move, "_get_sequence_format_param", autospec=True, side_effect=wrong),
            self.assertLogs("odoo.addons.osmd_billing.models.account_move_bulk", "WARNING") as logs,
        ):
            moves, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 0)
        self.assertIn("account_move.name", logs.output[0])
        self.assertFalse([name for name in moves.mapped("name") if name.endswith("-X")])

    def test_columns_of_every_row(self):
        """An invoice giving a value the others do not give keeps it (invoices are grouped by the values
        they give; the COPY takes the columns of every row)."""
        vals_list = self._batch(self.partners)
        vals_list[2]["osmd_period"] = date(2026, 3, 1)
        moves, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(moves.mapped("osmd_period"), [False, False, date(2026, 3, 1), False])
        self.assertEqual(bulk_count, 2)
        with self.assertRaisesRegex(UserError, "osmd_period"):
            self.Move._osmd_copy_rows(
                "account_move", {"id": 1, "name": "x", "osmd_period": None}, [{"name": "a"}, {"osmd_period": None}]
            )

    def test_made_sequence_gap_is_computed(self):
        """The bulk invoices follow each other: no gap, as Odoo's own computation says."""
        moves, bulk_count = self._post_bulk(self._batch(self.partners))
        self.assertEqual(bulk_count, 3)
        field = moves._fields["made_sequence_gap"]
        self.env.add_to_compute(field, moves)
        moves._recompute_recordset(["made_sequence_gap"])
        self.assertEqual(moves.mapped("made_sequence_gap"), [False] * 4)
        Move = type(self.env["account.move"])
        original = Move._osmd_bulk_check_reference

        def gap_before(model, reference, vals, plan):
            # as if the number before the reference were missing (Odoo then flags the reference)
            self.env.cr.execute(SQL("UPDATE account_move SET made_sequence_gap = TRUE WHERE id = %s", reference.id))
            return original(model, reference, vals, plan)

        # the reference is the first invoice after a gap: the bulk invoices must not copy its flag
        with (
            patch.object(Move, "_osmd_bulk_check_reference", autospec=True, side_effect=gap_before),
            patch.object(Move, "_osmd_bulk_reference_gap", autospec=True, return_value=True),
        ):
            moves, bulk_count = self._post_bulk(self._batch(self.partners))
        self.assertEqual(bulk_count, 3)
        self.env.invalidate_all()
        self.assertEqual(moves.mapped("made_sequence_gap"), [True, False, False, False])

    def test_stored_dependants_are_told(self):
        """After the COPY the ORM is told the moves and lines were created (stored fields elsewhere that
        depend on them are recomputed); nothing of the new records themselves is left to recompute."""
        Move = type(self.env["account.move"])
        Line = type(self.env["account.move.line"])
        calls = []
        original_move, original_line = Move.modified, Line.modified

        def spy_move(records, fnames, create=False, before=False):
            calls.append((records._name, tuple(records.ids), create))
            return original_move(records, fnames, create=create, before=before)

        def spy_line(records, fnames, create=False, before=False):
            calls.append((records._name, tuple(records.ids), create))
            return original_line(records, fnames, create=create, before=before)

        holder = self.partners[1].with_company(self.company_a)
        self.assertEqual(holder.credit, 0)  # in the cache before
        with patch.object(Move, "modified", spy_move), patch.object(Line, "modified", spy_line):
            moves, bulk_count = self._post_bulk(self._batch(self.partners))
        self.assertEqual(bulk_count, 3)
        bulk = moves[1:]
        self.assertIn(("account.move", tuple(bulk.ids), True), calls)
        self.assertIn(
            ("account.move.line", tuple(bulk.line_ids.sorted("id").ids), True),
            [(name, tuple(sorted(ids)), create) for name, ids, create in calls],
        )
        for field, ids in self.env.transaction.tocompute.items():
            if field.model_name in ("account.move", "account.move.line"):
                self.assertFalse(set(ids) & set(bulk.ids + bulk.line_ids.ids), field)
        # a dependant read before the posting is fresh
        self.assertEqual(holder.credit, 340.0)

    def test_customer_rank_as_odoo(self):
        """Holders already customers get their rank raised after the commit in a separate transaction (Odoo's
        _increase_rank); holders not customers yet become customers now."""
        self.partners[:2].customer_rank = 3
        self.env.cr.postcommit.data.pop(RANK_KEY, None)
        moves, bulk_count = self._post_bulk(self._batch(self.partners))
        self.assertEqual(bulk_count, 3)
        self.assertEqual(self.partners[:4].mapped("customer_rank"), [3, 3, 1, 1], "no lock taken on customers")
        self.env.cr.execute(SQL("SELECT customer_rank FROM res_partner WHERE id = %s", self.partners[1].id))
        self.assertEqual(self.env.cr.fetchone()[0], 3)
        deferred = self.env.cr.postcommit.data[RANK_KEY]
        self.assertEqual({self.partners[0].id: 1, self.partners[1].id: 1}, dict(deferred))
        self.assertTrue(self.env.cr.postcommit._funcs, "the post-commit hook is registered")

    # ------------------------------------------------------------
    # holders and configurations: bulk path with Odoo's rows, or the standard path
    # ------------------------------------------------------------

    def test_child_contact_holders(self):
        company = self.env["res.partner"].create({"name": "ТОВ Орендар", "is_company": True})
        children = self.env["res.partner"].create(
            [{"name": f"Контакт {i}", "parent_id": company.id, "type": "invoice"} for i in range(4)]
        )
        vals_list = self._batch(children)
        bulk, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 3, "contacts of one company share a signature")
        self.assertEqual(bulk.commercial_partner_id, company)
        self.assertEqual(bulk.line_ids.partner_id, company)
        self.assertEqual(company.customer_rank, 1, "a customer now, the other counts after the commit")
        self._assert_same_as_standard(bulk, vals_list)

    def test_fiscal_position_holders(self):
        position = self.env["account.fiscal.position"].create(
            {"name": "Неплатник ПДВ", "company_id": self.company_a.id}
        )
        self.partners.with_company(self.company_a).property_account_position_id = position
        vals_list = self._batch(self.partners)
        bulk, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 0, "a fiscal position takes the standard path")
        self.assertEqual(bulk.fiscal_position_id, position)
        self._assert_same_as_standard(bulk, vals_list)

    def test_holders_in_another_language(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.config_parameter"].sudo().set_param("account.use_invoice_terms", True)
        self.company_a.invoice_terms = "<p>Умови оплати</p>"
        self.partners[:4].lang = "uk_UA"
        self.partners[4:].lang = "en_US"
        partners = self.partners[0] | self.partners[4] | self.partners[1] | self.partners[2]
        vals_list = self._batch(partners)
        bulk, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 2, "the holder in English is not in the group of the reference")
        self._assert_same_as_standard(bulk, vals_list)

    def _check_lock_date(self, field):
        self.company_a.sudo()[field] = INVOICE_DATE
        vals_list = self._batch(self.partners)
        with self.assertLogs("odoo.addons.osmd_billing.models.account_move_bulk", "WARNING") as logs:
            bulk, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 0)
        self.assertIn("account_move.date", "\n".join(logs.output))
        # all posted by Odoo (its accounting date depends on the day and the entries already posted)
        self.assertTrue(all(move.date > INVOICE_DATE for move in bulk), "Odoo moves the accounting date")

    def test_fiscal_year_lock_date(self):
        self._check_lock_date("fiscalyear_lock_date")

    def test_sale_lock_date(self):
        self._check_lock_date("sale_lock_date")

    def test_hash_protected_journal(self):
        self.journal.restrict_mode_hash_table = True
        vals_list = self._batch(self.partners)
        bulk, bulk_count = self._post_bulk(vals_list)
        self.assertEqual(bulk_count, 0, "an inalterable journal takes the standard path")
        self.assertTrue(all(bulk.mapped("inalterable_hash")), "hashed by Odoo")
        self._assert_same_as_standard(bulk, vals_list)

    # ------------------------------------------------------------
    # audit trail
    # ------------------------------------------------------------

    def _chatter(self, move):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT m.message_type, m.subtype_id, m.body, m.author_id, m.create_uid, m.write_uid, "
                "m.record_company_id, m.parent_id IS NOT NULL, "
                "array_agg(ARRAY[t.field_id::text, t.old_value_char, t.new_value_char] ORDER BY t.id) "
                "FROM mail_message m LEFT JOIN mail_tracking_value t ON t.mail_message_id = m.id "
                "WHERE m.model = 'account.move' AND m.res_id = %s GROUP BY m.id ORDER BY m.id",
                move.id,
            )
        )
        messages = self.env.cr.fetchall()
        self.env.cr.execute(
            SQL(
                "SELECT f.partner_id, array_agg(r.mail_message_subtype_id ORDER BY r.mail_message_subtype_id) "
                "FROM mail_followers f "
                "LEFT JOIN mail_followers_mail_message_subtype_rel r ON r.mail_followers_id = f.id "
                "WHERE f.res_model = 'account.move' AND f.res_id = %s GROUP BY f.partner_id ORDER BY f.partner_id",
                move.id,
            )
        )
        return messages, self.env.cr.fetchall()

    def test_audit_trail_names_the_accountant(self):
        """The bulk invoices have the chatter Odoo's posting writes, authored by the user who posts."""
        accountant = self.users_a["accountant"]
        Move = self.Move.with_user(accountant).with_context(**CHATTER_CONTEXT)
        # billing documents (an osmd field set): the posting is also logged with the state's tracking value
        vals_list = [{**vals, "osmd_period": date(2026, 3, 1)} for vals in self._batch(self.partners)]
        bulk, bulk_count = self._post_bulk(vals_list, Move)
        self.assertEqual(bulk_count, 3)
        # Odoo's second posting rewrites a product line as the superuser (write_uid 1): not compared here
        standard = self._assert_same_as_standard(bulk, vals_list, Move, line_skip={"write_uid"})
        self.assertEqual(bulk[1:].line_ids.write_uid, accountant)
        expected = self._chatter(standard[0])
        self.assertTrue(expected[0], "Odoo logs the creation of the invoice")
        self.assertEqual(expected[0][0][3], accountant.partner_id.id)
        for move in bulk:
            self.assertEqual(self._chatter(move), expected, move.name)
            self.assertEqual(move.create_uid, accountant)
            self.assertEqual(move.line_ids.create_uid, accountant)
        self.assertEqual(len(set(bulk.message_ids.mapped("message_id"))), len(bulk.message_ids), "own Message-Ids")
        self.assertEqual(bulk[1].message_ids.author_id, accountant.partner_id)

    # ------------------------------------------------------------
    # concurrency (two real transactions, both rolled back)
    # ------------------------------------------------------------

    def _invoice_vals_on(self, env, count):
        """Invoice values of ``count`` holders created in ``env``'s transaction, on its company's sales journal."""
        company = env.company
        journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
        product = env["product.product"].create({"name": "Послуга", "taxes_id": [Command.clear()], "type": "service"})
        partners = env["res.partner"].create([{"name": f"Конкурент {i}"} for i in range(count)])
        return [
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "journal_id": journal.id,
                "partner_id": partner.id,
                "invoice_date": INVOICE_DATE,
                "date": INVOICE_DATE,
                "currency_id": company.currency_id.id,
                "payment_reference": f"R{partner.id}",
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "name": "x", "quantity": 1, "price_unit": 10, "tax_ids": []}
                    )
                ],
            }
            for partner in partners
        ]

    def test_concurrent_posting_waits_and_does_not_fail(self):
        """What the module docstring says: a second transaction posting in the journal while a bulk posting is
        open waits on the first number the bulk posting took, and does not fail; here the bulk posting is
        rolled back and the other takes that number (a commit cannot be tested without leaving data)."""
        dbname = self.env.cr.dbname
        cr1, cr2 = sql_db.db_connect(dbname).cursor(), sql_db.db_connect(dbname).cursor()
        result = {}
        try:
            cr2.execute("SET lock_timeout = '30s'")
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            vals2 = self._invoice_vals_on(env2, 1)
            cr2.flush()
            Move1 = env1["account.move"]
            Move = type(Move1)
            original = Move._osmd_bulk_insert
            seen = []

            def spy(model, reference, bulk_vals, plan):
                seen.extend(bulk_vals)
                return original(model, reference, bulk_vals, plan)

            with patch.object(Move, "_osmd_bulk_insert", autospec=True, side_effect=spy):
                bulk = Move1._osmd_create_posted_invoices(self._invoice_vals_on(env1, 4))
            cr1.flush()
            self.assertEqual(len(seen), 3, "three invoices after the reference take the bulk path")
            names = bulk.mapped("name")

            def post_other():
                try:
                    move = env2["account.move"].create(vals2)
                    move.action_post()
                    cr2.flush()
                    result["name"] = move.name
                except Exception as error:  # noqa: BLE001 - reported to the test thread
                    result["error"] = error

            thread = threading.Thread(target=post_other)
            thread.start()
            time.sleep(2)
            self.assertTrue(thread.is_alive(), "the other posting waits for the bulk posting's transaction")
            self.assertNotIn("error", result)
            cr1.rollback()
            thread.join(30)
            self.assertFalse(thread.is_alive())
            self.assertNotIn("error", result, result.get("error"))
            self.assertEqual(result["name"], names[0], "after the rollback it takes the number it waited for")
        finally:
            cr1.rollback()
            cr2.rollback()
            cr1.close()
            cr2.close()
