from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.web import Home


class OsmdHome(Home):
    @http.route()
    def web_login(self, *args, **kw):
        """Signing in switches the pages to the person's own language.

        The login page, shown before anyone is signed in, already set the ``frontend_lang`` cookie to the default
        language (its scripts load their translations), and the cookie decides the language of portal pages: a
        resident whose language is Ukrainian got the whole cabinet in English. The cookie is set to the user's
        language when they sign in; the pages' language selector still changes it afterwards.
        """
        response = super().web_login(*args, **kw)
        if request.httprequest.method == "POST" and request.session.uid and hasattr(response, "set_cookie"):
            lang = request.env["res.users"].sudo().browse(request.session.uid).lang
            if lang and request.env["res.lang"]._get_data(code=lang).code:
                response.set_cookie("frontend_lang", lang)
        return response
