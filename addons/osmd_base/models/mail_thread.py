from odoo import models
from odoo.exceptions import AccessError


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Staff subscribe only people they may see: never another association's staff, whose
        notifications would carry this association's records and whose partners break the chatter."""
        if partner_ids and not self.env.su and self._osmd_is_restricted_staff():
            partners = self.env["res.partner"].browse(partner_ids).exists()
            if partners - partners._filtered_access("read"):
                raise AccessError(self.env._("You cannot add these followers."))
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    def _osmd_is_restricted_staff(self):
        """Association staff under the lookup rules (osmd_user_rules.xml), not platform administrators."""
        user = self.env.user
        return (
            user.has_group("osmd_base.group_osmd_engineer") or user.has_group("osmd_base.group_osmd_audit")
        ) and not user.has_group("base.group_erp_manager")
