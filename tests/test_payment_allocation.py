"""Payments shared among the services of an invoice (addons/osmd_payments/tools/allocation.py)."""

from decimal import Decimal as D

import pytest


@pytest.fixture(name="al")
def allocation_fixture(load_tool):
    return load_tool("osmd_payments", "allocation")


def test_proportional_parts_add_up_to_the_kopeck(al):
    owed = {"maint": D("100.00"), "heat": D("200.00"), "water": D("33.33")}
    parts = al.allocate(owed, [("p1", D("100.00"))])["p1"]
    assert sum(parts.values()) == D("100.00")
    assert parts == {"maint": D("30.00"), "heat": D("60.00"), "water": D("10.00")}
    # the second payment pays what is left, exactly
    both = al.allocate(owed, [("p1", D("100.00")), ("p2", D("233.33"))])
    total = {s: both["p1"].get(s, 0) + both["p2"].get(s, 0) for s in owed}
    assert total == owed


def test_penalty_last_unless_configured(al):
    owed = {"maint": D("100.00"), "pen": D("5.00")}
    assert al.allocate(owed, [("p", D("100.00"))], penalties={"pen"})["p"] == {"maint": D("100.00")}
    assert al.allocate(owed, [("p", D("100.00"))], penalties={"pen"}, penalty_first=True)["p"] == {
        "pen": D("5.00"),
        "maint": D("95.00"),
    }


def test_priority_order(al):
    owed = {"a": D("50.00"), "b": D("50.00")}
    parts = al.allocate(owed, [("p", D("60.00"))], priority={"b": 1, "a": 2})["p"]
    assert parts == {"b": D("50.00"), "a": D("10.00")}


def test_overpayment_keeps_the_rest_unallocated(al):
    parts = al.allocate({"a": D("10.00")}, [("p", D("15.00"))])["p"]
    assert parts == {"a": D("10.00")}


def test_owed_by_service_nets_and_spreads_negative_lines(al):
    owed = al.owed_by_service([("a", D("60.00")), ("b", D("40.00")), ("a", D("-10.00")), ("benefit", D("-20.00"))])
    assert sum(owed.values()) == D("70.00")
    assert owed == {"a": D("38.89"), "b": D("31.11")}
