from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.payment_liqpay.tests.common import LiqPayCommon


@tagged("post_install", "-at_install")
class TestServerApi(LiqPayCommon):
    """Refund and status requests, sent over HTTP to the fake LiqPay server of the test."""

    def _answer_refund(self, params):
        return {
            "version": 3,
            "result": "ok",
            "action": "refund",
            "payment_id": 2405824001,
            "status": "reversed",
            "order_id": params["order_id"],
            "amount": float(params["amount"]),
            "currency": self.currency.name,
        }

    def test_refund_confirmed(self):
        self.fake_server.answers["refund"] = self._answer_refund
        tx = self._create_transaction("redirect", state="done", provider_reference=str(self.payment_id))

        refund_tx = tx._refund(amount_to_refund=300.5)

        self.assertEqual(
            self.fake_server.received_params,
            [
                {
                    "version": 3,
                    "public_key": self.public_key,
                    "action": "refund",
                    "order_id": tx.reference,
                    "amount": "300.50",
                }
            ],
        )
        self.assertRecordValues(
            refund_tx,
            [
                {
                    "state": "done",
                    "operation": "refund",
                    "amount": -300.5,
                    "source_transaction_id": tx.id,
                    "provider_reference": "2405824001",
                }
            ],
        )
        self.assertEqual(tx.state, "done")

    def test_refund_refused_for_invalid_signature(self):
        """The fake server refuses a request signed with another key, as LiqPay does."""
        self.fake_server.answers["refund"] = self._answer_refund
        tx = self._create_transaction("redirect", state="done", provider_reference=str(self.payment_id))
        self.provider.liqpay_private_key = "not_the_private_key"

        refund_tx = tx._refund()

        self.assertFalse(self.fake_server.received_params)
        self.assertEqual(refund_tx.state, "error")
        self.assertIn("Invalid signature", refund_tx.state_message)

    def test_refund_declined(self):
        self.fake_server.answers["refund"] = lambda params: {
            "result": "error",
            "status": "error",
            "err_code": "refund_amount_exceeded",
            "err_description": "The refund amount exceeds the payment amount",
        }
        tx = self._create_transaction("redirect", state="done", provider_reference=str(self.payment_id))

        refund_tx = tx._refund()

        self.assertEqual(refund_tx.state, "error")
        self.assertIn("The refund amount exceeds the payment amount", refund_tx.state_message)

    def test_status_query_confirms_transaction(self):
        self.fake_server.answers["status"] = lambda params: dict(
            self._make_payment_data(order_id=params["order_id"]), result="ok"
        )
        tx = self._create_transaction("redirect")

        tx._liqpay_query_status()

        self.assertEqual(self.fake_server.received_params[0]["action"], "status")
        self.assertEqual(tx.state, "done")

    def test_status_query_without_payment(self):
        self.fake_server.answers["status"] = lambda params: {
            "result": "error",
            "status": "error",
            "err_code": "payment_not_found",
            "err_description": "Payment not found",
        }
        tx = self._create_transaction("redirect")

        tx._liqpay_query_status()

        self.assertEqual(tx.state, "draft")

    @mute_logger("odoo.addons.payment_liqpay.models.payment_transaction")
    def test_status_query_with_invalid_answer(self):
        """An answer that is no JSON object changes nothing."""
        self.fake_server.answers["status"] = lambda params: ["not", "an", "object"]
        tx = self._create_transaction("redirect")

        tx._liqpay_query_status()

        self.assertEqual(len(self.fake_server.received_params), 1)
        self.assertEqual(tx.state, "draft")

    @mute_logger("odoo.addons.payment_liqpay.models.payment_transaction")
    def test_status_query_with_unreachable_server(self):
        self.provider.liqpay_api_url = "http://127.0.0.1:1/api/"
        tx = self._create_transaction("redirect")

        tx._liqpay_query_status()

        self.assertEqual(tx.state, "draft")
