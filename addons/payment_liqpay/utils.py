"""Pure helpers for the LiqPay API v3 envelope: `data` = base64(JSON) and
`signature` = base64(sha1(private_key + data + private_key))."""

import base64
import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation

from . import const


def encode_data(params):
    """Encode request parameters into the `data` field of LiqPay.

    :param dict params: The request parameters.
    :return: The base64-encoded JSON of the parameters.
    :rtype: str
    """
    return base64.b64encode(json.dumps(params).encode()).decode()


def decode_data(data):
    """Decode the `data` field sent by LiqPay.

    Decimal numbers are parsed as `Decimal` so that amounts never go through binary floats.

    :param str data: The base64-encoded JSON object.
    :return: The decoded object.
    :rtype: dict
    :raise ValueError: If `data` is not the base64 encoding of a JSON object.
    """
    # binascii.Error, UnicodeDecodeError and JSONDecodeError are all ValueError.
    try:
        payment_data = json.loads(base64.b64decode(data, validate=True), parse_float=Decimal)
    except RecursionError:  # arrays nested thousands deep
        raise ValueError("The data is nested too deep.") from None
    if not isinstance(payment_data, dict):
        raise ValueError("The data is not a JSON object.")
    return payment_data


def compute_signature(private_key, data):
    """Compute the signature of the `data` field.

    :param str private_key: The private key of the shop.
    :param str data: The `data` field, as sent or received.
    :return: base64(sha1(private_key + data + private_key)) of the raw SHA-1 digest.
    :rtype: str
    """
    digest = hashlib.sha1(f"{private_key}{data}{private_key}".encode()).digest()
    return base64.b64encode(digest).decode()


def check_signature(private_key, data, signature):
    """Tell in constant time whether `signature` is the signature of `data`.

    :param str private_key: The private key of the shop.
    :param str data: The received `data` field.
    :param str signature: The received `signature` field.
    :rtype: bool
    """
    expected_signature = compute_signature(private_key, data)
    return hmac.compare_digest(expected_signature.encode(), signature.encode())


def parse_amount(value):
    """Parse an amount received from LiqPay (JSON number or string) without float arithmetic.

    :param value: The received amount.
    :return: The amount, or None if it is missing or not a finite number.
    :rtype: Decimal | None
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def get_language(lang_code):
    """Return the language of the LiqPay checkout page for an Odoo language code.

    :param str lang_code: The Odoo language code, e.g. `uk_UA` or `en_US`.
    :return: `en` for English, the default language `uk` otherwise.
    :rtype: str
    """
    language = (lang_code or "").split("_")[0]
    return language if language in const.SUPPORTED_LANGUAGES else const.SUPPORTED_LANGUAGES[0]
