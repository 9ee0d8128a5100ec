"""Ukrainian for other modules' words: Odoo's and OCA's modules whose Ukrainian translation is missing or has empty
entries on pages we show. Our modules ship ``.po`` files for them (``<our module>/i18n_extra/<module>.<lang>.po``,
the module's own references kept): their record and view terms are loaded into the database like Odoo's own, and
their JavaScript terms are added to what the web client and the portal receive. A term Odoo translates is kept."""

import functools
import os

from odoo.modules.module import get_module_path
from odoo.tools.translate import JAVASCRIPT_TRANSLATION_COMMENT, TranslationImporter, translation_file_reader


def extra_po_files(our_module, lang):
    """{module: path} of the extra files of ``our_module`` for ``lang`` ("uk_UA" → "uk")."""
    folder = os.path.join(get_module_path(our_module), "i18n_extra")
    suffix = f".{lang.split('_')[0]}.po"
    if not os.path.isdir(folder):
        return {}
    return {
        name.removesuffix(suffix): os.path.join(folder, name)
        for name in sorted(os.listdir(folder))
        if name.endswith(suffix)
    }


@functools.lru_cache(maxsize=64)
def _web_terms(path):
    with open(path, "rb") as fileobj:
        return {
            row["src"]: row["value"]
            for row in translation_file_reader(fileobj, fileformat="po")
            if row.get("type") == "code" and row.get("value") and JAVASCRIPT_TRANSLATION_COMMENT in row["comments"]
        }


def merge_web_terms(translations, modules, lang, our_module):
    """Add ``our_module``'s JavaScript terms for ``lang`` to ``translations`` ({module: {"messages": [...]}}, what
    ``ir.http._get_translations_for_webclient`` returns) where Odoo has none."""
    files = extra_po_files(our_module, lang)
    for module in set(modules) & files.keys():
        current = translations.get(module) or {"messages": ()}
        known = {message["id"] for message in current["messages"] if message.get("string")}
        extra = [{"id": src, "string": value} for src, value in _web_terms(files[module]).items() if src not in known]
        if extra:
            translations[module] = {**current, "messages": (*current["messages"], *extra)}
    return translations


def load_db_terms(env, our_module, langs, overwrite=False):
    """Load the record and view terms of ``our_module``'s extra files into the database for the installed ``langs``."""
    installed = dict(env["res.lang"].get_installed())
    for lang in langs:
        if lang not in installed:
            continue
        files = extra_po_files(our_module, lang)
        if not files:
            continue
        importer = TranslationImporter(env.cr, verbose=False)
        for path in files.values():
            importer.load_file(path, lang)
        importer.save(overwrite=overwrite)
