"""Phone numbers of residents, normalised to E.164 (+380…) with phonenumbers."""

import phonenumbers


class PhoneError(ValueError):
    pass


def normalize_phone(raw, region="UA"):
    """Return the E.164 form of ``raw`` (``+380671234567``) or raise PhoneError.

    Accepts the ways Ukrainians write numbers: ``067 123 45 67``,
    ``(067) 123-45-67``, ``380671234567``, ``+38 067 123 45 67``.
    """
    text = (raw or "").strip()
    if not text:
        raise PhoneError("empty phone number")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("380") and len(digits) == 12:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"not a phone number: {raw}") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"not a valid phone number: {raw}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
