from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.payment_liqpay.tests.common import LiqPayCommon


@tagged("post_install", "-at_install")
class TestPaymentProvider(LiqPayCommon):
    def test_supported_currencies(self):
        self.assertEqual(set(self.provider.available_currency_ids.mapped("name")), {"UAH", "USD", "EUR"})
        compatible_providers = self.env["payment.provider"]._get_compatible_providers(
            self.company_id, self.partner.id, self.amount, currency_id=self.env.ref("base.AFN").id
        )
        self.assertNotIn(self.provider, compatible_providers)

    def test_refund_is_partial(self):
        self.assertEqual(self.provider.support_refund, "partial")

    def test_default_payment_methods(self):
        self.assertEqual(self.provider._get_default_payment_method_codes(), {"card", "visa", "mastercard"})
        self.assertIn(self.env.ref("payment.payment_method_card"), self.provider.payment_method_ids)

    def test_credentials_required_to_enable(self):
        self.provider.state = "disabled"
        self.provider.liqpay_private_key = False
        with self.assertRaises(ValidationError):
            self.provider.state = "enabled"

    def test_api_url_builds_checkout_and_request_urls(self):
        self.assertEqual(self.provider._build_request_url("3/checkout"), f"{self.api_url}3/checkout")
        self.provider.liqpay_api_url = "https://www.liqpay.ua/api/"
        self.assertEqual(self.provider._build_request_url("request"), "https://www.liqpay.ua/api/request")

    def test_find_provider_by_signature(self):
        fields = self._sign_fields(self._make_payment_data())
        find = self.env["payment.provider"]._liqpay_find_by_signature
        self.assertEqual(find(fields["data"], fields["signature"]), self.provider)
        self.assertFalse(find(fields["data"], self._sign_fields({}, private_key="forged")["signature"]))
