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


# Odoo names its units of measure in English, even in Ukrainian ("m³" with a Latin m, "KWH"): documents in
# Ukrainian write the units the Ukrainian way. Keys are lower case.
UNITS_UK = {
    "m³": "м³",
    "m3": "м³",
    "m²": "м²",
    "m2": "м²",
    "kwh": "кВт·год",
    "gcal": "Гкал",
    "l": "л",
    "units": "од.",
}


def unit_label(name, lang):
    """The unit ``name`` as a document in ``lang`` writes it: 'кВт·год' for 'KWH' in Ukrainian; other
    languages and unknown units keep Odoo's name."""
    name = name or ""
    if not (lang or "").startswith("uk"):
        return name
    return UNITS_UK.get(name.strip().lower(), name)
