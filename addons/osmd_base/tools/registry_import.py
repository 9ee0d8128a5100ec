"""Registry import from an XLSX workbook: parsing and validation, no database.

Workbook layout (sheet and column names are matched case-insensitively, in
English, in the translations passed by the caller, or by their technical key).
Row 1 of each sheet holds the column headers, data starts on row 2; empty rows,
the sheet "Instructions" and unknown sheets are ignored. Every sheet is
optional. Columns marked * are required.

- Buildings: Name*, Street*, City*, Postcode, Entrances, Floors, Year built
- Premises: Building*, Number*, Kind, Entrance, Floor, Rooms, Total area m²*,
  Living area m², Heated area m², Area for votes m²
- Owners: Building*, Premise number*, Owner full name*, Owner kind, Tax ID,
  Phone, E-mail, Share numerator, Share denominator, Owner since,
  Title document, Document number, Document date
- Accounts: Building*, Premise number*, Account number, Holder full name*,
  Phone, E-mail, Opened on (one account per premise; an empty number is taken
  from the association's numbering)
- Residents: Building*, Premise number*, Full name*, Relation, From, Counted,
  Phone, E-mail (a resident belongs to the account of the premise)

People: owner rows with the same name and the same tax ID, phone or e-mail
are one person (a name alone never merges rows). An account holder or a
resident whose name is the name of a person already linked to the same premise
(an owner, the holder) is that person; otherwise the same name-plus-identifier
rule applies, and anyone else is a new person.

``parse_registry`` returns a :class:`RegistryData` of normalised dicts and a
list of :class:`RowError` tuples ``(sheet, row, column, message, params)``.
``message`` is an English template with ``%(name)s`` placeholders, marked with
``_lt`` so that Odoo's translation export collects it; the Odoo layer
translates it with ``env._(message, **params)``.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import xlsxwriter
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.ua import rntrc

from . import xlsx_read
from .edrpou import clean_edrpou
from .phone import PhoneError, normalize_phone
from .shares import format_period, format_share, share_errors, share_fraction
from .xlsx_read import WorkbookError, read_workbook


def _lt(text):
    """Mark ``text`` for translation; the caller translates it (no Odoo here)."""
    return text


AREA_QUANTUM = Decimal("0.01")
AREA_MAX = Decimal("99999999.99")
# no count, floor or area of a registry comes near this; 1E+308 typed in a cell is refused, not converted
NUMBER_MAX = Decimal("1e15")
ACCOUNT_NUMBER_RE = re.compile(r"^\d{1,12}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'", "²": "2"})


# ------------------------------------------------------------
# Choices: (code, English label, extra accepted spellings)
# The codes and labels mirror the selections of the osmd models.
# ------------------------------------------------------------


class Choice(NamedTuple):
    """One value of a choice column.

    ``aliases`` is a keyword so that Odoo's term extractor, which takes any
    parenthesis after ``_lt(...)`` for another ``_lt`` call, does not export
    the accepted spellings and the codes as terms to translate.
    """

    code: str | bool
    label: str
    aliases: tuple = ()


CHOICES = {
    "premise_kind": (
        Choice("apartment", _lt("Apartment"), aliases=("квартира", "кв", "кв.")),
        Choice(
            "non_residential",
            _lt("Non-residential premise"),
            aliases=("нежитлове приміщення", "нежитлове", "нежиле приміщення", "нежиле"),
        ),
        Choice(
            "parking",
            _lt("Parking space"),
            aliases=("паркомісце", "машиномісце", "паркінг", "паркувальне місце"),
        ),
        Choice("storage", _lt("Storage room"), aliases=("комора", "комірка", "підсобне приміщення")),
    ),
    "owner_kind": (
        Choice("person", _lt("Person"), aliases=("фізична особа", "фо", "фізособа", "individual")),
        Choice(
            "company",
            _lt("Legal entity"),
            aliases=("юридична особа", "юо", "юрособа", "organisation", "organization"),
        ),
    ),
    "document_kind": (
        Choice(
            "register_extract",
            _lt("Extract from the State Register of Real Property Rights"),
            aliases=("витяг", "витяг з реєстру", "extract"),
        ),
        Choice(
            "certificate",
            _lt("Certificate of ownership"),
            aliases=("свідоцтво", "свідоцтво про право власності"),
        ),
        Choice(
            "sale_contract",
            _lt("Contract of sale"),
            aliases=("договір купівлі-продажу", "купівля-продаж"),
        ),
        Choice("gift_contract", _lt("Gift contract"), aliases=("договір дарування", "дарування")),
        Choice(
            "inheritance",
            _lt("Certificate of inheritance"),
            aliases=("свідоцтво про право на спадщину", "спадщина"),
        ),
        Choice(
            "privatisation",
            _lt("Privatisation certificate"),
            aliases=("свідоцтво про приватизацію", "приватизація"),
        ),
        Choice("court_decision", _lt("Court decision"), aliases=("рішення суду",)),
        Choice("other", _lt("Other document"), aliases=("інше", "інший документ")),
    ),
    "relation": (
        Choice("owner", _lt("Owner"), aliases=("власник", "власниця")),
        Choice("family", _lt("Family member"), aliases=("член сім'ї", "член родини", "сім'я")),
        Choice("tenant", _lt("Tenant"), aliases=("орендар", "наймач", "квартирант")),
        Choice(
            "registered",
            _lt("Registered person"),
            aliases=("зареєстрована особа", "зареєстрований", "зареєстрована"),
        ),
    ),
    "yes_no": (
        Choice(True, _lt("Yes"), aliases=("y", "true", "1", "так", "+", "x")),
        Choice(False, _lt("No"), aliases=("n", "false", "0", "ні", "-")),
    ),
}


# ------------------------------------------------------------
# Workbook layout
# ------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text, int, area, date, choice, phone, email, account
    required: bool = False
    help: str = ""
    choices: str = ""
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    columns: tuple
    help: str
    aliases: tuple = ()


BUILDING_REF = Column(
    "building",
    _lt("Building"),
    required=True,
    help=_lt("Name of the building as in the Buildings sheet."),
)
PREMISE_REF = Column(
    "premise",
    _lt("Premise number"),
    required=True,
    help=_lt("Number of the premise as in the Premises sheet."),
)
PHONE = Column("phone", _lt("Phone"), "phone", help=_lt("E.g. 067 123 45 67."))
EMAIL = Column("email", _lt("E-mail"), "email")

SHEETS = (
    Sheet(
        "buildings",
        _lt("Buildings"),
        (
            Column(
                "name",
                _lt("Name"),
                required=True,
                help=_lt("Short unique name, used in the other sheets."),
            ),
            Column("street", _lt("Street"), required=True),
            Column("city", _lt("City"), required=True),
            Column("zip", _lt("Postcode")),
            Column("entrance_count", _lt("Entrances"), "int", minimum=1, maximum=99),
            Column("floor_count", _lt("Floors"), "int", minimum=1, maximum=200),
            Column("year_built", _lt("Year built"), "int", minimum=1700, maximum=2200),
        ),
        _lt("One row per building of the association."),
        aliases=("будинки",),
    ),
    Sheet(
        "premises",
        _lt("Premises"),
        (
            BUILDING_REF,
            Column("number", _lt("Number"), required=True, help=_lt("E.g. 12, 12a.")),
            Column(
                "kind",
                _lt("Kind"),
                "choice",
                choices="premise_kind",
                help=_lt("Apartment when empty."),
            ),
            Column("entrance", _lt("Entrance"), "int", minimum=0, maximum=99),
            Column("floor", _lt("Floor"), "int", minimum=-10, maximum=200),
            Column("rooms", _lt("Rooms"), "int", minimum=0, maximum=99),
            Column(
                "total_area",
                _lt("Total area, m²"),
                "area",
                required=True,
                help=_lt("At most 2 decimals."),
            ),
            Column("living_area", _lt("Living area, m²"), "area"),
            Column("heated_area", _lt("Heated area, m²"), "area"),
            Column(
                "vote_area",
                _lt("Area for votes, m²"),
                "area",
                help=_lt("The total area when empty."),
            ),
        ),
        _lt("One row per apartment, non-residential premise, parking space or storage room."),
        aliases=("приміщення",),
    ),
    Sheet(
        "owners",
        _lt("Owners"),
        (
            BUILDING_REF,
            PREMISE_REF,
            Column("name", _lt("Owner full name"), required=True),
            Column(
                "owner_kind",
                _lt("Owner kind"),
                "choice",
                choices="owner_kind",
                help=_lt("Person when empty."),
            ),
            Column(
                "tax_id",
                _lt("Tax ID"),
                help=_lt("RNOKPP (10 digits) of a person or EDRPOU (8 digits) of a legal entity."),
            ),
            PHONE,
            EMAIL,
            Column("share_numerator", _lt("Share numerator"), "int", minimum=1),
            Column(
                "share_denominator",
                _lt("Share denominator"),
                "int",
                minimum=1,
                help=_lt("The share is 1/1 when both are empty."),
            ),
            Column(
                "date_start",
                _lt("Owner since"),
                "date",
                help=_lt("The import date when empty."),
            ),
            Column(
                "document_kind",
                _lt("Title document"),
                "choice",
                choices="document_kind",
            ),
            Column("document_number", _lt("Document number")),
            Column("document_date", _lt("Document date"), "date"),
        ),
        _lt("One row per owner of a premise; co-owners take one row each and their shares sum to exactly 1."),
        aliases=("власники",),
    ),
    Sheet(
        "accounts",
        _lt("Accounts"),
        (
            BUILDING_REF,
            PREMISE_REF,
            Column(
                "number",
                _lt("Account number"),
                "account",
                help=_lt("Digits only; numbered automatically when empty."),
            ),
            Column(
                "holder",
                _lt("Holder full name"),
                required=True,
                help=_lt("An owner of the premise, or a new person."),
            ),
            PHONE,
            EMAIL,
            Column(
                "date_open",
                _lt("Opened on"),
                "date",
                help=_lt("The import date when empty."),
            ),
        ),
        _lt("One personal account per premise."),
        aliases=("рахунки", "особові рахунки"),
    ),
    Sheet(
        "residents",
        _lt("Residents"),
        (
            BUILDING_REF,
            PREMISE_REF,
            Column("name", _lt("Full name"), required=True),
            Column(
                "relation",
                _lt("Relation"),
                "choice",
                choices="relation",
                help=_lt("Registered person when empty."),
            ),
            Column(
                "date_start",
                _lt("From"),
                "date",
                help=_lt("The opening date of the account when empty."),
            ),
            Column(
                "is_counted",
                _lt("Counted"),
                "choice",
                choices="yes_no",
                help=_lt("Counted for per-person services: yes or no (yes when empty)."),
            ),
            PHONE,
            EMAIL,
        ),
        _lt("People living in or registered at a premise with an account."),
        aliases=("мешканці",),
    ),
)
SHEETS_BY_KEY = {sheet.key: sheet for sheet in SHEETS}

# Problems found against the database (by the Odoo layer)
MSG_PREMISE_EXISTS = _lt("Premise %(number)s already exists in building %(building)s.")
MSG_ACCOUNT_NUMBER_USED = _lt("Account number %(number)s is already used in the association.")
INSTRUCTIONS_TITLE = _lt("Instructions")


# ------------------------------------------------------------
# Results
# ------------------------------------------------------------


class RowError(NamedTuple):
    """A problem in the workbook: sheet title, row number (1-based, 0 for the
    whole file), column header, message template and its parameters."""

    sheet: str
    row: int
    column: str
    message: str
    params: dict

    @property
    def text(self):
        """The English message (tests, logs); Odoo translates ``message``."""
        return self.message % self.params if self.params else self.message


@dataclass
class RegistryData:
    buildings: list = field(default_factory=list)
    premises: list = field(default_factory=list)
    persons: list = field(default_factory=list)
    ownerships: list = field(default_factory=list)
    accounts: list = field(default_factory=list)
    residents: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    titles: dict = field(default_factory=dict)  # sheet key -> title in the file
    headers: dict = field(default_factory=dict)  # (sheet, column) -> header

    def error(self, sheet_key, row, column_key, message, /, **params):
        """A RowError naming the sheet and column as written in the workbook
        (for checks made outside the parser, e.g. against the database)."""
        sheet = SHEETS_BY_KEY[sheet_key]
        column = ""
        if column_key:
            column = self.headers.get((sheet_key, column_key)) or next(
                c.header for c in sheet.columns if c.key == column_key
            )
        title = self.titles.get(sheet_key) or sheet.title
        return RowError(title, row, column, message, params)


def normalize_key(text):
    """Key used to match names between sheets and with the database."""
    return " ".join(str(text or "").translate(APOSTROPHES).casefold().split())


def _header_key(text):
    return normalize_key(text).rstrip("*").strip()


def _choice_key(text):
    return normalize_key(str(text).replace("_", " ").replace("-", " "))


WORKBOOK_MESSAGES = {
    xlsx_read.NOT_XLSX: _lt("The file is damaged or is not an Excel workbook (.xlsx)."),
    xlsx_read.DAMAGED: _lt(
        "The workbook is damaged from row %(row)s of this sheet on: save it again as .xlsx in Excel or LibreOffice."
    ),
    xlsx_read.TOO_LARGE: _lt("The sheet is too large (row %(row)s): a registry has at most 200 000 rows."),
}


class _CellError(Exception):
    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params


# ------------------------------------------------------------
# Cell conversion
# ------------------------------------------------------------


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)  # 1e+308, not its 309 digits
    return " ".join(str(value).split())


def _to_decimal(value):
    if isinstance(value, bool):
        raise _CellError(_lt("Enter a number."))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest text giving back the same float: 54.3, not
        # 54.2999999999999971578...; no float arithmetic happens.
        text = repr(value)
    else:
        text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _CellError(_lt("%(value)s is not a number."), value=str(value)) from None
    if not number.is_finite():
        raise _CellError(_lt("%(value)s is not a number."), value=str(value))
    if abs(number) >= NUMBER_MAX:
        raise _CellError(_lt("%(value)s is not a plausible number."), value=_cell_text(value)[:40])
    return number


def _to_int(value):
    number = _to_decimal(value)
    if number != number.to_integral_value():
        raise _CellError(_lt("%(value)s is not a whole number."), value=_cell_text(value))
    return int(number)


def _to_area(value):
    number = _to_decimal(value)
    if number <= 0:
        raise _CellError(_lt("The area must be greater than 0."))
    # the size first: quantizing 1E+308 to the hundredth would overflow the decimal context
    if number > AREA_MAX:
        raise _CellError(_lt("The area %(value)s is too large."), value=_cell_text(value))
    if number != number.quantize(AREA_QUANTUM):
        raise _CellError(_lt("The area %(value)s has more than 2 decimals."), value=_cell_text(value))
    return number.quantize(AREA_QUANTUM)


def _to_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if isinstance(value, str):
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise _CellError(_lt("%(value)s is not a date: enter it as DD.MM.YYYY."), value=text)


class _Converter:
    """Cell conversion for one import (choice labels depend on the languages)."""

    def __init__(self, translators):
        self.translators = translators
        self.choice_maps = {}
        for name, options in CHOICES.items():
            mapping = {}
            for code, label, extra in options:
                spellings = [label, *extra, *(t(label) for t in translators)]
                if isinstance(code, str):
                    spellings.append(code)
                for spelling in spellings:
                    mapping.setdefault(_choice_key(spelling), code)
            self.choice_maps[name] = mapping

    def label(self, text):
        """``text`` in the language of the person importing."""
        return self.translators[0](text) if self.translators else text

    def choice_labels(self, name):
        return ", ".join(self.label(label) for _code, label, _extra in CHOICES[name])

    def convert(self, column, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            if column.required:
                raise _CellError(_lt("A value is required."))
            return None
        return getattr(self, f"_convert_{column.kind}")(column, value)

    def _convert_text(self, column, value):
        return _cell_text(value)

    def _convert_int(self, column, value):
        number = _to_int(value)
        if column.minimum is not None and number < column.minimum:
            raise _CellError(
                _lt("%(value)s is less than %(minimum)s."),
                value=number,
                minimum=column.minimum,
            )
        if column.maximum is not None and number > column.maximum:
            raise _CellError(
                _lt("%(value)s is greater than %(maximum)s."),
                value=number,
                maximum=column.maximum,
            )
        return number

    def _convert_area(self, column, value):
        return _to_area(value)

    def _convert_date(self, column, value):
        return _to_date(value)

    def _convert_choice(self, column, value):
        text = _cell_text(value)
        code = self.choice_maps[column.choices].get(_choice_key(text))
        if code is None:
            raise _CellError(
                _lt("%(value)s is not one of: %(choices)s."),
                value=text,
                choices=self.choice_labels(column.choices),
            )
        return code

    def _convert_phone(self, column, value):
        text = _cell_text(value)
        try:
            return normalize_phone(text)
        except PhoneError:
            raise _CellError(_lt("%(value)s is not a valid phone number."), value=text) from None

    def _convert_email(self, column, value):
        text = _cell_text(value)
        if not EMAIL_RE.match(text):
            raise _CellError(_lt("%(value)s is not a valid e-mail."), value=text)
        return text

    def _convert_account(self, column, value):
        text = _cell_text(value)
        if not ACCOUNT_NUMBER_RE.match(text):
            raise _CellError(_lt("Account number %(value)s must be 1 to 12 digits."), value=text)
        return text


# ------------------------------------------------------------
# Parsing
# ------------------------------------------------------------


class _Parser:
    def __init__(self, content, today, known_buildings, translators):
        self.content = content
        self.today = today
        self.translators = tuple(translators)
        self.conv = _Converter(self.translators)
        self.known_buildings = {normalize_key(name) for name in known_buildings}
        self.result = RegistryData()
        self.titles = self.result.titles
        self.headers = self.result.headers
        self.building_names = {}  # building key -> name as written
        self.premises = {}  # (building key, number key) -> premise dict
        self.premise_people = {}  # premise key -> [person ref]
        self.key_index = {}  # identity key -> person ref
        self.accounts = {}  # premise key -> account dict

    # -- errors ----------------------------------------------------

    def error(self, sheet_key, row, column_key, message, /, **params):
        sheet = SHEETS_BY_KEY.get(sheet_key)
        title = self.titles.get(sheet_key)
        if not title:
            title = self.conv.label(sheet.title) if sheet else ""
        column = ""
        if column_key:
            column = self.headers.get((sheet_key, column_key))
            if column is None:
                col = next(c for c in sheet.columns if c.key == column_key)
                column = self.conv.label(col.header)
        self.result.errors.append(RowError(title, row, column, message, params))

    # -- workbook ----------------------------------------------------

    def parse(self):
        aliases = self._sheet_aliases()
        try:
            sheets = read_workbook(self.content, wanted=lambda title, _index: _header_key(title) in aliases)
        except WorkbookError as exc:
            message = WORKBOOK_MESSAGES[exc.kind]
            self.result.errors.append(RowError(exc.sheet, exc.row, "", message, {"sheet": exc.sheet, "row": exc.row}))
            return self.result
        rows = self._read_sheets(sheets, aliases)
        if not rows and not self.result.errors:
            self.result.errors.append(
                RowError(
                    "",
                    0,
                    "",
                    _lt("The workbook has none of the sheets %(sheets)s."),
                    {"sheets": ", ".join(self.conv.label(s.title) for s in SHEETS)},
                )
            )
            return self.result
        self._buildings(rows.get("buildings", []))
        self._premises(rows.get("premises", []))
        self._owners(rows.get("owners", []))
        self._accounts(rows.get("accounts", []))
        self._residents(rows.get("residents", []))
        order = {self.titles.get(s.key): index for index, s in enumerate(SHEETS)}
        self.result.errors.sort(key=lambda e: (order.get(e.sheet, -1), e.row))
        return self.result

    def _sheet_aliases(self):
        aliases = {}
        for sheet in SHEETS:
            names = [sheet.key, sheet.title, *sheet.aliases]
            names += [t(sheet.title) for t in self.translators]
            for name in names:
                aliases.setdefault(_header_key(name), sheet.key)
        return aliases

    def _read_sheets(self, sheets, aliases):
        rows = {}
        for title, sheet_rows in sheets:
            key = aliases.get(_header_key(title))
            if key is None:
                continue
            if key in rows:
                self.result.errors.append(RowError(title, 0, "", _lt("The workbook has this sheet twice."), {}))
                continue
            self.titles[key] = title
            rows[key] = self._read_rows(SHEETS_BY_KEY[key], sheet_rows)
        return rows

    def _column_aliases(self, sheet):
        aliases = {}
        for column in sheet.columns:
            names = [column.key, column.header]
            names += [t(column.header) for t in self.translators]
            for name in names:
                aliases.setdefault(_header_key(name), column.key)
        return aliases

    def _read_rows(self, sheet, sheet_rows):
        iterator = iter(sheet_rows)
        header = next(iterator, None) or ()
        aliases = self._column_aliases(sheet)
        positions = {}
        header_ok = True
        for index, cell in enumerate(header):
            text = _cell_text(cell)
            if not text:
                continue
            key = aliases.get(_header_key(text))
            if key is None:
                self.error(sheet.key, 1, None, _lt("Unknown column %(column)s."), column=text)
                header_ok = False
            elif key in positions:
                self.error(
                    sheet.key,
                    1,
                    None,
                    _lt("Column %(column)s appears twice."),
                    column=text,
                )
                header_ok = False
            else:
                positions[key] = index
                self.headers[(sheet.key, key)] = text
        for column in sheet.columns:
            if column.required and column.key not in positions:
                self.error(sheet.key, 1, column.key, _lt("The column is missing."))
                header_ok = False
        if not header_ok:
            return []
        records = []
        for number, values in enumerate(iterator, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            record = {"row": number, "ok": True, "bad": set(), "raw": {}}
            for column in sheet.columns:
                index = positions.get(column.key)
                raw = None
                if index is not None and index < len(values):
                    raw = values[index]
                record["raw"][column.key] = raw
                try:
                    record[column.key] = self.conv.convert(column, raw)
                except _CellError as exc:
                    self.error(sheet.key, number, column.key, exc.message, **exc.params)
                    record[column.key] = None
                    record["bad"].add(column.key)
                    record["ok"] = False
            records.append(record)
        return records

    # -- references ----------------------------------------------------

    def _building_key(self, sheet_key, record):
        name = record.get("building")
        if name is None:
            return None
        key = normalize_key(name)
        if key not in self.building_names and key not in self.known_buildings:
            self.error(
                sheet_key,
                record["row"],
                "building",
                _lt("Unknown building %(building)s: add it to the Buildings sheet."),
                building=name,
            )
            return None
        return key

    def _premise_key(self, sheet_key, record):
        """The key of the premise the row refers to (None when unknown)."""
        building_key = self._building_key(sheet_key, record)
        if building_key is None or record.get("premise") is None:
            return None
        key = (building_key, normalize_key(record["premise"]))
        if key not in self.premises:
            self.error(
                sheet_key,
                record["row"],
                "premise",
                _lt("Premise %(number)s of building %(building)s is not in the Premises sheet."),
                number=record["premise"],
                building=record["building"],
            )
            return None
        return key

    def _premise_label(self, premise_key):
        premise = self.premises[premise_key]
        return f"{premise['building']}, {premise['number']}"

    # -- sheets ----------------------------------------------------

    def _buildings(self, records):
        seen = {}
        for record in records:
            name = record.get("name")
            if name is None:
                continue
            key = normalize_key(name)
            if key in seen:
                self.error(
                    "buildings",
                    record["row"],
                    "name",
                    _lt("Building %(building)s is already in row %(row)s."),
                    building=name,
                    row=seen[key],
                )
                continue
            seen[key] = record["row"]
            self.building_names[key] = name
            if key in self.known_buildings:
                self.error(
                    "buildings",
                    record["row"],
                    "name",
                    _lt("Building %(building)s already exists in the association."),
                    building=name,
                )
                continue
            if record["ok"]:
                self.result.buildings.append(
                    {
                        "row": record["row"],
                        "key": key,
                        "name": name,
                        "street": record["street"],
                        "city": record["city"],
                        "zip": record["zip"],
                        "entrance_count": record["entrance_count"] or 1,
                        "floor_count": record["floor_count"] or 1,
                        "year_built": record["year_built"],
                    }
                )

    def _premises(self, records):
        for record in records:
            building_key = self._building_key("premises", record)
            if building_key is None or record.get("number") is None:
                continue
            key = (building_key, normalize_key(record["number"]))
            if key in self.premises:
                self.error(
                    "premises",
                    record["row"],
                    "number",
                    _lt("Premise %(number)s of building %(building)s is already in row %(row)s."),
                    number=record["number"],
                    building=record["building"],
                    row=self.premises[key]["row"],
                )
                continue
            total, living = record.get("total_area"), record.get("living_area")
            if total is not None and living is not None and living > total:
                self.error(
                    "premises",
                    record["row"],
                    "living_area",
                    _lt("The living area %(living)s exceeds the total area %(total)s."),
                    living=str(living),
                    total=str(total),
                )
                record["ok"] = False
            premise = {
                "row": record["row"],
                "ok": record["ok"],
                "key": key,
                "building_key": building_key,
                "building": self.building_names.get(building_key, record["building"]),
                "number": record["number"],
                "kind": record["kind"] or "apartment",
                "entrance": record["entrance"],
                "floor": record["floor"],
                "rooms": record["rooms"],
                "total_area": total,
                "living_area": living,
                "heated_area": record["heated_area"],
                "vote_area": record["vote_area"],
            }
            self.premises[key] = premise
            if record["ok"]:
                self.result.premises.append(premise)

    def _check_tax_id(self, record):
        tax_id = record.get("tax_id")
        if tax_id is None:
            return None
        digits = re.sub(r"\s+", "", tax_id)
        is_company = record.get("owner_kind") == "company"
        numeric = isinstance(record["raw"].get("tax_id"), (int, float))
        if numeric and digits.isdigit():
            digits = digits.zfill(8 if is_company else 10)  # leading zeros lost
        try:
            if is_company:
                return clean_edrpou(digits)
            return rntrc.validate(digits)
        except (ValueError, StdnumValidationError):
            if is_company:
                message = _lt("%(value)s is not a valid EDRPOU code (8 digits).")
            else:
                message = _lt("%(value)s is not a valid RNOKPP (10 digits).")
            self.error("owners", record["row"], "tax_id", message, value=tax_id)
            record["ok"] = False
            return None

    @staticmethod
    def _identity_keys(name_key, tax_id=None, phone=None, email=None):
        keys = []
        if tax_id:
            keys.append((name_key, "tax", tax_id))
        if phone:
            keys.append((name_key, "phone", phone))
        if email:
            keys.append((name_key, "email", email.casefold()))
        return keys

    def _new_person(self, name, is_company=False, tax_id=None, phone=None, email=None):
        person = {
            "ref": len(self.result.persons),
            "name": name,
            "key": normalize_key(name),
            "is_company": is_company,
            "tax_id": tax_id,
            "phone": phone,
            "email": email,
        }
        self.result.persons.append(person)
        return person

    def _owners(self, records):
        owners = []
        for record in records:
            premise_key = self._premise_key("owners", record)
            record["tax_id"] = self._check_tax_id(record)
            numerator = record["share_numerator"]
            denominator = record["share_denominator"]
            if record["bad"] & {"share_numerator", "share_denominator"}:
                pass  # already reported
            elif numerator is None and denominator is None:
                numerator = denominator = 1
            elif numerator is None or denominator is None:
                column = "share_numerator" if numerator is None else "share_denominator"
                self.error(
                    "owners",
                    record["row"],
                    column,
                    _lt("Enter both the share numerator and the denominator."),
                )
                record["ok"] = False
            else:
                try:
                    share_fraction(numerator, denominator)
                except ValueError:
                    self.error(
                        "owners",
                        record["row"],
                        "share_numerator",
                        _lt("The share %(share)s is not a fraction between 0 and 1."),
                        share=f"{numerator}/{denominator}",
                    )
                    record["ok"] = False
            record["share"] = (numerator, denominator)
            if premise_key is not None and record.get("name") is not None:
                record["premise_key"] = premise_key
                owners.append(record)
        self._owner_persons(owners)
        by_premise = {}
        for record in owners:
            by_premise.setdefault(record["premise_key"], []).append(record)
        for premise_key, rows in by_premise.items():
            self._owner_rows_of_premise(premise_key, rows)

    def _owner_persons(self, owners):
        """Group owner rows into persons: same name and tax ID, phone or e-mail."""
        parent = list(range(len(owners)))

        def find(index):
            while parent[index] != index:
                parent[index] = parent[parent[index]]
                index = parent[index]
            return index

        first_row = {}
        for index, record in enumerate(owners):
            keys = self._identity_keys(
                normalize_key(record["name"]),
                record["tax_id"],
                record["phone"],
                record["email"],
            )
            record["identity_keys"] = keys
            for key in keys:
                if key in first_row:
                    parent[find(index)] = find(first_row[key])
                else:
                    first_row[key] = index
        persons = {}
        for index, record in enumerate(owners):
            root = find(index)
            is_company = record["owner_kind"] == "company"
            person = persons.get(root)
            if person is None:
                person = persons[root] = self._new_person(
                    record["name"],
                    is_company,
                    record["tax_id"],
                    record["phone"],
                    record["email"],
                )
                person["first_row"] = record["row"]
            else:
                if record["tax_id"] and person["tax_id"] and (record["tax_id"] != person["tax_id"]):
                    self.error(
                        "owners",
                        record["row"],
                        "tax_id",
                        _lt("%(name)s has the phone or e-mail of row %(row)s but another tax ID."),
                        name=record["name"],
                        row=person["first_row"],
                    )
                    record["ok"] = False
                if is_company != person["is_company"]:
                    self.error(
                        "owners",
                        record["row"],
                        "owner_kind",
                        _lt("%(name)s has another owner kind in row %(row)s."),
                        name=record["name"],
                        row=person["first_row"],
                    )
                    record["ok"] = False
                for fname in ("tax_id", "phone", "email"):
                    person[fname] = person[fname] or record[fname]
            record["person"] = person["ref"]
            for key in record["identity_keys"]:
                self.key_index.setdefault(key, person["ref"])

    def _owner_rows_of_premise(self, premise_key, rows):
        seen = {}
        for record in rows:
            if record["person"] in seen:
                self.error(
                    "owners",
                    record["row"],
                    "name",
                    _lt("%(name)s is already an owner of this premise in row %(row)s."),
                    name=record["name"],
                    row=seen[record["person"]],
                )
                record["ok"] = False
                continue
            seen[record["person"]] = record["row"]
            self.premise_people.setdefault(premise_key, []).append(record["person"])
        valid = [r for r in rows if r["ok"]]
        if len(valid) != len(rows):
            return  # the sum is checked once the rows themselves are right
        periods = [(r["date_start"] or self.today, None, share_fraction(*r["share"])) for r in rows]
        problems = share_errors(periods)
        if problems:
            start, end, total = problems[0]
            self.error(
                "owners",
                rows[0]["row"],
                "share_numerator",
                _lt(
                    "The shares of the owners of premise %(premise)s sum to %(total)s "
                    "on %(period)s instead of 1 (rows %(rows)s)."
                ),
                premise=self._premise_label(premise_key),
                total=format_share(total),
                period=format_period(start, end),
                rows=", ".join(str(r["row"]) for r in rows),
            )
            return
        if self.premises[premise_key]["ok"]:
            for record in rows:
                self.result.ownerships.append(
                    {
                        "row": record["row"],
                        "premise_key": premise_key,
                        "person": record["person"],
                        "share_numerator": record["share"][0],
                        "share_denominator": record["share"][1],
                        "date_start": record["date_start"] or self.today,
                        "document_kind": record["document_kind"],
                        "document_number": record["document_number"],
                        "document_date": record["document_date"],
                    }
                )

    def _resolve_person(self, premise_key, name, phone, email):
        """The person of a holder or resident row (see the module docstring)."""
        name_key = normalize_key(name)
        linked = self.premise_people.setdefault(premise_key, [])
        person = next(
            (self.result.persons[ref] for ref in linked if self.result.persons[ref]["key"] == name_key),
            None,
        )
        keys = self._identity_keys(name_key, None, phone, email)
        if person is None:
            ref = next((self.key_index[k] for k in keys if k in self.key_index), None)
            person = self.result.persons[ref] if ref is not None else None
        if person is None:
            person = self._new_person(name, phone=phone, email=email)
        else:
            person["phone"] = person["phone"] or phone
            person["email"] = person["email"] or email
        for key in keys:
            self.key_index.setdefault(key, person["ref"])
        if person["ref"] not in linked:
            linked.append(person["ref"])
        return person["ref"]

    def _accounts(self, records):
        numbers = {}
        for record in records:
            premise_key = self._premise_key("accounts", record)
            number = record.get("number")
            if number is not None:
                if number in numbers:
                    self.error(
                        "accounts",
                        record["row"],
                        "number",
                        _lt("Account number %(number)s is already in row %(row)s."),
                        number=number,
                        row=numbers[number],
                    )
                    record["ok"] = False
                else:
                    numbers[number] = record["row"]
            if premise_key is None:
                continue
            if premise_key in self.accounts:
                self.error(
                    "accounts",
                    record["row"],
                    "premise",
                    _lt("Premise %(premise)s already has an account in row %(row)s."),
                    premise=self._premise_label(premise_key),
                    row=self.accounts[premise_key]["row"],
                )
                continue
            holder = None
            if record.get("holder") is not None:
                holder = self._resolve_person(premise_key, record["holder"], record["phone"], record["email"])
            account = {
                "row": record["row"],
                "premise_key": premise_key,
                "number": number,
                "holder": holder,
                "date_open": record["date_open"] or self.today,
            }
            self.accounts[premise_key] = account
            if record["ok"] and self.premises[premise_key]["ok"]:
                self.result.accounts.append(account)

    def _residents(self, records):
        seen = {}
        for record in records:
            premise_key = self._premise_key("residents", record)
            if premise_key is None:
                continue
            account = self.accounts.get(premise_key)
            if account is None:
                self.error(
                    "residents",
                    record["row"],
                    "premise",
                    _lt("Premise %(premise)s has no account in the Accounts sheet."),
                    premise=self._premise_label(premise_key),
                )
                continue
            if record.get("name") is None:
                continue
            person = self._resolve_person(premise_key, record["name"], record["phone"], record["email"])
            if (premise_key, person) in seen:
                self.error(
                    "residents",
                    record["row"],
                    "name",
                    _lt("%(name)s is already a resident of this premise in row %(row)s."),
                    name=record["name"],
                    row=seen[(premise_key, person)],
                )
                continue
            seen[(premise_key, person)] = record["row"]
            if record["ok"]:
                self.result.residents.append(
                    {
                        "row": record["row"],
                        "premise_key": premise_key,
                        "person": person,
                        "relation": record["relation"] or "registered",
                        "date_start": record["date_start"] or account["date_open"],
                        "is_counted": record["is_counted"] is not False,
                    }
                )


def parse_registry(content, *, today, known_buildings=(), translators=()):
    """Parse and validate a registry workbook.

    :param bytes content: the .xlsx file
    :param date today: default date of ownerships and accounts without one
    :param known_buildings: names of the buildings already in the association
        (rows may refer to them; the Buildings sheet must not repeat them)
    :param translators: callables translating an English text, the first one in
        the language of the person importing (used in messages); each one adds
        accepted spellings of sheet names, headers and choices
    :return: RegistryData; nothing may be imported when ``errors`` is not empty
    """
    return _Parser(content, today, known_buildings, translators).parse()


# ------------------------------------------------------------
# Template
# ------------------------------------------------------------

TEMPLATE_INSTRUCTIONS = (
    _lt(
        "Fill in the sheets Buildings, Premises, Owners, Accounts and Residents; "
        "keep the first row with the column names. Replace the example rows with "
        "your data."
    ),
    _lt("Columns marked * are required. A sheet you do not need may stay empty."),
    _lt(
        "The other sheets refer to a building by its name and to a premise by the building name and the premise number."
    ),
    _lt("Areas are in m² with at most 2 decimals; dates are written as DD.MM.YYYY."),
    _lt("The shares of the co-owners of a premise must sum to exactly 1, e.g. 1/2 and 1/2."),
    _lt(
        "Rows with the same full name and the same tax ID, phone or e-mail are one "
        "person, e.g. an owner of two premises."
    ),
    _lt(
        "An account holder is an owner of the premise or a new person; an empty account number is given automatically."
    ),
    _lt(
        "If any row has an error, nothing is imported: the error list names the sheet, row and column of every problem."
    ),
)

TEMPLATE_EXAMPLES = {
    "buildings": (
        ("Khreshchatyk 10", "Khreshchatyk St, 10", "Kyiv", "01001", 2, 9, 1975),
        ("Khreshchatyk 12", "Khreshchatyk St, 12", "Kyiv", "01001", 1, 5, 1962),
    ),
    "premises": (
        ("Khreshchatyk 10", "1", "apartment", 1, 1, 2, 54.3, 32.1, 54.3, None),
        ("Khreshchatyk 10", "2", "apartment", 1, 1, 3, 71.25, 45, 71.25, None),
    ),
    "owners": (
        (
            "Khreshchatyk 10",
            "1",
            "Shevchenko Taras",
            "person",
            None,
            "067 123 45 67",
            "taras@example.com",
            1,
            2,
            date(2015, 3, 1),
            "register_extract",
            "123456",
            date(2015, 3, 1),
        ),
        (
            "Khreshchatyk 10",
            "1",
            "Shevchenko Olena",
            "person",
            None,
            None,
            None,
            1,
            2,
            date(2015, 3, 1),
            "register_extract",
            "123457",
            date(2015, 3, 1),
        ),
    ),
    "accounts": (
        (
            "Khreshchatyk 10",
            "1",
            None,
            "Shevchenko Taras",
            None,
            None,
            date(2015, 3, 1),
        ),
        (
            "Khreshchatyk 10",
            "2",
            "100002",
            "Kovalenko Petro",
            "050 123 45 67",
            None,
            date(2020, 1, 15),
        ),
    ),
    "residents": (
        (
            "Khreshchatyk 10",
            "1",
            "Shevchenko Taras",
            "owner",
            date(2015, 3, 1),
            True,
            None,
            None,
        ),
        (
            "Khreshchatyk 10",
            "1",
            "Shevchenko Mariia",
            "family",
            date(2015, 3, 1),
            True,
            None,
            None,
        ),
    ),
}


def build_template(translate=None):
    """Return the registry template (.xlsx bytes): an instruction sheet, one
    sheet per registry part with its header row and two example rows."""
    tr = translate or (lambda text: text)
    choice_labels = {name: {code: tr(label) for code, label, _extra in options} for name, options in CHOICES.items()}
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    required = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#FCE4D6"})
    optional = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E2EFDA"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    text_fmt = workbook.add_format({"num_format": "@"})
    date_fmt = workbook.add_format({"num_format": "dd.mm.yyyy"})
    area_fmt = workbook.add_format({"num_format": "0.00"})

    info = workbook.add_worksheet(tr(INSTRUCTIONS_TITLE)[:31])
    info.set_column(0, 0, 18)
    info.set_column(1, 1, 32)
    info.set_column(2, 2, 90)
    row = 0
    for line in TEMPLATE_INSTRUCTIONS:
        info.merge_range(row, 0, row, 2, tr(line), wrap)
        info.set_row(row, 30)
        row += 1
    row += 1
    info.write_row(row, 0, (tr("Sheet"), tr("Column"), tr("Description")), bold)
    for sheet in SHEETS:
        row += 1
        info.write(row, 0, tr(sheet.title), bold)
        info.write(row, 2, tr(sheet.help), wrap)
        for column in sheet.columns:
            row += 1
            header = tr(column.header) + (" *" if column.required else "")
            parts = [tr(column.help)] if column.help else []
            if column.kind == "choice":
                parts.append(", ".join(choice_labels[column.choices].values()))
            info.write(row, 1, header, wrap)
            info.write(row, 2, " ".join(parts), wrap)

    for sheet in SHEETS:
        worksheet = workbook.add_worksheet(tr(sheet.title)[:31])
        worksheet.freeze_panes(1, 0)
        worksheet.set_row(0, 32)
        for index, column in enumerate(sheet.columns):
            header = tr(column.header) + (" *" if column.required else "")
            worksheet.write(0, index, header, required if column.required else optional)
            cell_format = {"date": date_fmt, "area": area_fmt, "int": None}.get(column.kind, text_fmt)
            worksheet.set_column(index, index, max(12, len(header) + 2), cell_format)
            labels = list(choice_labels.get(column.choices, {}).values())
            if labels and len(",".join(labels)) <= 255:  # Excel's limit for a list
                worksheet.data_validation(
                    1,
                    index,
                    10000,
                    index,
                    {
                        "validate": "list",
                        "source": labels,
                        "error_type": "warning",
                    },
                )
        for row_index, values in enumerate(TEMPLATE_EXAMPLES[sheet.key], start=1):
            for index, (column, value) in enumerate(zip(sheet.columns, values, strict=True)):
                if value is None:
                    continue
                if column.kind == "choice":
                    worksheet.write_string(row_index, index, choice_labels[column.choices][value])
                elif column.kind == "date":
                    worksheet.write_datetime(
                        row_index,
                        index,
                        datetime.combine(value, datetime.min.time()),
                        date_fmt,
                    )
                elif isinstance(value, str):
                    worksheet.write_string(row_index, index, value)
                else:
                    worksheet.write_number(row_index, index, value)
    workbook.close()
    return buffer.getvalue()
