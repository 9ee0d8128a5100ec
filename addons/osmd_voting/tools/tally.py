"""Votes of co-owners' meetings in exact arithmetic (``Fraction``): each co-owner's votes, thresholds tested at their
exact boundaries, the outcome of a question while votes still come in, which of two votes of the same co-owner
counts, and figures rounded for print so that a column still sums to its exact total. No Odoo here."""

import math
from decimal import Decimal
from fractions import Fraction

CHOICES = ("for", "against", "abstain")


def to_fraction(value):
    """An exact Fraction of ``value``: a Fraction, an int, a "p/q" or decimal string, a Decimal; a float through its
    shortest repr (``52.3`` is 523/10, never the binary value)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, str):
        return Fraction(value.strip() or "0")
    return Fraction(value)


def fraction_text(value):
    """ "p/q" (or "p" for a whole number): how an exact figure is stored."""
    value = to_fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def owner_votes(shares):
    """Votes (in m² of the area for votes) of one co-owner: the sum of share × area over their premises;
    ``shares``: [(share, area)]."""
    return sum((to_fraction(share) * to_fraction(area) for share, area in shares), Fraction(0))


def reaches(votes, total, ratio, strict):
    """Whether ``votes`` out of ``total`` pass the threshold ``ratio`` of all votes: strictly more than it
    (``strict``, e.g. "more than half") or at least it ("at least two thirds"). Exact: 1/2 of the votes is not
    "more than half"; exactly 2/3 is "at least two thirds"."""
    votes, total, ratio = to_fraction(votes), to_fraction(total), to_fraction(ratio)
    if total <= 0:
        return False
    share = votes / total
    return share > ratio if strict else share >= ratio


def outcome(votes_for, votes_cast, total, ratio, strict, final=False):
    """ "passed" once the votes for reach the threshold (counted against ALL co-owners' votes, not the votes cast);
    "failed" when they cannot reach it any more even if every co-owner who has not voted yet voted for, or when
    voting is over (``final``); "pending" otherwise."""
    votes_for, votes_cast, total = to_fraction(votes_for), to_fraction(votes_cast), to_fraction(total)
    if reaches(votes_for, total, ratio, strict):
        return "passed"
    if final or not reaches(votes_for + (total - votes_cast), total, ratio, strict):
        return "failed"
    return "pending"


def supersedes(new, current):
    """Whether the vote ``new`` replaces the vote ``current`` of the same co-owner on the same question.

    The rule: the vote cast last counts, whatever its channel. A vote is cast at the moment it was sent online, at
    the start of the meeting for a ballot filled in at the meeting, on the day written on a returned poll sheet (its
    end). Of two votes cast at the same moment, the one entered last counts. ``new`` and ``current``: (cast at,
    entered at)."""
    return (new[0], new[1]) >= (current[0], current[1])


def percent(part, total, digits=2):
    """``part`` as a percentage of ``total``, rounded half-up to ``digits`` decimals (a Decimal)."""
    part, total = to_fraction(part), to_fraction(total)
    if total <= 0:
        return Decimal(0).quantize(Decimal(1).scaleb(-digits))
    return round_fraction(part * 100 / total, digits)


def round_fraction(value, digits=2):
    """``value`` rounded half-up (away from zero) to ``digits`` decimals, as a Decimal, exactly."""
    scaled = to_fraction(value) * 10**digits
    units = math.floor(abs(scaled) + Fraction(1, 2))
    return (Decimal(units if scaled >= 0 else -units).scaleb(-digits)).quantize(Decimal(1).scaleb(-digits))


def apportion(values, total, digits=2):
    """``values`` (exact, summing to ``total``) rounded to ``digits`` decimals so that the rounded figures still sum to
    ``total`` rounded (largest remainders get the last units): a register's percentages print 100,00 and its areas
    the building's total area."""
    values = [to_fraction(value) for value in values]
    scale = 10**digits
    target = int(round_fraction(to_fraction(total), digits) * scale)
    floors = [math.floor(value * scale) for value in values]
    remainders = sorted(range(len(values)), key=lambda index: (-(values[index] * scale - floors[index]), index))
    left = target - sum(floors)
    for index in remainders[: max(left, 0)]:
        floors[index] += 1
    quantum = Decimal(1).scaleb(-digits)
    return [(Decimal(units) / scale).quantize(quantum) for units in floors]
