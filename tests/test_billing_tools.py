"""osmd_billing tools: proration, amounts in Ukrainian words, NBU QR payload, penalties, number format."""

import base64
from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture(name="proration")
def proration_fixture(load_tool):
    return load_tool("osmd_billing", "proration")


@pytest.fixture(name="words")
def words_fixture(load_tool):
    return load_tool("osmd_billing", "amount_words")


@pytest.fixture(name="qr")
def qr_fixture(load_tool):
    return load_tool("osmd_billing", "nbu_qr")


@pytest.fixture(name="penalty")
def penalty_fixture(load_tool):
    return load_tool("osmd_billing", "penalty")


# ---------------------------------------------------------------- proration


def test_month_bounds(proration):
    assert proration.month_bounds(date(2026, 2, 17)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert proration.month_bounds(date(2024, 2, 5)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert proration.month_bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_active_days_and_factor(proration):
    march = date(2026, 3, 1)
    assert proration.active_days(march) == (31, 31)
    assert proration.active_days(march, date(2026, 3, 17)) == (15, 31)
    assert proration.active_days(march, None, date(2026, 3, 10)) == (10, 31)
    assert proration.active_days(march, date(2026, 3, 5), date(2026, 3, 5)) == (1, 31)
    assert proration.active_days(march, date(2026, 4, 1)) == (0, 31)
    assert proration.active_days(march, date(2025, 1, 1), date(2026, 2, 28)) == (0, 31)
    assert proration.proration_factor(march, date(2026, 3, 17)) == Decimal(15) / Decimal(31)
    assert proration.proration_factor(march) == 1


def test_split_by_ranges(proration):
    march = date(2026, 3, 1)
    pieces = proration.split_by_ranges(
        march,
        [
            (date(2026, 3, 16), None, "new"),
            (date(2025, 1, 1), date(2026, 3, 15), "old"),
            (date(2024, 1, 1), date(2024, 12, 31), "ancient"),
        ],
    )
    assert pieces == [
        (date(2026, 3, 1), date(2026, 3, 15), 15, "old"),
        (date(2026, 3, 16), date(2026, 3, 31), 16, "new"),
    ]
    assert sum(piece[2] for piece in pieces) == 31


# ---------------------------------------------------------------- amount in words


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1", "Одна гривня 00 копійок"),
        ("2", "Дві гривні 00 копійок"),
        ("5", "П'ять гривень 00 копійок"),
        ("21", "Двадцять одна гривня 00 копійок"),
        ("1000000.01", "Один мільйон гривень 01 копійка"),
        ("1234.56", "Одна тисяча двісті тридцять чотири гривні 56 копійок"),
    ],
)
def test_amount_in_words(words, amount, expected):
    assert words.amount_in_words_uah(Decimal(amount)) == expected


def test_amount_in_words_kopecks_in_words_and_negative(words):
    assert words.amount_in_words_uah(Decimal("2.02"), kopecks_in_digits=False) == "Дві гривні, дві копійки"
    assert words.amount_in_words_uah(Decimal("-3")) == "Мінус три гривні 00 копійок"
    # an int is hryvnias, not kopecks
    assert words.amount_in_words_uah(5) == "П'ять гривень 00 копійок"


# ---------------------------------------------------------------- NBU QR


def test_nbu_payload_field_by_field(qr):
    payload = qr.build_payload(
        "ОСББ «Хрещатик 10»",
        "UA21 3223 1300 0002 6007 2335 6600 1",
        Decimal("1234.5"),
        "12345678",
        "Внески ОСББ, о/р 000123, 03.2026",
    )
    lines = payload.split("\n")
    assert lines[-1] == "" and len(lines) == 14, "13 elements, each ended by LF"
    assert lines[:13] == [
        "BCD",
        "002",
        "1",
        "UCT",
        "",
        "ОСББ «Хрещатик 10»",
        "UA213223130000026007233566001",
        "UAH1234.50",
        "12345678",
        "",
        "",
        "Внески ОСББ, о/р 000123, 03.2026",
        "",
    ]
    fields = qr.parse_payload(payload)
    assert fields["iban"] == "UA213223130000026007233566001"
    assert fields["amount"] == "UAH1234.50"
    assert fields["purpose"].startswith("Внески ОСББ, о/р 000123")


def test_nbu_payload_limits_and_link(qr):
    payload = qr.build_payload("Я" * 100, "UA213223130000026007233566001", None, "1234567890", "P\nx" * 100)
    fields = qr.parse_payload(payload)
    assert len(fields["name"]) == 70
    assert 139 <= len(fields["purpose"]) <= 140 and "\n" not in fields["purpose"], "cut at 140, no trailing space"
    assert fields["amount"] == ""
    link = qr.payment_link(payload)
    assert link.startswith("https://bank.gov.ua/qr/") and not link.endswith("=")
    encoded = link.removeprefix("https://bank.gov.ua/qr/")
    assert base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8") == payload
    assert qr.purpose_text("000123", date(2026, 3, 1), "osbb") == "Оплата внесків ОСББ, о/р 000123, березень 2026"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "UA213223130000026007233566001", 1, "12345678", "x"), "name"),
        (("N", "UA2132231300000260072335660", 1, "12345678", "x"), "iban"),
        (("N", "UA213223130000026007233566001", 1, "1234", "x"), "code"),
        (("N", "UA213223130000026007233566001", 1, "12345678", " "), "purpose"),
        (("N", "UA213223130000026007233566001", -1, "12345678", "x"), "amount"),
    ],
)
def test_nbu_payload_refuses_bad_fields(qr, args, field):
    with pytest.raises(qr.QrError) as error:
        qr.build_payload(*args)
    assert error.value.field == field


# ---------------------------------------------------------------- penalty


def test_penalty_starts_on_first_business_day(penalty):
    # deadline Friday 20.03.2026: accrual from Monday 23.03 to 31.03 = 9 days
    amount, days = penalty.penalty_for_debt(
        Decimal("1000"), date(2026, 3, 20), date(2026, 3, 1), date(2026, 3, 31), Decimal("0.01")
    )
    assert days == 9
    assert amount == Decimal("0.90")
    assert penalty.first_business_day_after(date(2026, 3, 20), holidays={date(2026, 3, 23)}) == date(2026, 3, 24)


def test_penalty_cap(penalty):
    # 1 % a day for a year would be 365 % of the debt: capped at 100 %, minus what was already charged
    amount, days = penalty.penalty_for_debt(
        Decimal("200"),
        date(2025, 1, 1),
        date(2025, 1, 1),
        date(2025, 12, 31),
        Decimal("1"),
        already_charged=Decimal("150"),
    )
    assert days > 100
    assert amount == Decimal("50.00")
    amount, _days = penalty.penalty_for_debt(
        Decimal("200"),
        date(2025, 1, 1),
        date(2025, 1, 1),
        date(2025, 12, 31),
        Decimal("1"),
        already_charged=Decimal("200"),
    )
    assert amount == 0


def test_penalty_suspension(penalty):
    # deadline Tue 10.03.2026, accrual 11.03–31.03 = 21 days; a moratorium 16.03–25.03 removes 10
    amount, days = penalty.penalty_for_debt(
        Decimal("1000"),
        date(2026, 3, 10),
        date(2026, 3, 1),
        date(2026, 3, 31),
        Decimal("0.01"),
        suspensions=[(date(2026, 3, 16), date(2026, 3, 25))],
    )
    assert days == 11
    assert amount == Decimal("1.10")
    # an open-ended suspension stops everything
    amount, days = penalty.penalty_for_debt(
        Decimal("1000"),
        date(2026, 3, 10),
        date(2026, 3, 1),
        date(2026, 3, 31),
        Decimal("0.01"),
        suspensions=[(date(2026, 3, 1), None)],
    )
    assert (amount, days) == (0, 0)
    assert penalty.penalty_for_debt(Decimal("0"), date(2026, 3, 10), date(2026, 3, 1), date(2026, 3, 31), 1) == (0, 0)


# ---------------------------------------------------------------- number format


def test_fmt_number(load_tool):
    formatting = load_tool("osmd_billing", "formatting")
    assert formatting.fmt_number(Decimal("52.3"), 2) == "52,30"
    assert formatting.fmt_number(Decimal("1234.5"), 2) == "1\u00a0234,50"
    assert formatting.fmt_number(Decimal("13.000")) == "13"
    assert formatting.fmt_number(Decimal("3.20")) == "3,2"
    assert formatting.fmt_number(Decimal("1E+1")) == "10"
