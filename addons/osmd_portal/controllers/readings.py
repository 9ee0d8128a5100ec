import calendar
from datetime import date

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.osmd_billing.tools.formatting import fmt_number, unit_label
from odoo.addons.osmd_metering.controllers.meter_qr import OsmdMeterQrController
from odoo.addons.portal.controllers import portal

from .portal import fmt_date

MAX_VALUE = 10**12


def fmt_values(reading):
    """The zones' values of a reading as the resident reads them: comma decimals, «T1: …, T2: …» for several."""
    values = [fmt_number(value) for value in reading._zone_values()]
    if len(values) == 1:
        return values[0]
    return ", ".join(f"T{zone}: {value}" for zone, value in enumerate(values, start=1))


def uom_text(meter):
    """The meter's unit as the page's language writes it (м³, кВт·год in Ukrainian)."""
    return unit_label(meter.uom_id.name, request.env.lang)


def window(company, today):
    """(open today, the day the next window opens) of the association's reading window (days of the month)."""
    start, end = company.osmd_reading_day_start or 1, company.osmd_reading_day_end or 28
    day = today.day
    is_open = start <= day <= end if start <= end else (day >= start or day <= end)
    if is_open:
        return True, None
    if day < start:
        return False, today.replace(day=start)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return False, date(year, month, min(start, calendar.monthrange(year, month)[1]))


class OsmdResidentReadings(portal.CustomerPortal):
    """Meter readings from the cabinet: the meters of the person's accounts with their last confirmed readings; a
    reading is checked as the engineer's screen checks it (previous value, digit capacity, plausibility), shown with
    its consumption before it is sent, accepted only inside the association's reading window, and goes to the
    engineer's queue."""

    @staticmethod
    def _osmd_my_meters():
        partner = request.env.user.partner_id
        return (
            request.env["osmd.meter"]
            .sudo()
            .search(
                Domain("premise_id.account_ids.portal_partner_ids", "in", [partner.id])
                & Domain("state", "=", "active"),
                order="premise_id, utility_id, serial",
            )
        )

    @classmethod
    def _osmd_my_meter(cls, meter_id):
        meter = cls._osmd_my_meters().filtered(lambda m: m.id == meter_id)
        if not meter:
            raise request.not_found()  # another person's meter is one that does not exist
        return meter

    @staticmethod
    def _osmd_my_readings(meters, limit=50):
        partner = request.env.user.partner_id
        return (
            request.env["osmd.meter.reading"]
            .sudo()
            .search(
                Domain("meter_id", "in", meters.ids)
                & Domain("portal_partner_ids", "in", [partner.id])
                & Domain("source", "=", "resident"),
                order="date desc, id desc",
                limit=limit,
            )
        )

    @staticmethod
    def _osmd_values(meter, post):
        """({field: value} of the zones typed, error) — comma or point, at most 3 decimals, not negative."""
        values = {}
        for zone in range(1, meter.zone_count + 1):
            text = str(post.get(f"value{zone}") or "").strip().replace(" ", "").replace("\xa0", "").replace(",", ".")
            try:
                number = float(text)
                if number < 0 or number >= MAX_VALUE or number != number:
                    raise ValueError(text)
                if "." in text and len(text.split(".")[1]) > 3:
                    raise ValueError(text)
            except ValueError:
                if meter.zone_count > 1:
                    return None, request.env._(
                        "Enter the reading of zone T%(zone)s as the meter shows it, a number such as 1234,5.",
                        zone=zone,
                    )
                return None, request.env._("Enter the reading as the meter shows it, a number such as 1234,5.")
            values[f"value{zone}"] = number
        return values, None

    def _osmd_meter_values(self, meter, **extra):
        company = meter.company_id
        today = request.env["osmd.account"]._osmd_access_today()
        is_open, opens = window(company, today)
        last = meter.last_reading_id
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_reading",
            meter=meter,
            uom=uom_text(meter),
            last_text=(
                request.env._(
                    "Last confirmed reading: %(value)s on %(date)s",
                    value=f"{fmt_values(last)} {uom_text(meter)}",
                    date=fmt_date(last.date),
                )
                if last
                else request.env._("No confirmed reading yet.")
            ),
            window_open=is_open,
            window_text=(
                request.env._(
                    "Readings are accepted from day %(start)s to day %(end)s of the month.",
                    start=company.osmd_reading_day_start,
                    end=company.osmd_reading_day_end,
                )
                if is_open
                else request.env._(
                    "Readings are accepted from day %(start)s to day %(end)s of the month: the window opens on "
                    "%(date)s.",
                    start=company.osmd_reading_day_start,
                    end=company.osmd_reading_day_end,
                    date=fmt_date(opens),
                )
            ),
            typed={},
            preview=None,
            error=None,
            done=None,
        )
        values.update(extra)
        return values

    @http.route(["/my/meters", "/my/readings"], type="http", auth="user", website=True, sitemap=False)
    def osmd_meters(self, **kw):
        meters = self._osmd_my_meters()
        readings = self._osmd_my_readings(meters)
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_meters",
            meters=[
                {
                    "meter": meter,
                    "last": meter.last_reading_id and f"{fmt_values(meter.last_reading_id)} {uom_text(meter)}",
                    "last_date": fmt_date(meter.last_reading_id.date),
                }
                for meter in meters
            ],
            readings=[
                {
                    "meter": reading.meter_id,
                    "date": fmt_date(reading.date),
                    "values": fmt_values(reading),
                    "state": reading.state,
                    "state_label": dict(reading._fields["state"]._description_selection(request.env)).get(
                        reading.state
                    ),
                    "reason": reading.reject_reason or "",
                }
                for reading in readings
            ],
        )
        return request.render("osmd_portal.meters", values)

    @http.route(
        "/my/meters/<int:meter_id>/reading",
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def osmd_meter_reading(self, meter_id, **post):
        meter = self._osmd_my_meter(meter_id)
        if request.httprequest.method != "POST":
            return request.render("osmd_portal.reading", self._osmd_meter_values(meter))
        base = self._osmd_meter_values(meter, typed={key: str(post.get(key) or "")[:20] for key in post})
        if not base["window_open"]:
            base["error"] = base["window_text"]
            return request.render("osmd_portal.reading", base)
        values, error = self._osmd_values(meter, post)
        if error:
            base["error"] = error
            return request.render("osmd_portal.reading", base)
        today = request.env["osmd.account"]._osmd_access_today()
        vals = {
            "meter_id": meter.id,
            "date": today,
            "source": "resident",
            "state": "submitted",
            **{f"value{zone}": values.get(f"value{zone}", 0.0) for zone in (1, 2, 3)},
        }
        Reading = request.env["osmd.meter.reading"].sudo()
        preview = Reading.new(vals)
        if post.get("send") != "1":
            # a reading the engineer could never confirm (below the last one, too many digits, dated before it) is
            # refused at once, with the same message the queue would give
            try:
                Reading._check_before_confirm(preview)
            except ValidationError as exc:
                base["error"] = exc.args[0]
                return request.render("osmd_portal.reading", base)
            # first step: what the meter consumed since the last confirmed reading, and any warning
            base["preview"] = {
                "consumption": request.env._(
                    "Consumption since the last confirmed reading: %(qty)s %(uom)s",
                    qty=fmt_number(preview.check_consumption),
                    uom=base["uom"],
                ),
                "warning": preview.check_warning or "",
            }
            return request.render("osmd_portal.reading", base)
        try:
            with request.env.cr.savepoint():
                pending = Reading.search(
                    Domain("meter_id", "=", meter.id)
                    & Domain("period", "=", preview.period)
                    & Domain("source", "=", "resident")
                    & Domain("state", "=", "submitted")
                    & Domain("submitted_by_id", "=", request.env.user.id),
                    limit=1,
                )
                if pending:  # a corrected reading replaces the person's own one still waiting in the queue
                    pending.write({key: value for key, value in vals.items() if key.startswith("value")})
                else:
                    Reading.create({**vals, "submitted_by_id": request.env.user.id})
        except (UserError, ValidationError) as exc:
            base["error"] = exc.args[0]
            return request.render("osmd_portal.reading", base)
        return request.redirect("/my/meters?sent=1")


class OsmdMeterQrForResidents(OsmdMeterQrController):
    @http.route()
    def meter_reading(self, meter_id, **kwargs):
        """The meter's QR sticker: staff get the backend form, residents the cabinet's reading form (after signing
        in); a meter that is not theirs does not exist."""
        if not request.env.user._is_internal():
            meter = OsmdResidentReadings._osmd_my_meter(meter_id)
            return request.redirect(f"/my/meters/{meter.id}/reading")
        return super().meter_reading(meter_id, **kwargs)
