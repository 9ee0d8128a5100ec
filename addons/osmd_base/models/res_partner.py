from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _lang_get

from ..tools.phone import PhoneError, normalize_phone

NOTIFY_CHANNELS = [("email", "E-mail"), ("sms", "SMS"), ("none", "Do not send")]
# what the association sends to its people, and how each person wants it
NOTIFY_KINDS = ("receipts", "debt", "readings", "requests", "news")


class ResPartner(models.Model):
    _inherit = "res.partner"

    osmd_notify_receipts = fields.Selection(
        NOTIFY_CHANNELS,
        string="Receipts by",
        default="email",
        required=True,
        help="How the association sends this person the monthly receipts.",
    )
    osmd_notify_debt = fields.Selection(
        NOTIFY_CHANNELS,
        string="Debt reminders by",
        default="sms",
        required=True,
        help="How the association reminds this person of a debt.",
    )
    osmd_notify_readings = fields.Selection(
        NOTIFY_CHANNELS,
        string="Meter reminders by",
        default="email",
        required=True,
        help="How the association announces the reading window and meter verifications to this person.",
    )
    osmd_notify_requests = fields.Selection(
        NOTIFY_CHANNELS,
        string="Service requests by",
        default="email",
        required=True,
        help="How the association tells this person that their service request moved on or was answered.",
    )
    osmd_notify_news = fields.Selection(
        NOTIFY_CHANNELS,
        string="Announcements by",
        default="email",
        required=True,
        help="How the association sends this person its announcements.",
    )

    osmd_document_lang = fields.Selection(
        _lang_get,
        string="Language of association documents",
        help="Language of the invoices, receipts and letters of the association addressed to this partner. "
        "Empty: the association's language, whatever the partner's interface language is.",
    )

    def _osmd_normalize_phone_vals(self, vals, company=None):
        """Normalise ``vals['phone']`` to +380… for people of an association."""
        phone = vals.get("phone")
        company = company or self.env["res.company"].browse(vals.get("company_id")) or self.company_id
        if not phone or not company.osmd_kind:
            return vals
        try:
            vals["phone"] = normalize_phone(phone, (company.country_id.code or "UA"))
        except PhoneError as exc:
            raise ValidationError(
                self.env._(
                    "Phone %(phone)s of %(name)s is not a valid phone number.",
                    phone=phone,
                    name=vals.get("name") or self.name or "",
                )
            ) from exc
        return vals

    def _osmd_document_lang(self, company):
        """Language code of the documents of ``company`` (an association) addressed to this partner
        (``self``: one partner or none): the language the partner chose explicitly for documents, else the
        association's, else Ukrainian when installed, else the environment's.

        The partner's own ``lang`` is not used: it defaults to English for partners created by imports,
        transfers or as companies, and documents of an association are in its language."""
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        chosen = self[:1].osmd_document_lang
        if chosen and chosen in installed:
            return chosen
        company_lang = company.partner_id.lang if company else False
        if company_lang and company_lang in installed:
            return company_lang
        if "uk_UA" in installed:
            return "uk_UA"
        return self.env.lang or "en_US"

    def _osmd_association_lang_vals(self, vals):
        """A new partner of an association gets the association's language, whoever creates it and in
        whatever interface language: the association of ``company_id``, else the one given in the
        context (``osmd_association_id``, set by our forms), else the current company when it is one."""
        if vals.get("lang") or self.env.context.get("default_lang"):
            return vals
        Company = self.env["res.company"].sudo()
        company = Company.browse(vals.get("company_id") or self.env.context.get("osmd_association_id") or ())
        if not company.osmd_kind:
            company = self.env.company
        lang = company.osmd_kind and company.sudo().partner_id.lang
        if lang:
            vals["lang"] = lang
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._osmd_normalize_phone_vals(vals)
            self._osmd_association_lang_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("phone"):
            for company in self.company_id:
                self._osmd_normalize_phone_vals(vals, company)
        return super().write(vals)

    def _osmd_wants(self, kind, channel):
        """The partners of ``self`` who want the association's ``kind`` (receipts, debt, readings, news) by
        ``channel`` (email, sms)."""
        assert kind in NOTIFY_KINDS, kind
        return self.filtered(lambda partner: partner[f"osmd_notify_{kind}"] == channel)
