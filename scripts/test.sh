#!/usr/bin/env bash
# `make test`: setup, lint, pytest tests/, then the Odoo tests of every addon
# under addons/ in a fresh, throw-away database. Never skips the Odoo tests.
#
# The last line printed is always `N passed, M failed` (pytest + Odoo summed;
# errors count as failed; a phase that aborts or fails without a failed test,
# such as lint, counts as one failure, so a red run never says "0 failed").
# The exit status is non-zero when lint fails, any test fails, Odoo logs a
# line at level ERROR or CRITICAL, Odoo runs 0 tests, or anything cannot be
# set up.
#
# Environment: OSMD_SKIP_LINT=1 (skip lint, for quick local runs only),
# OSMD_KEEP_DB=1 (keep the test database), OSMD_TEST_DB_PREFIX (default
# osmd_test), OSMD_TEST_HTTP_PORT (default 8169, so a running demo on 8069 is
# not disturbed), OSMD_EXTRA_ADDONS (comma-separated extra addons
# directories, for experiments; unset by default).
set -euo pipefail

# shellcheck source=scripts/setup.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"
cd "$OSMD_REPO"

T0="$(osmd_now)"
PASSED=0
FAILED=0
FAILURES=()
TEST_DB=""
DONE=0

# shellcheck disable=SC2317  # invoked through the EXIT trap
cleanup() {
    local rc=$?
    set +e
    if [[ -n "$TEST_DB" && "${OSMD_KEEP_DB:-0}" != "1" ]]; then
        osmd_info "dropping database $TEST_DB"
        osmd_db_drop "$TEST_DB" || osmd_warn "could not drop database $TEST_DB"
        rm -rf "$OSMD_VAR/data/filestore/$TEST_DB"
    fi
    if [[ $DONE -ne 1 ]]; then
        # aborted (setup failure, Ctrl-C, ...): never report a clean run
        FAILED=$((FAILED + 1))
        FAILURES+=("aborted before the end (exit status $rc)")
        [[ $rc -eq 0 ]] && rc=1
    fi
    echo
    echo "==================== OSMD test summary ===================="
    if [[ ${#FAILURES[@]} -gt 0 ]]; then
        printf 'FAILED: %s\n' "${FAILURES[@]}"
    else
        echo "all checks passed"
    fi
    echo "total time: $(($(osmd_now) - T0))s"
    echo "$PASSED passed, $FAILED failed"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

phase() { printf '\n==================== %s ====================\n' "$*"; }

# "passed=N failed=M" from scripts/test_report.py -> p, f (unreadable: 0, 1)
parse_counts() {
    if [[ "$1" =~ passed=([0-9]+)\ failed=([0-9]+) ]]; then
        p="${BASH_REMATCH[1]}"
        f="${BASH_REMATCH[2]}"
    else
        p=0
        f=1
    fi
}

# 1. setup ------------------------------------------------------------------
phase "setup"
osmd_setup
mapfile -t ADDONS < <(osmd_addons_list "$OSMD_PY")
[[ ${#ADDONS[@]} -gt 0 ]] || osmd_die "no addon (directory with __manifest__.py) found under addons/"
osmd_info "addons: ${ADDONS[*]}"

# 2. lint -------------------------------------------------------------------
if [[ "${OSMD_SKIP_LINT:-0}" == "1" ]]; then
    phase "lint (skipped: OSMD_SKIP_LINT=1)"
    osmd_warn "lint skipped on request; CI always runs it"
else
    phase "lint"
    t="$(osmd_now)"
    if bash "$OSMD_REPO/scripts/lint.sh"; then
        osmd_info "lint passed in $(($(osmd_now) - t))s"
    else
        FAILURES+=("lint (run 'make lint' to see it alone)")
        osmd_info "lint FAILED in $(($(osmd_now) - t))s"
    fi
fi

# 3. pytest tests/ ------------------------------------------------------------
phase "pytest tests/"
t="$(osmd_now)"
junit="$OSMD_LOG_DIR/pytest.xml"
rm -f "$junit"
set +e
"$OSMD_PY" -m pytest tests/ -p no:cacheprovider --junitxml="$junit" -o junit_family=xunit2 \
    2>&1 | tee "$OSMD_LOG_DIR/test-pytest.log"
prc=${PIPESTATUS[0]}
set -e
if [[ $prc -eq 5 ]]; then
    # exit status 5 = no tests collected: not a crash, but worth a loud warning
    osmd_warn "pytest collected no tests in tests/ (exit status 5); counting 0"
elif [[ -f "$junit" ]]; then
    counts="$("$OSMD_PY" scripts/test_report.py junit "$junit")" || true
    parse_counts "$counts"
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
    if [[ $prc -ne 0 ]]; then
        FAILURES+=("pytest (exit status $prc, $f failed)")
        [[ $f -eq 0 ]] && FAILED=$((FAILED + 1))
    fi
else
    FAILURES+=("pytest did not run (exit status $prc)")
    FAILED=$((FAILED + 1))
fi
osmd_info "pytest finished in $(($(osmd_now) - t))s"

# 4. Odoo tests ---------------------------------------------------------------
phase "Odoo tests"
t="$(osmd_now)"
TEST_DB="${OSMD_TEST_DB_PREFIX:-osmd_test}_$(date +%Y%m%d_%H%M%S)_$$"
if osmd_db_exists "$TEST_DB"; then
    osmd_db_drop "$TEST_DB"
fi
# Odoo addons the tests use besides ours are installed, not tested (common.sh: OSMD_EXTRA_MODULES)
addons_csv="$(IFS=,; echo "${ADDONS[*]},${OSMD_EXTRA_MODULES[*]}")"
tags="$(printf '/%s,' "${ADDONS[@]}")"
tags="${tags%,}"
ODOO_ARGS=()
osmd_odoo_common_args ODOO_ARGS "$ODOO_SRC"
odoo_log="$OSMD_LOG_DIR/test-odoo.log"
osmd_info "database $TEST_DB, modules $addons_csv, --test-tags $tags, log $odoo_log"
set +e
"$OSMD_PY" "$ODOO_SRC/odoo-bin" "${ODOO_ARGS[@]}" \
    -d "$TEST_DB" -i "$addons_csv" --test-tags "$tags" \
    --http-port="${OSMD_TEST_HTTP_PORT:-8169}" \
    --stop-after-init --log-level=test 2>&1 | tee "$odoo_log"
orc=${PIPESTATUS[0]}
set -e
counts="$("$OSMD_PY" scripts/test_report.py odoo "$odoo_log")" && report_ok=1 || report_ok=0
parse_counts "$counts"
PASSED=$((PASSED + p))
FAILED=$((FAILED + f))
if [[ $report_ok -ne 1 ]]; then
    FAILURES+=("Odoo tests (see $odoo_log)")
elif [[ $orc -ne 0 ]]; then
    FAILURES+=("odoo-bin exited with status $orc (see $odoo_log)")
    [[ $f -eq 0 ]] && FAILED=$((FAILED + 1))
fi
osmd_info "Odoo tests finished in $(($(osmd_now) - t))s"

DONE=1
if [[ ${#FAILURES[@]} -gt 0 ]]; then
    # a failed run never ends with "0 failed" (e.g. when only lint failed)
    [[ $FAILED -eq 0 ]] && FAILED=1
    exit 1
fi
exit 0
