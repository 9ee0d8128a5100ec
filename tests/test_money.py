"""osmd_billing tools/money.py: the one rounding rule for money (half-up to the kopeck, in Decimal)."""

from decimal import Decimal

import pytest


@pytest.fixture(name="money")
def money_fixture(load_tool):
    return load_tool("osmd_billing", "money")


def test_half_kopeck_goes_up(money):
    # float arithmetic gives 606.4749999999999 and would round down
    assert 71.35 * 8.50 < 606.475
    assert money.line_amount(71.35, 8.50) == Decimal("606.48")
    assert money.line_amount(Decimal("71.35"), Decimal("8.50")) == Decimal("606.48")
    assert money.line_amount("0.05", "0.10") == Decimal("0.01")


def test_negative_amounts_round_away_from_zero(money):
    assert money.round_money(Decimal("-606.475")) == Decimal("-606.48")
    assert money.line_amount(1, -12.345) == Decimal("-12.35")


def test_float_inputs_are_taken_as_stored(money):
    assert money.to_decimal(8.5) == Decimal("8.5")
    assert money.to_decimal(None) == Decimal(0)
    assert money.to_decimal(False) == Decimal(0)
    assert money.to_decimal(Decimal("1.005")) == Decimal("1.005")


@pytest.mark.parametrize("price", ["8.50", "3.33", "12.345", "0.01", "45.00"])
def test_sweep_areas_against_exact_arithmetic(money, price):
    # every area 0.01 .. 150.00: all last-digit combinations, each x.xx5 product among them
    exact_price = Decimal(price)
    for hundredths in range(1, 15001):
        area = Decimal(hundredths) / 100
        product = area * exact_price
        expected = (product * 100).to_integral_value(rounding="ROUND_HALF_UP") / 100
        assert money.line_amount(float(area), float(exact_price)) == expected, (area, price)
