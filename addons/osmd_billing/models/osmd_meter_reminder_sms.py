import logging

from odoo import api, models

_logger = logging.getLogger(__name__)

SMS_BATCH = "osmd_reminder_sms"


class OsmdMeter(models.Model):
    """Meter reminders (reading window, verification) by SMS to the people who chose SMS for them, through the
    association's SMS provider: queued in one batch per association and run, sent by Odoo's SMS queue."""

    _inherit = "osmd.meter"

    @api.model
    def _send_reading_window_reminders(self, company, today=None):
        batch = []
        accounts = super(OsmdMeter, self.with_context(**{SMS_BATCH: batch}))._send_reading_window_reminders(
            company, today=today
        )
        self._osmd_queue_reminder_sms(company, batch)
        return accounts.with_env(self.env)

    @api.model
    def _send_verification_reminders(self, company, today=None):
        batch = []
        meters = super(OsmdMeter, self.with_context(**{SMS_BATCH: batch}))._send_verification_reminders(
            company, today=today
        )
        self._osmd_queue_reminder_sms(company, batch)
        return meters.with_env(self.env)

    def _post_to_account(self, account, company, subject, body, sms_text=None):
        message = super()._post_to_account(account, company, subject, body, sms_text=sms_text)
        batch = self.env.context.get(SMS_BATCH)
        if batch is not None and sms_text:
            batch.append((account, sms_text))
        return message

    @api.model
    def _osmd_queue_reminder_sms(self, company, batch):
        """One SMS per (account, person who wants meter reminders by SMS and has a mobile number)."""
        messages = []
        for account, text in batch:
            for partner in (account.sudo().portal_partner_ids | account.holder_id)._osmd_wants("readings", "sms"):
                env = self.with_context(lang=partner._osmd_document_lang(company)).env
                body = env._(
                    "%(association)s, account %(account)s: %(text)s",
                    association=company.name,
                    account=account.number,
                    text=text,
                )
                messages.append((partner, body, account))
        return self.env["osmd.sms.provider"]._osmd_queue(company, messages, "meter reminders")
