"""Proration of monthly charges by days, exact with Decimal."""

import calendar
from decimal import Decimal


def month_bounds(period):
    """First and last day of the month of ``period``."""
    first = period.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def active_days(period, date_start=None, date_end=None):
    """(days active in the month, days in the month) for a subscription valid from/to (inclusive)."""
    first, last = month_bounds(period)
    start = max(first, date_start) if date_start else first
    end = min(last, date_end) if date_end else last
    days = (end - start).days + 1 if end >= start else 0
    return days, last.day


def proration_factor(period, date_start=None, date_end=None):
    days, month_days = active_days(period, date_start, date_end)
    return Decimal(days) / Decimal(month_days)


def split_by_ranges(period, ranges):
    """Cut the month into the pieces of ``ranges`` [(start, end_or_None, value)] that overlap it.

    Returns [(piece start, piece end, days, value)], e.g. to apply a tariff that changes mid-month.
    """
    first, last = month_bounds(period)
    pieces = []
    for start, end, value in ranges:
        piece_start = max(first, start or first)
        piece_end = min(last, end or last)
        if piece_end >= piece_start:
            pieces.append((piece_start, piece_end, (piece_end - piece_start).days + 1, value))
    return sorted(pieces, key=lambda p: p[0])
