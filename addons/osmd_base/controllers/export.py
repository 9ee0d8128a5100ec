"""Odoo's own list exports (Export → XLSX or CSV) keep people's text as text.

A co-owner's name, a payment purpose or a comment typed as ``=HYPERLINK("http://…","Pay here")`` is written by
Odoo's XLSX export through xlsxwriter's ``write()``, which turns a text starting with "=" into a formula that the
accountant's spreadsheet then evaluates; Odoo's CSV export escapes "=", "+" and "-" but not "@" (a formula in
Excel and LibreOffice too) nor a leading tab or carriage return. Both are closed here for every list of the
database, ours and Odoo's.
"""

from odoo.addons.web.controllers.export import CSVExport, ExcelExport, ExportXlsxWriter, GroupExportXlsxWriter

# Odoo's CSV export quotes a text starting with "=", "+" or "-"; these start a formula too
MORE_FORMULA_STARTS = ("@", "\t", "\r")


class _TextCellsMixin:
    def write(self, row, column, cell_value, style=None):
        if isinstance(cell_value, str):
            return self.worksheet.write_string(row, column, cell_value, style)
        return super().write(row, column, cell_value, style)


class OsmdExportXlsxWriter(_TextCellsMixin, ExportXlsxWriter):
    pass


class OsmdGroupExportXlsxWriter(_TextCellsMixin, GroupExportXlsxWriter):
    pass


class OsmdExcelExport(ExcelExport):
    # the same as Odoo's, with the writers above
    def from_group_data(self, fields, columns_headers, groups):
        with OsmdGroupExportXlsxWriter(fields, columns_headers, groups.count) as xlsx_writer:
            x, y = 1, 0
            for group_name, group in groups.children.items():
                x, y = xlsx_writer.write_group(x, y, group_name, group)
        return xlsx_writer.value

    def from_data(self, fields, columns_headers, rows):
        with OsmdExportXlsxWriter(fields, columns_headers, len(rows)) as xlsx_writer:
            for row_index, row in enumerate(rows):
                for cell_index, cell_value in enumerate(row):
                    xlsx_writer.write_cell(row_index + 1, cell_index, cell_value)
        return xlsx_writer.value


class OsmdCSVExport(CSVExport):
    def from_data(self, fields, columns_headers, rows):
        # Odoo prefixes "=", "+" and "-" with a quote; "@" and a leading tab or carriage return are formulas too
        rows = [
            [
                "'" + value if isinstance(value, str) and value.startswith(MORE_FORMULA_STARTS) else value
                for value in row
            ]
            for row in rows
        ]
        return super().from_data(fields, columns_headers, rows)
