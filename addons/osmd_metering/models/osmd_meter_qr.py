from odoo import models

from ..tools.qr import png_data_uri, qr_png


class OsmdMeter(models.Model):
    _inherit = "osmd.meter"

    def _get_reading_url(self):
        """Absolute URL printed in the meter's QR sticker: opens a new reading of it for staff."""
        self.ensure_one()
        return f"{self.get_base_url()}/osmd/meter/{self.id}/reading"

    def _get_reading_qr_data_uri(self):
        """The sticker's QR code as a PNG ``data:`` URI."""
        self.ensure_one()
        return png_data_uri(qr_png(self._get_reading_url()))

    def _get_reading_backend_url(self):
        """Web client path of a new reading of this meter, with the meter in the breadcrumbs.

        ``/odoo/action-<meters>/<id>/action-<readings of a meter>/new``: the second action gets the
        meter as ``active_id``, which its context turns into the reading's default meter.
        """
        self.ensure_one()
        return (
            f"/odoo/action-osmd_metering.osmd_meter_action/{self.id}"
            f"/action-osmd_metering.osmd_meter_reading_qr_action/new"
        )
