from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.osmd_base.tests.common import JsonRpcMixin

from .common import BillingCommon

FEBRUARY = date(2026, 2, 1)


@tagged("post_install", "-at_install", "osmd")
class TestPostingWarnings(JsonRpcMixin, BillingCommon, HttpCase):
    """A billing run with warnings (charges left out) is posted only after someone saw them, by kind, with
    the change of the total against the previous period, and confirmed; over the ORM or JSON-RPC, whatever
    the context, it is refused without that confirmation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # meters without a reading in March: their consumption is not charged (warnings)
        cls.env["osmd.meter"].create(
            [
                {
                    "serial": "W-2",
                    "company_id": cls.company_a.id,
                    "utility_id": cls.utility_water.id,
                    "premise_id": cls.premises[1].id,
                    "install_date": "2025-01-01",
                    "initial_value1": 10,
                },
                {
                    "serial": "E-1",
                    "company_id": cls.company_a.id,
                    "utility_id": cls.utility_power.id,
                    "premise_id": cls.premises[0].id,
                    "install_date": "2025-01-01",
                    "initial_value1": 100,
                },
            ]
        )

    def _computed_run(self, **vals):
        run = self._create_run(**vals).with_user(self.accountant)
        run.action_compute()
        return run

    def _wizard(self, run, **context):
        action = run.with_context(**context).action_open_post_wizard()
        return self.env["osmd.billing.run.post"].with_user(self.accountant).browse(action["res_id"])

    def test_warnings_refused_without_confirmation(self):
        run = self._computed_run()
        self.assertEqual(run.warning_count, 2)
        self.assertEqual(set(run.problem_ids.mapped("kind")), {"no_reading"})
        self.assertFalse(run.blocking_count)
        for method in (run.action_post, run.action_post_background, run.with_context(osmd_confirmed=True).action_post):
            with self.assertRaisesRegex(UserError, "2 warning"):
                method()
        with self.assertRaises(AccessError):
            run.write({"warnings_confirmed_by": self.accountant.id})
        self.assertEqual(run.state, "computed")
        self.assertFalse(run.move_ids)
        self.assertFalse(run.is_post_queued)

    @mute_logger("odoo.http")
    def test_over_json_rpc(self):
        run = self._computed_run()
        self.authenticate("accountant_a", "accountant_a")
        context = {
            "osmd_billing_cron": True,
            "osmd_post_confirmed": True,
            "osmd_post_in_background": True,
            "allowed_company_ids": [self.company_a.id],
        }
        attempts = [
            ("action_post", [run.ids], {"context": context}),
            ("action_post_background", [run.ids], {"context": context}),
            ("write", [run.ids, {"warnings_confirmed_by": self.accountant.id}], {"context": context}),
            ("write", [run.ids, {"warnings_confirmed_date": "2026-04-01 10:00:00"}], {}),
        ]
        for method, args, kwargs in attempts:
            result = self._call_kw("osmd.billing.run", method, args, kwargs)
            self.assertIn("error", result, method)
        self.env.invalidate_all()
        self.assertEqual(run.state, "computed")
        self.assertFalse(run.move_ids)
        self.assertFalse(run.is_post_queued)
        self.assertFalse(run.warnings_confirmed_by)

    def test_wizard_shows_warnings_and_change_then_posts(self):
        previous = self._computed_run(period=FEBRUARY)
        self._wizard(previous).action_confirm()
        self.assertEqual(previous.state, "posted")
        run = self._computed_run()
        wizard = self._wizard(run)
        self.assertEqual(wizard.warning_count, 2)
        self.assertEqual(
            wizard._warning_groups(),
            [("No meter reading", "Електроенергія", 1), ("No meter reading", "Холодна вода", 1)],
        )
        self.assertIn("No meter reading", wizard.warning_summary)
        self.assertEqual(wizard.previous_run_id, previous)
        self.assertAlmostEqual(wizard.previous_amount, previous.amount_total, places=2)
        self.assertAlmostEqual(wizard.amount_change, run.amount_total - previous.amount_total, places=2)
        expected = round((run.amount_total - previous.amount_total) * 100 / previous.amount_total, 2)
        self.assertAlmostEqual(wizard.amount_change_percent, expected, places=1)
        wizard.action_confirm()
        self.assertEqual(run.state, "posted")
        self.assertEqual(len(run.move_ids), 2)
        self.assertEqual(run.warnings_confirmed_by, self.accountant)
        self.assertIn("2 warning", run.message_ids[:1].body)

    def test_confirmation_forgotten_on_recompute_and_in_background(self):
        run = self._computed_run()
        run.sudo().write({"warnings_confirmed_by": self.accountant.id})
        run.action_compute()
        self.assertFalse(run.warnings_confirmed_by)
        with self.assertRaises(UserError):
            run.action_post()
        wizard = self._wizard(run, osmd_post_in_background=True)
        self.assertTrue(wizard.in_background)
        wizard.action_confirm()
        self.assertTrue(run.is_post_queued)
        self.assertEqual(run.state, "computed")

    def test_without_warnings_posts_as_before(self):
        self.env["osmd.meter"].search([("serial", "in", ["W-2", "E-1"])]).sudo().unlink()
        run = self._computed_run()
        self.assertFalse(run.problem_ids)
        wizard = self._wizard(run)
        self.assertFalse(wizard.warning_count)
        self.assertFalse(wizard.warning_summary)
        self.assertFalse(wizard.previous_run_id)
        run.action_post()
        self.assertEqual(run.state, "posted")

    def test_blocking_problems_still_block(self):
        service = self.env["product.product"].create(
            {"name": "Консьєрж", "osmd_basis": "fixed", "company_id": self.company_a.id}
        )
        self.env["osmd.subscription"].create(
            {
                "company_id": self.company_a.id,
                "building_id": self.building.id,
                "product_id": service.id,
                "date_start": "2025-01-01",
            }
        )
        run = self._computed_run()
        self.assertTrue(run.blocking_count)
        with self.assertRaisesRegex(UserError, "blocking"):
            run.action_open_post_wizard()
        with self.assertRaisesRegex(UserError, "blocking"):
            run.action_post()
