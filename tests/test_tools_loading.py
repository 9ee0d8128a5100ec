"""Every addon's tools/ modules import without Odoo, through load_tool."""

import sys

import conftest
import pytest

TOOL_MODULES = sorted(
    (path.parent.parent.name, path.stem)
    for path in conftest.ADDONS_DIR.glob("*/tools/*.py")
    if path.name != "__init__.py"
)


@pytest.mark.parametrize(("addon", "name"), TOOL_MODULES, ids=[f"{a}.{n}" for a, n in TOOL_MODULES])
def test_tool_module_imports_without_odoo(addon, name, load_tool):
    module = load_tool(addon, name)
    assert module.__name__ == f"osmd_tools.{addon}.tools.{name}"
    assert "odoo" not in sys.modules, f"{addon}/tools/{name}.py imports odoo"


def test_load_tool_supports_relative_imports(tmp_path, monkeypatch):
    tools = tmp_path / "osmd_demo_addon" / "tools"
    tools.mkdir(parents=True)
    (tools / "__init__.py").write_text("raise RuntimeError('must not run')\n")
    (tools / "base.py").write_text("VALUE = 41\n")
    (tools / "derived.py").write_text("from .base import VALUE\n\nANSWER = VALUE + 1\n")
    # a dependency's tools, imported as in Odoo (odoo.addons.<dependency>.tools), its __init__.py never run
    dependency = tmp_path / "osmd_demo_dependency"
    (dependency / "tools").mkdir(parents=True)
    (dependency / "__init__.py").write_text("raise RuntimeError('must not run')\n")
    (dependency / "tools" / "__init__.py").write_text("raise RuntimeError('must not run')\n")
    (dependency / "tools" / "shared.py").write_text("FACTOR = 2\n")
    (tools / "uses_dependency.py").write_text(
        "from ...osmd_demo_dependency.tools.shared import FACTOR\n\nDOUBLE = 21 * FACTOR\n"
    )
    monkeypatch.setattr(conftest, "ADDONS_DIR", tmp_path)
    try:
        assert conftest.load_tool("osmd_demo_addon", "derived").ANSWER == 42
        assert conftest.load_tool("osmd_demo_addon", "uses_dependency").DOUBLE == 42
        with pytest.raises(FileNotFoundError):
            conftest.load_tool("osmd_demo_addon", "missing")
    finally:
        for key in list(sys.modules):
            if key.startswith(("osmd_tools.osmd_demo_addon", "osmd_tools.osmd_demo_dependency")):
                del sys.modules[key]
