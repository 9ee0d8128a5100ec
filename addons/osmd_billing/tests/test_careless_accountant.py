from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.osmd_base.tests.common import JsonRpcMixin

from .common import PERIOD, BillingCommon

# every osmd field of account.move: a new one must be added here (and is then frozen by the same guard)
OSMD_MOVE_FIELDS = {
    "osmd_account_id",
    "osmd_period",
    "osmd_is_accrual",
    "osmd_billing_run_id",
    "osmd_recalc_period",
    "osmd_recalculation_id",
}
# added by osmd_payments when it is installed (make test installs every addon)
PAYMENTS_MOVE_FIELDS = {"osmd_statement_line_id", "osmd_registry_id"}
# added by osmd_payment_gateway
GATEWAY_MOVE_FIELDS = {"osmd_agent_transaction_id"}


@tagged("post_install", "-at_install", "osmd")
class TestCarelessAccountant(JsonRpcMixin, BillingCommon, HttpCase):
    """An accountant of the association, in the web client, over the ORM or over JSON-RPC, tries to change,
    delete, reset or cancel what is already in the ledger: every attempt hits a wall and the ledger is
    unchanged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        run = cls._create_run().with_user(cls.accountant)
        run.action_compute()
        run.action_post()
        cls.march_run = run
        cls.invoice1 = run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account1)
        cls.invoice2 = run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account2)
        # a draft recalculation: a record to point osmd_recalculation_id at
        cls.recalculation = cls.env["osmd.recalculation"].create({"company_id": cls.company_a.id, "period": PERIOD})

    def _snapshot(self, move):
        self.env.invalidate_all()
        lines = move.line_ids.sorted("id")
        return (
            {fname: move[fname] for fname in sorted(OSMD_MOVE_FIELDS)},
            move.read(["state", "partner_id", "date", "name", "amount_total", "payment_reference", "invoice_origin"]),
            lines.read(["account_id", "partner_id", "name", "price_unit", "balance"]),
        )

    def _pay(self, invoice, amount):
        return (
            self.env["account.payment.register"]
            .with_company(self.company_a)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount})
            ._create_payments()
        )

    def _new_values(self, invoice):
        """A value different from the invoice's own for every osmd field."""
        values = {
            "osmd_account_id": self.account2.id,
            "osmd_period": "2026-04-01",
            "osmd_is_accrual": False,
            "osmd_billing_run_id": self._create_run(period="2026-05-01").id,
            "osmd_recalc_period": "2026-02-01",
            "osmd_recalculation_id": self.recalculation.id,
        }
        if "osmd.payment.registry" in self.env:
            bank = self.env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", self.company_a.id)], limit=1
            )
            line = self.env["account.bank.statement.line"].create(
                {"journal_id": bank.id, "date": "2026-04-10", "amount": 1.0, "payment_ref": "x"}
            )
            collector = self.env["osmd.payment.collector"].create({"name": "C", "company_id": self.company_a.id})
            registry = self.env["osmd.payment.registry"].create(
                {"company_id": self.company_a.id, "collector_id": collector.id, "date": "2026-04-10"}
            )
            values.update(osmd_statement_line_id=line.id, osmd_registry_id=registry.id)
        return values

    # ------------------------------------------------------------
    # write
    # ------------------------------------------------------------

    def test_every_osmd_field_is_known(self):
        """The guard covers every stored osmd field of account.move, and the test knows them all."""
        fnames = set(self.env["account.move"]._osmd_frozen_fnames())
        expected = OSMD_MOVE_FIELDS | (PAYMENTS_MOVE_FIELDS if "osmd.payment.registry" in self.env else set())
        expected |= GATEWAY_MOVE_FIELDS if "osmd.payment.agent" in self.env else set()
        self.assertEqual(fnames, expected)
        self.assertFalse(
            [fname for fname in self.env["account.move.line"]._fields if fname.startswith("osmd_")],
            "an osmd field on journal items must be frozen on posted entries too",
        )

    def test_osmd_fields_of_posted_invoice_frozen(self):
        invoice = self.invoice1.with_user(self.accountant)
        before = self._snapshot(self.invoice1)
        for fname, value in self._new_values(invoice).items():
            label = invoice._fields[fname].string
            with self.subTest(fname=fname), self.assertRaisesMsg(UserError, f"field {label} cannot be changed"):
                invoice.write({fname: value})
        # not even our own code with sudo
        with self.assertRaisesMsg(UserError, "Personal account cannot be changed"):
            self.invoice1.sudo().write({"osmd_account_id": self.account2.id})
        self.assertEqual(self._snapshot(self.invoice1), before)
        # writing the value it already has changes nothing and is harmless
        invoice.write({"osmd_account_id": self.account1.id, "osmd_period": PERIOD})

    def test_osmd_fields_writable_while_draft(self):
        move = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create({"move_type": "out_invoice", "company_id": self.company_a.id, "partner_id": self.owners[0].id})
        )
        move.write({"osmd_account_id": self.account1.id, "osmd_period": "2026-01-01"})
        self.assertEqual(move.osmd_account_id, self.account1)

    def test_ledger_fields_of_posted_invoice_frozen(self):
        invoice = self.invoice1.with_user(self.accountant)
        before = self._snapshot(self.invoice1)
        other_partner = self.owners[2]
        line = invoice.invoice_line_ids[0]
        receivable = invoice.line_ids.filtered(lambda item: item.account_type == "asset_receivable")
        other_income = self.env["account.account"].search(
            [
                ("company_ids", "in", self.company_a.id),
                ("account_type", "=", "income"),
                ("id", "!=", line.account_id.id),
            ],
            limit=1,
        )
        self.assertTrue(other_income)
        attempts = {
            # refused by Odoo itself
            "partner": lambda: invoice.write({"partner_id": other_partner.id}),
            "date": lambda: invoice.write({"date": "2026-04-30"}),
            # Odoo lets these through
            "partner, skip_readonly_check": lambda: invoice.with_context(skip_readonly_check=True).write(
                {"partner_id": other_partner.id}
            ),
            "date, skip_readonly_check": lambda: invoice.with_context(skip_readonly_check=True).write(
                {"date": "2026-04-30"}
            ),
            "payment reference": lambda: invoice.write({"payment_reference": self.account2.number}),
            "origin": lambda: invoice.write({"invoice_origin": "nothing"}),
            "total": lambda: invoice.write({"amount_total": 1.0}),
            "line account": lambda: line.write({"account_id": other_income.id}),
            "line partner": lambda: invoice.line_ids.write({"partner_id": other_partner.id}),
            "line label": lambda: line.write({"name": "changed"}),
            "line amount": lambda: line.write({"price_unit": line.price_unit + 100}),
            "receivable amount": lambda: receivable.with_context(skip_readonly_check=True).write(
                {"debit": receivable.debit + 100}
            ),
            "added lines": lambda: (
                self.env["account.move.line"]
                .with_user(self.accountant)
                .create(
                    [
                        {"move_id": invoice.id, "account_id": receivable.account_id.id, "debit": 50.0},
                        {"move_id": invoice.id, "account_id": line.account_id.id, "credit": 50.0},
                    ]
                )
            ),
        }
        for name, attempt in attempts.items():
            with self.subTest(attempt=name), self.assertRaises(UserError):
                attempt()
        self.assertEqual(self._snapshot(self.invoice1), before)

    # ------------------------------------------------------------
    # unlink
    # ------------------------------------------------------------

    def test_unlink_posted_invoice_and_lines_refused(self):
        invoice = self.invoice1.with_user(self.accountant)
        before = self._snapshot(self.invoice1)
        for context in ({}, {"force_delete": True}):
            with self.subTest(context=context):
                with self.assertRaises(UserError):
                    invoice.with_context(**context).unlink()
                with self.assertRaises(UserError):
                    invoice.line_ids.with_context(**context).unlink()
                with self.assertRaises(UserError):
                    invoice.invoice_line_ids[0].with_context(**context).unlink()
        self.assertTrue(self.invoice1.exists())
        self.assertEqual(self._snapshot(self.invoice1), before)

    # ------------------------------------------------------------
    # reset to draft, cancel
    # ------------------------------------------------------------

    def test_reset_to_draft_of_paid_invoice_refused(self):
        self._pay(self.invoice1, self.invoice1.amount_total)
        self.assertEqual(self.invoice1.payment_state, "paid")
        invoice = self.invoice1.with_user(self.accountant)
        for name, attempt in (
            ("button_draft", invoice.button_draft),
            ("button_cancel", invoice.button_cancel),
            ("write state", lambda: invoice.write({"state": "draft"})),
        ):
            with self.subTest(attempt=name), self.assertRaisesMsg(UserError, "never reset to draft"):
                attempt()
        self.assertRecordValues(self.invoice1, [{"state": "posted", "payment_state": "paid"}])

    def test_reset_to_draft_of_unpaid_accrual_refused(self):
        """Corrections go through a recalculation: a billing document never goes back to draft, where its
        osmd fields and lines could be changed and posted again."""
        with self.assertRaisesMsg(UserError, "never reset to draft"):
            self.invoice2.with_user(self.accountant).button_draft()
        self.assertEqual(self.invoice2.state, "posted")

    def test_cancel_run_with_payment_refused(self):
        self._pay(self.invoice2, 10.0)
        run = self.march_run.with_user(self.accountant)
        with self.assertRaisesMsg(UserError, f"Invoice {self.invoice2.name} of the billing run is already"):
            run.action_cancel()
        self.assertEqual(run.state, "posted")
        self.assertFalse(self.env["account.move"].search([("reversed_entry_id", "in", run.move_ids.ids)]))

    def test_cancel_writes_nothing_on_posted_invoices(self):
        """Cancelling the run reverses its invoices without writing them; the period is billed again, and the
        reversal of an invoice billed again cannot be undone (two live accruals)."""
        before = self._snapshot(self.invoice1)
        self.march_run.with_user(self.accountant).action_cancel()
        self.assertEqual(self.march_run.state, "cancel")
        self.assertEqual(self.invoice1.payment_state, "reversed")
        after = self._snapshot(self.invoice1)
        self.assertEqual(after[0], before[0], "the osmd fields of the posted invoice are unchanged")
        rerun = self._create_run().with_user(self.accountant)
        rerun.action_compute()
        rerun.action_post()
        self.assertEqual(rerun.move_count, 2)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.invoice1.line_ids.remove_move_reconcile()
            self.env.flush_all()

    # ------------------------------------------------------------
    # who posted
    # ------------------------------------------------------------

    def _assert_posted_by(self, moves, user):
        self.env.flush_all()
        self.cr.flush()  # tracking values are written on flush
        self.assertTrue(moves)
        self.assertEqual(set(moves.mapped("create_uid")), {user})
        messages = self.env["mail.message"].search([("model", "=", "account.move"), ("res_id", "in", moves.ids)])
        self.assertEqual(set(messages.mapped("res_id")), set(moves.ids), "every invoice has its chatter")
        self.assertEqual(set(messages.mapped("author_id")), {user.partner_id})
        posted = messages.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
        self.assertTrue(posted, "the posting is tracked")
        self.assertEqual(set(posted.mapped("new_value_char")), {"Posted"})
        self.assertEqual(set(posted.mail_message_id.mapped("author_id")), {user.partner_id})

    def test_posting_shows_in_chatter(self):
        self._assert_posted_by(self.march_run.move_ids, self.accountant)

    def _queue(self):
        run = self._create_run(period="2026-04-01").with_user(self.accountant)
        run.action_compute()
        # the April run has warnings: it is queued through the posting wizard, which confirms them
        action = run.with_context(osmd_post_in_background=True).action_open_post_wizard()
        self.env["osmd.billing.run.post"].with_user(self.accountant).browse(action["res_id"]).action_confirm()
        self.assertTrue(run.is_post_queued)
        return run

    def _cron(self):
        cron_model = self.registry["ir.cron"]
        root = self.env.ref("base.user_root")
        with patch.object(cron_model, "_commit_progress", autospec=True, return_value=60.0):
            self.env["osmd.billing.run"].with_user(root).with_context(
                tracking_disable=False, mail_notrack=False, mail_create_nolog=False
            )._cron_post_queued()

    def test_background_posting_in_accountant_name(self):
        run = self._queue()
        self._cron()
        self.assertRecordValues(run, [{"state": "posted", "is_post_queued": False, "move_count": 2}])
        self._assert_posted_by(run.move_ids, self.accountant)
        self.assertNotEqual(run.move_ids.create_uid, self.env.ref("base.user_root"))
        self.assertFalse(run.post_requested_by, "cleared once posted")

    def test_background_posting_remembers_who_queued(self):
        run = self._queue()
        self.assertEqual(run.post_requested_by, self.accountant)
        with self.assertRaises(AccessError):
            run.with_user(self.users_a["engineer"]).action_post_background()

    def test_background_posting_stops_when_accountant_leaves(self):
        run = self._queue()
        self.accountant.active = False
        self._cron()
        self.assertRecordValues(run, [{"state": "computed", "is_post_queued": False, "move_count": 0}])
        self.assertFalse(run.move_ids)
        self.assertIn("stopped, nothing was posted", run.message_ids[:1].body)

    # ------------------------------------------------------------
    # over JSON-RPC
    # ------------------------------------------------------------

    @mute_logger("odoo.http")
    def test_over_json_rpc(self):
        self.authenticate("accountant_a", "accountant_a")
        invoice = self.invoice1
        before = self._snapshot(invoice)
        ids = [invoice.ids]
        attempts = {
            "move to another account": ("write", [*ids, {"osmd_account_id": self.account2.id}], {}),
            "another period": ("write", [*ids, {"osmd_period": "2026-04-01"}], {}),
            "no longer an accrual": ("write", [*ids, {"osmd_is_accrual": False}], {}),
            "out of its run": ("write", [*ids, {"osmd_billing_run_id": False}], {}),
            "recalculated period": ("write", [*ids, {"osmd_recalc_period": "2026-01-01"}], {}),
            "web_save account": (
                "web_save",
                [*ids, {"osmd_account_id": self.account2.id}],
                {"specification": {"osmd_account_id": {}}},
            ),
            "partner, skip_readonly_check": (
                "write",
                [*ids, {"partner_id": self.owners[2].id}],
                {"context": {"skip_readonly_check": True}},
            ),
            "unlink, force_delete": ("unlink", ids, {"context": {"force_delete": True}}),
            "reset to draft": ("button_draft", ids, {}),
            "cancel": ("button_cancel", ids, {}),
        }
        for name, (method, args, kwargs) in attempts.items():
            with self.subTest(attempt=name):
                result = self._call_kw("account.move", method, args, kwargs)
                self.assertIn("error", result, result)
                self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.UserError")
        result = self._call_kw(
            "account.move.line",
            "write",
            [invoice.invoice_line_ids[:1].ids, {"name": "changed"}],
            {"context": {"skip_readonly_check": True}},
        )
        self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.UserError")
        result = self._call_kw(
            "account.move.line", "unlink", [invoice.line_ids.ids], {"context": {"force_delete": True}}
        )
        self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.assertEqual(self._snapshot(invoice), before)
        # while the run is cancelled over RPC by the same accountant, nothing of the posted invoices is written
        self._pay(self.invoice2, 5.0)
        result = self._call_kw("osmd.billing.run", "action_cancel", [self.march_run.ids])
        self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.assertEqual(self.march_run.state, "posted")

    def test_bulk_posted_invoices_show_who_posted(self):
        """Invoices written by the bulk path carry the same trail as the ones Odoo posts (the bulk path copies the
        chatter of its reference invoices, which must therefore be a plain note of the posting user)."""
        run = self._create_run(period="2026-04-01").with_user(self.accountant)
        run.action_compute()
        fnames = ["account_id", "partner_id", "product_id", "explanation", "invoice_quantity", "invoice_price_unit"]
        lines = run.line_ids.filtered(lambda line: line.account_id == self.account1).read(fnames, load=None)
        vals = run._prepare_invoice_vals(self.account1, lines)
        # eight invoices of the same shape (not accruals: one accrual per account and period)
        vals_list = [dict(vals, osmd_is_accrual=False) for _index in range(8)]
        Move = type(self.env["account.move"])
        with patch.object(Move, "_osmd_bulk_insert", autospec=True, side_effect=Move._osmd_bulk_insert) as bulk:
            # the context of the billing run's posting
            moves = (
                run.env["account.move"]
                .with_context(mail_create_nolog=False, mail_notrack=False, tracking_disable=False)
                ._osmd_create_posted_invoices(vals_list)
            )
        self.assertTrue(bulk.called, "the invoices took the bulk path")
        self._assert_posted_by(moves, self.accountant)
