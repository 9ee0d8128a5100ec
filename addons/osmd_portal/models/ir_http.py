from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_default_lang(cls):
        """The language of a page for a visitor who chose none (the login page, a resident's first visit):
        Ukrainian when it is installed, unless the database sets a default language for contacts. Odoo takes the
        first active language by code, English before Ukrainian."""
        if not request.env["ir.default"].sudo()._get("res.partner", "lang"):
            ukrainian = request.env["res.lang"]._get_data(code="uk_UA")
            if ukrainian.code:
                return ukrainian
        return super()._get_default_lang()
