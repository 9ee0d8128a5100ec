from odoo import api, models

from odoo.addons.osmd_base.extra_po import load_db_terms


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        # OCA's helpdesk modules have no Ukrainian: ours (i18n_extra), whenever their terms are loaded
        if {"helpdesk_mgmt", "helpdesk_mgmt_sla", "helpdesk_mgmt_rating", "osmd_service"} & set(modules):
            load_db_terms(self.env, "osmd_service", langs, overwrite=overwrite)
        if "osmd_service" in modules:
            self.env["res.company"]._osmd_translate_service_names()
        return result

    @api.model
    def _osmd_service_load_terms(self):
        """Install or update of osmd_service: the Ukrainian of OCA's helpdesk modules."""
        load_db_terms(self.env, "osmd_service", [code for code, _name in self.env["res.lang"].get_installed()])
