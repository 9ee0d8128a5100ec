"""Install Odoo's requirements.txt into the running interpreter's environment.

Odoo pins versions that match Debian/Ubuntu packages; some pins have no wheel
for the running Python and their sdists no longer build in pip's isolated
build environment (cbor2 5.4.2 needs pkg_resources). This helper:

1. evaluates each line's environment marker with ``packaging``;
2. tries the whole set at once (``pip install --prefer-binary``);
3. if that fails, installs each requirement that is not yet satisfied, trying
   in turn: the exact pin with ``--prefer-binary``; the same pin with
   ``--no-build-isolation`` after installing ``setuptools<81`` and ``wheel``;
   ``name>=pin``;
4. skips a short list of optional packages with a warning (e.g. python-ldap,
   only used by auth_ldap, needs libldap2-dev/libsasl2-dev to build); they get
   one attempt only;
5. fails with a clear message on any other package that cannot be installed.

Packages named in ``--override`` files (our requirements.txt) are left out:
our pin wins and is installed afterwards. Fallbacks and skips are remembered
in ``<venv>/.osmd-odoo-requirements.json`` so that a later run does not retry
them (``--retry`` forgets that memo).

Run it with the venv's python:
    .venv/bin/python install_odoo_requirements.py [--override OURS] [--retry] REQ
"""

import argparse
import json
import os
import re
import subprocess
import sys

try:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pragma: no cover - pip always vendors packaging
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.utils import canonicalize_name

# Packages Odoo lists that the OSMD suite can live without (canonical names).
OPTIONAL = {
    "python-ldap": "only auth_ldap needs it; build deps: libldap2-dev libsasl2-dev",
    "pyusb": "only IoT/hardware addons need it",
    "pypiwin32": "Windows only",
    "rl-renderpm": "Windows only (bundled with reportlab on Linux)",
}
LEGACY_BUILD_DEPS = ["setuptools<81", "wheel"]


def log(msg):
    print(f"[osmd] {msg}", file=sys.stderr, flush=True)


def parse_requirements(text, environment=None):
    """Return the Requirement objects of ``text`` whose marker applies.

    ``environment`` overrides marker variables (used by the tests).
    """
    reqs = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            raise ValueError(f"line {lineno}: pip options are not supported: {line!r}")
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise ValueError(f"line {lineno}: {exc}") from exc
        if req.marker is not None and not req.marker.evaluate(environment):
            continue
        req.marker = None
        reqs.append(req)
    return reqs


def exact_pin(req):
    """The version of an ``==`` pin, else None."""
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version:
        return specs[0].version
    return None


def candidates(req):
    """The ``(description, pip args)`` attempts for one requirement, in order."""
    spec = str(req)
    attempts = [
        ("exact pin, --prefer-binary", ["--prefer-binary", spec]),
        (
            "exact pin, --no-build-isolation",
            ["--prefer-binary", "--no-build-isolation", spec],
        ),
    ]
    pin = exact_pin(req)
    if pin is not None:
        extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
        attempts.append((f"{req.name}>={pin}", ["--prefer-binary", f"{req.name}{extras}>={pin}"]))
    return attempts


def requirement_names(text):
    """Canonical names of the requirements in a requirements file's text."""
    names = set()
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line and not line.startswith("-"):
            names.add(canonicalize_name(Requirement(line).name))
    return names


def memo_path():
    return os.path.join(sys.prefix, ".osmd-odoo-requirements.json")


def load_memo():
    try:
        with open(memo_path(), encoding="utf-8") as fh:
            memo = json.load(fh)
    except (OSError, ValueError):
        memo = {}
    memo.setdefault("fallback", {})
    memo.setdefault("skipped", [])
    return memo


def save_memo(memo):
    with open(memo_path(), "w", encoding="utf-8") as fh:
        json.dump(memo, fh, indent=1, sort_keys=True)


FAILED_NAME_PATTERNS = [
    re.compile(r"Failed to build (?!installable |one or more )'?([A-Za-z0-9_.\-]+)"),
    re.compile(r"Failed building wheel for ([A-Za-z0-9_.\-]+)"),
    re.compile(r"\u2570\u2500> ([A-Za-z0-9_.\-]+)"),  # pip's "╰─> name" hint
    re.compile(r"No matching distribution found for ([A-Za-z0-9_.\-]+)"),
    re.compile(r"Could not find a version that satisfies the requirement ([A-Za-z0-9_.\-]+)"),
]


def failed_names(pip_output):
    """Canonical names of the packages a failed pip run complains about."""
    names = set()
    for pattern in FAILED_NAME_PATTERNS:
        for match in pattern.finditer(pip_output):
            names.add(canonicalize_name(match.group(1)))
    return names


def is_optional(req):
    return canonicalize_name(req.name) in OPTIONAL


def installed_version(name):
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def is_satisfied(req):
    version = installed_version(req.name)
    if version is None:
        return False
    return not req.specifier or req.specifier.contains(version, prereleases=True)


def pip(args, quiet=True):
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    if quiet:
        cmd.append("-q")
    proc = subprocess.run(cmd + args, capture_output=True, text=True)
    return proc.returncode, (proc.stdout or "") + (proc.stderr or "")


def tail(text, lines=15):
    return "\n".join(text.strip().splitlines()[-lines:])


def install_one(req, state):
    """Try each attempt; return (True, description) or (False, last pip output)."""
    last_output = ""
    attempts = candidates(req)
    if is_optional(req):
        attempts = attempts[:1]
    for desc, args in attempts:
        if "--no-build-isolation" in args and not state.get("legacy_build_deps"):
            code, out = pip(LEGACY_BUILD_DEPS)
            if code != 0:
                log(f"could not install {' '.join(LEGACY_BUILD_DEPS)}:\n{tail(out)}")
                continue
            state["legacy_build_deps"] = True
        code, out = pip(args)
        if code == 0:
            return True, desc
        last_output = out
    return False, last_output


def select_requirements(path, overrides):
    """Odoo's applicable requirements, less those our files pin instead."""
    with open(path, encoding="utf-8") as fh:
        reqs = parse_requirements(fh.read())
    log(f"{len(reqs)} Odoo requirements apply to Python {sys.version.split()[0]}")
    overridden = set()
    for override in overrides:
        with open(override, encoding="utf-8") as fh:
            overridden |= requirement_names(fh.read())
    left_out = [str(r) for r in reqs if canonicalize_name(r.name) in overridden]
    if left_out:
        log(f"pinned by our requirements instead: {', '.join(left_out)}")
    return [r for r in reqs if canonicalize_name(r.name) not in overridden]


def find_missing(reqs, memo):
    """Requirements still to install, given what earlier runs fell back to."""
    missing = []
    for req in reqs:
        if is_satisfied(req):
            continue
        pin = exact_pin(req)
        version = installed_version(req.name)
        if str(req) in memo["fallback"] and pin and version:
            if Requirement(f"{req.name}>={pin}").specifier.contains(version, True):
                continue
        if str(req) in memo["skipped"] and is_optional(req):
            log(f"WARNING: optional {req} skipped (as on an earlier run)")
            continue
        missing.append(req)
    return missing


def install_each(missing, memo):
    """Install requirements one at a time; returns 0 or 1 (fatal failure)."""
    state, skipped, fallbacks = {}, [], []
    for req in missing:
        if is_satisfied(req):
            continue
        memo["fallback"].pop(str(req), None)
        if str(req) in memo["skipped"]:
            memo["skipped"].remove(str(req))
        ok, result = install_one(req, state)
        if ok:
            if result != "exact pin, --prefer-binary":
                fallbacks.append(f"{req} -> {result}")
                memo["fallback"][str(req)] = result
                log(f"{req}: installed with fallback ({result})")
            continue
        if is_optional(req):
            reason = OPTIONAL[canonicalize_name(req.name)]
            skipped.append(req.name)
            memo["skipped"].append(str(req))
            log(f"WARNING: skipping optional {req} ({reason}). Last pip output:")
            log(tail(result, 5))
            continue
        log(f"ERROR: cannot install Odoo requirement {req}. Last pip output:")
        log(tail(result, 25))
        log(
            "Install the build dependencies (see README: libpq-dev libxml2-dev "
            "libxslt1-dev libjpeg-dev ...) or use a Python version with wheels for it."
        )
        return 1
    save_memo(memo)
    if fallbacks:
        log("fallbacks used: " + "; ".join(fallbacks))
    if skipped:
        log("WARNING: optional requirements skipped: " + ", ".join(skipped))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", help="path of Odoo's requirements.txt")
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        help="requirements file whose packages replace Odoo's pins",
    )
    parser.add_argument("--retry", action="store_true", help="forget earlier fallbacks")
    args = parser.parse_args(argv)

    reqs = select_requirements(args.requirements, args.override)
    memo = {"fallback": {}, "skipped": []} if args.retry else load_memo()
    missing = find_missing(reqs, memo)
    if not missing:
        log("Odoo requirements already satisfied")
        return 0
    # One pip run for everything; a package that fails is set aside (as named
    # in pip's output) and the rest retried, then the set-aside ones go one by
    # one through the fallbacks. If pip's output names nothing we know, all go.
    batch, set_aside = list(missing), []
    while batch:
        log(f"installing {len(batch)} Odoo requirements in one go")
        code, out = pip(["--prefer-binary"] + [str(r) for r in batch])
        if code == 0:
            for req in batch:
                memo["fallback"].pop(str(req), None)
            break
        bad = failed_names(out)
        culprits = [r for r in batch if canonicalize_name(r.name) in bad]
        if not culprits:
            log("the one-go install failed:")
            log(tail(out, 6))
            set_aside.extend(batch)
            break
        log(f"set aside for the fallbacks: {', '.join(str(r) for r in culprits)}")
        set_aside.extend(culprits)
        batch = [r for r in batch if r not in culprits]
    if not set_aside:
        save_memo(memo)
        return 0
    log("installing one requirement at a time: " + ", ".join(map(str, set_aside)))
    return install_each(set_aside, memo)


if __name__ == "__main__":
    sys.exit(main())
