from odoo.tests import tagged
from odoo.tools import mute_logger, urls

from odoo.addons.payment_monobank.tests.common import MonobankCommon


@tagged("post_install", "-at_install")
class TestMonobankTransaction(MonobankCommon):
    """Invoices, statuses and refunds against a fake monobank API on the loopback interface."""

    def test_rendering_creates_the_invoice(self):
        tx = self._create_transaction("redirect")

        processing_values = tx._get_processing_values()

        invoice_id = tx.provider_reference
        self.assertEqual(list(self.server.invoices), [invoice_id])
        self.assertEqual(
            self._extract_values_from_html_form(processing_values["redirect_form_html"]),
            {"action": f"https://pay.mbnk.biz/{invoice_id}", "method": "get", "inputs": {"lang": "uk"}},
        )
        base_url = self.provider.get_base_url()
        self.assertDictEqual(
            self.server.invoices[invoice_id],
            {
                "amount": 111111,
                "ccy": 980,
                "merchantPaymInfo": {
                    "reference": "Test Transaction",
                    "destination": "Payment Test Transaction",
                    "comment": "Payment Test Transaction",
                },
                "redirectUrl": urls.urljoin(base_url, "/payment/monobank/return?reference=Test+Transaction"),
                "webHookUrl": urls.urljoin(base_url, "/payment/monobank/webhook"),
                "validity": 86400,
                "paymentType": "debit",
            },
        )
        self.assertEqual(tx.state, "draft")

    def test_amounts_are_exact_in_kopecks(self):
        for amount, kopecks in ((0.29, 29), (1.15, 115), (4.35, 435), (19.99, 1999), (1111.11, 111111)):
            with self.subTest(amount=amount):
                tx = self._create_transaction("redirect", reference=f"exact-{kopecks}", amount=amount)
                self.assertEqual(tx._monobank_prepare_invoice_payload()["amount"], kopecks)
                self.assertEqual(
                    tx._extract_amount_data({"amount": kopecks, "ccy": 980}),
                    {"amount": amount, "currency_code": "UAH"},
                )

    @mute_logger("odoo.addons.payment.models.payment_provider")
    def test_api_error_sets_the_transaction_in_error(self):
        self.server.create_error = "Invalid merchant amount"
        tx = self._create_transaction("redirect")

        processing_values = tx._get_processing_values()

        self.assertEqual(processing_values["state"], "error")
        self.assertEqual(tx.state, "error")
        self.assertIn("Invalid merchant amount", tx.state_message)
        self.assertFalse(tx.provider_reference)

    def test_statuses_map_to_states(self):
        for status, state in (
            ("created", "pending"),
            ("processing", "pending"),
            ("hold", "pending"),
            ("success", "done"),
            ("failure", "error"),
            ("expired", "cancel"),
        ):
            with self.subTest(status=status):
                tx = self._create_transaction(
                    "redirect", reference=f"status-{status}", provider_reference=f"inv-{status}"
                )
                tx._process("monobank", self._status(tx, status, failureReason="Card declined"))
                self.assertEqual(tx.state, state)
        self.assertEqual(self._get_tx("status-failure").state_message, "Card declined")

    def test_payment_system_sets_the_payment_method(self):
        tx = self._create_invoiced_transaction()

        tx._process("monobank", self._status(tx, "success", paymentInfo={"paymentSystem": "visa"}))

        self.assertEqual(tx.payment_method_id, self.env.ref("payment.payment_method_visa"))

    def test_reversal_before_confirmation_cancels(self):
        tx = self._create_invoiced_transaction()

        tx._process("monobank", self._status(tx, "reversed"))

        self.assertEqual(tx.state, "cancel")
        self.assertFalse(tx.child_transaction_ids)

    def test_refund_success(self):
        tx = self._create_invoiced_transaction(state="done")

        refund_tx = tx._refund(amount_to_refund=100.25)

        (cancel,) = self.server.requests_to("/api/merchant/invoice/cancel")
        self.assertEqual(cancel["json"], {"invoiceId": self.invoice_id, "extRef": refund_tx.reference, "amount": 10025})
        self.assertRecordValues(refund_tx, [{"state": "done", "amount": -100.25, "operation": "refund"}])

    def test_refund_failure(self):
        self.server.cancel_status = "failure"
        tx = self._create_invoiced_transaction(state="done")

        refund_tx = tx._refund(amount_to_refund=100.25)

        self.assertRecordValues(refund_tx, [{"state": "error", "state_message": "monobank declined the refund."}])

    @mute_logger("odoo.addons.payment.models.payment_provider")
    def test_refund_refused_by_the_api(self):
        self.server.cancel_error = "Payment is not successful"
        tx = self._create_invoiced_transaction(state="done")

        refund_tx = tx._refund()

        self.assertEqual(refund_tx.state, "error")
        self.assertIn("Payment is not successful", refund_tx.state_message)

    def test_refund_in_progress_is_finished_by_the_notification(self):
        self.server.cancel_status = "processing"
        tx = self._create_invoiced_transaction(state="done")
        refund_tx = tx._refund(amount_to_refund=100.25)
        self.assertEqual(refund_tx.state, "pending")

        cancellation = {"status": "success", "amount": 10025, "ccy": 980, "extRef": refund_tx.reference}
        tx._process("monobank", self._status(tx, "success", modified="2025-01-31T10:06:00Z", cancelList=[cancellation]))

        self.assertEqual(refund_tx.state, "done")
        self.assertEqual(tx.child_transaction_ids, refund_tx)

    def test_reversal_outside_odoo_is_recorded_once(self):
        tx = self._create_invoiced_transaction(state="done")
        cancellation = {"status": "success", "amount": 111111, "ccy": 980, "createdDate": "2025-01-31T11:00:00Z"}
        reversal = self._status(tx, "reversed", modified="2025-01-31T11:00:00Z", cancelList=[cancellation])

        tx._process("monobank", reversal)
        tx._process("monobank", reversal)

        self.assertEqual(tx.state, "done")
        self.assertRecordValues(
            tx.child_transaction_ids,
            [
                {
                    "state": "done",
                    "amount": -1111.11,
                    "operation": "refund",
                    "provider_reference": "2025-01-31T11:00:00Z",
                }
            ],
        )

    def test_cancellation_of_a_running_odoo_refund_is_left_to_it(self):
        """A refund requested from Odoo whose transaction is not committed yet is not recorded twice."""
        tx = self._create_invoiced_transaction(state="done")
        cancellation = {"status": "success", "amount": 10025, "ccy": 980, "extRef": f"R-{tx.reference}"}

        tx._process("monobank", self._status(tx, "success", cancelList=[cancellation]))

        self.assertFalse(tx.child_transaction_ids)
