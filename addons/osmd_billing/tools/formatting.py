"""Numbers written the Ukrainian way on invoices and receipts: comma decimals, spaces between thousands."""

from decimal import Decimal

NBSP = "\u00a0"


def fmt_number(value, decimals=None):
    """``Decimal('1234.5'), 2`` -> '1 234,50'; without ``decimals`` trailing zeros are dropped
    (``Decimal('13.000')`` -> '13', ``Decimal('0.250')`` -> '0,25')."""
    value = Decimal(str(value))
    if decimals is None:
        value = value.normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        text = f"{value:,f}"
    else:
        text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")
