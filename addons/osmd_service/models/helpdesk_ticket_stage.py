from odoo import api, models

# OCA's helpdesk_mgmt has no Ukrainian translation: the names of its stages, which residents see on their requests
STAGE_NAMES_UK = {
    "helpdesk_mgmt.helpdesk_ticket_stage_new": "Нова",
    "helpdesk_mgmt.helpdesk_ticket_stage_in_progress": "В роботі",
    "helpdesk_mgmt.helpdesk_ticket_stage_awaiting": "Очікує",
    "helpdesk_mgmt.helpdesk_ticket_stage_done": "Виконано",
    "helpdesk_mgmt.helpdesk_ticket_stage_cancelled": "Скасовано",
    "helpdesk_mgmt.helpdesk_ticket_stage_rejected": "Відхилено",
}


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    @api.model
    def _osmd_translate_stages(self):
        """Fill the Ukrainian names of OCA's stages where they have none (run when osmd_service is installed or
        updated; a name the association changed is kept)."""
        if "uk_UA" not in dict(self.env["res.lang"].get_installed()):
            return
        for xmlid, name in STAGE_NAMES_UK.items():
            stage = self.env.ref(xmlid, raise_if_not_found=False)
            if stage and stage.with_context(lang="uk_UA").name == stage.with_context(lang="en_US").name:
                stage.update_field_translations("name", {"uk_UA": name})
