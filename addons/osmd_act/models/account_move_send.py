from odoo import api, models

ACT_REPORT = "osmd_act.action_report_osmd_act_move"


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_placeholder_mail_template_dynamic_attachments_data(self, move, mail_template, pdf_report=None):
        """The act goes with the e-mail of an invoice that has one."""
        placeholders = super()._get_placeholder_mail_template_dynamic_attachments_data(
            move, mail_template, pdf_report=pdf_report
        )
        act = self.env["osmd.act"].sudo().search([("move_id", "=", move.id)], limit=1)
        report = self.env.ref(ACT_REPORT, raise_if_not_found=False)
        if not act or not report:
            return placeholders
        filename = f"{act.name}.pdf"
        placeholders.append(
            {
                "id": f"placeholder_{filename}",
                "name": filename,
                "mimetype": "application/pdf",
                "placeholder": True,
                "dynamic_report": report.report_name,
            }
        )
        return placeholders
