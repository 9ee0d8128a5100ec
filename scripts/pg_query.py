"""Run one SQL statement with psycopg2 (fallback for machines without psql).

Prints each row tab-separated, booleans as t/f like ``psql -At``.
"""

import argparse
import sys


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
    try:
        with conn.cursor() as cr:
            cr.execute(args.sql)
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
