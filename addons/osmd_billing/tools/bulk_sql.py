"""Bulk writing with PostgreSQL's COPY, for the rows a billing run writes by the ten thousand (accrual
lines, invoices and their journal items): an INSERT spends longer quoting and parsing the values than
writing them. The callers build exactly the rows the ORM would write (and say how they make sure).
No Odoo import here: ``cr`` is Odoo's cursor (or any DB-API cursor with psycopg2's ``copy_expert``
behind ``_obj``)."""

import io
import json
from datetime import date, datetime
from decimal import Decimal

import psycopg2

COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value):
    """``value`` in the text format of COPY (``None`` is NULL)."""
    kind = type(value)
    if kind is str:
        return value.translate(COPY_ESCAPES)
    if kind is int or kind is Decimal or kind is float:
        return str(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat(sep=" ")
    if kind is date:
        return value.isoformat()
    if kind is dict or kind is list:
        return json.dumps(value).translate(COPY_ESCAPES)
    return str(value).translate(COPY_ESCAPES)


def next_ids(cr, table, count):
    """``count`` new ids of ``table`` from its id sequence, in increasing order."""
    cr.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", (table, count))
    return sorted(id_ for (id_,) in cr.fetchall())


def copy_rows(cr, table, columns, rows):
    """COPY ``rows`` (sequences of values already in COPY text format, see ``copy_text``) into the
    ``columns`` of ``table``. Table and column names must come from the models, never from input."""
    data = io.StringIO("".join(f"{row}\n" for row in map("\t".join, rows)))
    query = "COPY {} ({}) FROM STDIN".format(quote(table), ", ".join(quote(column) for column in columns))
    # as the ORM does for its own COPY: no wait callback during a COPY
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        cr._obj.copy_expert(query, data)
    finally:
        psycopg2.extensions.set_wait_callback(callback)


def quote(identifier):
    return '"{}"'.format(identifier.replace('"', '""'))
