import json
import random

from cryptography.hazmat.primitives.asymmetric import ec

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.payment.tests.http_common import PaymentHttpCommon
from odoo.addons.payment_monobank.controllers.main import MonobankController
from odoo.addons.payment_monobank.tests.common import MonobankCommon, public_key_b64, sign


@tagged("post_install", "-at_install")
class TestMonobankControllers(MonobankCommon, PaymentHttpCommon):
    """Notifications and customer returns through HTTP, signed with the fake server's key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_key = ec.generate_private_key(ec.SECP256R1())

    def _notify(self, payment_data=None, body=None, signature=None):
        """POST a notification; the body is signed with the server's key unless `signature` is given."""
        body = json.dumps(payment_data).encode() if body is None else body
        headers = {"Content-Type": "application/json"}
        if signature is None:
            signature = sign(self.server.private_key, body)
        if signature:
            headers["X-Sign"] = signature
        self.env.flush_all()
        response = self.url_open(MonobankController._webhook_url, data=body, headers=headers, method="POST")
        self.env.invalidate_all()
        return response

    def test_webhook_confirms_the_payment(self):
        tx = self._create_invoiced_transaction()

        response = self._notify(self._status(tx, "success"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(tx.state, "done")
        self.assertEqual(str(tx.monobank_modified_date), "2025-01-31 10:00:00")
        self.assertFalse(self.server.requests, "The cached key verifies the signature.")

    def test_webhook_replay_changes_nothing(self):
        tx = self._create_invoiced_transaction()
        body = json.dumps(self._status(tx, "success")).encode()
        self._notify(body=body)
        last_state_change = tx.last_state_change

        response = self._notify(body=body)

        self.assertEqual(response.status_code, 200)
        self.assertRecordValues(tx, [{"state": "done", "last_state_change": last_state_change}])

    def test_webhook_stale_status_is_ignored(self):
        tx = self._create_invoiced_transaction()
        self._notify(self._status(tx, "success", modified="2025-01-31T10:00:00Z"))

        response = self._notify(self._status(tx, "processing", modified="2025-01-31T09:58:00Z"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(tx.state, "done")
        self.assertEqual(str(tx.monobank_modified_date), "2025-01-31 10:00:00")

    @mute_logger("odoo.addons.payment_monobank.controllers.main")
    def test_webhook_forged_signature_is_refused(self):
        tx = self._create_invoiced_transaction()
        body = json.dumps(self._status(tx, "success")).encode()

        response = self._notify(body=body, signature=sign(self.other_key, body))

        self.assertEqual(response.status_code, 403)
        self.assertEqual(tx.state, "pending")
        self.assertEqual(len(self.server.requests_to("/api/merchant/pubkey")), 1, "The key is fetched once again.")

        # a flood of forged notifications does not make us flood monobank: the key is fetched at most once a minute
        response = self._notify(body=body, signature=sign(self.other_key, body))

        self.assertEqual(response.status_code, 403)
        self.assertEqual(len(self.server.requests_to("/api/merchant/pubkey")), 1)

    @mute_logger("odoo.addons.payment_monobank.controllers.main")
    def test_webhook_missing_signature_is_refused(self):
        tx = self._create_invoiced_transaction()

        response = self._notify(self._status(tx, "success"), signature="")

        self.assertEqual(response.status_code, 403)
        self.assertEqual(tx.state, "pending")

    @mute_logger("odoo.addons.payment_monobank.controllers.main")
    def test_webhook_body_modified_after_signing_is_refused(self):
        tx = self._create_invoiced_transaction()
        body = json.dumps(self._status(tx, "failure")).encode()

        response = self._notify(
            body=body.replace(b'"failure"', b'"success"'), signature=sign(self.server.private_key, body)
        )

        self.assertEqual(response.status_code, 403)
        self.assertEqual(tx.state, "pending")

    @mute_logger("odoo.addons.payment_monobank.controllers.main")
    def test_webhook_malformed_body_is_refused(self):
        response = self._notify(body=b'{"invoiceId": ')

        self.assertEqual(response.status_code, 400)

    def test_webhook_amount_mismatch_sets_the_transaction_in_error(self):
        tx = self._create_invoiced_transaction()

        self._notify(self._status(tx, "success", amount=100))

        self.assertEqual(tx.state, "error")

    def test_webhook_after_key_rotation(self):
        self.provider.monobank_public_key = public_key_b64(self.other_key)
        tx = self._create_invoiced_transaction()

        response = self._notify(self._status(tx, "success"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.provider.monobank_public_key, public_key_b64(self.server.private_key))
        self.assertEqual(len(self.server.requests_to("/api/merchant/pubkey")), 1)

    @mute_logger("odoo.addons.payment_monobank.models.payment_transaction")
    def test_webhook_of_another_invoice_is_ignored(self):
        tx = self._create_invoiced_transaction()

        response = self._notify(self._status(tx, "success", invoiceId="another-invoice"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(tx.state, "pending")

    def test_webhook_without_reference_finds_the_invoice(self):
        tx = self._create_invoiced_transaction()
        payment_data = self._status(tx, "success")
        del payment_data["reference"]

        self._notify(payment_data)

        self.assertEqual(tx.state, "done")

    def test_return_queries_the_status(self):
        tx = self._create_invoiced_transaction()
        self.server.statuses[self.invoice_id] = self._status(tx, "success")
        self.env.flush_all()

        response = self.url_open(f"{MonobankController._return_url}?reference=Test+Transaction", allow_redirects=False)

        self.env.invalidate_all()
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/payment/status"))
        (status_request,) = self.server.requests_to("/api/merchant/invoice/status")
        self.assertEqual(status_request["query"], {"invoiceId": self.invoice_id})
        self.assertEqual(tx.state, "done")

    def test_return_with_an_unknown_reference(self):
        response = self.url_open(f"{MonobankController._return_url}?reference=unknown", allow_redirects=False)

        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.server.requests)


HOSTILE_VALUES = (
    None,
    "",
    "abc",
    "-1",
    "1e308",
    "NaN",
    1e308,
    -1,
    0,
    10**30,
    0.5,
    [],
    {},
    [1, [2, [3]]],
    True,
    "\u0000\u202e",
    "а" * 5000,
    "2025-13-45T99:99:99Z",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+05:00",
    {"paymentSystem": ["visa"]},
    [{"status": "success", "amount": "1e308", "extRef": ["x"]}, "x", None],
    [{"status": "success", "amount": 10**30, "createdDate": {}}],
)


@tagged("post_install", "-at_install")
class TestMonobankWebhookFuzz(MonobankCommon, PaymentHttpCommon):
    """Webhooks signed with monobank's key but holding hostile values in every field, or nested thousands deep:
    never an internal error, and the transaction is done only by a success for its amount."""

    _notify = TestMonobankControllers._notify

    @mute_logger(
        "odoo.addons.payment_monobank.controllers.main",
        "odoo.addons.payment_monobank.models.payment_transaction",
        "odoo.addons.payment.models.payment_transaction",
    )
    def test_signed_hostile_webhooks(self):
        rnd = random.Random(15)
        tx = self._create_invoiced_transaction()
        keys = [*self._status(tx, "success"), "paymentInfo", "cancelList", "failureReason", "unknown"]
        for index in range(200):
            payment_data = self._status(tx, rnd.choice(("success", "failure", "processing", "reversed", "hold")))
            payment_data["modifiedDate"] = f"2025-02-01T10:{index // 60:02d}:{index % 60:02d}Z"
            for _ in range(rnd.randint(1, 3)):
                key = rnd.choice(keys)
                if rnd.random() < 0.15:
                    payment_data.pop(key, None)
                else:
                    payment_data[key] = rnd.choice(HOSTILE_VALUES)
            body = json.dumps(payment_data).encode() if rnd.random() < 0.95 else b"[" * 50_000
            response = self._notify(body=body)
            self.assertIn(response.status_code, (200, 400, 403), payment_data)
            if tx.state == "done":
                self.assertEqual(payment_data.get("status"), "success", payment_data)
                self.assertEqual(payment_data.get("amount"), 111111, payment_data)
                break
