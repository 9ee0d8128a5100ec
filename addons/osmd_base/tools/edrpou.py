"""Ukrainian identifiers: ЄДРПОУ code and UA IBAN."""

import re

from stdnum.exceptions import ValidationError
from stdnum.ua import edrpou as std_edrpou

UA_IBAN_RE = re.compile(r"^UA\d{27}$")


def clean_edrpou(value):
    """Return the 8-digit ЄДРПОУ code with a valid check digit, or raise ValueError."""
    try:
        return std_edrpou.validate(value)
    except ValidationError as exc:
        raise ValueError(str(exc) or "invalid EDRPOU") from exc


def iban_checksum_ok(compact):
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def clean_ua_iban(value):
    """Return a compact Ukrainian IBAN (UA + 27 digits) or raise ValueError."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not UA_IBAN_RE.match(compact):
        raise ValueError("a Ukrainian IBAN is UA followed by 27 digits")
    if not iban_checksum_ok(compact):
        raise ValueError("the IBAN check digits are wrong")
    return compact
