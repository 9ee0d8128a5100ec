"""Pure helpers for the monobank acquiring API (no ORM)."""

import base64

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from dateutil import parser, tz


def verify_signature(public_key, body, signature):
    """Tell whether `signature` is monobank's ECDSA (P-256, SHA-256) signature of `body`.

    :param str public_key: The merchant public key as monobank serves it: base64 of a PEM key.
    :param bytes body: The raw body of the notification, byte for byte as received.
    :param str signature: The base64-encoded DER signature (`X-Sign` header).
    :return: Whether the signature is valid; a malformed key or signature is not.
    :rtype: bool
    """
    try:
        key = serialization.load_pem_public_key(base64.b64decode(public_key, validate=True))
        signature = base64.b64decode(signature, validate=True)
    except (TypeError, ValueError, UnsupportedAlgorithm):  # binascii.Error is a ValueError.
        return False
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(signature, body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def parse_datetime(value):
    """Parse an ISO 8601 date of monobank into a naive UTC datetime, the ORM's format.

    :param str value: The date, e.g. "2025-01-31T10:00:00Z".
    :return: The datetime, truncated to the second like Datetime fields, or None if unparsable.
    :rtype: datetime.datetime|None
    """
    try:
        moment = parser.isoparse(value)
        if moment.tzinfo:
            # 0001-01-01T00:00:00+05:00 is before year 1 in UTC: OverflowError, a date that cannot be
            moment = moment.astimezone(tz.UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError):
        return None
    return moment.replace(microsecond=0)
