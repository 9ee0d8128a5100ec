"""Read test results for scripts/test.sh.

    test_report.py odoo LOGFILE   counts from an Odoo 19 ``--log-level=test`` log
    test_report.py junit XMLFILE  counts from a pytest ``--junitxml`` report

Both print one line ``passed=N failed=M`` on stdout (errors count as failed),
explanations on stderr, and exit 0 when the run is clean, 1 otherwise.

Odoo 19 facts this relies on (odoo/service/server.py, odoo/tests/result.py,
odoo/modules/loading.py):

* at the end of a ``--stop-after-init`` run with tests, ``ThreadedServer.run``
  logs, for each database, ``str(report) + " when loading database 'db'"``
  where ``str(report)`` is ``"{failed} failed, {errors} error(s) of {run} tests"``.
  The report is the registry's ``_assertion_report``, into which both the
  at_install tests (``loading.py``: ``report.update(test_results)``) and the
  post_install tests (``server.py``: ``registry._assertion_report.update``)
  are merged, so that single line is the total of both phases;
* skipped tests are counted in ``run`` and logged as ``skipped <test> : <reason>``;
* per phase, ``loading.py`` logs ``Module X: N failures, M errors of K tests``
  (only on failure) and ``server.py`` logs ``N post-tests in ...``.
"""

import re
import sys
import xml.etree.ElementTree as ET

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# 2025-01-31 12:00:00,123 4242 INFO dbname odoo.modules.loading: message
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[^\s:]+): (?P<msg>.*)$"
)
FINAL = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
POST = re.compile(r"^(?P<n>\d+) post-tests in ")
MODULE_FAIL = re.compile(
    r"^Module (?P<module>\S+): (?P<failed>\d+) failures, "
    r"(?P<errors>\d+) errors of (?P<run>\d+) tests"
)
SKIPPED = re.compile(r"^skipped \S+ : ")
STARTING = re.compile(r"^Starting \S+ \.\.\.")
BAD_LEVELS = ("ERROR", "CRITICAL")


def parse_odoo_log(lines):
    """Summarise an Odoo log; returns a dict of counts and problem lines."""
    res = {
        "summaries": [],  # (db, run, failed, errors) from the final line(s)
        "run": 0,
        "failed": 0,
        "errors": 0,
        "skipped": 0,
        "started": 0,
        "post_tests": 0,
        "module_failures": [],
        "error_lines": [],
    }
    for raw in lines:
        line = ANSI.sub("", raw.rstrip("\n"))
        m = LOG_LINE.match(line)
        if not m:
            continue
        level, msg = m["level"], m["msg"]
        if level in BAD_LEVELS:
            res["error_lines"].append(line)
        final = FINAL.search(msg)
        if final:
            run, failed, errors = (
                int(final["run"]),
                int(final["failed"]),
                int(final["errors"]),
            )
            res["summaries"].append((final["db"], run, failed, errors))
            res["run"] += run
            res["failed"] += failed
            res["errors"] += errors
            continue
        post = POST.match(msg)
        if post:
            res["post_tests"] += int(post["n"])
            continue
        mod = MODULE_FAIL.match(msg)
        if mod:
            res["module_failures"].append(msg)
            continue
        if level == "INFO" and SKIPPED.match(msg):
            res["skipped"] += 1
        elif level == "INFO" and STARTING.match(msg):
            res["started"] += 1
    return res


def odoo_verdict(res):
    """Return (passed, failed, problems) for a parsed Odoo log.

    Errors count as failed; a run with problems but no failed test (no
    summary line, 0 tests, ERROR lines) counts one failure.
    """
    problems = []
    failed = res["failed"] + res["errors"]
    passed = max(res["run"] - failed - res["skipped"], 0)
    if not res["summaries"]:
        problems.append(
            "no Odoo test summary line ('N failed, N error(s) of N tests when loading "
            "database ...'): Odoo stopped before the end of the test run"
        )
    elif res["run"] == 0:
        problems.append("Odoo ran 0 tests")
    if failed:
        problems.append(f"{failed} Odoo test(s) failed or errored")
    if res["skipped"]:
        # never silently: a skipped browser test means chromium or websocket-client is missing
        problems.append(f"{res['skipped']} Odoo test(s) skipped (see the 'skipped' lines of the log)")
    if res["error_lines"]:
        problems.append(f"{len(res['error_lines'])} log line(s) at level ERROR/CRITICAL")
    if problems and not failed:
        failed = 1  # a failed run never reports "0 failed"
    return passed, failed, problems


def junit_counts(path):
    """(passed, failed, skipped) from a pytest junit XML file."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failures = errors = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0))
        errors += int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    failed = failures + errors
    return max(tests - failed - skipped, 0), failed, skipped


def main(argv):
    if len(argv) != 2 or argv[0] not in ("odoo", "junit"):
        sys.stderr.write(__doc__)
        return 2
    kind, path = argv
    if kind == "junit":
        passed, failed, skipped = junit_counts(path)
        print(f"passed={passed} failed={failed}")
        sys.stderr.write(f"pytest: {passed} passed, {failed} failed, {skipped} skipped\n")
        return 1 if failed else 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        res = parse_odoo_log(fh)
    passed, failed, problems = odoo_verdict(res)
    print(f"passed={passed} failed={failed}")
    out = sys.stderr
    out.write(
        f"odoo: {res['run']} tests run ({res['post_tests']} post_install), "
        f"{passed} passed, {res['failed']} failed, {res['errors']} errors, "
        f"{res['skipped']} skipped\n"
    )
    for msg in res["module_failures"]:
        out.write(f"odoo: {msg}\n")
    if res["error_lines"]:
        out.write("odoo: ERROR/CRITICAL log lines:\n")
        for line in res["error_lines"][:30]:
            out.write(f"  {line[:300]}\n")
        if len(res["error_lines"]) > 30:
            out.write(f"  ... and {len(res['error_lines']) - 30} more\n")
    for problem in problems:
        out.write(f"odoo: FAIL: {problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
