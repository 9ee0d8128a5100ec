"""osmd_billing NBU payment QR: the image holds the bank.gov.ua link, the link holds every field.

The rendered PNG is decoded back with zxing-cpp (requirements-dev.txt), the link's base64url back to the
format-002 data string, and that back to each field.
"""

import base64
import io
from datetime import date
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image

IBAN = "UA213223130000026007233566001"
EDRPOU = "32855961"


@pytest.fixture(name="qr")
def qr_fixture(load_tool):
    return load_tool("osmd_billing", "nbu_qr")


@pytest.fixture(name="image")
def image_fixture(load_tool):
    return load_tool("osmd_billing", "qr_image")


def _decode(png):
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("RGB"))
    assert len(results) == 1, "exactly one QR code in the image"
    return results[0]


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("osbb", "Оплата внесків ОСББ"),
        ("zhbk", "Оплата внесків ЖБК"),
        ("management", "Оплата послуг з управління будинком"),
        ("dormitory", "Оплата за проживання та послуги гуртожитку"),
        ("departmental", "Оплата житлово-комунальних послуг"),
        (None, "Оплата житлово-комунальних послуг"),
    ],
)
def test_purpose_by_association_kind(qr, kind, label):
    assert qr.purpose_text("123", date(2026, 11, 1), kind) == f"{label}, о/р 123, листопад 2026"


def test_month_names_nominative(qr):
    assert [qr.month_label_uk(date(2026, month, 1)) for month in (1, 2, 3, 12)] == [
        "січень 2026",
        "лютий 2026",
        "березень 2026",
        "грудень 2026",
    ]


def test_image_holds_link_and_link_every_field(qr, image):
    purpose = qr.purpose_text("000123", date(2026, 11, 1), "osbb")
    payload = qr.build_payload('ОСББ "Хрещатик 10"', IBAN, Decimal("1319.37"), EDRPOU, purpose)
    link = qr.payment_link(payload)
    decoded = _decode(image.qr_png(link))
    assert decoded.text == link, "the QR image encodes the payment link, not the raw data string"
    assert decoded.ec_level == "Q"
    assert 10 <= int(decoded.extra["Version"]) <= 20 and decoded.text.startswith("https://bank.gov.ua/qr/")
    encoded = decoded.text.removeprefix("https://bank.gov.ua/qr/")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded, "base64url without padding"
    assert qr.parse_link(decoded.text) == payload
    assert base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8") == payload
    assert qr.parse_payload(qr.parse_link(decoded.text)) == {
        "tag": "BCD",
        "version": "002",
        "encoding": "1",
        "function": "UCT",
        "bic": "",
        "name": 'ОСББ "Хрещатик 10"',
        "iban": IBAN,
        "amount": "UAH1319.37",
        "code": EDRPOU,
        "purpose_code": "",
        "reference": "",
        "purpose": "Оплата внесків ОСББ, о/р 000123, листопад 2026",
        "display": "",
    }


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("0"), "UAH0.00"),
        (Decimal("5"), "UAH5.00"),
        (Decimal("606.475"), "UAH606.48"),
        ("123.45", "UAH123.45"),
        (Decimal("999999999.99"), "UAH999999999.99"),
    ],
)
def test_amount_format(qr, amount, text):
    assert qr.format_amount(amount) == text


def test_long_fields_fit_link_limit_and_symbol_version(qr, image):
    """A 70-letter Cyrillic name and a long Cyrillic purpose: the link stays within 507 characters (the
    purpose is shortened, never the name, IBAN, amount or code) and the QR within version 20."""
    payload = qr.build_payload("Я" * 90, IBAN, Decimal("1.5"), EDRPOU, "Ж" * 200)
    link = qr.payment_link(payload)
    assert len(link) <= qr.MAX_LINK
    fields = qr.parse_payload(qr.parse_link(link))
    assert fields["name"] == "Я" * 70
    assert fields["amount"] == "UAH1.50"
    assert fields["code"] == EDRPOU
    assert 0 < len(fields["purpose"]) < 140 and set(fields["purpose"]) == {"Ж"}
    decoded = _decode(image.qr_png(link))
    assert decoded.text == link
    assert 10 <= int(decoded.extra["Version"]) <= 20, "symbol versions 10-20 (NBU rules)"


def test_parse_link_refuses_other_links(qr):
    with pytest.raises(qr.QrError):
        qr.parse_link("https://example.com/qr/QkNE")
    with pytest.raises(qr.QrError):
        qr.parse_link("https://bank.gov.ua/qr/QkNE==")
