# shellcheck shell=bash
# Shared helpers for the OSMD scripts. Source it; it defines functions and
# variables only and never changes the caller's shell options.

OSMD_REPO="${OSMD_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
OSMD_VENV="${OSMD_VENV:-$OSMD_REPO/.venv}"
OSMD_VAR="$OSMD_REPO/var"
# shellcheck disable=SC2034  # used by the scripts that source this file
OSMD_LOG_DIR="$OSMD_VAR/log"
OSMD_SERIES_MAJOR=19
OSMD_ODOO_CACHE_DEFAULT="$HOME/.cache/osmd/odoo-19.0"
OSMD_ODOO_GIT_URL="${OSMD_ODOO_GIT_URL:-https://github.com/odoo/odoo}"
export OSMD_REPO

osmd_info() { printf '[osmd] %s\n' "$*" >&2; }
osmd_warn() { printf '[osmd] WARNING: %s\n' "$*" >&2; }
osmd_die() {
    printf '[osmd] ERROR: %s\n' "$*" >&2
    exit 1
}

# Path of the venv's python (after setup).
osmd_py() { printf '%s\n' "$OSMD_VENV/bin/python"; }

# Is DIR an Odoo 19.0 source tree? Prints the version_info on failure.
osmd_is_odoo19_src() {
    local dir="$1" major
    [[ -f "$dir/odoo-bin" && -f "$dir/odoo/release.py" && -d "$dir/addons" ]] || return 1
    major="$(sed -n 's/^version_info *= *( *\([0-9][0-9]*\) *,.*/\1/p' "$dir/odoo/release.py" | head -n1)"
    [[ "$major" == "$OSMD_SERIES_MAJOR" ]]
}

# Resolve the Odoo source without fetching anything: $ODOO_SRC, else the cache.
# Prints the path and returns 0; returns 1 when none is found; returns 2 (after
# printing the reason on stderr) when one is found but is not Odoo 19.0.
osmd_find_odoo_src() {
    local cand
    if [[ -n "${ODOO_SRC:-}" ]]; then
        cand="$ODOO_SRC"
        if [[ ! -d "$cand" ]]; then
            printf '[osmd] ERROR: ODOO_SRC=%s does not exist\n' "$cand" >&2
            return 2
        fi
    elif [[ -d "$OSMD_ODOO_CACHE_DEFAULT" ]]; then
        cand="$OSMD_ODOO_CACHE_DEFAULT"
    else
        return 1
    fi
    cand="$(cd "$cand" && pwd)"
    if ! osmd_is_odoo19_src "$cand"; then
        local vi
        vi="$(grep -m1 '^version_info' "$cand/odoo/release.py" 2>/dev/null || echo 'no odoo/release.py')"
        printf '[osmd] ERROR: %s is not an Odoo 19.0 source tree (need odoo-bin, addons/ and odoo/release.py with version_info = (19, ...); found: %s)\n' "$cand" "$vi" >&2
        return 2
    fi
    printf '%s\n' "$cand"
}

# Names of our addons: every directory under addons/ with a __manifest__.py
# (skipping 'installable': False). Extra, comma-separated addons directories for
# experiments may be given in OSMD_EXTRA_ADDONS (unset by default: no effect).
osmd_addon_dirs() {
    local d
    printf '%s\n' "$OSMD_REPO/addons"
    if [[ -n "${OSMD_EXTRA_ADDONS:-}" ]]; then
        local IFS=','
        for d in $OSMD_EXTRA_ADDONS; do
            [[ -d "$d" ]] || osmd_die "OSMD_EXTRA_ADDONS entry $d is not a directory"
            (cd "$d" && pwd)
        done
    fi
}

osmd_addons_list() {
    local py="${1:-python3}" dirs=()
    mapfile -t dirs < <(osmd_addon_dirs)
    "$py" "$OSMD_REPO/scripts/list_addons.py" "${dirs[@]}"
}

# Odoo's own addons installed beside ours in the test and demo databases (not tested): payment_demo stands in for
# the card providers (LiqPay, Monobank) in the end-to-end tests and in the demo cabinet.
# shellcheck disable=SC2034  # used by test.sh and demo.sh
OSMD_EXTRA_MODULES=(payment_demo)

# --addons-path value for odoo-bin: Odoo's addons first, then ours.
osmd_addons_path() {
    local src="$1" path dirs=() d
    path="$src/addons"
    mapfile -t dirs < <(osmd_addon_dirs)
    for d in "${dirs[@]}"; do
        [[ -d "$d" ]] && path="$path,$d"
    done
    printf '%s\n' "$path"
}

# Fill the array named by $1 with the odoo-bin arguments shared by every run:
# config file, addons path, data dir and the database connection found by pg.sh.
osmd_odoo_common_args() {
    local -n _out="$1"
    local src="$2"
    _out=(
        -c "$OSMD_REPO/odoo.conf"
        --addons-path="$(osmd_addons_path "$src")"
        --data-dir="$OSMD_VAR/data"
        --db_user="$OSMD_DB_USER"
    )
    [[ -n "${OSMD_DB_HOST:-}" ]] && _out+=(--db_host="$OSMD_DB_HOST")
    [[ -n "${OSMD_DB_PORT:-}" ]] && _out+=(--db_port="$OSMD_DB_PORT")
    return 0
}

osmd_now() { date +%s; }
