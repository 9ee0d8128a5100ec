from urllib.parse import urlencode

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import float_repr, urls

from odoo.addons.payment.logging import get_payment_logger

from .. import const, utils
from ..controllers.main import LiqPayController

_logger = get_payment_logger(__name__)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    # === BUSINESS METHODS - PRE-PROCESSING === #

    def _get_specific_rendering_values(self, processing_values):
        """Override of `payment` to return the signed form fields of the LiqPay checkout.

        Note: `self.ensure_one()` from `_get_processing_values`

        :param dict processing_values: The generic and specific processing values of the transaction.
        :return: The dict of provider-specific rendering values.
        :rtype: dict
        """
        if self.provider_code != "liqpay":
            return super()._get_specific_rendering_values(processing_values)

        base_url = self.provider_id.get_base_url()
        return_url = f"{LiqPayController._return_url}?{urlencode({'reference': self.reference})}"
        params = {
            "action": "pay",
            "amount": self._liqpay_format_amount(self.amount),
            "currency": self.currency_id.name,
            "description": self.with_context(lang=self.partner_lang).env._(
                "Payment %(reference)s", reference=self.reference
            ),
            "order_id": self.reference,
            "language": utils.get_language(self.partner_lang),
            "result_url": urls.urljoin(base_url, return_url),
            "server_url": urls.urljoin(base_url, LiqPayController._webhook_url),
        }
        if self.provider_id.state == "test":
            params["sandbox"] = "1"  # LiqPay simulates the payment: no money is charged.
        request_fields = self.provider_id._liqpay_prepare_request_fields(params)
        return {
            "checkout_url": self.provider_id._build_request_url(const.CHECKOUT_ENDPOINT),
            "liqpay_data": request_fields["data"],
            "liqpay_signature": request_fields["signature"],
        }

    def _liqpay_format_amount(self, amount):
        """Format an amount of the transaction's currency as LiqPay expects it.

        :param float amount: The amount to format.
        :return: The amount rounded with the currency, with two decimals, e.g. `1111.10`.
        :rtype: str
        """
        return float_repr(self.currency_id.round(amount), const.AMOUNT_DIGITS)

    # === BUSINESS METHODS - PAYMENT FLOW === #

    def _send_refund_request(self):
        """Override of `payment` to send a refund request to LiqPay.

        Note: `self.ensure_one()` from :meth:`_refund`
        """
        if self.provider_code != "liqpay":
            return super()._send_refund_request()

        request_fields = self.provider_id._liqpay_prepare_request_fields(
            {
                "action": "refund",
                "order_id": self.source_transaction_id.reference,
                "amount": self._liqpay_format_amount(-self.amount),  # Refunds have negative amounts.
            }
        )
        payment_data = self._send_api_request("POST", const.REQUEST_ENDPOINT, data=request_fields)
        self._process("liqpay", payment_data)

    def _liqpay_query_status(self):
        """Ask LiqPay for the status of the payment and process the answer.

        This is used when the customer comes back from the checkout: what the browser brings back
        is never trusted, the answer of the server API is.

        Note: `self.ensure_one()`
        """
        self.ensure_one()
        request_fields = self.provider_id._liqpay_prepare_request_fields(
            {"action": "status", "order_id": self.reference}
        )
        try:
            payment_data = self._send_api_request("POST", const.REQUEST_ENDPOINT, data=request_fields)
        except ValidationError as error:
            _logger.warning("Could not fetch the LiqPay status of transaction %s: %s", self.reference, error)
            return
        if payment_data.get("result") != "ok" or payment_data.get("order_id") != self.reference:
            # E.g. `payment_not_found` when the customer left the checkout without paying.
            _logger.info("LiqPay reported no payment for transaction %s.", self.reference)
            return
        self._process("liqpay", payment_data)

    # === BUSINESS METHODS - PROCESSING === #

    @api.model
    def _extract_reference(self, provider_code, payment_data):
        """Override of `payment` to extract the reference from the payment data."""
        if provider_code != "liqpay":
            return super()._extract_reference(provider_code, payment_data)
        reference = payment_data.get("order_id")
        # a NUL character cannot reach PostgreSQL: such a reference is no reference
        return reference if isinstance(reference, str) and "\x00" not in reference else None

    def _extract_amount_data(self, payment_data):
        """Override of `payment` to extract the amount and currency from the payment data.

        The amount of a refund answer or of a reversal notice is the one of the refund, not of this
        transaction: the check is skipped for them.
        """
        if self.provider_code != "liqpay":
            return super()._extract_amount_data(payment_data)
        if self.operation == "refund" or payment_data.get("status") == const.STATUS_REVERSED:
            return None
        amount = utils.parse_amount(payment_data.get("amount"))
        return {
            # The framework compares floats through the currency; the amount was parsed exactly.
            "amount": float(amount) if amount is not None else None,
            "currency_code": payment_data.get("currency"),
        }

    def _apply_updates(self, payment_data):
        """Override of `payment` to update the transaction based on the payment data."""
        if self.provider_code != "liqpay":
            return super()._apply_updates(payment_data)

        if self.state != "done":  # A confirmed transaction keeps the data that confirmed it.
            if payment_id := payment_data.get("payment_id"):
                self.provider_reference = str(payment_id)
            if payment_method := self._liqpay_get_payment_method(payment_data.get("paytype")):
                self.payment_method_id = payment_method

        status = str(payment_data.get("status") or "")
        if payment_data.get("result") == "error" or status in const.ERROR_STATUSES:
            self._set_error(self._liqpay_get_error_message(payment_data, status))
        elif status in const.PENDING_STATUSES:
            self._set_pending()
        elif status == const.STATUS_REVERSED:
            if self.operation == "refund":
                self._set_done()
            else:
                self._liqpay_handle_reversal()
        elif status == const.STATUS_DONE or (status == const.STATUS_SANDBOX and self.provider_id.state == "test"):
            self._set_done()
        elif status == const.STATUS_SANDBOX:
            self._set_error(
                self.env._("LiqPay reported a sandbox (test) payment to a live provider: no money was received.")
            )
        else:
            _logger.warning("Received LiqPay data with invalid status %r for transaction %s.", status, self.reference)
            self._set_error(self.env._("Received data with invalid payment status: %(status)s", status=status))

    def _liqpay_get_payment_method(self, paytype):
        """Return the payment method matching a LiqPay `paytype`, if it exists in the database.

        :param str paytype: The `paytype` of the payment data, e.g. `card` or `gpay`.
        :rtype: payment.method
        """
        code = const.PAYTYPE_MAPPING.get(paytype) if isinstance(paytype, str) else None
        return self.env["payment.method"]._get_from_code(code) if code else self.env["payment.method"]

    def _liqpay_get_error_message(self, payment_data, status):
        """Return the state message of a payment or refund declined by LiqPay.

        :param dict payment_data: The payment data.
        :param str status: The status of the payment data.
        :rtype: str
        """
        reason = payment_data.get("err_description") or payment_data.get("err_code")
        if reason:
            return self.env._("LiqPay declined the operation: %(reason)s", reason=reason)
        return self.env._("LiqPay declined the operation (status: %(status)s).", status=status)

    def _liqpay_handle_reversal(self):
        """Handle the notice that LiqPay reversed (refunded) the payment.

        A payment that was not confirmed yet is cancelled. A confirmed payment stays confirmed: its
        refunds are recorded by refund transactions, which a refund sent from Odoo creates.
        """
        if self.state != "done":
            self._set_canceled(state_message=self.env._("The payment was reversed by LiqPay."))
        elif not self.child_transaction_ids.filtered(lambda tx: tx.operation == "refund"):
            _logger.warning(
                "The payment of transaction %s was refunded outside Odoo: record the refund manually.",
                self.reference,
            )
