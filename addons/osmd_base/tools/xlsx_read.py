"""Reading an uploaded .xlsx workbook into plain rows, whatever the file holds.

openpyxl reads a sheet lazily: a damaged or hostile file fails not only when it is opened but in the middle of the
rows, with whatever the layer below raises (``zipfile``, ``zlib.error``, an XML ``ParseError``,
``NotImplementedError`` for an unsupported compression, ``OverflowError`` for a date cell beyond year 9999…).
:func:`read_workbook` reads every row of the wanted sheets at once and turns any such failure into
:class:`WorkbookError`, naming the sheet and the row where reading stopped, so that the parsers above only ever see
Python values. It also bounds the work a file can ask for (a "zip bomb" of a million rows).
"""

import contextlib
import io
import warnings
from typing import NamedTuple

import openpyxl

# a registry of a large association has ~10 000 rows; a sheet bigger than this is not a registry
MAX_ROWS = 200_000
MAX_CELLS = 5_000_000
MAX_COLUMNS = 500


NOT_XLSX = "not_xlsx"  # not a workbook at all (or its directory is unreadable)
DAMAGED = "damaged"  # a sheet could not be read from ``row`` on
TOO_LARGE = "too_large"  # a sheet has more than MAX_ROWS rows or MAX_CELLS cells


class WorkbookError(ValueError):
    """An .xlsx that cannot be read: ``kind`` (NOT_XLSX, DAMAGED, TOO_LARGE), the ``sheet`` title and the ``row``
    (1-based) where reading stopped. Each parser words the message in its own terms (and translations)."""

    def __init__(self, kind, row=0, sheet=""):
        super().__init__(f"{kind} (sheet {sheet!r}, row {row})")
        self.kind = kind
        self.row = row
        self.sheet = sheet


class SheetRows(NamedTuple):
    title: str
    rows: list  # tuples of cell values, the first row first


def read_workbook(content, wanted=None):
    """The sheets of an .xlsx as :class:`SheetRows`, every row read.

    :param bytes content: the file
    :param wanted: ``callable(title, index) -> bool`` choosing the sheets to read (the others are listed with no
        rows); all sheets when omitted
    :raise WorkbookError: the file is not a readable workbook, or a sheet is damaged or too large
    """
    if not isinstance(content, bytes | bytearray) or not content:
        raise WorkbookError(NOT_XLSX)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not know
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            worksheets = list(workbook.worksheets)
    except Exception as exc:  # noqa: BLE001 - a library boundary: anything a damaged file makes openpyxl raise
        raise WorkbookError(NOT_XLSX) from exc
    sheets = []
    try:
        for index, worksheet in enumerate(worksheets):
            title = str(worksheet.title)
            if wanted is not None and not wanted(title, index):
                sheets.append(SheetRows(title, []))
                continue
            sheets.append(SheetRows(title, _read_rows(worksheet, title)))
    finally:
        # closing a damaged archive must not hide the real error
        with contextlib.suppress(Exception):
            workbook.close()
    return sheets


def _read_rows(worksheet, title):
    rows = []
    cells = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if hasattr(worksheet, "reset_dimensions"):
                # some writers store a wrong sheet size (or a hostile one): read the rows as they are
                worksheet.reset_dimensions()
            for values in worksheet.iter_rows(values_only=True):
                cells += len(values)
                values = tuple(values[:MAX_COLUMNS])
                if len(rows) >= MAX_ROWS or cells > MAX_CELLS:
                    raise WorkbookError(TOO_LARGE, row=len(rows) + 1, sheet=title)
                rows.append(values)
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - a library boundary, see the module docstring
        raise WorkbookError(DAMAGED, row=len(rows) + 1, sheet=title) from exc
    return rows
