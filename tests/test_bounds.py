"""tools/bounds.py of osmd_base: plausible bounds of typed-in numbers."""

from decimal import Decimal


def test_out_of_bounds(load_tool):
    bounds_tool = load_tool("osmd_base", "bounds")
    bounds = {"total_area": bounds_tool.AREA_BOUNDS, "rooms": (0, 99)}
    assert bounds_tool.out_of_bounds({"total_area": 71.35, "rooms": 3}, bounds) == []
    assert bounds_tool.out_of_bounds({"total_area": 99999999999, "rooms": False}, bounds) == [
        ("total_area", 99999999999, Decimal(0), Decimal(100000))
    ]
    assert bounds_tool.out_of_bounds({"total_area": -5.0, "other": 1}, bounds)[0][0] == "total_area"
    assert bounds_tool.out_of_bounds({"rooms": 100}, bounds) == [("rooms", 100, 0, 99)]
