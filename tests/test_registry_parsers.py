"""Payment-collector registry parsers (addons/osmd_payments/tools/registries.py)."""

import io
import json
import struct
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from conftest import ADDONS_DIR, load_tool

rp = load_tool("osmd_payments", "registries")

DATA = ADDONS_DIR / "osmd_payments" / "tests" / "data" / "registries"
GOLDEN = sorted(path for path in DATA.iterdir() if not path.name.endswith(".json"))
NBSP = "\u00a0"
HEADER = "ID;Дата;Рахунок;ПІБ;Сума;Комісія"


# ------------------------------------------------------------
# Helpers
# ------------------------------------------------------------


def csv_bytes(*lines, encoding="utf-8"):
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def parse_csv(*rows, header=HEADER, layout=None, filename="", **changes):
    """Parse ``rows`` (";"-separated text) under ``header`` with the generic CSV layout."""
    lines = ([header] if header else []) + list(rows)
    return rp.parse_registry(csv_bytes(*lines), layout or rp.preset("generic_csv", **changes), filename)


def refusal(*rows, header=HEADER, layout=None, data=None, **changes):
    with pytest.raises(rp.RegistryError) as caught:
        if data is not None:
            rp.parse_registry(data, layout or rp.preset("generic_csv", **changes))
        else:
            parse_csv(*rows, header=header, layout=layout, **changes)
    return caught.value


def xlsx_bytes(rows, title="Sheet", extra_sheets=()):
    workbook = openpyxl.Workbook()
    for name in extra_sheets:
        workbook.create_sheet(name)
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dbf_bytes(fields, records, code_page=0x65, encoding="cp866", version=0x03):
    """A dBase III table: ``fields`` (name, type, length, decimals), ``records`` (deleted, [text or None])."""
    header_length = 32 + 32 * len(fields) + 1
    record_length = 1 + sum(length for _, _, length, _ in fields)
    out = bytearray(struct.pack("<BBBBIHH", version, 126, 11, 5, len(records), header_length, record_length))
    out += bytes(17) + bytes([code_page]) + bytes(2)
    for name, kind, length, decimals in fields:
        out += (
            name.encode(encoding).ljust(11, b"\x00") + kind.encode() + bytes(4) + bytes([length, decimals]) + bytes(14)
        )
    out += b"\x0d"
    for deleted, values in records:
        out += b"*" if deleted else b" "
        for (_name, kind, length, _decimals), value in zip(fields, values, strict=True):
            if value is None:
                raw = b" " * length
            elif kind in "NF":
                raw = value.rjust(length).encode("ascii")
            else:
                raw = value.encode(encoding).ljust(length)
            assert len(raw) == length
            out += raw
    out += b"\x1a"
    return bytes(out)


DBF_FIELDS = [
    ("ID_PLAT", "C", 10, 0),
    ("DATA", "D", 8, 0),
    ("LS", "C", 8, 0),
    ("FIO", "C", 24, 0),
    ("SUMMA", "N", 10, 2),
    ("KOM", "N", 6, 2),
    ("OK", "L", 1, 0),
]


def dbf_record(txn, payer="Гудзь Євген", amount="100.00", deleted=False, when="20261105", ok="T"):
    return (deleted, [txn, when, "124", payer, amount, "1.00", ok])


# ------------------------------------------------------------
# Golden files
# ------------------------------------------------------------


def golden_cases():
    for path in GOLDEN:
        expected = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text("utf-8"))
        for name in expected.get("presets", []):
            yield pytest.param(path, name, expected, id=f"{path.name}-{name}")
        if "layout" in expected:
            yield pytest.param(path, None, expected, id=f"{path.name}-layout")


def test_every_golden_file_has_its_expectation():
    assert [path.name for path in GOLDEN] == [
        "generic_cp1251.csv",
        "gerc_cp866.dbf",
        "ipay_utf8_bom.csv",
        "kopecks_noheader.csv",
        "portmone.xlsx",
    ]


@pytest.mark.parametrize(("path", "preset_name", "expected"), list(golden_cases()))
def test_golden_registry(path, preset_name, expected):
    layout = rp.preset(preset_name) if preset_name else rp.Layout.from_dict(expected["layout"])
    registry = rp.parse_registry(path.read_bytes(), layout, expected["filename"])
    assert registry.to_dict() == expected["registry"]
    assert registry.net_amount == registry.total_amount - registry.total_fee
    assert registry.count == len(registry.records)
    for record in registry.records:
        assert isinstance(record, rp.RegistryRecord)
        assert isinstance(record.amount, Decimal) and record.amount.as_tuple().exponent == -2
        assert isinstance(record.fee, Decimal) and record.fee.as_tuple().exponent == -2
        assert type(record.date) is date


def test_golden_csv_cp1251_values():
    registry = rp.parse_registry((DATA / "generic_cp1251.csv").read_bytes(), rp.preset("generic_csv"))
    assert registry.number == "123"
    assert registry.date == date(2026, 11, 5)
    assert registry.total_amount == Decimal("3699.85")
    assert registry.total_fee == Decimal("33.55")
    assert registry.net_amount == Decimal("3666.30")
    assert (registry.declared_count, registry.declared_amount) == (5, Decimal("3699.85"))
    first = registry.records[0]
    assert first == rp.RegistryRecord(
        row=5,
        txn_id="TX-1001",
        date=date(2026, 11, 5),
        account="000123",
        payer="Іваненко Ірина Олегівна",
        address="вул. Шевченка, 5; кв. 12",
        service_code="01",
        period=date(2026, 11, 1),
        amount=Decimal("1234.50"),
        fee=Decimal("12.35"),
    )


def test_golden_dbf_skips_the_deleted_record():
    data = (DATA / "gerc_cp866.dbf").read_bytes()
    table = rp.read_dbf(data)
    assert table.deleted == 1
    assert table.code_page == 0x65
    assert table.encoding == "cp866"
    assert [number for number, _values in table.records] == [1, 2, 4, 5]
    assert [(f.name, f.type, f.length, f.decimals) for f in table.fields][-2:] == [
        ("SUMMA", "N", 10, 2),
        ("KOM", "N", 8, 2),
    ]
    assert table.records[0][1][1] == date(2026, 11, 5)
    assert table.records[0][1][7] == Decimal("1234.50")
    assert table.records[-1][1][8] is None  # blank N field
    registry = rp.parse_registry(data, rp.preset("gerc"))
    # the deleted record repeats the transaction G-2 for 999.99: neither a duplicate nor counted
    assert [record.txn_id for record in registry.records] == ["G-1", "G-2", "G-4", "G-5"]
    assert registry.total_amount == Decimal("1530.00")
    assert registry.number == ""  # no file name given


def test_golden_xlsx_title_and_total_rows():
    registry = rp.parse_registry((DATA / "portmone.xlsx").read_bytes(), rp.preset("portmone"))
    assert (registry.number, registry.date) == ("0045", date(2026, 11, 5))
    assert (registry.declared_count, registry.declared_amount, registry.declared_fee) == (
        4,
        Decimal("1650.79"),
        Decimal("3.51"),
    )
    assert [record.row for record in registry.records] == [5, 6, 7, 8]
    # 1000.1 + 0.2 is stored as 1000.3000000000001: Excel's 15 significant digits give 1000.30
    assert registry.records[-1].amount == Decimal("1000.30")


# ------------------------------------------------------------
# Presets and layouts
# ------------------------------------------------------------

SAMPLE = {
    "txn_id": "T-1",
    "date": date(2026, 11, 5),
    "account": "000123",
    "payer": "Гудзь Євген",
    "address": "вул. Шевченка 5",
    "service_code": "01",
    "period": "11.2026",
    "amount": Decimal("150.25"),
    "fee": Decimal("1.50"),
}


def _first_name(layout, key):
    aliases = layout.columns[key]
    if layout.file_type == "dbf":
        return next(alias for alias in aliases if alias.isascii() and len(alias) <= 10)
    return aliases[0]


def _sample_text(layout, key):
    value = SAMPLE[key]
    if isinstance(value, date):
        return value.strftime(layout.date_formats[0])
    if isinstance(value, Decimal):
        text = str(value)
        return text.replace(".", ",") if layout.decimal == "," else text
    return value


def _preset_file(layout):
    keys = list(rp.FIELDS)
    names = [_first_name(layout, key) for key in keys]
    if layout.file_type == "xlsx":
        return xlsx_bytes([names, [SAMPLE[key] if key != "amount" else 150.25 for key in keys]])
    if layout.file_type == "dbf":
        fields = [(name.upper(), "C", 20, 0) for name in names]
        fields[keys.index("date")] = (names[keys.index("date")], "D", 8, 0)
        fields[keys.index("amount")] = (names[keys.index("amount")], "N", 10, 2)
        values = [_sample_text(layout, key) for key in keys]
        values[keys.index("date")] = "20261105"
        values[keys.index("amount")] = "150.25"
        values[keys.index("fee")] = "1.50"
        return dbf_bytes(fields, [(False, values)])
    delimiter = layout.delimiter or ";"
    lines = [delimiter.join(names), delimiter.join(_sample_text(layout, key) for key in keys)]
    return csv_bytes(*lines, encoding=layout.encoding or "utf-8")


def test_presets_cover_the_collectors():
    assert set(rp.PRESETS) >= {
        "gerc",
        "easypay",
        "ipay",
        "portmone",
        "privat_komunalka",
        "ukrposhta",
        "generic_csv",
    }
    for layout in rp.PRESETS.values():
        assert layout.file_type in rp.FILE_TYPES
        assert set(layout.columns) <= set(rp.FIELDS)
        for key in rp.REQUIRED_FIELDS:
            assert layout.columns[key]


@pytest.mark.parametrize("name", sorted(rp.PRESETS))
def test_preset_reads_its_own_column_names(name):
    layout = rp.preset(name)
    registry = rp.parse_registry(_preset_file(layout), layout)
    (record,) = registry.records
    assert record.txn_id == "T-1"
    assert record.date == date(2026, 11, 5)
    assert record.account == "000123"
    assert record.payer == "Гудзь Євген"
    assert record.address == "вул. Шевченка 5"
    assert record.service_code == "01"
    assert record.period == date(2026, 11, 1)
    assert record.amount == Decimal("150.25")
    assert record.fee == Decimal("1.50")
    assert registry.net_amount == Decimal("148.75")


def test_preset_returns_an_independent_copy():
    layout = rp.preset("generic_csv", delimiter="|")
    layout.columns["amount"].append("Бабло")
    assert layout.delimiter == "|"
    assert rp.PRESETS["generic_csv"].delimiter == ""
    assert "Бабло" not in rp.PRESETS["generic_csv"].columns["amount"]
    with pytest.raises(KeyError):
        rp.preset("nope")


def test_layout_round_trips_through_a_dict():
    layout = rp.preset("privat_komunalka")
    data = json.loads(json.dumps(layout.to_dict()))
    assert rp.Layout.from_dict(data) == replace(layout, date_formats=tuple(layout.date_formats))
    built = rp.Layout.from_dict(
        {"file_type": "csv", "columns": {"txn_id": "1", "date": "Дата|Date", "account": 3, "amount": ["Сума"]}, "x": 1}
    )
    assert built.columns == {"txn_id": 1, "date": ["Дата", "Date"], "account": 3, "amount": ["Сума"]}
    assert built.date_formats == rp.DEFAULT_DATE_FORMATS


def test_headers_match_ignoring_case_spaces_dots_units_and_lookalikes():
    header = "  id ;ДАТА  ОПЛАТИ;Л/с;П.I.Б.;Сума (грн);Сума комісії, грн"  # Latin I in П.I.Б.
    registry = parse_csv("A1;05.11.2026;12;Гудзь Є.;10,00;0,10", header=header)
    record = registry.records[0]
    assert (record.account, record.payer, record.amount, record.fee) == (
        "12",
        "Гудзь Є.",
        Decimal("10.00"),
        Decimal("0.10"),
    )


def test_columns_by_number_with_a_header():
    layout = rp.Layout("csv", {"txn_id": 1, "date": 2, "account": 3, "amount": 5, "fee": "Комісія"})
    registry = parse_csv("A1;05.11.2026;12;Гудзь Є.;10,00;0,10", layout=layout)
    assert (registry.records[0].amount, registry.records[0].fee) == (Decimal("10.00"), Decimal("0.10"))


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    lines = [
        delimiter.join(["ID", "Дата", "Рахунок", "Адреса", "Сума"]),
        delimiter.join(["A1", "05.11.2026", "12", '"вул. Миру, 1; кв. 2"', "10.50"]),
        delimiter.join(["A2", "05.11.2026", "13", '"вул. Миру, 1; кв. 3"', "1 000.00"]),
    ]
    registry = rp.parse_registry(csv_bytes(*lines), rp.preset("generic_csv"))
    assert [record.address for record in registry.records] == ["вул. Миру, 1; кв. 2", "вул. Миру, 1; кв. 3"]
    assert registry.total_amount == Decimal("1010.50")


def test_named_delimiter_and_explicit_encoding():
    data = csv_bytes("ID\tДата\tРахунок\tСума", "A1\t05.11.2026\t12\t10,00", encoding="cp1251")
    registry = rp.parse_registry(data, rp.preset("generic_csv", delimiter="tab", encoding="windows-1251"))
    assert (registry.encoding, registry.records[0].amount) == ("cp1251", Decimal("10.00"))


def test_xlsx_sheet_is_chosen_by_name():
    data = xlsx_bytes(
        [["ID", "Дата", "Рахунок", "Сума"], ["A1", "05.11.2026", 12, 10.5]], title="Платежі", extra_sheets=["Інше"]
    )
    registry = rp.parse_registry(data, rp.preset("generic_xlsx", sheet=" платежі "))
    assert registry.records[0].amount == Decimal("10.50")
    error = refusal(data=data, layout=rp.preset("generic_xlsx", sheet="Реєстр"))
    assert str(error) == "The workbook has no sheet Реєстр."


def test_xlsx_numbers_and_dates():
    data = xlsx_bytes(
        [
            ["ID", "Дата", "Рахунок", "Сума", "Комісія"],
            [1.0, 46331, 123456789012.0, 12, 0.1],  # 46331 = 05.11.2026 as an unformatted serial
        ]
    )
    record = rp.parse_registry(data, rp.preset("generic_xlsx")).records[0]
    assert (record.txn_id, record.date, record.account) == ("1", date(2026, 11, 5), "123456789012")
    assert (record.amount, record.fee) == (Decimal("12.00"), Decimal("0.10"))


# ------------------------------------------------------------
# Values
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11.2026", date(2026, 11, 1)),
        ("1.2026", date(2026, 1, 1)),
        ("11/2026", date(2026, 11, 1)),
        ("112026", date(2026, 11, 1)),
        ("202611", date(2026, 11, 1)),
        ("12026", date(2026, 1, 1)),
        ("2026-11", date(2026, 11, 1)),
        ("11.26", date(2026, 11, 1)),
        ("15.11.2026", date(2026, 11, 1)),
        ("2026-11-15", date(2026, 11, 1)),
        ("листопад 2026", date(2026, 11, 1)),
        ("Листопада 2026 р.", date(2026, 11, 1)),
        ("березень 2026", date(2026, 3, 1)),
        ("Ноябрь 2026", date(2026, 11, 1)),
        ("Nov 2026", date(2026, 11, 1)),
        ("", None),
    ],
)
def test_periods(text, expected):
    registry = parse_csv(f"A1;05.11.2026;12;{text};10", header="ID;Дата;Рахунок;Період;Сума")
    assert registry.records[0].period == expected


@pytest.mark.parametrize("text", ["13.2026", "листопадик 2026", "00.2026", "11.1800", "2026", "11-й"])
def test_bad_periods(text):
    error = refusal(f"A1;05.11.2026;12;{text};10", header="ID;Дата;Рахунок;Період;Сума")
    assert error.message == "Row %(row)s, column %(column)s: %(value)s is not a period (expected MM.YYYY)."
    assert error.params["value"] == text
    assert error.params["column"] == "Період"


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1 234,56", "", "1234.56"),
        (f"1{NBSP}234,56", "", "1234.56"),
        ("1.234,56", "", "1234.56"),
        ("1,234.56", "", "1234.56"),
        ("1234.5", "", "1234.50"),
        ("1234", "", "1234.00"),
        ("12,50 грн", "", "12.50"),
        ("12,500", "", "12.50"),  # trailing zeros: still kopecks
        ("1.234,56", ",", "1234.56"),
        ("1,234.56", ".", "1234.56"),
    ],
)
def test_amount_texts(text, decimal, expected):
    registry = parse_csv(f'A1;05.11.2026;12;;"{text}"', decimal=decimal)
    assert str(registry.records[0].amount) == expected


def test_amount_in_kopecks():
    layout = rp.preset("generic_csv", amount_in_kopecks=True)
    registry = parse_csv("A1;05.11.2026;12;;12050;120", "A2;05.11.2026;13;;7;0", "Разом;2;;;12057;120", layout=layout)
    assert [record.amount for record in registry.records] == [Decimal("120.50"), Decimal("0.07")]
    assert (registry.total_fee, registry.net_amount) == (Decimal("1.20"), Decimal("119.37"))
    assert (registry.declared_count, registry.declared_amount) == (2, Decimal("120.57"))
    error = refusal("A1;05.11.2026;12;;120,5;0", layout=layout)
    assert str(error) == "Row 2, column Сума: the amount 120,5 is not a whole number of kopecks."


def test_fee_absent_means_zero_and_net_is_the_transfer():
    registry = parse_csv("A1;05.11.2026;12;;100,00", "A2;06.11.2026;13;;50,05", header="ID;Дата;Рахунок;ПІБ;Сума")
    assert (registry.total_amount, registry.total_fee, registry.net_amount) == (
        Decimal("150.05"),
        Decimal("0.00"),
        Decimal("150.05"),
    )
    registry = parse_csv("A1;05.11.2026;12;;100,00;1,50", "A2;06.11.2026;13;;50,05;0,75")
    assert (registry.total_amount, registry.total_fee, registry.net_amount) == (
        Decimal("150.05"),
        Decimal("2.25"),
        Decimal("147.80"),
    )


def test_text_cells_are_cleaned():
    registry = parse_csv('\'00012 ;05.11.2026;="000123";  Гудзь   Євген ;10')
    record = registry.records[0]
    assert (record.txn_id, record.account, record.payer) == ("00012", "000123", "Гудзь Євген")


def test_control_totals_in_the_title_rows():
    registry = parse_csv(
        "Реєстр платежів N 45 від 06.11.2026. Кількість платежів: 2, загальна сума: 1 100,50 грн",
        HEADER,
        "A1;05.11.2026;12;;1000,00",
        "A2;05.11.2026;13;;100,50",
        header="",
    )
    assert (registry.number, registry.date) == ("45", date(2026, 11, 6))
    assert (registry.declared_count, registry.declared_amount, registry.declared_fee) == (2, Decimal("1100.50"), None)
    error = refusal(
        "Реєстр № 45. Кількість платежів: 3, сума 1 100,50",
        HEADER,
        "A1;05.11.2026;12;;1000,00",
        "A2;05.11.2026;13;;100,50",
        header="",
    )
    assert str(error) == f"Row 1: the registry says 3 payments for 1{NBSP}100,50 but lists 2 for 1{NBSP}100,50."


@pytest.mark.parametrize(
    ("total_row", "count", "amount"),
    [
        ("Разом;;;;110,00;", None, Decimal("110.00")),
        ("Разом: 2;;;;;", 2, None),
        ("Разом;2;;;110,00;", 2, Decimal("110.00")),
        ("РАЗОМ 2 платежі на суму 110,00 грн;;;;;", 2, Decimal("110.00")),
        ("Всього платежів: 2, на суму 110.00;;;;;", 2, Decimal("110.00")),
        ("Разом: 2 / 110,00;;;;;", 2, Decimal("110.00")),
        ("Разом;;;;;", None, None),
    ],
)
def test_control_row_forms(total_row, count, amount):
    registry = parse_csv("A1;05.11.2026;12;;100,00;", "A2;05.11.2026;13;;10,00;", total_row)
    assert (registry.declared_count, registry.declared_amount) == (count, amount)
    assert registry.count == 2


def test_footer_after_the_control_row_is_ignored():
    registry = parse_csv("A1;05.11.2026;12;;100,00;", "Разом;1;;;100,00;", ";;;Бухгалтер ____ Петрова;;")
    assert registry.count == 1


def test_registry_number_from_the_file_name():
    assert parse_csv("A1;05.11.2026;12;;1", filename="C:\\in\\reestr_0078.csv").number == "0078"
    assert parse_csv("A1;05.11.2026;12;;1", filename="Реєстр №12 від 05.11.2026.csv").number == "12"
    assert parse_csv("A1;05.11.2026;12;;1", filename="payments.csv").number == ""


# ------------------------------------------------------------
# dBase reader
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code_page", "encoding"),
    [(0x65, "cp866"), (0x26, "cp866"), (0xC9, "cp1251"), (0x57, "cp1251"), (0x00, "cp866"), (0x03, "cp866")],
)
def test_dbf_code_page_byte(code_page, encoding):
    data = dbf_bytes(
        DBF_FIELDS, [dbf_record("A1", payer="Їжак Єва Юріївна"[:11])], code_page=code_page, encoding=encoding
    )
    table = rp.read_dbf(data)
    assert (table.encoding, table.code_page) == (encoding, code_page)
    assert table.records[0][1][3] == "Їжак Єва Юр"


def test_dbf_values_and_types():
    data = dbf_bytes(
        DBF_FIELDS,
        [
            dbf_record("A1", amount="   12.50", ok="F"),
            dbf_record("A2", amount=None, when="        ", ok="?"),
            dbf_record("A3", amount="***", when="20261332", ok="T"),
        ],
        version=0x83,
    )
    table = rp.read_dbf(data)
    assert [f.type for f in table.fields] == ["C", "D", "C", "C", "N", "N", "L"]
    assert [values[4] for _, values in table.records] == [Decimal("12.50"), None, "***"]
    assert [values[1] for _, values in table.records] == [date(2026, 11, 5), None, "20261332"]
    assert [values[6] for _, values in table.records] == [False, None, True]


def test_dbf_encoding_override_and_mislabelled_code_page():
    cp1251_in_866_file = dbf_bytes(
        DBF_FIELDS,
        [dbf_record("A1", payer="Іваненко Ірина"), dbf_record("A2", payer="Ґудзь Євген")],
        code_page=0x65,
        encoding="cp1251",
    )
    # auto: the text reads garbled in CP866 and cleanly in CP1251
    registry = rp.parse_registry(cp1251_in_866_file, rp.preset("gerc"))
    assert registry.encoding == "cp1251"
    assert [record.payer for record in registry.records] == ["Іваненко Ірина", "Ґудзь Євген"]
    # an explicit encoding is obeyed, and refused when the text is garbled in it
    assert rp.read_dbf(cp1251_in_866_file, "cp1251").encoding == "cp1251"
    error = refusal(data=cp1251_in_866_file, layout=rp.preset("gerc", encoding="cp866"))
    assert str(error) == "The text of the file is garbled: it is not in the cp866 encoding. Choose another encoding."


def test_dbf_refusals():
    good = dbf_bytes(DBF_FIELDS, [dbf_record("A1"), dbf_record("A2")])
    error = refusal(data=good[:-30], layout=rp.preset("gerc"))
    assert str(error) == "The dBase (.dbf) file is truncated: its header announces 2 records."
    damaged = bytearray(good)
    damaged[10] += 1  # record length no longer the sum of the fields
    error = refusal(data=bytes(damaged), layout=rp.preset("gerc"))
    assert str(error) == "The file is not a valid dBase (.dbf) file: its header is damaged."
    flagged = bytearray(good)
    flagged[32 + 32 * len(DBF_FIELDS) + 1] = ord("X")
    error = refusal(data=bytes(flagged), layout=rp.preset("gerc"))
    assert (str(error), error.row) == ("Record 1 of the dBase (.dbf) file is damaged.", 1)
    only_deleted = dbf_bytes(DBF_FIELDS, [dbf_record("A1", deleted=True)])
    assert str(refusal(data=only_deleted, layout=rp.preset("gerc"))) == "The registry lists no payments."


def test_dbf_missing_field():
    data = dbf_bytes(
        [("ID_PLAT", "C", 5, 0), ("DATA", "D", 8, 0), ("SUMMA", "N", 8, 2)], [(False, ["A", "20261105", "1"])]
    )
    error = refusal(data=data, layout=rp.preset("gerc"))
    assert error.params["field"] == "personal account"
    assert error.params["aliases"].startswith('"LS", "LIC_SCH", "NLS"')
    assert error.row == 0


# ------------------------------------------------------------
# Refusals
# ------------------------------------------------------------


def test_missing_required_column_names_the_field_and_aliases():
    layout = rp.Layout("csv", {"txn_id": ["ID"], "date": ["Дата"], "account": ["Рахунок", "Л/С"], "amount": ["Сума"]})
    error = refusal("A1;05.11.2026;12;;10", header="ID;Дата;Особовий;ПІБ;Сума", layout=layout)
    assert str(error) == 'The file has no column for the personal account: looked for "Рахунок", "Л/С".'
    assert error.message == "The file has no column for the %(field)s: looked for %(aliases)s."
    assert error.params["field_key"] == "account"
    assert error.row == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31.02.2026", "Row 2, column Дата: 31.02.2026 is not a date (expected "),
        ("завтра", "Row 2, column Дата: завтра is not a date (expected "),
        ("05.11.1899", "Row 2, column Дата: the date 05.11.1899 is out of range."),
        ("", "Row 2, column Дата: the payment date is empty."),
    ],
)
def test_bad_date(value, message):
    error = refusal(f"A1;{value};12;;10")
    assert str(error).startswith(message)
    assert (error.row, error.params["field_key"]) == (2, "date")


def test_bad_date_lists_the_formats():
    error = refusal("A1;2026.11.05;12;;10", layout=rp.preset("generic_csv", date_formats=("%d.%m.%Y", "%Y-%m-%d")))
    assert str(error) == "Row 2, column Дата: 2026.11.05 is not a date (expected DD.MM.YYYY, YYYY-MM-DD)."


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("12,3x", "Row 2, column Сума: 12,3x is not an amount."),
        ("1.2.3", "Row 2, column Сума: 1.2.3 is not an amount."),
        ("-5,00", "Row 2, column Сума: the amount must be greater than zero, not -5,00."),
        ("0,00", "Row 2, column Сума: the amount must be greater than zero, not 0,00."),
        ("12,345", "Row 2, column Сума: the amount 12,345 has more than 2 decimals."),
        ("", "Row 2, column Сума: the amount is empty."),
    ],
)
def test_bad_amount(amount, text):
    error = refusal(f'A1;05.11.2026;12;;"{amount}"')
    assert str(error) == text
    assert error.params["field_key"] == "amount"
    assert error.params["column"] == "Сума"


def test_decimal_mark_is_enforced():
    error = refusal("A1;05.11.2026;12;;12.50", decimal=",")
    assert str(error) == "Row 2, column Сума: 12.50 is not an amount."


def test_bad_fee():
    assert str(refusal("A1;05.11.2026;12;;10;-1")) == "Row 2, column Комісія: the fee must not be negative, not -1."
    assert (
        str(refusal("A1;05.11.2026;12;;10;0,001")) == "Row 2, column Комісія: the fee 0,001 has more than 2 decimals."
    )
    assert str(refusal("A1;05.11.2026;12;;10;11")) == "Row 2, column Комісія: the fee 11.00 exceeds the amount 10.00."


def test_xlsx_amount_with_more_than_2_decimals():
    data = xlsx_bytes([["ID", "Дата", "Рахунок", "Сума"], ["A1", "05.11.2026", 12, 12.505]])
    error = refusal(data=data, layout=rp.preset("generic_xlsx"))
    assert str(error) == "Row 2, column Сума: the amount 12.505 has more than 2 decimals."


def test_empty_account_and_transaction():
    error = refusal("A1;05.11.2026; ;;10")
    assert str(error) == "Row 2, column Рахунок: the personal account is empty."
    assert error.params["field"] == "personal account"
    assert str(refusal(";05.11.2026;12;;10")) == "Row 2, column ID: the transaction ID is empty."


def test_duplicate_transaction():
    error = refusal("A1;05.11.2026;12;;10", "A2;05.11.2026;13;;10", "A1;06.11.2026;14;;20")
    assert str(error) == "Row 4, column ID: transaction A1 is already in row 2."
    assert error.params["first_row"] == 2


def test_all_row_errors_are_collected():
    error = refusal("A1;05.11.2026;;;10", "A2;xx;13;;10", "A3;05.11.2026;14;;20", "A4;05.11.2026;15;;-1")
    assert [e.row for e in error.errors] == [2, 3, 5]
    assert error.errors[0] is error


@pytest.mark.parametrize(
    ("total_row", "text"),
    [
        (
            "Разом: 3 платежі;;;;456,78;",
            f"Row 4: the registry says 3 payments for 456,78 but lists 2 for 3{NBSP}456,78.",
        ),
        ("Разом;3;;;;", "Row 4: the registry says 3 payments but lists 2."),
        (
            "Разом;;;;3 400,00;",
            f"Row 4: the registry says the payments total 3{NBSP}400,00 but they add up to 3{NBSP}456,78.",
        ),
        ("Разом;2;;;3 456,78;34,00", "Row 4: the registry says the fees total 34,00 but they add up to 34,56."),
    ],
)
def test_control_totals_disagree(total_row, text):
    error = refusal("A1;05.11.2026;12;;3 000,00;30,00", "A2;05.11.2026;13;;456,78;4,56", total_row)
    assert str(error) == text
    assert error.row == 4


def test_control_totals_message_params():
    error = refusal("A1;05.11.2026;12;;3 000,00", "Разом: 12 платежів;;;;3 456,78")
    assert error.message == (
        "Row %(row)s: the registry says %(declared_count)s payments for %(declared_amount)s "
        "but lists %(count)s for %(amount)s."
    )
    assert error.params == {
        "row": 3,
        "declared_count": 12,
        "declared_amount": f"3{NBSP}456,78",
        "count": 1,
        "amount": f"3{NBSP}000,00",
    }


def test_control_total_that_is_no_amount():
    error = refusal("A1;05.11.2026;12;;10", "Разом;;;;багато")
    assert str(error) == "Row 3, column Сума: багато is not an amount."


def test_payments_after_the_control_row():
    error = refusal("A1;05.11.2026;12;;10", "Разом;1;;;10", "A2;05.11.2026;13;;10")
    assert str(error) == "Row 4: payments must not follow the control total row 3."


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b";;;\r\n;;\r\n"])
def test_empty_file(data):
    assert str(refusal(data=data)) == "The file is empty."


def test_header_without_payments():
    assert str(refusal(header=HEADER)) == "The registry lists no payments."
    assert str(refusal("Разом;0;;;0", header=HEADER)) == "The registry lists no payments."
    empty_xlsx = xlsx_bytes([])
    assert str(refusal(data=empty_xlsx, layout=rp.preset("generic_xlsx"))) == "The file is empty."


def test_garbage_and_wrong_file_types():
    garbage = bytes(range(256)) * 8
    assert str(refusal(data=garbage)) == "The file is not a CSV text file: it holds unreadable binary data."
    error = refusal(data=garbage, layout=rp.preset("generic_xlsx"))
    assert error.message == "The file is not %(expected)s: it holds unreadable binary data."
    assert error.params == {"expected": "an XLSX workbook"}
    assert str(refusal(data=b"PK\x03\x04broken zip", layout=rp.preset("generic_xlsx"))) == (
        "The file is damaged or is not an XLSX workbook."
    )
    assert str(refusal(data=b"\xd0\xcf\x11\xe0" + bytes(600), layout=rp.preset("generic_xlsx"))) == (
        "The file is an old Excel 97-2003 (.xls) workbook: save it as .xlsx first."
    )
    xlsx = (DATA / "portmone.xlsx").read_bytes()
    assert str(refusal(data=xlsx)) == "The file is an XLSX workbook, but the layout expects a CSV text file."
    dbf = (DATA / "gerc_cp866.dbf").read_bytes()
    assert str(refusal(data=dbf, layout=rp.preset("generic_xlsx"))) == (
        "The file is a dBase (.dbf) file, but the layout expects an XLSX workbook."
    )
    csv = (DATA / "generic_cp1251.csv").read_bytes()
    assert str(refusal(data=csv, layout=rp.preset("gerc"))) == (
        "The file is a CSV text file, but the layout expects a dBase (.dbf) file."
    )
    assert str(refusal(data=garbage, layout=rp.preset("gerc"))) == (
        "The file is not a valid dBase (.dbf) file: its header is damaged."
    )


def test_wrong_encoding():
    cp1251 = (DATA / "generic_cp1251.csv").read_bytes()
    error = refusal(data=cp1251, encoding="utf-8")
    assert str(error) == "The file is not in the utf-8 encoding (row 1)."
    error = refusal(data=cp1251, encoding="cp866")
    assert str(error) == "The text of the file is garbled: it is not in the cp866 encoding. Choose another encoding."
    utf8 = csv_bytes(HEADER, "A1;05.11.2026;12;Гудзь Євген Їжакович;10")
    error = refusal(data=utf8, encoding="cp1251")
    assert error.message == rp.MSG_GARBLED
    # auto: CP866 text is recognised
    cp866 = csv_bytes("ID;Дата;Рахунок;Платник;Сума", "A1;05.11.2026;12;Гудзь Євген Петрович;10", encoding="cp866")
    registry = rp.parse_registry(cp866, rp.preset("generic_csv"))
    assert (registry.encoding, registry.records[0].payer) == ("cp866", "Гудзь Євген Петрович")


def test_layout_mistakes():
    layout = rp.Layout("csv", {"txn_id": 1, "date": 2, "amount": 4})
    assert str(refusal(data=b"x", layout=layout)) == "The layout does not say which column holds the personal account."
    assert str(refusal(data=b"x", layout=rp.preset("generic_csv", file_type="ods"))) == (
        "Unknown registry file type ods: use csv, xlsx or dbf."
    )
    assert str(refusal(data=b"x", layout=rp.preset("generic_csv", has_header=False))) == (
        "The layout names the column of the transaction ID by its header, but the file has no header row: "
        "give the column number instead."
    )
    assert str(refusal(data=b"x", layout=rp.preset("generic_csv", encoding="klingon"))) == "Unknown encoding klingon."
    layout = rp.Layout("csv", {"txn_id": 1, "date": 2, "account": 3, "amount": 9}, has_header=False)
    assert str(refusal("A1;05.11.2026;12;10", header="", layout=layout)) == (
        "Column 9 for the amount is beyond the last column of the file (4)."
    )
    layout = rp.Layout("csv", {"txn_id": 0, "date": 2, "account": 3, "amount": 4}, has_header=False)
    assert str(refusal(data=b"x", layout=layout)) == (
        "The layout's column for the transaction ID must be header names or a number from 1, not 0."
    )


def test_error_renders_and_keeps_its_template():
    error = rp.RegistryError(rp.MSG_DUPLICATE, row=7, column="ID", value="A1", first_row=3)
    assert str(error) == "Row 7, column ID: transaction A1 is already in row 3."
    assert error.message == "Row %(row)s, column %(column)s: transaction %(value)s is already in row %(first_row)s."
    assert error.params == {"row": 7, "column": "ID", "value": "A1", "first_row": 3}
    assert isinstance(error, ValueError)
    assert str(rp.RegistryError(rp.MSG_EMPTY)) == "The file is empty."


# ------------------------------------------------------------
# Registry numbers
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Оплата комунальних послуг згідно реєстру № 123 від 05.11.2026, без ПДВ", "123"),
        ("реєстр №123", "123"),
        ("реестр N 123", "123"),
        ("Зг. реестра No. 123 от 05.11.2026", "123"),
        ("registry #123", "123"),
        ("Registry number 9", "9"),
        ("Реєстр платежів 0045", "0045"),
        ("згідно реєстру від 05.11.2026 № 77", "77"),
        ("згідно реєстру від 05.11.2026 р. №77/11", "77/11"),
        ("Перерахування за реєстром Р-123, комісія 1,20", "Р-123"),
        ("зг.реєстр.№123", "123"),
        ("REESTR_456", "456"),
        ("згідно реєстру від 05.11.2026", ""),
        ("реєстру 05.11.2026", ""),
        ("Оплата за листопад 2026, о/р 123", ""),
        ("Кошти зареєстровано 5 листопада", ""),
        ("", ""),
    ],
)
def test_registry_number_in(text, number):
    assert rp.registry_number_in(text) == number


def test_same_registry_number():
    assert rp.same_registry_number("0045", "45")
    assert rp.same_registry_number("р-0045", "Р-45 ")
    assert not rp.same_registry_number("45", "46")
    assert not rp.same_registry_number("", "")
    assert rp.normalize_registry_number(" 007/0011 ") == "7/11"


def test_no_odoo_import():
    source = (ADDONS_DIR / "osmd_payments" / "tools" / "registries.py").read_text("utf-8")
    assert "import odoo" not in source and "from odoo" not in source


def test_dates_with_time_keep_the_day():
    registry = parse_csv("A1;05.11.2026 23:59:59;12;;10", "A2;2026-11-06;13;;10", "A3;07/11/2026;14;;10")
    assert [record.date for record in registry.records] == [date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 7)]
    assert all(type(record.date) is date for record in registry.records)


def test_xlsx_datetime_cells_keep_the_day():
    data = xlsx_bytes([["ID", "Дата", "Рахунок", "Сума"], ["A1", datetime(2026, 11, 5, 23, 59, 59), "12", "10"]])
    assert rp.parse_registry(data, rp.preset("generic_xlsx")).records[0].date == date(2026, 11, 5)
