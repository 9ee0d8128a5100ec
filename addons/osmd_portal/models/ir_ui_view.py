import re

from lxml import html

from odoo import api, models

# Odoo's own words on the pages a resident sees (the login page, the cabinet's layout, addresses, payment forms) that
# Odoo 19's Ukrainian translation leaves empty. Keyed by the English text of a term (tags and spacing aside); a term
# Odoo already translates is left as it is.
ODOO_TERMS_UK = {
    "Skip to Content": "Перейти до змісту",
    "My Account": "Мій обліковий запис",
    "Logout": "Вийти",
    "Log out": "Вийти",
    "Payment methods": "Способи оплати",
    "Manage your payment methods": "Збережені способи оплати",
    "Add, remove or modify your addresses": "Додайте, вилучіть або змініть свої адреси",
    "Save Address": "Зберегти адресу",
    "Add Address": "Додати адресу",
    "Add an address": "Додати адресу",
    "Delivery address": "Адреса доставки",
    "Main Address": "Основна адреса",
    "Same as delivery address": "Та сама, що й адреса доставки",
    "Use a Passkey": "Увійти з ключем доступу",
    "Documentation": "Документація",
    "Don't have an account?": "Немає облікового запису?",
    "Reset Password": "Відновити пароль",
    "Enter your email": "Введіть свою електронну пошту",
    "Enter your password": "Введіть свій пароль",
    "Email": "Електронна пошта",
    "Password": "Пароль",
    "Log in": "Увійти",
    "Secured by": "Захищено",
    "Payment method": "Спосіб оплати",
    "Payment Details (test data)": "Платіжні дані (тестові)",
    "Payment Status": "Стан платежу",
    "Successful": "Успішно",
    "Pending": "Очікує",
    "Cancelled": "Скасовано",
    "Error": "Помилка",
    "Save": "Зберегти",
    "Test mode": "Тестовий режим",
    "Payment processing": "Платіж обробляється",
    "Successful payment": "Успішний платіж",
    "Processing error": "Помилка обробки",
    "Payment cancelled by customer": "Платіж скасовано платником",
    "Phone": "Телефон",
    "Mobile": "Мобільний",
    "Address": "Адреса",
    "Website": "Вебсайт",
}
# the modules whose templates draw those pages
ODOO_MODULES = [
    "base",
    "web",
    "portal",
    "auth_signup",
    "auth_passkey",
    "auth_totp_portal",
    "payment",
    "payment_demo",
    "account_payment",
]


# Odoo's payment methods a resident chooses from, by their English name, where Odoo has no Ukrainian name
PAYMENT_METHODS_UK = {
    "Card": "Банківська картка",
}


def plain(term):
    """The text of a translation term, without its tags and extra spacing."""
    text = html.fromstring(f"<div>{term}</div>").text_content() if "<" in term else term
    return re.sub(r"\s+", " ", text).strip()


class IrUiView(models.Model):
    _inherit = "ir.ui.view"

    @api.model
    def _osmd_translate_odoo_terms(self):
        """Fill the Ukrainian translation of Odoo's terms of ``ODOO_TERMS_UK`` in the templates of ``ODOO_MODULES``
        (run when osmd_portal is installed or updated)."""
        if "uk_UA" not in dict(self.env["res.lang"].get_installed()):
            return
        views = self.sudo().search([("type", "=", "qweb"), ("model_data_id.module", "in", ODOO_MODULES)])
        for view in views:
            translations, _context = view.get_field_translations("arch_db", langs=["uk_UA"])
            missing = {}
            for item in translations:
                if item["value"]:
                    continue
                source = item["source"]
                text = plain(source)
                if text in ODOO_TERMS_UK:
                    missing[source] = source.replace(text, ODOO_TERMS_UK[text]) if text in source else None
                elif not text:
                    # an element with no text, only a translatable attribute (an icon's title)
                    value = source
                    for attribute in ("title", "alt", "placeholder", "aria-label"):
                        for english, ukrainian in ODOO_TERMS_UK.items():
                            value = value.replace(f'{attribute}="{english}"', f'{attribute}="{ukrainian}"')
                    missing[source] = value if value != source else None
            missing = {source: value for source, value in missing.items() if value}
            if missing:
                view.update_field_translations("arch_db", {"uk_UA": missing})
        methods = (
            self.env["payment.method"]
            .sudo()
            .with_context(active_test=False, lang="en_US")
            .search([("name", "in", list(PAYMENT_METHODS_UK))])
        )
        for method in methods:
            if method.with_context(lang="uk_UA").name == method.name:
                method.update_field_translations("name", {"uk_UA": PAYMENT_METHODS_UK[method.name]})
