import pprint

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.payment.logging import get_payment_logger

from .. import utils

_logger = get_payment_logger(__name__)


class LiqPayController(http.Controller):
    _return_url = "/payment/liqpay/return"
    _webhook_url = "/payment/liqpay/webhook"

    @http.route(
        _return_url,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def liqpay_return_from_checkout(self, reference=None, **data):
        """Ask LiqPay for the status of the payment when the customer comes back from the checkout.

        What the browser brings back (LiqPay may post `data` and `signature` here too) is ignored:
        the status is fetched from the server API.

        The route is flagged with `save_session=False` to prevent Odoo from assigning a new session
        to the user if they are redirected to this route with a POST request. Indeed, as the session
        cookie is created without a `SameSite` attribute, some browsers that don't implement the
        recommended default `SameSite=Lax` behavior will not include the cookie in the redirection
        request from the payment provider to Odoo. As the redirection to the '/payment/status' page
        will satisfy any specification of the `SameSite` attribute, the session of the user will be
        retrieved and with it the transaction which will be immediately post-processed.

        :param str reference: The transaction reference embedded in the return URL.
        :param dict data: The data posted by the browser, ignored.
        """
        tx_sudo = request.env["payment.transaction"].sudo()._search_by_reference("liqpay", {"order_id": reference})
        if tx_sudo.state in ("draft", "pending"):
            tx_sudo._liqpay_query_status()
        return request.redirect("/payment/status")

    @http.route(_webhook_url, type="http", auth="public", methods=["POST"], csrf=False)
    def liqpay_webhook(self, **post):
        """Process the payment data that LiqPay sends to the `server_url` of the payment.

        The signature is verified before anything else; a notification is refused with HTTP 403 when
        it is missing or forged, or when it names another shop, and with HTTP 400 when its data
        cannot be decoded. A notification about an unknown order is acknowledged without effect.

        :param dict post: The `data` and `signature` form fields.
        :return: An empty string to acknowledge the notification.
        :rtype: str
        """
        data, signature = post.get("data"), post.get("signature")
        if not data or not signature:
            _logger.warning("Refused a LiqPay notification without data or signature.")
            raise Forbidden()
        provider_sudo = request.env["payment.provider"].sudo()._liqpay_find_by_signature(data, signature)
        if not provider_sudo:
            _logger.warning("Refused a LiqPay notification with an invalid signature.")
            raise Forbidden()

        try:
            payment_data = utils.decode_data(data)
        except ValueError as error:
            _logger.warning("Refused a LiqPay notification whose data could not be decoded: %s", error)
            raise BadRequest() from error
        _logger.info("Notification received from LiqPay with data:\n%s", pprint.pformat(payment_data))

        if payment_data.get("public_key") != provider_sudo.liqpay_public_key:
            _logger.warning("Refused a LiqPay notification for another public key.")
            raise Forbidden()
        tx_sudo = request.env["payment.transaction"].sudo()._search_by_reference("liqpay", payment_data)
        if tx_sudo:
            if tx_sudo.provider_id != provider_sudo:
                _logger.warning(
                    "Refused a LiqPay notification signed by another provider than %s's.", tx_sudo.reference
                )
                raise Forbidden()
            tx_sudo._process("liqpay", payment_data)
        return ""
