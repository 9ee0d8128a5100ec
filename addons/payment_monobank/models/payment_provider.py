import time

from odoo import fields, models
from odoo.exceptions import ValidationError
from odoo.tools import urls

from odoo.addons.payment.logging import get_payment_logger

from .. import const, utils

_logger = get_payment_logger(__name__)

# a forged notification must not make us ask monobank for the key at every request: the key is fetched again at
# most once a minute per provider and worker (monobank rotates it rarely)
KEY_REFETCH_SECONDS = 60
_key_fetched_at = {}


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    code = fields.Selection(
        selection_add=[("monobank", "Monobank")],
        ondelete={"monobank": "set default"},
    )
    monobank_token = fields.Char(
        help="The merchant token (X-Token) from the monobank business cabinet; use the test token in test mode.",
        required_if_provider="monobank",
        copy=False,
        groups="base.group_system",
    )
    monobank_api_url = fields.Char(
        string="Monobank API URL",
        help="The base URL of the monobank acquiring API.",
        default=const.API_URL,
        required_if_provider="monobank",
        groups="base.group_system",
    )
    monobank_public_key = fields.Char(
        help="The key that verifies the signature of monobank notifications, as served by monobank "
        "(base64 of a PEM key). It is fetched and refreshed automatically.",
        copy=False,
        groups="base.group_system",
    )

    # === COMPUTE METHODS === #

    def _compute_feature_support_fields(self):
        """Override of `payment` to enable additional features."""
        res = super()._compute_feature_support_fields()
        self.filtered(lambda provider: provider.code == "monobank").update({"support_refund": "partial"})
        return res

    def _get_supported_currencies(self):
        """Override of `payment` to return the supported currencies."""
        supported_currencies = super()._get_supported_currencies()
        if self.code == "monobank":
            supported_currencies = supported_currencies.filtered(
                lambda currency: currency.name in const.SUPPORTED_CURRENCIES
            )
        return supported_currencies

    # === CRUD METHODS === #

    def _get_default_payment_method_codes(self):
        """Override of `payment` to return the default payment method codes."""
        self.ensure_one()
        if self.code != "monobank":
            return super()._get_default_payment_method_codes()
        return const.DEFAULT_PAYMENT_METHOD_CODES

    # === BUSINESS METHODS === #

    def _monobank_verify_signature(self, body, signature):
        """Tell whether a notification was signed by monobank for this provider's merchant.

        The cached public key is tried first. When it fails, the key is fetched once again, as
        monobank may have rotated it, and the signature is checked with the new key if it differs.

        Note: `self.ensure_one()`

        :param bytes body: The raw body of the notification.
        :param str signature: The `X-Sign` header of the notification.
        :return: Whether the signature is valid.
        :rtype: bool
        """
        self.ensure_one()
        if self.monobank_public_key and utils.verify_signature(self.monobank_public_key, body, signature):
            return True
        now = time.monotonic()
        if self.monobank_public_key and now - _key_fetched_at.get(self.id, -KEY_REFETCH_SECONDS) < KEY_REFETCH_SECONDS:
            return False
        _key_fetched_at[self.id] = now
        try:
            public_key = self._monobank_fetch_public_key()
        except ValidationError as error:
            _logger.warning("Could not fetch the monobank public key of provider %s: %s", self.id, error)
            return False
        if public_key == self.monobank_public_key:
            return False
        self.monobank_public_key = public_key
        return utils.verify_signature(public_key, body, signature)

    def _monobank_fetch_public_key(self):
        """Fetch the merchant public key that verifies the signature of monobank notifications.

        :return: The key, base64 of a PEM key.
        :rtype: str
        :raise ValidationError: If the request fails or the answer holds no key.
        """
        public_key = self._send_api_request("GET", "api/merchant/pubkey").get("key")
        if not public_key:
            raise ValidationError(self.env._("monobank returned no public key."))
        return public_key

    # === REQUEST HELPERS === #

    def _build_request_url(self, endpoint, **kwargs):
        """Override of `payment` to build the request URL."""
        if self.code != "monobank":
            return super()._build_request_url(endpoint, **kwargs)
        return urls.urljoin(self.monobank_api_url, endpoint)

    def _build_request_headers(self, method, endpoint, payload, **kwargs):
        """Override of `payment` to build the request headers."""
        if self.code != "monobank":
            return super()._build_request_headers(method, endpoint, payload, **kwargs)
        return {"X-Token": self.monobank_token}

    def _parse_response_error(self, response):
        """Override of `payment` to parse the error message: monobank answers {errCode, errText}."""
        if self.code != "monobank":
            return super()._parse_response_error(response)
        error = response.json()
        if isinstance(error, dict) and error.get("errText"):
            return error["errText"]
        return response.text
