#!/usr/bin/env bash
# `make lint`: check-only linting (never rewrites a file). Runs every tool,
# prints which ones failed, exits non-zero if any blocking check failed.
#   ruff check / ruff format --check       whole repo (.ruff.toml)
#   pylint --rcfile=.pylintrc-mandatory    addons/ (blocking)
#   pylint --rcfile=.pylintrc --exit-zero  addons/ (advice only)
#   oca-checks-odoo-module                 every addons/*/__manifest__.py
#   oca-checks-po                          every addons/*/i18n/*.po
#   scripts/check_files.py                 whitespace, final newline, XML
#   (if installed) shellcheck              scripts/*.sh, .ci/run
#   prettier --check (optional)            only with OSMD_PRETTIER=1
# Expects the venv from scripts/setup.sh (run it first, or use `make lint`).
set -uo pipefail

# shellcheck source=scripts/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
cd "$OSMD_REPO" || exit 1

BIN="$OSMD_VENV/bin"
[[ -x "$BIN/ruff" && -x "$BIN/pylint" ]] || osmd_die "lint tools missing in $OSMD_VENV: run 'make setup' first"

FAILED_TOOLS=()
run() {
    local name="$1"
    shift
    printf -- '--- %s\n' "$name"
    if "$@"; then
        printf -- '--- %s: ok\n' "$name"
    else
        printf -- '--- %s: FAILED\n' "$name"
        FAILED_TOOLS+=("$name")
    fi
}

mapfile -t ADDON_DIRS < <(find addons -mindepth 2 -maxdepth 2 -name __manifest__.py -printf '%h\n' 2>/dev/null | sort)
mapfile -t MANIFESTS < <(printf '%s/__manifest__.py\n' "${ADDON_DIRS[@]}")
mapfile -t PO_FILES < <(find addons -path '*/i18n/*.po' -type f 2>/dev/null | sort)

run "ruff check" "$BIN/ruff" check --no-fix --output-format=concise .
run "ruff format --check" "$BIN/ruff" format --check --output-format=concise .

if [[ ${#ADDON_DIRS[@]} -gt 0 ]]; then
    run "pylint-odoo (mandatory)" "$BIN/pylint" --rcfile=.pylintrc-mandatory "${ADDON_DIRS[@]}"
    printf -- '--- pylint-odoo (advice, non-blocking)\n'
    "$BIN/pylint" --rcfile=.pylintrc --exit-zero "${ADDON_DIRS[@]}"
    run "oca-checks-odoo-module" "$BIN/oca-checks-odoo-module" "${MANIFESTS[@]}"
else
    osmd_warn "no addon under addons/: pylint-odoo and oca-checks-odoo-module skipped"
fi
if [[ ${#PO_FILES[@]} -gt 0 ]]; then
    run "oca-checks-po" "$BIN/oca-checks-po" --disable=po-pretty-format "${PO_FILES[@]}"
fi
run "check_files (whitespace, EOF, XML)" "$BIN/python" scripts/check_files.py
if command -v shellcheck >/dev/null 2>&1; then
    run "shellcheck" shellcheck -x -P scripts scripts/*.sh .ci/run
else
    osmd_info "shellcheck not installed (optional: apt-get install shellcheck): skipped"
fi

if [[ "${OSMD_PRETTIER:-0}" == "1" ]]; then
    if command -v npm >/dev/null 2>&1; then
        if [[ ! -x node_modules/.bin/prettier ]]; then
            npm install --no-save --no-audit --no-fund --loglevel=error \
                prettier@3.10.1 @prettier/plugin-xml@3.4.2 >/dev/null ||
                osmd_die "npm install prettier failed"
        fi
        run "prettier --check" node_modules/.bin/prettier --check --ignore-unknown \
            "addons/**/*.{xml,yaml,yml,md,json,scss,js}"
    else
        osmd_warn "OSMD_PRETTIER=1 but npm is not installed: prettier skipped"
    fi
fi

if [[ ${#FAILED_TOOLS[@]} -gt 0 ]]; then
    printf 'lint FAILED: %s\n' "$(IFS=';'; echo "${FAILED_TOOLS[*]}")"
    exit 1
fi
echo "lint: all checks passed"
