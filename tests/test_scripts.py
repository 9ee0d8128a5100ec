"""The helpers behind `make test` and `make setup`."""

import textwrap

import pytest
from conftest import load_script

test_report = load_script("test_report")
install_reqs = load_script("install_odoo_requirements")
list_addons = load_script("list_addons")
check_files = load_script("check_files")

T = "2025-11-29 10:00:00,000 4242"


def log(*lines):
    return [f"{T} {line}\n" for line in lines]


def verdict(lines):
    return test_report.odoo_verdict(test_report.parse_odoo_log(lines))


def test_odoo_log_all_green_sums_at_install_and_post_install():
    lines = log(
        "INFO db odoo.addons.osmd_a.tests.test_x: Starting TestX.test_one ...",
        "INFO db odoo.addons.osmd_a.tests.test_x: Starting TestX.test_two ...",
        "INFO db odoo.service.server: 1 post-tests in 0.50s, 10 queries",
        "INFO db odoo.tests.result: 0 failed, 0 error(s) of 3 tests when loading database 'db'",
    )
    res = test_report.parse_odoo_log(lines)
    assert res["run"] == 3 and res["post_tests"] == 1 and res["started"] == 2
    assert test_report.odoo_verdict(res) == (3, 0, [])


def test_odoo_log_failures_errors_and_skips():
    lines = log(
        "INFO db odoo.addons.osmd_a.tests.test_x: skipped TestX.test_s : later",
        "ERROR db odoo.addons.osmd_a.tests.test_x: FAIL: TestX.test_bad",
        "ERROR db odoo.modules.loading: Module osmd_a: 1 failures, 1 errors of 5 tests",
        "ERROR db odoo.tests.result: 1 failed, 1 error(s) of 5 tests when loading database 'db'",
    )
    passed, failed, problems = verdict(lines)
    assert (passed, failed) == (2, 2)
    assert any("failed or errored" in p for p in problems)
    assert any("ERROR/CRITICAL" in p for p in problems)


def test_odoo_log_zero_tests_is_a_failure():
    lines = log("WARNING db odoo.tests.result: 0 failed, 0 error(s) of 0 tests when loading database 'db'")
    passed, failed, problems = verdict(lines)
    assert (passed, failed) == (0, 1)
    assert "Odoo ran 0 tests" in problems


def test_odoo_log_without_summary_is_a_failure():
    lines = log("CRITICAL db odoo.service.server: Failed to initialize database `db`.")
    passed, failed, problems = verdict(lines)
    assert failed >= 1
    assert any("no Odoo test summary" in p for p in problems)


def test_odoo_log_error_line_alone_fails_a_green_run():
    lines = log(
        "ERROR db odoo.addons.osmd_a.models.x: something broke",
        "INFO db odoo.tests.result: 0 failed, 0 error(s) of 4 tests when loading database 'db'",
    )
    passed, failed, problems = verdict(lines)
    assert (passed, failed) == (4, 1)
    assert problems == ["1 log line(s) at level ERROR/CRITICAL"]


def test_odoo_log_ignores_colours_and_tracebacks():
    lines = [
        f"{T} \x1b[1;31m\x1b[1;49mERROR\x1b[0m db odoo.x: boom\n",
        "Traceback (most recent call last):\n",
        "ERROR: this is not a log line\n",
    ]
    res = test_report.parse_odoo_log(lines)
    assert len(res["error_lines"]) == 1


def test_junit_counts(tmp_path):
    xml = tmp_path / "r.xml"
    xml.write_text('<testsuites><testsuite name="pytest" tests="7" failures="1" errors="1" skipped="2"/></testsuites>')
    assert test_report.junit_counts(xml) == (3, 2, 2)


def test_main_prints_counts(tmp_path, capsys):
    path = tmp_path / "odoo.log"
    path.write_text(
        "".join(log("INFO db odoo.tests.result: 0 failed, 0 error(s) of 2 tests when loading database 'db'"))
    )
    assert test_report.main(["odoo", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "passed=2 failed=0"


ODOO_REQS = textwrap.dedent(
    """\
    # comment
    cbor2==5.4.2 ; python_version < '3.12'
    cbor2==5.6.2 ; python_version >= '3.12'
    psycopg2==2.9.5 ; python_version == '3.11'
    pypiwin32 ; sys_platform == 'win32'
    pytz  # no version pinning
    python-ldap==3.4.0 ; sys_platform != 'win32' and python_version < '3.12'
    """
)


def test_requirement_markers_are_evaluated():
    env = {"python_version": "3.11", "sys_platform": "linux"}
    reqs = install_reqs.parse_requirements(ODOO_REQS, env)
    assert [str(r) for r in reqs] == [
        "cbor2==5.4.2",
        "psycopg2==2.9.5",
        "pytz",
        "python-ldap==3.4.0",
    ]
    env = {"python_version": "3.12", "sys_platform": "win32"}
    names = [str(r) for r in install_reqs.parse_requirements(ODOO_REQS, env)]
    assert names == ["cbor2==5.6.2", "pypiwin32", "pytz"]


def test_requirement_fallback_order():
    (req,) = install_reqs.parse_requirements("cbor2==5.4.2")
    attempts = [args for _desc, args in install_reqs.candidates(req)]
    assert attempts == [
        ["--prefer-binary", "cbor2==5.4.2"],
        ["--prefer-binary", "--no-build-isolation", "cbor2==5.4.2"],
        ["--prefer-binary", "cbor2>=5.4.2"],
    ]
    (unpinned,) = install_reqs.parse_requirements("pytz")
    assert len(install_reqs.candidates(unpinned)) == 2


def test_only_listed_packages_are_optional():
    reqs = install_reqs.parse_requirements("python_ldap==3.4\npyusb==1.2\nlxml==4.9")
    assert [install_reqs.is_optional(r) for r in reqs] == [True, True, False]


def test_pip_options_in_requirements_are_rejected():
    with pytest.raises(ValueError):
        install_reqs.parse_requirements("-e .")


def test_list_addons_skips_uninstallable(tmp_path):
    for name, body in {
        "osmd_a": "{'name': 'A'}",
        "osmd_b": "{'name': 'B', 'installable': False}",
        "not_an_addon": None,
    }.items():
        (tmp_path / name).mkdir()
        if body:
            (tmp_path / name / "__manifest__.py").write_text(body)
    assert list_addons.find_addons(tmp_path) == ["osmd_a"]


def test_check_files_finds_whitespace_eof_and_bad_xml(tmp_path):
    good = tmp_path / "good.xml"
    good.write_text('<?xml version="1.0" encoding="UTF-8" ?>\n<odoo />\n')
    bad = tmp_path / "bad.xml"
    bad.write_text("<odoo> \n<record>\n</odoo>")
    assert check_files.check_file(good) == []
    problems = check_files.check_file(bad)
    assert any("trailing whitespace" in p for p in problems)
    assert any("no newline at end of file" in p for p in problems)
    assert any("not well-formed" in p for p in problems)


PIP_FAILURE = """\
  Getting requirements to build wheel: finished with status 'error'
ERROR: Failed to build 'cbor2' when getting requirements to build wheel
  error: subprocess-exited-with-error
  ERROR: Failed building wheel for python-ldap
\u00d7 Failed to build installable wheels for some pyproject.toml based projects
\u2570\u2500> python-ldap
ERROR: No matching distribution found for pyusb==9.9
"""


def test_failed_names_are_read_from_pip_output():
    assert install_reqs.failed_names(PIP_FAILURE) == {"cbor2", "python-ldap", "pyusb"}
    assert install_reqs.failed_names("ERROR: something else") == set()
