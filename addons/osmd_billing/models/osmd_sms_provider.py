import json
import logging
import re
from collections import defaultdict
from urllib.parse import urlsplit

import requests

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.osmd_base.tools.phone import PhoneError, normalize_phone

_logger = logging.getLogger(__name__)

TURBOSMS_URL = "https://api.turbosms.ua"
TURBOSMS_OK_CODES = {0, 800, 801, 802, 803}  # OK, SUCCESS_MESSAGE_ACCEPTED/SENT/PARTIAL_ACCEPTED, ...
HTTP_TIMEOUT = 20
MAX_ANSWER_BYTES = 1024 * 1024  # a gateway answer larger than this is not read

# The addresses each gateway kind may be called at, whatever the association sets: the gateway's own
# API host over https. A platform administrator may allow more (e.g. a gateway mock on a test
# network) in this system parameter: origins separated by spaces or commas, ``https://host[:port]``
# or ``http://host[:port]``. Association staff cannot set system parameters.
KNOWN_GATEWAY_ORIGINS = {"turbosms": {("https", "api.turbosms.ua", 443)}}
ALLOWED_ORIGINS_PARAM = "osmd_billing.sms_gateway_origins"
DEFAULT_PORTS = {"https": 443, "http": 80}
SAFE_PATH = re.compile(r"[A-Za-z0-9/._~-]*")
# what of a gateway's answer may be kept in a record: its numeric code, a short upper-case status
# word (TurboSMS: REQUIRED_BALANCE, ...) and a message id; anything else is only logged
SAFE_STATUS = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
SAFE_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def parse_gateway_url(url):
    """``(scheme, host, port, path)`` of a gateway base URL, or None when it is not a plain
    ``scheme://host[:port][/path]`` address (user info, backslashes, spaces, query or fragment)."""
    url = (url or "").strip()
    if not url or any(ch in url for ch in "\\@?#") or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or not SAFE_PATH.fullmatch(parts.path):
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or DEFAULT_PORTS[scheme], parts.path.rstrip("/")


def gateway_endpoint(parsed, path):
    """The URL that is really called, rebuilt from the checked parts."""
    scheme, host, port, base_path = parsed
    netloc = f"[{host}]" if ":" in host else host
    if port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return f"{scheme}://{netloc}{base_path}/{path}"


def safe_status(value):
    """A gateway status word fit to be stored, else ''."""
    value = str(value or "")
    return value if SAFE_STATUS.fullmatch(value) else ""


def safe_code(value):
    """A gateway's numeric answer code, else None."""
    try:
        return int(value) if str(value).lstrip("-").isdigit() else None
    except (TypeError, ValueError):
        return None


class OsmdSmsProvider(models.Model):
    """An SMS gateway account of an association.

    ``_send_sms`` is the only entry point: it dispatches on ``kind`` to ``_send_<kind>``, so another
    gateway is added with a selection value, its known origins and one method. Odoo's ``sms.sms``
    queue uses the active provider of the association instead of IAP (see ``sms_sms.py``).

    The API token is a secret like Odoo's payment provider keys: the stored field is readable by
    platform administrators only (``base.group_system``); the chairman sets it through the
    write-only ``token_input`` and sees only whether one is set. The server only calls the known
    gateway origins (or those a platform administrator allows), never follows redirects and never
    keeps a gateway's answer text in a record.
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
        string="API URL",
        required=True,
        default=TURBOSMS_URL,
        help="Base address of the gateway's HTTP API: only https:// to the gateway's own host, unless the "
        "platform administrator allows another address.",
    )
    sender = fields.Char(
        string="Sender name", required=True, help="Alpha name registered with the gateway (at most 11 characters)."
    )
    token = fields.Char(string="API token", groups="base.group_system", copy=False)
    token_input = fields.Char(
        string="New API token",
        compute="_compute_token_input",
        inverse="_inverse_token_input",
        copy=False,
        help="Type the token given by the gateway to replace the stored one. The stored token is never shown.",
    )
    token_set = fields.Boolean(string="Token set", compute="_compute_token_set")
    sms_count = fields.Integer(string="SMS", compute="_compute_sms_count")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_sms_count(self):
        counts = dict(
            self.env["sms.sms"]
            .sudo()
            ._read_group([("osmd_provider_id", "in", self.ids)], ["osmd_provider_id"], ["__count"])
        )
        for provider in self:
            provider.sms_count = counts.get(provider, 0)

    def _compute_token_input(self):
        self.token_input = False  # write-only

    def _inverse_token_input(self):
        for provider in self.filtered("token_input"):
            # sudo: whoever may write the provider (its chairman) may replace its token, not read it
            provider.sudo().token = provider.token_input.strip()

    def _compute_token_set(self):
        for provider in self:
            provider.token_set = bool(provider.sudo().token)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("url", "kind")
    def _check_url(self):
        for provider in self:
            if provider._get_gateway_url() is None:
                raise ValidationError(provider._url_refusal())

    def _allowed_origins(self):
        """The ``(scheme, host, port)`` this provider may call: its kind's gateway and those a platform
        administrator lists in the system parameter."""
        self.ensure_one()
        origins = set(KNOWN_GATEWAY_ORIGINS.get(self.kind, ()))
        extra = self.env["ir.config_parameter"].sudo().get_param(ALLOWED_ORIGINS_PARAM) or ""
        for item in re.split(r"[\s,]+", extra):
            parsed = parse_gateway_url(item)
            if parsed:
                origins.add(parsed[:3])
        return origins

    def _get_gateway_url(self):
        """The checked ``(scheme, host, port, path)`` of the provider's URL, None when not allowed."""
        self.ensure_one()
        parsed = parse_gateway_url(self.url)
        if not parsed or parsed[:3] not in self._allowed_origins():
            return None
        return parsed

    def _url_refusal(self):
        return self.env._(
            "The API URL of SMS provider %(name)s is not allowed: use the gateway's own https:// address "
            "(%(url)s). Another address needs the platform administrator.",
            name=self.name,
            url=TURBOSMS_URL,
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def _osmd_queue(self, company, messages, what):
        """Queue SMS of ``company`` through its first provider, sent later by Odoo's SMS queue: ``messages`` is a
        list of (partner, text, personal account or None); a person without a valid mobile number is left out.
        Without a provider nothing is queued (logged with ``what``). Returns the queued ``sms.sms``."""
        Sms = self.env["sms.sms"].sudo()
        if not messages:
            return Sms
        provider = self.sudo().search([("company_id", "=", company.id)], order="sequence, id", limit=1)
        if not provider:
            _logger.warning("%s: no SMS provider, %d %s by SMS not sent", company.name, len(messages), what)
            return Sms
        vals_list, no_phone = [], 0
        for partner, text, account in messages:
            try:
                number = normalize_phone(partner.phone or "", "UA")
            except PhoneError:
                no_phone += 1
                continue
            vals_list.append(
                {
                    "number": number,
                    "body": text,
                    "partner_id": partner.id,
                    "osmd_account_id": account.id if account else False,
                    "osmd_company_id": company.id,
                    "osmd_provider_id": provider.id,
                    "state": "outgoing",
                }
            )
        if no_phone:
            _logger.info("%s: %d people to send %s by SMS have no mobile number", company.name, no_phone, what)
        # sms.sms is a technical model: queued as the system
        return Sms.create(vals_list)

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
        ``sms.sms`` provider state (``wrong_number_format``, ``server_error``). The URL is checked
        again here: a provider saved before the check, or an allowance since withdrawn, sends nothing.
        """
        self.ensure_one()
        if not numbers_texts:
            return []
        provider = self.sudo()
        if provider._get_gateway_url() is None:
            _logger.warning("SMS provider %s: URL not allowed, nothing sent", self.id)
            error = self.env._("The API URL of the SMS provider is not allowed; nothing was sent.")
            return [self._sms_result(number, error=error) for number, _text in numbers_texts]
        return getattr(provider, f"_send_{self.kind}")(numbers_texts)

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
        endpoint = gateway_endpoint(self._get_gateway_url(), "message/send.json")
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
                        continue
                    code = safe_code(answer.get("response_code"))
                    message_id = str(answer.get("message_id") or "")
                    if code in TURBOSMS_OK_CODES and SAFE_MESSAGE_ID.fullmatch(message_id):
                        results[index] = self._sms_result(number, message_id=message_id)
                    else:
                        _logger.info("TurboSMS refused a number for provider %s: %.300r", self.id, answer)
                        results[index] = self._sms_result(
                            number, error=self._gateway_error(code, answer.get("response_status"))
                        )
        return results

    def _turbosms_post(self, session, endpoint, headers, body):
        """Return ``({phone digits: [answer, ...]}, error text or None)``.

        Redirects are not followed (the token would go to another address); the answer is read up
        to ``MAX_ANSWER_BYTES``; its details are logged, records get a code and a status word only.
        """
        try:
            with session.post(
                endpoint, json=body, headers=headers, timeout=HTTP_TIMEOUT, allow_redirects=False, stream=True
            ) as response:
                if response.is_redirect or 300 <= response.status_code < 400:
                    _logger.warning(
                        "TurboSMS request of provider %s answered a redirect (HTTP %s): not followed",
                        self.id,
                        response.status_code,
                    )
                    return {}, self.env._("The gateway answered with a redirect; it was not followed.")
                raw = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
                status_code = response.status_code
        except requests.RequestException as exc:
            _logger.warning("TurboSMS request of provider %s failed: %s", self.id, exc)
            return {}, self.env._("The gateway could not be reached.")
        try:
            if len(raw) > MAX_ANSWER_BYTES:
                raise ValueError("answer too large")
            data = json.loads(raw)
        except (ValueError, RecursionError):
            _logger.warning(
                "TurboSMS answer of provider %s (HTTP %s) is not JSON: %.300r", self.id, status_code, raw[:300]
            )
            return {}, self.env._("The gateway's answer could not be read (HTTP %(code)s).", code=status_code)
        code = safe_code(data.get("response_code")) if isinstance(data, dict) else None
        if not 200 <= status_code < 300 or code not in TURBOSMS_OK_CODES:
            _logger.warning("TurboSMS request of provider %s refused (HTTP %s): %.300r", self.id, status_code, data)
            status = data.get("response_status") if isinstance(data, dict) else None
            return {}, self._gateway_error(code if code is not None else status_code, status)
        answers = defaultdict(list)
        for answer in data.get("response_result") or []:
            if isinstance(answer, dict):
                answers["".join(ch for ch in str(answer.get("phone") or "") if ch.isdigit())].append(answer)
        return answers, None

    def _gateway_error(self, code, status):
        """The text kept in records for a gateway refusal: its code and status word, nothing else."""
        return self.env._("Gateway error %(code)s %(status)s", code=code, status=safe_status(status)).strip()

    @staticmethod
    def _sms_result(number, message_id=False, error=False):
        return {
            "number": number,
            "ok": not error,
            "message_id": message_id,
            "error": error,
            "state": "server_error" if error else "success",
        }
