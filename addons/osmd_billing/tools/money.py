"""The one rounding rule for money: half-up to the kopeck, in ``Decimal`` from exact inputs.

Billing lines, invoice lines (``price_subtotal``), journal items, receipts and registers all take their
amounts from here, so a line of 71.35 m² × 8.50 UAH = 606.475 is 606.48 everywhere. Floats read from
the database (quantities, prices) are converted through their shortest ``repr`` (``Decimal(str(x))``),
which gives back the decimal that was stored, never ``Decimal(float)`` and its binary noise.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_decimal(value):
    """``value`` (Decimal, int, str or a float as stored in the database) as an exact Decimal; None/False → 0."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value or 0))


def round_money(value):
    """``value`` rounded half-up (away from zero) to the kopeck, as a Decimal."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity, price):
    """The amount of a line: ``quantity × price`` computed exactly, rounded half-up to the kopeck."""
    return round_money(to_decimal(quantity) * to_decimal(price))
