"""The meeting's exchange files (CSV, UTF-8 with BOM, ";" as Ukrainian spreadsheets expect): the register and the
results for e-signature polling services and the state «Наш дім» system, and the votes they return. No Odoo here.

Register: ``key;premises;co_owner;tax_id;votes_m2;votes_percent;representative`` — ``key`` is the co-owner's key in
this meeting's register, to be sent back unchanged.
Returned votes: ``key;Q1;Q2;…;signed_at`` — one column per question number, each cell «за», «проти», «утримався» (or
for/against/abstain, or empty: no vote on that question); ``signed_at`` the moment the co-owner signed
(``dd.mm.yyyy hh:mm`` or ISO 8601), empty for the moment of the import."""

import csv
import io
from datetime import datetime

CHOICE_WORDS = {
    "за": "for",
    "for": "for",
    "проти": "against",
    "against": "against",
    "утримався": "abstain",
    "утрималася": "abstain",
    "утрималися": "abstain",
    "abstain": "abstain",
}


def write_csv(header, rows):
    """``header`` and ``rows`` as CSV bytes (UTF-8 with BOM, ";")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def parse_moment(text):
    """A datetime from ``dd.mm.yyyy hh:mm[:ss]`` or ISO 8601; None for an empty cell; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return datetime.fromisoformat(text)


def read_votes(data, question_numbers):
    """([(row number, key, {question number: choice}, signed_at)], [(row number, column, problem code, values)]) of
    a returned votes file; ``question_numbers``: the agenda's numbers. Every row is checked; nothing is taken on
    trust. The caller words the problems (codes: no_key_column, unknown_question, no_questions, empty_key,
    duplicate_key, bad_choice, bad_moment)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")
    sample = text[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, errors = [], []
    header = [cell.strip().lower() for cell in next(reader, [])]
    if "key" not in header:
        return [], [(1, "key", "no_key_column", {})]
    columns = {}
    for index, name in enumerate(header):
        if name.startswith("q") and name[1:].isdigit():
            number = int(name[1:])
            if number not in question_numbers:
                errors.append((1, name, "unknown_question", {}))
            columns[number] = index
    if not columns:
        errors.append((1, "Q1", "no_questions", {}))
    key_index = header.index("key")
    signed_index = header.index("signed_at") if "signed_at" in header else None
    seen = set()
    for row_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = lambda index, row=row: row[index].strip() if index is not None and index < len(row) else ""  # noqa: E731
        key = cell(key_index)
        if not key:
            errors.append((row_number, "key", "empty_key", {}))
            continue
        if key in seen:
            errors.append((row_number, "key", "duplicate_key", {"value": key}))
        seen.add(key)
        choices = {}
        for number, index in columns.items():
            value = cell(index).lower()
            if not value:
                continue
            if value not in CHOICE_WORDS:
                errors.append((row_number, f"Q{number}", "bad_choice", {"value": cell(index)}))
                continue
            choices[number] = CHOICE_WORDS[value]
        try:
            signed_at = parse_moment(cell(signed_index))
        except ValueError:
            errors.append((row_number, "signed_at", "bad_moment", {"value": cell(signed_index)}))
            signed_at = None
        rows.append((row_number, key, choices, signed_at))
    return rows, errors
