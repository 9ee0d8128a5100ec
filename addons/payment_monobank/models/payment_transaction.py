from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import urls

from odoo.addons.payment import utils as payment_utils
from odoo.addons.payment.logging import get_payment_logger

from .. import const, utils
from ..controllers.main import MonobankController

_logger = get_payment_logger(__name__)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    monobank_modified_date = fields.Datetime(
        string="Monobank Last Update",
        help="The modification date of the last monobank invoice status applied to the transaction; "
        "notifications older than it are ignored.",
        readonly=True,
        copy=False,
    )

    # === BUSINESS METHODS - PAYMENT FLOW === #

    def _get_specific_rendering_values(self, processing_values):
        """Override of `payment` to create the monobank invoice and redirect to its payment page.

        Note: `self.ensure_one()` from `_get_processing_values`

        :param dict processing_values: The generic and specific processing values of the transaction.
        :return: The dict of provider-specific rendering values.
        :rtype: dict
        """
        if self.provider_code != "monobank":
            return super()._get_specific_rendering_values(processing_values)

        try:
            invoice = self._send_api_request(
                "POST", "api/merchant/invoice/create", json=self._monobank_prepare_invoice_payload()
            )
        except ValidationError as error:
            self._set_error(str(error))
            return {}
        if not invoice.get("invoiceId") or not invoice.get("pageUrl"):
            self._set_error(self.env._("monobank did not return the payment page."))
            return {}

        # The invoice id allows querying the status on return and matching the notifications.
        self.provider_reference = invoice["invoiceId"]
        # A GET form drops the query string of its action: pass the parameters as inputs.
        page_url = urlsplit(invoice["pageUrl"])
        return {
            "api_url": urlunsplit(page_url._replace(query="")),
            "url_params": dict(parse_qsl(page_url.query)),
        }

    def _monobank_prepare_invoice_payload(self):
        """Return the payload of the invoice creation request; the amount is in minor units.

        :return: The request payload.
        :rtype: dict
        """
        base_url = self.provider_id.get_base_url()
        return_url = f"{MonobankController._return_url}?{urlencode({'reference': self.reference})}"
        destination = self.env._("Payment %(reference)s", reference=self.reference)
        return {
            "amount": payment_utils.to_minor_currency_units(self.amount, self.currency_id),
            "ccy": self.currency_id.iso_numeric,
            "merchantPaymInfo": {
                "reference": self.reference,
                "destination": destination,
                "comment": destination,
            },
            "redirectUrl": urls.urljoin(base_url, return_url),
            "webHookUrl": urls.urljoin(base_url, MonobankController._webhook_url),
            "validity": const.INVOICE_VALIDITY,
            "paymentType": "debit",
        }

    def _monobank_query_status(self):
        """Fetch the status of the invoice from monobank and process it.

        Used when the customer comes back from the payment page, as the browser return itself
        carries nothing that can be trusted.

        Note: `self.ensure_one()`

        :return: None
        """
        self.ensure_one()
        try:
            payment_data = self._send_api_request(
                "GET", "api/merchant/invoice/status", params={"invoiceId": self.provider_reference}
            )
        except ValidationError as error:
            _logger.warning("Could not fetch the monobank status of transaction %s: %s", self.reference, error)
            return
        self._process("monobank", payment_data)

    # === BUSINESS METHODS - REFUND FLOW === #

    def _send_refund_request(self):
        """Override of `payment` to cancel (part of) the monobank invoice.

        Note: `self.ensure_one()` from `_refund`

        :return: None
        """
        if self.provider_code != "monobank":
            return super()._send_refund_request()

        payload = {
            "invoiceId": self.source_transaction_id.provider_reference,
            "extRef": self.reference,
            # The amount is negative for refund transactions.
            "amount": payment_utils.to_minor_currency_units(-self.amount, self.currency_id),
        }
        response = self._send_api_request("POST", "api/merchant/invoice/cancel", json=payload)
        self._monobank_apply_refund_status(response.get("status"))

    def _monobank_apply_refund_status(self, status):
        """Update the refund transaction from the status of its monobank cancellation.

        :param str status: The status of the cancellation: processing, success or failure.
        :return: None
        """
        if status == "success":
            self._set_done()
        elif status == "processing":
            self._set_pending()
        elif status == "failure":
            self._set_error(self.env._("monobank declined the refund."))
        else:
            _logger.warning("Received invalid refund status (%s) for transaction %s.", status, self.reference)
            self._set_error(self.env._("Received data with invalid refund status: %(status)s.", status=status))

    def _monobank_sync_refunds(self, cancel_list):
        """Apply the cancellations of the invoice to the refunds of the transaction.

        A cancellation requested from Odoo carries the reference of its refund transaction as
        `extRef`, and updates it. A successful cancellation made outside Odoo (business cabinet,
        full reversal) is recorded as a confirmed refund transaction, keyed by its `extRef` or its
        creation date so that a repeated notification records it only once.

        :param list cancel_list: The `cancelList` of the invoice status.
        :return: None
        """
        if not isinstance(cancel_list, list):
            _logger.warning("Ignored a damaged cancelList of transaction %s: %.200r", self.reference, cancel_list)
            return
        odoo_prefix = f"R-{self.reference}"
        refund_txs = self.child_transaction_ids.filtered(lambda tx: tx.operation == "refund")
        for cancellation in cancel_list:
            if not isinstance(cancellation, dict):
                continue
            ext_ref = cancellation.get("extRef") or ""
            ext_ref = ext_ref if isinstance(ext_ref, str) else ""
            amount = cancellation.get("amount")
            refund_tx = refund_txs.filtered(lambda tx, ref=ext_ref: ref and tx.reference == ref)
            if refund_tx:
                if refund_tx.state != "done":
                    refund_tx._monobank_apply_refund_status(cancellation.get("status"))
            elif (
                cancellation.get("status") == "success"
                and isinstance(amount, int)
                and not isinstance(amount, bool)
                and amount > 0
                # An extRef of Odoo with no refund in sight belongs to a refund whose request is
                # still running: its own answer updates it.
                and not ext_ref.startswith(odoo_prefix)
            ):
                key = ext_ref or cancellation.get("createdDate")
                if not key or not isinstance(key, str):
                    continue
                if refund_txs.filtered(lambda tx, key=key: tx.provider_reference == key):
                    continue
                refund_tx = self._create_child_transaction(
                    payment_utils.to_major_currency_units(amount, self.currency_id),
                    is_refund=True,
                    provider_reference=key,
                )
                refund_tx._set_done(state_message=self.env._("Refund made in monobank, outside Odoo."))

    # === BUSINESS METHODS - PROCESSING === #

    @api.model
    def _extract_reference(self, provider_code, payment_data):
        """Override of `payment` to extract the reference, or find it from the invoice id."""
        if provider_code != "monobank":
            return super()._extract_reference(provider_code, payment_data)
        # only texts are looked up: a list, an object or a NUL character of a damaged notification must not reach
        # a domain
        reference, invoice_id = payment_data.get("reference"), payment_data.get("invoiceId")
        if reference and isinstance(reference, str) and "\x00" not in reference:
            return reference
        if invoice_id and isinstance(invoice_id, str) and "\x00" not in invoice_id:
            return self._monobank_search_by_invoice(invoice_id).reference
        return None

    @api.model
    def _search_by_reference(self, provider_code, payment_data):
        """Override of `payment` to only return a transaction whose invoice is the notified one."""
        tx = super()._search_by_reference(provider_code, payment_data)
        if provider_code == "monobank" and tx and tx.provider_reference != payment_data.get("invoiceId"):
            _logger.warning(
                "Ignored monobank data of invoice %s: transaction %s belongs to invoice %s.",
                payment_data.get("invoiceId"),
                tx.reference,
                tx.provider_reference,
            )
            return self.browse()
        return tx

    @api.model
    def _monobank_search_by_invoice(self, invoice_id):
        """Return the payment transaction of a monobank invoice, if any.

        :param str invoice_id: The monobank invoice id.
        :return: The transaction.
        :rtype: payment.transaction
        """
        return self.search(
            Domain("provider_code", "=", "monobank")
            & Domain("provider_reference", "=", invoice_id)
            & Domain("operation", "!=", "refund"),
            limit=1,
        )

    def _extract_amount_data(self, payment_data):
        """Override of `payment` to extract the amount (in minor units) and the numeric currency."""
        if self.provider_code != "monobank":
            return super()._extract_amount_data(payment_data)

        def integer(value):
            # the notification is JSON: a list, a string or a float here is a damaged notification, never searched
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        currency = self.env["res.currency"]
        if ccy := integer(payment_data.get("ccy")):
            currency = currency.with_context(active_test=False).search([("iso_numeric", "=", ccy)], limit=1)
        amount = integer(payment_data.get("amount"))
        return {
            "amount": payment_utils.to_major_currency_units(amount, currency) if currency and amount else None,
            "currency_code": currency.name,
        }

    def _monobank_amount_matches(self, payment_data):
        """Whether the notified amount and currency are the transaction's."""
        amount_data = self._extract_amount_data(payment_data)
        amount = amount_data["amount"]
        if not amount or amount_data["currency_code"] != self.currency_id.name:
            return False
        return self.currency_id.compare_amounts(-amount if self.operation == "refund" else amount, self.amount) == 0

    def _apply_updates(self, payment_data):
        """Override of `payment` to update the transaction from the monobank invoice status.

        Notifications may come out of order and more than once: a status older than the last one
        applied is ignored.
        """
        if self.provider_code != "monobank":
            return super()._apply_updates(payment_data)

        status = payment_data.get("status")
        modified_date = utils.parse_datetime(payment_data.get("modifiedDate"))
        if modified_date and self.monobank_modified_date and modified_date < self.monobank_modified_date:
            _logger.info(
                "Ignored the monobank status %(status)s of %(date)s for transaction %(ref)s, older than"
                " the last applied one of %(last)s.",
                {"status": status, "date": modified_date, "ref": self.reference, "last": self.monobank_modified_date},
            )
            return
        if modified_date:
            self.monobank_modified_date = modified_date

        # Update the payment method.
        info = payment_data.get("paymentInfo")
        payment_system = info.get("paymentSystem") if isinstance(info, dict) else None
        if payment_system and isinstance(payment_system, str):
            payment_method = self.env["payment.method"]._get_from_code(payment_system.lower())
            self.payment_method_id = payment_method or self.payment_method_id

        # Update the payment state.
        if status in const.PAYMENT_STATUS_MAPPING["pending"]:
            self._set_pending()
        elif status in const.PAYMENT_STATUS_MAPPING["done"]:
            # Odoo checks the amount before, but lets a transaction already in error through: check it again
            if self._monobank_amount_matches(payment_data):
                self._set_done()
            else:
                _logger.warning("Ignored a monobank success for transaction %s: another amount.", self.reference)
                self._set_error(self.env._("The amount from the payment data doesn't match the transaction's."))
        elif status in const.PAYMENT_STATUS_MAPPING["cancel"]:
            self._set_canceled(state_message=self.env._("The invoice expired before it was paid."))
        elif status in const.PAYMENT_STATUS_MAPPING["error"]:
            reason = payment_data.get("failureReason")
            self._set_error(reason if reason and isinstance(reason, str) else self.env._("The payment failed."))
        elif status in const.PAYMENT_STATUS_MAPPING["reversed"]:
            # A confirmed payment stays confirmed: its reversal is recorded as refunds below.
            if self.state != "done":
                self._set_canceled(state_message=self.env._("The payment was reversed."))
        else:
            _logger.warning("Received invalid payment status (%s) for transaction %s.", status, self.reference)
            self._set_error(self.env._("Received data with invalid payment status: %(status)s.", status=status))

        if self.state == "done":
            self._monobank_sync_refunds(payment_data.get("cancelList") or [])
