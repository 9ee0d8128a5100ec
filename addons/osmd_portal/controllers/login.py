from odoo import http
from odoo.http import request

from odoo.addons.osmd_base.controllers.login import OsmdHome


class OsmdCabinetLogin(OsmdHome):
    @http.route()
    def web_login(self, *args, **kw):
        """The sign-in page of the cabinet in Ukrainian unless the visitor chose a language (the pages' language
        selector sets the ``frontend_lang`` cookie); Odoo would follow the browser's Accept-Language, English when
        it sends none."""
        if not request.session.uid:
            lang = request.cookies.get("frontend_lang") or "uk_UA"
            if request.env["res.lang"]._get_data(code=lang).code:
                request.update_context(lang=lang)
        return super().web_login(*args, **kw)
