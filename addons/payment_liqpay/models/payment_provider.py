from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import urls

from .. import const, utils


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    code = fields.Selection(selection_add=[("liqpay", "LiqPay")], ondelete={"liqpay": "set default"})
    liqpay_public_key = fields.Char(
        string="LiqPay Public Key",
        help="The public key of the shop, from the API settings of the LiqPay business cabinet.",
        required_if_provider="liqpay",
        copy=False,
        groups="base.group_system",
    )
    liqpay_private_key = fields.Char(
        string="LiqPay Private Key",
        help="The private key of the shop, from the API settings of the LiqPay business cabinet.",
        required_if_provider="liqpay",
        copy=False,
        groups="base.group_system",
    )
    liqpay_api_url = fields.Char(
        string="LiqPay API URL",
        help="The base URL of the LiqPay API, under which the checkout and the server API live. "
        "Change it only to point to a test server.",
        required_if_provider="liqpay",
        default=const.API_URL,
        groups="base.group_system",
    )

    # === COMPUTE METHODS === #

    def _compute_feature_support_fields(self):
        """Override of `payment` to enable additional features."""
        res = super()._compute_feature_support_fields()
        self.filtered(lambda p: p.code == "liqpay").support_refund = "partial"
        return res

    def _get_supported_currencies(self):
        """Override of `payment` to return the supported currencies."""
        supported_currencies = super()._get_supported_currencies()
        if self.code == "liqpay":
            supported_currencies = supported_currencies.filtered(lambda c: c.name in const.SUPPORTED_CURRENCIES)
        return supported_currencies

    # === CRUD METHODS === #

    def _get_default_payment_method_codes(self):
        """Override of `payment` to return the default payment method codes."""
        self.ensure_one()
        if self.code != "liqpay":
            return super()._get_default_payment_method_codes()
        return const.DEFAULT_PAYMENT_METHOD_CODES

    # === BUSINESS METHODS === #

    @api.model
    def _liqpay_find_by_signature(self, data, signature):
        """Return the LiqPay provider whose private key produced the signature of the data.

        The signature is checked before the data is even decoded: it is the only way to know which
        provider (company) a notification is meant for without trusting its content.

        :param str data: The received `data` field.
        :param str signature: The received `signature` field.
        :return: The matching provider, if any.
        :rtype: payment.provider
        """
        providers = self.search([("code", "=", "liqpay"), ("liqpay_private_key", "!=", False)])
        return providers.filtered(lambda p: utils.check_signature(p.liqpay_private_key, data, signature))[:1]

    def _liqpay_prepare_request_fields(self, params):
        """Return the signed form fields (`data` and `signature`) of a LiqPay request.

        Note: `self.ensure_one()`

        :param dict params: The action-specific parameters of the request.
        :return: The form fields.
        :rtype: dict
        """
        self.ensure_one()
        data = utils.encode_data(
            {"version": const.API_VERSION, "public_key": self.liqpay_public_key, **params},
        )
        return {"data": data, "signature": utils.compute_signature(self.liqpay_private_key, data)}

    # === REQUEST HELPERS === #

    def _build_request_url(self, endpoint, **kwargs):
        """Override of `payment` to build the request URL."""
        if self.code != "liqpay":
            return super()._build_request_url(endpoint, **kwargs)
        return urls.urljoin(self.liqpay_api_url, endpoint)

    def _parse_response_content(self, response, **kwargs):
        """Override of `payment` to parse the amounts of the answer as decimals and to refuse an
        answer that is not a JSON object."""
        if self.code != "liqpay":
            return super()._parse_response_content(response, **kwargs)
        try:
            content = response.json(parse_float=Decimal)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            raise ValidationError(self.env._("LiqPay sent an answer that could not be read."))
        return content
