"""osmd_billing tools: debt aging buckets and the XLSX table writer."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest


@pytest.fixture(name="aging")
def aging_fixture(load_tool):
    return load_tool("osmd_billing", "aging")


@pytest.fixture(name="xlsx")
def xlsx_fixture(load_tool):
    return load_tool("osmd_billing", "xlsx")


TODAY = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-10, "0_30"),
        (0, "0_30"),
        (30, "0_30"),
        (31, "31_90"),
        (90, "31_90"),
        (91, "91_180"),
        (180, "91_180"),
        (181, "180_plus"),
    ],
)
def test_bucket_limits(aging, days, bucket):
    assert aging.bucket_of(days) == bucket


def test_credits_settle_the_oldest_debts_first(aging):
    result = aging.age_debts(
        [(date(2026, 6, 15), 100), (date(2025, 10, 31), 400), (date(2026, 4, 30), 200), (date(2026, 5, 31), -450)],
        TODAY,
    )
    assert result["180_plus"] == Decimal(0)
    assert result["31_90"] == Decimal(150)
    assert result["0_30"] == Decimal(100)
    assert result["overdue"] == Decimal(250)
    assert result["oldest_due"] == date(2026, 4, 30)


def test_advance_leaves_no_debt(aging):
    result = aging.age_debts([(date(2026, 1, 31), 100), (None, -300)], TODAY)
    assert sum(result[key] for key in aging.BUCKETS) == 0
    assert result["oldest_due"] is None


def test_months_between(aging):
    assert aging.months_between(date(2025, 10, 31), TODAY) == 7
    assert aging.months_between(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert aging.months_between(date(2026, 1, 31), date(2026, 3, 31)) == 2
    assert aging.months_between(date(2026, 7, 1), TODAY) == 0
    assert aging.months_between(None, TODAY) == 0


def test_xlsx_table(xlsx):
    content = xlsx.build_workbook(
        [
            {
                "name": "Debtors",
                "title": "Debtors on 30.06.2026",
                "headers": [("Account", 10), ("Debt", 12), ("Due", 12), ("Months", 8)],
                "rows": [
                    ("row", ["0001", Decimal("1234.50"), date(2026, 3, 31), 3]),
                    ("total", ["Total", 1234.5, None, None]),
                ],
            }
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Debtors"]
    assert sheet["A1"].value == "Debtors on 30.06.2026"
    assert [cell.value for cell in sheet[3]] == ["Account", "Debt", "Due", "Months"]
    assert sheet["B4"].value == 1234.5
    assert sheet["C4"].value.date() == date(2026, 3, 31)
    assert sheet["D4"].value == 3
    assert sheet["A5"].value == "Total"
    assert sheet["A5"].font.bold
