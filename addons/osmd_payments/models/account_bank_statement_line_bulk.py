"""Bulk creation of the bank statement lines of an import.

Odoo's ``account.bank.statement.line.create`` costs about 28 ms a line on a 2-core machine (a journal entry created,
written once more and posted per line): more than four minutes for a statement of 10 000 payments. The lines of an
import are all of one simple shape: a posted entry in the journal's currency with a liquidity item on the journal's
account and one counterpart item (the suspense account, or the receivable of the personal account the payment was
matched to). For that shape the rows are known exactly, so they are written with COPY, under these safeguards:

* The lines are grouped by shape: the values given (which keys), the sign of the amount, the counterpart kind and
  the month (the sequence prefix). The first two lines of every group are created the standard way (the
  *references*); a group of one line, or a statement of few lines, is created the standard way entirely.
* A column is either built per line here (``MOVE_ROW``, ``ST_ROW``, ``LINE_ROW``) or the same for the whole group
  and taken from its first reference. For every table the two references of a group are compared column by column:
  a column that differs between them and is not built here (a module adding a per-line value) sends everything
  through the standard path; so does any difference between the rows built here for a reference and the ones Odoo
  wrote, and a reference with chatter (the import runs with ``mail_create_nolog``: none is expected).
* Numbers come from the journal's sequence: the references take theirs the standard way (Odoo's locked increment),
  the bulk lines the following ones after the last reference of their prefix, once checked free (a number already
  used sends everything through the standard path). Concurrency is the one of the bulk posting of invoices
  (``osmd_billing/models/account_move_bulk.py``).
* After the COPY the caches are invalidated and the ORM is told the records were created, so stored fields that
  depend on them (the statement's balances) are recomputed; every written entry is checked to be balanced.
"""

import logging
from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.osmd_billing.tools.bulk_sql import next_ids

_logger = logging.getLogger(__name__)

BULK_MIN = 20
MAXINT = 2147483647
# columns built per line; every other column is the group's, taken from its first reference
MOVE_ROW = {
    "id",
    "name",
    "sequence_number",
    "statement_line_id",
    "partner_id",
    "commercial_partner_id",
    "invoice_partner_display_name",
    "date",
    "amount_total",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "osmd_account_id",
    "ref",
    "create_date",
    "write_date",
}
ST_ROW = {
    "id",
    "move_id",
    "sequence",
    "partner_id",
    "payment_ref",
    "internal_index",
    "amount",
    "amount_residual",
    "unique_import_id",
    "account_number",
    "partner_name",
    "osmd_matched_account_id",
    "osmd_match_rule",
    "osmd_match_confidence",
    "osmd_match_detail",
    "osmd_payer_code",
    "osmd_ultimate_code",
    "create_date",
    "write_date",
}
LINE_ROW = {
    "id",
    "move_id",
    "account_id",
    "partner_id",
    "statement_line_id",
    "move_name",
    "name",
    "date",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "price_subtotal",
    "price_total",
    "create_date",
    "write_date",
}
# values given that may differ between the lines of a group (the others make the group)
VALUE_KEYS = {
    "date",
    "amount",
    "payment_ref",
    "partner_id",
    "unique_import_id",
    "account_number",
    "partner_name",
    "sequence",
    "ref",
    "counterpart_account_id",
    "osmd_account_id",
    "osmd_matched_account_id",
    "osmd_match_rule",
    "osmd_match_confidence",
    "osmd_match_detail",
    "osmd_payer_code",
    "osmd_ultimate_code",
}


class OsmdBankLineBulk(models.AbstractModel):
    """Bulk creation of bank statement lines, mixed into ``account.bank.statement.line``."""

    _name = "osmd.bank.line.bulk"
    _description = "Bulk creation of bank statement lines"

    @api.model
    def _osmd_create_lines(self, statement, vals_list):
        """Create the lines ``vals_list`` in ``statement``: in bulk where they allow it, else the standard way."""
        suggestions = [vals.pop("osmd_suggestion_ids", None) for vals in vals_list]
        lines = self._osmd_create_lines_in_bulk(statement, vals_list)
        if lines is None:
            lines = self.create([{**vals, "statement_id": statement.id} for vals in vals_list])
        todo = [
            {**command[2], "statement_line_id": line.id}
            for line, commands in zip(lines, suggestions, strict=True)
            for command in commands or []
        ]
        if todo:
            self.env["osmd.payment.suggestion"].sudo().create(todo)
        return lines

    @api.model
    def _osmd_bulk_group_key(self, vals, journal):
        counterpart = vals.get("counterpart_account_id") or journal.suspense_account_id.id
        keys = frozenset(key for key, value in vals.items() if value not in (None, False, "") and key != "sequence")
        fixed = tuple(sorted((key, repr(vals[key])) for key in keys if key not in VALUE_KEYS))
        return (
            keys,
            fixed,
            vals["amount"] > 0,
            counterpart == journal.suspense_account_id.id,
            vals["date"].year,
            vals["date"].month,
        )

    @api.model
    def _osmd_create_lines_in_bulk(self, statement, vals_list):
        """The lines created (references the standard way, the rest with COPY), or None when the standard path must
        take them all (nothing created then)."""
        # the statement takes its journal from its lines: none yet
        journal = self.env["account.journal"].browse({vals["journal_id"] for vals in vals_list})
        if len(journal) != 1:
            return None
        company_currency = journal.company_id.currency_id
        if len(vals_list) < BULK_MIN or (journal.currency_id and journal.currency_id != company_currency):
            return None
        if any(vals.get("foreign_currency_id") or "line_ids" in vals or not vals.get("amount") for vals in vals_list):
            return None
        groups = defaultdict(list)
        for index, vals in enumerate(vals_list):
            groups[self._osmd_bulk_group_key(vals, journal)].append(index)
        references = sorted(index for indexes in groups.values() for index in indexes[:2])
        if len(references) * 4 > len(vals_list):
            return None
        self.env.flush_all()
        savepoint = self.env.cr.savepoint()
        created = self.create([{**vals_list[index], "statement_id": statement.id} for index in references])
        self.env.flush_all()
        by_index = dict(zip(references, created, strict=True))
        problem = self._osmd_bulk_check(journal, groups, by_index, vals_list)
        if problem:
            _logger.warning("Bulk import of %s bank lines falls back to the standard path: %s", len(vals_list), problem)
            savepoint.close(rollback=True)
            self.env.invalidate_all()
            return None
        savepoint.close(rollback=False)
        bulk = [index for index in range(len(vals_list)) if index not in by_index]
        lines = self._osmd_bulk_insert(statement, journal, groups, by_index, vals_list, bulk)
        by_index.update(lines)
        return self.browse([by_index[index].id for index in range(len(vals_list))])

    # ------------------------------------------------------------
    # ROWS
    # ------------------------------------------------------------

    @api.model
    def _osmd_bulk_rows(self, vals, journal, ids, name, number, partners):
        """{table: [rows]} of one line: the move, the statement line and the two journal items."""
        move_id, st_id, liquidity_id, counterpart_id = ids
        amount = vals["amount"]
        partner = partners.get(vals.get("partner_id"))
        suspense = journal.suspense_account_id
        counterpart_account = self.env["account.account"].browse(vals.get("counterpart_account_id") or suspense.id)
        sequence = vals.get("sequence") or 0
        date = vals["date"]
        move = {
            "id": move_id,
            "name": name,
            "sequence_number": number,
            "statement_line_id": st_id,
            "partner_id": partner.id if partner else None,
            "commercial_partner_id": partner.commercial_partner_id.id if partner else None,
            "date": date,
            "amount_total": abs(amount),
            "amount_total_signed": abs(amount),
            "amount_total_in_currency_signed": abs(amount),
            "osmd_account_id": vals.get("osmd_account_id") or None,
            "ref": vals.get("ref") or None,
        }
        if partner:
            # without a partner Odoo writes "#Created by: <user>" in the user's language: the group's, as written
            move["invoice_partner_display_name"] = partner.display_name
        statement_line = {
            "id": st_id,
            "move_id": move_id,
            "sequence": sequence,
            "partner_id": move["partner_id"],
            "payment_ref": vals.get("payment_ref") or None,
            "internal_index": f"{date:%Y%m%d}{MAXINT - sequence:0>10}{st_id:0>10}",
            "amount": amount,
            "amount_residual": -amount if counterpart_account == suspense else 0.0,
            "unique_import_id": vals.get("unique_import_id") or None,
            "account_number": vals.get("account_number") or None,
            "partner_name": vals.get("partner_name") or None,
            "osmd_matched_account_id": vals.get("osmd_matched_account_id") or None,
            "osmd_match_rule": vals.get("osmd_match_rule") or None,
            "osmd_match_confidence": vals.get("osmd_match_confidence") or 0,
            "osmd_match_detail": vals.get("osmd_match_detail") or None,
            "osmd_payer_code": vals.get("osmd_payer_code") or None,
            "osmd_ultimate_code": vals.get("osmd_ultimate_code") or None,
        }
        common = {
            "move_id": move_id,
            "partner_id": move["partner_id"],
            "statement_line_id": st_id,
            "move_name": name,
            "name": vals.get("payment_ref") or None,
            "date": date,
        }

        def item(line_id, account, balance):
            open_item = account.reconcile or account.account_type in ("asset_cash", "liability_credit_card")
            return {
                **common,
                "id": line_id,
                "account_id": account.id,
                "debit": balance if balance > 0 else 0.0,
                "credit": -balance if balance < 0 else 0.0,
                "balance": balance,
                "amount_currency": balance,
                "amount_residual": balance if open_item else 0.0,
                "amount_residual_currency": balance if open_item else 0.0,
                "price_subtotal": balance,
                "price_total": balance,
            }

        return {
            "account_move": [move],
            "account_bank_statement_line": [statement_line],
            "liquidity": [item(liquidity_id, journal.default_account_id, amount)],
            "counterpart": [item(counterpart_id, counterpart_account, -amount)],
        }

    @api.model
    def _osmd_reference_rows(self, line):
        """{table: [row]} of a reference line as Odoo wrote it (liquidity, then counterpart item)."""
        Move = self.env["account.move"]
        items = Move._osmd_read_rows("account_move_line", "move_id", line.move_id.id)
        liquidity = [row for row in items if row["account_id"] == line.journal_id.default_account_id.id]
        counterpart = [row for row in items if row["account_id"] != line.journal_id.default_account_id.id]
        return {
            "account_move": Move._osmd_read_rows("account_move", "id", line.move_id.id),
            "account_bank_statement_line": Move._osmd_read_rows("account_bank_statement_line", "id", line.id),
            "liquidity": liquidity,
            "counterpart": counterpart,
        }

    @api.model
    def _osmd_bulk_check(self, journal, groups, by_index, vals_list):
        """None when the rows built here equal the references' and the references agree on every other column;
        else why not."""
        partners = self._osmd_bulk_partners(vals_list)
        columns = {
            "account_move": MOVE_ROW,
            "account_bank_statement_line": ST_ROW,
            "liquidity": LINE_ROW,
            "counterpart": LINE_ROW,
        }
        self.env.cr.execute(
            SQL(
                "SELECT COUNT(*) FROM mail_message WHERE model = 'account.move' AND res_id = ANY(%s)",
                [line.move_id.id for line in by_index.values()],
            )
        )
        if self.env.cr.fetchone()[0]:
            return "the reference entries have chatter"
        for indexes in groups.values():
            if len(indexes) <= 2:
                continue  # all of them are references, written by Odoo
            pair = indexes[:2]
            rows = []
            for index in pair:
                line = by_index[index]
                theirs = self._osmd_reference_rows(line)
                ids = (line.move_id.id, line.id, theirs["liquidity"][0]["id"], theirs["counterpart"][0]["id"])
                if any(len(theirs[table]) != 1 for table in theirs):
                    return f"the reference {line.move_id.name} has other items"
                ours = self._osmd_bulk_rows(
                    vals_list[index], journal, ids, line.move_id.name, line.move_id.sequence_number, partners
                )
                for table, (row,) in ours.items():
                    for column, value in row.items():
                        if column not in theirs[table][0]:
                            return f"{table}.{column} does not exist"
                        if not same(value, theirs[table][0][column]):
                            return (
                                f"{table}.{column} of {line.move_id.name}: {value!r} built, "
                                f"{theirs[table][0][column]!r} written"
                            )
                rows.append(theirs)
            first, second = rows
            for table, row_columns in columns.items():
                for column, value in first[table][0].items():
                    if column not in row_columns and not same(value, second[table][0][column]):
                        return f"{table}.{column} differs between two lines and is not built here"
        return None

    @api.model
    def _osmd_bulk_partners(self, vals_list):
        partners = self.env["res.partner"].browse({vals["partner_id"] for vals in vals_list if vals.get("partner_id")})
        partners.fetch(["commercial_partner_id", "display_name"])
        return {partner.id: partner for partner in partners}

    @api.model
    def _osmd_bulk_insert(self, statement, journal, groups, by_index, vals_list, bulk):
        """COPY the lines ``bulk`` (indexes in ``vals_list``), numbered after the references; return {index: line}."""
        Move = self.env["account.move"]
        cr = self.env.cr
        partners = self._osmd_bulk_partners([vals_list[index] for index in bulk])
        group_of = {index: key for key, indexes in groups.items() for index in indexes}
        # numbers: per sequence prefix, after the last reference's
        references = {}
        for line in by_index.values():
            move = line.move_id
            if (
                move.sequence_prefix not in references
                or move.sequence_number > references[move.sequence_prefix].sequence_number
            ):
                references[move.sequence_prefix] = move
        prefix_of = {key: by_index[indexes[0]].move_id.sequence_prefix for key, indexes in groups.items()}
        counts = defaultdict(int)
        for index in bulk:
            counts[prefix_of[group_of[index]]] += 1
        for prefix, count in counts.items():
            problem = Move._osmd_bulk_check_names(count, {"last_reference": references[prefix]})
            if problem:
                raise UserError(
                    self.env._(
                        "The bank lines cannot be numbered in their journal's sequence: %(problem)s", problem=problem
                    )
                )
        next_number = {prefix: move.sequence_number for prefix, move in references.items()}
        move_ids = next_ids(cr, "account_move", len(bulk))
        st_ids = next_ids(cr, "account_bank_statement_line", len(bulk))
        line_ids = next_ids(cr, "account_move_line", 2 * len(bulk))
        tables = defaultdict(lambda: defaultdict(list))  # group -> table -> rows
        for position, index in enumerate(bulk):
            key = group_of[index]
            prefix = prefix_of[key]
            next_number[prefix] += 1
            number = next_number[prefix]
            name = Move._osmd_sequence_name(references[prefix], number)
            ids = (move_ids[position], st_ids[position], line_ids[2 * position], line_ids[2 * position + 1])
            for table, rows in self._osmd_bulk_rows(vals_list[index], journal, ids, name, number, partners).items():
                tables[key][table] += rows
        for key, by_table in tables.items():
            template = self._osmd_reference_rows(by_index[groups[key][0]])
            # the entry and its statement line point to each other: the entry's link is written after both exist
            moves = [{**row, "statement_line_id": None} for row in by_table["account_move"]]
            Move._osmd_copy_rows("account_move", template["account_move"][0], moves)
            for table in ("account_bank_statement_line", "liquidity", "counterpart"):
                target = table if table.startswith("account_") else "account_move_line"
                Move._osmd_copy_rows(target, template[table][0], by_table[table])
        # joined with unnest(): a 10 000-element ``= ANY`` makes PostgreSQL scan instead of hashing (15 s)
        cr.execute(
            SQL(
                "UPDATE account_move m SET statement_line_id = s.id "
                "FROM account_bank_statement_line s JOIN unnest(%s::int[]) AS new(id) ON s.move_id = new.id "
                "WHERE m.id = s.move_id",
                move_ids,
            )
        )
        Move._osmd_check_balanced(move_ids)
        for prefix, move in references.items():
            sequence_format, format_values = move._get_sequence_format_param(move.name)
            cache = move._get_sequence_cache()
            key_values = {key: value for key, value in format_values.items() if key != "seq"}
            index_value = move._sequence_index and move[move._sequence_index]
            cache[(sequence_format.format(**key_values, seq=0), index_value)] = next_number[prefix]
        Move._osmd_bulk_modified(move_ids, line_ids)
        st_lines = self.browse(st_ids)
        stored = [field for field in self._fields.values() if field.store]
        with self.env.protecting(stored, st_lines):
            st_lines.modified(list(self._fields), create=True)
        return dict(zip(bulk, st_lines, strict=True))


def same(ours, theirs):
    """Whether a value built here equals the one read from the database."""
    if isinstance(ours, float) or isinstance(theirs, float):
        return ours is not None and theirs is not None and round(float(ours) - float(theirs), 6) == 0
    if ours in (None, False, "") and theirs in (None, False, ""):
        return True
    return ours == theirs
