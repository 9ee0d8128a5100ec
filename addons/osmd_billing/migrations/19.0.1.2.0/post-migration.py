"""Services were posted to 701 (finished products): give every association its services category, whose income
account is 703 "Дохід від реалізації робіт і послуг", and put its services without category in it (see
``res.company._osmd_ensure_service_category``). Invoices already posted are not changed. The payment method
lines named in English when the chart was loaded ("Manual Payment") get the association's language."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    companies = env["res.company"].with_context(active_test=False).search([])
    companies._osmd_ensure_service_category()
    companies._osmd_translate_payment_method_lines()
