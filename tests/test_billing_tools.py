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


def _debt(penalty, base="1000", total=None, payments=()):
    base = Decimal(base)
    reductions = [penalty.Reduction(day, Decimal(amount)) for day, amount in payments]
    return penalty.DebtByDay(base, Decimal(total) if total else base, reductions)


def test_penalty_starts_on_first_business_day_and_stops_before_the_run(penalty):
    # deadline Friday 20.03.2026: accrual from Monday 23.03
    assert penalty.penalty_start(date(2026, 3, 20)) == date(2026, 3, 23)
    assert penalty.first_business_day_after(date(2026, 3, 20), holidays={date(2026, 3, 23)}) == date(2026, 3, 24)
    # a run computed on 04.12 counts the days up to 03.12; one computed after its period up to its last day
    assert penalty.penalty_cutoff(date(2026, 12, 4), date(2026, 12, 31)) == date(2026, 12, 3)
    assert penalty.penalty_cutoff(date(2027, 1, 5), date(2026, 12, 31)) == date(2026, 12, 31)
    result = penalty.invoice_penalty(date(2026, 3, 23), date(2026, 3, 31), _debt(penalty), Decimal("0.01"))
    assert (result.days, result.amount, result.date_from, result.date_to) == (
        9,
        Decimal("0.90"),
        date(2026, 3, 23),
        date(2026, 3, 31),
    )
    # nothing before the first day of delay
    result = penalty.invoice_penalty(date(2026, 12, 21), date(2026, 12, 3), _debt(penalty), Decimal("0.01"))
    assert (result.days, result.amount, result.segments) == (0, 0, [])


def test_penalty_days_never_charged_twice_nor_lost(penalty):
    """The issue's case: September's 1 000.00 charged by the runs of 10, 11, 12 (computed 04.12) and 01."""
    rate, debt, start = Decimal("0.01"), _debt(penalty), date(2026, 10, 21)
    prior, amounts = [], []
    for cutoff in (date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 3), date(2027, 1, 3)):
        result = penalty.invoice_penalty(start, cutoff, debt, rate, prior=prior)
        assert result.correction == 0
        prior.append(penalty.PriorCharge(result.date_from, result.date_to, result.amount))
        amounts.append(result.amount)
    assert amounts == [Decimal("1.10"), Decimal("3.00"), Decimal("0.30"), Decimal("3.10")]
    assert [(p.date_from, p.date_to) for p in prior][2:] == [
        (date(2026, 12, 1), date(2026, 12, 3)),
        (date(2026, 12, 4), date(2027, 1, 3)),
    ]
    # a run computed again on the same day gives the same; one computed earlier than the last charge, nothing new
    again = penalty.invoice_penalty(start, date(2027, 1, 3), debt, rate, prior=prior[:3])
    assert again.amount == Decimal("3.10")
    assert penalty.invoice_penalty(start, date(2026, 12, 20), debt, rate, prior=prior).amount == 0


def test_penalty_base_is_each_days_debt(penalty):
    # 600.00 paid on 10.11 (value date): 01.11–09.11 on 1 000.00, 10.11–30.11 on 400.00
    debt = _debt(penalty, payments=[(date(2026, 11, 10), "600")])
    assert debt.on(date(2026, 11, 9)) == Decimal(1000)
    assert debt.on(date(2026, 11, 10)) == Decimal(400)
    result = penalty.invoice_penalty(date(2026, 11, 1), date(2026, 11, 30), debt, Decimal("0.01"))
    assert [(s.date_from, s.date_to, s.days, s.debt, s.amount) for s in result.segments] == [
        (date(2026, 11, 1), date(2026, 11, 9), 9, Decimal(1000), Decimal("0.90")),
        (date(2026, 11, 10), date(2026, 11, 30), 21, Decimal(400), Decimal("0.84")),
    ]
    assert result.amount == Decimal("1.74")
    # payments cover the invoice's own penalty lines first: 1 000.60 with 0.60 of penalty, 0.60 paid
    debt = _debt(penalty, "1000", "1000.60", payments=[(date(2026, 11, 10), "0.60")])
    assert debt.on(date(2026, 11, 11)) == Decimal(1000)
    # paid in full: no day, no segment
    debt = _debt(penalty, payments=[(date(2026, 11, 1), "1000")])
    assert penalty.invoice_penalty(date(2026, 11, 1), date(2026, 11, 30), debt, Decimal("0.01")).amount == 0


def test_penalty_late_payment_is_corrected(penalty):
    rate, start = Decimal("0.01"), date(2026, 10, 21)
    prior = [
        penalty.PriorCharge(date(2026, 10, 21), date(2026, 10, 31), Decimal("1.10")),
        penalty.PriorCharge(date(2026, 11, 1), date(2026, 11, 30), Decimal("3.00")),
    ]
    # the payment of 10.11 is booked after the November run
    debt = _debt(penalty, payments=[(date(2026, 11, 10), "1000")])
    result = penalty.invoice_penalty(start, date(2026, 12, 3), debt, rate, prior=prior, late_dates=[date(2026, 11, 10)])
    assert result.recomputed == Decimal("2.00")
    assert result.correction == Decimal("-2.10")
    assert (result.recomputed_from, result.recomputed_to) == (date(2026, 10, 21), date(2026, 11, 30))
    assert result.late_dates == [date(2026, 11, 10)]
    assert result.amount == 0 and result.total == Decimal("-2.10")
    # once corrected, the next run finds nothing more to correct
    prior.append(penalty.PriorCharge(None, None, Decimal("-2.10")))
    assert penalty.invoice_penalty(start, date(2027, 1, 3), debt, rate, prior=prior).correction == 0
    # charges made before the days were recorded are kept as they are
    fixed = [penalty.PriorCharge(date(2026, 11, 1), date(2026, 11, 30), Decimal("3.00"), fixed=True)]
    result = penalty.invoice_penalty(date(2026, 11, 1), date(2026, 12, 3), debt, rate, prior=fixed)
    assert result.correction == 0


def test_penalty_cap_across_runs(penalty):
    # 2 % a day, cap 50 % of 1 000.00: 220.00, then 280.00 instead of 600.00, then nothing
    rate, cap, debt, start = Decimal(2), Decimal("0.5"), _debt(penalty), date(2026, 10, 21)
    first = penalty.invoice_penalty(start, date(2026, 10, 31), debt, rate, cap)
    assert (first.amount, first.capped) == (Decimal("220.00"), False)
    prior = [penalty.PriorCharge(first.date_from, first.date_to, first.amount)]
    second = penalty.invoice_penalty(start, date(2026, 11, 30), debt, rate, cap, prior=prior)
    assert (second.amount, second.capped, second.correction) == (Decimal("280.00"), True, 0)
    prior.append(penalty.PriorCharge(second.date_from, second.date_to, second.amount))
    third = penalty.invoice_penalty(start, date(2026, 12, 31), debt, rate, cap, prior=prior)
    assert (third.amount, third.correction) == (0, 0)


def test_penalty_suspension(penalty):
    # deadline Tue 10.03.2026, accrual 11.03–31.03 = 21 days; a moratorium 16.03–25.03 removes 10
    moratorium = [(date(2026, 3, 16), date(2026, 3, 25), "Мораторій")]
    result = penalty.invoice_penalty(
        date(2026, 3, 11), date(2026, 3, 31), _debt(penalty), Decimal("0.01"), suspensions=moratorium
    )
    assert (result.days, result.amount) == (11, Decimal("1.10"))
    assert result.suspended == [(date(2026, 3, 16), date(2026, 3, 25), "Мораторій")]
    assert [(s.date_from, s.date_to) for s in result.segments] == [
        (date(2026, 3, 11), date(2026, 3, 15)),
        (date(2026, 3, 26), date(2026, 3, 31)),
    ]
    # overlapping suspensions are merged; an open-ended one stops everything
    both = [*moratorium, (date(2026, 3, 20), date(2026, 3, 28), "Інше")]
    result = penalty.invoice_penalty(
        date(2026, 3, 11), date(2026, 3, 31), _debt(penalty), Decimal("0.01"), suspensions=both
    )
    assert result.days == 8
    result = penalty.invoice_penalty(
        date(2026, 3, 11),
        date(2026, 3, 31),
        _debt(penalty),
        Decimal("0.01"),
        suspensions=[(date(2026, 3, 1), None, "x")],
    )
    assert (result.amount, result.days) == (0, 0)
    # a suspension entered after the days were charged: the next run corrects them
    prior = [penalty.PriorCharge(date(2026, 3, 11), date(2026, 3, 31), Decimal("2.10"))]
    result = penalty.invoice_penalty(
        date(2026, 3, 11), date(2026, 4, 3), _debt(penalty), Decimal("0.01"), prior=prior, suspensions=moratorium
    )
    assert (result.correction, result.amount) == (Decimal("-1.00"), Decimal("0.30"))


def test_penalty_rounding_per_stretch_half_up(penalty):
    # 333.35 × 0.01 % × 3 = 0.100005 → 0.10; 0.15 × 0.01 %... amounts are exact Decimal, rounded half-up
    result = penalty.invoice_penalty(date(2026, 3, 1), date(2026, 3, 3), _debt(penalty, "333.35"), Decimal("0.01"))
    assert result.amount == Decimal("0.10")
    result = penalty.invoice_penalty(date(2026, 3, 1), date(2026, 3, 5), _debt(penalty, "250.50"), Decimal("0.01"))
    # 250.50 × 0.0001 × 5 = 0.12525 → 0.13
    assert result.amount == Decimal("0.13")


# ---------------------------------------------------------------- number format


def test_fmt_number(load_tool):
    formatting = load_tool("osmd_billing", "formatting")
    assert formatting.fmt_number(Decimal("52.3"), 2) == "52,30"
    assert formatting.fmt_number(Decimal("1234.5"), 2) == "1\u00a0234,50"
    assert formatting.fmt_number(Decimal("13.000")) == "13"
    assert formatting.fmt_number(Decimal("3.20")) == "3,2"
    assert formatting.fmt_number(Decimal("1E+1")) == "10"
