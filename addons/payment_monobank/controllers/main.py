import json
import pprint

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.payment.logging import get_payment_logger

_logger = get_payment_logger(__name__)


class MonobankController(http.Controller):
    _return_url = "/payment/monobank/return"
    _webhook_url = "/payment/monobank/webhook"

    @http.route(_return_url, type="http", auth="public", methods=["GET"], save_session=False)
    def monobank_return_from_checkout(self, reference=None, **kwargs):
        """Update the transaction from monobank when the customer comes back, then show its status.

        The return URL only carries the transaction reference, which anyone can forge: the status is
        asked to monobank. The route is flagged with `save_session=False` so that Odoo does not give
        a new session to a browser that does not send its session cookie on the way back from the
        payment page; the redirection to /payment/status then finds it.

        :param str reference: The transaction reference embedded in the return URL.
        :param dict kwargs: Ignored parameters.
        """
        tx_sudo = request.env["payment.transaction"].sudo().browse()
        if reference:
            tx_sudo = tx_sudo.search(
                Domain("reference", "=", reference) & Domain("provider_code", "=", "monobank"), limit=1
            )
        if tx_sudo.provider_reference:
            tx_sudo._monobank_query_status()
        return request.redirect("/payment/status")

    @http.route(_webhook_url, type="http", auth="public", methods=["POST"], csrf=False)
    def monobank_webhook(self):
        """Process an invoice status notified by monobank.

        The signature is checked on the raw body before anything is read from it.

        :return: An empty response to acknowledge the notification.
        :raise Forbidden: If the signature is missing or invalid.
        :raise BadRequest: If the signed body is not a JSON object.
        """
        body = request.httprequest.get_data()
        signature = request.httprequest.headers.get("X-Sign")
        if not signature or not self._verify_signature(body, signature):
            _logger.warning("Refused a monobank notification with a missing or invalid signature.")
            raise Forbidden()
        try:
            payment_data = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            payment_data = None
        if not isinstance(payment_data, dict):
            _logger.warning("Refused a signed monobank notification whose body is not a JSON object.")
            raise BadRequest("The body must be a JSON object.")

        _logger.info("Notification received from monobank with data:\n%s", pprint.pformat(payment_data))
        tx_sudo = request.env["payment.transaction"].sudo()._search_by_reference("monobank", payment_data)
        if tx_sudo:
            tx_sudo._process("monobank", payment_data)
        return ""  # Acknowledge the notification.

    @staticmethod
    def _verify_signature(body, signature):
        """Tell whether the notification was signed by monobank for one of the merchants.

        :param bytes body: The raw body of the notification.
        :param str signature: The `X-Sign` header.
        :return: Whether the signature is valid.
        :rtype: bool
        """
        providers_sudo = (
            request.env["payment.provider"]
            .sudo()
            .search(Domain("code", "=", "monobank") & Domain("monobank_token", "!=", False))
        )
        return any(provider._monobank_verify_signature(body, signature) for provider in providers_sudo)
