#!/usr/bin/env bash
# Find (or start) a PostgreSQL server for OSMD and make sure the dedicated role
# exists. Source it and call osmd_pg_ensure, or run it directly to print the
# connection it found.
#
# Order: standard PG* variables (PGHOST/PGPORT/PGUSER...) -> local unix socket
# -> 127.0.0.1:5432 -> a private cluster under var/pg (port 5433, socket only,
# trust auth) when PostgreSQL binaries are installed.
#
# Result (exported): OSMD_DB_HOST OSMD_DB_PORT OSMD_DB_USER, and PGPASSWORD
# only when the role needed a password (kept in var/pg_password, mode 600).
# OSMD_PG_MODE=private skips the system servers and uses the private cluster.
# OSMD_DB_USER (default osmd) names the role; it is never a superuser.

# shellcheck source=scripts/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

OSMD_DB_USER="${OSMD_DB_USER:-osmd}"
OSMD_PG_PRIVATE_PORT="${OSMD_PG_PRIVATE_PORT:-5433}"
_OSMD_PG_NOTES=()
_OSMD_SQL_VARS=()

_osmd_pg_bin() {
    # Echo the path of PostgreSQL program $1 (PATH first, then Debian's layout).
    local name="$1" cand
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
    fi
    # newest Debian major version first
    # shellcheck disable=SC2012
    for cand in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV) /usr/pgsql-*/bin /usr/local/pgsql/bin; do
        if [[ -x "$cand/$name" ]]; then
            printf '%s\n' "$cand/$name"
            return 0
        fi
    done
    return 1
}

# SQL never has values pasted into its text. A caller names them in the array
# _OSMD_SQL_VARS (name=value ...; `local _OSMD_SQL_VARS=(r="$role")`) and the SQL
# uses :'name' for a literal and :"name" for an identifier: psql quotes them
# (variables are set with \set on stdin, so no value, password included, is on
# a command line seen by ps); scripts/pg_query.py does the same with psycopg2,
# the values in its environment.
_osmd_sql_quote() {
    # a \set argument: single-quoted, quotes doubled, backslashes escaped
    local v="${1//\\/\\\\}"
    v="${v//\'/\'\'}"
    printf "'%s'" "$v"
}

_osmd_sql_vars_ok() {
    # names are lower-case words, values one line without control characters
    local var name value
    for var in "${_OSMD_SQL_VARS[@]}"; do
        name="${var%%=*}"
        value="${var#*=}"
        if [[ "$var" != *=* || ! "$name" =~ ^[a-z_][a-z0-9_]*$ || "$value" == *[[:cntrl:]]* ]]; then
            osmd_warn "refusing SQL variable ${name@Q}: bad name or control characters in the value"
            return 1
        fi
    done
}

_osmd_sql_script() {
    # stdin of psql: the \set lines of _OSMD_SQL_VARS, then the SQL. Args: sql
    local var
    for var in "${_OSMD_SQL_VARS[@]}"; do
        printf '\\set %s %s\n' "${var%%=*}" "$(_osmd_sql_quote "${var#*=}")"
    done
    printf '%s\n' "$1"
}

_osmd_sql_env() {
    # the environment of pg_query.py: OSMD_SQLVAR_<name>=<value> for _OSMD_SQL_VARS
    local var
    for var in "${_OSMD_SQL_VARS[@]}"; do
        printf 'OSMD_SQLVAR_%s\n' "$var"
    done
}

# Run one SQL statement; prints unaligned tuples. Args: host port user sql [runner...]
_osmd_psql() {
    local host="$1" port="$2" user="$3" sql="$4" script
    shift 4
    local args=(-X -w -q -A -t -v ON_ERROR_STOP=1 -d postgres)
    [[ -n "$host" ]] && args+=(-h "$host")
    [[ -n "$port" ]] && args+=(-p "$port")
    [[ -n "$user" ]] && args+=(-U "$user")
    _osmd_sql_vars_ok || return 1
    if [[ -n "$_OSMD_PSQL" ]]; then
        script="$(_osmd_sql_script "$sql")" || return 1
        PGCONNECT_TIMEOUT=5 "$@" "$_OSMD_PSQL" "${args[@]}" <<<"$script"
    elif [[ $# -eq 0 && -x "$OSMD_VENV/bin/python" ]]; then
        local env_vars=()
        mapfile -t env_vars < <(_osmd_sql_env)
        env "${env_vars[@]}" PGCONNECT_TIMEOUT=5 "$OSMD_VENV/bin/python" "$OSMD_REPO/scripts/pg_query.py" \
            --host "$host" --port "$port" --user "$user" --sql "$sql"
    else
        return 127
    fi
}

# Can the dedicated role log in and create databases? Args: host port
_osmd_pg_role_ok() {
    local out
    out="$(PGPASSWORD="${_OSMD_PGPASSWORD:-${PGPASSWORD:-}}" _osmd_psql "$1" "$2" "$OSMD_DB_USER" \
        "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user" 2>/dev/null)" || return 1
    [[ "$out" == "t" ]]
}

# Find a way to run SQL as a role that can create roles. Sets _OSMD_ADMIN_USER
# and _OSMD_ADMIN_RUNNER (a command prefix, e.g. runuser -u postgres --).
_osmd_pg_find_admin() {
    local host="$1" port="$2" user runner q out
    q="SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    for user in "" postgres; do
        out="$(_osmd_psql "$host" "$port" "$user" "$q" 2>/dev/null)" || continue
        if [[ "$out" == "t" ]]; then
            _OSMD_ADMIN_USER="$user"
            _OSMD_ADMIN_RUNNER=()
            return 0
        fi
    done
    # On a unix socket the postgres OS user usually has peer access.
    if [[ "$host" == /* ]] && [[ -n "$_OSMD_PSQL" ]] && id postgres >/dev/null 2>&1; then
        local runners=()
        if [[ $EUID -eq 0 ]] && command -v runuser >/dev/null 2>&1; then
            runners+=("runuser -u postgres --")
        fi
        if command -v sudo >/dev/null 2>&1; then
            runners+=("sudo -n -u postgres")
        fi
        for runner in "${runners[@]}"; do
            # shellcheck disable=SC2086
            out="$(cd / && _osmd_psql "$host" "$port" "" "$q" $runner 2>/dev/null)" || continue
            if [[ "$out" == "t" ]]; then
                _OSMD_ADMIN_USER=""
                read -r -a _OSMD_ADMIN_RUNNER <<<"$runner"
                return 0
            fi
        done
    fi
    return 1
}

_osmd_pg_admin_sql() {
    (cd / && _osmd_psql "$1" "$2" "$_OSMD_ADMIN_USER" "$3" "${_OSMD_ADMIN_RUNNER[@]}")
}

# Make the role exist with LOGIN CREATEDB (never SUPERUSER). Args: host port
_osmd_pg_ensure_role() {
    local host="$1" port="$2" exists r="$OSMD_DB_USER"
    local _OSMD_SQL_VARS=("role=$r")
    exists="$(_osmd_pg_admin_sql "$host" "$port" "SELECT 1 FROM pg_roles WHERE rolname = :'role'")" || return 1
    if [[ "$exists" == "1" ]]; then
        osmd_info "PostgreSQL: role $r exists, granting LOGIN CREATEDB"
        _osmd_pg_admin_sql "$host" "$port" "ALTER ROLE :\"role\" LOGIN CREATEDB" >/dev/null || return 1
    else
        osmd_info "PostgreSQL: creating role $r (LOGIN CREATEDB, not superuser)"
        _osmd_pg_admin_sql "$host" "$port" "CREATE ROLE :\"role\" LOGIN CREATEDB NOSUPERUSER" >/dev/null || return 1
    fi
}

# The role exists but cannot log in (peer/password auth): give it a random
# password kept in var/pg_password (mode 600, never committed) and use it, on
# the same host or else over TCP on 127.0.0.1.
_osmd_pg_password_login() {
    local host="$1" port="$2" pwfile="$OSMD_VAR/pg_password" pw
    mkdir -p "$OSMD_VAR"
    if [[ ! -s "$pwfile" ]]; then
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pwfile")
    fi
    pw="$(cat "$pwfile")"
    local _OSMD_SQL_VARS=("role=$OSMD_DB_USER" "password=$pw")
    _osmd_pg_admin_sql "$host" "$port" "ALTER ROLE :\"role\" PASSWORD :'password'" >/dev/null || return 1
    _OSMD_SQL_VARS=()
    _OSMD_PGPASSWORD="$pw"
    local cand
    for cand in "$host" 127.0.0.1; do
        if _osmd_pg_role_ok "$cand" "$port"; then
            _OSMD_FOUND_HOST="$cand"
            osmd_info "PostgreSQL: role $OSMD_DB_USER logs in with the password kept in $pwfile"
            return 0
        fi
    done
    _OSMD_PGPASSWORD=""
    return 1
}

# Is something listening? Args: host port
_osmd_pg_reachable() {
    local host="$1" port="$2" isready
    if isready="$(_osmd_pg_bin pg_isready)"; then
        local a=(-q -t 3)
        [[ -n "$host" ]] && a+=(-h "$host")
        [[ -n "$port" ]] && a+=(-p "$port")
        local rc=0
        "$isready" "${a[@]}" >/dev/null 2>&1 || rc=$?
        # 0 = accepting, 1 = rejecting (starting up), 2 = no response, 3 = bad args
        [[ $rc -eq 0 || $rc -eq 1 ]]
        return
    fi
    if [[ "$host" == /* ]]; then
        [[ -S "$host/.s.PGSQL.${port:-5432}" ]]
    else
        (exec 3<>"/dev/tcp/${host:-127.0.0.1}/${port:-5432}") 2>/dev/null
    fi
}

# Try one server. Args: host port label. Sets _OSMD_FOUND_HOST/_PORT.
_osmd_pg_try() {
    local host="$1" port="$2" label="$3"
    _osmd_pg_reachable "$host" "$port" || {
        _OSMD_PG_NOTES+=("$label: not reachable")
        return 1
    }
    _OSMD_FOUND_HOST="$host"
    _OSMD_FOUND_PORT="$port"
    if [[ -s "$OSMD_VAR/pg_password" && -z "${PGPASSWORD:-}" ]]; then
        _OSMD_PGPASSWORD="$(cat "$OSMD_VAR/pg_password")"
    fi
    if _osmd_pg_role_ok "$host" "$port"; then
        return 0
    fi
    if ! _osmd_pg_find_admin "$host" "$port"; then
        _OSMD_PG_NOTES+=("$label: reachable, but role $OSMD_DB_USER cannot log in with CREATEDB and no superuser access was found (tried the current user, role postgres, runuser/sudo -u postgres)")
        return 1
    fi
    _osmd_pg_ensure_role "$host" "$port" || {
        _OSMD_PG_NOTES+=("$label: could not create/alter role $OSMD_DB_USER")
        return 1
    }
    _osmd_pg_role_ok "$host" "$port" && return 0
    _osmd_pg_password_login "$host" "$port" && return 0
    _OSMD_PG_NOTES+=("$label: role $OSMD_DB_USER exists but cannot log in (check pg_hba.conf)")
    return 1
}

# Private cluster under var/pg: socket only, trust auth, port 5433.
_osmd_pg_private() {
    local initdb pg_ctl base data sock owner=() log
    if ! initdb="$(_osmd_pg_bin initdb)" || ! pg_ctl="$(_osmd_pg_bin pg_ctl)"; then
        osmd_die "no reachable PostgreSQL server and no PostgreSQL binaries to start one. Install the Debian package 'postgresql' (apt-get install postgresql), or point PGHOST/PGPORT/PGUSER at a server. Tried: ${_OSMD_PG_NOTES[*]:-nothing}"
    fi
    base="$OSMD_VAR/pg"
    if [[ $EUID -eq 0 ]]; then
        # initdb/postgres refuse to run as root: run the cluster as 'postgres'.
        id postgres >/dev/null 2>&1 || osmd_die "running as root, a private PostgreSQL cluster needs an OS user 'postgres' (apt-get install postgresql creates it)"
        owner=(runuser -u postgres --)
        mkdir -p "$base"
        if ! runuser -u postgres -- test -w "$base" 2>/dev/null; then
            chown postgres "$base" 2>/dev/null || true
        fi
        if ! runuser -u postgres -- test -w "$base" 2>/dev/null; then
            base="/var/tmp/osmd-pg-$(printf '%s' "$OSMD_REPO" | cksum | cut -d' ' -f1)"
            mkdir -p "$base" && chown postgres "$base"
            osmd_warn "user postgres cannot write $OSMD_VAR/pg; using $base"
        fi
    fi
    mkdir -p "$base"
    data="$base/data"
    sock="$base"
    log="$base/server.log"
    [[ ${#owner[@]} -gt 0 ]] && chown postgres "$base"
    if [[ ! -f "$data/PG_VERSION" ]]; then
        osmd_info "PostgreSQL: initialising a private cluster in $data"
        "${owner[@]}" "$initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >"$base/initdb.log" 2>&1 ||
            osmd_die "initdb failed, see $base/initdb.log"
    fi
    if ! _osmd_pg_reachable "$sock" "$OSMD_PG_PRIVATE_PORT"; then
        osmd_info "PostgreSQL: starting the private cluster (socket $sock, port $OSMD_PG_PRIVATE_PORT)"
        "${owner[@]}" "$pg_ctl" -D "$data" -l "$log" -w -t 60 \
            -o "-k $sock -p $OSMD_PG_PRIVATE_PORT -c listen_addresses=''" start >/dev/null ||
            osmd_die "could not start the private PostgreSQL cluster, see $log"
    fi
    _OSMD_PG_NOTES=()
    _osmd_pg_try "$sock" "$OSMD_PG_PRIVATE_PORT" "private cluster $sock:$OSMD_PG_PRIVATE_PORT" ||
        osmd_die "private cluster started but unusable: ${_OSMD_PG_NOTES[*]}"
}

osmd_pg_stop_private() {
    local pg_ctl data="$OSMD_VAR/pg/data" owner=()
    [[ -f "$data/postmaster.pid" ]] || { osmd_info "private PostgreSQL cluster not running"; return 0; }
    pg_ctl="$(_osmd_pg_bin pg_ctl)" || osmd_die "pg_ctl not found"
    [[ $EUID -eq 0 ]] && owner=(runuser -u postgres --)
    "${owner[@]}" "$pg_ctl" -D "$data" -m fast stop
}

osmd_pg_ensure() {
    [[ "$OSMD_DB_USER" =~ ^[a-z_][a-z0-9_]*$ ]] || osmd_die "OSMD_DB_USER must match [a-z_][a-z0-9_]*"
    [[ "$OSMD_DB_USER" != "postgres" ]] || osmd_die "Odoo refuses to run as role postgres; choose another OSMD_DB_USER"
    _OSMD_PSQL="$(_osmd_pg_bin psql || true)"
    _OSMD_PGPASSWORD=""
    _OSMD_FOUND_HOST=""
    _OSMD_FOUND_PORT=""
    _OSMD_PG_NOTES=()
    local ok=1 d s
    if [[ "${OSMD_PG_MODE:-auto}" == "private" ]]; then
        _osmd_pg_private
        ok=0
    else
        if [[ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]]; then
            _osmd_pg_try "${PGHOST:-}" "${PGPORT:-}" "PG* variables (PGHOST=${PGHOST:-} PGPORT=${PGPORT:-})" && ok=0
        fi
        if [[ $ok -ne 0 ]]; then
            for d in /var/run/postgresql /run/postgresql /tmp; do
                for s in "$d"/.s.PGSQL.*; do
                    [[ -S "$s" ]] || continue
                    _osmd_pg_try "$d" "${s##*.}" "unix socket $s" && { ok=0; break 2; }
                done
            done
        fi
        if [[ $ok -ne 0 ]]; then
            _osmd_pg_try 127.0.0.1 5432 "127.0.0.1:5432" && ok=0
        fi
        if [[ $ok -ne 0 ]]; then
            osmd_warn "no usable PostgreSQL server (${_OSMD_PG_NOTES[*]}); trying a private cluster"
            _osmd_pg_private
        fi
    fi
    export OSMD_DB_HOST="$_OSMD_FOUND_HOST" OSMD_DB_PORT="$_OSMD_FOUND_PORT" OSMD_DB_USER
    if [[ -n "$_OSMD_PGPASSWORD" ]]; then
        export PGPASSWORD="$_OSMD_PGPASSWORD"
    fi
    mkdir -p "$OSMD_VAR"
    printf 'OSMD_DB_HOST=%s\nOSMD_DB_PORT=%s\nOSMD_DB_USER=%s\n' \
        "$OSMD_DB_HOST" "$OSMD_DB_PORT" "$OSMD_DB_USER" >"$OSMD_VAR/pg.env"
    osmd_info "PostgreSQL: ${OSMD_DB_USER}@${OSMD_DB_HOST:-<default>}:${OSMD_DB_PORT:-<default>}"
}

# Run SQL as the dedicated role; prints unaligned tuples. Args: db sql
# (values through _OSMD_SQL_VARS, as for _osmd_psql)
osmd_role_sql() {
    local db="$1" sql="$2" script
    local args=(-X -w -q -A -t -v ON_ERROR_STOP=1 -U "$OSMD_DB_USER" -d "$db")
    [[ -n "$OSMD_DB_HOST" ]] && args+=(-h "$OSMD_DB_HOST")
    [[ -n "$OSMD_DB_PORT" ]] && args+=(-p "$OSMD_DB_PORT")
    _osmd_sql_vars_ok || return 1
    if [[ -n "${_OSMD_PSQL:-}" ]]; then
        script="$(_osmd_sql_script "$sql")" || return 1
        "$_OSMD_PSQL" "${args[@]}" <<<"$script"
    else
        local env_vars=()
        mapfile -t env_vars < <(_osmd_sql_env)
        env "${env_vars[@]}" "$OSMD_VENV/bin/python" "$OSMD_REPO/scripts/pg_query.py" --host "$OSMD_DB_HOST" \
            --port "$OSMD_DB_PORT" --user "$OSMD_DB_USER" --dbname "$db" --sql "$sql"
    fi
}

# Does database $1 exist?
osmd_db_exists() {
    local _OSMD_SQL_VARS=("db=$1")
    [[ "$(osmd_role_sql postgres "SELECT 1 FROM pg_database WHERE datname = :'db'")" == "1" ]]
}

osmd_db_drop() {
    local _OSMD_SQL_VARS=("db=$1")
    osmd_role_sql postgres "DROP DATABASE IF EXISTS :\"db\" WITH (FORCE)" >/dev/null
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
    stop) osmd_pg_stop_private ;;
    *)
        osmd_pg_ensure
        cat "$OSMD_VAR/pg.env"
        ;;
    esac
fi
