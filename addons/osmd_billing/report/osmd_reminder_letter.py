from odoo import api, fields, models

from ..tools.formatting import fmt_number


class ReportOsmdReminderLetter(models.AbstractModel):
    """Values of the reminder letter: the unpaid invoices of each debtor, aged on the context date."""

    _name = "report.osmd_billing.osmd_reminder_letter_template"
    _description = "Reminder letter to a debtor"

    @api.model
    def _get_report_values(self, docids, data=None):
        day = fields.Date.to_date((data or {}).get("date") or self.env.context.get("date"))
        day = day or fields.Date.context_today(self)
        debtors = self.env["osmd.debtor.report"].with_context(date=fields.Date.to_string(day)).browse(docids)
        debtors.check_access("read")
        return {
            "doc_ids": docids,
            "doc_model": "osmd.debtor.report",
            "docs": debtors,
            "letter_date": day,
            "debt_lines": {
                debtor.id: debtor.account_id.with_context(date=fields.Date.to_string(day))._get_open_debt_lines()
                for debtor in debtors
            },
            "langs": {debtor.id: self._get_lang(debtor) for debtor in debtors},
            "texts": {debtor.id: self._get_texts(debtor, day) for debtor in debtors},
            "fmt_amount": lambda value: fmt_number(value, 2),
        }

    def _get_lang(self, debtor):
        """The language of the holder's documents: the one they chose, else the association's."""
        return self.env["osmd.billing.run"]._get_document_lang(debtor.partner_id, debtor.company_id)

    def _get_texts(self, debtor, day):
        """Whole sentences in the language of the holder's documents (placeholders keep the word order
        translatable)."""
        env = self.with_context(lang=self._get_lang(debtor)).env
        return {
            "greeting": env._("Dear %(name)s,", name=debtor.partner_id.name or ""),
            "intro": env._(
                "According to the records of the association, personal account %(number)s (%(premise)s) has an "
                "outstanding balance of %(amount)s UAH on %(date)s. The unpaid periods are listed below.",
                number=debtor.account_id.number,
                premise=debtor.premise_id.display_name,
                amount=fmt_number(debtor.balance, 2),
                date=day.strftime("%d.%m.%Y"),
            ),
            "signature": env._("Board of %(company)s", company=debtor.company_id.name),
        }
