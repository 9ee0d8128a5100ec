from collections import defaultdict

from odoo import fields, models

from odoo.addons.sms.tools.sms_api import SmsApiBase


class OsmdSmsApi(SmsApiBase):
    """Odoo's SMS API interface backed by an ``osmd.sms.provider`` instead of IAP."""

    def __init__(self, env, provider):
        super().__init__(env)
        self.provider = provider
        self._set_company(provider.company_id)

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        items = [
            (number["uuid"], number["number"], message["content"])
            for message in messages
            for number in message["numbers"]
        ]
        answers = self.provider._send_sms([(number, text) for _uuid, number, text in items])
        return [
            {
                "uuid": uuid,
                "state": answer["state"],
                "failure_reason": answer["error"] or False,
                "osmd_message_ref": answer["message_id"] or False,
            }
            for (uuid, _number, _text), answer in zip(items, answers, strict=True)
        ]


class SmsSms(models.Model):
    _inherit = "sms.sms"

    osmd_company_id = fields.Many2one("res.company", string="Association", index="btree_not_null", readonly=True)
    osmd_provider_id = fields.Many2one(
        "osmd.sms.provider", string="SMS provider", index="btree_not_null", ondelete="set null", readonly=True
    )
    osmd_account_id = fields.Many2one(
        "osmd.account", string="Personal account", index="btree_not_null", ondelete="set null", readonly=True
    )
    osmd_message_ref = fields.Char(string="Gateway message ID", readonly=True, copy=False)
    osmd_error = fields.Char(string="Gateway error", readonly=True, copy=False)

    def _osmd_split_by_provider(self):
        """``({provider: sms}, rest)``: SMS of an association with an active provider go through it."""
        companies = self.osmd_company_id | self.filtered(lambda sms: not sms.osmd_company_id)._get_sms_company()
        providers = self.env["osmd.sms.provider"].sudo().search([("company_id", "in", companies.ids)])
        default = {}
        for provider in providers:
            default.setdefault(provider.company_id, provider)
        routed = defaultdict(lambda: self.browse())
        rest = self.browse()
        for sms in self:
            provider = sms.osmd_provider_id.sudo()
            if not provider.active:
                provider = default.get(sms.osmd_company_id or sms._get_sms_company())
            if provider:
                routed[provider] |= sms
            else:
                rest |= sms
        return routed, rest

    def _split_by_api(self):
        routed, rest = self._osmd_split_by_provider()
        for provider, sms in routed.items():
            yield OsmdSmsApi(self.env, provider), sms
        if rest:
            yield from super(SmsSms, rest)._split_by_api()

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        if self.env.context.get("sms_api"):
            return super()._send(unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception)
        routed, rest = self._osmd_split_by_provider()
        for provider, sms in routed.items():
            sms._send_with_api(OsmdSmsApi(self.env, provider), raise_exception=raise_exception)
        if rest:
            return super(SmsSms, rest)._send(
                unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
            )
        return None

    def _send_with_api(self, sms_api, unlink_failed=False, unlink_sent=True, raise_exception=False):
        if isinstance(sms_api, OsmdSmsApi):
            # our gateway's SMS stay as the log of reminders (state, gateway id, error)
            unlink_failed = unlink_sent = False
        return super()._send_with_api(
            sms_api, unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
        )

    def _handle_call_result_hook(self, results):
        by_uuid = self.grouped("uuid")
        for result in results:
            sms = by_uuid.get(result.get("uuid"))
            if sms and "osmd_message_ref" in result:
                sms.osmd_message_ref = result["osmd_message_ref"]
                sms.osmd_error = result.get("failure_reason") or False
        return super()._handle_call_result_hook(results)
