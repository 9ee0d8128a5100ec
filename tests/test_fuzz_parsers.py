"""Every parser survives hostile and broken input (issue #15): the fast, fixed-seed subset of the fuzz run.

The long run is ``scripts/fuzz_parsers.py`` (10 000 inputs per parser); both draw their inputs from
tests/fuzz_inputs.py. The property: an input either parses, or is refused with the parser's own error carrying a
message marked for translation, whose values fill it, with a row number; never another exception.
"""

import functools
import io
import zipfile
from datetime import date
from decimal import Decimal

import fuzz_inputs
import pytest
import xlsxwriter
from conftest import load_tool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 200

ri = load_tool("osmd_base", "registry_import")
rs = load_tool("osmd_metering", "reading_sheet")
sp = load_tool("osmd_payments", "statements")
rp = load_tool("osmd_payments", "registries")


@functools.cache
def target(name):
    return fuzz_inputs.TARGET_FACTORIES[name]()


def survives(target_, examples=EXAMPLES):
    """Run the property on ``examples`` inputs drawn with a fixed seed (the same inputs on every run)."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.randoms(use_true_random=False))
    def run(rnd):
        data, context = fuzz_inputs.mutate(target_, rnd)
        _status, problems = fuzz_inputs.outcome(target_, data, context)
        assert not problems, problems

    run()


@pytest.mark.parametrize("name", sorted(fuzz_inputs.TARGET_FACTORIES))
def test_parser_survives_hostile_input(name):
    survives(target(name))


@pytest.mark.parametrize("name", sorted(fuzz_inputs.TARGET_FACTORIES))
def test_seeds_are_accepted(name):
    """The mutations start from files the parser reads: otherwise the fuzz run would only test refusals."""
    target_ = target(name)
    for data, context in target_.seeds:
        assert target_.run(data, context) == ("accepted", None), context


def test_the_property_catches_a_crash_and_a_bad_refusal():
    """The harness itself: a parser that crashes on some input, or refuses without a translatable message, fails."""
    seeds = [(b"1;2;3\r\n4;5;6\r\n", None)]

    def crashing(data, _context):
        if b";" not in data:
            raise KeyError("boom")
        return "accepted", None

    def untranslated(_data, _context):
        return "refused", [("Something odd at %(row)s", {}, 1)]

    def structured(data, _context, rnd):
        return data if rnd.random() < 0.3 else b""

    with pytest.raises(KeyError):
        survives(fuzz_inputs.Target("crashing", seeds, crashing, structured, set()), examples=50)
    with pytest.raises(AssertionError, match="not marked for translation"):
        survives(fuzz_inputs.Target("untranslated", seeds, untranslated, structured, set()), examples=5)
    refusal = fuzz_inputs.Target("wrong params", seeds, untranslated, structured, {"Something odd at %(row)s"})
    assert fuzz_inputs.check_refusal(refusal, [("Something odd at %(row)s", {}, 1)]) == []
    assert fuzz_inputs.check_refusal(refusal, [("Something odd at %(row)s", {}, -1)]) == ["row -1 is not a row number"]


# ------------------------------------------------------------
# The crashes named in the issue, kept as regressions
# ------------------------------------------------------------


def _xlsx(rows, title="Sheet1"):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    sheet = workbook.add_worksheet(title)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, float):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, str(value))
    workbook.close()
    return buffer.getvalue()


def _rezip(data, change):
    """The same workbook with ``change(name, bytes) -> bytes`` applied to its parts, stored or deflated."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target_:
        for info in source.infolist():
            target_.writestr(info, change(info.filename, source.read(info.filename)))
    return buffer.getvalue()


def _damaged_variants(data):
    """A truncated download, a flipped byte in the compressed sheet, damaged sheet XML, an unknown compression."""
    sheet = next(info for info in zipfile.ZipFile(io.BytesIO(data)).infolist() if "worksheets/sheet" in info.filename)
    flipped = bytearray(data)
    flipped[sheet.header_offset + 30 + len(sheet.filename) + 10] ^= 0xFF  # inside the deflated sheet
    unknown = bytearray(data)
    unknown[sheet.header_offset + 8] = 99  # compression method 99 in the local header…
    central = unknown.find(b"PK\x01\x02")
    while central != -1:  # …and in the central directory: zipfile raises NotImplementedError on reading it
        name_length = int.from_bytes(unknown[central + 28 : central + 30], "little")
        if unknown[central + 46 : central + 46 + name_length] == sheet.filename.encode():
            unknown[central + 10] = 99
        central = unknown.find(b"PK\x01\x02", central + 4)
    broken_xml = _rezip(data, lambda name, part: part[: len(part) // 2] if "worksheets/sheet" in name else part)
    return {
        "truncated": data[: len(data) * 2 // 3],
        "flipped": bytes(flipped),
        "broken xml": broken_xml,
        "unknown compression": bytes(unknown),
    }


REGISTRY_HEADER = ["Building *", "Number *", "Total area, m² *"]
KNOWN = ("Будинок 1",)


def _registry_workbook(area):
    return _xlsx([REGISTRY_HEADER, ["Будинок 1", "1", area]], title="Premises")


@pytest.mark.parametrize("damage", ["truncated", "flipped", "broken xml", "unknown compression"])
def test_damaged_workbooks_are_refused_with_a_message(damage):
    registry = _damaged_variants(_registry_workbook(54.3))[damage]
    assert not ri.parse_registry(_registry_workbook(54.3), today=date(2026, 11, 1), known_buildings=KNOWN).errors
    errors = ri.parse_registry(registry, today=date(2026, 11, 1), known_buildings=KNOWN).errors
    assert len(errors) == 1
    assert errors[0].message in (ri.WORKBOOK_MESSAGES[kind] for kind in ri.WORKBOOK_MESSAGES)
    sheet = rs.build_sheet([{"serial": "0001", "utility": "Вода", "value1": 5}])
    errors = rs.parse_sheet(_damaged_variants(sheet)[damage], default_date=date(2026, 11, 1)).errors
    assert len(errors) == 1
    assert errors[0].message in (rs.MSG_NOT_XLSX, rs.MSG_DAMAGED)
    with pytest.raises(sp.ParseError):
        sp.parse_file(_damaged_variants(_xlsx([["Дата", "Сума"], ["01.11.2026", "1"]]))[damage], "statement.xlsx")
    with pytest.raises(rp.RegistryError):
        rp.parse_registry(_damaged_variants(_xlsx([["ID", "Сума"], ["1", "1"]]))[damage], rp.preset("generic_xlsx"))


def test_damaged_from_a_row_names_the_row():
    rows = [REGISTRY_HEADER] + [["Будинок 1", str(n), 50.5] for n in range(1, 400)]
    data = _rezip(
        _xlsx(rows, title="Premises"),
        lambda name, part: part.replace(b'<row r="300"', b'<row r="300"<', 1) if "worksheets/sheet" in name else part,
    )
    errors = ri.parse_registry(data, today=date(2026, 11, 1), known_buildings=KNOWN).errors
    assert [(e.sheet, e.message) for e in errors] == [("Premises", ri.WORKBOOK_MESSAGES["damaged"])]
    assert 1 < errors[0].row <= 300


@pytest.mark.parametrize("area", [1e308, float("inf"), float("-inf"), float("nan"), "1e308", "Infinity", "NaN"])
def test_absurd_areas_are_refused_not_crashed(area):
    errors = ri.parse_registry(_registry_workbook(area), today=date(2026, 11, 1), known_buildings=KNOWN).errors
    assert [(e.row, e.column) for e in errors] == [(2, "Total area, m² *")], [e.text for e in errors]
    assert errors[0].text.endswith(("is not a number.", "is not a plausible number.", "is too large."))
    assert len(errors[0].text) < 60, "the value is shown as typed (1e+308), not as its 309 digits"


@pytest.mark.parametrize("value", [1e308, float("inf"), float("nan"), "1e308", "-inf", "NaN", "1E+999999"])
def test_absurd_readings_are_refused_not_crashed(value):
    result, message = rs.parse_value(value)
    assert result is None
    assert message in (rs.MSG_NOT_NUMBER, rs.MSG_IMPLAUSIBLE)


def test_readings_up_to_twelve_digits_still_read():
    assert rs.parse_value("999999999999.999") == (rs.parse_value(999999999999.999)[0], None)
    assert rs.parse_value("1000000000000")[1] == rs.MSG_IMPLAUSIBLE


# ------------------------------------------------------------
# Exports keep text as text
# ------------------------------------------------------------

FORMULAS = ('=HYPERLINK("http://evil.example/pay","Оплатити тут")', "+380501234567", "-2+3", "@SUM(A1:A9)", "=1+1")


def _formulas_and_texts(data):
    """(number of formula cells, every text value) of an .xlsx: a text cell is never evaluated by a spreadsheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    texts = {
        cell.value for ws in workbook.worksheets for row in ws.iter_rows() for cell in row if cell.data_type == "s"
    }
    return sum(sheet.count(b"<f>") + sheet.count(b"<f ") for sheet in sheets), texts


def test_our_xlsx_exports_keep_formula_like_text_as_text():
    xlsx = load_tool("osmd_billing", "xlsx")
    data = xlsx.build_workbook(
        [
            {
                "name": "Боржники",
                "title": FORMULAS[0],
                "headers": [(FORMULAS[3], 20), ("Сума", 12)],
                "rows": [("row", [text, Decimal("1.50")]) for text in FORMULAS],
            }
        ]
    )
    formulas, texts = _formulas_and_texts(data)
    assert formulas == 0
    assert set(FORMULAS) <= texts
    sheet = rs.build_sheet([{"building": text, "serial": text, "utility": text} for text in FORMULAS])
    formulas, texts = _formulas_and_texts(sheet)
    assert formulas == 0
    assert set(FORMULAS) <= texts
    # the harness sees a formula when there is one
    assert _formulas_and_texts(fuzz_inputs.write_xlsx([("S", [["=1+1"]])], rnd=_AlwaysWrite()))[0] == 1


class _AlwaysWrite:
    """A random generator whose draws make write_xlsx use write() (a formula for "=…")."""

    def random(self):
        return 0.0
