import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.osmd_base.tests.common import OsmdDataMixin

from ..tools.formatting import NBSP, fmt_number
from .common import BillingCommon

TOKEN = "test-token-123"
REMOTE_SECRET = "db-password=hunter2 internal page"


class FakeTurboSms(BaseHTTPRequestHandler):
    """Answers like TurboSMS HTTP API v2 ``message/send.json`` and records every request."""

    def do_POST(self):  # noqa: N802 (http.server API)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        payload = json.loads(body or b"{}")
        self.server.recorded.append(
            {"path": self.path, "authorization": self.headers.get("Authorization"), "json": payload}
        )
        text = payload.get("sms", {}).get("text", "")
        if self.path.startswith("/redirect/"):
            # to the same server: a followed redirect would show as a second request
            self.send_response(307)
            self.send_header("Location", "/message/send.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if "HTML-BODY" in text:
            data = f"<html><body>{REMOTE_SECRET}</body></html>".encode()
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if "JSON-BODY" in text:
            answer = {
                "response_code": 0,
                "response_status": "OK",
                "response_result": [
                    {"phone": phone, "response_code": 999, "response_status": REMOTE_SECRET, "message_id": None}
                    for phone in payload.get("recipients", [])
                ],
            }
        elif self.server.failing_mark and self.server.failing_mark in text:
            answer = {"response_code": 103, "response_status": "REQUIRED_BALANCE", "response_result": None}
        else:
            answer = {
                "response_code": 0,
                "response_status": "OK",
                "response_result": [
                    {
                        "phone": phone,
                        "response_code": 406 if phone.endswith("0000") else 0,
                        "response_status": "NOT_ALLOWED_RECIPIENT_COUNTRY" if phone.endswith("0000") else "OK",
                        "message_id": None if phone.endswith("0000") else f"msg-{phone}",
                    }
                    for phone in payload.get("recipients", [])
                ],
            }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def start_fake_gateway(cls, company):
    """Start a FakeTurboSms on 127.0.0.1 for the test class ``cls`` (stopped with it), allow its address as a
    platform administrator would, and give ``company`` an SMS provider on it: ``(server, provider)``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTurboSms)
    server.recorded = []
    server.failing_mark = None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    cls.addClassCleanup(thread.join, 5)
    cls.addClassCleanup(server.server_close)
    cls.addClassCleanup(server.shutdown)
    host, port = server.server_address
    cls.env["ir.config_parameter"].sudo().set_param(
        "osmd_billing.sms_gateway_origins", f"https://gateway.example.org http://{host}:{port}, http://{host}:1"
    )
    provider = cls.env["osmd.sms.provider"].create(
        {
            "name": "TurboSMS",
            "company_id": company.id,
            "kind": "turbosms",
            "url": f"http://{host}:{port}/",
            "sender": "OSBB Test",
            "token": TOKEN,
        }
    )
    return server, provider


@tagged("post_install", "-at_install", "osmd")
class TestSending(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the fake gateway is allowed the way a platform administrator allows a gateway address
        cls.server, cls.provider = start_fake_gateway(cls, cls.company_a)
        host, port = cls.server.server_address
        cls.origin = f"http://{host}:{port}"
        # holders: account 1 → Іван (e-mail, gets a phone), account 2 → Марія (phone 067…, no e-mail)
        cls.ivan, cls.maria = cls.account1.holder_id, cls.account2.holder_id
        cls.ivan.phone = "050 111 22 33"
        run = cls._create_run()
        run.action_compute()
        run.action_post()
        cls.billing_run = run
        cls.moves = run.move_ids
        cls.move1 = cls.moves.filtered(lambda m: m.osmd_account_id == cls.account1)
        cls.move2 = cls.moves.filtered(lambda m: m.osmd_account_id == cls.account2)

    def setUp(self):
        super().setUp()
        self.server.recorded.clear()
        # the fake gateway refuses requests whose text mentions account 2
        self.server.failing_mark = f"{self.account2.number},"

    def _wizard(self, **vals):
        return (
            self.env["osmd.billing.send"]
            .with_user(self.accountant)
            .with_context(active_model="osmd.billing.run", active_ids=self.billing_run.ids)
            .create(vals)
        )

    def _sms(self, wizard):
        return wizard.sms_ids.sudo()

    # ------------------------------------------------------------
    # SMS
    # ------------------------------------------------------------

    def test_sms_reminders_request_and_results(self):
        self.assertEqual(len(self.moves), 2)
        self.assertTrue(self.move1.amount_residual > 0 and self.move2.amount_residual > 0)
        wizard = self._wizard(send_email=False, send_sms=True)
        self.assertEqual(wizard.run_id, self.billing_run)
        self.assertEqual(wizard.provider_id, self.provider)
        wizard.action_send()
        # account 2's text makes the fake gateway refuse the whole request: only account 1 went out OK
        self.assertEqual(len(self.server.recorded), 2)
        request = next(r for r in self.server.recorded if f"{self.account1.number}," in r["json"]["sms"]["text"])
        self.assertEqual(request["path"], "/message/send.json")
        self.assertEqual(request["authorization"], f"Bearer {TOKEN}")
        self.assertEqual(request["json"]["recipients"], ["380501112233"])
        self.assertEqual(request["json"]["sms"]["sender"], "OSBB Test")
        amount = fmt_number(self.move1.amount_residual, 2).replace(NBSP, " ")
        self.assertIn(amount, request["json"]["sms"]["text"])
        self.assertIn("03.2026", request["json"]["sms"]["text"])
        sms = self._sms(wizard)
        sms1 = sms.filtered(lambda s: s.osmd_account_id == self.account1)
        sms2 = sms.filtered(lambda s: s.osmd_account_id == self.account2)
        self.assertRecordValues(
            sms1,
            [
                {
                    "state": "pending",
                    "number": "+380501112233",
                    "partner_id": self.ivan.id,
                    "osmd_provider_id": self.provider.id,
                    "osmd_message_ref": "msg-380501112233",
                    "osmd_error": False,
                    "to_delete": False,
                }
            ],
        )
        self.assertEqual(sms2.state, "error")
        self.assertEqual(sms2.failure_type, "sms_server")
        self.assertIn("REQUIRED_BALANCE", sms2.osmd_error)
        self.assertRecordValues(wizard, [{"state": "done", "sms_count": 1, "sms_failed_count": 1}])

    def test_sms_preferences_and_minimum(self):
        self.maria.osmd_notify_debt = "none"
        wizard = self._wizard(send_email=False, send_sms=True)
        wizard.action_send()
        self.assertEqual([r["json"]["recipients"] for r in self.server.recorded], [["380501112233"]])
        self.assertRecordValues(wizard, [{"sms_count": 1, "sms_optout_count": 1, "sms_failed_count": 0}])
        self.assertEqual(self._sms(wizard).partner_id, self.ivan)

        self.server.recorded.clear()
        self.ivan.osmd_notify_debt = "none"
        wizard = self._wizard(send_email=False, send_sms=True)
        wizard.action_send()
        self.assertFalse(self.server.recorded, "opted-out holders get no SMS")
        self.assertFalse(wizard.sms_ids)
        self.assertEqual(wizard.sms_optout_count, 2)

        self.ivan.osmd_notify_debt = "sms"
        wizard = self._wizard(send_email=False, send_sms=True, min_amount=self.move1.amount_residual)
        wizard.action_send()
        self.assertFalse(self.server.recorded, "debts not above the minimum get no SMS")

    def test_sms_per_recipient_error_and_bad_number(self):
        results = self.provider._send_sms([("+380501110000", "Test A"), ("067 123 45 67", "Test A"), ("12", "Test B")])
        self.assertEqual(len(self.server.recorded), 1, "one request per text; the invalid number is not sent")
        self.assertEqual(self.server.recorded[0]["json"]["recipients"], ["380501110000", "380671234567"])
        self.assertEqual([r["ok"] for r in results], [False, True, False])
        self.assertIn("NOT_ALLOWED_RECIPIENT_COUNTRY", results[0]["error"])
        self.assertEqual(results[1]["message_id"], "msg-380671234567")
        self.assertEqual(results[2]["state"], "wrong_number_format")

    def test_sms_unreachable_gateway(self):
        host, port = self.server.server_address
        self.provider.url = f"http://{host}:1/"  # nothing listens on port 1
        with self.assertLogs("odoo.addons.osmd_billing.models.osmd_sms_provider", "WARNING"):
            results = self.provider._send_sms([("+380501112233", "Test")])
        self.assertFalse(results[0]["ok"])
        self.assertEqual(results[0]["error"], "The gateway could not be reached.")

    def test_sms_queue_routes_to_provider(self):
        """SMS of the association queued by Odoo (e.g. from a chatter) go through our gateway, not IAP."""
        sms = self.env["sms.sms"].create(
            {"number": "+380501112233", "body": "Queued", "osmd_company_id": self.company_a.id}
        )
        sms._send(unlink_failed=False, unlink_sent=True, raise_exception=False)  # as the queue cron does
        self.assertEqual(
            self.server.recorded[0]["json"],
            {"recipients": ["380501112233"], "sms": {"sender": "OSBB Test", "text": "Queued"}},
        )
        self.assertRecordValues(sms, [{"state": "pending", "osmd_message_ref": "msg-380501112233"}])

    def test_sms_without_provider(self):
        self.provider.active = False
        wizard = self._wizard(send_email=False, send_sms=True)
        self.assertFalse(wizard.provider_id)
        with self.assertRaises(UserError):
            wizard.action_send()
        self.assertFalse(self.server.recorded)

    def test_token_for_chairman_only(self):
        provider = self.provider.with_user(self.accountant)
        self.assertEqual(provider.sender, "OSBB Test")
        with self.assertRaises(AccessError):
            provider.read(["token"])
        self.assertTrue(self.provider.with_user(self.users_a["chairman"]).token_set)

    def test_token_not_readable_by_any_staff(self):
        """Not the chairman either: the token is set, never read back (ORM = what RPC calls)."""
        for role in ("chairman", "accountant", "audit", "board"):
            user = self.users_a[role]
            provider = self.provider.with_user(user)
            Provider = provider.browse()
            with self.subTest(role=role):
                self.assertNotIn("token", Provider.fields_get())
                self.assertNotIn(TOKEN, str(provider.read()))
                self.assertNotIn(TOKEN, str(provider.web_read({"token_input": {}, "token_set": {}})))
                for attempt in (
                    lambda p=provider: p.read(["token"]),
                    lambda p=provider: p.web_read({"token": {}}),
                    lambda P=Provider: P.search_read([], ["token"]),
                    lambda P=Provider: P.web_search_read([], {"token": {}}),
                    lambda P=Provider: P.search([("token", "=", TOKEN)]),
                    lambda P=Provider: P.formatted_read_group([], ["token"], ["__count"]),
                ):
                    with self.assertRaises(AccessError):
                        attempt()
                with self.assertRaises(UserError):  # no export right, or AccessError on the field
                    provider.export_data(["token"])
        # a chairman allowed to export still cannot export the token
        self.users_a["chairman"].group_ids += self.env.ref("base.group_allow_export")
        chairman = self.provider.with_user(self.users_a["chairman"])
        self.assertEqual(chairman.export_data(["name"])["datas"], [["TurboSMS"]])
        with self.assertRaises(AccessError):
            chairman.export_data(["token"])
        self.assertEqual(chairman.token_input, False)
        chairman.token_input = "new-token-456"
        self.assertEqual(self.provider.token, "new-token-456")
        chairman.invalidate_recordset()  # as the next request
        self.assertEqual(chairman.token_input, False, "write-only")
        self.assertTrue(chairman.token_set)
        with self.assertRaises(AccessError):
            self.provider.with_user(self.accountant).token_input = "accountant-token"

    def test_url_only_known_gateway(self):
        provider = self.provider.with_user(self.users_a["chairman"])
        provider.url = "https://api.turbosms.ua/"
        provider.url = "https://API.turbosms.ua:443"
        for url in (
            "http://api.turbosms.ua",
            "https://api.turbosms.ua:8443",
            "https://evil.example.com",
            "https://api.turbosms.ua.evil.example.com",
            "https://api.turbosms.ua@evil.example.com",
            "https://evil.example.com\\@api.turbosms.ua",
            "https://evil.example.com#@api.turbosms.ua",
            "https://127.0.0.1",
            "https://10.0.0.5/",
            "https://169.254.169.254/latest",
            "https://[::1]:8069",
            "https://localhost",
            f"{self.origin}x",
            "ftp://api.turbosms.ua",
            "api.turbosms.ua",
        ):
            with self.subTest(url=url), self.assertRaisesRegex(ValidationError, "API URL .* is not allowed"):
                provider.url = url
        # what the platform administrator allowed is allowed
        provider.url = "https://gateway.example.org/api"
        provider.url = f"{self.origin}/"

    def test_url_checked_again_at_send(self):
        """An address saved before, whose allowance is withdrawn, gets nothing, not even a connection."""
        self.env["ir.config_parameter"].sudo().set_param("osmd_billing.sms_gateway_origins", "")
        with self.assertLogs("odoo.addons.osmd_billing.models.osmd_sms_provider", "WARNING"):
            results = self.provider._send_sms([("+380501112233", "Test")])
        self.assertFalse(self.server.recorded)
        self.assertEqual([r["ok"] for r in results], [False])
        self.assertIn("not allowed", results[0]["error"])

    def test_redirect_not_followed(self):
        self.provider.url = f"{self.origin}/redirect"
        with self.assertLogs("odoo.addons.osmd_billing.models.osmd_sms_provider", "WARNING"):
            results = self.provider._send_sms([("+380501112233", "Test")])
        self.assertEqual([r["path"] for r in self.server.recorded], ["/redirect/message/send.json"])
        self.assertFalse(results[0]["ok"])
        self.assertIn("redirect", results[0]["error"])

    def test_remote_answer_not_stored(self):
        """What the gateway answers is logged, never copied into records: a code and a status word only."""
        sms = self.env["sms.sms"].create(
            [
                {"number": "+380501112233", "body": "HTML-BODY", "osmd_company_id": self.company_a.id},
                {"number": "+380671234567", "body": "JSON-BODY", "osmd_company_id": self.company_a.id},
            ]
        )
        with self.assertLogs("odoo.addons.osmd_billing.models.osmd_sms_provider", "INFO") as logs:
            sms._send(unlink_failed=False, unlink_sent=True, raise_exception=False)
        self.assertIn(REMOTE_SECRET, "\n".join(logs.output), "the details are in the server log")
        self.assertEqual(len(self.server.recorded), 2)
        self.assertEqual(sms.mapped("state"), ["error", "error"])
        self.assertEqual(sms[0].osmd_error, "The gateway's answer could not be read (HTTP 502).")
        self.assertEqual(sms[1].osmd_error, "Gateway error 999")
        for record in sms:
            values = str(record.read()[0])
            self.assertNotIn("hunter2", values)
            self.assertNotIn("<html>", values)

    # ------------------------------------------------------------
    # e-mail
    # ------------------------------------------------------------

    def test_email_receipts(self):
        self.maria.email = "maria@example.com"
        Mail = self.env["mail.mail"]
        before = Mail.search([])
        wizard = self._wizard(send_email=True)
        wizard.action_send()
        mails = Mail.search([]) - before
        self.assertEqual(mails.recipient_ids, self.ivan | self.maria)
        self.assertEqual(len(mails), 2, "one mail per holder")
        self.assertEqual(set(mails.mapped("model")), {"account.move"})
        self.assertEqual(set(mails.mapped("res_id")), set(self.moves.ids))
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertRecordValues(wizard, [{"email_count": 2, "email_optout_count": 0, "email_missing_count": 0}])

    def test_email_preferences_and_missing(self):
        # Марія has no e-mail; then Іван opts out
        Mail = self.env["mail.mail"]
        before = Mail.search([])
        wizard = self._wizard(send_email=True)
        wizard.action_send()
        mails = Mail.search([]) - before
        self.assertEqual(mails.recipient_ids, self.ivan)
        self.assertRecordValues(wizard, [{"email_count": 1, "email_missing_count": 1}])

        self.ivan.osmd_notify_receipts = "none"
        before = Mail.search([])
        wizard = self._wizard(send_email=True)
        wizard.action_send()
        self.assertFalse(Mail.search([]) - before)
        self.assertRecordValues(wizard, [{"email_count": 0, "email_optout_count": 1, "email_missing_count": 1}])

    def test_selected_invoices(self):
        wizard = (
            self.env["osmd.billing.send"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=self.move1.ids)
            .create({"send_email": False, "send_sms": True})
        )
        self.assertEqual(wizard.move_ids, self.move1)
        wizard.action_send()
        self.assertEqual([r["json"]["recipients"] for r in self.server.recorded], [["380501112233"]])
        self.assertEqual(self._sms(wizard).osmd_account_id, self.account1)


@tagged("post_install", "-at_install", "osmd")
class TestSmsTokenOverRpc(OsmdDataMixin, HttpCase):
    """What a chairman's or accountant's browser gets over JSON-RPC: never the token."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_osmd_data()
        cls.provider = cls.env["osmd.sms.provider"].create(
            {"name": "TurboSMS", "company_id": cls.company_a.id, "sender": "OSBB Test", "token": TOKEN}
        )

    def _call(self, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/osmd.sms.provider/{method}",
            {"model": "osmd.sms.provider", "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_token_never_sent(self):
        for role in ("chairman", "accountant"):
            with self.subTest(role=role):
                user = self.users_a[role]
                self.authenticate(user.login, user.login)
                self.assertNotIn("token", self._call("fields_get"))
                answer = self._call("web_read", self.provider.ids, specification={"token_input": {}, "token_set": {}})
                self.assertEqual(answer, [{"id": self.provider.id, "token_input": False, "token_set": True}])
                for method, args, kwargs in (
                    ("read", [self.provider.ids, ["token"]], {}),
                    ("web_read", [self.provider.ids], {"specification": {"token": {}}}),
                    ("search_read", [[]], {"fields": ["token"]}),
                    ("search_count", [[("token", "=like", "test%")]], {}),
                ):
                    with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as catcher:
                        self._call(method, *args, **kwargs)
                    self.assertEqual(str(catcher.exception), "odoo.exceptions.AccessError")
                    self.assertNotIn(TOKEN, str(catcher.exception.args))
