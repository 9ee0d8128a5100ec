"""Penalty (пеня) on overdue debts: daily rate, grace to the first business day, cap, suspensions.

Law 2189-VIII art. 26: at most 0.01 % of the debt per day of delay, the total at most 100 % of the
debt, accrual from the first business day after the deadline; none while the state owes the consumer
benefits/subsidies. Everything is configurable; amounts are Decimal rounded to kopecks at the end.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def first_business_day_after(day, holidays=()):
    current = day + timedelta(days=1)
    while current.weekday() >= 5 or current in holidays:
        current += timedelta(days=1)
    return current


def overlap_days(start, end, ranges):
    """Days of [start, end] (inclusive) inside any of ``ranges`` [(from, to_or_None)]."""
    days = set()
    for r_start, r_end in ranges:
        lo, hi = max(start, r_start), min(end, r_end) if r_end else end
        current = lo
        while current <= hi:
            days.add(current)
            current += timedelta(days=1)
    return len(days)


def penalty_for_debt(
    debt,
    deadline,
    date_from,
    date_to,
    rate_per_day,
    already_charged=Decimal(0),
    cap_ratio=Decimal(1),
    suspensions=(),
    holidays=(),
):
    """Penalty for one overdue debt over [date_from, date_to].

    Accrual starts on the first business day after ``deadline`` (never before ``date_from``);
    days in ``suspensions`` are not counted; the result never makes the total penalty on this debt
    exceed ``cap_ratio`` × debt. Returns (amount, days counted).
    """
    debt = Decimal(str(debt))
    if debt <= 0:
        return Decimal(0), 0
    start = max(first_business_day_after(deadline, holidays), date_from)
    if date_to < start:
        return Decimal(0), 0
    days = (date_to - start).days + 1 - overlap_days(start, date_to, suspensions)
    if days <= 0:
        return Decimal(0), 0
    amount = debt * Decimal(str(rate_per_day)) / Decimal(100) * days
    room = debt * Decimal(str(cap_ratio)) - Decimal(str(already_charged))
    amount = max(Decimal(0), min(amount, room))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP), days
