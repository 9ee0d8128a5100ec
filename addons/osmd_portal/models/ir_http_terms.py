from odoo import api, models

from odoo.addons.osmd_base.extra_po import merge_web_terms


class IrHttp(models.AbstractModel):
    """Odoo's own JavaScript words that its Ukrainian translation leaves empty (the chatter residents write in, the
    web client), from osmd_portal's i18n_extra files."""

    _inherit = "ir.http"

    @api.model
    def _get_translations_for_webclient(self, modules, lang):
        translations, lang_params = super()._get_translations_for_webclient(modules, lang)
        return merge_web_terms(translations, modules, lang or self.env.lang or "en_US", "osmd_portal"), lang_params
