import base64
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from odoo.addons.payment_liqpay import utils


@tagged("post_install", "-at_install")
class TestUtils(BaseCase):
    def test_signature_known_vector(self):
        """The envelope matches a vector computed independently with base64 and openssl:
        echo -n "$PK$DATA$PK" | openssl dgst -binary -sha1 | base64"""
        params = {"version": 3, "public_key": "i00000000", "action": "status", "order_id": "S00042"}
        data = utils.encode_data(params)
        self.assertEqual(
            data,
            "eyJ2ZXJzaW9uIjogMywgInB1YmxpY19rZXkiOiAiaTAwMDAwMDAwIiwgImFjdGlvbiI6ICJzdGF0dXMiLCAib3JkZXJfaWQiOiAiUzAwMDQyIn0=",
        )
        self.assertEqual(utils.compute_signature("test_private_key_0123", data), "VSbPQetI6SWRf97K433/QBHskK8=")
        self.assertTrue(utils.check_signature("test_private_key_0123", data, "VSbPQetI6SWRf97K433/QBHskK8="))
        self.assertFalse(utils.check_signature("test_private_key_0123", data, "VSbPQetI6SWRf97K433/QBHskK9="))
        self.assertFalse(utils.check_signature("another_private_key", data, "VSbPQetI6SWRf97K433/QBHskK8="))
        self.assertFalse(utils.check_signature("test_private_key_0123", data, "підпис"))
        self.assertEqual(utils.decode_data(data), params)

    def test_decode_data_parses_amounts_as_decimals(self):
        data = base64.b64encode(b'{"amount": 1111.11, "currency": "UAH"}').decode()
        self.assertEqual(utils.decode_data(data), {"amount": Decimal("1111.11"), "currency": "UAH"})

    def test_decode_data_refuses_malformed_data(self):
        for data in (
            "not base64!",
            "дані",
            base64.b64encode(b"not json").decode(),
            base64.b64encode(b"\xff\xfe").decode(),
            base64.b64encode(b'["a", "list"]').decode(),
        ):
            with self.subTest(data=data), self.assertRaises(ValueError):
                utils.decode_data(data)

    def test_parse_amount(self):
        self.assertEqual(utils.parse_amount("1111.11"), Decimal("1111.11"))
        self.assertEqual(utils.parse_amount(Decimal("0.10")), Decimal("0.10"))
        self.assertEqual(utils.parse_amount(15), Decimal(15))
        for value in (None, True, "", "abc", "NaN", "Infinity", [1]):
            with self.subTest(value=value):
                self.assertIsNone(utils.parse_amount(value))

    def test_get_language(self):
        for lang_code, language in (("uk_UA", "uk"), ("en_US", "en"), ("en_GB", "en"), ("fr_FR", "uk"), (False, "uk")):
            with self.subTest(lang_code=lang_code):
                self.assertEqual(utils.get_language(lang_code), language)
