import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from odoo.addons.payment.tests.common import PaymentCommon

from ..models import payment_provider

TOKEN = "test-merchant-token"


def public_key_b64(private_key):
    """Return the public key of `private_key` as monobank serves it: base64 of a PEM key."""
    pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(pem).decode()


def sign(private_key, body):
    """Return the `X-Sign` header of `body`: base64 of the DER ECDSA SHA-256 signature."""
    return base64.b64encode(private_key.sign(body, ec.ECDSA(hashes.SHA256()))).decode()


class FakeMonobankHandler(BaseHTTPRequestHandler):
    """The acquiring API endpoints used by the module, answering from the server's state."""

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def log_message(self, *args):
        """Keep the test log clean."""

    def _dispatch(self):
        server = self.server
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length)) if length else None
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        server.requests.append({"method": self.command, "path": url.path, "query": query, "json": payload})
        if self.headers.get("X-Token") != TOKEN:
            return self._answer(403, {"errCode": "FORBIDDEN", "errText": "forbidden"})
        match self.command, url.path:
            case "POST", "/api/merchant/invoice/create":
                if server.create_error:
                    return self._answer(400, {"errCode": "BAD_REQUEST", "errText": server.create_error})
                invoice_id = f"2210012MPLYwJjVUd{len(server.invoices)}"
                server.invoices[invoice_id] = payload
                return self._answer(
                    200, {"invoiceId": invoice_id, "pageUrl": f"https://pay.mbnk.biz/{invoice_id}?lang=uk"}
                )
            case "GET", "/api/merchant/invoice/status":
                if query.get("invoiceId") not in server.statuses:
                    return self._answer(404, {"errCode": "NOT_FOUND", "errText": "invoice not found"})
                return self._answer(200, server.statuses[query["invoiceId"]])
            case "POST", "/api/merchant/invoice/cancel":
                if server.cancel_error:
                    return self._answer(400, {"errCode": "BAD_REQUEST", "errText": server.cancel_error})
                dates = {"createdDate": "2025-01-31T10:05:00Z", "modifiedDate": "2025-01-31T10:05:00Z"}
                return self._answer(200, {"status": server.cancel_status, **dates})
            case "GET", "/api/merchant/pubkey":
                return self._answer(200, {"key": public_key_b64(server.private_key)})
        return self._answer(404, {"errCode": "NOT_FOUND", "errText": "unknown endpoint"})

    def _answer(self, code, content):
        body = json.dumps(content).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeMonobank(ThreadingHTTPServer):
    """A monobank acquiring API on the loopback interface, with its merchant key pair."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeMonobankHandler)
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.reset()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def reset(self):
        """Forget the requests and invoices, and answer successfully."""
        self.requests = []
        self.invoices = {}  # invoiceId: creation payload
        self.statuses = {}  # invoiceId: status answer
        self.create_error = None
        self.cancel_error = None
        self.cancel_status = "success"

    def requests_to(self, path):
        return [req for req in self.requests if req["path"] == path]


class MonobankCommon(PaymentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FakeMonobank()
        cls.server.thread.start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)

        cls.provider = cls._prepare_provider(
            "monobank",
            update_values={
                "monobank_token": TOKEN,
                "monobank_api_url": cls.server.url,
                "monobank_public_key": public_key_b64(cls.server.private_key),
            },
        )
        cls.currency = cls._enable_currency("UAH")
        cls.payment_method = cls.env.ref("payment.payment_method_card")
        cls.payment_method_id = cls.payment_method.id
        cls.invoice_id = "2501310A1b2C3d4E5f6"

    def setUp(self):
        super().setUp()
        self.server.reset()
        payment_provider._key_fetched_at.clear()

    def _create_invoiced_transaction(self, state="pending", **values):
        """Create a transaction whose monobank invoice exists."""
        tx = self._create_transaction("redirect", provider_reference=self.invoice_id, state=state, **values)
        self.server.statuses[self.invoice_id] = self._status(tx, "processing")
        return tx

    def _status(self, tx, status, modified="2025-01-31T10:00:00Z", **values):
        """Return the invoice status of `tx` in the shape of the status answer and notifications."""
        return {
            "invoiceId": tx.provider_reference,
            "status": status,
            "amount": 111111,
            "ccy": 980,
            "finalAmount": 111111 if status == "success" else 0,
            "createdDate": "2025-01-31T09:55:00Z",
            "modifiedDate": modified,
            "reference": tx.reference,
            "destination": f"Payment {tx.reference}",
            **values,
        }
