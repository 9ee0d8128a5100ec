"""Plain XLSX tables with xlsxwriter: a title, a header row, data rows, subtotal and total rows.

Amounts are written as numbers with two decimals (so spreadsheets can sum them), dates as dates.
"""

import base64
import io
from datetime import date
from decimal import Decimal

import xlsxwriter

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "dd.mm.yyyy"
ROW_KINDS = ("row", "subtotal", "total")


def build_workbook(sheets):
    """``sheets``: list of dicts with ``name``, ``title``, ``headers`` [(label, width)], ``rows``
    [(kind, [values])] where kind is one of ROW_KINDS. Returns the XLSX file as bytes."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    formats = _formats(workbook)
    for sheet in sheets:
        _write_sheet(workbook.add_worksheet(sheet["name"][:31]), sheet, formats)
    workbook.close()
    return output.getvalue()


def _formats(workbook):
    result = {"title": workbook.add_format({"bold": True, "font_size": 13}), "header": None}
    result["header"] = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#D9E1F2"}
    )
    for kind, extra in (("row", {}), ("subtotal", {"bold": True, "bg_color": "#F2F2F2"}), ("total", {"bold": True})):
        border = {"top": 1} if kind != "row" else {}
        result[kind, "text"] = workbook.add_format({**extra, **border})
        result[kind, "money"] = workbook.add_format({**extra, **border, "num_format": MONEY_FORMAT})
        result[kind, "date"] = workbook.add_format({**extra, **border, "num_format": DATE_FORMAT})
        result[kind, "int"] = workbook.add_format({**extra, **border})
    return result


def _write_sheet(worksheet, sheet, formats):
    # titles, headers and values are text written as text: an association or a person named "=HYPERLINK(…)"
    # stays a name in the accountant's spreadsheet
    worksheet.write_string(0, 0, str(sheet["title"]), formats["title"])
    first = 2
    for col, (label, width) in enumerate(sheet["headers"]):
        worksheet.write_string(first, col, str(label), formats["header"])
        worksheet.set_column(col, col, width)
    worksheet.freeze_panes(first + 1, 0)
    for offset, (kind, values) in enumerate(sheet["rows"], start=1):
        row = first + offset
        for col, value in enumerate(values):
            _write_cell(worksheet, row, col, value, kind, formats)


def _write_cell(worksheet, row, col, value, kind, formats):
    if value is None or value is False:
        worksheet.write_blank(row, col, None, formats[kind, "text"])
    elif isinstance(value, bool | int):
        worksheet.write_number(row, col, int(value), formats[kind, "int"])
    elif isinstance(value, Decimal | float):
        worksheet.write_number(row, col, float(value), formats[kind, "money"])
    elif isinstance(value, date):
        worksheet.write_datetime(row, col, value, formats[kind, "date"])
    else:
        worksheet.write_string(row, col, str(value), formats[kind, "text"])


def download_action(wizard, content, filename):
    """Keep the workbook ``content`` (bytes) on ``wizard`` (a transient record with the fields ``xlsx_file`` and
    ``xlsx_filename``) and return the action that downloads it."""
    wizard.write({"xlsx_file": base64.b64encode(content), "xlsx_filename": filename})
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content?model={wizard._name}&id={wizard.id}&field=xlsx_file"
        f"&filename_field=xlsx_filename&download=true",
        "target": "self",
    }
