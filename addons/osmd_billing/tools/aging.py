"""Debt aging: open amounts by how long they are overdue.

Buckets by days past the due date on ``today``: 0–30 (not yet due included), 31–90, 91–180, over 180.
Credits (negative open amounts: advance payments, unapplied credit notes) settle the oldest debts
first, as a payment would, so the buckets add up to the positive part of the balance.
"""

from decimal import Decimal

BUCKETS = ("0_30", "31_90", "91_180", "180_plus")
BUCKET_LIMITS = ((30, "0_30"), (90, "31_90"), (180, "91_180"))


def bucket_of(days_overdue):
    for limit, key in BUCKET_LIMITS:
        if days_overdue <= limit:
            return key
    return "180_plus"


def age_debts(items, today):
    """``items``: iterable of (due_date, open_amount); returns a dict with a Decimal per bucket plus
    ``overdue`` (debt past its due date) and ``oldest_due`` (due date of the oldest unpaid debt or None)."""
    items = list(items)
    debts = sorted(
        ((due or today, Decimal(str(amount))) for due, amount in items if amount and amount > 0),
        key=lambda item: item[0],
    )
    credit = -sum((Decimal(str(amount)) for _due, amount in items if amount and amount < 0), Decimal(0))
    result = dict.fromkeys(BUCKETS, Decimal(0))
    result.update(overdue=Decimal(0), oldest_due=None)
    for due, amount in debts:
        applied = min(credit, amount)
        credit -= applied
        amount -= applied
        if not amount:
            continue
        days = (today - due).days
        result[bucket_of(days)] += amount
        if days > 0:
            result["overdue"] += amount
        if result["oldest_due"] is None:
            result["oldest_due"] = due
    return result


def months_between(start, end):
    """Whole months from ``start`` to ``end`` (0 when ``end`` is not later)."""
    if not start or end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)
