import base64
import json

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.payment_liqpay import const, utils
from odoo.addons.payment_liqpay.tests.common import LiqPayCommon


@tagged("post_install", "-at_install")
class TestPaymentTransaction(LiqPayCommon):
    def _get_checkout_form(self, tx):
        processing_values = tx._get_processing_values()
        return self._extract_values_from_html_form(processing_values["redirect_form_html"])

    def test_rendering_values(self):
        """The checkout form posts the signed data of the payment to the LiqPay checkout."""
        tx = self._create_transaction("redirect")
        form = self._get_checkout_form(tx)

        self.assertEqual(form["action"], f"{self.api_url}3/checkout")
        self.assertEqual(form["method"], "post")
        data, signature = form["inputs"]["data"], form["inputs"]["signature"]
        self.assertEqual(set(form["inputs"]), {"data", "signature"})
        self.assertEqual(signature, utils.compute_signature(self.private_key, data))
        base_url = self.provider.get_base_url()
        self.assertDictEqual(
            json.loads(base64.b64decode(data)),
            {
                "version": 3,
                "public_key": self.public_key,
                "action": "pay",
                "amount": "1111.11",
                "currency": "UAH",
                "description": "Payment Test Transaction",
                "order_id": "Test Transaction",
                "language": "en",
                "result_url": f"{base_url}/payment/liqpay/return?reference=Test+Transaction",
                "server_url": f"{base_url}/payment/liqpay/webhook",
                "sandbox": "1",
            },
        )

    def test_rendering_values_live_uk(self):
        """A live payment is not a sandbox one; the amount has two decimals; the checkout speaks
        the customer's language."""
        self.env["res.lang"]._activate_lang("uk_UA")
        self.partner.lang = "uk_UA"
        self.provider.state = "enabled"
        tx = self._create_transaction("redirect", amount=10.1)
        params = utils.decode_data(self._get_checkout_form(tx)["inputs"]["data"])
        self.assertEqual(params["amount"], "10.10")
        self.assertEqual(params["language"], "uk")
        self.assertNotIn("sandbox", params)

    def test_success_confirms_transaction(self):
        tx = self._create_transaction("redirect")
        tx._process("liqpay", self._make_payment_data())
        self.assertRecordValues(
            tx,
            [
                {
                    "state": "done",
                    "provider_reference": str(self.payment_id),
                    "payment_method_id": self.payment_method_id,
                }
            ],
        )

    def test_pending_statuses(self):
        for status in sorted(const.PENDING_STATUSES):
            with self.subTest(status=status):
                tx = self._create_transaction("redirect", reference=f"Test {status}")
                tx._process("liqpay", self._make_payment_data(order_id=tx.reference, status=status))
                self.assertEqual(tx.state, "pending")

    def test_failure_sets_error_with_description(self):
        for status in ("failure", "error"):
            with self.subTest(status=status):
                tx = self._create_transaction("redirect", reference=f"Test {status}")
                tx._process(
                    "liqpay",
                    self._make_payment_data(
                        order_id=tx.reference, status=status, err_code="limit", err_description="Limit exceeded"
                    ),
                )
                self.assertEqual(tx.state, "error")
                self.assertIn("Limit exceeded", tx.state_message)

    def test_sandbox_confirms_only_in_test_mode(self):
        tx = self._create_transaction("redirect")
        tx._process("liqpay", self._make_payment_data(status="sandbox"))
        self.assertEqual(tx.state, "done")

        self.provider.state = "enabled"
        live_tx = self._create_transaction("redirect", reference="Live Transaction")
        live_tx._process("liqpay", self._make_payment_data(order_id=live_tx.reference, status="sandbox"))
        self.assertEqual(live_tx.state, "error")
        self.assertIn("sandbox", live_tx.state_message)

    def test_amount_or_currency_mismatch_sets_error(self):
        for reference, values in (
            ("Test amount", {"amount": 1111.10}),
            ("Test currency", {"currency": "USD"}),
            ("Test bad amount", {"amount": "a lot"}),
        ):
            with self.subTest(values=values):
                tx = self._create_transaction("redirect", reference=reference)
                tx._process("liqpay", self._make_payment_data(order_id=reference, **values))
                self.assertEqual(tx.state, "error")

    def test_reversal_cancels_unconfirmed_payment(self):
        tx = self._create_transaction("redirect", state="pending")
        tx._process("liqpay", self._make_payment_data(status="reversed"))
        self.assertEqual(tx.state, "cancel")

    @mute_logger("odoo.addons.payment_liqpay.models.payment_transaction")
    def test_reversal_keeps_confirmed_payment(self):
        tx = self._create_transaction("redirect", state="done")
        tx._process("liqpay", self._make_payment_data(status="reversed", amount=100.0))
        self.assertEqual(tx.state, "done")

    @mute_logger("odoo.addons.payment_liqpay.models.payment_transaction")
    def test_unknown_status_sets_error(self):
        tx = self._create_transaction("redirect")
        tx._process("liqpay", self._make_payment_data(status="unexpected"))
        self.assertEqual(tx.state, "error")

    def test_unmapped_paytype_keeps_payment_method(self):
        tx = self._create_transaction("redirect")
        tx._process("liqpay", self._make_payment_data(paytype="privat24"))
        self.assertEqual(tx.payment_method_id, self.payment_method)
        # Apple Pay and Google Pay are used when the database knows them, else the card is kept.
        google_pay = self.env["payment.method"]._get_from_code("google_pay")
        gpay_tx = self._create_transaction("redirect", reference="Test gpay")
        gpay_tx._process("liqpay", self._make_payment_data(order_id=gpay_tx.reference, paytype="gpay"))
        self.assertEqual(gpay_tx.payment_method_id, google_pay or self.payment_method)
