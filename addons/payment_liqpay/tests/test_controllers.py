import base64
import random

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.payment.tests.http_common import PaymentHttpCommon
from odoo.addons.payment_liqpay import utils
from odoo.addons.payment_liqpay.controllers.main import LiqPayController
from odoo.addons.payment_liqpay.tests.common import LiqPayCommon

CONTROLLER_LOGGER = "odoo.addons.payment_liqpay.controllers.main"
TRANSACTION_LOGGER = "odoo.addons.payment.models.payment_transaction"


@tagged("post_install", "-at_install")
class TestWebhook(LiqPayCommon, PaymentHttpCommon):
    def setUp(self):
        super().setUp()
        self.tx = self._create_transaction("redirect")

    def _post_callback(self, fields):
        return self._make_http_post_request(self._build_url(LiqPayController._webhook_url), data=fields)

    def _assert_tx_unchanged(self, tx=None):
        tx = tx or self.tx
        tx.invalidate_recordset()
        self.assertRecordValues(tx, [{"state": "draft", "provider_reference": False, "state_message": False}])

    @mute_logger(CONTROLLER_LOGGER)
    def test_signed_callback_confirms_transaction(self):
        response = self._post_callback(self._sign_fields(self._make_payment_data()))

        self.assertEqual(response.status_code, 200)
        self.assertRecordValues(self.tx, [{"state": "done", "provider_reference": str(self.payment_id)}])

    @mute_logger(CONTROLLER_LOGGER)
    def test_forged_signature_is_refused(self):
        fields = self._sign_fields(self._make_payment_data(), private_key="forged_private_key")

        response = self._post_callback(fields)

        self.assertEqual(response.status_code, 403)
        self._assert_tx_unchanged()

    @mute_logger(CONTROLLER_LOGGER)
    def test_tampered_data_is_refused(self):
        fields = self._sign_fields(self._make_payment_data(status="failure"))
        fields["data"] = self._sign_fields(self._make_payment_data())["data"]

        response = self._post_callback(fields)

        self.assertEqual(response.status_code, 403)
        self._assert_tx_unchanged()

    @mute_logger(CONTROLLER_LOGGER)
    def test_missing_signature_or_data_is_refused(self):
        fields = self._sign_fields(self._make_payment_data())
        for missing in ("signature", "data"):
            with self.subTest(missing=missing):
                response = self._post_callback({key: value for key, value in fields.items() if key != missing})
                self.assertEqual(response.status_code, 403)
                self._assert_tx_unchanged()

    @mute_logger(CONTROLLER_LOGGER)
    def test_other_public_key_is_refused(self):
        response = self._post_callback(self._sign_fields(self._make_payment_data(public_key="i99999999")))

        self.assertEqual(response.status_code, 403)
        self._assert_tx_unchanged()

    @mute_logger(CONTROLLER_LOGGER)
    def test_malformed_data_is_refused_without_server_error(self):
        for data in ("not base64!", base64.b64encode(b"not json").decode(), base64.b64encode(b"[1, 2]").decode()):
            with self.subTest(data=data):
                fields = {"data": data, "signature": utils.compute_signature(self.private_key, data)}
                response = self._post_callback(fields)
                self.assertEqual(response.status_code, 400)
                self._assert_tx_unchanged()

    @mute_logger(CONTROLLER_LOGGER, TRANSACTION_LOGGER)
    def test_unknown_order_is_acknowledged_without_effect(self):
        response = self._post_callback(self._sign_fields(self._make_payment_data(order_id="Unknown Order")))

        self.assertEqual(response.status_code, 200)
        self.assertFalse(self._get_tx("Unknown Order"))
        self._assert_tx_unchanged()

    @mute_logger(CONTROLLER_LOGGER, TRANSACTION_LOGGER)
    def test_amount_mismatch_sets_error(self):
        response = self._post_callback(self._sign_fields(self._make_payment_data(amount=1.11)))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.tx.state, "error")
        self.assertFalse(self.tx.provider_reference)

    @mute_logger(CONTROLLER_LOGGER)
    def test_sandbox_callback_in_test_and_live_modes(self):
        self._post_callback(self._sign_fields(self._make_payment_data(status="sandbox")))
        self.assertEqual(self.tx.state, "done")

        self.provider.state = "enabled"
        live_tx = self._create_transaction("redirect", reference="Live Transaction")
        self._post_callback(self._sign_fields(self._make_payment_data(order_id=live_tx.reference, status="sandbox")))
        self.assertEqual(live_tx.state, "error")

    @mute_logger(CONTROLLER_LOGGER, TRANSACTION_LOGGER)
    def test_replayed_callback_changes_nothing(self):
        fields = self._sign_fields(self._make_payment_data())
        self._post_callback(fields)
        self.tx.invalidate_recordset()
        before = self.tx.read(["state", "state_message", "last_state_change", "provider_reference"])

        response = self._post_callback(fields)

        self.assertEqual(response.status_code, 200)
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.read(["state", "state_message", "last_state_change", "provider_reference"]), before)

    @mute_logger(CONTROLLER_LOGGER, TRANSACTION_LOGGER)
    def test_stale_status_after_success_keeps_transaction_done(self):
        self._post_callback(self._sign_fields(self._make_payment_data()))
        for status in ("processing", "failure"):
            with self.subTest(status=status):
                response = self._post_callback(
                    self._sign_fields(self._make_payment_data(status=status, payment_id=1, paytype="privat24"))
                )
                self.assertEqual(response.status_code, 200)
                self.tx.invalidate_recordset()
                self.assertRecordValues(self.tx, [{"state": "done", "provider_reference": str(self.payment_id)}])


@tagged("post_install", "-at_install")
class TestReturnFromCheckout(LiqPayCommon, PaymentHttpCommon):
    def _return(self, tx, data=None):
        url = self._build_url(f"{LiqPayController._return_url}?reference={tx.reference}")
        return self.url_open(url, data=data, method="POST" if data else "GET", allow_redirects=False)

    def test_return_confirms_through_status_api(self):
        self.fake_server.answers["status"] = lambda params: dict(
            self._make_payment_data(order_id=params["order_id"]), result="ok"
        )
        tx = self._create_transaction("redirect")

        response = self._return(tx)

        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/payment/status"))
        self.assertEqual(self.fake_server.received_params[0]["order_id"], tx.reference)
        self.assertEqual(tx.state, "done")

    def test_return_does_not_trust_the_browser(self):
        """Signed success data posted by the browser is ignored: LiqPay's status decides."""
        self.fake_server.answers["status"] = lambda params: dict(
            self._make_payment_data(order_id=params["order_id"]), result="ok", status="processing"
        )
        tx = self._create_transaction("redirect")

        response = self._return(tx, data=self._sign_fields(self._make_payment_data()))

        self.assertEqual(response.status_code, 303)
        self.assertEqual(tx.state, "pending")

    @mute_logger("odoo.addons.payment_liqpay.models.payment_transaction")
    def test_return_with_unreachable_api_still_redirects(self):
        self.provider.liqpay_api_url = "http://127.0.0.1:1/api/"
        tx = self._create_transaction("redirect")

        response = self._return(tx)

        self.assertEqual(response.status_code, 303)
        self.assertEqual(tx.state, "draft")

    def test_return_for_confirmed_transaction_sends_no_request(self):
        tx = self._create_transaction("redirect", state="done")

        response = self._return(tx)

        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.fake_server.received_params)


HOSTILE_VALUES = (
    None,
    "",
    "abc",
    "-1",
    "0",
    "1e308",
    "NaN",
    "Infinity",
    1e308,
    -1,
    0,
    10**30,
    0.1 + 0.2,
    [],
    {},
    [1, [2, [3]]],
    {"a": {"b": None}},
    True,
    "\u0000\u202e",
    "а" * 5000,
    "%(x)s",
    "<script>alert(1)</script>",
)


@tagged("post_install", "-at_install")
class TestWebhookFuzz(LiqPayCommon, PaymentHttpCommon):
    """Signed callbacks with hostile values in every field (LiqPay's own key, so that the data reaches the parser
    and the transaction): never an internal error, and the transaction is done only by a success for its amount."""

    @mute_logger(CONTROLLER_LOGGER, TRANSACTION_LOGGER, "odoo.addons.payment_liqpay.models.payment_transaction")
    def test_signed_hostile_callbacks(self):
        rnd = random.Random(15)
        tx = self._create_transaction("redirect")
        fields = list(self._make_payment_data())
        for _index in range(200):
            payment_data = self._make_payment_data()
            for _ in range(rnd.randint(1, 3)):
                key = rnd.choice([*fields, "unknown"])
                if rnd.random() < 0.15:
                    payment_data.pop(key, None)
                else:
                    payment_data[key] = rnd.choice(HOSTILE_VALUES)
            payment_data["public_key"] = self.public_key  # another shop's data is refused before any parsing
            data = utils.encode_data(payment_data) if rnd.random() < 0.9 else rnd.choice(("!!!", "e30", "W10="))
            fields_ = {"data": data, "signature": utils.compute_signature(self.private_key, data)}
            response = self._make_http_post_request(self._build_url(LiqPayController._webhook_url), data=fields_)
            self.assertIn(response.status_code, (200, 400, 403), payment_data)
            tx.invalidate_recordset()
            if tx.state == "done":
                self.assertEqual(payment_data.get("status"), "success", payment_data)
                self.assertEqual(str(payment_data.get("amount")), str(self.amount), payment_data)
                break
