"""Bank statement parsers and purpose matching of osmd_payments (addons/osmd_payments/tools)."""

import importlib.util
from datetime import date
from decimal import Decimal as D

import pytest
from conftest import REPO

DATA = REPO / "addons/osmd_payments/tests/data/statements"
OWN = "UA213052990000026001000012345"
OWN2 = "UA603052990000026003000012345"
P1 = "UA853206490000026201234567890"


@pytest.fixture(name="sp")
def statements_fixture(load_tool):
    return load_tool("osmd_payments", "statements")


@pytest.fixture(name="m")
def matching_fixture(load_tool):
    return load_tool("osmd_payments", "matching")


def _read(name):
    return (DATA / name).read_bytes()


def _brief(tx):
    return (tx.date, tx.amount, tx.purpose, tx.partner_iban, tx.partner_code)


# ---------------------------------------------------------------- statements


def test_clientbank_103_cp1251_two_accounts(sp):
    first, second = sp.parse_file(_read("clientbank_103_cp1251.txt"), "kb.txt")
    assert (first.format, first.own_iban, second.own_iban) == ("clientbank", OWN, OWN2)
    assert (first.balance_start, first.balance_end) == (D("1000.00"), D("2699.56"))
    assert [_brief(tx) for tx in first.transactions] == [
        (date(2026, 4, 3), D("1234.56"), "Оплата внесків ОСББ, о/р 000123, березень 2026", P1, "3012345678"),
        (
            date(2026, 4, 5),
            D("500.00"),
            "Внесок ОСББ ос. рах. 45, кв. 12",
            "UA123052990000026002000011111",
            "2987654321",
        ),
        (date(2026, 4, 6), D("-35.00"), "Комісія за РКО", "UA903052990000029024000000001", "14360570"),
    ]
    assert [_brief(tx) for tx in second.transactions] == [
        (date(2026, 4, 7), D("99.99"), "Внесок на ремонт о/р 000123", P1, "3012345678")
    ]
    refs = [tx.ref for tx in first.transactions + second.transactions]
    assert len(set(refs)) == 4
    assert sp.parse_file(_read("clientbank_103_cp1251.txt"))[0].transactions[0].ref == refs[0], "stable refs"


def test_clientbank_102_utf8_with_bom(sp):
    (statement,) = sp.parse_file(_read("clientbank_102_utf8_bom.txt"))
    assert [_brief(tx) for tx in statement.transactions] == [
        (date(2026, 4, 2), D("100.00"), "л/с 000123", P1, "3012345678")
    ]


@pytest.mark.parametrize(
    ("name", "fragment", "row"),
    [("clientbank_truncated.txt", "truncated", None), ("clientbank_bad_amount.txt", "not a number", 39)],
)
def test_clientbank_refusals_name_the_line(sp, name, fragment, row):
    with pytest.raises(sp.ParseError) as caught:
        sp.parse_file(_read(name))
    assert fragment in str(caught.value)
    if row:
        assert caught.value.row == row


def test_clientbank_control_totals(sp):
    text = _read("clientbank_103_cp1251.txt").replace("ВсегоПоступило=1734.56".encode("cp1251"), b"X=1")
    text = text.replace("КонечныйОстаток=2699.56".encode("cp1251"), "КонечныйОстаток=2700.00".encode("cp1251"))
    with pytest.raises(sp.ParseError, match="closing balance"):
        sp.parse_file(text)


def test_privat_csv_both_layouts(sp):
    (signed,) = sp.parse_file(_read("privat_signed_cp1251.csv"))
    assert (signed.format, signed.own_iban, signed.own_code) == ("privat_csv", OWN, "43210989")
    assert [_brief(tx) for tx in signed.transactions] == [
        (date(2026, 4, 3), D("1234.56"), "Внески; о/р 000123", P1, "3012345678"),
        (date(2026, 4, 4), D("-35.00"), "Комісія банку", "UA903052990000029024000000001", "14360570"),
    ]
    (columns,) = sp.parse_file(_read("privat_debit_credit_utf8_bom.csv"))
    assert [tx.amount for tx in columns.transactions] == [D("500.00"), D("-12.50")]


def test_privat_xlsx_with_title_rows(sp):
    (statement,) = sp.parse_file(_read("privat_signed.xlsx"))
    assert statement.format == "privat_xlsx"
    assert [_brief(tx) for tx in statement.transactions] == [
        (date(2026, 4, 3), D("1234.56"), "о/р 000123", P1, "3012345678"),
        (date(2026, 4, 4), D("-35.00"), "Комісія", "UA903052990000029024000000001", "14360570"),
    ]


def test_autoclient_page_paging_transit_and_technical(sp):
    statement, follow = sp.parse_privat_autoclient(_read("autoclient_page.json"))
    assert follow == "F2"
    assert statement.own_iban == OWN
    amounts = [tx.amount for tx in statement.transactions]
    assert amounts == [D("1234.56"), D("-35.00"), D("700.00"), D("0.01")]
    transit, technical = statement.transactions[2], statement.transactions[3]
    assert (transit.ultimate_code, transit.technical) == ("3012345678", False)
    assert technical.technical
    assert statement.transactions[0].ref == "ID1"
    with pytest.raises(sp.ParseError, match="error"):
        sp.parse_privat_autoclient({"status": "ERROR", "message": "token expired"})


def test_oschad_kopecks_and_monobank_kyiv_date(sp):
    (oschad,) = sp.parse_file(_read("oschad_cp1251.csv"))
    assert [(tx.date, tx.amount) for tx in oschad.transactions] == [
        (date(2026, 4, 3), D("1234.56")),
        (date(2026, 4, 4), D("-15.00")),
    ]
    (mono,) = sp.parse_file(_read("monobank.json"))
    assert mono.format == "mono_json"
    # 05.04.2026 22:00 UTC is already the 6th in Kyiv
    assert [(tx.date, tx.amount, tx.purpose) for tx in mono.transactions] == [
        (date(2026, 4, 6), D("1234.56"), "о/р 000123"),
        (date(2026, 4, 7), D("-5.00"), "Комісія"),
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02\xff\xfe" * 50, "просто текст без формату".encode("cp1251"), b"PK\x03\x04broken"],
)
def test_garbage_is_refused(sp, data):
    with pytest.raises(sp.ParseError):
        sp.parse_file(data)


def test_amounts_exact(sp):
    assert sp._amount("1 234,56", 1) == D("1234.56")
    assert sp._amount(1234.56, 1) == D("1234.56")
    assert sp._amount("12345", 1, kopecks=True) == D("123.45")
    with pytest.raises(sp.ParseError):
        sp._amount("12,345", 1)


# ---------------------------------------------------------------- matching


@pytest.fixture(name="index")
def index_fixture(m):
    accounts = [m.AccountKey(i, f"{i:06d}", 1 if i < 50 else 2, str(i)) for i in range(1, 100)]
    accounts.append(m.AccountKey(200, "0777", 1, "П-1"))
    accounts.append(m.AccountKey(201, "777", 1, "П-2"))
    links = {
        ("iban", "UA99"): {5: 2},
        ("iban", "UA77"): {6: 1, 7: 3},
        ("code", "3012345678"): {8: 1},
        ("name", m.normalize_payer_key("name", "Коваль Марія Петрівна")): {9: 1},
    }
    open_invoices = {6: [D("100.00")], 7: [D("250.00"), D("80.00")]}
    return m.MatchIndex(
        accounts,
        [m.BuildingKey(1, "вул. Липська", "10"), m.BuildingKey(2, "вул. Шовковична", "7а")],
        payer_links=links,
        open_invoices=open_invoices,
        own_ibans=["UA11"],
        own_codes=["43210989"],
    )


def _match(m, index, purpose, amount="100", **kwargs):
    return m.match(index, amount=D(amount), currency=kwargs.pop("currency", "UAH"), purpose=purpose, **kwargs)


@pytest.mark.parametrize(
    ("purpose", "account", "rule", "confidence"),
    [
        ("Оплата внесків ОСББ, о/р 000005, листопад 2026", 5, "qr", 99),
        ("комунальні о/р 000007", 7, "number", 95),
        ("о/р.000007", 7, "number", 95),
        ("о.р. 000007", 7, "number", 95),
        ("ОР-000007", 7, "number", 95),
        ("О/Р № 7", 7, "number", 93),
        ("ос. рах. № 000009 за жовтень", 9, "number", 95),
        ("ос.рах.№000009", 9, "number", 95),
        ("особ. рах. 000009", 9, "number", 95),
        ("Внесок ОСББ особовий рахунок 000011", 11, "number", 95),
        ("Осбовий рахунок 000011", 11, "number", 95),
        ("л/с 000012", 12, "number", 95),
        ("рахунок № 000014", 14, "number", 95),
        ("o/p 000013", 13, "number", 95),
        ("0/р 000013", 13, "number", 95),
        ("о/р000015листопад", 15, "number", 95),
        ("кв. 9 вул. Липська, 10", 9, "address", 85),
        ("кв.60 Шовковична 7-а", 60, "address", 85),
    ],
)
def test_purpose_variants(m, index, purpose, account, rule, confidence):
    best = _match(m, index, purpose).best
    assert (best.account_id, best.rule, best.confidence) == (account, rule, confidence)


@pytest.mark.parametrize(
    "purpose",
    [
        "за 10.2026 1234,56",
        "тел. 0671234567",
        "UA213052990000026001000012345",
        "ЄДРПОУ 43210989",
        "о/р 999999",  # no such account in the association
        "внесок",
    ],
)
def test_numbers_that_are_not_accounts(m, index, purpose):
    assert not _match(m, index, purpose).candidates


@pytest.mark.parametrize(
    ("kwargs", "kind"),
    [
        ({"amount": "-100"}, "outgoing"),
        ({"currency": "USD"}, "foreign"),
        ({"partner_iban": "UA11"}, "self"),
        ({"partner_code": "43210989"}, "self"),
        ({"technical": True}, "technical"),
        ({"partner_name": "Транз.рахунок платежi"}, "transit"),
        ({"purpose": "Перерахування згідно реєстру № 123 від 05.11.2026"}, "registry"),
    ],
)
def test_not_residents_get_no_candidate(m, index, kwargs, kind):
    purpose = kwargs.pop("purpose", "о/р 000005")
    amount = kwargs.pop("amount", "100")
    result = _match(m, index, purpose, amount=amount, **kwargs)
    assert (result.kind, result.candidates) == (kind, ())


def test_transit_with_a_learned_ultimate_payer(m, index):
    result = _match(m, index, "платіж", partner_name="Транз.рахунок платежi", ultimate_code="3012345678")
    assert (result.kind, result.best.account_id, result.best.confidence) == ("resident", 8, 90)


def test_ambiguities_go_to_review(m, index):
    leading = _match(m, index, "о/р 777").candidates
    assert {c.account_id for c in leading} == {200, 201} and max(c.confidence for c in leading) < 80
    two = _match(m, index, "о/р 000015 та о/р 000017").candidates
    assert {c.account_id for c in two} == {15, 17} and all(c.confidence == 70 for c in two)


def _key(candidate):
    return (candidate.account_id, candidate.confidence, candidate.rule)


def test_learned_payers(m, index):
    assert _key(_match(m, index, "комуналка", partner_iban="UA99").best) == (5, 90, "payer")
    # several accounts for the payer: the amount equal to exactly one open invoice decides
    assert _key(_match(m, index, "комуналка", amount="250.00", partner_iban="UA77").best) == (7, 88, "amount")
    review = _match(m, index, "комуналка", amount="999", partner_iban="UA77").best
    assert review.confidence < 80
    assert _key(_match(m, index, "платіж", partner_name="КОВАЛЬ МАРІЯ П.").best)[:2] == (9, 75)
    # the number says one account, the learned payer another: the number, lowered, and the payer second
    disagree = _match(m, index, "о/р 000011", partner_iban="UA99").candidates
    assert [(c.account_id, c.confidence) for c in disagree] == [(11, 80), (5, 70)]


def test_generator_matches_98_percent_with_no_wrong_match(m):
    spec = importlib.util.spec_from_file_location("bench_payments_data", REPO / "scripts/bench_payments_data.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    accounts = [(i, f"{i:06d}", 1, str(i)) for i in range(1, 3001)]
    learned = gen.make_learned(accounts, seed=3)
    index = m.MatchIndex(
        [m.AccountKey(*a) for a in accounts],
        [m.BuildingKey(1, "вул. Benchmark", "2")],
        payer_links=learned,
        own_ibans=[gen.OWN_IBAN],
    )
    resident = auto = wrong = 0
    for pay in gen.generate(accounts, 3000, seed=5, learned=learned):
        result = m.match(
            index,
            amount=D(pay["amount"]),
            currency=pay.get("currency", "UAH"),
            purpose=pay["purpose"],
            partner_iban=pay["partner_iban"],
            partner_name=pay["partner_name"],
        )
        best = result.best
        resident += bool(pay["truth"])
        if best and best.confidence >= 80:
            if best.account_id == pay["truth"]:
                auto += 1
            else:
                wrong += 1
    assert wrong == 0
    assert auto / resident >= 0.98
