"""NBU payment QR code, format 002 (UCT credit transfer), and its link form.

Data string: 13 elements separated by LF, in this order: ``BCD``, ``002``, ``1`` (UTF-8), ``UCT``,
BIC (empty), recipient name (≤ 70), IBAN, ``UAH`` + amount, recipient code (ЄДРПОУ / РНОКПП),
purpose code (empty), reference (empty), payment purpose (≤ 140), display (empty).
Amount: ``UAH`` then the amount with a dot and exactly two decimals (``UAH1234.50``), 0–999 999 999.99.

Link form (what the QR image holds, what phone cameras and the banks' apps open):
``https://bank.gov.ua/qr/`` + base64url (RFC 4648 §5 alphabet ``-`` ``_``) of the UTF-8 bytes of the data
string, without ``=`` padding, the whole link at most 507 characters (the limit the implementations of the
NBU rules of 19.08.2025 apply; a longer payment purpose is shortened to fit).
"""

import base64
import re
from decimal import ROUND_HALF_UP, Decimal

LINK_PREFIX = "https://bank.gov.ua/qr/"
MAX_LINK = 507
MAX_NAME = 70
MAX_PURPOSE = 140
# nominative month names: the payment purpose is written in Ukrainian whatever the document language
MONTHS_UK = (
    "січень",
    "лютий",
    "березень",
    "квітень",
    "травень",
    "червень",
    "липень",
    "серпень",
    "вересень",
    "жовтень",
    "листопад",
    "грудень",
)
# what is paid, by association kind (res.company.osmd_kind); other or no kind: housing and utility services
PURPOSE_LABELS = {
    "osbb": "Оплата внесків ОСББ",
    "zhbk": "Оплата внесків ЖБК",
    "management": "Оплата послуг з управління будинком",
    "dormitory": "Оплата за проживання та послуги гуртожитку",
    "departmental": "Оплата житлово-комунальних послуг",
}
DEFAULT_PURPOSE_LABEL = "Оплата житлово-комунальних послуг"
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
    purpose = purpose[:MAX_PURPOSE].rstrip()
    payload = _join(name, iban, amount, code, purpose)
    # the link must stay within MAX_LINK: shorten the purpose (never the name, IBAN, amount or code)
    while len(payment_link(payload)) > MAX_LINK and len(purpose) > 1:
        purpose = purpose[:-1].rstrip()
        payload = _join(name, iban, amount, code, purpose)
    return payload


def _join(name, iban, amount, code, purpose):
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
        purpose,
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
    """The link of a format-002 data string: what the QR image encodes."""
    return LINK_PREFIX + base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def parse_link(link):
    """The format-002 data string of a payment link (for checks and tests)."""
    if not link.startswith(LINK_PREFIX):
        raise QrError("link", f"{link} is not an NBU payment link")
    encoded = link.removeprefix(LINK_PREFIX)
    if "=" in encoded or not re.fullmatch(r"[A-Za-z0-9_-]*", encoded):
        raise QrError("link", "the link is not base64url without padding")
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")


def month_label_uk(period):
    """``date(2026, 11, 1)`` -> 'листопад 2026'."""
    return f"{MONTHS_UK[period.month - 1]} {period.year}"


def purpose_text(account_number, period, kind=None):
    """Payment purpose in Ukrainian: what is paid (by association kind), the personal account number and the
    period, e.g. 'Оплата внесків ОСББ, о/р 123, листопад 2026' (the key for matching bank payments)."""
    label = PURPOSE_LABELS.get(kind, DEFAULT_PURPOSE_LABEL)
    return f"{label}, о/р {account_number}, {month_label_uk(period)}"
