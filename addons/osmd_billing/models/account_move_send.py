from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_placeholder_mail_template_dynamic_attachments_data(self, move, mail_template, pdf_report=None):
        """Attach the receipt to the e-mail of a posted accrual invoice, next to the invoice PDF.

        The receipt is added as one more dynamic report of the e-mail (as a mail template's extra report
        would be): ``_generate_dynamic_reports`` renders it when the mail is sent, the invoice PDF itself
        and the partner's/journal's invoice report settings stay untouched."""
        placeholders = super()._get_placeholder_mail_template_dynamic_attachments_data(
            move, mail_template, pdf_report=pdf_report
        )
        # an invoice of a cancelled billing run stays posted (reversed by a credit note): no receipt for it
        if not move.filtered_domain(move._osmd_live_accrual_domain()):
            return placeholders
        receipt = self.env.ref("osmd_billing.action_report_osmd_receipt", raise_if_not_found=False)
        if not receipt or receipt in (pdf_report or receipt.browse()) | mail_template.report_template_ids:
            return placeholders
        filename = move._get_invoice_report_filename(report=receipt)
        placeholders.append(
            {
                "id": f"placeholder_{filename}",
                "name": filename,
                "mimetype": "application/pdf",
                "placeholder": True,
                "dynamic_report": receipt.report_name,
            }
        )
        return placeholders
