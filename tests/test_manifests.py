"""Every addon under addons/ has a sound manifest and the files it names."""

import re
from importlib import metadata

import pytest
from conftest import REPO, addon_dirs, read_manifest

ADDONS = addon_dirs()
IDS = [d.name for d in ADDONS]
VERSION = re.compile(r"^19\.0\.\d+\.\d+\.\d+$")
# import name -> distribution name, where they differ
DIST_NAMES = {
    "stdnum": "python-stdnum",
    "dateutil": "python-dateutil",
    "PIL": "pillow",
    "ldap": "python-ldap",
    "magic": "python-magic",
    "OpenSSL": "pyopenssl",
    "yaml": "pyyaml",
}


def _canon(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(path):
    names = set()
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(_canon(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]))
    return names


def _odoo_requires():
    try:
        reqs = metadata.requires("odoo") or []
    except metadata.PackageNotFoundError:
        return set()
    return {_canon(re.split(r"[<>=!~;\[ (]", r, maxsplit=1)[0]) for r in reqs}


def test_there_is_at_least_one_addon():
    assert ADDONS, "no addon (directory with __manifest__.py) under addons/"


# our card payment providers, usable outside the suite, are named as Odoo names providers
OWN_PROVIDERS = {"payment_liqpay", "payment_monobank"}


def test_addon_names_are_unique_and_prefixed():
    for d in ADDONS:
        assert re.fullmatch(r"osmd_[a-z0-9_]+", d.name) or d.name in OWN_PROVIDERS, f"{d.name}: not an osmd_* name"


@pytest.mark.parametrize("addon", ADDONS, ids=IDS)
def test_manifest_keys(addon):
    manifest = read_manifest(addon)
    assert isinstance(manifest, dict)
    assert manifest.get("name"), "name is required"
    assert VERSION.match(manifest.get("version", "")), f"version {manifest.get('version')!r} must look like 19.0.x.y.z"
    authors = [a.strip() for a in manifest.get("author", "").split(",")]
    assert "OSMD" in authors, f"author {manifest.get('author')!r} must include OSMD"
    assert manifest.get("license") == "LGPL-3"
    assert "description" not in manifest, "use readme files, not 'description'"
    assert isinstance(manifest.get("depends", []), list)
    assert manifest.get("installable", True) is True


@pytest.mark.parametrize("addon", ADDONS, ids=IDS)
def test_manifest_files_exist(addon):
    manifest = read_manifest(addon)
    missing = []
    for key in ("data", "demo"):
        for rel in manifest.get(key, []):
            if not (addon / rel).is_file():
                missing.append(f"{key}: {rel}")
    assert not missing, f"{addon.name}: manifest names missing files: {missing}"
    seen = manifest.get("data", []) + manifest.get("demo", [])
    assert len(seen) == len(set(seen)), "a file is listed twice in data/demo"


@pytest.mark.parametrize("addon", ADDONS, ids=IDS)
def test_manifest_depends_on_known_osmd_addons(addon):
    ours = {d.name for d in ADDONS}
    for dep in read_manifest(addon).get("depends", []):
        if dep.startswith("osmd_"):
            assert dep in ours, f"{addon.name} depends on missing addon {dep}"


@pytest.mark.parametrize("addon", ADDONS, ids=IDS)
def test_external_python_dependencies_are_installed_by_setup(addon):
    ours = _requirement_names(REPO / "requirements.txt")
    odoo = _odoo_requires()
    deps = read_manifest(addon).get("external_dependencies", {}).get("python", [])
    missing = [dep for dep in deps if _canon(DIST_NAMES.get(dep, dep)) not in ours | odoo]
    assert not missing, (
        f"{addon.name}: external python dependencies {missing} are neither in requirements.txt nor required by odoo"
    )


@pytest.mark.parametrize("addon", ADDONS, ids=IDS)
def test_addon_has_ukrainian_translation(addon):
    po = addon / "i18n" / "uk.po"
    assert po.is_file(), f"{addon.name}: i18n/uk.po is missing"
    text = po.read_text("utf-8")
    assert "msgid" in text and "msgstr" in text, f"{po} is not a PO file"
