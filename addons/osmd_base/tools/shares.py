"""Ownership shares over time, exact (fractions, never floats)."""

from datetime import timedelta
from fractions import Fraction

ONE_DAY = timedelta(days=1)


def share_fraction(numerator, denominator):
    """Return the exact share ``numerator/denominator`` or raise ValueError."""
    if not isinstance(numerator, int) or not isinstance(denominator, int):
        raise ValueError("share numerator and denominator must be integers")
    if denominator <= 0 or numerator <= 0 or numerator > denominator:
        raise ValueError(f"invalid share {numerator}/{denominator}")
    return Fraction(numerator, denominator)


def share_totals(periods):
    """Sum shares over time.

    ``periods`` is an iterable of ``(date_start, date_end_or_None, Fraction)``,
    both dates inclusive (an empty end — None or False — means open). Returns a list of ``(date_start, date_end_or_None,
    total)`` covering every interval where at least one share is valid,
    consecutive intervals with the same total merged.
    """
    periods = list(periods)
    if not periods:
        return []
    points = set()
    for start, end, _share in periods:
        points.add(start)
        if end:
            points.add(end + ONE_DAY)
    points = sorted(points)
    result = []
    for index, start in enumerate(points):
        end = points[index + 1] - ONE_DAY if index + 1 < len(points) else None
        total = sum(
            (share for p_start, p_end, share in periods if p_start <= start and (not p_end or p_end >= start)),
            Fraction(0),
        )
        if not total:
            continue
        if result and result[-1][2] == total and result[-1][1] and result[-1][1] + ONE_DAY == start:
            result[-1] = (result[-1][0], end, total)
        else:
            result.append((start, end, total))
    return result


def share_errors(periods):
    """Intervals where the shares valid on a date do not sum to exactly 1.

    A date with no share at all is allowed (ownership not recorded yet, or
    ended); a date whose shares sum to anything but 1 is an error.
    """
    return [item for item in share_totals(periods) if item[2] != 1]


def format_share(fraction):
    return f"{fraction.numerator}/{fraction.denominator}"


def format_period(start, end):
    start_s = start.strftime("%d.%m.%Y")
    return f"{start_s}–{end.strftime('%d.%m.%Y')}" if end else f"{start_s}–…"
