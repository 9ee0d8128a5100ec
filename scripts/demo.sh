#!/usr/bin/env bash
# `make demo`: setup, create (or reuse) the demo database, start Odoo.
#
#   scripts/demo.sh [--reset] [--detach] [--update] [--stop]
#   make demo [RESET=1] [DETACH=1] [UPDATE=1];  make stop
#
# The database (OSMD_DEMO_DB, default osmd_demo) gets every addon under
# addons/ installed without Odoo's demo data; scripts/demo_data.py then runs
# once, through `odoo-bin shell`, only when the database is new. A database
# left half-built by an interrupted run is rebuilt. --reset drops it first.
# --update upgrades our addons (-u) in an existing database before serving.
# The server listens on 127.0.0.1:8069 (OSMD_HTTP_PORT), in the foreground,
# or with --detach in the background (pid in var/odoo-demo.pid, log in
# var/log/odoo-demo.log) once /web/login answers.
set -euo pipefail

# shellcheck source=scripts/setup.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"
cd "$OSMD_REPO"

RESET="${RESET:-0}"
DETACH="${DETACH:-0}"
UPDATE="${UPDATE:-0}"
STOP=0
for arg in "$@"; do
    case "$arg" in
    --reset) RESET=1 ;;
    --detach) DETACH=1 ;;
    --update) UPDATE=1 ;;
    --stop) STOP=1 ;;
    -h | --help)
        sed -n '2,16p' "$0"
        exit 0
        ;;
    *) osmd_die "unknown argument $arg (see --help)" ;;
    esac
done

DB="${OSMD_DEMO_DB:-osmd_demo}"
PORT="${OSMD_HTTP_PORT:-8069}"
PIDFILE="$OSMD_VAR/odoo-demo.pid"
STAMP="$OSMD_VAR/demo-$DB.stamp"
LOGINS="$OSMD_VAR/demo_logins.txt"
SERVER_LOG="$OSMD_LOG_DIR/odoo-demo.log"
URL="http://127.0.0.1:$PORT"
export OSMD_DEMO_LOGINS_FILE="$LOGINS"

# pid of the detached demo server, if it is running
demo_pid() {
    local pid
    [[ -f "$PIDFILE" ]] || return 1
    pid="$(cat "$PIDFILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q odoo-bin || return 1
    printf '%s\n' "$pid"
}

stop_demo() {
    local pid
    if pid="$(demo_pid)"; then
        osmd_info "stopping the demo server (pid $pid)"
        kill "$pid"
        for _ in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$PIDFILE"
}

port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

print_banner() {
    echo
    echo "================ OSMD demo ================"
    echo "URL:      $URL/web/login   (database $DB)"
    echo "Logins:"
    if [[ -s "$LOGINS" ]]; then
        sed 's/^/  /' "$LOGINS"
    else
        echo "  (no $LOGINS yet: scripts/demo_data.py writes the demo logins there)"
        echo "  chairman, accountant, engineer, audit, resident1, resident2"
    fi
    echo "  admin / admin (Odoo administrator of the local demo database)"
    if [[ "$DETACH" == "1" ]]; then
        echo "Server:   background, pid $(cat "$PIDFILE"), log $SERVER_LOG; stop with 'make stop'"
    else
        echo "Server:   foreground (Ctrl-C stops it)"
    fi
    echo "==========================================="
    echo
}

if [[ "$STOP" == "1" ]]; then
    stop_demo
    exit 0
fi

osmd_setup
mapfile -t ADDONS < <(osmd_addons_list "$OSMD_PY")
[[ ${#ADDONS[@]} -gt 0 ]] || osmd_die "no addon (directory with __manifest__.py) found under addons/"
ODOO_ARGS=()
osmd_odoo_common_args ODOO_ARGS "$ODOO_SRC"
ODOO=("$OSMD_PY" "$ODOO_SRC/odoo-bin")
INSTALL=("${ADDONS[@]}" "${OSMD_EXTRA_MODULES[@]}")
addons_csv="$(IFS=,; echo "${INSTALL[*]}")"

# A running demo server keeps connections open; stop ours before touching the DB.
stop_demo

if [[ "$RESET" == "1" ]]; then
    osmd_info "RESET: dropping database $DB"
    osmd_db_drop "$DB"
    rm -rf "$OSMD_VAR/data/filestore/$DB" "$STAMP" "$LOGINS"
fi
if osmd_db_exists "$DB" && [[ ! -f "$STAMP" ]]; then
    osmd_warn "database $DB exists but was not completed by demo.sh (interrupted run?): rebuilding it"
    osmd_db_drop "$DB"
    rm -rf "$OSMD_VAR/data/filestore/$DB" "$LOGINS"
fi

if ! osmd_db_exists "$DB"; then
    osmd_info "creating database $DB with: $addons_csv (log: $OSMD_LOG_DIR/demo-install.log)"
    t="$(osmd_now)"
    set +e
    "${ODOO[@]}" "${ODOO_ARGS[@]}" -d "$DB" -i "$addons_csv" --without-demo \
        --no-http --stop-after-init 2>&1 | tee "$OSMD_LOG_DIR/demo-install.log"
    rc=${PIPESTATUS[0]}
    set -e
    [[ $rc -eq 0 ]] || osmd_die "installing the addons into $DB failed (exit status $rc); see $OSMD_LOG_DIR/demo-install.log"
    if grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$OSMD_LOG_DIR/demo-install.log"; then
        osmd_warn "the install logged ERROR lines; see $OSMD_LOG_DIR/demo-install.log"
    fi
    osmd_info "addons installed in $(($(osmd_now) - t))s; loading the OSMD demo data (scripts/demo_data.py)"
    rm -f "$LOGINS"
    set +e
    "${ODOO[@]}" shell "${ODOO_ARGS[@]}" -d "$DB" --no-http --log-level=warn \
        <"$OSMD_REPO/scripts/demo_data.py" 2>&1 | tee "$OSMD_LOG_DIR/demo-data.log"
    rc=${PIPESTATUS[0]}
    set -e
    [[ $rc -eq 0 ]] || osmd_die "scripts/demo_data.py failed (exit status $rc); see $OSMD_LOG_DIR/demo-data.log. Re-run 'make demo' to rebuild the database."
    printf '%s\n' "${INSTALL[@]}" >"$STAMP"
else
    osmd_info "reusing database $DB (make demo RESET=1 rebuilds it)"
    mapfile -t missing < <(comm -13 <(sort "$STAMP") <(printf '%s\n' "${INSTALL[@]}" | sort))
    if [[ ${#missing[@]} -gt 0 ]]; then
        osmd_info "installing addons new since the database was built: ${missing[*]}"
        "${ODOO[@]}" "${ODOO_ARGS[@]}" -d "$DB" -i "$(IFS=,; echo "${missing[*]}")" \
            --no-http --stop-after-init || osmd_die "installing ${missing[*]} into $DB failed"
        printf '%s\n' "${INSTALL[@]}" >"$STAMP"
    fi
    if [[ "$UPDATE" == "1" ]]; then
        osmd_info "UPDATE: upgrading $addons_csv in $DB"
        "${ODOO[@]}" "${ODOO_ARGS[@]}" -d "$DB" -u "$addons_csv" --no-http --stop-after-init ||
            osmd_die "upgrading the addons in $DB failed"
    fi
fi

if port_busy; then
    osmd_die "port $PORT on 127.0.0.1 is already in use (another Odoo?); stop it or set OSMD_HTTP_PORT"
fi

SERVE=("${ODOO[@]}" "${ODOO_ARGS[@]}" -d "$DB" --db-filter="^${DB}\$"
    --http-interface=127.0.0.1 --http-port="$PORT")

if [[ "$DETACH" == "1" ]]; then
    osmd_info "starting Odoo in the background (log: $SERVER_LOG)"
    nohup setsid "${SERVE[@]}" >"$SERVER_LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 180); do
        if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
            tail -n 30 "$SERVER_LOG" >&2
            osmd_die "the demo server exited during start-up; see $SERVER_LOG"
        fi
        if "$OSMD_PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
            "$URL/web/login" >/dev/null 2>&1; then
            print_banner
            exit 0
        fi
        sleep 1
    done
    osmd_die "the demo server did not answer $URL/web/login within 180s; see $SERVER_LOG"
fi

print_banner
exec "${SERVE[@]}"
