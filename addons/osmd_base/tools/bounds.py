"""Plausible bounds of the numbers staff type in (areas, shares, prices…).

Pure Python: the models turn a violation into a translated message naming the field.
"""

from decimal import Decimal

# the largest premise we expect in a condominium (a whole non-residential floor is far below it)
AREA_MAX = Decimal("100000")
AREA_BOUNDS = (Decimal(0), AREA_MAX)
# prices per unit (m², m³, kWh, Gcal, person, month) in UAH
PRICE_BOUNDS = (Decimal(0), Decimal("100000"))


def out_of_bounds(vals, bounds):
    """The ``(name, value, low, high)`` of the values in ``vals`` outside their ``bounds``.

    :param vals: {field name: number} (values ``None``/``False`` are not checked)
    :param bounds: {field name: (low, high)}; both included
    """
    found = []
    for name, (low, high) in bounds.items():
        value = vals.get(name)
        if value is None or value is False or isinstance(value, bool):
            continue
        number = Decimal(str(value))
        if number < low or number > high:
            found.append((name, value, low, high))
    return found
