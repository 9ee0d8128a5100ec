"""The reading sheet writer and parser (addons/osmd_metering/tools/reading_sheet.py)."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from conftest import load_tool

rs = load_tool("osmd_metering", "reading_sheet")

HEADER = [label for _key, label in rs.COLUMNS]
COL = {key: index for index, (key, _label) in enumerate(rs.COLUMNS)}


def make_sheet(rows, header=None):
    """xlsx bytes: a header row (English by default) and data rows given as {key: value} dicts."""
    header = HEADER if header is None else header
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.append(header)
    for values in rows:
        if isinstance(values, dict):
            line = [None] * len(header)
            for key, value in values.items():
                line[COL[key]] = value
            worksheet.append(line)
        else:
            worksheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filled(**values):
    row = {"serial": "A-1", "utility": "Cold water", "meter_id": 7, "date": datetime(2026, 2, 25), "value1": 12}
    row.update(values)
    return row


def messages(data):
    return [(error.row, error.column, error.message) for error in data.errors]


# ------------------------------------------------------------
# round trip
# ------------------------------------------------------------


def test_build_then_parse_round_trip():
    rows = [
        {
            "building": "Будинок 1",
            "entrance": 1,
            "floor": 2,
            "premise": "12а",
            "utility": "Холодна вода",
            "serial": "007123",
            "zones": 1,
            "previous_date": date(2026, 1, 25),
            "previous_value1": Decimal("99.125"),
            "date": date(2026, 2, 25),
            "meter_id": 41,
        },
        {
            "building": "Будинок 1",
            "entrance": 1,
            "floor": 2,
            "premise": "12а",
            "utility": "Електроенергія",
            "serial": "E-77",
            "zones": 2,
            "previous_date": date(2026, 1, 25),
            "previous_value1": Decimal("1000"),
            "previous_value2": Decimal("500"),
            "date": None,
            "meter_id": 42,
        },
        {"building": "Будинок 1", "premise": "House", "utility": "Heating", "serial": "H1", "zones": 1, "meter_id": 43},
    ]
    content = rs.build_sheet(rows, title="02.2026")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "02.2026"
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.column_dimensions["P"].hidden  # the meter id column
    assert sheet.freeze_panes == "A2"
    # serials stay text, dates are real dates, previous values numbers
    assert sheet.cell(2, COL["serial"] + 1).value == "007123"
    assert sheet.cell(2, COL["previous_date"] + 1).value == datetime(2026, 1, 25)
    assert sheet.cell(2, COL["previous_value1"] + 1).value == pytest.approx(99.125)
    assert sheet.cell(3, COL["date"] + 1).value is None
    # the engineer fills two meters, the third stays empty
    sheet.cell(2, COL["value1"] + 1).value = 101.5
    sheet.cell(3, COL["value1"] + 1).value = "1 100,25"
    sheet.cell(3, COL["value2"] + 1).value = 550
    sheet.cell(3, COL["date"] + 1).value = "26.02.2026"
    buffer = io.BytesIO()
    workbook.save(buffer)

    data = rs.parse_sheet(buffer.getvalue())

    assert data.errors == []
    assert data.rows == [
        rs.SheetRow(2, 41, "007123", "Холодна вода", date(2026, 2, 25), (Decimal("101.500"), None, None)),
        rs.SheetRow(
            3, 42, "E-77", "Електроенергія", date(2026, 2, 26), (Decimal("1100.250"), Decimal("550.000"), None)
        ),
    ]


def test_build_sheet_translated_headers_and_unsafe_title():
    labels = {"serial": "Номер лічильника", "value1": "Нові Т1"}
    content = rs.build_sheet([{"serial": "1"}], labels=labels, title="Будинок: 1/2 [a]")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[COL["serial"]] == "Номер лічильника"
    assert header[COL["value1"]] == "Нові Т1"
    assert header[COL["utility"]] == "Utility"
    assert ":" not in sheet.title and "/" not in sheet.title and len(sheet.title) <= 31


# ------------------------------------------------------------
# header
# ------------------------------------------------------------


def test_headers_matched_by_translation_key_and_case_in_any_order():
    header = ["номер лічильника", "NEW T1", "utility", "Meter ID *"]
    content = make_sheet([["X-1", 5, "Газ", 9]], header=header)
    data = rs.parse_sheet(content, labels={"serial": ["Номер лічильника"]}, default_date=date(2026, 3, 1))
    assert data.errors == []
    assert data.rows == [rs.SheetRow(2, 9, "X-1", "Газ", date(2026, 3, 1), (Decimal("5.000"), None, None))]


def test_missing_required_columns_are_named():
    content = make_sheet([["X-1", 5]], header=["Meter serial", "Previous T1"])
    data = rs.parse_sheet(content)
    assert data.rows == []
    assert len(data.errors) == 1
    error = data.errors[0]
    assert (error.row, error.message) == (1, rs.MSG_MISSING_COLUMNS)
    assert error.params["keys"] == ["utility", "value1"]
    assert error.params["columns"] == "Utility, New T1"


def test_empty_sheet_and_not_a_workbook():
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert messages(rs.parse_sheet(buffer.getvalue())) == [(1, None, rs.MSG_EMPTY)]
    assert messages(rs.parse_sheet(b"not a zip at all")) == [(0, None, rs.MSG_NOT_XLSX)]


# ------------------------------------------------------------
# rows
# ------------------------------------------------------------


def test_rows_without_new_values_are_skipped_and_row_numbers_kept():
    content = make_sheet(
        [
            filled(value1=None),  # row 2: only the prefilled date
            {},  # row 3: empty
            filled(serial="B-2", value1=3),  # row 4
            filled(value1="  "),  # row 5: blank text
        ]
    )
    data = rs.parse_sheet(content)
    assert data.errors == []
    assert [(row.row, row.serial) for row in data.rows] == [(4, "B-2")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, Decimal("12.000")),
        (12.5, Decimal("12.500")),
        (0.1 + 0.2, Decimal("0.300")),  # binary float noise of a formula
        ("12,345", Decimal("12.345")),
        (" 1 234.5 ", Decimal("1234.500")),
        ("0", Decimal("0.000")),
    ],
)
def test_values_are_exact_decimals(raw, expected):
    data = rs.parse_sheet(make_sheet([filled(value1=raw)]))
    assert data.errors == []
    assert data.rows[0].values[0] == expected
    assert isinstance(data.rows[0].values[0], Decimal)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", rs.MSG_NOT_NUMBER),
        ("1.2.3", rs.MSG_NOT_NUMBER),
        ("NaN", rs.MSG_NOT_NUMBER),
        (True, rs.MSG_NOT_NUMBER),
        (-1, rs.MSG_NEGATIVE),
        ("-0,5", rs.MSG_NEGATIVE),
        ("1.2345", rs.MSG_DECIMALS),
    ],
)
def test_bad_values_are_reported_with_row_and_column(raw, message):
    data = rs.parse_sheet(make_sheet([filled(), filled(value2=raw)]))
    assert [row.row for row in data.rows] == [2]
    assert messages(data) == [(3, "value2", message)]
    assert data.errors[0].params["value"]


def test_dates():
    content = make_sheet(
        [
            filled(date="2026-02-20"),
            filled(date="20.02.2026"),
            filled(date=datetime(2026, 2, 20, 0, 0)),
            filled(date="31.02.2026"),
            filled(date="yesterday"),
            filled(date=None),
        ]
    )
    data = rs.parse_sheet(content)
    assert [row.date for row in data.rows] == [date(2026, 2, 20)] * 3
    assert messages(data) == [(5, "date", rs.MSG_NOT_DATE), (6, "date", rs.MSG_NOT_DATE), (7, "date", rs.MSG_NO_DATE)]
    # with a default date, an empty date takes it
    data = rs.parse_sheet(content, default_date=date(2026, 2, 25))
    assert data.rows[-1].row == 7 and data.rows[-1].date == date(2026, 2, 25)


def test_every_problem_of_a_row_is_reported():
    data = rs.parse_sheet(make_sheet([filled(serial=None, value1="x", value3=-2, date="soon")]))
    assert data.rows == []
    assert sorted(messages(data)) == sorted(
        [
            (2, "value1", rs.MSG_NOT_NUMBER),
            (2, "value3", rs.MSG_NEGATIVE),
            (2, "date", rs.MSG_NOT_DATE),
            (2, "serial", rs.MSG_NO_SERIAL),
        ]
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (7, 7),
        (7.0, 7),
        ("7", 7),
        (" 7 ", 7),
        (None, None),
        ("", None),
        ("#REF!", None),
        (7.5, None),
        (-3, None),
        (0, None),
        (True, None),
        ("9" * 5000, None),  # once a ValueError (Python's limit of 4300 digits)
        ("²", None),  # a digit to str.isdigit(), not to int()
        ("000", None),
        (1e308, None),
    ],
)
def test_damaged_meter_id_is_none(raw, expected):
    assert rs.parse_id(raw) == expected


def test_serial_typed_as_number_reads_as_text():
    data = rs.parse_sheet(make_sheet([filled(serial=12345.0, meter_id=None)]))
    assert data.rows[0].serial == "12345"
    assert data.rows[0].meter_id is None


def test_tool_does_not_import_odoo():
    import sys

    assert "odoo" not in sys.modules
