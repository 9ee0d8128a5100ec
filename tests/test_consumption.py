"""Meter arithmetic of osmd_metering (tools/consumption.py): exact, without Odoo."""

from decimal import Decimal
from pathlib import Path

import pytest


@pytest.fixture(name="cons")
def cons_fixture(load_tool):
    return load_tool("osmd_metering", "consumption")


def test_plain_difference_is_exact(cons):
    # 0.1 + 0.2 style float noise must not leak into quantities
    assert cons.consumption(0.1, 0.3) == Decimal("0.200")
    assert cons.consumption("1234.567", "1240.001") == Decimal("5.434")
    assert cons.consumption(10, 10) == Decimal("0.000")
    assert isinstance(cons.consumption(1, 2), Decimal)


def test_rollover_five_digits(cons):
    assert cons.consumption(99950, 30, digits=5) == Decimal("80.000")
    assert cons.consumption(99999.5, 0.25, digits=5) == Decimal("0.750")
    assert cons.is_rollover(99950, 30)
    assert not cons.is_rollover(30, 99950)


def test_implausible_rollover_is_refused(cons):
    with pytest.raises(cons.MeterError) as error:
        cons.consumption(12345, 1234, digits=5)
    assert error.value.code == "rollover"
    assert error.value.value == Decimal(88889)
    # exactly half the range is still a rollover
    assert cons.consumption(50000, 0, digits=5) == Decimal("50000.000")


def test_below_previous_without_capacity(cons):
    with pytest.raises(cons.MeterError) as error:
        cons.consumption(100, 90)
    assert error.value.code == "negative"
    assert error.value.value == Decimal(90)
    with pytest.raises(cons.MeterError) as error:
        cons.consumption(100, 90, digits=0)
    assert error.value.code == "negative"


def test_capacity(cons):
    with pytest.raises(cons.MeterError) as error:
        cons.consumption(99950, 100000, digits=5)
    assert (error.value.code, error.value.value) == ("capacity", Decimal(100000))
    with pytest.raises(cons.MeterError) as error:
        cons.consumption(123456, 5, digits=5)
    assert (error.value.code, error.value.value) == ("capacity", Decimal(123456))
    assert cons.consumption(0, "99999.999", digits=5) == Decimal("99999.999")
    assert cons.capacity_limit(5) == Decimal(100000)
    assert cons.capacity_limit(0) is None
    assert cons.capacity_limit(None) is None


def test_negative_value(cons):
    with pytest.raises(cons.MeterError) as error:
        cons.consumption(0, -1, digits=5)
    assert error.value.code == "negative_value"


def test_multiplier(cons):
    assert cons.consumption(1000, 1012.5, multiplier=40) == Decimal("500.000")
    assert cons.consumption(9990, 5, digits=4, multiplier=40) == Decimal("600.000")
    # a fractional coefficient, rounded half up to 0.001
    assert cons.consumption(0, "0.0005", multiplier=3) == Decimal("0.002")
    assert cons.consumption(0, 1, multiplier=0) == Decimal("1.000"), "0 / empty means no coefficient"


def test_advance_is_the_inverse_of_consumption(cons):
    assert cons.advance(99990, 20, digits=5) == Decimal("10.000")
    assert cons.consumption(99990, cons.advance(99990, 20, digits=5), digits=5) == Decimal("20.000")
    assert cons.advance(1000, 500, multiplier=40) == Decimal("1012.500")
    assert cons.advance(5, -10, digits=5) == Decimal("99995.000")
    assert cons.advance(5, 10) == Decimal("15.000")


def test_fmt(cons):
    assert cons.fmt(99950.0) == "99950"
    assert cons.fmt(1234567.0) == "1234567"
    assert cons.fmt(0.5) == "0.5"
    assert cons.fmt(Decimal("12.300")) == "12.3"
    assert cons.fmt(Decimal("1E+2")) == "100"
    assert cons.fmt(None) == "0"


def test_is_anomaly(cons):
    history = [10, 9, 11, 10, 10, 10]
    assert cons.is_anomaly(50, history, 3)
    assert not cons.is_anomaly(30, history, 3), "exactly the threshold is not an anomaly"
    assert cons.is_anomaly("30.001", history, 3)
    assert not cons.is_anomaly(50, [], 3), "no history, no judgement"
    assert not cons.is_anomaly(50, history, 0), "a factor of 0 switches the flag off"
    assert not cons.is_anomaly(50, [0, 0], 3)
    assert not cons.is_anomaly(50, [None, None], 3)


def test_average_estimate(cons):
    assert cons.average_estimate([10, 20], 6) == Decimal("15.000")
    assert cons.average_estimate([1, 2, 3, 4, 5, 6, 100], 6) == Decimal("20.000"), "only the last 6 months"
    assert cons.average_estimate([1, 1, 2], 3) == Decimal("1.333")
    assert cons.average_estimate([1, 2, 2], 3) == Decimal("1.667")
    assert cons.average_estimate([], 6) is None
    assert cons.average_estimate([None], 6) is None
    assert cons.average_estimate([5], 0) is None


def test_norm_estimate(cons):
    assert cons.norm_estimate(3.3, 3) == Decimal("9.900")
    assert cons.norm_estimate("3.2", 0) == Decimal("0.000")
    assert cons.norm_estimate(2.0, None) == Decimal("0.000")


@pytest.mark.parametrize(
    "total, weights",
    [
        (Decimal("1"), {"a": 1, "b": 1, "c": 1}),
        (Decimal("100"), {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1}),
        (Decimal("45.678"), {1: 52.3, 2: 71.15, 3: 13.5, 4: 0.01}),
        (Decimal("0.002"), {"a": 1, "b": 1, "c": 1}),
        (Decimal("-10"), {"a": 1, "b": 2, "c": 4}),
        (Decimal("-0.001"), {"a": 3, "b": 3}),
        (Decimal("123456.789"), {i: Decimal(i) / 7 for i in range(1, 98)}),
        (Decimal("7.0005"), {"a": 2, "b": 1}),
    ],
)
def test_share_losses_sums_exactly(cons, total, weights):
    shares = cons.share_losses(total, weights)
    expected = total.quantize(Decimal("0.001"), rounding="ROUND_HALF_UP")
    assert sum(shares.values(), Decimal(0)) == expected
    assert set(shares) == set(weights)
    weight_sum = sum(Decimal(str(w)) for w in weights.values())
    for key, share in shares.items():
        assert share == share.quantize(Decimal("0.001"))
        exact = expected * Decimal(str(weights[key])) / weight_sum
        assert abs(share - exact) < Decimal("0.001"), f"{key}: {share} is not {exact} rounded"


def test_share_losses_details(cons):
    # equal weights: the one extra 0.001 goes to one key, the same one on every run
    thirds = cons.share_losses(1, {"a": 1, "b": 1, "c": 1})
    assert sorted(thirds.values()) == [Decimal("0.333"), Decimal("0.333"), Decimal("0.334")]
    assert cons.share_losses(1, {"a": 1, "b": 1, "c": 1}) == thirds
    assert sorted(cons.share_losses(-1, {"a": 1, "b": 1, "c": 1}).values()) == [
        Decimal("-0.334"),
        Decimal("-0.333"),
        Decimal("-0.333"),
    ]
    # the remainder goes to the largest fractional part: 2/3 of 0.001 beats 1/3
    assert cons.share_losses("0.001", {"a": 1, "b": 2}) == {"a": Decimal("0.000"), "b": Decimal("0.001")}
    assert cons.share_losses(10, {"a": 1, "b": 3}) == {"a": Decimal("2.500"), "b": Decimal("7.500")}
    # zero and negative weights take no share
    assert cons.share_losses(10, {"a": 0, "b": 2, "c": -1}) == {"b": Decimal("10.000")}
    assert cons.share_losses(10, {}) == {}
    assert cons.share_losses(10, {"a": 0}) == {}
    assert cons.share_losses(0, {"a": 1, "b": 2}) == {"a": Decimal("0.000"), "b": Decimal("0.000")}


def test_tool_imports_no_odoo(cons):
    source = Path(cons.__file__).read_text(encoding="utf-8")
    assert "import odoo" not in source and "from odoo" not in source


def test_prorate(cons):
    assert cons.prorate(Decimal("6.4"), 16, 31) == Decimal("3.303")
    assert cons.prorate(6, 30, 30) == Decimal("6.000")
    assert cons.prorate("0.002", 1, 4) == Decimal("0.001")  # half up
