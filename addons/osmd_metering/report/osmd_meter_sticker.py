from odoo import api, models

STICKER_COLUMNS = 3
STICKER_ROWS = 7


class ReportOsmdMeterSticker(models.AbstractModel):
    _name = "report.osmd_metering.report_osmd_meter_sticker"
    _description = "Meter QR stickers"

    @api.model
    def _get_report_values(self, docids, data=None):
        meters = self.env["osmd.meter"].browse(docids)
        meters.check_access("read")
        stickers = [
            {"meter": meter, "url": meter._get_reading_url(), "qr": meter._get_reading_qr_data_uri()}
            for meter in meters
        ]
        per_page = STICKER_COLUMNS * STICKER_ROWS
        pages = []
        for first in range(0, len(stickers), per_page):
            page = stickers[first : first + per_page]
            pages.append([page[i : i + STICKER_COLUMNS] for i in range(0, len(page), STICKER_COLUMNS)])
        return {
            "doc_ids": docids,
            "doc_model": "osmd.meter",
            "docs": meters,
            "pages": pages,
            "columns": STICKER_COLUMNS,
        }
