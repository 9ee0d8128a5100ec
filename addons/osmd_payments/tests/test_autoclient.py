import json
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PaymentsCommon, ua_iban


class FakeAutoClient(BaseHTTPRequestHandler):
    """PrivatBank AutoClient on 127.0.0.1: two pages joined by followId, then a redirect or an error on demand."""

    pages = {}
    requests = []
    mode = "ok"

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        type(self).requests.append(
            {"path": parts.path, "query": query, "id": self.headers.get("id"), "token": self.headers.get("token")}
        )
        if type(self).mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/steal")
            self.end_headers()
            return
        if type(self).mode == "error" or self.headers.get("token") != "secret-token":
            self.send_response(401)
            self.end_headers()
            self.wfile.write(b'{"status":"ERROR","message":"unauthorized"}')
            return
        body = json.dumps(type(self).pages[query.get("followId", "")], ensure_ascii=False).encode("cp1251")
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=cp1251")
        self.end_headers()
        self.wfile.write(body)


def transaction(ident, amount, purpose, iban, own, trantype="C", day="10.04.2026"):
    return {
        "AUT_MY_CRF": "43210989",
        "AUT_MY_MFO": "305299",
        "AUT_MY_ACC": own,
        "AUT_MY_NAM": "ОСББ Тест А",
        "AUT_CNTR_CRF": "3012345678",
        "AUT_CNTR_MFO": "320649",
        "AUT_CNTR_ACC": iban,
        "AUT_CNTR_NAM": "ПЕТРЕНКО ІВАН",
        "CCY": "UAH",
        "FL_REAL": "r",
        "PR_PR": "r",
        "DOC_TYP": "p",
        "NUM_DOC": ident,
        "DAT_KL": day,
        "DAT_OD": day,
        "OSND": purpose,
        "SUM": amount,
        "SUM_E": amount,
        "REF": f"REF{ident}",
        "REFN": "1",
        "TIM_P": "10:00",
        "ID": ident,
        "TRANTYPE": trantype,
        "TECHNICAL_TRANSACTION_ID": f"T{ident}",
    }


@tagged("post_install", "-at_install")
class TestAutoClient(PaymentsCommon):
    """Statements pulled from PrivatBank AutoClient (a local fake server), paged by followId, matched and
    reconciled like imported files; the token is a secret."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = HTTPServer(("127.0.0.1", 0), FakeAutoClient)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.base = f"http://127.0.0.1:{cls.server.server_port}"
        cls.env["ir.config_parameter"].sudo().set_param("osmd_payments.autoclient_origins", cls.base)
        cls.provider = cls.env["online.bank.statement.provider"].create(
            {
                "journal_id": cls.journal_a.id,
                "service": "osmd_privat_autoclient",
                "statement_creation_mode": "monthly",
                "api_base": cls.base,
                "osmd_client_id": "client-1",
                "osmd_token_input": "secret-token",
            }
        )

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        FakeAutoClient.requests = []
        FakeAutoClient.mode = "ok"
        payer = ua_iban("320649", "26201234567890")
        FakeAutoClient.pages = {
            "": {
                "status": "SUCCESS",
                "type": "transactions",
                "exist_next_page": True,
                "next_page_id": "PAGE2",
                "transactions": [
                    transaction("1001", "100.00", f"Внески ОСББ о/р {self.account1.number}", payer, self.iban_a),
                    transaction("1002", "35.00", "Комісія банку", payer, self.iban_a, trantype="D"),
                ],
            },
            "PAGE2": {
                "status": "SUCCESS",
                "type": "transactions",
                "exist_next_page": False,
                "transactions": [transaction("1003", "80.00", "оплата комуналки", payer, self.iban_a)],
            },
        }

    def _pull(self, user=None):
        provider = self.provider.with_user(user or self.accountant)
        provider._pull(datetime(2026, 4, 1), datetime(2026, 5, 1))

    def test_pull_pages_match_and_reconcile(self):
        invoice = self._invoice(self.account1, 100.00, date(2026, 4, 20))
        self._pull()
        self.assertEqual([r["query"].get("followId") for r in FakeAutoClient.requests], [None, "PAGE2"])
        self.assertEqual({(r["id"], r["token"]) for r in FakeAutoClient.requests}, {("client-1", "secret-token")})
        self.assertEqual(FakeAutoClient.requests[0]["query"]["acc"], self.iban_a)
        lines = self._lines()
        self.assertEqual(len(lines), 3)
        by_amount = {line.amount: line for line in lines}
        self.assertEqual(by_amount[100.0].osmd_match_state, "auto")
        self.assertEqual(by_amount[-35.0].osmd_match_state, "none")
        self.assertEqual(by_amount[80.0].osmd_match_state, "todo")
        self.assertEqual(invoice.payment_state, "paid")
        # the next pull of the same days brings nothing twice
        self._pull()
        self.assertEqual(len(self._lines()), 3)
        self.assertLedgerBalanced()

    def test_token_is_a_secret_and_refusals(self):
        with self.assertRaises(AccessError):
            self.provider.with_user(self.accountant).read(["osmd_token"])
        self.assertTrue(self.provider.with_user(self.accountant).osmd_token_set)
        FakeAutoClient.mode = "redirect"
        with self.assertRaisesRegex(UserError, "redirect"):
            self._pull()
        self.assertEqual(len(FakeAutoClient.requests), 1, "the redirect is not followed")
        FakeAutoClient.mode = "error"
        with self.assertRaisesRegex(UserError, "401"):
            self._pull()
        self.provider.api_base = "https://evil.example.com"
        with self.assertRaisesRegex(UserError, "not allowed"):
            self._pull()
        self.assertFalse(self._lines())
