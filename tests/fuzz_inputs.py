"""Hostile inputs for every parser of the suite, and the property each parser must keep (issue #15).

A *target* is one parser with the files it is meant to read (seeds: valid files, the golden files of its tests)
and a ``run(data)`` that returns ``("accepted", None)`` or ``("refused", errors)``; any other exception escaping
``run`` is a crash. ``check_refusal`` is the property of a refusal: every error carries a message template that the
parser's module marks for translation (``_lt("…")``), its parameters fill it, and its row (when the error is about a
row) is a number.

``mutate(target, rnd)`` makes one input from a seed: structured mutations (cells or fields replaced by hostile
values, columns duplicated or dropped, rows repeated, another encoding, formulas, huge/NaN/inf numbers, dates out of
range, 5 000-character strings, control characters) and byte-level corruption (flipped bytes, truncation, inserted
junk, another format under the right name, the XML inside a workbook damaged). The same functions feed the fast
hypothesis suite (tests/test_fuzz_parsers.py, fixed seed) and the long run (scripts/fuzz_parsers.py).
"""

import ast
import codecs
import gzip
import io
import json
import math
import random
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from conftest import ADDONS_DIR, load_tool

# ------------------------------------------------------------
# Hostile values
# ------------------------------------------------------------

HOSTILE_TEXT = (
    "",
    " ",
    "\u00a0",
    "0",
    "-0",
    "-1",
    "-100.00",
    "0.001",
    "1.005",
    "100,555",
    "12 345,67",
    "12.345.678,9",
    "1e308",
    "-1e308",
    "1E+999999",
    "1e-999999",
    "9" * 400,
    "inf",
    "-Infinity",
    "NaN",
    "sNaN",
    "١٢٣",  # Arabic-Indic digits: Decimal reads them
    "１２３",  # full-width digits
    "Ⅻ",
    "=1+1",
    '=HYPERLINK("http://evil.example/","click")',
    "+380501234567",
    "-2+3",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    "%(row)s",
    "%s%s%s",
    "{0}",
    "<Data/>",
    "]]>",
    "&amp;&lt;",
    "' OR 1=1 --",
    "\x00",
    "\x00\x01\x02\x1b[31m",
    "\u202eRTL",
    "\ufeff",
    "\ud800",  # a lone surrogate: not encodable
    "\r\n",
    "\n\n\n",
    "\t",
    ";",
    '"',
    '""";;',
    "NULL",
    "None",
    "#N/A",
    "#DIV/0!",
    "31.02.2026",
    "00.00.0000",
    "99.99.9999",
    "01.01.0001",
    "1.1.10000",
    "2026-13-45",
    "32/12/2026",
    "01.01.1900",
    "30.12.1899",
    "Шевченко Тарас Григорович",
    "Ґанок, під'їзд №1",
    "а" * 5000,
    "0" * 5000,
    "1" * 5000,
)
HOSTILE_NUMBERS = (
    0,
    -1,
    1,
    -0.0,
    0.1 + 0.2,
    1e308,
    -1e308,
    5e-324,
    float("inf"),
    float("-inf"),
    float("nan"),
    2**31,
    2**63,
    10**30,
    -(10**30),
    123456789.123456,
    99999999.995,
)
HOSTILE_DATES = (
    date(1900, 1, 1),
    date(1900, 3, 1),
    date(9999, 12, 31),
    datetime(2026, 2, 28, 23, 59, 59),
    datetime(1970, 1, 1),
)


def hostile_text(rnd):
    if rnd.random() < 0.15:
        # random text, control characters and all
        alphabet = "0123456789.,;- eEаяїієґ\t\"'=+@%\x00\x07\x1a\u00a0"
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 40)))
    return rnd.choice(HOSTILE_TEXT)


def hostile_cell(rnd):
    """A value for a spreadsheet cell: text, a number, a date, a boolean or nothing."""
    kind = rnd.random()
    if kind < 0.55:
        return hostile_text(rnd)
    if kind < 0.85:
        return rnd.choice(HOSTILE_NUMBERS)
    if kind < 0.95:
        return rnd.choice(HOSTILE_DATES)
    return rnd.choice((True, False, None))


def hostile_json(rnd, depth=0):
    kind = rnd.random()
    if kind < 0.35:
        return hostile_text(rnd)
    if kind < 0.6:
        number = rnd.choice(HOSTILE_NUMBERS)
        return number if not (isinstance(number, float) and not math.isfinite(number)) else str(number)
    if kind < 0.7:
        return rnd.choice((None, True, False))
    if kind < 0.8 and depth < 2:
        return [hostile_json(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    if kind < 0.9 and depth < 2:
        return {hostile_text(rnd)[:20]: hostile_json(rnd, depth + 1) for _ in range(rnd.randint(0, 3))}
    return rnd.choice((10**400, -(10**25), 1.5e300, "", []))


# ------------------------------------------------------------
# Byte-level corruption
# ------------------------------------------------------------

OTHER_FORMATS = (
    b"",
    b" \r\n\t",
    b"\xef\xbb\xbf",
    b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),  # an old .xls (OLE2)
    b"PK\x03\x04" + bytes(26),
    b"PK\x05\x06" + bytes(18),
    gzip.compress(b"a;b;c\n1;2;3\n"),
    b"\x89PNG\r\n\x1a\n" + bytes(64),
    "Дата;Сума\n01.11.2026;100,00\n".encode("utf-16"),
    "Дата;Сума\n01.11.2026;100,00\n".encode("cp1251"),
    b"<html><body>502 Bad Gateway</body></html>",
    b'{"error": "unauthorized"}',
    b"[]",
    b"null",
    b"\x03" + bytes(40),  # a dBase header with nothing behind it
    bytes(range(256)),
    b"[" * 100_000,  # nested deeper than Python's recursion limit
    b'{"transactions": ' + b"[" * 5000 + b"]" * 5000 + b', "status": "SUCCESS"}',
)


def _zip_with(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _damage_xml(text, rnd):
    """The XML of a workbook part damaged: truncated, a tag broken, an entity bomb, a huge attribute…"""
    choice = rnd.randrange(8)
    if choice == 0 and text:
        return text[: rnd.randrange(len(text))]
    if choice == 1:
        bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        bomb += '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        head, _, rest = text.partition("?>")
        return head + "?>" + bomb + rest.replace("<t>", "<t>&d;", 1) if rest else bomb + text
    if choice == 2:
        return text.replace('r="', 'r="XFD1048576', 1) if 'r="' in text else text + "<"
    if choice == 3:
        return text.replace("<v>", "<v>" + rnd.choice(("1e999", "-", "NaN", "abc", "99999999999999999999")), 1)
    if choice == 4:
        return text.replace(' t="s"', ' t="' + rnd.choice(("n", "b", "e", "d", "str", "inlineStr", "zz")) + '"', 1)
    if choice == 5:
        return text.replace('s="', 's="999', 1)
    if choice == 6 and text:
        position = rnd.randrange(len(text))
        return text[:position] + rnd.choice(("<", "&", "\x00", "]]>", '"', "</row>")) + text[position:]
    return text.replace("<v>", '<v xml:space="preserve">' + "9" * 5000, 1)


def corrupt_bytes(data, rnd):
    choice = rnd.randrange(7)
    if choice == 0 and data:  # flipped bytes
        damaged = bytearray(data)
        for _ in range(rnd.randint(1, 12)):
            position = rnd.randrange(len(damaged))
            damaged[position] = rnd.randrange(256)
        return bytes(damaged)
    if choice == 1 and data:  # a truncated download
        return data[: rnd.randrange(len(data))]
    if choice == 2:  # junk inserted
        position = rnd.randrange(len(data) + 1)
        return data[:position] + bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64))) + data[position:]
    if choice == 3:  # another format under the right name
        return rnd.choice(OTHER_FORMATS)
    if choice == 4 and data[:2] == b"PK":  # a valid archive holding damaged XML
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = {name: archive.read(name) for name in archive.namelist()}
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError):
            return data
        xml_names = [name for name in members if name.endswith(".xml")]
        for name in rnd.sample(xml_names, min(len(xml_names), rnd.randint(1, 2))):
            members[name] = _damage_xml(members[name].decode("utf-8", "replace"), rnd).encode("utf-8", "replace")
        if rnd.random() < 0.2:
            members.pop(rnd.choice(sorted(members)))
        return _zip_with(members)
    if choice == 5:  # doubled or cut in the middle
        half = len(data) // 2
        return data + data if rnd.random() < 0.5 else data[half:]
    return bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 2048)))


# ------------------------------------------------------------
# Structured mutations
# ------------------------------------------------------------


def write_xlsx(sheets, rnd=None):
    """An .xlsx of ``sheets`` [(title, rows)]; with ``rnd`` some text goes through ``write()`` (a leading "=" is
    then a formula) and some numbers get a date format (a number too big for a date)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "nan_inf_to_errors": True})
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    used = set()
    for title, rows in sheets:
        name = str(title)[:31] or "Sheet"
        for bad in "[]:*?/\\":
            name = name.replace(bad, "_")
        while name.casefold() in used:
            name = (name[:28] + str(len(used)))[:31]
        used.add(name.casefold())
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows[:2000]):
            for c, value in enumerate(row[:200]):
                _write_cell(sheet, r, c, value, rnd, date_format)
    workbook.close()
    return buffer.getvalue()


def _write_cell(sheet, r, c, value, rnd, date_format):
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float | Decimal):
        number = float(value) if abs(value) < 1e308 or not isinstance(value, int) else 1e308
        if rnd is not None and rnd.random() < 0.1:
            sheet.write_number(r, c, number, date_format)
        else:
            sheet.write_number(r, c, number)
    elif isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
        try:
            sheet.write_datetime(r, c, moment, date_format)
        except (ValueError, OverflowError):
            sheet.write_string(r, c, moment.isoformat())
    else:
        text = str(value).encode("utf-8", "replace").decode("utf-8")
        if rnd is not None and rnd.random() < 0.3:
            sheet.write(r, c, text)  # "=…" becomes a formula with no cached value
        else:
            sheet.write_string(r, c, text)


def mutate_table(rows, rnd, hostile=hostile_cell):
    """A copy of ``rows`` (lists of cells) with some cells, columns or rows made hostile."""
    rows = [list(row) for row in rows]
    for _ in range(rnd.randint(1, 4)):
        choice = rnd.randrange(10)
        if not rows:
            rows.append([hostile(rnd)])
            continue
        r = rnd.randrange(len(rows))
        if choice <= 4 and rows[r]:  # a cell
            rows[r][rnd.randrange(len(rows[r]))] = hostile(rnd)
        elif choice == 5:  # a whole column
            width = max(len(row) for row in rows) or 1
            c = rnd.randrange(width)
            value = hostile(rnd)
            for row in rows[1:]:
                if c < len(row):
                    row[c] = value
        elif choice == 6 and rows[0]:  # a column duplicated or dropped (header included)
            c = rnd.randrange(len(rows[0]))
            duplicate = rnd.random() < 0.5
            for row in rows:
                if c < len(row):
                    if duplicate:
                        row.insert(c, row[c])
                    else:
                        del row[c]
        elif choice == 7:  # a row repeated, dropped or moved
            row = rows.pop(r)
            if rnd.random() < 0.7:
                rows.insert(rnd.randrange(len(rows) + 1), row)
                rows.insert(rnd.randrange(len(rows) + 1), list(row))
        elif choice == 8:  # a row of hostile values, wider than the header
            rows.insert(r, [hostile(rnd) for _ in range(rnd.randint(1, 30))])
        else:  # many rows
            rows.extend(list(rows[-1]) for _ in range(rnd.randint(10, 300)))
    return rows


def mutate_text(text, rnd, delimiters=";,\t="):
    """A delimited or key=value text with some fields, lines or its encoding made hostile."""
    lines = text.splitlines()
    for _ in range(rnd.randint(1, 3)):
        if not lines:
            lines.append(hostile_text(rnd))
            continue
        i = rnd.randrange(len(lines))
        choice = rnd.randrange(6)
        delimiter = next((d for d in delimiters if d in lines[i]), None)
        if choice <= 2 and delimiter:
            cells = lines[i].split(delimiter)
            cells[rnd.randrange(len(cells))] = hostile_text(rnd).replace("\n", " ")
            lines[i] = delimiter.join(cells)
        elif choice == 3:
            del lines[i]
        elif choice == 4:
            lines.insert(i, lines[i] if rnd.random() < 0.5 else hostile_text(rnd))
        else:
            lines[i] = lines[i][: rnd.randrange(len(lines[i]) + 1)]
    return "\r\n".join(lines) + ("\r\n" if rnd.random() < 0.5 else "")


ENCODINGS = ("utf-8", "utf-8-sig", "cp1251", "cp866", "koi8-u", "utf-16", "utf-16-le", "latin-1", "mac-cyrillic")


def encode(text, rnd, default):
    encoding = rnd.choice(ENCODINGS) if rnd.random() < 0.25 else default
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le", "replace")
    return text.encode(encoding, "replace")


def mutate_json(payload, rnd):
    payload = json.loads(json.dumps(payload))

    def nodes(node, path=()):
        yield path
        if isinstance(node, dict):
            for key, value in node.items():
                yield from nodes(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from nodes(value, (*path, index))

    for _ in range(rnd.randint(1, 4)):
        paths = [path for path in nodes(payload) if path]
        if not paths:
            return hostile_json(rnd)
        path = rnd.choice(paths)
        parent = payload
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and rnd.random() < 0.15:
            del parent[path[-1]]
        else:
            parent[path[-1]] = hostile_json(rnd)
    return payload


# ------------------------------------------------------------
# Targets
# ------------------------------------------------------------


def _translatable(*modules):
    """Every string literal marked ``_lt("…")`` in the given tool modules (addon, name)."""
    texts = set()
    for addon, name in modules:
        tree = ast.parse((ADDONS_DIR / addon / "tools" / f"{name}.py").read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_lt" and node.args:
                if isinstance(node.args[0], ast.Constant):
                    texts.add(node.args[0].value)
    return texts


@dataclass
class Target:
    name: str
    seeds: list  # (bytes, context) the valid files
    run: object  # (data, context) -> ("accepted", None) | ("refused", [(message, params, row)])
    structured: object  # (data, context, rnd) -> bytes
    messages: set = field(default_factory=set)


def check_refusal(target, errors):
    """The property of a refusal; returns the list of problems (empty: the refusal is right)."""
    problems = []
    if not errors:
        problems.append("refused without an error")
    for message, params, row in errors:
        if message not in target.messages:
            problems.append(f"message not marked for translation: {message!r}")
            continue
        try:
            message % dict(params or {}, row=row)  # noqa: B018 - the template must format with its values
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"message {message!r} does not format with {params!r}: {exc}")
        if not isinstance(row, int) or row < 0:
            problems.append(f"row {row!r} is not a row number")
    return problems


def mutate(target, rnd):
    """One hostile input for ``target``: (data, context)."""
    data, context = rnd.choice(target.seeds)
    if rnd.random() < 0.6:
        data = target.structured(data, context, rnd)
    if rnd.random() < 0.35:
        data = corrupt_bytes(data, rnd)
    return data, context


def outcome(target, data, context):
    """("accepted" | "refused", problems); an exception escaping the parser is the caller's crash."""
    status, errors = target.run(data, context)
    return status, (check_refusal(target, errors) if status == "refused" else [])


# -- registry workbook (osmd_base) ----------------------------------


def _registry_workbook_target():
    ri = load_tool("osmd_base", "registry_import")
    from openpyxl import load_workbook

    template = ri.build_template()
    book = load_workbook(io.BytesIO(template), data_only=True)
    base = [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in book.worksheets]

    def run(data, _context):
        result = ri.parse_registry(data, today=date(2026, 11, 1), known_buildings=("Будинок 1",))
        if result.errors:
            return "refused", [(e.message, e.params, e.row) for e in result.errors]
        return "accepted", None

    def structured(_data, _context, rnd):
        sheets = [(title, mutate_table(rows, rnd) if rnd.random() < 0.5 else rows) for title, rows in base]
        if rnd.random() < 0.1:
            sheets.append((rnd.choice(sheets)[0] + " ", [[hostile_cell(rnd)]]))
        return write_xlsx(sheets, rnd)

    return Target(
        "registry workbook", [(template, None)], run, structured, _translatable(("osmd_base", "registry_import"))
    )


# -- reading sheet (osmd_metering) ----------------------------------


def _reading_sheet_target():
    rs = load_tool("osmd_metering", "reading_sheet")
    rows = [
        {
            "building": "Будинок 1",
            "premise": str(number),
            "utility": "Холодна вода",
            "serial": f"0{number:07d}",
            "zones": 1 + number % 3,
            "previous_date": date(2026, 10, 25),
            "previous_value1": Decimal("123.450") + number,
            "date": date(2026, 11, 25),
            "value1": Decimal("130.5") + number,
            "value2": Decimal("10") if number % 3 else None,
            "meter_id": number,
        }
        for number in range(1, 9)
    ]
    seed = rs.build_sheet(rows, title="Readings")

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(seed), data_only=True)
    base = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]

    def run(data, _context):
        result = rs.parse_sheet(data, default_date=date(2026, 11, 25))
        if result.errors:
            return "refused", [(e.message, e.params, e.row) for e in result.errors]
        return "accepted", None

    def structured(_data, _context, rnd):
        return write_xlsx([("Readings", mutate_table(base, rnd))], rnd)

    return Target("reading sheet", [(seed, None)], run, structured, _translatable(("osmd_metering", "reading_sheet")))


# -- bank statements (osmd_payments) --------------------------------

STATEMENTS = ADDONS_DIR / "osmd_payments" / "tests" / "data" / "statements"
STATEMENT_SEEDS = (
    "clientbank_103_cp1251.txt",
    "clientbank_102_utf8_bom.txt",
    "privat_debit_credit_utf8_bom.csv",
    "privat_signed_cp1251.csv",
    "privat_signed.xlsx",
    "autoclient_page.json",
    "monobank.json",
    "oschad_cp1251.csv",
)


def _decode(data):
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _statement_target():
    sp = load_tool("osmd_payments", "statements")
    seeds = [((STATEMENTS / name).read_bytes(), name) for name in STATEMENT_SEEDS]

    def run(data, filename):
        try:
            sp.parse_file(data, filename)
        except sp.ParseError as exc:
            return "refused", [(exc.message, exc.params, exc.row)]
        return "accepted", None

    def structured(data, filename, rnd):
        if filename.endswith(".xlsx"):
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), data_only=True)
            rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
            return write_xlsx([(book.worksheets[0].title, mutate_table(rows, rnd))], rnd)
        if filename.endswith(".json"):
            payload = mutate_json(json.loads(_decode(data)[0]), rnd)
            return json.dumps(payload, ensure_ascii=rnd.random() < 0.5).encode("utf-8", "replace")
        text, encoding = _decode(data)
        return encode(mutate_text(text, rnd), rnd, encoding)

    return Target("bank statements", seeds, run, structured, _translatable(("osmd_payments", "statements")))


# -- collectors' registries (osmd_payments) -------------------------

REGISTRIES = ADDONS_DIR / "osmd_payments" / "tests" / "data" / "registries"


def _registry_target():
    rp = load_tool("osmd_payments", "registries")
    seeds = []
    for path in sorted(REGISTRIES.iterdir()):
        if path.name.endswith(".json"):
            continue
        expected = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text("utf-8"))
        layouts = [rp.preset(name) for name in expected.get("presets", [])]
        if "layout" in expected:
            layouts.append(rp.Layout.from_dict(expected["layout"]))
        seeds += [(path.read_bytes(), (layout, expected["filename"])) for layout in layouts]

    def run(data, context):
        layout, filename = context
        try:
            rp.parse_registry(data, layout, filename)
        except rp.RegistryError as exc:
            return "refused", [(error.message, error.params, error.row) for error in exc.errors]
        return "accepted", None

    def structured(data, context, rnd):
        layout, _filename = context
        if layout.file_type == "xlsx":
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), data_only=True)
            rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
            return write_xlsx([(book.worksheets[0].title, mutate_table(rows, rnd))], rnd)
        if layout.file_type == "dbf":
            return _mutate_dbf(rp, data, rnd)
        text, encoding = _decode(data)
        return encode(mutate_text(text, rnd), rnd, encoding)

    return Target("collector registries", seeds, run, structured, _translatable(("osmd_payments", "registries")))


def _mutate_dbf(rp, data, rnd):
    """A dBase file with hostile field values (the record layout kept, so that the fields are read)."""
    table = rp.read_dbf(data)
    header_length = int.from_bytes(data[8:10], "little")
    record_length = int.from_bytes(data[10:12], "little")
    damaged = bytearray(data)
    offsets, position = [], 1
    for item in table.fields:
        offsets.append((position, item.length))
        position += item.length
    count = (len(data) - header_length) // max(record_length, 1)
    for _ in range(rnd.randint(1, 4)):
        if not count or not offsets:
            break
        record = rnd.randrange(count)
        start, length = rnd.choice(offsets)
        value = hostile_text(rnd).encode(rnd.choice(("cp866", "cp1251", "utf-8")), "replace")
        value = value[:length].ljust(length, rnd.choice((b" ", b"\x00", b"*")))
        at = header_length + record * record_length + start
        damaged[at : at + length] = value
        if rnd.random() < 0.1:
            damaged[header_length + record * record_length] = rnd.choice(b" *\x00A")
    if rnd.random() < 0.15:  # the header's record count or lengths lie
        field_at = rnd.choice((4, 8, 10))
        damaged[field_at : field_at + 2] = rnd.randrange(65536).to_bytes(2, "little")
    return bytes(damaged)


TARGET_FACTORIES = {
    "registry_workbook": _registry_workbook_target,
    "reading_sheet": _reading_sheet_target,
    "bank_statements": _statement_target,
    "collector_registries": _registry_target,
}


def targets(names=None):
    return {name: factory() for name, factory in TARGET_FACTORIES.items() if not names or name in names}


def crash_report(target, data, context, exc):
    return f"{target.name}: {type(exc).__name__}: {exc!s:.300} (input {len(data)} bytes, context {context!r:.80})"


def random_for(seed, name):
    """A random generator for one parser, the same for the same seed and parser."""
    return random.Random(f"{seed}:{name}")
