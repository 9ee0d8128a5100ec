"""Accrual and recalculation invoices posted before 19.0.1.1.0 were due on the day they were posted: give
them the association's payment deadline of their period (receivable item's maturity and the invoice's due
date only, logged on each invoice; see ``res.company._osmd_correct_due_dates``)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].with_context(active_test=False).search([])._osmd_correct_due_dates()
