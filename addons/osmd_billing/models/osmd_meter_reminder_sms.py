import logging

from odoo import api, models
from odoo.fields import Domain

from odoo.addons.osmd_base.tools.phone import PhoneError, normalize_phone

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
        """Queue one SMS per (account, person who wants meter reminders by SMS and has a mobile number)."""
        if not batch:
            return self.env["sms.sms"]
        provider = (
            self.env["osmd.sms.provider"]
            .sudo()
            .search(Domain("company_id", "=", company.id), order="sequence, id", limit=1)
        )
        vals_list, no_phone = [], 0
        for account, text in batch:
            people = (account.sudo().portal_partner_ids | account.holder_id)._osmd_wants("readings", "sms")
            for partner in people:
                try:
                    number = normalize_phone(partner.phone or "", "UA")
                except PhoneError:
                    no_phone += 1
                    continue
                env = self.with_context(lang=partner._osmd_document_lang(company)).env
                vals_list.append(
                    {
                        "number": number,
                        "body": env._(
                            "%(association)s, account %(account)s: %(text)s",
                            association=company.name,
                            account=account.number,
                            text=text,
                        ),
                        "partner_id": partner.id,
                        "osmd_account_id": account.id,
                        "osmd_company_id": company.id,
                        "osmd_provider_id": provider.id,
                        "state": "outgoing",
                    }
                )
        if no_phone:
            _logger.info("%s: %d people want meter reminders by SMS but have no mobile number", company.name, no_phone)
        if vals_list and not provider:
            _logger.warning("%s: no SMS provider, %d meter reminders by SMS not sent", company.name, len(vals_list))
            return self.env["sms.sms"]
        # sms.sms is a technical model: queued as the system, sent by Odoo's SMS queue (not inside this cron)
        return self.env["sms.sms"].sudo().create(vals_list)
