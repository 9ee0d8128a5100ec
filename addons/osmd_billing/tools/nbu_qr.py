"""NBU payment QR code, format 002 (UCT credit transfer), and its link form.

Data string: 13 elements separated by LF, in this order: ``BCD``, ``002``, ``1`` (UTF-8), ``UCT``,
BIC (empty), recipient name (≤ 70), IBAN, ``UAH`` + amount, recipient code (ЄДРПОУ / РНОКПП),
purpose code (empty), reference (empty), payment purpose (≤ 140), display (empty).
Link form: ``https://bank.gov.ua/qr/`` + base64url of the UTF-8 bytes, without padding.
"""

import base64
import re
from decimal import ROUND_HALF_UP, Decimal

LINK_PREFIX = "https://bank.gov.ua/qr/"
MAX_NAME = 70
MAX_PURPOSE = 140
IBAN_RE = re.compile(r"^UA\d{27}$")
CODE_RE = re.compile(r"^(\d{8}|\d{10}|[А-ЯІЇЄҐ]{2}\d{6}|\d{9})$")
MAX_AMOUNT = Decimal("999999999.99")


class QrError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def _clean(text):
    """One line of text: no line breaks, single spaces."""
    return re.sub(r"\s+", " ", (text or "").replace("\r", " ").replace("\n", " ")).strip()


def format_amount(amount):
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0 or value > MAX_AMOUNT:
        raise QrError("amount", f"amount {value} is outside 0–999 999 999.99")
    return f"UAH{value:.2f}"


def build_payload(name, iban, amount, code, purpose):
    """The format-002 data string (LF separated, every line ended by LF)."""
    name, purpose = _clean(name), _clean(purpose)
    iban = re.sub(r"\s+", "", iban or "").upper()
    code = _clean(code).replace(" ", "")
    if not name:
        raise QrError("name", "the recipient name is required")
    if not IBAN_RE.match(iban):
        raise QrError("iban", f"{iban} is not a Ukrainian IBAN")
    if not CODE_RE.match(code):
        raise QrError("code", f"{code} is not an EDRPOU/RNOKPP code")
    if not purpose:
        raise QrError("purpose", "the payment purpose is required")
    fields = [
        "BCD",
        "002",
        "1",
        "UCT",
        "",
        name[:MAX_NAME],
        iban,
        format_amount(amount) if amount is not None else "",
        code,
        "",
        "",
        purpose[:MAX_PURPOSE],
        "",
    ]
    return "\n".join(fields) + "\n"


def parse_payload(payload):
    """Split a format-002 data string back into its named fields (for checks and tests)."""
    lines = payload.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    keys = [
        "tag",
        "version",
        "encoding",
        "function",
        "bic",
        "name",
        "iban",
        "amount",
        "code",
        "purpose_code",
        "reference",
        "purpose",
        "display",
    ]
    if len(lines) != len(keys):
        raise QrError("payload", f"expected {len(keys)} elements, got {len(lines)}")
    return dict(zip(keys, lines, strict=True))


def payment_link(payload):
    return LINK_PREFIX + base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def purpose_text(account_number, period, label="Внески ОСББ"):
    """Payment purpose with the personal account number and the period: the key for matching payments."""
    return f"{label}, о/р {account_number}, {period.strftime('%m.%Y')}"
