"""Pure helpers of the payment-acceptance core: the holder's masked name, strict amounts, credentials."""

import hashlib
import hmac
import re
import secrets
from decimal import Decimal, InvalidOperation

KEY_PREFIX = "osmd"


def _lt(text):
    """Mark ``text`` for translation; the protocol adapter translates it (no Odoo here)."""
    return text


class GatewayError(Exception):
    """A refusal of the core, with a code every protocol adapter maps to its own (``NOT_FOUND`` → EasyPay −1,
    Privat Debt 2, …), a message and its parameters (translated by the caller)."""

    def __init__(self, code, message, **params):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


# code -> HTTP status of the JSON API
HTTP_STATUS = {
    "bad_request": 400,
    "bad_amount": 400,
    "unauthorized": 401,
    "bad_signature": 401,
    "forbidden": 403,
    "not_found": 404,
    "closed": 404,
    "conflict": 409,
    "cancel_refused": 409,
    "rate_limited": 429,
}


def mask_name(name):
    """'Шевченко Олена Петрівна' -> 'Шевч***о О.': enough for the payer to recognise the account, not enough to learn
    who lives there. A company name keeps its first word's first letters only."""
    words = [word for word in re.split(r"\s+", (name or "").strip()) if word]
    if not words:
        return ""
    surname = words[0]
    if len(surname) <= 2:
        masked = surname[:1] + "***"
    elif len(surname) <= 5:
        masked = surname[:2] + "***" + surname[-1]
    else:
        masked = surname[:4] + "***" + surname[-1]
    initials = "".join(f"{word[0].upper()}." for word in words[1:3] if word[0].isalpha())
    return f"{masked} {initials}".strip()


def parse_amount(value, maximum):
    """The amount of a payment from a JSON value (Decimal when parsed with ``parse_float=Decimal``, int or str):
    finite, more than zero, at most two decimals, at most ``maximum``. Raises GatewayError ``bad_amount``."""
    if isinstance(value, bool) or value is None:
        raise GatewayError("bad_amount", _lt("The amount is missing."))
    try:
        amount = Decimal(value) if isinstance(value, (int, Decimal)) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise GatewayError(
            "bad_amount", _lt("The amount %(amount)s is not a number."), amount=str(value)[:30]
        ) from None
    if not amount.is_finite():
        raise GatewayError("bad_amount", _lt("The amount %(amount)s is not a number."), amount=str(value)[:30])
    if amount <= 0:
        raise GatewayError("bad_amount", _lt("The amount must be more than zero."))
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise GatewayError(
            "bad_amount", _lt("The amount %(amount)s has more than two decimals."), amount=str(value)[:30]
        )
    if amount > Decimal(str(maximum)):
        raise GatewayError(
            "bad_amount",
            _lt("The amount %(amount)s is above the maximum of %(maximum)s."),
            amount=f"{amount:.2f}",
            maximum=f"{Decimal(str(maximum)):.2f}",
        )
    return amount.quantize(Decimal("0.01"))


def new_key():
    """A new agent key ``osmd_<index>_<secret>`` and what is stored of it: (key, index, sha256 hex of the key)."""
    index = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{index}_{secrets.token_urlsafe(32)}"
    return key, index, hash_key(key)


def hash_key(key):
    # a random 256-bit secret needs no slow hash (nothing to brute-force), only one that cannot be reversed
    return hashlib.sha256(key.encode()).hexdigest()


def key_index(key):
    """The public index of a key (to find its agent), or '' for anything that is not one of ours."""
    found = re.fullmatch(rf"{KEY_PREFIX}_([0-9a-f]{{8}})_[A-Za-z0-9_-]{{20,}}", key or "")
    return found.group(1) if found else ""


def key_matches(key, stored_hash):
    return bool(stored_hash) and hmac.compare_digest(hash_key(key), stored_hash)


def signature(secret, body):
    """HMAC-SHA256 of the raw request body, hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret, body, given):
    return bool(given) and hmac.compare_digest(signature(secret, body), given.strip().lower())
