from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install", "osmd")
class TestUkrainianTranslation(TransactionCase):
    """Every term Odoo would export from an installed OSMD addon has a Ukrainian translation."""

    def test_every_term_translated(self):
        modules = (
            self.env["ir.module.module"]
            .search([("state", "=", "installed"), ("name", "=like", "osmd\\_%")])
            .mapped("name")
        )
        self.assertIn("osmd_base", modules)
        for module in modules:
            with self.subTest(module=module):
                po_path = Path(get_module_path(module)) / "i18n" / "uk.po"
                self.assertTrue(po_path.is_file(), f"{module} has no i18n/uk.po")
                translated = {entry.msgid for entry in polib.pofile(str(po_path)) if entry.msgstr and not entry.fuzzy}
                terms = {row[4] for row in TranslationModuleReader(self.env.cr, modules=[module])}
                self.assertTrue(terms)
                missing = sorted(terms - translated)
                self.assertFalse(missing, f"{module}: {len(missing)} term(s) without Ukrainian: {missing[:10]}")
