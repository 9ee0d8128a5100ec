#!/usr/bin/env bash
# Prepare everything `make demo` and `make test` need, idempotently:
#   .venv (python3.11, else python3), the Odoo 19.0 source, Odoo's Python
#   requirements, odoo itself (editable, from the source), our requirements,
#   and a PostgreSQL server with the dedicated role (scripts/pg.sh).
# A second run with unchanged inputs only compares a stamp and checks the
# database server (about a second).
#
# Environment: ODOO_SRC (Odoo 19.0 source; default ~/.cache/osmd/odoo-19.0,
# cloned from GitHub when missing), OSMD_PYTHON (interpreter for the venv),
# OSMD_SKIP_PG=1 (do not look for PostgreSQL), OSMD_SETUP_FORCE=1 (ignore the
# stamp). Executed: runs the setup. Sourced: defines osmd_setup, which also
# exports ODOO_SRC, OSMD_PY and the OSMD_DB_* connection into the caller.

# shellcheck source=scripts/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
# shellcheck source=scripts/pg.sh
source "$OSMD_REPO/scripts/pg.sh"

_osmd_pick_python() {
    local cand ver
    for cand in "${OSMD_PYTHON:-}" python3.11 python3; do
        [[ -n "$cand" ]] || continue
        command -v "$cand" >/dev/null 2>&1 || continue
        ver="$("$cand" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || continue
        case "$ver" in
        3.10 | 3.11 | 3.12 | 3.13)
            printf '%s\n' "$cand"
            return 0
            ;;
        *) osmd_warn "$cand is Python $ver; Odoo 19.0 needs 3.10-3.13 (3.11 recommended)" ;;
        esac
    done
    return 1
}

_osmd_ensure_venv() {
    local py
    if [[ -x "$OSMD_VENV/bin/python" ]] && "$OSMD_VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        return 0
    fi
    py="$(_osmd_pick_python)" || osmd_die "no usable Python found (need python3.11, or python3 3.10-3.13, with the venv module: apt-get install python3 python3-venv)"
    osmd_info "creating $OSMD_VENV with $py ($("$py" --version 2>&1))"
    rm -rf "$OSMD_VENV"
    "$py" -m venv "$OSMD_VENV" || osmd_die "'$py -m venv' failed (Debian: apt-get install python3-venv)"
}

_osmd_ensure_odoo_src() {
    local src rc=0
    src="$(osmd_find_odoo_src)" || rc=$?
    case $rc in
    0)
        ODOO_SRC="$src"
        return 0
        ;;
    2) osmd_die "set ODOO_SRC to an Odoo 19.0 source tree" ;;
    esac
    local dest="$OSMD_ODOO_CACHE_DEFAULT" tmp
    command -v git >/dev/null 2>&1 || osmd_die "Odoo 19.0 source not found: set ODOO_SRC to an Odoo 19.0 checkout, or put one in $dest (git is not installed, so it cannot be cloned)"
    osmd_info "Odoo source not found; cloning 19.0 from $OSMD_ODOO_GIT_URL into $dest (shallow, a few hundred MB)"
    mkdir -p "$(dirname "$dest")"
    tmp="$dest.partial.$$"
    rm -rf "$tmp"
    if ! GIT_TERMINAL_PROMPT=0 git clone --quiet --depth 1 --branch 19.0 "$OSMD_ODOO_GIT_URL" "$tmp"; then
        rm -rf "$tmp"
        osmd_die "Odoo 19.0 source not found and 'git clone $OSMD_ODOO_GIT_URL' failed. Set ODOO_SRC to an Odoo 19.0 source tree (with odoo-bin, odoo/, addons/), or place one in $dest"
    fi
    mv "$tmp" "$dest"
    ODOO_SRC="$(osmd_find_odoo_src)" || osmd_die "cloned $dest is not usable"
}

_osmd_stamp_value() {
    local py_ver
    py_ver="$("$OSMD_VENV/bin/python" -c 'import sys; print(sys.version)')"
    {
        printf 'python %s\n' "$py_ver"
        printf 'odoo_src %s\n' "$ODOO_SRC"
        sha256sum "$ODOO_SRC/requirements.txt" "$ODOO_SRC/setup.py" "$ODOO_SRC/odoo/release.py" \
            "$OSMD_REPO/requirements.txt" "$OSMD_REPO/requirements-dev.txt" \
            "$OSMD_REPO/scripts/install_odoo_requirements.py" "$OSMD_REPO/scripts/setup.sh" |
            sed "s#  $OSMD_REPO/#  #"
    }
}

# Run pip quietly, its output going to var/log/setup.log; show the end of the
# log and die with message $1 when it fails.
_osmd_pip() {
    local msg="$1"
    shift
    if ! "$OSMD_VENV/bin/python" -m pip --disable-pip-version-check install "$@" >>"$OSMD_LOG_DIR/setup.log" 2>&1; then
        tail -n 25 "$OSMD_LOG_DIR/setup.log" >&2
        osmd_die "$msg (full output: $OSMD_LOG_DIR/setup.log)"
    fi
}

_osmd_install_python_deps() {
    local t0
    t0="$(osmd_now)"
    osmd_info "installing Python packages into $OSMD_VENV (pip output: $OSMD_LOG_DIR/setup.log)"
    : >"$OSMD_LOG_DIR/setup.log"
    _osmd_pip "could not upgrade pip in $OSMD_VENV (is PyPI reachable?)" --upgrade "pip>=24" packaging
    osmd_info "pip ready ($(($(osmd_now) - t0))s)"
    local retry=()
    [[ "${OSMD_SETUP_FORCE:-0}" == "1" ]] && retry=(--retry)
    "$OSMD_VENV/bin/python" "$OSMD_REPO/scripts/install_odoo_requirements.py" "${retry[@]}" \
        --override "$OSMD_REPO/requirements.txt" --override "$OSMD_REPO/requirements-dev.txt" \
        "$ODOO_SRC/requirements.txt" ||
        osmd_die "Odoo's requirements could not be installed (see the messages above)"
    osmd_info "Odoo requirements done ($(($(osmd_now) - t0))s); installing odoo (editable, --no-deps) from $ODOO_SRC"
    # compat mode: a .pth naming the source tree (as odoo-bin itself does);
    # the default "lenient" mode maps all ~45k files and takes about a minute.
    _osmd_pip "pip install -e $ODOO_SRC failed (the source tree must be writable for the egg-info)" \
        --no-deps --config-settings editable_mode=compat -e "$ODOO_SRC"
    osmd_info "odoo installed ($(($(osmd_now) - t0))s); installing requirements.txt and requirements-dev.txt"
    _osmd_pip "could not install requirements.txt / requirements-dev.txt" \
        --prefer-binary -r "$OSMD_REPO/requirements.txt" -r "$OSMD_REPO/requirements-dev.txt"
    local where
    where="$("$OSMD_VENV/bin/python" -c 'import odoo.release, os; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__))))')" ||
        osmd_die "odoo is not importable from $OSMD_VENV after installation"
    [[ "$where" == "$ODOO_SRC" ]] || osmd_die "the venv imports odoo from $where, expected $ODOO_SRC"
    # odoo's setup.py lists lxml_html_clean, which only Python >= 3.12 needs
    # (older lxml ships lxml.html.clean): that one conflict is expected.
    local conflicts
    conflicts="$("$OSMD_VENV/bin/python" -m pip check 2>&1 | grep -viE 'lxml[-_]html[-_]clean|^No broken' || true)"
    if [[ -n "$conflicts" ]]; then
        osmd_warn "pip check reports conflicts (Odoo pins old versions; usually harmless):"
        printf '%s\n' "$conflicts" | head -n 10 >&2
    fi
    osmd_info "Python packages installed in $(($(osmd_now) - t0))s"
}

# The browser tests (Odoo tours) drive Debian's chromium: never a downloaded browser.
_osmd_ensure_chromium() {
    command -v chromium >/dev/null 2>&1 && return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        osmd_info "installing Debian's chromium for the browser tests"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; } ||
            osmd_die "could not install Debian's chromium (apt-get install chromium)"
    else
        osmd_die "Debian's chromium is needed for the browser tests: sudo apt-get install chromium"
    fi
}

# Receipts and acts are PDF through wkhtmltopdf (Debian's package); the browser suite opens a real receipt PDF.
_osmd_ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null 2>&1 && return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        osmd_info "installing Debian's wkhtmltopdf for PDF receipts"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q wkhtmltopdf >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wkhtmltopdf >/dev/null 2>&1; } ||
            osmd_die "could not install Debian's wkhtmltopdf (apt-get install wkhtmltopdf)"
    else
        osmd_die "Debian's wkhtmltopdf is needed for PDF receipts: sudo apt-get install wkhtmltopdf"
    fi
}

# The cabinet's browser suite drives chromium with playwright-core (package.json, package-lock.json): npm ci, never
# a browser download (playwright-core has none).
_osmd_ensure_node_modules() {
    command -v npm >/dev/null 2>&1 || osmd_die "Node.js and npm are needed for the browser suite (apt-get install nodejs npm)"
    local stamp="$OSMD_REPO/node_modules/.osmd-lock.sha"
    local want
    want="$(sha256sum "$OSMD_REPO/package-lock.json" | cut -d' ' -f1)"
    [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && return 0
    osmd_info "installing the browser suite's npm packages (npm ci)"
    (cd "$OSMD_REPO" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || osmd_die "npm ci failed"
    printf '%s\n' "$want" >"$stamp"
}

osmd_setup() {
    local t0 stamp_file want
    t0="$(osmd_now)"
    mkdir -p "$OSMD_VAR" "$OSMD_LOG_DIR"
    _osmd_ensure_venv
    _osmd_ensure_odoo_src
    export ODOO_SRC
    stamp_file="$OSMD_VENV/.osmd-setup.stamp"
    want="$(_osmd_stamp_value)"
    if [[ "${OSMD_SETUP_FORCE:-0}" != "1" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$want" ]]; then
        osmd_info "venv up to date ($OSMD_VENV), Odoo source $ODOO_SRC"
    else
        rm -f "$stamp_file"
        _osmd_install_python_deps
        printf '%s\n' "$want" >"$stamp_file"
    fi
    OSMD_PY="$OSMD_VENV/bin/python"
    export OSMD_PY
    if [[ "${OSMD_SKIP_PG:-0}" != "1" ]]; then
        _osmd_ensure_chromium
        _osmd_ensure_wkhtmltopdf
        _osmd_ensure_node_modules
    fi
    if [[ "${OSMD_SKIP_PG:-0}" != "1" ]]; then
        osmd_pg_ensure
    fi
    osmd_info "setup done in $(($(osmd_now) - t0))s"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    osmd_setup
fi
