"""The helpers behind `make test` and `make setup`."""

import configparser
import os
import subprocess
import textwrap

import pytest
from conftest import SCRIPTS_DIR, load_script

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


# ------------------------------------------------------------
# scripts/pg.sh: values never pasted into SQL
# ------------------------------------------------------------

pg_query = load_script("pg_query")
HOSTILE_ROLE = "o'sm\"d\\; DROP ROLE postgres; --"


def _fake_psql(tmp_path):
    """A psql that records its arguments and stdin, and answers nothing (no such role)."""
    record = tmp_path / "calls.txt"
    fake = tmp_path / "psql"
    fake.write_text(
        textwrap.dedent(
            f"""\
            #!/usr/bin/env bash
            {{ printf 'ARGV'; printf ' %q' "$@"; printf '\\n'; cat; printf 'END\\n'; }} >>{record}
            """
        )
    )
    fake.chmod(0o755)
    return fake, record


def _run_pg(tmp_path, script, **env):
    fake, record = _fake_psql(tmp_path)
    code = f"""
        source "{SCRIPTS_DIR}/pg.sh"
        _OSMD_PSQL="{fake}"
        OSMD_VAR="{tmp_path}/var"
        {script}
    """
    result = subprocess.run(
        ["bash", "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    return result, record.read_text() if record.exists() else ""


def _psql_set_value(quoted):
    """The value psql gives a ``\\set name '...'`` argument (quotes doubled, backslash escapes)."""
    assert quoted.startswith("'") and quoted.endswith("'")
    body, out, i = quoted[1:-1], [], 0
    while i < len(body):
        if body[i] == "'" and body[i + 1 : i + 2] == "'":
            out.append("'")
            i += 2
        elif body[i] == "\\":
            out.append(body[i + 1])
            i += 2
        else:
            assert body[i] != "'", f"unescaped quote in {quoted}"
            out.append(body[i])
            i += 1
    return "".join(out)


def test_pg_role_name_with_quotes_is_never_pasted_into_sql(tmp_path):
    result, calls = _run_pg(
        tmp_path,
        """
        _OSMD_ADMIN_USER=""; _OSMD_ADMIN_RUNNER=()
        OSMD_DB_USER="$HOSTILE"
        _osmd_pg_ensure_role "" ""
        """,
        HOSTILE=HOSTILE_ROLE,
    )
    assert result.returncode == 0, result.stderr
    statements = [block for block in calls.split("END\n") if block.strip()]
    assert len(statements) == 2, calls  # does it exist? then CREATE ROLE
    for block in statements:
        argv, *script = block.splitlines()
        assert "DROP" not in argv and "sm" not in argv, "nothing of the name on the command line"
        sets = [line for line in script if line.startswith("\\set ")]
        sql = [line for line in script if not line.startswith("\\set ")]
        assert len(sets) == 1 and sets[0].startswith("\\set role '")
        assert _psql_set_value(sets[0][len("\\set role ") :]) == HOSTILE_ROLE
        assert "DROP" not in "\n".join(sql) and "sm" not in "\n".join(sql)
    assert statements[0].splitlines()[-1] == "SELECT 1 FROM pg_roles WHERE rolname = :'role'"
    assert statements[1].splitlines()[-1] == 'CREATE ROLE :"role" LOGIN CREATEDB NOSUPERUSER'


def test_pg_password_is_not_on_a_command_line(tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "pg_password").write_text("s3cr'et\\")
    result, calls = _run_pg(
        tmp_path,
        """
        _OSMD_ADMIN_USER=""; _OSMD_ADMIN_RUNNER=()
        _osmd_pg_password_login "" "" || true
        """,
    )
    first = calls.split("END\n")[0]
    argv, *script = first.splitlines()
    assert "s3cr" not in argv
    assert script[-1] == "ALTER ROLE :\"role\" PASSWORD :'password'"
    assert "\\set password 's3cr''et\\\\'" in script


def test_pg_database_name_and_bad_values(tmp_path):
    result, calls = _run_pg(tmp_path, 'osmd_db_drop "x\\" ; DROP DATABASE osmd_tmpl; --" || true')
    argv, *script = calls.splitlines()[:-1]
    assert "osmd_tmpl" not in argv
    assert script[-1] == 'DROP DATABASE IF EXISTS :"db" WITH (FORCE)'
    # a value with a newline could end the \set line: refused before any SQL runs
    result, calls = _run_pg(tmp_path, "osmd_db_exists $'a\\nDROP DATABASE x' && echo yes || echo no")
    assert result.stdout.strip() == "no"
    assert "refusing SQL variable" in result.stderr
    assert "DROP DATABASE x" not in calls


def test_pg_ensure_validates_the_role_name_first(tmp_path):
    result, calls = _run_pg(tmp_path, 'OSMD_DB_USER="$HOSTILE"; osmd_pg_ensure', HOSTILE=HOSTILE_ROLE)
    assert result.returncode != 0
    assert "OSMD_DB_USER must match" in result.stderr
    assert calls == ""


def test_pg_query_binds_variables_like_psql():
    def literal(value):
        return "'" + value.replace("'", "''") + "'"

    def identifier(value):
        return '"' + value.replace('"', '""') + '"'

    sql = "ALTER ROLE :\"role\" PASSWORD :'password'"
    bound = pg_query.bind_variables(sql, {"role": HOSTILE_ROLE, "password": "p'w"}, literal, identifier)
    assert bound == "ALTER ROLE \"o'sm\"\"d\\; DROP ROLE postgres; --\" PASSWORD 'p''w'"
    with pytest.raises(KeyError):
        pg_query.bind_variables("SELECT :'missing'", {}, literal, identifier)


# ------------------------------------------------------------
# odoo.conf: no master password
# ------------------------------------------------------------


def test_odoo_conf_has_no_usable_master_password():
    parser = configparser.RawConfigParser()
    parser.read(SCRIPTS_DIR.parent / "odoo.conf")
    options = parser["options"]
    assert options.get("admin_passwd") == "", "an empty admin_passwd: Odoo refuses every master password"
    assert options.get("list_db") == "False"


def test_odoo_log_skipped_test_alone_fails_a_green_run():
    """A browser test skipped for want of chromium or websocket-client is never a silent pass."""
    lines = log(
        "INFO db odoo.addons.osmd_a.tests.test_ui: skipped TestUi.test_tour : websocket-client module is not installed",
        "INFO db odoo.tests.result: 0 failed, 0 error(s) of 4 tests when loading database 'db'",
    )
    passed, failed, problems = verdict(lines)
    assert (passed, failed) == (3, 1)
    assert problems == ["1 Odoo test(s) skipped (see the 'skipped' lines of the log)"]
