"""The two switches of a partner (receipts by e-mail, SMS reminders) become the notification preferences of
osmd_base (e-mail / SMS / none per kind): a partner who had turned one off keeps it off."""


def migrate(cr, version):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'res_partner' "
        "AND column_name IN ('osmd_receipt_by_email', 'osmd_sms_reminders', 'osmd_notify_receipts', 'osmd_notify_debt')"
    )
    columns = {name for (name,) in cr.fetchall()}
    if {"osmd_receipt_by_email", "osmd_notify_receipts"} <= columns:
        cr.execute("UPDATE res_partner SET osmd_notify_receipts = 'none' WHERE osmd_receipt_by_email IS FALSE")
    if {"osmd_sms_reminders", "osmd_notify_debt"} <= columns:
        cr.execute("UPDATE res_partner SET osmd_notify_debt = 'none' WHERE osmd_sms_reminders IS FALSE")
