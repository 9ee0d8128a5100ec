"""Reading sheet (відомість показників): XLSX layout, writing and parsing, no database.

One row per meter under a header row. The engineer fills the "New" columns:
the date (prefilled with the period's reading day) and the value of each zone.
A hidden last column holds the meter's database id for safe matching; the
serial number and the utility identify the meter when that column is damaged.

``build_sheet`` writes the workbook. ``parse_sheet`` reads a filled one and
returns a :class:`SheetData`: the filled rows (rows without any new value are
skipped) and a list of :class:`RowError` ``(row, column, message, params)``
where ``row`` is the spreadsheet row number (1 = header row) and ``message`` an
English template with ``%(name)s`` placeholders marked with ``_lt`` so that
Odoo's translation export collects it; the Odoo layer translates it with
``env._(message, **params)``. Values are ``Decimal``; nothing here knows the
meters: matching and the reading rules are checked by the Odoo model.
"""

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import xlsxwriter

from ...osmd_base.tools import xlsx_read


def _lt(text):
    """Mark ``text`` for translation; the caller translates it (no Odoo here)."""
    return text


ZONES = (1, 2, 3)
VALUE_QUANTUM = Decimal("0.001")
# no meter counts this far (12 digits before the point); anything larger is a typo or a damaged cell
VALUE_MAX = Decimal("1e12")
ID_MAX = 10**18  # a database id; a larger number in the hidden column is a damaged cell
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")
SHEET_NAME = "Readings"

# (key, English header). The export writes them in this order; the import finds
# them by header text, so columns may be moved, and only REQUIRED must exist.
COLUMNS = tuple(
    {
        "building": _lt("Building"),
        "entrance": _lt("Entrance"),
        "floor": _lt("Floor"),
        "premise": _lt("Premise"),
        "utility": _lt("Utility"),
        "serial": _lt("Meter serial"),
        "zones": _lt("Zones"),
        "previous_date": _lt("Previous date"),
        "previous_value1": _lt("Previous T1"),
        "previous_value2": _lt("Previous T2"),
        "previous_value3": _lt("Previous T3"),
        "date": _lt("New date"),
        "value1": _lt("New T1"),
        "value2": _lt("New T2"),
        "value3": _lt("New T3"),
        "meter_id": _lt("Meter ID"),
    }.items()
)
COLUMN_KEYS = tuple(key for key, _label in COLUMNS)
ENGLISH_LABELS = dict(COLUMNS)
REQUIRED = ("serial", "utility", "value1")
INPUT_COLUMNS = ("date", "value1", "value2", "value3")

MSG_NOT_XLSX = _lt("The file is damaged or is not an XLSX workbook.")
MSG_DAMAGED = _lt("The workbook is damaged from this row on: save it again as .xlsx in Excel or LibreOffice.")
MSG_TOO_LARGE = _lt("The sheet is too large: a reading sheet has at most 200 000 rows.")
MSG_IMPLAUSIBLE = _lt("%(value)s is not a plausible meter reading.")
MSG_EMPTY = _lt("The sheet is empty: the header row is missing.")
MSG_MISSING_COLUMNS = _lt("Required columns are missing: %(columns)s.")
MSG_NOT_NUMBER = _lt("%(value)s is not a number.")
MSG_NEGATIVE = _lt("a reading cannot be negative (%(value)s).")
MSG_DECIMALS = _lt("%(value)s has more than 3 decimals.")
MSG_NOT_DATE = _lt("%(value)s is not a date (use DD.MM.YYYY).")
MSG_NO_DATE = _lt("the date is missing.")
MSG_NO_SERIAL = _lt("the meter serial number is missing.")


class RowError(NamedTuple):
    row: int
    column: str | None
    message: str
    params: dict


class SheetRow(NamedTuple):
    row: int
    meter_id: int | None
    serial: str
    utility: str
    date: date | None
    values: tuple  # (T1, T2, T3): Decimal or None when the cell is empty


@dataclass
class SheetData:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def normalize_header(text):
    """Header text compared case- and space-insensitively, without the required mark."""
    return re.sub(r"\s+", " ", str(text or "").replace("*", "")).strip().casefold()


# ------------------------------------------------------------
# Writing
# ------------------------------------------------------------


def build_sheet(rows, labels=None, title=None):
    """XLSX bytes for ``rows`` (dicts keyed by COLUMN_KEYS; missing keys stay empty).

    ``labels`` maps keys to the header text to write (translated by the
    caller); English headers by default. ``title`` names the worksheet.
    """
    labels = {**ENGLISH_LABELS, **(labels or {})}
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(_sheet_title(title))
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9E1F2", "border": 1})
    input_header = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#FFF2CC", "border": 1}
    )
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    number_format = workbook.add_format({"num_format": "0.000"})
    input_date = workbook.add_format({"num_format": "dd.mm.yyyy", "bg_color": "#FFF2CC", "border": 1, "locked": False})
    input_number = workbook.add_format({"num_format": "0.000", "bg_color": "#FFF2CC", "border": 1, "locked": False})
    widths = {"building": 22, "utility": 18, "serial": 16, "premise": 10, "previous_date": 12, "date": 12}
    for col, key in enumerate(COLUMN_KEYS):
        options = {"hidden": True} if key == "meter_id" else {}
        sheet.set_column(col, col, widths.get(key, 11), None, options)
        sheet.write_string(0, col, labels[key], input_header if key in INPUT_COLUMNS else header)
    for row_index, values in enumerate(rows, start=1):
        for col, key in enumerate(COLUMN_KEYS):
            value = values.get(key)
            is_input = key in INPUT_COLUMNS
            if value is None or value is False or value == "":
                if is_input:
                    sheet.write_blank(row_index, col, None, input_date if key == "date" else input_number)
                continue
            if isinstance(value, date):
                sheet.write_datetime(
                    row_index,
                    col,
                    datetime.combine(value, datetime.min.time()),
                    input_date if is_input else date_format,
                )
            elif isinstance(value, bool):
                sheet.write_string(row_index, col, str(value))
            elif isinstance(value, int) and key in ("entrance", "floor", "zones", "meter_id"):
                sheet.write_number(row_index, col, value)
            elif isinstance(value, (int, float, Decimal)):
                sheet.write_number(row_index, col, float(value), input_number if is_input else number_format)
            else:
                # serial numbers stay text: "012345" must not become 12345
                sheet.write_string(row_index, col, str(value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMN_KEYS) - 2)
    workbook.close()
    return output.getvalue()


def _sheet_title(title):
    title = re.sub(r"[\[\]:*?/\\]", " ", title or SHEET_NAME).strip()[:31]
    return title or SHEET_NAME


# ------------------------------------------------------------
# Parsing
# ------------------------------------------------------------


def parse_sheet(content, labels=None, default_date=None):
    """Parse a filled reading sheet (XLSX bytes) into a :class:`SheetData`.

    ``labels`` maps a column key to the extra header texts accepted for it (the
    translations of the header in the installed languages); the key itself and
    the English header are always accepted. ``default_date`` is used for a
    filled row whose new date is empty. The first worksheet is read.
    """
    data = SheetData()
    try:
        # the first worksheet only: the engineer's sheet; the others are not read at all
        sheets = xlsx_read.read_workbook(content, wanted=lambda _title, index: index == 0)
    except xlsx_read.WorkbookError as exc:
        if exc.kind == xlsx_read.NOT_XLSX:
            data.errors.append(RowError(0, None, MSG_NOT_XLSX, {}))
        else:
            data.errors.append(
                RowError(exc.row, None, MSG_DAMAGED if exc.kind == xlsx_read.DAMAGED else MSG_TOO_LARGE, {})
            )
        return data
    if not sheets:
        data.errors.append(RowError(1, None, MSG_EMPTY, {}))
        return data
    rows = iter(sheets[0].rows)
    header = next(rows, None)
    if not header or not any(cell not in (None, "") for cell in header):
        data.errors.append(RowError(1, None, MSG_EMPTY, {}))
        return data
    columns = _map_columns(header, labels or {})
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        names = ", ".join(ENGLISH_LABELS[key] for key in missing)
        data.errors.append(RowError(1, None, MSG_MISSING_COLUMNS, {"columns": names, "keys": missing}))
        return data
    for row_number, cells in enumerate(rows, start=2):
        record = {key: (cells[col] if col < len(cells) else None) for key, col in columns.items()}
        _parse_row(data, row_number, record, default_date)
    return data


def _map_columns(header, labels):
    """{key: column index} for the recognised headers (the first occurrence wins)."""
    accepted = {}
    for key in COLUMN_KEYS:
        for text in (key, ENGLISH_LABELS[key], *labels.get(key, ())):
            accepted.setdefault(normalize_header(text), key)
    columns = {}
    for index, cell in enumerate(header):
        key = accepted.get(normalize_header(cell))
        if key and key not in columns:
            columns[key] = index
    return columns


def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_row(data, row_number, record, default_date):
    raw_values = [record.get(f"value{zone}") for zone in ZONES]
    if all(_is_empty(value) for value in raw_values):
        return  # not filled in: skipped (also when only the prefilled date is there)
    errors = []
    values = []
    for zone, raw in zip(ZONES, raw_values, strict=True):
        value, error = parse_value(raw)
        if error:
            errors.append(RowError(row_number, f"value{zone}", error, {"value": _show(raw)}))
        values.append(value)
    reading_date, error = parse_date(record.get("date"))
    if error:
        errors.append(RowError(row_number, "date", error, {"value": _show(record.get("date"))}))
    elif reading_date is None:
        reading_date = default_date
        if reading_date is None:
            errors.append(RowError(row_number, "date", MSG_NO_DATE, {}))
    serial = _text(record.get("serial"))
    if not serial:
        errors.append(RowError(row_number, "serial", MSG_NO_SERIAL, {}))
    if errors:
        data.errors.extend(errors)
        return
    data.rows.append(
        SheetRow(
            row=row_number,
            meter_id=parse_id(record.get("meter_id")),
            serial=serial,
            utility=_text(record.get("utility")),
            date=reading_date,
            values=tuple(values),
        )
    )


def _text(value):
    """Cell text; a whole number typed into a text column (12345.0) reads as "12345"."""
    if _is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # not 1e+308: that would print 309 digits
    return re.sub(r"\s+", " ", str(value)).strip()


def _show(value):
    return _text(value) if not isinstance(value, (date, datetime)) else value.strftime("%d.%m.%Y")


def parse_value(raw):
    """(Decimal or None, error template or None) for a meter value cell."""
    if _is_empty(raw):
        return None, None
    if isinstance(raw, bool) or isinstance(raw, (date, datetime)):
        return None, MSG_NOT_NUMBER
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        # a float cell is binary: 123.45 is 123.4500000001; 9 places are the cell's real precision
        value = Decimal(repr(round(raw, 9))) if math.isfinite(raw) else None
    else:
        text = re.sub(r"[\s\u00a0\u202f']", "", str(raw)).replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None, MSG_NOT_NUMBER
    if value is None or not value.is_finite():
        return None, MSG_NOT_NUMBER
    if value < 0:
        return None, MSG_NEGATIVE
    if value >= VALUE_MAX:
        return None, MSG_IMPLAUSIBLE
    if value != value.quantize(VALUE_QUANTUM):
        return None, MSG_DECIMALS
    return value.quantize(VALUE_QUANTUM), None


def parse_date(raw):
    """(date or None, error template or None) for a date cell."""
    if _is_empty(raw):
        return None, None
    if isinstance(raw, datetime):
        return raw.date(), None
    if isinstance(raw, date):
        return raw, None
    if isinstance(raw, str):
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(raw.strip(), fmt).date(), None
            except ValueError:
                continue
    return None, MSG_NOT_DATE


def parse_id(raw):
    """The meter id of the hidden column, or None when it is empty or damaged."""
    if isinstance(raw, bool) or _is_empty(raw):
        return None
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() and 0 < raw < ID_MAX else None
    if isinstance(raw, int):
        return raw if 0 < raw < ID_MAX else None
    text = str(raw).strip()
    # ASCII digits only ("²" is a digit to isdigit() but not to int()), and no 5 000-digit number
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        return None
    return int(text) or None
