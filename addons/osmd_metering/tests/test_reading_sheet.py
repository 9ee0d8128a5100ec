import base64
import io
from datetime import date, datetime

import openpyxl

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon

from .test_reading_round import PREVIOUS, RoundDataMixin

PERIOD = date(2025, 12, 1)
READING_DAY = date(2025, 12, 25)  # the association's reading window closes on the 25th (default)


@tagged("post_install", "-at_install", "osmd")
class TestReadingSheet(RoundDataMixin, OsmdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_round_data()

    def _wizard(self, **vals):
        return (
            self.env["osmd.reading.sheet"]
            .with_user(self.engineer)
            .create({"building_id": self.building.id, "period": PERIOD, **vals})
        )

    def _export(self, **vals):
        """(wizard, openpyxl workbook, {serial: row number}) of an exported sheet."""
        wizard = self._wizard(**vals)
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertRegex(action["url"], r"^/web/content/\d+\?download=true$")
        attachment = (
            self.env["ir.attachment"].with_user(self.engineer).browse(int(action["url"].split("/")[-1].split("?")[0]))
        )
        self.assertEqual((attachment.res_model, attachment.res_id), ("osmd.reading.sheet", wizard.id))
        self.assertTrue(attachment.name.endswith(".xlsx"))
        workbook = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        self.header = [cell.value for cell in workbook.active[1]]
        rows = {
            workbook.active.cell(row, self._col("Meter serial")).value: row
            for row in range(2, workbook.active.max_row + 1)
        }
        return wizard, workbook, rows

    def _col(self, label):
        return self.header.index(label) + 1

    def _set(self, workbook, row, **values):
        """values by column label, spaces as underscores: New_T1=…"""
        for label, value in values.items():
            workbook.active.cell(row, self._col(label.replace("_", " "))).value = value

    def _import(self, wizard, workbook):
        buffer = io.BytesIO()
        workbook.save(buffer)
        wizard.write({"file": base64.b64encode(buffer.getvalue()), "filename": "filled.xlsx"})
        return wizard.action_import()

    def _imported(self):
        return self.env["osmd.meter.reading"].search([("source", "=", "import")])

    def test_export_one_row_per_active_meter(self):
        wizard, workbook, rows = self._export()
        self.assertEqual(wizard.reading_date, READING_DAY)
        sheet = workbook.active
        self.assertEqual(
            self.header,
            [
                "Building",
                "Entrance",
                "Floor",
                "Premise",
                "Utility",
                "Meter serial",
                "Zones",
                "Previous date",
                "Previous T1",
                "Previous T2",
                "Previous T3",
                "New date",
                "New T1",
                "New T2",
                "New T3",
                "Meter ID",
            ],
        )
        self.assertTrue(sheet.column_dimensions["P"].hidden, "the meter id column is hidden")
        self.assertEqual(list(rows), self.walking_order, "same order as the reading round")

        def row_values(serial):
            return {label: sheet.cell(rows[serial], index).value for index, label in enumerate(self.header, 1)}

        self.assertEqual(
            row_values("CW-1"),
            {
                "Building": self.building.name,
                "Entrance": 1,
                "Floor": 1,
                "Premise": "1",
                "Utility": "Cold water",
                "Meter serial": "CW-1",
                "Zones": 1,
                "Previous date": datetime(2025, 11, 20),
                "Previous T1": 20,
                "Previous T2": None,
                "Previous T3": None,
                "New date": datetime(2025, 12, 25),
                "New T1": None,
                "New T2": None,
                "New T3": None,
                "Meter ID": self.meters["CW-1"].id,
            },
        )
        el = row_values("EL-1")
        self.assertEqual(
            (el["Zones"], el["Previous T1"], el["Previous T2"], el["Previous date"]), (2, 100, 50, datetime(2025, 1, 1))
        )
        self.assertEqual(row_values("HM-1")["Premise"], "House")

    def test_export_filters_and_empty_reading_day(self):
        _wizard, workbook, rows = self._export(entrance=1, utility_id=self.cold.id, reading_date=False)
        self.assertEqual(list(rows), ["CW-1", "CW-9", "CW-10"])
        self.assertIsNone(workbook.active.cell(rows["CW-1"], self._col("New date")).value)
        with self.assertRaisesRegex(UserError, "no active meter"):
            self._wizard(utility_id=self.env.ref("osmd_metering.utility_gas").id).action_export()
        with self.assertRaisesRegex(UserError, "building"):
            self._wizard(building_id=False).action_export()

    def test_hostile_sheets_write_nothing(self):
        """Absurd values (1E+308, infinity) beside a good row, or a truncated file: the rows are named, nothing is
        written."""
        wizard, workbook, rows = self._export()
        self._set(workbook, rows["CW-1"], New_T1=27.5)
        self._set(workbook, rows["EL-1"], New_T1=1e308, New_T2="Infinity")
        with self.assertRaises(UserError) as caught:
            self._import(wizard, workbook)
        message = str(caught.exception)
        self.assertIn(f"Row {rows['EL-1']}, New T1: 1e+308 is not a plausible meter reading.", message)
        self.assertIn(f"Row {rows['EL-1']}, New T2: Infinity is not a number.", message)
        self.assertFalse(self._imported())
        buffer = io.BytesIO()
        workbook.save(buffer)
        wizard.write({"file": base64.b64encode(buffer.getvalue()[:-300]), "filename": "truncated.xlsx"})
        with self.assertRaisesRegex(UserError, "damaged or is not an XLSX workbook"):
            wizard.action_import()
        self.assertFalse(self._imported())

    def test_round_trip(self):
        wizard, workbook, rows = self._export()
        self._set(workbook, rows["CW-1"], New_T1=27.5)
        self._set(workbook, rows["EL-1"], New_T1=120, New_T2="60,25", New_date="24.12.2025")
        # a damaged id column: the meter is found by serial number and utility
        self._set(workbook, rows["CW-9"], New_T1=10, Meter_ID="#REF!")
        action = self._import(wizard, workbook)
        self.assertEqual(action["tag"], "display_notification")
        readings = self._imported()
        self.assertEqual(sorted(action["params"]["next"]["domain"][0][2]), sorted(readings.ids))
        self.assertRecordValues(
            readings.sorted(lambda r: r.meter_id.serial),
            [
                {
                    "meter_id": self.meters["CW-1"].id,
                    "date": READING_DAY,
                    "value1": 27.5,
                    "value2": 0,
                    "consumption1": 7.5,
                    "consumption2": 0,
                    "consumption": 7.5,
                    "state": "confirmed",
                },
                {
                    "meter_id": self.meters["CW-9"].id,
                    "date": READING_DAY,
                    "value1": 10,
                    "value2": 0,
                    "consumption1": 3,
                    "consumption2": 0,
                    "consumption": 3,
                    "state": "confirmed",
                },
                {
                    "meter_id": self.meters["EL-1"].id,
                    "date": date(2025, 12, 24),
                    "value1": 120,
                    "value2": 60.25,
                    "consumption1": 20,
                    "consumption2": 10.25,
                    "consumption": 30.25,
                    "state": "confirmed",
                },
            ],
        )
        self.assertEqual(readings.previous_id.date, PREVIOUS, "CW-1 counts from its confirmed reading")
        self.assertEqual(readings.submitted_by_id, self.engineer)

    def test_bad_rows_are_all_named_and_nothing_saved(self):
        wizard, workbook, rows = self._export()
        sheet = workbook.active
        self._set(workbook, rows["CW-9"], New_T1=10)  # fine
        self._set(workbook, rows["CW-1"], New_T1=15)  # below the previous 20, no digit capacity
        self._set(workbook, rows["CW-10"], New_T1="abc")  # not a number
        self._set(workbook, rows["EL-1"], New_T1=130)  # T2 missing
        self._set(workbook, rows["HM-1"], New_T1=1001, New_date="2025-11-01")  # fine (own date)
        extra = sheet.max_row + 1
        self._set(workbook, extra, Meter_serial="ZZZ-404", Utility="Cold water", New_T1=1)  # unknown meter
        self._set(
            workbook, extra + 1, Meter_serial="B-CW-1", Utility="Cold water", New_T1=1, Meter_ID=self.meter_b.id
        )  # a meter of association B
        self._set(workbook, extra + 2, Meter_serial="CW-9", Utility="Cold water", New_T1=11)  # CW-9 again
        with self.assertRaises(UserError) as catcher:
            self._import(wizard, workbook)
        lines = str(catcher.exception).splitlines()
        self.assertRegex(lines[0], r"Nothing was imported: 6 problems")
        by_row = {int(line.split(":")[0].split(",")[0].split()[1]): line for line in lines[1:]}
        self.assertEqual(
            sorted(by_row), sorted([rows["CW-1"], rows["CW-10"], rows["EL-1"], extra, extra + 1, extra + 2]), lines
        )
        self.assertRegex(by_row[rows["CW-1"]], r"CW-1.*15 is below the previous reading 20")
        self.assertRegex(by_row[rows["CW-10"]], r"New T1: abc is not a number")
        self.assertRegex(by_row[rows["EL-1"]], r"EL-1 has 2 zones: T2 is missing")
        self.assertRegex(by_row[extra], r"no meter ZZZ-404 \(Cold water\)")
        self.assertRegex(by_row[extra + 1], r"no meter B-CW-1 \(Cold water\)")
        self.assertRegex(by_row[extra + 2], rf"CW-9 is already in row {rows['CW-9']}")
        self.assertNotIn(rows["CW-9"], by_row)
        self.assertNotIn(rows["HM-1"], by_row)
        self.assertFalse(self._imported(), "nothing is saved when one row is bad")
        self.assertEqual(len(self._readings("CW-1")), 1)

    def test_meters_of_another_association_look_nonexistent(self):
        """An id or serial number of association B's meter gets the answer of a meter that does not exist."""
        wizard, workbook, _rows = self._export()
        row = workbook.active.max_row + 1
        missing_id = self.env["osmd.meter"].search([], order="id desc", limit=1).id + 1000
        cases = [
            ("B-CW-1", self.meter_b.id),  # B's meter by its id and serial
            ("B-CW-1", None),  # B's meter by serial
            ("CW-404", missing_id),  # no such id
            ("CW-405", None),  # no such serial
        ]
        for offset, (serial, meter_id) in enumerate(cases):
            self._set(workbook, row + offset, Meter_serial=serial, Utility="Cold water", New_T1=1, Meter_ID=meter_id)
        with self.assertRaises(UserError) as catcher:
            self._import(wizard, workbook)
        lines = str(catcher.exception).splitlines()
        self.assertEqual(
            lines[1:],
            [
                f"Row {row + offset}: no meter {serial} (Cold water) in {self.company_a.name}."
                for offset, (serial, _id) in enumerate(cases)
            ],
        )
        self.assertNotIn("another association", str(catcher.exception))
        self.assertNotIn(self.company_b.name, str(catcher.exception))

    def test_sheet_of_another_association_refused(self):
        with self.assertRaisesRegex(ValidationError, "Choose one of your associations"):
            self.env["osmd.reading.sheet"].with_user(self.engineer).create(
                {"company_id": self.company_b.id, "period": PERIOD}
            )

    def test_rule_errors_of_several_rows(self):
        """Rows failing only the reading rules: each is named with its row number (model check, one batch)."""
        wizard, workbook, rows = self._export()
        self._set(workbook, rows["CW-9"], New_T1=10)
        self._set(workbook, rows["CW-1"], New_T1=19.999)
        self._set(workbook, rows["CW-3"], New_T1=5, New_date="2024-12-31")  # before the installation
        with self.assertRaises(UserError) as catcher:
            self._import(wizard, workbook)
        message = str(catcher.exception)
        self.assertIn(f"Row {rows['CW-1']}: ", message)
        self.assertIn(f"Row {rows['CW-3']}: ", message)
        self.assertNotIn(f"Row {rows['CW-9']}", message)
        self.assertFalse(self._imported())

    def test_missing_column_and_empty_sheet(self):
        wizard, workbook, _rows = self._export()
        workbook.active.delete_cols(self._col("Utility"))
        with self.assertRaisesRegex(UserError, "Required columns are missing: Utility"):
            self._import(wizard, workbook)
        wizard, workbook, _rows = self._export()
        with self.assertRaisesRegex(UserError, "no new values"):
            self._import(wizard, workbook)
        wizard.file = base64.b64encode(b"garbage")
        with self.assertRaisesRegex(UserError, "not an XLSX"):
            wizard.action_import()

    def test_only_engineers_use_the_sheet(self):
        with self.assertRaises(UserError):  # AccessError is a UserError
            self.env["osmd.reading.sheet"].with_user(self.users_a["audit"]).create(
                {"building_id": self.building.id, "period": PERIOD}
            )
