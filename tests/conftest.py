"""Root pytest suite: pure-Python helpers and repository checks (no Odoo).

``load_tool(addon, name)`` imports ``addons/<addon>/tools/<name>.py`` by file
path, without importing ``odoo`` and without executing the addon's
``__init__.py``. The module is registered as ``osmd_tools.<addon>.tools.<name>``
under synthetic packages laid out as Odoo's ``odoo.addons.<addon>.tools``, so
relative imports between tool modules (``from .phone import normalize_phone``)
and of a dependency's tools (``from ...osmd_base.tools.xlsx_read import
read_workbook``) resolve here as they do in Odoo.
"""

import ast
import importlib.util
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS_DIR = REPO / "addons"
SCRIPTS_DIR = REPO / "scripts"


def addon_dirs():
    """Every directory under addons/ holding a __manifest__.py."""
    return sorted(p.parent for p in ADDONS_DIR.glob("*/__manifest__.py"))


def read_manifest(addon_dir):
    return ast.literal_eval((Path(addon_dir) / "__manifest__.py").read_text("utf-8"))


def _package(name, path=None):
    pkg = sys.modules.get(name)
    if pkg is None:
        pkg = types.ModuleType(name)
        pkg.__path__ = [str(path)] if path else []
        pkg.__package__ = name
        sys.modules[name] = pkg
    return pkg


def load_tool(addon, name, addons_dir=None):
    """Import addons/<addon>/tools/<name>.py by path and return the module."""
    addons_dir = Path(addons_dir or ADDONS_DIR)
    tools_dir = addons_dir / addon / "tools"
    path = tools_dir / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no tool module {path}")
    _package("osmd_tools")
    # every addon's tools can be imported from another addon's tools (its dependencies), never its __init__.py
    for tools in addons_dir.glob("*/tools"):
        _package(f"osmd_tools.{tools.parent.name}", tools.parent)
        _package(f"osmd_tools.{tools.parent.name}.tools", tools)
    fullname = f"osmd_tools.{addon}.tools.{name}"
    if fullname in sys.modules:
        return sys.modules[fullname]
    spec = importlib.util.spec_from_file_location(fullname, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[fullname] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[fullname]
        raise
    return module


def load_script(name):
    """Import scripts/<name>.py by path (the setup/test helpers)."""
    path = SCRIPTS_DIR / f"{name}.py"
    fullname = f"osmd_scripts_{name}"
    if fullname in sys.modules:
        return sys.modules[fullname]
    spec = importlib.util.spec_from_file_location(fullname, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[fullname] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(name="load_tool")
def load_tool_fixture():
    return load_tool


@pytest.fixture(name="repo")
def repo_fixture():
    return REPO
