from odoo import api, models

RECEIPT_REPORT = "osmd_billing.action_report_osmd_receipt"


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_default_pdf_report_id(self, move):
        """The receipt is the PDF of accrual and recalculation documents (Send & Print, the Send wizard, the
        billing run's sending): Odoo's generic invoice, with its "Payment communication" and without the
        association's header, for the other moves."""
        if move.filtered_domain(move._osmd_receipt_domain()):
            receipt = self.env.ref(RECEIPT_REPORT, raise_if_not_found=False)
            if receipt:
                return receipt
        return super()._get_default_pdf_report_id(move)

    def _prepare_invoice_pdf_report(self, invoices_data):
        # one receipt per page (not the two of the printed sheets), so that Odoo splits the rendered PDF into one
        # attachment per invoice
        return super(AccountMoveSend, self.with_context(osmd_receipt_per_record=True))._prepare_invoice_pdf_report(
            invoices_data
        )

    @api.model
    def _get_placeholder_mail_template_dynamic_attachments_data(self, move, mail_template, pdf_report=None):
        """Attach the receipt to the e-mail of a billing document sent with another PDF (the user chose Odoo's
        generic invoice in the Send wizard): the receipt is added as one more dynamic report of the e-mail, as a
        mail template's extra report would be."""
        placeholders = super()._get_placeholder_mail_template_dynamic_attachments_data(
            move, mail_template, pdf_report=pdf_report
        )
        # an invoice of a cancelled billing run stays posted (reversed by a credit note): no receipt for it
        if not move.filtered_domain(move._osmd_receipt_domain()):
            return placeholders
        receipt = self.env.ref(RECEIPT_REPORT, raise_if_not_found=False)
        pdf_report = pdf_report or self._get_default_pdf_report_id(move)
        if not receipt or receipt in pdf_report | mail_template.report_template_ids:
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
