from odoo import http
from odoo.http import request
from odoo.tools import email_normalize

from odoo.addons.osmd_base.models.res_partner import NOTIFY_KINDS
from odoo.addons.osmd_base.tools.phone import PhoneError, normalize_phone
from odoo.addons.portal.controllers import portal

from .portal import OsmdResidentPortal


class OsmdResidentNotifications(portal.CustomerPortal):
    """The person's e-mail and mobile number, and how they want the association's messages: e-mail, SMS or none,
    for each kind (receipts, debt reminders, meter reminders, announcements). Every sender of the suite follows
    it. Odoo's address pages (a delivery address, a street and a ZIP code required to change a phone number) are
    not for residents: their address is their premise, and they lead here."""

    @staticmethod
    def _osmd_is_resident():
        return bool(OsmdResidentPortal._osmd_my_accounts())

    @http.route()
    def account(self, **kwargs):
        if self._osmd_is_resident():
            return request.redirect("/my/notifications")
        return super().account(**kwargs)

    @http.route()
    def my_addresses(self, **query_params):
        if self._osmd_is_resident():
            return request.redirect("/my/notifications")
        return super().my_addresses(**query_params)

    @http.route()
    def portal_address(self, *args, **kwargs):
        if self._osmd_is_resident():
            return request.redirect("/my/notifications")
        return super().portal_address(*args, **kwargs)

    @staticmethod
    def _osmd_contact_vals(partner, post):
        """({field: value} of the e-mail and phone typed, {field: error}): nothing is written if one is wrong."""
        vals, errors = {}, {}
        if "email" in post:
            text = (post.get("email") or "").strip()[:254]
            email = email_normalize(text) if text else ""
            if text and not email:
                errors["email"] = request.env._("Enter an e-mail address such as name@example.com.")
            elif email != (partner.email or ""):
                vals["email"] = email or False
        if "phone" in post:
            text = (post.get("phone") or "").strip()[:40]
            try:
                phone = normalize_phone(text, "UA") if text else ""
            except PhoneError:
                errors["phone"] = request.env._("Enter a mobile number such as 050 123 45 67 or +380501234567.")
            else:
                if phone != (partner.phone or ""):
                    vals["phone"] = phone or False
        return vals, errors

    @http.route("/my/notifications", type="http", auth="user", methods=["GET", "POST"], website=True, sitemap=False)
    def osmd_notifications(self, **post):
        partner = request.env.user.partner_id
        Partner = request.env["res.partner"]
        choices = dict(Partner._fields["osmd_notify_receipts"]._description_selection(request.env))
        saved, errors, typed = False, {}, {}
        if request.httprequest.method == "POST":
            vals, errors = self._osmd_contact_vals(partner.sudo(), post)
            vals.update(
                {
                    f"osmd_notify_{kind}": post[f"osmd_notify_{kind}"]
                    for kind in NOTIFY_KINDS
                    if post.get(f"osmd_notify_{kind}") in choices
                }
            )
            if errors:
                # the form comes back as typed, the choices too: nothing is lost but nothing is saved
                typed = {key: str(post.get(key) or "")[:254] for key in ("email", "phone")}
                typed.update({key: value for key, value in vals.items() if key.startswith("osmd_notify_")})
            elif vals:
                # only these fields of the person's own contact, whatever else the form carries
                partner.sudo().write(vals)
                saved = True
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_notifications",
            partner=partner.sudo(),
            saved=saved,
            errors=errors,
            typed=typed,
            choices=list(choices.items()),
            kinds=[
                (f"osmd_notify_{kind}", Partner._fields[f"osmd_notify_{kind}"]._description_string(request.env))
                for kind in NOTIFY_KINDS
            ],
        )
        return request.render("osmd_portal.notifications", values)
