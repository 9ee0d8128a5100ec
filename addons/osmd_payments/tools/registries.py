"""Payment-collector registries (реєстри платежів): CSV, XLSX and dBase parsing, no database.

A collector (ГЕРЦ/ЄРЦ, EasyPay, iPay.ua, Portmone, PrivatBank «Комунальні платежі», Ukrposhta) takes the
residents' payments and sends the association one lump-sum transfer per registry, net of its fee, and a
registry file listing every payment. The layouts of those files are not public and vary, so a
:class:`Layout` describes one: file type, encoding, delimiter, header row, decimal separator, date formats,
which column holds each field (by header name, with aliases, matched ignoring case, spaces, dots and
Latin/Cyrillic look-alike letters; or by 1-based number) and how the control totals are given.
:data:`PRESETS` holds ready layouts; ``preset(name, **changes)`` returns an independent copy.

``parse_registry(data, layout, filename)`` returns a :class:`Registry` or raises :class:`RegistryError`;
it never returns a partial registry. Amounts are exact :class:`~decimal.Decimal` values, never floats:
text is parsed as text, a dBase N field from its digits, an XLSX number from its ``repr`` (a float whose
15-significant-digit form, Excel's precision, has at most 2 decimals is accepted; 12.505 is not).

Messages are English templates with ``%(name)s`` placeholders, marked with ``_lt`` so that Odoo's
translation export collects them; the Odoo layer translates them with ``env._(error.message,
**error.params)``. Row errors carry ``row``, ``column`` (the header as written in the file, or ``#3``),
``field`` (the English label from :data:`FIELD_LABELS`, itself marked for translation), ``field_key`` and
``value``.

The dBase III/IV reader (:func:`read_dbf`) is self-contained: header, field descriptors (C, N, F, D, L;
other types come back as text), the deleted-record flag, and the code page byte (0x65/0x26 CP866,
0xC9/0x57 CP1251, anything else CP866) unless an encoding is given.
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
import re
import struct
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice

from ...osmd_base.tools import xlsx_read


def _lt(text):
    """Mark ``text`` for translation; the caller translates it (no Odoo here)."""
    return text


FIELDS = ("txn_id", "date", "account", "payer", "address", "service_code", "period", "amount", "fee")
REQUIRED_FIELDS = ("txn_id", "date", "account", "amount")
FILE_TYPES = ("csv", "xlsx", "dbf")
FIELD_LABELS = {
    "txn_id": _lt("transaction ID"),
    "date": _lt("payment date"),
    "account": _lt("personal account"),
    "payer": _lt("payer"),
    "address": _lt("address"),
    "service_code": _lt("service code"),
    "period": _lt("period"),
    "amount": _lt("amount"),
    "fee": _lt("fee"),
    "control_amount": _lt("control total"),
    "control_fee": _lt("control total of fees"),
}
DEFAULT_DATE_FORMATS = (
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y",
)
CENT = Decimal("0.01")
# above any real payment or registry total (10¹³ hryvnias); larger numbers are damaged cells
AMOUNT_MAX = Decimal("1e13")
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_ROW_ERRORS = 50
HEADER_SEARCH_ROWS = 30
NBSP = "\u00a0"


# ------------------------------------------------------------
# Messages
# ------------------------------------------------------------

MSG_EMPTY = _lt("The file is empty.")
MSG_NO_PAYMENTS = _lt("The registry lists no payments.")
MSG_BINARY = _lt("The file is not %(expected)s: it holds unreadable binary data.")
MSG_WRONG_TYPE = _lt("The file is %(found)s, but the layout expects %(expected)s.")
MSG_XLS = _lt("The file is an old Excel 97-2003 (.xls) workbook: save it as .xlsx first.")
MSG_BAD_XLSX = _lt("The file is damaged or is not an XLSX workbook.")
MSG_DAMAGED_XLSX = _lt("Row %(row)s: the workbook is damaged from this row on; save it again as .xlsx.")
MSG_LARGE_XLSX = _lt("Row %(row)s: the sheet is too large for a registry (at most 200 000 rows).")
MSG_NO_SHEET = _lt("The workbook has no sheet %(sheet)s.")
MSG_BAD_DBF = _lt("The file is not a valid dBase (.dbf) file: its header is damaged.")
MSG_DBF_TRUNCATED = _lt("The dBase (.dbf) file is truncated: its header announces %(expected)s records.")
MSG_DBF_RECORD = _lt("Record %(row)s of the dBase (.dbf) file is damaged.")
MSG_DECODE = _lt("The file is not in the %(encoding)s encoding (row %(row)s).")
MSG_GARBLED = _lt("The text of the file is garbled: it is not in the %(encoding)s encoding. Choose another encoding.")
MSG_UNKNOWN_ENCODING = _lt("The encoding of the file could not be recognised: set it in the layout.")
MSG_LAYOUT_ENCODING = _lt("Unknown encoding %(encoding)s.")
MSG_LAYOUT_FILE_TYPE = _lt("Unknown registry file type %(file_type)s: use csv, xlsx or dbf.")
MSG_LAYOUT_FIELD = _lt("The layout does not say which column holds the %(field)s.")
MSG_LAYOUT_COLUMN = _lt("The layout's column for the %(field)s must be header names or a number from 1, not %(value)s.")
MSG_LAYOUT_NEEDS_NUMBER = _lt(
    "The layout names the column of the %(field)s by its header, but the file has no header row: "
    "give the column number instead."
)
MSG_NO_COLUMN = _lt("The file has no column for the %(field)s: looked for %(aliases)s.")
MSG_COLUMN_BEYOND = _lt("Column %(column)s for the %(field)s is beyond the last column of the file (%(count)s).")
MSG_EMPTY_VALUE = _lt("Row %(row)s, column %(column)s: the %(field)s is empty.")
MSG_BAD_DATE = _lt("Row %(row)s, column %(column)s: %(value)s is not a date (expected %(formats)s).")
MSG_DATE_RANGE = _lt("Row %(row)s, column %(column)s: the date %(value)s is out of range.")
MSG_BAD_PERIOD = _lt("Row %(row)s, column %(column)s: %(value)s is not a period (expected MM.YYYY).")
MSG_BAD_AMOUNT = _lt("Row %(row)s, column %(column)s: %(value)s is not an amount.")
MSG_IMPLAUSIBLE_AMOUNT = _lt("Row %(row)s, column %(column)s: the %(field)s %(value)s is not a plausible amount.")
MSG_DECIMALS = _lt("Row %(row)s, column %(column)s: the %(field)s %(value)s has more than 2 decimals.")
MSG_KOPECKS = _lt("Row %(row)s, column %(column)s: the %(field)s %(value)s is not a whole number of kopecks.")
MSG_NOT_POSITIVE = _lt("Row %(row)s, column %(column)s: the %(field)s must be greater than zero, not %(value)s.")
MSG_NEGATIVE = _lt("Row %(row)s, column %(column)s: the %(field)s must not be negative, not %(value)s.")
MSG_FEE_OVER_AMOUNT = _lt("Row %(row)s, column %(column)s: the fee %(value)s exceeds the amount %(amount)s.")
MSG_DUPLICATE = _lt("Row %(row)s, column %(column)s: transaction %(value)s is already in row %(first_row)s.")
MSG_AFTER_TOTAL = _lt("Row %(row)s: payments must not follow the control total row %(total_row)s.")
MSG_TOTALS = _lt(
    "Row %(row)s: the registry says %(declared_count)s payments for %(declared_amount)s "
    "but lists %(count)s for %(amount)s."
)
MSG_TOTAL_COUNT = _lt("Row %(row)s: the registry says %(declared_count)s payments but lists %(count)s.")
MSG_TOTAL_AMOUNT = _lt(
    "Row %(row)s: the registry says the payments total %(declared_amount)s but they add up to %(amount)s."
)
MSG_TOTAL_FEE = _lt("Row %(row)s: the registry says the fees total %(declared_fee)s but they add up to %(fee)s.")

FILE_KIND_LABELS = {
    "csv": _lt("a CSV text file"),
    "xlsx": _lt("an XLSX workbook"),
    "dbf": _lt("a dBase (.dbf) file"),
}


class RegistryError(ValueError):
    """A registry that cannot be imported. ``message`` is an English template marked with ``_lt``,
    ``row`` the 1-based row (record for dBase; 0 for the whole file), ``params`` the template's values
    (``row`` included when not 0). ``errors`` lists every row error found (this one first, at most
    :data:`MAX_ROW_ERRORS`), so that the user can fix them all at once."""

    def __init__(self, message, row=0, **params):
        self.message = message
        self.row = row
        if row:
            params.setdefault("row", row)
        self.params = params
        self.errors = [self]
        super().__init__(self.text)

    @property
    def text(self):
        """The English message (tests, logs); Odoo translates ``message``."""
        if not self.params:
            return self.message
        try:
            return self.message % self.params
        except (KeyError, TypeError, ValueError):
            return self.message

    def __str__(self):
        return self.text


class _CellError(Exception):
    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params


# ------------------------------------------------------------
# Layouts and presets
# ------------------------------------------------------------


@dataclass
class Layout:
    """How one collector writes its registry. ``columns`` maps a field of :data:`FIELDS` to a list of
    header aliases or to a 1-based column number; ``total_row_marker`` may list several alternatives
    separated by ``|`` ("разом|всього")."""

    file_type: str
    columns: dict
    encoding: str = ""
    delimiter: str = ""
    has_header: bool = True
    decimal: str = ""
    date_formats: tuple = DEFAULT_DATE_FORMATS
    amount_in_kopecks: bool = False
    total_row_marker: str = "разом"
    sheet: str = ""
    skip_rows: int = 0

    def to_dict(self):
        """A JSON-ready copy (Odoo stores layouts as JSON)."""
        data = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}
        data["date_formats"] = list(self.date_formats)
        data["columns"] = {
            key: value if isinstance(value, int) else [value] if isinstance(value, str) else list(value)
            for key, value in self.columns.items()
        }
        return data

    @classmethod
    def from_dict(cls, data):
        """The inverse of :meth:`to_dict`; unknown keys are ignored, a column given as one string is split
        on ``|`` into aliases, a string of digits is a column number."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        columns = {}
        for key, spec in (values.get("columns") or {}).items():
            if isinstance(spec, str):
                spec = int(spec) if spec.strip().isdigit() else [part.strip() for part in spec.split("|")]
            columns[key] = spec
        values["columns"] = columns
        if "date_formats" in values:
            values["date_formats"] = tuple(values["date_formats"] or DEFAULT_DATE_FORMATS)
        return cls(**values)


# Header aliases shared by the generic layouts; the collector presets put their own names first.
ALIASES = {
    "txn_id": [
        "Номер транзакції",
        "ID транзакції",
        "Ідентифікатор транзакції",
        "Номер платежу",
        "ID платежу",
        "Номер операції",
        "ID операції",
        "Код операції",
        "Номер квитанції",
        "Референс",
        "Номер транзакции",
        "ID транзакции",
        "Номер платежа",
        "ID платежа",
        "Номер операции",
        "Transaction ID",
        "Transaction",
        "Payment ID",
        "ID",
        "TXN_ID",
        "TRANS_ID",
        "ID_PLAT",
        "N_PLAT",
        "NOM_PLAT",
    ],
    "date": [
        "Дата оплати",
        "Дата платежу",
        "Дата операції",
        "Дата транзакції",
        "Дата",
        "Дата оплаты",
        "Дата платежа",
        "Дата операции",
        "Payment date",
        "Date",
        "DATA",
        "DAT_PLAT",
        "D_PLAT",
        "DATE_PAY",
    ],
    "account": [
        "Особовий рахунок",
        "Ос. рахунок",
        "О/р",
        "Номер рахунку",
        "Рахунок",
        "Лицевой счет",
        "Л/С",
        "ЛС",
        "Personal account",
        "Account",
        "LS",
        "LIC_SCH",
        "LICSCHET",
        "NLS",
    ],
    "payer": ["ПІБ", "ПІБ платника", "Платник", "ФИО", "ФИО плательщика", "Плательщик", "Payer", "Name", "FIO", "PIB"],
    "address": ["Адреса", "Адреса платника", "Адрес", "Address", "ADRES", "ADR"],
    "service_code": ["Код послуги", "Послуга", "Код услуги", "Услуга", "Service code", "Service", "KOD_USL", "USL"],
    "period": ["Період", "Період оплати", "Розрахунковий період", "Период", "Period", "PERIOD", "MES"],
    "amount": ["Сума", "Сума платежу", "Сума оплати", "Сумма", "Сумма платежа", "Amount", "Sum", "SUMMA", "SUMA"],
    "fee": [
        "Комісія",
        "Сума комісії",
        "Комісія банку",
        "Комиссия",
        "Сумма комиссии",
        "Fee",
        "Commission",
        "KOM",
        "KOMIS",
    ],
}
TOTAL_MARKERS = "разом|всього|усього|итого|всего|total"


def _columns(**firsts):
    """The generic aliases of every field, with ``firsts[field]`` tried before them."""
    result = {}
    for key, aliases in ALIASES.items():
        own = list(firsts.get(key, ()))
        result[key] = own + [alias for alias in aliases if alias not in own]
    return result


PRESETS = {
    "generic_csv": Layout("csv", _columns(), total_row_marker=TOTAL_MARKERS),
    "generic_xlsx": Layout("xlsx", _columns(), total_row_marker=TOTAL_MARKERS),
    "generic_dbf": Layout("dbf", _columns(), date_formats=("%Y%m%d", *DEFAULT_DATE_FORMATS), total_row_marker=""),
    # ГЕРЦ / ЄРЦ: dBase files in CP866 with short Latin field names.
    "gerc": Layout(
        "dbf",
        _columns(
            txn_id=["ID_PLAT", "N_PLAT", "NOM_PLAT"],
            date=["DATA", "DAT_PLAT"],
            account=["LS", "LIC_SCH", "NLS"],
            payer=["FIO"],
            address=["ADRES", "ADR"],
            service_code=["KOD_USL", "USL"],
            period=["PERIOD", "MES"],
            amount=["SUMMA", "SUMA"],
            fee=["KOM", "KOMIS"],
        ),
        date_formats=("%Y%m%d", "%d.%m.%Y"),
        total_row_marker="",
    ),
    "easypay": Layout(
        "csv",
        _columns(
            txn_id=["Номер транзакції", "ID транзакції"],
            date=["Дата оплати", "Дата операції"],
            account=["Особовий рахунок", "Рахунок"],
            payer=["ПІБ", "Платник"],
            service_code=["Код послуги", "Послуга"],
            amount=["Сума", "Сума платежу"],
            fee=["Комісія"],
        ),
        delimiter=";",
        total_row_marker=TOTAL_MARKERS,
    ),
    "ipay": Layout(
        "csv",
        _columns(
            txn_id=["Transaction ID", "ID"],
            date=["Payment date", "Date"],
            account=["Personal account", "Account"],
            payer=["Payer", "Name"],
            address=["Address"],
            service_code=["Service code", "Service"],
            period=["Period"],
            amount=["Amount", "Sum"],
            fee=["Fee", "Commission"],
        ),
        encoding="utf-8",
        delimiter=",",
        decimal=".",
        date_formats=("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"),
        total_row_marker="total|разом",
    ),
    "portmone": Layout(
        "xlsx",
        _columns(
            txn_id=["ID операції", "Номер транзакції"],
            date=["Дата операції", "Дата оплати"],
            account=["Номер рахунку", "Особовий рахунок"],
            payer=["Платник", "ПІБ"],
            service_code=["Послуга", "Код послуги"],
            amount=["Сума", "Сума платежу"],
            fee=["Комісія"],
        ),
        total_row_marker=TOTAL_MARKERS,
    ),
    "privat_komunalka": Layout(
        "csv",
        _columns(
            txn_id=["Референс", "Номер платежу", "Номер платежа"],
            date=["Дата платежу", "Дата платежа", "Дата оплати"],
            account=["Особовий рахунок", "Лицевой счет", "Л/С"],
            payer=["ПІБ", "ФИО"],
            address=["Адреса", "Адрес"],
            service_code=["Код послуги", "Код услуги"],
            period=["Період", "Период"],
            amount=["Сума", "Сумма"],
            fee=["Комісія", "Комиссия"],
        ),
        encoding="cp1251",
        delimiter=";",
        decimal=",",
        total_row_marker=TOTAL_MARKERS,
    ),
    "ukrposhta": Layout(
        "csv",
        _columns(
            txn_id=["Номер квитанції", "Номер переказу", "Номер операції"],
            date=["Дата прийому", "Дата оплати"],
            account=["Особовий рахунок", "О/р"],
            payer=["Платник", "ПІБ"],
            address=["Адреса"],
            service_code=["Код послуги"],
            period=["Період"],
            amount=["Сума", "Сума переказу"],
            fee=["Плата за послугу", "Комісія"],
        ),
        encoding="cp1251",
        delimiter=";",
        decimal=",",
        total_row_marker=TOTAL_MARKERS,
    ),
}


def preset(name, **changes):
    """An independent copy of ``PRESETS[name]`` with ``changes`` applied (KeyError if unknown)."""
    return replace(copy.deepcopy(PRESETS[name]), **changes)


# ------------------------------------------------------------
# Result
# ------------------------------------------------------------


@dataclass(frozen=True)
class RegistryRecord:
    row: int
    txn_id: str
    date: date
    account: str
    payer: str
    address: str
    service_code: str
    period: date | None
    amount: Decimal
    fee: Decimal

    def to_dict(self):
        return {
            "row": self.row,
            "txn_id": self.txn_id,
            "date": self.date.isoformat(),
            "account": self.account,
            "payer": self.payer,
            "address": self.address,
            "service_code": self.service_code,
            "period": self.period.isoformat() if self.period else None,
            "amount": str(self.amount),
            "fee": str(self.fee),
        }


@dataclass
class Registry:
    records: list
    total_amount: Decimal
    total_fee: Decimal
    net_amount: Decimal
    count: int
    declared_count: int | None
    declared_amount: Decimal | None
    number: str = ""
    date: date | None = None
    declared_fee: Decimal | None = None
    encoding: str = ""  # the text encoding read (CSV, dBase); "" for XLSX

    def to_dict(self):
        """JSON-ready: dates ISO, amounts as strings."""

        def text(value):
            return None if value is None else str(value)

        return {
            "number": self.number,
            "date": self.date.isoformat() if self.date else None,
            "count": self.count,
            "total_amount": str(self.total_amount),
            "total_fee": str(self.total_fee),
            "net_amount": str(self.net_amount),
            "declared_count": self.declared_count,
            "declared_amount": text(self.declared_amount),
            "declared_fee": text(self.declared_fee),
            "encoding": self.encoding,
            "records": [record.to_dict() for record in self.records],
        }


# ------------------------------------------------------------
# Registry numbers in payment purposes, titles and file names
# ------------------------------------------------------------

_DATE_TEXT = r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
REGISTRY_NUMBER_RE = re.compile(
    r"(?<![^\W\d_])(?:реєстр|реестр|реєстер|registry|register|reestr|reiestr|reyestr)[^\W\d_]*"
    r"(?:[\s_]+(?:платеж|платіж|оплат|payment|плат)[^\W\d_]*)?"
    r"(?:[\s_,]+(?:від|вiд|от|from|dated)[\s_]*" + _DATE_TEXT + r"(?!\d)(?:[\s_]*р\.?)?)?"
    r"[\s_.,:]*(?:(?:№|#|N|No|Nr|номер|number)[\s_.:]*)?"
    r"(?<!\d)(?P<number>(?:[^\W_]+[-/])?[^\W_]*\d(?:[^\W_]|[/-](?=[^\W_]))*)(?![./]?\d)",
    re.IGNORECASE,
)
_DATE_ONLY_RE = re.compile(_DATE_TEXT + r"|\d{4}[./-]\d{1,2}[./-]\d{1,2}")
_REGISTRY_DATE_RE = re.compile(
    r"(?:від|вiд|от|за|from|dated|дата[^\W\d_]*:?)\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})", re.IGNORECASE
)


def registry_number_in(text):
    """The registry number a text names, as written: "…згідно реєстру № 123 від 05.11.2026…" -> "123",
    "реєстр платежів 0045" -> "0045", "registry #12/11" -> "12/11"; "" when none."""
    for match in REGISTRY_NUMBER_RE.finditer(text or ""):
        number = match.group("number")
        if not _DATE_ONLY_RE.fullmatch(number):
            return number
    return ""


def normalize_registry_number(number):
    """``number`` for comparisons: case and spaces ignored, leading zeros of digit groups dropped."""
    text = "".join((number or "").split()).casefold()
    return re.sub(r"\d+", lambda match: str(int(match.group())), text)


def same_registry_number(first, second):
    """Whether two registry numbers are the same, ignoring leading zeros, case and spaces ("0045" = "45")."""
    first, second = normalize_registry_number(first), normalize_registry_number(second)
    return bool(first) and first == second


def _registry_date_in(text):
    for match in _REGISTRY_DATE_RE.finditer(text or ""):
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            continue
    return None


# ------------------------------------------------------------
# Text: encodings, garbled text, cleaning
# ------------------------------------------------------------

# Characters that genuine Ukrainian/Russian text hardly holds but text decoded with the wrong Cyrillic code
# page is full of: the upper halves of CP1251 and CP866 minus letters and common typography.
_PLAUSIBLE = set("«»№–—’‘“”°·" + NBSP + "ЄєІіЇїҐґЁё")
_ODD_CHARS = frozenset(
    (
        set(bytes(b for b in range(0x80, 0xC0) if b != 0x98).decode("cp1251"))
        | set(bytes(range(0xB0, 0xE0)).decode("cp866"))
        | set(bytes(range(0xF0, 0x100)).decode("cp866"))
    )
    - _PLAUSIBLE
)
# Letters each below 1.5 % of Ukrainian or Russian text, which CP1251's frequent small letters become in CP866.
_RARE_LETTERS = frozenset("юхшэщъцфЮХШЭЩЪЦФ")
CSV_AUTO_ENCODINGS = ("cp1251", "cp866", "cp1125")
DBF_CODE_PAGES = {0x65: "cp866", 0x26: "cp866", 0xC9: "cp1251", 0x57: "cp1251"}


def _char_class(chars):
    return re.compile("[" + "".join(re.escape(char) for char in sorted(chars)) + "]")


_ODD_RE = _char_class(_ODD_CHARS)
_ODD_LETTERS_RE = _char_class(char for char in _ODD_CHARS if "\u0400" <= char <= "\u04ff")
_RARE_RE = _char_class(_RARE_LETTERS)
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")


def _odd_score(text):
    """(odd characters, non-ASCII characters, Cyrillic letters, rare Cyrillic letters) of ``text``, or of its
    first 100 000 characters (plenty to tell a code page)."""
    text = text[:100_000]
    odd = len(_ODD_RE.findall(text))
    letters = len(_CYRILLIC_RE.findall(text)) - len(_ODD_LETTERS_RE.findall(text))
    return odd, len(_NON_ASCII_RE.findall(text)), letters, len(_RARE_RE.findall(text))


def _garbled(text):
    """Whether ``text`` reads like text decoded with the wrong code page: odd symbols (CP866 read as CP1251,
    UTF-8 read as either, capitals of CP1251 read as CP866), or letters rare in Ukrainian and Russian where
    the frequent ones should be (small letters of CP1251 read as CP866: о -> ю, е -> х, и -> ш, н -> э)."""
    odd, non_ascii, letters, rare = _odd_score(text)
    return (odd >= 3 and odd * 20 >= non_ascii) or (letters >= 20 and rare * 3 >= letters)


def _badness(text):
    """How garbled ``text`` reads, to choose between code pages: lower is better."""
    odd, _non_ascii, _letters, rare = _odd_score(text)
    return odd * 2 + rare


def _codec_name(encoding):
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise RegistryError(MSG_LAYOUT_ENCODING, encoding=encoding) from None


def _decode_error(data, exc, encoding):
    return RegistryError(MSG_DECODE, row=data[: exc.start].count(b"\n") + 1, encoding=encoding)


def _decode_text(data, encoding):
    """(text, codec name) of a CSV file: ``encoding`` if given, else BOM, UTF-8, then the Cyrillic code page
    with the fewest garbled characters."""
    if encoding:
        name = _codec_name(encoding)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise _decode_error(data, exc, encoding) from None
        if _garbled(text):
            raise RegistryError(MSG_GARBLED, encoding=encoding)
        return text.lstrip("\ufeff"), name
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name).lstrip("\ufeff"), name
            except UnicodeDecodeError as exc:
                raise _decode_error(data, exc, name) from None
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None:
        return utf8, "utf-8"
    best = None
    for name in CSV_AUTO_ENCODINGS:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = _badness(text)
        if best is None or score < best[0]:
            best = (score, text, name)
    if best is None or _garbled(best[1]):
        raise RegistryError(MSG_UNKNOWN_ENCODING)
    return best[1], best[2]


_LOOKALIKES = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "i": "і",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "t": "т",
        "x": "х",
        "y": "у",
        "ё": "е",
        "_": " ",
        "-": " ",
        "’": "",
        "ʼ": "",
        "'": "",
        "`": "",
        ".": "",
        ":": "",
        '"': "",
    }
)


def _header_key(text):
    """A header or alias for matching: case, spaces, dots, quotes and Latin look-alikes ignored."""
    return " ".join(str(text).casefold().translate(_LOOKALIKES).split())


def _header_base(key):
    """``key`` without a trailing unit: "сума, грн" / "сума (грн)" -> "сума"."""
    return re.sub(r"\s*(\([^)]*\)|,[^,]*)$", "", key)


def _clean_text(value):
    text = " ".join(str(value).split())
    if text.startswith('="') and text.endswith('"') and len(text) > 2:  # Excel's way of keeping leading zeros
        return text[2:-1].strip()
    return text


def _float_text(value):
    text = repr(value)
    if "e" in text or "E" in text or len(text.partition(".")[2]) > 2:
        short = format(value, ".15g")  # Excel keeps 15 significant digits
        if "e" not in short and len(short.partition(".")[2]) <= 2:
            return short
        text = format(Decimal(text), "f")
    return text


def _cell_text(value):
    """A cell as text (ids, names, messages)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int):
        # Python refuses str() of an int of thousands of digits (a damaged cell); Decimal shows it
        return str(value) if value.bit_length() < 1000 else str(Decimal(value))
    if isinstance(value, float):
        text = _float_text(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value() and value.adjusted() < 300:
            return str(int(value))
        return str(value)
    return _clean_text(value)


def _id_text(value):
    text = _cell_text(value)
    return text[1:].strip() if text.startswith("'") else text


def _fmt_amount(value):
    """3456.78 -> '3 456,78' (no-break spaces), as Ukrainian documents write amounts."""
    return f"{value:,.2f}".replace(",", NBSP).replace(".", ",")


# ------------------------------------------------------------
# dBase III/IV reader
# ------------------------------------------------------------

DBF_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xF5, 0xFB})


@dataclass(frozen=True)
class DbfField:
    name: str
    type: str
    length: int
    decimals: int
    offset: int  # in the record, after the deletion flag


@dataclass
class DbfTable:
    fields: list  # DbfField
    records: list  # (record number from 1, [values]) of the records not deleted
    deleted: int  # records skipped as deleted
    encoding: str  # codec used for the text
    code_page: int  # the language driver byte of the header


def _dbf_layout(data):
    """(record count, header length, record length, raw descriptors) or None when ``data`` is no dBase file."""
    if len(data) < 33 or data[0] not in DBF_VERSIONS or data[2] > 12 or data[3] > 31:
        return None
    count, header_length, record_length = struct.unpack("<IHH", data[4:12])
    descriptors = []
    position = 32
    while position < min(header_length, len(data)) and data[position] != 0x0D:
        raw = data[position : position + 32]
        if len(raw) < 32:
            return None
        descriptors.append(raw)
        position += 32
    if not descriptors or position >= len(data) or data[position] != 0x0D or header_length < position + 1:
        return None
    if record_length != 1 + sum(raw[16] for raw in descriptors):
        return None
    return count, header_length, record_length, descriptors


def _dbf_value(kind, raw, encoding):
    if kind == "C":
        return raw.decode(encoding).rstrip(" \x00")
    text = raw.decode("latin-1").strip(" \x00")
    if kind in "NF":
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return text
    if kind == "D":
        if not text.strip("0"):
            return None
        try:
            return datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            return text
    if kind == "L":
        return True if text in ("T", "t", "Y", "y") else False if text in ("F", "f", "N", "n") else None
    return raw.decode(encoding, "replace").strip(" \x00")


def _dbf_encoding(data, encoding, header_length, record_length, fields_, code_page):
    """The codec for the text of a dBase file: ``encoding`` if given, else the code page byte's, unless the
    text reads garbled in it and cleanly in another Cyrillic code page."""
    sample = bytearray(b" ".join(item.name for item in fields_))
    end = min(len(data), header_length + record_length * 5000)
    for start in range(header_length, end - record_length + 1, record_length):
        for item in fields_:
            if item.type == "C":
                sample += data[start + 1 + item.offset : start + 1 + item.offset + item.length] + b" "
    sample = bytes(sample)
    if encoding:
        name = _codec_name(encoding)
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            raise RegistryError(MSG_GARBLED, encoding=encoding) from None
        if _garbled(text):
            raise RegistryError(MSG_GARBLED, encoding=encoding)
        return name
    first = DBF_CODE_PAGES.get(code_page, "cp866")
    best = None
    for name in dict.fromkeys((first, "cp866", "cp1251", "cp1125")):
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        score = _badness(text)
        if best is None or score < best[0]:
            best = (score, text, name)
    if best is None or _garbled(best[1]):
        raise RegistryError(MSG_GARBLED, encoding=first)
    return best[2]


def read_dbf(data, encoding=""):
    """Read a dBase III/IV table. The text is decoded with ``encoding`` if given, else with the code page of
    the header's language driver byte (CP866 when unknown), unless it reads garbled there and cleanly in
    CP1251 or CP866. Values: C text (right spaces dropped), N/F Decimal from their digits (None when
    blank, the raw text when unreadable), D date (None when blank, the raw text when invalid), L bool or
    None, any other type its text. Deleted records are skipped and counted."""
    found = _dbf_layout(data)
    if found is None:
        raise RegistryError(MSG_BAD_DBF)
    count, header_length, record_length, descriptors = found
    code_page = data[29]
    fields_ = []
    offset = 0
    for raw in descriptors:
        kind = chr(raw[11]).upper()
        fields_.append(DbfField(raw[:11].split(b"\x00")[0], kind, raw[16], raw[17], offset))
        offset += raw[16]
    if len(data) < header_length + count * record_length:
        raise RegistryError(MSG_DBF_TRUNCATED, expected=count)
    codec = _dbf_encoding(data, encoding, header_length, record_length, fields_, code_page)
    fields_ = [replace(item, name=item.name.decode(codec, "replace").strip()) for item in fields_]
    records = []
    deleted = 0
    for number in range(1, count + 1):
        start = header_length + (number - 1) * record_length
        record = data[start : start + record_length]
        if record[0] == 0x2A:
            deleted += 1
            continue
        if record[0] != 0x20:
            raise RegistryError(MSG_DBF_RECORD, row=number)
        try:
            values = [
                _dbf_value(item.type, record[1 + item.offset : 1 + item.offset + item.length], codec)
                for item in fields_
            ]
        except UnicodeDecodeError:
            raise RegistryError(MSG_DECODE, row=number, encoding=codec) from None
        records.append((number, values))
    return DbfTable(fields_, records, deleted, codec, code_page)


# ------------------------------------------------------------
# Reading the three file types into rows of cells
# ------------------------------------------------------------


@dataclass
class _Table:
    rows: list  # (row number, [cells])
    header: list | None = None  # dBase field names (the header is not a row)
    encoding: str = ""


def _file_kind(data):
    """What ``data`` looks like: "xlsx", "xls", "dbf", "binary" or "text"."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if _dbf_layout(data) is not None:
        return "dbf"
    head = data[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    if b"\x00" in head:
        return "binary"
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 26))
    return "binary" if controls * 200 > len(head) else "text"


def _check_kind(data, layout):
    kind = _file_kind(data)
    expected = FILE_KIND_LABELS[layout.file_type]
    if kind == layout.file_type or (kind == "text" and layout.file_type == "csv"):
        return
    if kind == "xls":
        raise RegistryError(MSG_XLS)
    if kind in FILE_KIND_LABELS:
        raise RegistryError(MSG_WRONG_TYPE, found=FILE_KIND_LABELS[kind], expected=expected)
    if kind == "binary" and layout.file_type == "dbf":
        raise RegistryError(MSG_BAD_DBF)
    if kind == "text":
        raise RegistryError(MSG_WRONG_TYPE, found=FILE_KIND_LABELS["csv"], expected=expected)
    raise RegistryError(MSG_BINARY, expected=expected)


DELIMITERS = (";", ",", "\t", "|")


def _delimiter(layout):
    named = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}
    return named.get(layout.delimiter.lower(), layout.delimiter) if layout.delimiter else ""


def _csv_rows(text, delimiter, limit=None):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    rows = []
    try:
        for cells in islice(reader, limit):
            rows.append((reader.line_num, cells))
    except csv.Error:
        raise RegistryError(MSG_BINARY, expected=FILE_KIND_LABELS["csv"]) from None
    return rows


def _sniff_delimiter(text, layout):
    """The candidate delimiter whose first rows hold the most required headers, then split into the most
    consistent number of cells, then into the most cells."""
    best = None
    for delimiter in DELIMITERS:
        rows = [cells for _, cells in _csv_rows(text, delimiter, 60) if cells]
        if not rows:
            continue
        widths = [len(cells) for cells in rows]
        width = max(set(widths), key=lambda value: (widths.count(value), value))
        consistent = widths.count(width) if width > 1 else 0
        headers = max(_header_matches(cells, layout) for cells in rows[:HEADER_SEARCH_ROWS]) if layout.has_header else 0
        score = (headers, consistent, width)
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else ";"


def _read_csv(data, layout):
    text, encoding = _decode_text(data, layout.encoding)
    text = text.rstrip("\x1a")
    if not text.strip():
        raise RegistryError(MSG_EMPTY)
    if "\x00" in text:
        raise RegistryError(MSG_BINARY, expected=FILE_KIND_LABELS["csv"])
    delimiter = _delimiter(layout) or _sniff_delimiter(text, layout)
    return _Table(_csv_rows(text, delimiter), encoding=encoding)


def _read_xlsx(data, layout):
    wanted = _header_key(layout.sheet) if layout.sheet else None
    try:
        sheets = xlsx_read.read_workbook(
            data, wanted=lambda title, index: _header_key(title) == wanted if wanted else index == 0
        )
    except xlsx_read.WorkbookError as exc:
        if exc.kind == xlsx_read.NOT_XLSX:
            raise RegistryError(MSG_BAD_XLSX) from exc
        raise RegistryError(MSG_DAMAGED_XLSX if exc.kind == xlsx_read.DAMAGED else MSG_LARGE_XLSX, row=exc.row) from exc
    if wanted:
        sheets = [sheet for sheet in sheets if _header_key(sheet.title) == wanted]
        if not sheets:
            raise RegistryError(MSG_NO_SHEET, sheet=layout.sheet)
    if not sheets:
        raise RegistryError(MSG_EMPTY)
    return _Table([(number, list(cells)) for number, cells in enumerate(sheets[0].rows, start=1)])


def _read_dbf(data, layout):
    table = read_dbf(data, layout.encoding)
    return _Table(table.records, header=[item.name for item in table.fields], encoding=table.encoding)


READERS = {"csv": _read_csv, "xlsx": _read_xlsx, "dbf": _read_dbf}


# ------------------------------------------------------------
# Columns
# ------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    index: int  # 0-based
    label: str  # as the file writes it, or "#3"


def _spec(layout, key):
    """The aliases (list of str) or the 1-based number (int) of field ``key``; None when absent."""
    spec = layout.columns.get(key)
    if spec is None or spec == "" or spec == []:
        return None
    if isinstance(spec, bool):
        raise RegistryError(MSG_LAYOUT_COLUMN, field=FIELD_LABELS[key], field_key=key, value=str(spec))
    if isinstance(spec, int):
        if spec < 1:
            raise RegistryError(MSG_LAYOUT_COLUMN, field=FIELD_LABELS[key], field_key=key, value=str(spec))
        return spec
    aliases = [spec] if isinstance(spec, str) else list(spec)
    if not all(isinstance(alias, str) and alias.strip() for alias in aliases):
        raise RegistryError(MSG_LAYOUT_COLUMN, field=FIELD_LABELS[key], field_key=key, value=str(spec))
    return aliases


def _check_layout(layout):
    if layout.file_type not in FILE_TYPES:
        raise RegistryError(MSG_LAYOUT_FILE_TYPE, file_type=str(layout.file_type))
    for key in REQUIRED_FIELDS:
        if _spec(layout, key) is None:
            raise RegistryError(MSG_LAYOUT_FIELD, field=FIELD_LABELS[key], field_key=key)
    for key in FIELDS:
        spec = _spec(layout, key)
        if isinstance(spec, list) and not layout.has_header and layout.file_type != "dbf":
            raise RegistryError(MSG_LAYOUT_NEEDS_NUMBER, field=FIELD_LABELS[key], field_key=key)
    if layout.encoding:
        _codec_name(layout.encoding)


def _resolve(header, layout):
    """{field: _Column} found in the ``header`` cells (None without a header) and the fields not found."""
    keys = [_header_key(_cell_text(cell)) for cell in header] if header is not None else []
    taken = set()
    found = {}
    for base in (False, True):
        for key in FIELDS:
            spec = _spec(layout, key)
            if key in found or spec is None:
                continue
            if isinstance(spec, int):
                label = _cell_text(header[spec - 1]) if header and spec <= len(header) else ""
                found[key] = _Column(spec - 1, label or f"#{spec}")
                taken.add(spec - 1)
                continue
            wanted = [_header_key(alias) for alias in spec]
            for alias in wanted:
                index = next(
                    (
                        i
                        for i, text in enumerate(keys)
                        if i not in taken and (_header_base(text) if base else text) == alias
                    ),
                    None,
                )
                if index is not None:
                    found[key] = _Column(index, _cell_text(header[index]))
                    taken.add(index)
                    break
    missing = [key for key in FIELDS if key not in found and _spec(layout, key) is not None]
    return found, missing


def _header_matches(cells, layout):
    found, _missing = _resolve(cells, layout)
    return sum(1 for key in REQUIRED_FIELDS if key in found and isinstance(_spec(layout, key), list))


def _no_column(layout, key, row=0):
    aliases = ", ".join(f'"{alias}"' for alias in _spec(layout, key))
    return RegistryError(MSG_NO_COLUMN, row=row, field=FIELD_LABELS[key], field_key=key, aliases=aliases)


def _locate(table, rows, layout):
    """(title rows, columns, data rows) of the non-empty ``rows``."""
    if table.header is not None:
        columns, missing = _resolve(table.header, layout)
        for key in REQUIRED_FIELDS:
            if key in missing:
                raise _no_column(layout, key)
        _check_beyond(columns, len(table.header))
        return [], columns, rows
    if not layout.has_header:
        columns, _missing = _resolve(None, layout)
        title = [item for item in rows if item[0] <= layout.skip_rows]
        data = [item for item in rows if item[0] > layout.skip_rows]
        _check_beyond(columns, max((len(cells) for _, cells in data), default=0))
        return title, columns, data
    candidates = [index for index, (number, _cells) in enumerate(rows) if number > layout.skip_rows]
    candidates = candidates[:HEADER_SEARCH_ROWS]
    if not candidates:
        raise RegistryError(MSG_EMPTY)
    best = None
    for index in candidates:
        columns, missing = _resolve(rows[index][1], layout)
        required_missing = [key for key in REQUIRED_FIELDS if key in missing]
        if not required_missing:
            _check_beyond(columns, len(rows[index][1]))
            return rows[:index], columns, rows[index + 1 :]
        if best is None or len(required_missing) < len(best[1]):
            best = (index, required_missing)
    raise _no_column(layout, best[1][0], rows[best[0]][0])


def _check_beyond(columns, width):
    for key, column in columns.items():
        if column.index >= width:
            raise RegistryError(
                MSG_COLUMN_BEYOND, column=column.index + 1, field=FIELD_LABELS[key], field_key=key, count=width
            )


# ------------------------------------------------------------
# Values
# ------------------------------------------------------------

_THOUSANDS_RE = {
    ".": re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?"),
    ",": re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"),
}
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_CURRENCY_RE = re.compile(r"\s*(?:грн\.?|uah|₴)$", re.IGNORECASE)


def _number_from_text(text, decimal):
    """Decimal of an amount written as text ("1 234,56", "1234.56", "-5"); None when it is no number.
    ``decimal`` "," or "." fixes the decimal mark (the other one may separate thousands), "" accepts both."""
    text = _CURRENCY_RE.sub("", text.replace(NBSP, " ").replace("\u202f", " ").strip())
    negative = text.startswith(("-", "−"))
    if negative or text.startswith("+"):
        text = text[1:].strip()
    text = re.sub(r"(?<=\d) +(?=\d)", "", text)
    mark = decimal
    if not mark:
        if "," in text and "." in text:
            mark = "," if text.rfind(",") > text.rfind(".") else "."
        elif text.count(",") > 1 or text.count(".") > 1:
            return None
        else:
            mark = "," if "," in text else "."
    other = "." if mark == "," else ","
    if other in text:
        if not _THOUSANDS_RE[other].fullmatch(text):
            return None
        text = text.replace(other, "")
    text = text.replace(mark, ".")
    if not _NUMBER_RE.fullmatch(text):
        return None
    number = Decimal(text)
    return -number if negative else number


def _raw_number(value, decimal):
    if isinstance(value, bool) or isinstance(value, date):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(_float_text(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return _number_from_text(str(value), decimal)


def _money(value, layout, key, decimal=None, kopecks=None):
    """The Decimal of an amount or fee cell, quantized to kopecks; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _raw_number(value, layout.decimal if decimal is None else decimal)
    text = _cell_text(value)
    if number is None:
        raise _CellError(MSG_BAD_AMOUNT, value=text)
    if abs(number) >= AMOUNT_MAX:
        # 1E+308 in a cell: no collector pays that much, and quantizing it would overflow
        raise _CellError(MSG_IMPLAUSIBLE_AMOUNT, value=text[:40], field=FIELD_LABELS[key])
    if layout.amount_in_kopecks if kopecks is None else kopecks:
        if number != number.to_integral_value():
            raise _CellError(MSG_KOPECKS, value=text, field=FIELD_LABELS[key])
        return (number / 100).quantize(CENT)
    if number != number.quantize(CENT):
        raise _CellError(MSG_DECIMALS, value=text, field=FIELD_LABELS[key])
    return number.quantize(CENT)


def _human_format(fmt):
    for code, text in (
        ("%d", "DD"),
        ("%m", "MM"),
        ("%Y", "YYYY"),
        ("%y", "YY"),
        ("%H", "hh"),
        ("%M", "mm"),
        ("%S", "ss"),
    ):
        fmt = fmt.replace(code, text)
    return fmt


def _date(value, layout):
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value < 80000:
        result = date(1899, 12, 30) + timedelta(days=int(value))  # an XLSX date serial without a date format
    else:
        text = _cell_text(value)
        result = None
        for fmt in layout.date_formats:
            try:
                result = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if result is None:
            formats = ", ".join(dict.fromkeys(_human_format(fmt) for fmt in layout.date_formats))
            raise _CellError(MSG_BAD_DATE, value=text, formats=formats)
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise _CellError(MSG_DATE_RANGE, value=_cell_text(value))
    return result


MONTHS = {}
for _number, _names in enumerate(
    (
        "січень січня січ січ. январь января янв january jan",
        "лютий лютого лют февраль февраля фев february feb",
        "березень березня бер март марта мар march mar",
        "квітень квітня квіт апрель апреля апр april apr",
        "травень травня трав май мая may",
        "червень червня черв июнь июня июн june jun",
        "липень липня лип июль июля июл july jul",
        "серпень серпня серп август августа авг august aug",
        "вересень вересня вер сентябрь сентября сен сент september sep sept",
        "жовтень жовтня жовт октябрь октября окт october oct",
        "листопад листопада лист ноябрь ноября ноя november nov",
        "грудень грудня груд декабрь декабря дек december dec",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_PERIOD_PATTERNS = (
    (re.compile(r"(\d{1,2})[./-](\d{4})"), "my"),
    (re.compile(r"(\d{4})[./-](\d{1,2})"), "ym"),
    (re.compile(r"(\d{1,2})[./](\d{2})"), "my2"),
    (re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})"), "dmy"),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{6})"), "digits"),
    (re.compile(r"(\d)(\d{4})"), "my"),
    (re.compile(r"([^\W\d_]+)\.?,?\s*(\d{4})(?:\s*(?:р|року|рік|г|года|год)\.?)?"), "name"),
)


def _month_year(kind, groups):
    if kind == "my":
        return int(groups[0]), int(groups[1])
    if kind == "my2":
        return int(groups[0]), 2000 + int(groups[1])
    if kind == "ym":
        return int(groups[1]), int(groups[0])
    if kind == "dmy":
        return int(groups[1]), int(groups[2])
    if kind == "ymd":
        return int(groups[1]), int(groups[0])
    if kind == "name":
        return MONTHS.get(groups[0].casefold(), 0), int(groups[1])
    digits = groups[0]  # MMYYYY or YYYYMM
    if 1 <= int(digits[:2]) <= 12 and MIN_YEAR <= int(digits[2:]) <= MAX_YEAR:
        return int(digits[:2]), int(digits[2:])
    return int(digits[4:]), int(digits[:4])


def _period(value):
    """The first day of the month a period cell names; None when empty."""
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = _cell_text(value)
    if not text:
        return None
    for pattern, kind in _PERIOD_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            month, year = _month_year(kind, match.groups())
            if 1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR:
                return date(year, month, 1)
            break
    raise _CellError(MSG_BAD_PERIOD, value=text)


# ------------------------------------------------------------
# Rows
# ------------------------------------------------------------


def _cell(cells, column):
    if column is None or column.index >= len(cells):
        return None
    return cells[column.index]


def _row_error(exc, row, key, column):
    params = {"column": column.label if column else "", "field": FIELD_LABELS[key], "field_key": key, "value": ""}
    params.update(exc.params)
    return RegistryError(exc.message, row=row, **params)


def _record(row, cells, columns, layout):
    values = {}
    for key in FIELDS:
        column = columns.get(key)
        value = _cell(cells, column)
        try:
            values[key] = _field_value(key, value, layout)
        except _CellError as exc:
            raise _row_error(exc, row, key, column) from None
    if values["fee"] > values["amount"]:
        exc = _CellError(MSG_FEE_OVER_AMOUNT, value=str(values["fee"]), amount=str(values["amount"]))
        raise _row_error(exc, row, "fee", columns.get("fee"))
    return RegistryRecord(row=row, **values)


def _field_value(key, value, layout):
    if key in ("amount", "fee"):
        number = _money(value, layout, key)
        if number is None:
            if key == "fee":
                return Decimal("0.00")
            raise _CellError(MSG_EMPTY_VALUE)
        if key == "amount" and number <= 0:
            raise _CellError(MSG_NOT_POSITIVE, value=_cell_text(value))
        if number < 0:
            raise _CellError(MSG_NEGATIVE, value=_cell_text(value))
        return number
    if key == "period":
        return _period(value)
    if key == "date":
        if value is None or _cell_text(value) == "":
            raise _CellError(MSG_EMPTY_VALUE)
        return _date(value, layout)
    text = _id_text(value) if key in ("txn_id", "account", "service_code") else _cell_text(value)
    if not text and key in REQUIRED_FIELDS:
        raise _CellError(MSG_EMPTY_VALUE)
    return text


def _markers(layout):
    return [marker.strip().casefold() for marker in (layout.total_row_marker or "").split("|") if marker.strip()]


def _first_text(cells):
    for index, cell in enumerate(cells):
        text = _cell_text(cell)
        if text:
            return index, text
    return None, ""


def _is_total_row(cells, markers):
    _index, text = _first_text(cells)
    return bool(markers) and text.casefold().startswith(tuple(markers))


# ------------------------------------------------------------
# Control totals
# ------------------------------------------------------------

_AMOUNT_TEXT = r"\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_COUNT_IN_TEXT_RE = re.compile(
    r"(?:кількість|к-сть|к-ть|количество|кол-во|count)\D{0,30}?(\d+)"
    r"|(\d+)\s*(?:платеж|платіж|оплат|запис|payment|шт)",
    re.IGNORECASE,
)
_AMOUNT_IN_TEXT_RE = re.compile(r"(?:сум[аиуі]|сумм[аыу]|amount|total)\D{0,30}?(" + _AMOUNT_TEXT + ")", re.IGNORECASE)
_LONE_NUMBER_RE = re.compile(r"(?<![\d.,])(" + _AMOUNT_TEXT + r")(?![\d])")


@dataclass
class _Declared:
    row: int = 0
    count: int | None = None
    amount: Decimal | None = None
    fee: Decimal | None = None


def _text_amount(text, layout):
    """An amount written in free text: hryvnias when it has a decimal mark, else as the layout's columns."""
    kopecks = layout.amount_in_kopecks and not re.search(r"[.,]\d{1,2}$", text)
    return _money(text.replace(" ", "").replace(NBSP, ""), layout, "control_amount", decimal="", kopecks=kopecks)


def _totals_in_text(text, layout, lone=False):
    """(count, amount) written in a title ("Кількість платежів: 12, сума 3 456,78") or, with ``lone``, in the
    label of the control row, where bare numbers count too: an integer is the count, then the amount."""
    count = amount = None
    match = _COUNT_IN_TEXT_RE.search(text)
    if match:
        count = int(match.group(1) or match.group(2))
        text = text[: match.start()] + " " + text[match.end() :]
    match = _AMOUNT_IN_TEXT_RE.search(text)
    if match:
        amount = _text_amount(match.group(1), layout)
        text = text[: match.start()] + " " + text[match.end() :]
    for number in _LONE_NUMBER_RE.findall(text) if lone else ():
        if count is None and not re.search(r"[.,]\d{1,2}$", number):
            count = int(number.replace(" ", "").replace(NBSP, ""))
        elif amount is None:
            amount = _text_amount(number, layout)
    return count, amount


def _control_row(row, cells, columns, layout):
    declared = _Declared(row)
    for key, target in (("amount", "amount"), ("fee", "fee")):
        column = columns.get(key)
        value = _cell(cells, column)
        try:
            setattr(declared, target, _money(value, layout, "control_" + key))
        except _CellError as exc:
            raise _row_error(exc, row, "control_" + key, column) from None
    label_index, label = _first_text(cells)
    remainder = ""
    for marker in _markers(layout):
        if label.casefold().startswith(marker):
            remainder = label[len(marker) :]
            break
    try:
        count, amount = _totals_in_text(remainder, layout, lone=True)
    except _CellError as exc:
        raise _row_error(exc, row, "control_amount", _Column(label_index, label)) from None
    if declared.amount is None:
        declared.amount = amount
    skip = {label_index} | {columns[key].index for key in ("amount", "fee") if key in columns}
    for index, cell in enumerate(cells):
        if count is None and index not in skip and re.fullmatch(r"\d+", _cell_text(cell)):
            count = int(_cell_text(cell))
    declared.count = count
    return declared


def _title_info(title_rows, filename, layout):
    """(number, date, _Declared) found in the title rows, else the number in the file name."""
    number, when, declared = "", None, _Declared()
    for row, cells in title_rows:
        text = " ".join(_cell_text(cell) for cell in cells if _cell_text(cell))
        number = number or registry_number_in(text)
        when = when or _registry_date_in(text)
        try:
            count, amount = _totals_in_text(text, layout)
        except _CellError:
            count = amount = None
        if count is not None or amount is not None:
            declared = _Declared(row, count, amount)
    if not number and filename:
        stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        stem = stem.rsplit(".", 1)[0] if "." in stem else stem
        number = registry_number_in(stem.replace("_", " "))
    return number, when, declared


def _check_declared(declared, count, total, fee):
    if declared is None:
        return
    count_wrong = declared.count is not None and declared.count != count
    amount_wrong = declared.amount is not None and declared.amount != total
    figures = {
        "declared_count": declared.count,
        "declared_amount": _fmt_amount(declared.amount) if declared.amount is not None else "",
        "count": count,
        "amount": _fmt_amount(total),
    }
    if (count_wrong or amount_wrong) and declared.count is not None and declared.amount is not None:
        raise RegistryError(MSG_TOTALS, row=declared.row, **figures)
    if count_wrong:
        raise RegistryError(MSG_TOTAL_COUNT, row=declared.row, **figures)
    if amount_wrong:
        raise RegistryError(MSG_TOTAL_AMOUNT, row=declared.row, **figures)
    if declared.fee is not None and declared.fee != fee:
        raise RegistryError(
            MSG_TOTAL_FEE, row=declared.row, declared_fee=_fmt_amount(declared.fee), fee=_fmt_amount(fee)
        )


# ------------------------------------------------------------
# Entry point
# ------------------------------------------------------------


def _non_empty(rows):
    return [(number, cells) for number, cells in rows if any(_cell_text(cell) for cell in cells)]


def _payments(data_rows, columns, layout):
    """(records, control row _Declared or None); raises the first row error with all of them in ``errors``."""
    records, errors, seen = [], [], {}
    control = None
    markers = _markers(layout)
    guarded = [columns[key] for key in ("txn_id", "account", "amount")]
    for row, cells in data_rows:
        if control is not None:
            if any(_cell_text(_cell(cells, column)) for column in guarded):
                errors.append(RegistryError(MSG_AFTER_TOTAL, row=row, total_row=control.row))
            continue
        if _is_total_row(cells, markers):
            control = _control_row(row, cells, columns, layout)
            continue
        try:
            record = _record(row, cells, columns, layout)
        except RegistryError as exc:
            errors.append(exc)
        else:
            if record.txn_id in seen:
                exc = _CellError(MSG_DUPLICATE, value=record.txn_id, first_row=seen[record.txn_id])
                errors.append(_row_error(exc, row, "txn_id", columns["txn_id"]))
            else:
                seen[record.txn_id] = row
                records.append(record)
        if len(errors) >= MAX_ROW_ERRORS:
            break
    if errors:
        first = errors[0]
        first.errors = errors
        raise first
    return records, control


def parse_registry(data, layout, filename=""):
    """Parse a collector's registry file (``bytes``) with ``layout``; ``filename`` may name the registry
    number ("reestr_123.csv"). Returns a :class:`Registry`; raises :class:`RegistryError` for anything
    wrong, never returning part of a registry."""
    _check_layout(layout)
    if not data or not data.strip(b" \t\r\n\x00\x1a"):
        raise RegistryError(MSG_EMPTY)
    _check_kind(data, layout)
    table = READERS[layout.file_type](data, layout)
    rows = _non_empty(table.rows)
    if not rows and table.header is None:
        raise RegistryError(MSG_EMPTY)
    title_rows, columns, data_rows = _locate(table, rows, layout)
    records, control = _payments(data_rows, columns, layout)
    if not records:
        raise RegistryError(MSG_NO_PAYMENTS)
    number, when, title_declared = _title_info(title_rows, filename, layout)
    total_amount = sum((record.amount for record in records), Decimal("0.00"))
    total_fee = sum((record.fee for record in records), Decimal("0.00"))
    count = len(records)
    for declared in (title_declared, control):
        _check_declared(declared, count, total_amount, total_fee)
    declared = control or title_declared
    return Registry(
        records=records,
        total_amount=total_amount,
        total_fee=total_fee,
        net_amount=total_amount - total_fee,
        count=count,
        declared_count=declared.count if declared.count is not None else title_declared.count,
        declared_amount=declared.amount if declared.amount is not None else title_declared.amount,
        number=number,
        date=when,
        declared_fee=declared.fee,
        encoding=table.encoding,
    )
