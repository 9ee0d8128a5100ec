"""The registry workbook parser (addons/osmd_base/tools/registry_import.py)."""

import ast
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from conftest import load_tool

ri = load_tool("osmd_base", "registry_import")

TODAY = date(2026, 1, 15)

HEADERS = {
    "Buildings": [
        "Name", "Street", "City", "Postcode", "Entrances", "Floors", "Year built",
    ],
    "Premises": [
        "Building", "Number", "Kind", "Entrance", "Floor", "Rooms", "Total area, m²",
        "Living area, m²", "Heated area, m²", "Area for votes, m²",
    ],
    "Owners": [
        "Building", "Premise number", "Owner full name", "Owner kind", "Tax ID",
        "Phone", "E-mail", "Share numerator", "Share denominator", "Owner since",
        "Title document", "Document number", "Document date",
    ],
    "Accounts": [
        "Building", "Premise number", "Account number", "Holder full name", "Phone",
        "E-mail", "Opened on",
    ],
    "Residents": [
        "Building", "Premise number", "Full name", "Relation", "From", "Counted",
        "Phone", "E-mail",
    ],
}  # fmt: skip


def _row(sheet, **values):
    """A row of ``sheet`` from header=value pairs (keys: header, spaces -> _)."""
    by_key = {
        h.lower().replace(",", "").replace("-", "").replace("²", "2").replace(" ", "_"): h for h in HEADERS[sheet]
    }
    row = {by_key[key]: value for key, value in values.items()}
    return [row.get(header) for header in HEADERS[sheet]]


def make_workbook(sheets, headers=None):
    """xlsx bytes: ``sheets`` maps a sheet title to its data rows (lists)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        worksheet.append((headers or {}).get(title, HEADERS.get(title, [])))
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(sheets, **kwargs):
    kwargs.setdefault("today", TODAY)
    return ri.parse_registry(make_workbook(sheets), **kwargs)


def valid_sheets():
    return {
        "Buildings": [
            _row("Buildings", name="Sadova 1", street="Sadova St, 1", city="Lviv",
                 postcode="79000", entrances=2, floors=5, year_built=1968),
        ],
        "Premises": [
            _row("Premises", building="Sadova 1", number="1", kind="apartment",
                 total_area_m2=54.3, living_area_m2="32,10", entrance=1, floor=1),
            _row("Premises", building="Sadova 1", number=2, kind="Квартира",
                 total_area_m2="71.25"),
            _row("Premises", building="sadova 1", number="P-1", kind="parking",
                 total_area_m2=13.5),
        ],
        "Owners": [
            # 1/2 + 1/2 on premise 1
            _row("Owners", building="Sadova 1", premise_number="1",
                 owner_full_name="Melnyk Ivan", phone="067 123 45 67",
                 share_numerator=1, share_denominator=2,
                 owner_since=datetime(2015, 3, 1), title_document="register_extract",
                 document_number="A-1", document_date="01.03.2015"),
            _row("Owners", building="Sadova 1", premise_number="1",
                 owner_full_name="Melnyk Oksana", share_numerator=1,
                 share_denominator=2, owner_since="2015-03-01", tax_id="1759013776"),
            # the same Ivan (same name and phone) owns the parking space too
            _row("Owners", building="Sadova 1", premise_number="P-1",
                 owner_full_name="  melnyk   IVAN ", phone="+380671234567"),
            # a legal entity whose EDRPOU lost its leading zeros in a number cell
            _row("Owners", building="Sadova 1", premise_number="2",
                 owner_full_name="Bank LLC", owner_kind="юридична особа",
                 tax_id=32129, email="office@bank.example"),
        ],
        "Accounts": [
            _row("Accounts", building="Sadova 1", premise_number="1",
                 holder_full_name="Melnyk Ivan", opened_on=date(2015, 3, 1)),
            _row("Accounts", building="Sadova 1", premise_number="2",
                 account_number=102, holder_full_name="Bank LLC"),
            _row("Accounts", building="Sadova 1", premise_number="P-1",
                 account_number="000103", holder_full_name="Koval Petro",
                 phone="050 111 22 33"),
        ],
        "Residents": [
            _row("Residents", building="Sadova 1", premise_number="1",
                 full_name="Melnyk Ivan", relation="owner"),
            _row("Residents", building="Sadova 1", premise_number="1",
                 full_name="Melnyk Taras", relation="член сім'ї", counted="ні",
                 **{"from": "01.09.2020"}),
        ],
    }  # fmt: skip


def texts(result):
    return [(e.sheet, e.row, e.column, e.text) for e in result.errors]


# ------------------------------------------------------------
# Valid workbooks
# ------------------------------------------------------------


def test_valid_workbook_is_normalised():
    result = parse(valid_sheets())
    assert result.errors == []
    assert [b["name"] for b in result.buildings] == ["Sadova 1"]
    assert result.buildings[0]["entrance_count"] == 2
    assert [p["number"] for p in result.premises] == ["1", "2", "P-1"]
    first, second, parking = result.premises
    # exact areas: a float cell, a text cell with a decimal comma, a text cell
    assert first["total_area"] == Decimal("54.30")
    assert isinstance(first["total_area"], Decimal)
    assert first["living_area"] == Decimal("32.10")
    assert second["total_area"] == Decimal("71.25")
    assert second["kind"] == "apartment"  # Ukrainian label accepted
    assert parking["kind"] == "parking"
    assert parking["building_key"] == first["building_key"]  # case-insensitive
    assert first["vote_area"] is None


def test_owner_of_two_premises_is_one_person():
    result = parse(valid_sheets())
    ownerships = result.ownerships
    assert len(ownerships) == 4
    ivan = ownerships[0]["person"]
    assert ownerships[2]["person"] == ivan  # the parking space: same name and phone
    assert ownerships[1]["person"] != ivan
    person = result.persons[ivan]
    assert person["name"] == "Melnyk Ivan"  # as first written
    assert person["phone"] == "+380671234567"
    assert sorted(p["name"] for p in result.persons) == [
        "Bank LLC",
        "Koval Petro",
        "Melnyk Ivan",
        "Melnyk Oksana",
        "Melnyk Taras",
    ]


def test_people_shares_and_documents():
    result = parse(valid_sheets())
    by_row = {o["row"]: o for o in result.ownerships}
    assert (by_row[2]["share_numerator"], by_row[2]["share_denominator"]) == (1, 2)
    assert (by_row[3]["share_numerator"], by_row[3]["share_denominator"]) == (1, 2)
    assert (by_row[4]["share_numerator"], by_row[4]["share_denominator"]) == (1, 1)
    assert by_row[2]["date_start"] == date(2015, 3, 1)
    assert by_row[2]["document_kind"] == "register_extract"
    assert by_row[2]["document_date"] == date(2015, 3, 1)
    assert by_row[4]["date_start"] == TODAY  # empty "Owner since"
    persons = result.persons
    bank = persons[by_row[5]["person"]]
    assert bank["is_company"] is True
    assert bank["tax_id"] == "00032129"  # zero-padded EDRPOU, check digit valid
    assert persons[by_row[3]["person"]]["tax_id"] == "1759013776"


def test_accounts_and_residents():
    result = parse(valid_sheets())
    first, bank, parking = result.accounts
    ivan = result.ownerships[0]["person"]
    assert first["number"] is None  # numbered by the association's sequence
    assert first["holder"] == ivan  # holder named like an owner of the premise
    assert first["date_open"] == date(2015, 3, 1)
    assert bank["number"] == "102"
    assert bank["holder"] == result.ownerships[3]["person"]
    assert bank["date_open"] == TODAY
    assert parking["number"] == "000103"  # leading zeros of a text cell kept
    koval = result.persons[parking["holder"]]
    assert koval["name"] == "Koval Petro"  # a new person, not an owner
    assert koval["phone"] == "+380501112233"
    owner, son = result.residents
    assert owner["person"] == ivan
    assert owner["relation"] == "owner"
    assert owner["date_start"] == date(2015, 3, 1)  # the account's opening date
    assert owner["is_counted"] is True
    assert son["relation"] == "family"
    assert son["is_counted"] is False
    assert son["date_start"] == date(2020, 9, 1)
    assert result.persons[son["person"]]["name"] == "Melnyk Taras"
    assert len(result.persons) == 5


def test_same_name_without_identifier_is_not_merged():
    sheets = valid_sheets()
    sheets["Owners"] = [
        _row("Owners", building="Sadova 1", premise_number="2",
             owner_full_name="Bondar Olha"),
        _row("Owners", building="Sadova 1", premise_number="P-1",
             owner_full_name="Bondar Olha"),
    ]  # fmt: skip
    sheets["Accounts"] = sheets["Residents"] = []
    result = parse(sheets)
    assert result.errors == []
    assert len({o["person"] for o in result.ownerships}) == 2


def test_template_parses_and_lists_every_column():
    content = ri.build_template()
    result = ri.parse_registry(content, today=TODAY)
    assert result.errors == []
    assert (len(result.buildings), len(result.premises)) == (2, 2)
    assert (len(result.ownerships), len(result.accounts)) == (2, 2)
    assert len(result.residents) == 2
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == [
        "Instructions",
        "Buildings",
        "Premises",
        "Owners",
        "Accounts",
        "Residents",
    ]
    header = next(workbook["Owners"].iter_rows(max_row=1, values_only=True))
    assert header[0] == "Building *"
    assert [h.rstrip(" *") for h in header] == HEADERS["Owners"]
    instructions = [
        cell for row in workbook["Instructions"].iter_rows(values_only=True)
        for cell in row if cell
    ]  # fmt: skip
    assert "Total area, m² *" in instructions
    workbook.close()


def test_translated_template_round_trip():
    """Sheet names, headers and choices in another language are recognised
    when the caller passes the same translation."""
    words = {"Buildings": "Будинки", "Premises": "Приміщення", "Name": "Назва",
             "Number": "Номер", "Apartment": "Квартира", "Building": "Будинок",
             "Owner full name": "ПІБ власника", "Person": "Фізична особа"}  # fmt: skip

    def translate(text):
        return words.get(text, text)

    content = ri.build_template(translate)
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert "Будинки" in workbook.sheetnames
    workbook.close()
    result = ri.parse_registry(content, today=TODAY, translators=[translate])
    assert result.errors == []
    assert len(result.premises) == 2
    # without the translation the Ukrainian headers are unknown columns
    untranslated = ri.parse_registry(content, today=TODAY)
    assert any("Unknown column" in e.text for e in untranslated.errors)


def test_existing_buildings():
    sheets = {
        "Buildings": [
            _row("Buildings", name="Old house", street="Lesi 2", city="Lviv"),
        ],
        "Premises": [
            _row("Premises", building="Sadova 1", number="7", total_area_m2=40),
        ],
    }  # fmt: skip
    result = parse(sheets, known_buildings=["Sadova 1", "Old House"])
    assert texts(result) == [
        ("Buildings", 2, "Name",
         "Building Old house already exists in the association."),
    ]  # fmt: skip
    assert result.premises[0]["building_key"] == "sadova 1"


# ------------------------------------------------------------
# Bad rows
# ------------------------------------------------------------


def test_every_bad_row_is_reported_with_sheet_row_and_column():
    sheets = valid_sheets()
    sheets["Premises"] += [
        _row("Premises", building="Sadova 1", number="1", total_area_m2=10),
        _row("Premises", building="Nowhere 9", number="5", total_area_m2=10),
        _row("Premises", building="Sadova 1", number="8", total_area_m2="12.345"),
        _row("Premises", building="Sadova 1", number="9", total_area_m2=0),
        _row("Premises", building="Sadova 1", number="10", total_area_m2=20,
             living_area_m2=25, kind="penthouse"),
    ]  # fmt: skip
    sheets["Accounts"] += [
        _row("Accounts", building="Sadova 1", premise_number="3",
             account_number="000103", holder_full_name="Nobody"),
        _row("Accounts", building="Sadova 1", premise_number="8",
             account_number="12-34", holder_full_name="X", email="not-an-email",
             phone="12345", opened_on="31.02.2020"),
    ]  # fmt: skip
    result = parse(sheets)
    assert texts(result) == [
        ("Premises", 5, "Number",
         "Premise 1 of building Sadova 1 is already in row 2."),
        ("Premises", 6, "Building",
         "Unknown building Nowhere 9: add it to the Buildings sheet."),
        ("Premises", 7, "Total area, m²", "The area 12.345 has more than 2 decimals."),
        ("Premises", 8, "Total area, m²", "The area must be greater than 0."),
        ("Premises", 9, "Kind",
         "penthouse is not one of: Apartment, Non-residential premise, "
         "Parking space, Storage room."),
        ("Premises", 9, "Living area, m²",
         "The living area 25.00 exceeds the total area 20.00."),
        ("Accounts", 5, "Premise number",
         "Premise 3 of building Sadova 1 is not in the Premises sheet."),
        ("Accounts", 5, "Account number",
         "Account number 000103 is already in row 4."),
        ("Accounts", 6, "Account number",
         "Account number 12-34 must be 1 to 12 digits."),
        ("Accounts", 6, "Phone", "12345 is not a valid phone number."),
        ("Accounts", 6, "E-mail", "not-an-email is not a valid e-mail."),
        ("Accounts", 6, "Opened on",
         "31.02.2020 is not a date: enter it as DD.MM.YYYY."),
    ]  # fmt: skip
    assert result.errors[0].message == ("Premise %(number)s of building %(building)s is already in row %(row)s.")
    assert result.errors[0].params == {"number": "1", "building": "Sadova 1", "row": 2}


def test_shares_must_sum_to_one():
    sheets = valid_sheets()
    sheets["Owners"][1][HEADERS["Owners"].index("Share numerator")] = 1
    sheets["Owners"][1][HEADERS["Owners"].index("Share denominator")] = 3
    result = parse(sheets)
    assert texts(result) == [
        ("Owners", 2, "Share numerator",
         "The shares of the owners of premise Sadova 1, 1 sum to 5/6 on "
         "01.03.2015–… instead of 1 (rows 2, 3)."),
    ]  # fmt: skip
    assert result.ownerships == [o for o in result.ownerships if o["row"] > 3]


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"share_numerator": 3, "share_denominator": 2}, "Share numerator",
         "The share 3/2 is not a fraction between 0 and 1."),
        ({"share_numerator": 1}, "Share denominator",
         "Enter both the share numerator and the denominator."),
        ({"share_numerator": 1.5, "share_denominator": 2}, "Share numerator",
         "1.5 is not a whole number."),
        ({"tax_id": "1759013777"}, "Tax ID",
         "1759013777 is not a valid RNOKPP (10 digits)."),
        ({"owner_kind": "company", "tax_id": "12345670"}, "Tax ID",
         "12345670 is not a valid EDRPOU code (8 digits)."),
        ({"owner_kind": "robot"}, "Owner kind",
         "robot is not one of: Person, Legal entity."),
        ({"owner_full_name": None}, "Owner full name", "A value is required."),
        ({"owner_since": "yesterday"}, "Owner since",
         "yesterday is not a date: enter it as DD.MM.YYYY."),
    ],
)  # fmt: skip
def test_bad_owner_cells(values, column, message):
    base = {"building": "Sadova 1", "premise_number": "2", "owner_full_name": "Z"}
    sheets = {
        "Buildings": valid_sheets()["Buildings"],
        "Premises": valid_sheets()["Premises"],
        "Owners": [_row("Owners", **{**base, **values})],
    }
    assert texts(parse(sheets)) == [("Owners", 2, column, message)]


def test_conflicting_person_rows():
    sheets = valid_sheets()
    sheets["Owners"].append(
        _row("Owners", building="Sadova 1", premise_number="1",
             owner_full_name="Melnyk Ivan", phone="0671234567")
    )  # fmt: skip
    sheets["Residents"].append(
        _row("Residents", building="Sadova 1", premise_number="2",
             full_name="Someone")
    )  # fmt: skip
    sheets["Residents"].append(
        _row("Residents", building="Sadova 1", premise_number="1",
             full_name="Melnyk Ivan")
    )  # fmt: skip
    result = parse(sheets)
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [
        ("Owners", 6, "Owner full name"),
        ("Residents", 5, "Full name"),
    ]
    assert result.errors[0].text == ("Melnyk Ivan is already an owner of this premise in row 2.")
    assert result.errors[1].text == ("Melnyk Ivan is already a resident of this premise in row 2.")


def test_resident_needs_an_account_and_one_account_per_premise():
    sheets = valid_sheets()
    sheets["Accounts"] = sheets["Accounts"][:1] * 2
    sheets["Residents"].append(_row("Residents", building="Sadova 1", premise_number="2", full_name="Q"))
    result = parse(sheets)
    assert texts(result) == [
        ("Accounts", 3, "Premise number",
         "Premise Sadova 1, 1 already has an account in row 2."),
        ("Residents", 4, "Premise number",
         "Premise Sadova 1, 2 has no account in the Accounts sheet."),
    ]  # fmt: skip


def test_header_problems_stop_the_sheet():
    content = make_workbook(
        {"Premises": [["Sadova 1", "1", 10]]},
        headers={"Premises": ["building *", "NUMBER", "Colour"]},
    )
    result = ri.parse_registry(content, today=TODAY)
    assert texts(result) == [
        ("Premises", 1, "", "Unknown column Colour."),
        ("Premises", 1, "Total area, m²", "The column is missing."),
    ]
    assert result.premises == []


def test_not_a_workbook():
    result = ri.parse_registry(b"name;street\n", today=TODAY)
    assert texts(result) == [("", 0, "", "The file is damaged or is not an Excel workbook (.xlsx).")]
    result = parse({"Sheet": [["a"]]})
    assert result.errors[0].text.startswith("The workbook has none of the sheets")


def test_messages_are_marked_for_translation():
    """Every message is a literal inside _lt(), where Odoo's export finds it."""
    with open(ri.__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    marked = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "_lt"
        and isinstance(node.args[0], ast.Constant)
    }
    sheets = valid_sheets()
    sheets["Premises"].append(_row("Premises", building="Nowhere", number="1", total_area_m2=0))
    sheets["Accounts"].append(_row("Accounts", building="Sadova 1", account_number="x"))
    result = parse(sheets)
    assert len(result.errors) >= 3
    for error in result.errors:
        assert error.message in marked
    assert ri.MSG_PREMISE_EXISTS in marked
    assert ri.MSG_ACCOUNT_NUMBER_USED in marked
