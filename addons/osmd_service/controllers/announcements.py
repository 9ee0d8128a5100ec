from odoo import http
from odoo.http import request

from odoo.addons.osmd_portal.controllers.portal import fmt_date
from odoo.addons.portal.controllers import portal


class OsmdResidentAnnouncements(portal.CustomerPortal):
    """The board's announcements in the cabinet: the current ones of the buildings and entrances of the person's
    accounts on /my, each opened on its page (which counts it as read); never another building's or association's."""

    @staticmethod
    def _osmd_announcements():
        partner = request.env.user.partner_id
        today = request.env["osmd.account"]._osmd_access_today()
        return request.env["osmd.announcement"]._osmd_for_partner(partner, today)

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        values["osmd_fmt_date"] = fmt_date
        return values

    @http.route()
    def home(self, **kw):
        response = super().home(**kw)
        if response.qcontext.get("osmd_cards"):
            announcements = self._osmd_announcements()
            read = set(
                request.env["osmd.announcement.read"]
                .sudo()
                .search(
                    [("announcement_id", "in", announcements.ids), ("partner_id", "=", request.env.user.partner_id.id)]
                )
                .announcement_id.ids
            )
            response.qcontext["osmd_announcements"] = [
                {"announcement": announcement, "unread": announcement.id not in read} for announcement in announcements
            ]
        return response

    @http.route("/my/announcements/<int:announcement_id>", type="http", auth="user", website=True, sitemap=False)
    def osmd_announcement(self, announcement_id, **kw):
        announcement = self._osmd_announcements().filtered(lambda a: a.id == announcement_id)
        if not announcement:
            raise request.not_found()
        partner = request.env.user.partner_id
        Read = request.env["osmd.announcement.read"].sudo()
        if not Read.search_count([("announcement_id", "=", announcement.id), ("partner_id", "=", partner.id)]):
            Read.create({"announcement_id": announcement.id, "partner_id": partner.id})
        attachments = announcement.attachment_ids.sudo()
        attachments.generate_access_token()
        values = self._prepare_portal_layout_values()
        values.update(page_name="osmd_announcement", announcement=announcement, attachments=attachments)
        return request.render("osmd_service.announcement", values)
