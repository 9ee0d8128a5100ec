"""osmd_voting tools: co-owners' votes, thresholds at their exact boundaries, outcomes, vote precedence, rounding."""

from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import pytest


@pytest.fixture(name="tally")
def tally_fixture(load_tool):
    return load_tool("osmd_voting", "tally")


def test_owner_votes_are_exact(tally):
    # a third of 52,30 m² plus a whole 18,05 m² parking place
    votes = tally.owner_votes([("1/3", "52.30"), (1, 18.05)])
    assert votes == Fraction(5230, 300) + Fraction(1805, 100)
    assert tally.fraction_text(votes) == f"{votes.numerator}/{votes.denominator}"
    assert tally.to_fraction(tally.fraction_text(votes)) == votes
    # three heirs of one flat hold exactly the flat
    assert sum(tally.owner_votes([("1/3", "61.7")]) for _ in range(3)) == Fraction("61.7")


@pytest.mark.parametrize(
    ("votes", "ratio", "strict", "expected"),
    [
        ("500", "1/2", True, False),  # exactly half is not "more than half"
        ("500.01", "1/2", True, True),
        ("2000/3", "2/3", False, True),  # exactly two thirds is "at least two thirds"
        ("666.66", "2/3", False, False),
        ("666.67", "2/3", False, True),
    ],
)
def test_thresholds_at_their_boundaries(tally, votes, ratio, strict, expected):
    assert tally.reaches(votes, 1000, Fraction(ratio), strict) is expected


def test_outcome_counts_against_all_votes(tally):
    half = Fraction(1, 2)
    # 400 for of 1000: 300 not voted yet could still make it pass
    assert tally.outcome(400, 700, 1000, half, True) == "pending"
    # 400 for, 900 cast: even the last 100 cannot make more than half
    assert tally.outcome(400, 900, 1000, half, True) == "failed"
    # 600 for of 700 cast: passed at once, whatever comes
    assert tally.outcome(600, 700, 1000, half, True) == "passed"
    # voting over: pending becomes failed
    assert tally.outcome(400, 700, 1000, half, True, final=True) == "failed"
    # 2/3 exactly of all votes, not of the cast ones
    assert tally.outcome(Fraction(2000, 3), Fraction(2000, 3), 1000, Fraction(2, 3), False) == "passed"
    assert tally.outcome(600, 600, 1000, Fraction(2, 3), False, final=True) == "failed"


def test_the_vote_cast_last_counts(tally):
    online = (datetime(2026, 3, 1, 20, 0), datetime(2026, 3, 1, 20, 0))
    paper = (datetime(2026, 3, 5, 18, 0), datetime(2026, 3, 6, 9, 0))  # the meeting, entered the next morning
    assert tally.supersedes(paper, online)
    assert not tally.supersedes(online, paper)
    late_entry = (datetime(2026, 3, 1, 20, 0), datetime(2026, 3, 7, 9, 0))  # same moment, entered later
    assert tally.supersedes(late_entry, online)


def test_rounding_and_apportion(tally):
    assert tally.round_fraction(Fraction(1, 8)) == Decimal("0.13")
    assert tally.round_fraction(Fraction(-1, 8)) == Decimal("-0.13")
    assert tally.percent(1, 3) == Decimal("33.33")
    assert tally.percent(0, 0) == Decimal("0.00")
    thirds = [Fraction(100, 3)] * 3
    assert sum(tally.apportion(thirds, 100)) == Decimal("100.00")
    assert sorted(tally.apportion(thirds, 100)) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    areas = [Fraction("61.7") / 3] * 3 + [Fraction("18.05")]
    assert sum(tally.apportion(areas, sum(areas))) == Decimal("79.75")
