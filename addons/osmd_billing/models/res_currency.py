from decimal import Decimal

from odoo import models
from odoo.tools import get_lang

from ..tools.amount_words import amount_in_words_uah


class ResCurrency(models.Model):
    _inherit = "res.currency"

    def amount_to_text(self, amount):
        """Hryvnias in Ukrainian declined properly ("Дві гривні 00 копійок"): Odoo's generic version
        title-cases every word and never declines the unit ("Два Гривня")."""
        self.ensure_one()
        if self.name == "UAH" and get_lang(self.env).code.startswith("uk"):
            return amount_in_words_uah(Decimal(f"{amount:.2f}"))
        return super().amount_to_text(amount)
