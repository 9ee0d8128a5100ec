from odoo import api, models
from odoo.exceptions import ValidationError

from ..tools.phone import PhoneError, normalize_phone


class ResPartner(models.Model):
    _inherit = "res.partner"

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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._osmd_normalize_phone_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("phone"):
            for company in self.company_id:
                self._osmd_normalize_phone_vals(vals, company)
        return super().write(vals)
