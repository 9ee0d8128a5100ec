"""Penalty (пеня) on overdue debts: the days of delay, each day's debt, the cap, suspensions.

Law 2189-VIII art. 26: at most 0.01 % of the debt per day of delay, the total at most 100 % of the
debt, accrual from the first business day after the deadline; none while the state owes the consumer
benefits/subsidies. Everything is configurable.

A billing run charges, per overdue invoice, the days of delay not charged yet up to the run's cut-off
(the day before it is computed, or the last day of its period if earlier), each day on the debt the
invoice had that day (a payment lowers it from its value date). It also recomputes the days charged
before with what the books know now: a payment booked after a charge but dated before the charged
days makes the earlier charge too high, and the difference becomes a correction. Amounts are exact
``Decimal`` rounded half-up to the kopeck per segment (days with one debt), the way the explanation
shows them, so a recomputation of unchanged days gives back the same kopecks.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from .money import round_money, to_decimal

ONE_DAY = timedelta(days=1)


def first_business_day_after(day, holidays=()):
    current = day + ONE_DAY
    while current.weekday() >= 5 or current in holidays:
        current += ONE_DAY
    return current


def penalty_start(deadline, holidays=()):
    """The first day of delay of a debt due on ``deadline``: the first business day after it."""
    return first_business_day_after(deadline, holidays)


def penalty_cutoff(computed_on, period_end):
    """The last day a run computed on ``computed_on`` charges: the day before (a day of delay counts once it
    has passed), never after the last day of the run's period."""
    return min(computed_on - ONE_DAY, period_end)


@dataclass(frozen=True)
class Reduction:
    """A payment or credit note reconciled with the invoice: it lowers the debt from ``date`` (the value
    date) on. ``late``: booked after the last charge while dated within the days already charged."""

    date: object
    amount: Decimal
    late: bool = False


@dataclass(frozen=True)
class Segment:
    """Consecutive days of delay with one debt: ``amount`` = debt × rate % × days, rounded to the kopeck."""

    date_from: object
    date_to: object
    days: int
    debt: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PriorCharge:
    """A charge of an earlier run on the invoice: the days it counted (``date_from``–``date_to``, none for a
    correction) and its amount. ``fixed``: kept as it is, never recomputed (charges made before the days were
    recorded)."""

    date_from: object
    date_to: object
    amount: Decimal
    fixed: bool = False


@dataclass
class InvoicePenalty:
    """What a run charges on one invoice."""

    segments: list = field(default_factory=list)  # the new days
    suspended: list = field(default_factory=list)  # [(from, to, name)] within the new days
    amount: Decimal = Decimal(0)  # of the new days, after the cap
    capped: bool = False
    date_from: object = None
    date_to: object = None
    days: int = 0
    debt: Decimal = Decimal(0)  # the largest debt of the days counted: the cap's base
    already: Decimal = Decimal(0)  # charged before
    recomputed: Decimal = Decimal(0)  # what the days charged before come to now
    correction: Decimal = Decimal(0)  # recomputed − already
    recomputed_from: object = None
    recomputed_to: object = None
    late_dates: list = field(default_factory=list)  # value dates of the payments booked late

    @property
    def total(self):
        return self.amount + self.correction


class DebtByDay:
    """The debt of an invoice on each day: ``base`` (the part penalties are charged on: the invoice without its
    own penalty lines) less what was paid by that day, payments covering the penalty part first."""

    def __init__(self, base, total, reductions):
        self.base, self.total = to_decimal(base), to_decimal(total)
        ordered = sorted(reductions, key=lambda r: r.date)
        self.dates, self.paid = [], []
        paid = Decimal(0)
        for reduction in ordered:
            paid += to_decimal(reduction.amount)
            if self.dates and self.dates[-1] == reduction.date:
                self.paid[-1] = paid
            else:
                self.dates.append(reduction.date)
                self.paid.append(paid)

    def on(self, day):
        index = bisect_right(self.dates, day)
        paid = self.paid[index - 1] if index else Decimal(0)
        return max(Decimal(0), min(self.total - paid, self.base))

    def changes(self, date_from, date_to):
        """The days of (date_from, date_to] on which the debt may change."""
        return [day for day in self.dates if date_from < day <= date_to]


def _suspended_spans(date_from, date_to, suspensions):
    """[(from, to, name)] of the days of [date_from, date_to] inside ``suspensions`` [(start, end or None,
    name)], merged, in order; the first name covering a span names it."""
    spans = []
    for start, end, name in sorted(suspensions, key=lambda s: s[0]):
        lo, hi = max(date_from, start), min(date_to, end) if end else date_to
        if lo > hi:
            continue
        if spans and lo <= spans[-1][1] + ONE_DAY:
            if hi > spans[-1][1]:
                spans[-1] = (spans[-1][0], hi, spans[-1][2])
            continue
        spans.append((lo, hi, name))
    return spans


def segments(date_from, date_to, debt, rate, suspensions=()):
    """(segments, suspended spans) of [date_from, date_to]: the days outside ``suspensions`` cut where the debt
    changes; days without debt make no segment. ``debt``: a ``DebtByDay``; ``rate``: percent per day."""
    if date_to < date_from:
        return [], []
    rate = to_decimal(rate)
    suspended = _suspended_spans(date_from, date_to, suspensions)
    # the counted stretches between the suspended spans
    stretches, current = [], date_from
    for lo, hi, _name in suspended:
        if current < lo:
            stretches.append((current, lo - ONE_DAY))
        current = hi + ONE_DAY
    if current <= date_to:
        stretches.append((current, date_to))
    result = []
    for lo, hi in stretches:
        cuts = [lo, *debt.changes(lo, hi), hi + ONE_DAY]
        for start, after in zip(cuts, cuts[1:], strict=False):
            base = debt.on(start)
            if base <= 0:
                continue
            days = (after - start).days
            result.append(Segment(start, after - ONE_DAY, days, base, round_money(base * rate / 100 * days)))
    return result, suspended


def invoice_penalty(
    start,
    cutoff,
    debt,
    rate,
    cap_ratio=Decimal(1),
    prior=(),
    suspensions=(),
    late_dates=(),
):
    """The penalty a run charges on one invoice.

    ``start``: the first day of delay; ``cutoff``: the last day the run charges; ``debt``: a ``DebtByDay``;
    ``rate``: percent of the debt per day; ``cap_ratio``: all penalties on the invoice at most this × its
    largest debt; ``prior``: ``PriorCharge`` s of earlier runs, in order; ``suspensions``: [(start, end or
    None, name)] without penalty; ``late_dates``: value dates of payments booked after the last charge.

    The new days are those after the last day charged (or from ``start``) up to ``cutoff``; the days charged
    before are recomputed on today's knowledge and the difference with what was charged is the correction.
    """
    result = InvoicePenalty()
    charged_to = max((p.date_to for p in prior if p.date_to), default=None)
    result.already = sum((to_decimal(p.amount) for p in prior), Decimal(0))
    fixed = sum((to_decimal(p.amount) for p in prior if p.fixed), Decimal(0))
    old = []
    for charge in prior:
        if charge.fixed or not charge.date_from or not charge.date_to:
            continue
        old += segments(max(charge.date_from, start), charge.date_to, debt, rate, suspensions)[0]
        result.recomputed_from = min(filter(None, (result.recomputed_from, charge.date_from)))
        result.recomputed_to = max(filter(None, (result.recomputed_to, charge.date_to)))
    new_from = max(start, charged_to + ONE_DAY) if charged_to else start
    new, result.suspended = segments(new_from, cutoff, debt, rate, suspensions)
    result.debt = max((s.debt for s in old + new), default=Decimal(0))
    cap = round_money(result.debt * to_decimal(cap_ratio))
    if any(not p.fixed for p in prior):
        old_raw = sum((s.amount for s in old), Decimal(0))
        result.recomputed = min(old_raw, max(Decimal(0), cap - fixed))
        result.correction = fixed + result.recomputed - result.already
    result.late_dates = sorted({day for day in late_dates if charged_to and day <= charged_to})
    room = max(Decimal(0), cap - (result.already + result.correction))
    new_raw = sum((s.amount for s in new), Decimal(0))
    result.segments = new
    result.amount = min(new_raw, room)
    result.capped = result.amount < new_raw
    if new_from <= cutoff:
        result.date_from, result.date_to = new_from, cutoff
        result.days = sum(s.days for s in new)
    return result
