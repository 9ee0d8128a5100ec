from odoo import http
from odoo.http import request

from odoo.addons.osmd_base.models.res_partner import NOTIFY_KINDS
from odoo.addons.portal.controllers import portal


class OsmdResidentNotifications(portal.CustomerPortal):
    """How the person wants the association's messages: e-mail, SMS or none, for each kind (receipts, debt
    reminders, meter reminders, announcements). Every sender of the suite follows it."""

    @http.route("/my/notifications", type="http", auth="user", methods=["GET", "POST"], website=True, sitemap=False)
    def osmd_notifications(self, **post):
        partner = request.env.user.partner_id
        Partner = request.env["res.partner"]
        choices = dict(Partner._fields["osmd_notify_receipts"]._description_selection(request.env))
        saved = False
        if request.httprequest.method == "POST":
            vals = {
                f"osmd_notify_{kind}": post[f"osmd_notify_{kind}"]
                for kind in NOTIFY_KINDS
                if post.get(f"osmd_notify_{kind}") in choices
            }
            if vals:
                # only these four fields of the person's own contact, whatever else the form carries
                partner.sudo().write(vals)
                saved = True
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_notifications",
            partner=partner.sudo(),
            saved=saved,
            choices=list(choices.items()),
            kinds=[
                (f"osmd_notify_{kind}", Partner._fields[f"osmd_notify_{kind}"]._description_string(request.env))
                for kind in NOTIFY_KINDS
            ],
        )
        return request.render("osmd_portal.notifications", values)
