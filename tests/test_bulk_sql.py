"""osmd_billing/tools/bulk_sql.py: values in COPY's text format (the round trip through PostgreSQL is
tested by the Odoo tests of the bulk paths)."""

from datetime import date, datetime
from decimal import Decimal

import pytest


@pytest.fixture(name="bulk_sql")
def bulk_sql_fixture(load_tool):
    return load_tool("osmd_billing", "bulk_sql")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\N"),
        (True, "t"),
        (False, "f"),
        (0, "0"),
        (Decimal("-10.25"), "-10.25"),
        (434.3, "434.3"),
        (date(2026, 3, 31), "2026-03-31"),
        (datetime(2026, 3, 31, 23, 5, 1), "2026-03-31 23:05:01"),
        ("Лічильник 123456: 145 − 132 = 13 м³", "Лічильник 123456: 145 − 132 = 13 м³"),
        ("tab\there\nnew line\\back\rcr", "tab\\there\\nnew line\\\\back\\rcr"),
        ("\\N", "\\\\N"),  # the text "\N" is not NULL
        ({"uk_UA": "a\tb"}, '{"uk_UA": "a\\\\tb"}'),
    ],
)
def test_copy_text(bulk_sql, value, text):
    assert bulk_sql.copy_text(value) == text


def test_quote(bulk_sql):
    assert bulk_sql.quote("account_move") == '"account_move"'
    assert bulk_sql.quote('we"ird') == '"we""ird"'
