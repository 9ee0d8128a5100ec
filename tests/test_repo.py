"""Repository checks: CI entry point, config hygiene, no Odoo core copies."""

import configparser
import os
import re
import subprocess

import pytest
from conftest import REPO

# Built by concatenation so that this file does not match itself.
ODOO_CORE_HEADER = "Part of " + "Odoo. See LICENSE file for full copyright"
SOURCE_SUFFIXES = {".py", ".xml", ".js", ".scss", ".csv"}


def tracked_files():
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [n for n in out.decode().split("\0") if n]


def test_ci_run_calls_make_test():
    path = REPO / ".ci" / "run"
    assert path.read_text("utf-8").splitlines() == [
        "#!/usr/bin/env bash",
        "set -euo pipefail",
        'cd "$(dirname "$0")/.."',
        "exec make test",
    ]
    assert path.read_text("utf-8").endswith("exec make test\n")
    assert os.access(path, os.X_OK), ".ci/run must be executable"


def test_makefile_has_the_documented_targets():
    text = (REPO / "Makefile").read_text("utf-8")
    for target in ("demo", "test", "setup", "lint"):
        assert re.search(rf"^{target}:", text, re.M), f"no '{target}' target"
    assert re.search(r"^test:\n\t@?bash scripts/test\.sh$", text, re.M)


def test_readme_shows_the_two_commands():
    text = (REPO / "README.md").read_text("utf-8")
    assert "make demo" in text and "make test" in text


def test_license_is_lgpl3():
    text = (REPO / "LICENSE").read_text("utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "Version 3, 29 June 2007" in text


def test_odoo_conf_has_no_secrets_and_safe_defaults():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(REPO / "odoo.conf", encoding="utf-8")
    opts = parser["options"]
    for key in ("db_password", "db_user", "db_host", "addons_path"):
        assert key not in opts, f"odoo.conf must not set {key} (scripts pass it)"
    # an empty master password: Odoo refuses every database manager operation, whatever list_db says
    assert opts.get("admin_passwd") == "", "odoo.conf must set an empty admin_passwd"
    assert opts.get("workers") == "0"
    assert opts.get("list_db") == "False"
    assert opts.get("proxy_mode") == "False"
    assert opts.get("with_demo") == "False"


def test_gitignore_covers_local_state():
    text = (REPO / ".gitignore").read_text("utf-8")
    lines = {line.strip() for line in text.splitlines()}
    wanted = (".venv/", "var/", "filestore/", "__pycache__/", "*.py[cod]")
    for entry in (*wanted, "node_modules/"):
        assert entry in lines, f".gitignore lacks {entry}"


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned(name):
    for line in (REPO / name).read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[0-9][0-9A-Za-z.]*", line), (
                f"{name}: {line!r} is not pinned with =="
            )


def test_pre_commit_versions_match_requirements_dev():
    config = REPO / ".pre-commit-config.yaml"
    if not config.exists():
        pytest.skip("no .pre-commit-config.yaml")
    text = config.read_text("utf-8")
    dev = {}
    for line in (REPO / "requirements-dev.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==")
            dev[name.lower()] = version
    for name, version in re.findall(r'"([a-z0-9\-]+)==([0-9.]+)"', text):
        if name in dev:
            assert dev[name] == version, (
                f".pre-commit-config.yaml pins {name}=={version}, requirements-dev.txt {dev[name]}"
            )


def test_no_odoo_core_or_enterprise_files_are_tracked():
    files = tracked_files()
    bad = [f for f in files if f == "odoo-bin" or f.startswith(("odoo/", "enterprise/", "setup/odoo"))]
    assert not bad, f"Odoo core files in the repo: {bad[:10]}"
    top_addons = {f.split("/")[1] for f in files if f.startswith("addons/") and f.count("/") > 1}
    # ours besides osmd_*: the card payment providers (written here, usable outside the suite)
    foreign = sorted(
        a for a in top_addons if not a.startswith("osmd_") and a not in {"payment_liqpay", "payment_monobank"}
    )
    assert not foreign, f"non-OSMD addons under addons/: {foreign}"
    copied = []
    for rel in files:
        path = REPO / rel
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        head = path.read_text("utf-8", errors="replace")[:2000]
        if ODOO_CORE_HEADER in head or "OEEL-1" in head or "Odoo Enterprise" in head:
            copied.append(rel)
    assert not copied, f"files carrying Odoo core/enterprise headers: {copied[:10]}"


def test_no_secrets_or_local_state_tracked():
    files = tracked_files()
    bad = [
        f
        for f in files
        if f.startswith((".venv/", "var/", "node_modules/"))
        or f.endswith((".pyc", "pg_password"))
        or "/filestore/" in f
    ]
    assert not bad, f"local state tracked: {bad[:10]}"


@pytest.mark.parametrize("script", sorted(p.name for p in (REPO / "scripts").glob("*.sh")))
def test_shell_scripts_parse(script):
    proc = subprocess.run(["bash", "-n", str(REPO / "scripts" / script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("addon", sorted(p.parent.parent.name for p in REPO.glob("addons/*/i18n/uk.po")))
def test_template_and_ukrainian_translation_list_the_same_terms(addon):
    """Odoo merges uk.po with the addon's .pot when it reads code translations: a term missing from the .pot is
    dropped (shown in English) however well uk.po translates it. Both list the same terms."""
    import polib  # noqa: PLC0415 - a dev requirement, only for this check

    i18n = REPO / "addons" / addon / "i18n"
    pot = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(i18n / f"{addon}.pot"))}
    po = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(i18n / "uk.po")) if not entry.obsolete}
    assert sorted(po - pot, key=str) == [], f"in uk.po but not in {addon}.pot (Odoo ignores them)"
    assert sorted(pot - po, key=str) == [], f"in {addon}.pot but not translated in uk.po"
