import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from odoo.addons.payment.tests.common import PaymentCommon
from odoo.addons.payment_liqpay import utils

PUBLIC_KEY = "i00000000"
PRIVATE_KEY = "test_private_key_0123"


class FakeLiqPayHandler(BaseHTTPRequestHandler):
    """Answer `POST /api/request` like the LiqPay server API.

    The request signature is verified here with the private key of the fake shop, independently of
    the code under test; each verified request is recorded on the server, and answered by the
    callable registered on the server for its action.
    """

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        fields = {key: values[0] for key, values in parse_qs(body).items()}
        data = fields.get("data", "")
        digest = hashlib.sha1(f"{PRIVATE_KEY}{data}{PRIVATE_KEY}".encode()).digest()
        if self.path != "/api/request":
            answer = {"result": "error", "status": "error", "err_code": "not_found"}
        elif fields.get("signature") != base64.b64encode(digest).decode():
            answer = {
                "result": "error",
                "status": "error",
                "err_code": "invalid_signature",
                "err_description": "Invalid signature",
            }
        else:
            params = json.loads(base64.b64decode(data))
            self.server.received_params.append(params)
            answer = self.server.answers[params["action"]](params)
        content = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Keep the test log quiet."""


class LiqPayCommon(PaymentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls._enable_currency("UAH")
        cls.public_key = PUBLIC_KEY
        cls.private_key = PRIVATE_KEY
        cls.payment_id = 2405823991

        # A local fake of the LiqPay server API, reached through real HTTP on the loopback.
        cls.fake_server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLiqPayHandler)
        cls.fake_server.received_params = []
        cls.fake_server.answers = {}
        thread = threading.Thread(target=cls.fake_server.serve_forever, daemon=True)
        thread.start()
        cls.addClassCleanup(thread.join)
        cls.addClassCleanup(cls.fake_server.server_close)
        cls.addClassCleanup(cls.fake_server.shutdown)
        cls.api_url = f"http://127.0.0.1:{cls.fake_server.server_port}/api/"

        cls.provider = cls._prepare_provider(
            "liqpay",
            update_values={
                "liqpay_public_key": cls.public_key,
                "liqpay_private_key": cls.private_key,
                "liqpay_api_url": cls.api_url,
            },
        )
        cls.payment_method = cls.env.ref("payment.payment_method_card")
        cls.payment_method_id = cls.payment_method.id
        cls.payment_method_code = cls.payment_method.code

    def setUp(self):
        super().setUp()
        self.fake_server.received_params.clear()
        self.fake_server.answers.clear()

    def _make_payment_data(self, **values):
        """Return the decoded data of a LiqPay callback about the test transaction."""
        return {
            "version": 3,
            "public_key": self.public_key,
            "action": "pay",
            "payment_id": self.payment_id,
            "status": "success",
            "paytype": "card",
            "order_id": self.reference,
            "liqpay_order_id": "QXLM2YRC1711111111111111",
            "amount": self.amount,
            "currency": self.currency.name,
            "sender_card_mask2": "424242*42",
            "end_date": 1711111111111,
            **values,
        }

    def _sign_fields(self, payment_data, private_key=PRIVATE_KEY):
        """Return the `data` and `signature` form fields of a callback, as LiqPay signs them."""
        data = utils.encode_data(payment_data)
        return {"data": data, "signature": utils.compute_signature(private_key, data)}
