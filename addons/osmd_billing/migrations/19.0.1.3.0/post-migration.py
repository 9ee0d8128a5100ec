"""Penalties are counted day by day from 19.0.1.3.0: each charge records the days it counted.

The charges made before got their days the way they were counted then (from the first day of delay, or the first
day of the run's period, to the last day of the period); they are kept as charged (``is_fixed``), never
recomputed, so that the upgrade changes no amount a resident was already told. A run computed but not posted
charged its whole month, days to come included: it goes back to draft, to be computed again. The accounts exempt
from penalties get their exemption as a suspension from the day their account was opened (no run charged them
while exempt; what was charged before the box was ticked is kept, being fixed)."""

from psycopg2.extras import execute_values

from odoo import SUPERUSER_ID, api

from odoo.addons.osmd_billing.models.osmd_penalty import payment_deadline
from odoo.addons.osmd_billing.tools.penalty import penalty_start
from odoo.addons.osmd_billing.tools.proration import month_bounds


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    stale = env["osmd.billing.run"].search(
        [("state", "=", "computed"), ("is_post_queued", "=", False), ("line_ids.kind", "=", "penalty")]
    )
    for run in stale:
        run.action_reset_to_draft()
        lang = env["res.partner"]._osmd_document_lang(run.company_id)
        run.message_post(
            body=run.with_context(lang=lang).env._(
                "Penalties are now counted only for the days of delay that have passed: compute the run again."
            )
        )
    charges = env["osmd.penalty.charge"].search([("date_to", "=", False), ("kind", "=", "days")])
    rows = []
    for charge in charges:
        first, last = month_bounds(charge.period)
        day = charge.invoice_id.company_id.osmd_penalty_deadline_day or 20
        start = max(penalty_start(payment_deadline(charge.invoice_id.osmd_period, day)), first)
        rows.append((min(start, last), last, charge.id))
    if rows:
        execute_values(
            cr._obj,
            """UPDATE osmd_penalty_charge c SET date_from = v.date_from, date_to = v.date_to, is_fixed = TRUE
                 FROM (VALUES %s) AS v(date_from, date_to, id) WHERE c.id = v.id""",
            rows,
        )
    accounts = env["osmd.account"].with_context(active_test=False).search([("osmd_penalty_exempt", "=", True)])
    for account in accounts:
        # the write keeps the exemption as a suspension of the account
        account.osmd_penalty_exempt_since = account.date_open or account.create_date.date()
