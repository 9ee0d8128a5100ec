import logging
from collections import defaultdict

import requests

from odoo import fields, models

from odoo.addons.osmd_base.tools.phone import PhoneError, normalize_phone

_logger = logging.getLogger(__name__)

TURBOSMS_URL = "https://api.turbosms.ua"
TURBOSMS_OK_CODES = {0, 800, 801, 802, 803}  # OK, SUCCESS_MESSAGE_ACCEPTED/SENT/PARTIAL_ACCEPTED, ...
HTTP_TIMEOUT = 20


class OsmdSmsProvider(models.Model):
    """An SMS gateway account of an association.

    ``_send_sms`` is the only entry point: it dispatches on ``kind`` to ``_send_<kind>``, so another
    gateway is added with a selection value and one method. Odoo's ``sms.sms`` queue uses the active
    provider of the association instead of IAP (see ``sms_sms.py``).
    """

    _name = "osmd.sms.provider"
    _description = "SMS provider"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    kind = fields.Selection([("turbosms", "TurboSMS")], string="Gateway", required=True, default="turbosms")
    url = fields.Char(
        string="API URL", required=True, default=TURBOSMS_URL, help="Base address of the gateway's HTTP API."
    )
    sender = fields.Char(
        string="Sender name", required=True, help="Alpha name registered with the gateway (at most 11 characters)."
    )
    token = fields.Char(string="API token", groups="osmd_base.group_osmd_chairman", copy=False)
    sms_count = fields.Integer(string="SMS", compute="_compute_sms_count")

    def _compute_sms_count(self):
        counts = dict(
            self.env["sms.sms"]
            .sudo()
            ._read_group([("osmd_provider_id", "in", self.ids)], ["osmd_provider_id"], ["__count"])
        )
        for provider in self:
            provider.sms_count = counts.get(provider, 0)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_sms(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_billing.osmd_sms_message_action")
        action["domain"] = [("osmd_provider_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _send_sms(self, numbers_texts):
        """Send ``[(number, text), ...]`` through this gateway.

        Never raises for gateway or network errors: returns one dict per item, in the same order,
        ``{"number", "ok", "message_id", "error", "state"}`` where ``state`` is ``success`` or an
        ``sms.sms`` provider state (``wrong_number_format``, ``server_error``).
        """
        self.ensure_one()
        if not numbers_texts:
            return []
        return getattr(self.sudo(), f"_send_{self.kind}")(numbers_texts)

    def _send_turbosms(self, numbers_texts):
        """TurboSMS HTTP API v2: one ``POST message/send.json`` per distinct text with all its recipients
        (digits only, ``380XXXXXXXXX``), authorised by a Bearer token."""
        results = [None] * len(numbers_texts)
        by_text = defaultdict(list)  # text -> [(index, phone digits)]
        for index, (number, text) in enumerate(numbers_texts):
            try:
                digits = normalize_phone(number or "", "UA").lstrip("+")
            except PhoneError:
                results[index] = self._sms_result(number, error=self.env._("Invalid phone number."))
                results[index]["state"] = "wrong_number_format"
                continue
            by_text[text].append((index, digits))
        endpoint = self.url.rstrip("/") + "/message/send.json"
        headers = {"Authorization": f"Bearer {self.token or ''}", "Content-Type": "application/json"}
        with requests.Session() as session:
            for text, items in by_text.items():
                body = {
                    "recipients": [digits for _index, digits in items],
                    "sms": {"sender": self.sender, "text": text},
                }
                answers, error = self._turbosms_post(session, endpoint, headers, body)
                for index, digits in items:
                    number = numbers_texts[index][0]
                    answer = answers.get(digits) and answers[digits].pop(0)
                    if error or not answer:
                        results[index] = self._sms_result(
                            number, error=error or self.env._("No answer for this number.")
                        )
                    elif answer.get("response_code") in TURBOSMS_OK_CODES and answer.get("message_id"):
                        results[index] = self._sms_result(number, message_id=answer["message_id"])
                    else:
                        results[index] = self._sms_result(
                            number,
                            error=f"{answer.get('response_code')} {answer.get('response_status') or ''}".strip(),
                        )
        return results

    def _turbosms_post(self, session, endpoint, headers, body):
        """Return ``({phone digits: [answer, ...]}, error text or None)``."""
        try:
            response = session.post(endpoint, json=body, headers=headers, timeout=HTTP_TIMEOUT)
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            _logger.warning("TurboSMS request of provider %s failed: %s", self.id, exc)
            return {}, self.env._("Gateway unreachable: %(error)s", error=str(exc))
        code = data.get("response_code") if isinstance(data, dict) else None
        if not response.ok or code not in TURBOSMS_OK_CODES:
            status = data.get("response_status") if isinstance(data, dict) else response.reason
            return {}, self.env._(
                "Gateway error %(code)s: %(status)s", code=code or response.status_code, status=status
            )
        answers = defaultdict(list)
        for answer in data.get("response_result") or []:
            answers["".join(ch for ch in str(answer.get("phone") or "") if ch.isdigit())].append(answer)
        return answers, None

    @staticmethod
    def _sms_result(number, message_id=False, error=False):
        return {
            "number": number,
            "ok": not error,
            "message_id": message_id,
            "error": error,
            "state": "server_error" if error else "success",
        }
