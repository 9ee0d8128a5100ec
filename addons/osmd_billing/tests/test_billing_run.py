from contextlib import closing
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import sql_db
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import PERIOD, BillingCommon


@tagged("post_install", "-at_install", "osmd")
class TestBillingRun(BillingCommon):
    def _amounts(self, run, account):
        charges = run.line_ids.filtered(lambda line: line.account_id == account and line.kind == "charge")
        return {
            product: round(sum(lines.mapped("amount")), 2) for product, lines in charges.grouped("product_id").items()
        }

    def _compute(self, **vals):
        run = self._create_run(**vals).with_user(self.accountant)
        run.action_compute()
        return run

    # ------------------------------------------------------------
    # compute
    # ------------------------------------------------------------

    def test_every_basis(self):
        run = self._compute()
        self.assertEqual(run.state, "computed")
        self.assertFalse(
            run.problem_ids.filtered(lambda p: p.severity == "blocking"), run.problem_ids.mapped("message")
        )
        self.assertEqual(
            self._amounts(run, self.account1),
            {
                self.svc_maint: 444.55,  # 52,30 m² × 8,50
                self.svc_heat: 1569.00,  # 52,30 m² heated × 30,00
                self.svc_garbage: 90.00,  # 2 persons × 45,00
                self.svc_intercom: 20.00,  # fixed per apartment
                self.svc_water: 392.21,  # meter 13 m³ × 30,17 (no norm: the premise has a meter)
                self.svc_hot_share: 50.00,  # 0,5 m³ house share × 100,00
            },
        )
        self.assertEqual(
            self._amounts(run, self.account2),
            {
                self.svc_maint: 604.78,  # 71,15 × 8,50 = 604,775
                self.svc_heat: 1800.00,  # 60,00 heated m² × 30,00
                self.svc_garbage: 45.00,
                self.svc_intercom: 20.00,
                self.svc_water_norm: 96.54,  # no meter: norm 3,2 m³ × 1 person × 30,17
                self.svc_power: 540.00,  # T1 100 × 4,32 + T2 50 × 2,16
            },
        )
        self.assertEqual(self._lines(run, self.account1, self.svc_maint).explanation, "52,30 m² × 8,50 UAH")
        self.assertEqual(self._lines(run, self.account1, self.svc_garbage).explanation, "2 pers. × 45,00 UAH")
        water = self._lines(run, self.account1, self.svc_water)
        # the reading's own explanation, priced
        self.assertTrue(water.explanation.startswith("Meter 123456: "), water.explanation)
        self.assertTrue(water.explanation.endswith("145 − 132 = 13 m³ × 30,17 UAH"), water.explanation)
        self.assertEqual(
            self._lines(run, self.account2, self.svc_water_norm).explanation,
            f"Norm 3,2 {self.utility_water.uom_id.name} × 1 pers. = 3,2 {self.utility_water.uom_id.name} × 30,17 UAH",
        )
        power = self._lines(run, self.account2, self.svc_power).sorted("zone")
        self.assertRecordValues(
            power,
            [
                {"zone": 1, "quantity": 100.0, "price_unit": 4.32, "amount": 432.00},
                {"zone": 2, "quantity": 50.0, "price_unit": 2.16, "amount": 108.00},
            ],
        )
        self.assertIn("zone T2: 50 × 2,16 UAH", power[1].explanation)
        self.assertEqual(self._lines(run, self.account1, self.svc_maint).partner_id, self.owners[0])

    def test_explanation_in_holder_language(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(["osmd_billing"], ["uk_UA"])
        # the holder chose Ukrainian documents in an association whose language is English
        self.company_a.partner_id.lang = "en_US"
        self.owners[0].osmd_document_lang = "uk_UA"
        run = self._compute()
        self.assertEqual(self._lines(run, self.account1, self.svc_maint).explanation, "52,30 м² × 8,50 грн")
        self.assertEqual(self._lines(run, self.account1, self.svc_garbage).explanation, "2 ос. × 45,00 грн")
        # the other holder gets the association's language
        self.assertEqual(self._lines(run, self.account2, self.svc_garbage).explanation, "1 pers. × 45,00 UAH")

    def test_explanation_and_invoice_lines_in_the_document_language(self):
        """The language of the holder's documents (res.partner._osmd_document_lang), not the partner's own:
        an English partner of a Ukrainian association gets Ukrainian explanations and invoice lines that
        start with the service's name, unless they chose English documents."""
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(["osmd_billing"], ["uk_UA"])
        self.company_a.partner_id.lang = "uk_UA"
        # partners' own language is English (imported, created by a transfer...); one chose English documents
        self.owners[0].lang = self.owners[2].lang = "en_US"
        self.owners[2].osmd_document_lang = "en_US"
        run = self._compute()
        self.assertEqual(self._lines(run, self.account1, self.svc_maint).explanation, "52,30 м² × 8,50 грн")
        self.assertEqual(self._lines(run, self.account2, self.svc_garbage).explanation, "1 pers. × 45,00 UAH")
        run.action_post()
        invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account1)
        maint = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.svc_maint)
        self.assertEqual(maint.name, "Утримання будинку: 52,30 м² × 8,50 грн")

    def test_premise_kind_and_missing_reading(self):
        # the parking space has no account; a service limited to parking spaces is not charged to apartments
        self.svc_intercom.osmd_premise_kinds = "parking"
        self.env["osmd.meter"].create(
            {
                "serial": "W-2",
                "company_id": self.company_a.id,
                "utility_id": self.utility_water.id,
                "premise_id": self.premises[1].id,
                "install_date": "2025-01-01",
            }
        )
        run = self._compute()
        self.assertFalse(self._lines(run, self.account1, self.svc_intercom))
        # a meter without a reading: no charge, no norm either, a warning (billed later by recalculation)
        self.assertFalse(self._lines(run, self.account2, self.svc_water | self.svc_water_norm))
        problems = run.problem_ids.filtered(lambda p: p.account_id == self.account2)
        self.assertEqual(set(problems.mapped("severity")), {"warning"}, problems.mapped("message"))
        self.assertIn("no confirmed reading", " ".join(problems.mapped("message")))

    def test_proration_by_subscription_dates(self):
        parking = self.env["product.product"].create(
            {"name": "Прибирання паркінгу", "osmd_basis": "fixed", "company_id": self.company_a.id}
        )
        self.env["osmd.tariff"].create(
            {"company_id": self.company_a.id, "product_id": parking.id, "price": 31.0, "date_start": "2026-01-01"}
        )
        self.env["osmd.subscription"].create(
            [
                # an exception: account 2 leaves the intercom on 11 March (10 days billed)
                {
                    "company_id": self.company_a.id,
                    "building_id": self.building.id,
                    "account_id": self.account2.id,
                    "product_id": self.svc_intercom.id,
                    "mode": "exclude",
                    "date_start": "2026-03-11",
                },
                # an exception: account 1 gets a service of no building default from 17 March (15 days)
                {
                    "company_id": self.company_a.id,
                    "building_id": self.building.id,
                    "account_id": self.account1.id,
                    "product_id": parking.id,
                    "mode": "include",
                    "date_start": "2026-03-17",
                },
            ]
        )
        run = self._compute()
        intercom = self._lines(run, self.account2, self.svc_intercom)
        self.assertRecordValues(intercom, [{"days": 10, "month_days": 31, "amount": 6.45}])
        self.assertEqual(intercom.explanation, "1 premise × 20,00 UAH × 10/31 days")
        self.assertRecordValues(
            self._lines(run, self.account1, parking),
            [{"days": 15, "amount": 15.0, "invoice_quantity": 1.0, "invoice_price_unit": 15.0}],
        )
        self.assertFalse(self._lines(run, self.account2, parking))
        self.assertEqual(self._lines(run, self.account1, self.svc_intercom).amount, 20.0)

    def test_benefits_and_subsidy(self):
        self.env["osmd.benefit"].create(
            [
                {
                    "company_id": self.company_a.id,
                    "account_id": self.account1.id,
                    "product_id": self.svc_garbage.id,
                    "percent": 50,
                    "category": "УБД",
                    "date_start": "2025-01-01",
                },
                # from 17 March: 15 of 31 days of 604,78 = 292,64, all of it
                {
                    "company_id": self.company_a.id,
                    "account_id": self.account2.id,
                    "product_id": self.svc_maint.id,
                    "percent": 100,
                    "date_start": "2026-03-17",
                },
            ]
        )
        self.env["osmd.subsidy"].create(
            {"company_id": self.company_a.id, "account_id": self.account2.id, "period": "2026-03-20", "amount": 100}
        )
        run = self._compute()
        benefit1 = self._lines(run, self.account1, self.svc_garbage, kind="benefit")
        self.assertEqual(benefit1.amount, -45.0)
        self.assertEqual(benefit1.explanation, "Benefit 50% of 90,00 UAH (УБД)")
        self.assertEqual(self._lines(run, self.account2, self.svc_maint, kind="benefit").amount, -292.64)
        subsidy = run.line_ids.filtered(lambda line: line.kind == "subsidy")
        self.assertRecordValues(subsidy, [{"account_id": self.account2.id, "amount": -100.0}])
        self.assertEqual(subsidy.explanation, "Subsidy for 03.2026")

    def test_tariff_change_mid_month(self):
        for product, new_price in ((self.svc_maint, 9.30), (self.svc_water, 32.00)):
            old = self.tariffs.filtered(lambda t, product=product: t.product_id == product)
            old.date_end = "2026-03-15"
            self.env["osmd.tariff"].create(
                {
                    "company_id": self.company_a.id,
                    "product_id": product.id,
                    "price": new_price,
                    "date_start": "2026-03-16",
                }
            )
        run = self._compute()
        maint = self._lines(run, self.account1, self.svc_maint).sorted("date_start")
        # 52,30 × 8,50 × 15/31 = 215,10 and 52,30 × 9,30 × 16/31 = 251,04
        self.assertRecordValues(
            maint,
            [
                {"days": 15, "price_unit": 8.50, "amount": 215.10},
                {"days": 16, "price_unit": 9.30, "amount": 251.04},
            ],
        )
        self.assertEqual(maint[1].explanation, "52,30 m² × 9,30 UAH × 16/31 days")
        # a measured quantity is split by days, the last piece takes the rest: 6,290 + 6,710 = 13
        water = self._lines(run, self.account1, self.svc_water).sorted("date_start")
        self.assertRecordValues(
            water,
            [
                {"quantity": 6.29, "price_unit": 30.17, "amount": 189.77},
                {"quantity": 6.71, "price_unit": 32.00, "amount": 214.72},
            ],
        )
        self.assertNotEqual(maint[0].tariff_id, maint[1].tariff_id)

    def test_overlapping_tariffs_refused(self):
        with self.assertRaisesMsg(ValidationError, "overlaps"):
            self.env["osmd.tariff"].create(
                {
                    "company_id": self.company_a.id,
                    "product_id": self.svc_maint.id,
                    "price": 9.0,
                    "date_start": "2026-01-01",
                }
            )
        # a building's own tariff is another scope, and wins over the association's
        self.env["osmd.tariff"].create(
            {
                "company_id": self.company_a.id,
                "product_id": self.svc_maint.id,
                "building_id": self.building.id,
                "price": 10.0,
                "date_start": "2026-01-01",
            }
        )
        run = self._compute()
        self.assertEqual(self._lines(run, self.account1, self.svc_maint).amount, 523.0)

    def test_no_vat_on_services(self):
        self.assertTrue(self.company_a.account_sale_tax_id, "l10n_ua sets a default sale tax")
        self.assertFalse(self.svc_maint.taxes_id)
        template = self.env["product.template"].create({"name": "Ремонт", "osmd_basis": "fixed"})
        self.assertFalse(template.taxes_id)
        self.assertEqual(template.type, "service")

    def test_lines_inserted_in_bulk_as_create_writes_them(self):
        # benefit and subsidy lines leave fields out: defaults and NULLs
        self.env["osmd.benefit"].create(
            {
                "company_id": self.company_a.id,
                "account_id": self.account1.id,
                "product_id": self.svc_garbage.id,
                "percent": 50,
                "date_start": "2025-01-01",
            }
        )
        self.env["osmd.subsidy"].create(
            {"company_id": self.company_a.id, "account_id": self.account2.id, "period": PERIOD, "amount": 100}
        )
        run = self._create_run().with_user(self.accountant)
        vals_list, _problems = run._compute_lines()
        self.assertEqual({vals["kind"] for vals in vals_list}, {"charge", "benefit", "subsidy"})
        # a quantity rounded by its field, and an explanation with the characters COPY escapes
        vals_list.append(dict(vals_list[0], quantity=1.2345678, explanation="tab\there, back\\slash,\nnew\rline"))
        self.assertFalse(run.line_ids)
        Line = self.env["osmd.billing.line"].with_user(self.accountant)
        bulk = Line._create_in_bulk(vals_list)
        self.assertEqual(set(run.line_ids.ids), set(bulk.ids))
        self.assertEqual(run.line_count, len(vals_list))
        self.assertEqual(bulk[-1].explanation, "tab\there, back\\slash,\nnew\rline")
        created = Line.create(vals_list)

        def rows(lines):
            # every column as PostgreSQL holds it (numbers with their scale), but the id
            self.env.cr.execute(
                "SELECT (to_jsonb(line) - 'id')::text FROM osmd_billing_line line WHERE id = ANY(%s) ORDER BY id",
                [lines.ids],
            )
            return [row for (row,) in self.env.cr.fetchall()]

        # flushed as the accountant: create() leaves related fields to the flush, whose user is the write_uid
        Line.env.flush_all()
        self.assertEqual(rows(bulk), rows(created))
        self.assertIn('"quantity": 1.235', rows(bulk)[-1])

    # ------------------------------------------------------------
    # problems
    # ------------------------------------------------------------

    def test_missing_tariff_blocks_posting(self):
        self.tariffs.filtered(lambda t: t.product_id == self.svc_intercom).unlink()
        run = self._compute()
        blocking = run.problem_ids.filtered(lambda p: p.severity == "blocking")
        self.assertEqual(len(blocking), 1)
        self.assertIn("No tariff for", blocking.message)
        self.assertFalse(self._lines(run, self.account1, self.svc_intercom))
        with self.assertRaisesMsg(UserError, "blocking problem"):
            run.action_post()
        with self.assertRaisesMsg(UserError, "blocking problem"):
            run.action_post_background()
        self.assertEqual(run.state, "computed")
        self.assertFalse(self.env["account.move"].search([("osmd_billing_run_id", "=", run.id)]))

    def test_account_without_holder_blocks(self):
        self.account2.holder_line_ids.date_end = "2026-02-28"
        run = self._compute()
        problems = run.problem_ids.filtered(lambda p: p.account_id == self.account2 and p.severity == "blocking")
        self.assertIn("has no holder", " ".join(problems.mapped("message")))
        self.assertTrue(run.blocking_count)
        with self.assertRaisesMsg(UserError, "blocking problem"):
            run.action_post()
        self.assertFalse(run.move_ids)

    # ------------------------------------------------------------
    # post
    # ------------------------------------------------------------

    def test_post_one_invoice_per_account(self):
        self.env["osmd.subsidy"].create(
            {"company_id": self.company_a.id, "account_id": self.account2.id, "period": PERIOD, "amount": 100}
        )
        run = self._compute()
        run.action_post()
        self.assertEqual(run.state, "posted")
        moves = self.env["account.move"].search([("osmd_billing_run_id", "=", run.id)])
        self.assertEqual(len(moves), 2)
        self.assertEqual(run.move_count, 2)
        for account, holder, total in (
            (self.account1, self.owners[0], 2565.76),
            (self.account2, self.owners[2], 3006.32),
        ):
            move = moves.filtered(lambda m, account=account: m.osmd_account_id == account)
            lines = run.line_ids.filtered(lambda line, account=account: line.account_id == account)
            self.assertRecordValues(
                move,
                [
                    {
                        "move_type": "out_invoice",
                        "state": "posted",
                        "partner_id": holder.id,
                        "osmd_period": PERIOD,
                        "osmd_is_accrual": True,
                        "invoice_date": PERIOD.replace(day=31),
                        "journal_id": run.journal_id.id,
                        "amount_total": total,
                        "amount_tax": 0.0,
                    }
                ],
            )
            self.assertEqual(run.journal_id.type, "sale")
            self.assertAlmostEqual(sum(lines.mapped("amount")), move.amount_total, places=2)
            self.assertEqual(len(move.invoice_line_ids), len(lines))
            # each invoice line says its service, then how it was computed
            self.assertEqual(
                set(move.invoice_line_ids.mapped("name")),
                {f"{line.product_id.name}: {line.explanation}" for line in lines},
            )
            self.assertFalse(move.invoice_line_ids.tax_ids)
            self.assertEqual(lines.move_id, move)
        maint = moves.invoice_line_ids.filtered(lambda line: line.name == "Утримання будинку: 52,30 m² × 8,50 UAH")
        self.assertRecordValues(maint, [{"quantity": 52.30, "price_unit": 8.50, "price_subtotal": 444.55}])
        self.assertAlmostEqual(sum(moves.mapped("amount_total")), run.amount_total, places=2)

    def test_second_run_for_the_period_refused(self):
        run = self._compute()
        with self.assertRaisesMsg(ValidationError, "already covers"):
            self._create_run(building_ids=[Command.set(self.building.ids)])
        # another period is fine
        self._create_run(period="2026-04-01")
        run.action_post()
        with self.assertRaisesMsg(ValidationError, "already covers"):
            self._create_run()
        # and the ledger itself refuses a second accrual of the account and period
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "company_id": self.company_a.id,
                    "partner_id": self.owners[0].id,
                    "osmd_account_id": self.account1.id,
                    "osmd_period": PERIOD,
                    "osmd_is_accrual": True,
                }
            ).flush_recordset()

    def test_association_busy_in_another_transaction_refused(self):
        """While another transaction computes or posts for the association (it holds the association's
        row), computing, posting or cancelling is refused at once instead of waiting or mixing."""
        # a committed association: another connection cannot see the test's own records
        company = self.env.ref("base.main_company")
        run = self.env["osmd.billing.run"].create({"company_id": company.id, "period": PERIOD})
        recalculation = self.env["osmd.recalculation"].create({"company_id": company.id, "period": PERIOD})
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            # what _lock() of a run being computed or posted there holds
            other.execute(SQL("SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE NOWAIT", company.id))
            for action in (run.action_compute, run.action_cancel, recalculation.action_compute):
                with self.assertRaisesMsg(UserError, "being processed"):
                    action()
            other.rollback()
        run.action_compute()
        self.assertEqual(run.state, "computed")

    def test_post_in_background(self):
        run = self._compute()
        run.action_post_background()
        self.assertTrue(run.is_post_queued)
        with self.assertRaisesMsg(UserError, "already being posted"):
            run.action_post()
        cron_model = self.registry["ir.cron"]
        with patch.object(cron_model, "_commit_progress", autospec=True, return_value=60.0) as progress:
            self.env["osmd.billing.run"]._cron_post_queued()
        self.assertTrue(progress.called)
        self.assertRecordValues(run, [{"state": "posted", "is_post_queued": False, "move_count": 2}])

    # ------------------------------------------------------------
    # cancel
    # ------------------------------------------------------------

    def test_cancel_reverses_invoices(self):
        run = self._compute()
        run.action_post()
        invoices = run.move_ids
        run.action_cancel()
        self.assertEqual(run.state, "cancel")
        refunds = self.env["account.move"].search([("reversed_entry_id", "in", invoices.ids)])
        self.assertEqual(len(refunds), 2)
        self.assertEqual(set(refunds.mapped("move_type")), {"out_refund"})
        self.assertEqual(set(invoices.mapped("state")), {"posted"}, "posted entries are never edited")
        self.assertEqual(set(invoices.mapped("payment_state")), {"reversed"})
        # nothing of the posted invoices is written: they no longer count because they are reversed
        self.assertTrue(all(invoices.mapped("osmd_is_accrual")))
        # the period can be billed again
        rerun = self._compute()
        rerun.action_post()
        self.assertEqual(rerun.move_count, 2)
        # receipts and sending take the new invoices, never the reversed ones of the cancelled run
        accounts = rerun.move_ids.osmd_account_id
        Report = self.env.registry["ir.actions.report"]
        with patch.object(Report, "report_action", lambda report, docids, *args, **kwargs: docids):
            printed = self.env["report.osmd_billing.report_receipt"]._action_print_for_accounts(accounts)
        self.assertEqual(set(printed.ids), set(rerun.move_ids.ids))
        with self.assertRaisesMsg(UserError, "posted monthly accrual invoices only"):
            self.env["report.osmd_billing.report_receipt"]._check_moves(invoices[:1])
        sender = self.env["osmd.billing.send"].create(
            {"company_id": rerun.company_id.id, "move_ids": [Command.set((invoices | rerun.move_ids).ids)]}
        )
        self.assertEqual(sender._get_moves(), rerun.move_ids)

    def test_cancel_refused_once_paid(self):
        run = self._compute()
        run.action_post()
        invoice = run.move_ids[0]
        self.env["account.payment.register"].with_company(self.company_a).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 10.0})._create_payments()
        self.assertNotEqual(invoice.amount_residual, invoice.amount_total)
        with self.assertRaisesMsg(UserError, "paid"):
            run.action_cancel()
        self.assertEqual(run.state, "posted")
        self.assertFalse(self.env["account.move"].search([("reversed_entry_id", "in", run.move_ids.ids)]))

    def test_billed_tariff_is_kept(self):
        run = self._compute()
        run.action_post()
        tariff = self.tariffs.filtered(lambda t: t.product_id == self.svc_maint)
        with self.assertRaisesMsg(UserError, "cannot be deleted"):
            tariff.unlink()
        with self.assertRaisesMsg(UserError, "already been billed"):
            tariff.price = 9.0
        tariff.date_end = "2026-04-30"  # closing it is how a tariff changes
