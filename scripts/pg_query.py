"""Run one SQL statement with psycopg2 (fallback for machines without psql).

Prints each row tab-separated, booleans as t/f like ``psql -At``. Values are never pasted into the
SQL by the caller: like psql variables, ``:'name'`` is replaced by the quoted literal and ``:"name"``
by the quoted identifier of the environment variable ``OSMD_SQLVAR_name`` (see scripts/pg.sh).
"""

import argparse
import os
import re
import sys

VARIABLE = re.compile(r""":(?:'([a-z_][a-z0-9_]*)'|"([a-z_][a-z0-9_]*)")""")


def bind_variables(sql, variables, literal, identifier):
    """``sql`` with ``:'name'`` -> ``literal(value)`` and ``:"name"`` -> ``identifier(value)``.

    Raises KeyError for a variable that is not given (psql would send it as is and fail).
    """

    def replace(match):
        name = match.group(1) or match.group(2)
        value = variables[name]
        return literal(value) if match.group(1) else identifier(value)

    return VARIABLE.sub(replace, sql)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="")
    parser.add_argument("--port", default="")
    parser.add_argument("--user", default="")
    parser.add_argument("--dbname", default="postgres")
    parser.add_argument("--sql", required=True)
    args = parser.parse_args(argv)
    import psycopg2  # noqa: PLC0415 - only available inside the venv

    params = {"dbname": args.dbname, "connect_timeout": 5}
    for key in ("host", "port", "user"):
        if getattr(args, key):
            params[key] = getattr(args, key)
    try:
        conn = psycopg2.connect(**params)
    except psycopg2.Error as exc:
        sys.stderr.write(f"pg_query: {exc}\n")
        return 2
    conn.autocommit = True
    from psycopg2 import sql as pgsql  # noqa: PLC0415 - only available inside the venv

    variables = {
        key[len("OSMD_SQLVAR_") :]: value for key, value in os.environ.items() if key.startswith("OSMD_SQLVAR_")
    }
    try:
        statement = bind_variables(
            args.sql,
            variables,
            lambda value: pgsql.Literal(value).as_string(conn),
            lambda value: pgsql.Identifier(value).as_string(conn),
        )
    except KeyError as exc:
        sys.stderr.write(f"pg_query: SQL variable {exc} is not set\n")
        conn.close()
        return 1
    try:
        with conn.cursor() as cr:
            cr.execute(statement)
            if cr.description:
                for row in cr.fetchall():
                    cells = []
                    for value in row:
                        if value is True:
                            cells.append("t")
                        elif value is False:
                            cells.append("f")
                        elif value is None:
                            cells.append("")
                        else:
                            cells.append(str(value))
                    sys.stdout.write("\t".join(cells) + "\n")
    except psycopg2.Error as exc:
        sys.stderr.write(f"pg_query: {exc}\n")
        return 1
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
