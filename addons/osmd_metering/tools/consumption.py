"""Meter arithmetic: consumption with rollover and multiplier, anomalies, estimates, house losses.

Everything works on ``Decimal`` so that quantities stay exact to the meter's
resolution; callers convert Odoo floats with ``to_decimal`` (via ``str``).
"""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"

QUANT = Decimal("0.001")


class MeterError(ValueError):
    """A reading that cannot be accepted; ``code`` says why (for translated messages).

    Codes: ``negative_value`` (a value below zero), ``capacity`` (``value`` does not fit in the
    digits), ``negative`` (below the previous value and no digit capacity to roll over),
    ``rollover`` (below the previous value, but a rollover would mean ``value`` consumed, more than
    half the register's range: a typing error rather than a rollover).
    """

    def __init__(self, code, message, value=None):
        super().__init__(message)
        self.code = code
        self.value = value


def to_decimal(value):
    if isinstance(value, Decimal):
        return value
    if value is None or value is False:
        return Decimal(0)
    return Decimal(str(value))


def fmt(value):
    """A quantity as plain digits without exponent or trailing zeros: 99950.0 -> '99950', 0.5 -> '0.5'."""
    value = to_decimal(value)
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}"
    return f"{value.normalize():f}"


def is_ukrainian(lang):
    return (lang or "").startswith("uk")


def fmt_doc(value, lang=None):
    """A quantity as ``fmt`` writes it, for a text in ``lang``: in Ukrainian with a comma decimal and
    spaces between thousands ('2,689', '12 345,5'); other languages keep ``fmt``'s digits."""
    text = fmt(value)
    if not is_ukrainian(lang):
        return text
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _dot, fraction = text.partition(".")
    whole = f"{int(whole):,}".replace(",", NBSP)
    return sign + whole + ("," + fraction if fraction else "")


# Odoo names its units of measure in English, even in Ukrainian ("m³" with a Latin m, "KWH"); a text in
# Ukrainian writes them the Ukrainian way (the same map as osmd_billing's tools/formatting.py).
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


def unit_label(name, lang=None):
    """The unit ``name`` as a text in ``lang`` writes it: 'м³' for 'm³' in Ukrainian."""
    name = name or ""
    if not is_ukrainian(lang):
        return name
    return UNITS_UK.get(name.strip().lower(), name)


def zone_label(zone, lang=None):
    """'T2' of a tariff zone; in Ukrainian with the Cyrillic letter ('Т2')."""
    return f"{'Т' if is_ukrainian(lang) else 'T'}{zone}"


def capacity_limit(digits):
    """The first value a meter with ``digits`` integer digits cannot show (10**digits), or None."""
    return Decimal(10) ** int(digits) if digits else None


def consumption(previous, current, digits=None, multiplier=1):
    """Consumption between two readings of one register (zone).

    - ``current >= previous``: the difference;
    - ``current < previous``: only a rollover (the register passed 99…9 → 0), which needs the
      digit capacity: ``10**digits - previous + current``; otherwise MeterError('negative'). A
      "rollover" of more than half the register's range is refused as implausible
      (MeterError('rollover')): 5-digit 99 950 → 00 030 is 80, but 12 345 → 1 234 is a typo;
    - a value at or beyond the capacity is refused (MeterError('capacity')).
    The result is multiplied by the transformer coefficient ``multiplier``, rounded to 0.001.
    """
    previous, current = to_decimal(previous), to_decimal(current)
    multiplier = to_decimal(multiplier or 1)
    limit = capacity_limit(digits)
    if current < 0:
        raise MeterError("negative_value", "a reading cannot be negative", current)
    if limit is not None:
        for value in (current, previous):
            if value >= limit:
                raise MeterError("capacity", f"value {fmt(value)} does not fit in {digits} digits", value)
    if current >= previous:
        diff = current - previous
    elif limit is not None:
        diff = limit - previous + current
        if diff * 2 > limit:
            raise MeterError(
                "rollover", f"a rollover from {fmt(previous)} to {fmt(current)} would mean {fmt(diff)}", diff
            )
    else:
        raise MeterError("negative", f"value {fmt(current)} is below the previous {fmt(previous)}", current)
    return (diff * multiplier).quantize(QUANT, rounding=ROUND_HALF_UP)


def is_rollover(previous, current):
    return to_decimal(current) < to_decimal(previous)


def advance(value, qty, digits=None, multiplier=1):
    """The register value after ``qty`` (multiplier applied) is consumed from ``value``, rolling
    over past the digit capacity: the inverse of ``consumption``, used to place estimated readings."""
    value = to_decimal(value) + to_decimal(qty) / to_decimal(multiplier or 1)
    limit = capacity_limit(digits)
    if limit is not None:
        value %= limit
        if value < 0:  # a negative correction going back past zero
            value += limit
    return value.quantize(QUANT, rounding=ROUND_HALF_UP)


def is_anomaly(value, history, factor):
    """True when ``value`` exceeds ``factor`` × the average of ``history`` (positive values only)."""
    history = [to_decimal(v) for v in history if v is not None]
    if not history or not factor:
        return False
    average = sum(history, Decimal(0)) / len(history)
    return average > 0 and to_decimal(value) > average * to_decimal(factor)


def average_estimate(history, months):
    """Estimated consumption: the average of the last ``months`` values of ``history`` (oldest first)."""
    values = [to_decimal(v) for v in history if v is not None][-int(months) :] if months else []
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(QUANT, rounding=ROUND_HALF_UP)


def norm_estimate(norm_per_person, persons):
    return (to_decimal(norm_per_person) * int(persons or 0)).quantize(QUANT, rounding=ROUND_HALF_UP)


def prorate(quantity, days, month_days):
    """``quantity`` of a month for ``days`` of its ``month_days`` days, to 0.001."""
    return (to_decimal(quantity) * days / month_days).quantize(QUANT, rounding=ROUND_HALF_UP)


def share_losses(total, weights):
    """Split ``total`` among keys in proportion to ``weights`` ({key: weight}), exactly.

    Each share is rounded to 0.001; the rounding remainder goes, one unit of 0.001 at a time, to
    the keys with the largest fractional remainders (largest remainder method), so the shares sum
    to ``total`` exactly. Zero total weight → nothing is shared (empty dict).
    """
    total = to_decimal(total).quantize(QUANT, rounding=ROUND_HALF_UP)
    weights = {key: to_decimal(w) for key, w in weights.items() if to_decimal(w) > 0}
    weight_sum = sum(weights.values(), Decimal(0))
    if not weights or not weight_sum:
        return {}
    units = int((total / QUANT).to_integral_value())
    raw = {key: Decimal(units) * w / weight_sum for key, w in weights.items()}
    floors = {key: int(value.to_integral_value(rounding="ROUND_FLOOR")) for key, value in raw.items()}
    # Flooring never overshoots (also for a negative total: a house meter below the premises' sum),
    # so the remainder is always 0 <= r < len(weights).
    remainder = units - sum(floors.values())
    for key in sorted(raw, key=lambda k: (raw[k] - floors[k], str(k)), reverse=True)[:remainder]:
        floors[key] += 1
    return {key: (Decimal(value) * QUANT).quantize(QUANT) for key, value in floors.items()}
