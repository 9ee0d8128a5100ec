from odoo import models


class OsmdAccount(models.Model):
    """The personal account's thread is where its residents write to the association's board: a resident posts on the
    accounts they see (reading them is enough), the chairman is told; residents see the conversation, never the
    staff's internal notes nor any other account's thread."""

    _inherit = "osmd.account"

    def _mail_get_operation_for_mail_message_operation(self, message_operation):
        operations = super()._mail_get_operation_for_mail_message_operation(message_operation)
        if message_operation == "create" and self.env.user._is_portal():
            return dict.fromkeys(self, "read")
        return operations

    def message_post(self, **kwargs):
        if len(self) == 1 and self.env.user._is_portal():
            # only a conversation with the board: a resident never writes an internal note nor picks recipients
            kwargs.pop("partner_ids", None)
            kwargs["message_type"] = "comment"
            kwargs["subtype_xmlid"] = "mail.mt_comment"
            kwargs.pop("subtype_id", None)
            staff = self.sudo().company_id.osmd_chairman_id.partner_id
            kwargs["partner_ids"] = staff.ids
        return super().message_post(**kwargs)
