from odoo import http
from odoo.http import request


class OsmdMeterQrController(http.Controller):
    @http.route("/osmd/meter/<int:meter_id>/reading", type="http", auth="user", methods=["GET"], readonly=True)
    def meter_reading(self, meter_id, **kwargs):
        """Target of a meter's QR sticker: the staff's form for a new reading of that meter.

        Anonymous visitors go to the login page first (``auth="user"``, back here afterwards); a
        meter that does not exist or that the user may not read (access rights and the record
        rules: own association only) answers 404, so other associations' meter ids leak nothing.
        """
        meter = request.env["osmd.meter"].browse(meter_id).exists()
        if not meter or not meter.has_access("read") or not request.env.user._is_internal():
            raise request.not_found()
        return request.redirect(meter._get_reading_backend_url())
