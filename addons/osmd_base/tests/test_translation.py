import re
from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools.translate import TranslationModuleReader

# our card payment providers (usable outside the suite, translated as ours are)
OUR_PROVIDERS = ["payment_liqpay", "payment_monobank"]
# Terms whose Ukrainian is rightly the English text: codes of standards, brands, units.
SAME_AS_ENGLISH = {"ID", "IBAN", "QR", "SMS", "TurboSMS", "OSMD", "ОСББ", "UA00 0000 0000 0000 0000 0000 0000 0"}
# A placeholder value of a technical field (premise kind codes are typed in it).
SAME_AS_ENGLISH |= {"apartment,parking"}
# Names of payment services and text encodings.
SAME_AS_ENGLISH |= {"EasyPay", "Portmone", "iPay.ua", "UTF-8", "Windows-1251", "DOS (866)"}
SAME_AS_ENGLISH |= {"LiqPay", "Monobank", "Monobank (plata by mono)"}
PLACEHOLDER_RE = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}|<[^>]+>")
# A technical name: snake_case, dotted model or xml id, a file name.
CODE_RE = re.compile(r"^(?:[a-z0-9]+(?:[_.][a-z0-9%()]+)+|[a-z_]+\.[a-z_.]+)$")
# The glossary's "never" words (/work/devtools/glossary.md): calques and words kept for other concepts.
NEVER = (
    ("до подальшого повідомлення", "безстроково"),
    ("деактив", "архівувати"),
    ("помічник", "a word for the operation (e.g. «Надання доступу»)"),
    ("рахунок-фактур", "рахунок"),
    ("рахунки-фактур", "рахунки"),
    ("рахунку-фактур", "рахунку"),
    ("рахунків-фактур", "рахунків"),
    ("показання", "показ / покази"),
    ("показник", "показ / покази"),
    ("установлений термін", "сплатити до / граничний термін оплати"),
    ("опублікувати", "провести"),
    ("нарахування за період", "відомість нарахувань"),
    ("нарахування за періоди", "відомості нарахувань"),
    ("розрахунковий показ", "оціночний показ"),
    ("блокувальн", "помилка, що блокує"),
    ("вид ресурсу", "ресурс"),
    ("управляюча компанія", "управитель"),
    ("платіжна комунікація", "призначення платежу"),
    ("частинами", "частково (оплачено)"),
    ("граничний термін оплати", "граничний строк оплати"),
)
# Terms a helper left marked translatable in code although they are keys (remove when fixed at the source).
PENDING_CODE_TERMS = {}


def _is_only_placeholders(text):
    """True when nothing but placeholders, digits and punctuation is left: nothing to translate."""
    return not re.search(r"[^\W\d_]", PLACEHOLDER_RE.sub("", text))


def _is_junk_term(term):
    """A key or code (no placeholder in it), or Ukrainian text with no English: not a term to translate."""
    if CODE_RE.match(term) and "%" not in term:
        return True
    return bool(re.search("[а-яіїєґ]", term, re.IGNORECASE)) and not re.search("[a-z]", term, re.IGNORECASE)


@tagged("post_install", "-at_install", "osmd")
class TestUkrainianTranslation(TransactionCase):
    """Every term Odoo would export from an installed OSMD addon has a Ukrainian translation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.modules = (
            cls.env["ir.module.module"]
            .search([("state", "=", "installed"), "|", ("name", "=like", "osmd\\_%"), ("name", "in", OUR_PROVIDERS)])
            .mapped("name")
        )

    def _po(self, module):
        po_path = Path(get_module_path(module)) / "i18n" / "uk.po"
        self.assertTrue(po_path.is_file(), f"{module} has no i18n/uk.po")
        return [entry for entry in polib.pofile(str(po_path)) if not entry.obsolete]

    def _terms(self, module):
        return {row[4] for row in TranslationModuleReader(self.env.cr, modules=[module])}

    def test_every_term_translated(self):
        self.assertIn("osmd_base", self.modules)
        for module in self.modules:
            with self.subTest(module=module):
                translated = {entry.msgid for entry in self._po(module) if entry.msgstr and not entry.fuzzy}
                terms = self._terms(module)
                self.assertTrue(terms)
                missing = sorted(terms - translated)
                self.assertFalse(missing, f"{module}: {len(missing)} term(s) without Ukrainian: {missing[:10]}")

    def test_no_english_or_code_left(self):
        """A msgstr is Ukrainian: not the English msgid again, not a technical name."""
        for module in self.modules:
            with self.subTest(module=module):
                bad = [
                    (entry.msgid, entry.msgstr)
                    for entry in self._po(module)
                    if entry.msgstr
                    and PLACEHOLDER_RE.sub("", entry.msgstr).strip(" :") not in SAME_AS_ENGLISH
                    and not _is_only_placeholders(entry.msgstr)
                    and (entry.msgstr == entry.msgid or CODE_RE.match(entry.msgstr.strip()))
                ]
                self.assertFalse(bad, f"{module}: {len(bad)} msgstr(s) in English or a code: {bad[:10]}")

    def test_no_code_exported_as_term(self):
        """Keys, codes and accepted spellings passed near _()/_lt are not terms to translate."""
        for module in self.modules:
            with self.subTest(module=module):
                pending = PENDING_CODE_TERMS.get(module, set())
                bad = sorted(term for term in self._terms(module) if term not in pending and _is_junk_term(term))
                self.assertFalse(bad, f"{module}: {len(bad)} code(s) or Ukrainian text exported as terms: {bad[:10]}")

    def test_glossary_never_words(self):
        """One word per concept: the glossary's rejected words and calques stay out of our Ukrainian."""
        for module in self.modules:
            with self.subTest(module=module):
                bad = [
                    f"{entry.msgid!r}: {word!r} -> {use}"
                    for entry in self._po(module)
                    for word, use in NEVER
                    if word in entry.msgstr.lower()
                ]
                self.assertFalse(bad, f"{module}: {len(bad)} glossary violation(s): {bad[:10]}")

    def test_invoice_screens_use_our_words(self):
        """Odoo's own Ukrainian for the invoice form, list and search is replaced by our labels (osmd_billing)."""
        if "osmd_billing" not in self.modules:
            self.skipTest("osmd_billing is not installed")
        # Odoo's Ukrainian first (what "Update translations" loads), then ours, as a module update does.
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(["account", "osmd_billing"], ["uk_UA"], overwrite=True)
        moves = self.env["account.move"].with_context(lang="uk_UA")
        form = moves.get_view(self.env.ref("account.view_move_form").id, "form")["arch"]
        listing = moves.get_view(self.env.ref("account.view_invoice_tree").id, "list")["arch"]
        search = moves.get_view(self.env.ref("account.view_account_invoice_filter").id, "search")["arch"]
        for arch in (form, listing, search):
            self.assertIn("Сплатити до", arch)
            self.assertNotIn("Установлений термін", arch)
        self.assertIn("До сплати", form)  # the footer label, else the field's "Сума боргу"
        self.assertIn("До сплати", listing)
        self.assertNotIn("Сума боргу", listing)
        portal = self.env.ref("account.portal_my_invoices").with_context(lang="uk_UA").get_combined_arch()
        self.assertIn("Сплатити до", portal)
        self.assertIn("До сплати", portal)
        self.assertNotIn("Сума боргу", portal)
        payment = self.env["account.payment"].with_context(lang="uk_UA")
        payment_form = payment.get_view(self.env.ref("account.view_account_payment_form").id, "form")["arch"]
        self.assertNotIn("Рахунок-фактура", payment_form)
        self.assertIn("> Рахунок</span>", payment_form)
        self.assertIn("Частково оплачено", form)
        self.assertNotIn('"Частинами"', form)
        self.assertIn("Призначення платежу", form)


@tagged("post_install", "-at_install")
class TestCabinetLanguage(HttpCase):
    """A resident whose language is Ukrainian reads the cabinet in Ukrainian: the first page after signing in used
    to take the database's default language (and keep it in the ``frontend_lang`` cookie); the language selector
    still switches it."""

    def test_signed_in_resident_reads_their_language(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        new_test_user(
            self.env, login="lang_resident", password="lang_resident_1", groups="base.group_portal", lang="uk_UA"
        )
        # the page's language, as Odoo gives it to the page's scripts
        self.assertIn('"bundle_params": {"lang": "en_US"}', self.url_open("/web/login").text)
        # the login page's scripts load their translations, which sets the cookie before anyone is signed in
        self.url_open("/website/translations?hash=&lang=")
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "en_US")
        page = self.url_open("/web/login").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        self.url_open("/web/login", data={"login": "lang_resident", "password": "lang_resident_1", "csrf_token": token})
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "uk_UA")
        self.assertIn('"bundle_params": {"lang": "uk_UA"}', self.url_open("/my").text)
        # a session without the cookie (another path of signing in) takes the user's language too
        self.opener.cookies.clear("127.0.0.1", "/", "frontend_lang")
        self.assertIn('"bundle_params": {"lang": "uk_UA"}', self.url_open("/my").text)
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "uk_UA")
        # the language selector (a link to /en/...) still switches the cabinet to English, and it stays so
        self.assertIn('"bundle_params": {"lang": "en_US"}', self.url_open("/en/my").text)
        self.assertIn('"bundle_params": {"lang": "en_US"}', self.url_open("/my").text)
        # a visitor who is not signed in gets Odoo's choice
        self.authenticate(None, None)
        self.opener.cookies.clear()
        self.assertIn('"bundle_params": {"lang": "en_US"}', self.url_open("/web/login").text)
