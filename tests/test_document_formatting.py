"""Numbers and units in the language of the documents (osmd_metering consumption, osmd_billing formatting)."""

from decimal import Decimal

import pytest

NBSP = "\u00a0"


@pytest.fixture(name="cons")
def cons_fixture(load_tool):
    return load_tool("osmd_metering", "consumption")


@pytest.fixture(name="formatting")
def formatting_fixture(load_tool):
    return load_tool("osmd_billing", "formatting")


def test_meter_numbers_in_ukrainian(cons):
    assert cons.fmt_doc(Decimal("108.036"), "uk_UA") == "108,036"
    assert cons.fmt_doc(2.689, "uk_UA") == "2,689"
    assert cons.fmt_doc(13.0, "uk_UA") == "13"
    assert cons.fmt_doc(Decimal("12345.50"), "uk_UA") == f"12{NBSP}345,5"
    assert cons.fmt_doc(-0.25, "uk_UA") == "-0,25"
    assert cons.fmt_doc(-1234, "uk_UA") == f"-1{NBSP}234"


def test_meter_numbers_elsewhere_unchanged(cons):
    assert cons.fmt_doc(Decimal("108.036"), "en_US") == "108.036"
    assert cons.fmt_doc(99950.0, None) == "99950"


def test_units_and_zones(cons, formatting):
    for tool in (cons, formatting):
        assert tool.unit_label("m³", "uk_UA") == "м³"
        assert tool.unit_label("KWH", "uk_UA") == "кВт·год"
        assert tool.unit_label("kWh", "uk_UA") == "кВт·год"
        assert tool.unit_label("Gcal", "uk_UA") == "Гкал"
        assert tool.unit_label("m²", "uk_UA") == "м²"
        assert tool.unit_label("m³", "en_US") == "m³"
        assert tool.unit_label("barrel", "uk_UA") == "barrel"
        assert tool.unit_label(False, "uk_UA") == ""
    assert cons.UNITS_UK == formatting.UNITS_UK
    assert cons.zone_label(1, "uk_UA") == "\u04221"
    assert cons.zone_label(2, "en_US") == "T2"
