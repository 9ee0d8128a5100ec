"""PrivatBank AutoClient ("Автоклієнт") statements pulled online, on OCA's account_statement_import_online.

``GET <origin>/api/statements/transactions?acc=<IBAN>&startDate=dd-mm-yyyy&endDate=dd-mm-yyyy&limit=...``
with the headers ``id`` (client id) and ``token``; pages follow ``followId`` while the answer says
``exist_next_page``. The token is a secret like the SMS gateway's: the stored field is readable by platform
administrators only, the accountant types a new one in a write-only field. The server calls PrivatBank's own
address only (a platform administrator may allow others, e.g. a test server, in the system parameter
``osmd_payments.autoclient_origins``), never follows redirects and reads at most MAX_ANSWER_BYTES per page.
"""

import logging
import re
from datetime import datetime, time, timedelta
from urllib.parse import urlencode, urlsplit

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools import statements as parsers

_logger = logging.getLogger(__name__)

SERVICE = "osmd_privat_autoclient"
AUTOCLIENT_URL = "https://acp.privatbank.ua"
KNOWN_ORIGINS = {("https", "acp.privatbank.ua", 443)}
ORIGINS_PARAM = "osmd_payments.autoclient_origins"
HTTP_TIMEOUT = 60
MAX_ANSWER_BYTES = 20 * 1024 * 1024
MAX_PAGES = 500
PAGE_LIMIT = 500


def parse_origin(url):
    """``(scheme, host, port)`` of an http(s) URL, or None."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


class OnlineBankStatementProvider(models.Model):
    _inherit = "online.bank.statement.provider"

    osmd_client_id = fields.Char(string="AutoClient ID", copy=False, groups="account.group_account_user")
    osmd_token = fields.Char(string="AutoClient token", copy=False, groups="base.group_system")
    osmd_token_input = fields.Char(
        string="New AutoClient token",
        compute="_compute_osmd_token_input",
        inverse="_inverse_osmd_token_input",
        groups="account.group_account_user",
        help="Type the token PrivatBank gave for this account to replace the stored one. The stored token is never "
        "shown.",
    )
    osmd_token_set = fields.Boolean(string="Token set", compute="_compute_osmd_token_set")

    @api.model
    def _get_available_services(self):
        return [*super()._get_available_services(), (SERVICE, self.env._("PrivatBank AutoClient"))]

    def _compute_osmd_token_input(self):
        self.osmd_token_input = False  # write-only

    def _inverse_osmd_token_input(self):
        for provider in self.filtered("osmd_token_input"):
            # sudo: whoever may write the provider may replace its token, not read it
            provider.sudo().osmd_token = provider.osmd_token_input.strip()

    def _compute_osmd_token_set(self):
        for provider in self:
            provider.osmd_token_set = bool(provider.sudo().osmd_token)

    # ------------------------------------------------------------
    # PULL
    # ------------------------------------------------------------

    def _osmd_origin(self):
        """The checked base URL (``api_base``, else PrivatBank's)."""
        self.ensure_one()
        url = (self.api_base or AUTOCLIENT_URL).rstrip("/")
        origin = parse_origin(url)
        allowed = set(KNOWN_ORIGINS)
        extra = self.env["ir.config_parameter"].sudo().get_param(ORIGINS_PARAM) or ""
        for item in re.split(r"[\s,]+", extra):
            parsed = parse_origin(item)
            if parsed:
                allowed.add(parsed)
        if origin not in allowed:
            raise UserError(
                self.env._(
                    "The AutoClient address %(url)s is not allowed: use PrivatBank's own %(default)s. Another address "
                    "needs the platform administrator.",
                    url=url,
                    default=AUTOCLIENT_URL,
                )
            )
        return url

    def _obtain_statement_data(self, date_since, date_until):
        self.ensure_one()
        if self.service != SERVICE:
            return super()._obtain_statement_data(date_since, date_until)
        secret = self.sudo()
        if not (secret.osmd_client_id and secret.osmd_token):
            raise UserError(
                self.env._("%(provider)s: set the AutoClient ID and token first.", provider=self.display_name)
            )
        iban = re.sub(r"\s+", "", self.account_number or self.journal_id.bank_account_id.acc_number or "").upper()
        base = self._osmd_origin()
        headers = {
            "id": secret.osmd_client_id,
            "token": secret.osmd_token,
            "Content-Type": "application/json;charset=utf8",
        }
        # date_until is exclusive; AutoClient's endDate inclusive
        last_day = date_until - timedelta(days=1)
        query = {
            "acc": iban,
            "startDate": date_since.strftime("%d-%m-%Y"),
            "endDate": last_day.strftime("%d-%m-%Y"),
            "limit": PAGE_LIMIT,
        }
        lines, follow = [], None
        with requests.Session() as session:
            for _page in range(MAX_PAGES):
                if follow:
                    query["followId"] = follow
                raw = self._osmd_get(session, f"{base}/api/statements/transactions?{urlencode(query)}", headers)
                try:
                    statement, follow = parsers.parse_privat_autoclient(raw)
                except parsers.ParseError as error:
                    message = self.env._(error.message, **{"row": error.row, **error.params})  # pylint: disable=translation-not-lazy
                    raise UserError(self.env._("PrivatBank AutoClient answer: %(message)s", message=message)) from error
                if statement.own_iban and iban and statement.own_iban != iban:
                    raise UserError(
                        self.env._(
                            "PrivatBank AutoClient sent the account %(found)s instead of %(iban)s: nothing was "
                            "imported.",
                            found=statement.own_iban,
                            iban=iban,
                        )
                    )
                lines += [
                    {
                        **statement_line_vals(tx),
                        "date": datetime.combine(tx.date, time(12, 0)),
                    }
                    for tx in statement.transactions
                ]
                if not follow:
                    break
            else:
                raise UserError(self.env._("PrivatBank AutoClient sent more than %(count)s pages.", count=MAX_PAGES))
        return lines, {}

    def _osmd_get(self, session, url, headers):
        """The body of one page (bytes); redirects are not followed, the answer is bounded."""
        try:
            with session.get(
                url, headers=headers, timeout=HTTP_TIMEOUT, allow_redirects=False, stream=True
            ) as response:
                if response.is_redirect or 300 <= response.status_code < 400:
                    raise UserError(self.env._("PrivatBank AutoClient answered with a redirect; it was not followed."))
                raw = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
                status = response.status_code
        except requests.RequestException as exc:
            _logger.warning("AutoClient request of provider %s failed: %s", self.id, exc)
            raise UserError(self.env._("PrivatBank AutoClient could not be reached.")) from exc
        if len(raw) > MAX_ANSWER_BYTES:
            raise UserError(self.env._("PrivatBank AutoClient sent a page that is too large."))
        if not 200 <= status < 300:
            _logger.warning("AutoClient request of provider %s refused (HTTP %s): %.300r", self.id, status, raw[:300])
            raise UserError(self.env._("PrivatBank AutoClient refused the request (HTTP %(code)s).", code=status))
        return raw

    def _statement_create_or_write(self, statement_values):
        """Our service: the lines are matched to personal accounts, written (in bulk when many) and reconciled the
        way a statement file is."""
        if self.service != SERVICE:
            return super()._statement_create_or_write(statement_values)
        Line = self.env["account.bank.statement.line"].with_context(mail_create_nolog=True)
        lines = [command[2] for command in statement_values.pop("line_ids", [])]
        for line in lines:
            line["date"] = fields.Date.to_date(line["date"])
        Line._osmd_match_vals(self.company_id, lines)
        Statement = self.env["account.bank.statement"].with_context(mail_create_nolog=True)
        statement = Statement.search(
            Domain("journal_id", "=", self.journal_id.id) & Domain("name", "=", statement_values["name"]), limit=1
        ) or Statement.create({key: value for key, value in statement_values.items() if key != "journal_id"})
        created = Line._osmd_create_lines(statement, lines)
        created._osmd_after_import()
        return statement


def statement_line_vals(tx):
    """The statement line values of a parsed transaction (see tools/statements.py)."""
    return {
        "payment_ref": tx.purpose or tx.partner_name or "/",
        "date": tx.date,
        "amount": float(tx.amount),
        "unique_import_id": tx.ref,
        "account_number": tx.partner_iban or False,
        "partner_name": tx.partner_name or False,
        "osmd_payer_code": tx.partner_code or False,
        "osmd_ultimate_code": tx.ultimate_code or False,
        "osmd_technical": tx.technical,
        "osmd_currency": tx.currency,
    }
