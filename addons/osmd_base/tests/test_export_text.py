import io
import json
import zipfile

import openpyxl

from odoo import http
from odoo.tests import HttpCase, tagged

HOSTILE_NAMES = ('=HYPERLINK("http://evil.example/pay","Оплатити тут")', "@SUM(1+1)*cmd|' /C calc'!A0", "\tTab")


@tagged("post_install", "-at_install", "osmd")
class TestListExportKeepsText(HttpCase):
    """Odoo's own Export (XLSX, CSV) of any list: a name typed as a formula stays text in the spreadsheet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.env["res.partner"].create([{"name": name} for name in HOSTILE_NAMES])

    def _export(self, kind, groupby=()):
        self.authenticate("admin", "admin")
        response = self.url_open(
            f"/web/export/{kind}",
            data={
                "data": json.dumps(
                    {
                        "model": "res.partner",
                        "fields": [{"name": "name", "label": "Name", "type": "char"}],
                        "ids": self.partners.ids,
                        "domain": [],
                        "groupby": list(groupby),
                        "import_compat": False,
                    }
                ),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        return response.content

    def test_xlsx_export_writes_text_not_formulas(self):
        for groupby in ((), ("name",)):
            content = self._export("xlsx", groupby)
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                sheet = archive.read("xl/worksheets/sheet1.xml")
            self.assertNotIn(b"<f>", sheet, f"a formula in the export (grouped by {groupby})")
            workbook = openpyxl.load_workbook(io.BytesIO(content))
            texts = {cell.value.strip() for row in workbook.active.iter_rows() for cell in row if cell.data_type == "s"}
            for name in HOSTILE_NAMES:
                self.assertTrue(any(name.strip() in text for text in texts), (name, texts))

    def test_csv_export_quotes_every_formula_start(self):
        lines = self._export("csv").decode("utf-8").splitlines()
        self.assertIn('"\'=HYPERLINK(""http://evil.example/pay"",""Оплатити тут"")"', lines)
        self.assertIn("\"'@SUM(1+1)*cmd|' /C calc'!A0\"", lines)
        self.assertIn('"\'\tTab"', lines)
