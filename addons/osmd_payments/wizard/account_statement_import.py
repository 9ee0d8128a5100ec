import logging
import re

from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..models.online_bank_statement_provider import statement_line_vals
from ..tools import statements as parsers

_logger = logging.getLogger(__name__)

FORMAT_LABELS = {
    "clientbank": "1C ClientBankExchange",
    "privat_csv": "ПриватБанк CSV",
    "privat_xlsx": "ПриватБанк XLSX",
    "privat_json": "ПриватБанк Автоклієнт",
    "oschad_csv": "Ощадбанк CSV",
    "mono_json": "monobank",
}


class AccountStatementImport(models.TransientModel):
    _inherit = "account.statement.import"

    # ------------------------------------------------------------
    # PARSING: the Ukrainian formats first, then the other modules' (sheet mappings, ...)
    # ------------------------------------------------------------

    def _parse_file(self, data_file):
        if "sheet_mapping_id" in self._fields and self.sheet_mapping_id:
            return super()._parse_file(data_file)
        try:
            statements = parsers.parse_file(data_file, self.statement_filename or "")
        except parsers.ParseError as error:
            if getattr(error, "unsupported", False):
                return super()._parse_file(data_file)
            raise UserError(self._osmd_error_text(error)) from error
        return [self._osmd_statement_data(statement) for statement in statements]

    def _osmd_error_text(self, error):
        """The parser's message in the user's language, naming the line of the file."""
        # the messages are marked with _lt() in tools/statements.py
        message = self.env._(error.message, **{"row": error.row, **error.params})  # pylint: disable=translation-not-lazy
        filename = self.statement_filename or self.env._("the file")
        return self.env._("%(file)s: %(message)s", file=filename, message=message)

    def _osmd_statement_data(self, statement):
        """One parsed statement as the (currency, account number, statements) triplet of the OCA framework."""
        transactions = [statement_line_vals(tx) for tx in statement.transactions]
        dates = [tx.date for tx in statement.transactions]
        date_from = statement.date_from or (min(dates) if dates else None)
        date_to = statement.date_to or (max(dates) if dates else None)
        label = FORMAT_LABELS.get(statement.format, statement.format)
        name = label
        if date_from and date_to:
            name = f"{label} {date_from.strftime('%d.%m.%Y')}–{date_to.strftime('%d.%m.%Y')}"
        vals = {"name": name, "date": date_to, "transactions": transactions}
        if statement.balance_start is not None:
            vals["balance_start"] = float(statement.balance_start)
        if statement.balance_end is not None:
            vals["balance_end_real"] = float(statement.balance_end)
        return statement.currency or "UAH", statement.own_iban or None, [vals]

    # ------------------------------------------------------------
    # JOURNAL: the statement must be for the association's own account
    # ------------------------------------------------------------

    @api.model
    def _match_journal(self, account_number, currency):
        if account_number:
            iban = re.sub(r"\s+", "", account_number).upper()
            journals = (
                self.env["account.journal"]
                .sudo()
                .search(Domain("type", "=", "bank") & Domain("bank_account_id.sanitized_acc_number", "=", iban))
            )
            allowed = journals.filtered(lambda journal: journal.company_id in self.env.companies)
            if journals and not allowed:
                raise UserError(
                    self.env._(
                        "The statement is for the account %(iban)s, which is not a bank account of your association. "
                        "Nothing was imported.",
                        iban=iban,
                    )
                )
            if not journals:
                raise UserError(
                    self.env._(
                        "The statement is for the account %(iban)s, which is not the bank account of any bank "
                        "journal of %(company)s. Set the IBAN on the association's bank journal first. Nothing was "
                        "imported.",
                        iban=iban,
                        company=self.env.company.name,
                    )
                )
        wizard = self
        if not account_number and not self.env.context.get("journal_id") and self.env.company.osmd_bank_journal_id:
            # a format without the account (monobank): the association's bank journal
            wizard = self.with_context(journal_id=self.env.company.osmd_bank_journal_id.id)
        journal = super(AccountStatementImport, wizard)._match_journal(account_number, currency)
        if journal.company_id != self.env.company:
            raise UserError(
                self.env._(
                    "The statement is for %(journal)s of %(company)s: switch to that association to import it. "
                    "Nothing was imported.",
                    journal=journal.display_name,
                    company=journal.company_id.name,
                )
            )
        return journal

    # ------------------------------------------------------------
    # MATCHING AND CREATION
    # ------------------------------------------------------------

    def _complete_stmts_vals(self, stmts_vals, journal, account_number):
        stmts_vals = super()._complete_stmts_vals(stmts_vals, journal, account_number)
        self.env["account.bank.statement.line"]._osmd_match_vals(
            journal.company_id, [lvals for st_vals in stmts_vals for lvals in st_vals["transactions"]]
        )
        return stmts_vals

    def _create_bank_statements(self, stmts_vals, result):
        """As the OCA framework does, with one query for the transactions imported before (not one per line), and
        the automatic reconciliation of the matched payments afterwards."""
        Line = self.env["account.bank.statement.line"]
        ids = [
            lvals["unique_import_id"]
            for st in stmts_vals
            for lvals in st["transactions"]
            if lvals.get("unique_import_id")
        ]
        existing = set()
        if ids:
            self.env.cr.execute(
                SQL("SELECT unique_import_id FROM account_bank_statement_line WHERE unique_import_id = ANY(%s)", ids)
            )
            existing = {row[0] for row in self.env.cr.fetchall()}
        statement_ids, ignored = [], 0
        for st_vals in stmts_vals:
            new_lines = []
            for lvals in st_vals["transactions"]:
                if lvals.get("unique_import_id") in existing:
                    ignored += 1
                    if "balance_start" in st_vals:
                        st_vals["balance_start"] += float(lvals["amount"])
                    continue
                if lvals.get("unique_import_id"):
                    existing.add(lvals["unique_import_id"])
                new_lines.append(lvals)
            if not new_lines:
                continue
            for sequence, lvals in enumerate(new_lines, start=1):
                lvals.setdefault("sequence", sequence)
            st_vals.pop("transactions", None)
            context = st_vals.pop("creation_context", {})
            Statement = self.env["account.bank.statement"].with_context(**context, mail_create_nolog=True)
            statement = Statement.create(st_vals)
            Line.with_context(**context, mail_create_nolog=True)._osmd_create_lines(statement, new_lines)
            statement_ids.append(statement.id)
        if not statement_ids:
            return False
        result["statement_ids"].extend(statement_ids)
        lines = Line.search(Domain("statement_id", "in", statement_ids))
        lines._osmd_after_import()
        if ignored:
            result["notifications"].append(
                self.env._("%(count)s payments of the file had been imported before and were skipped.", count=ignored)
            )
        counts = {state: 0 for state in ("auto", "todo", "none")}
        for line in lines:
            counts[line.osmd_match_state] = counts.get(line.osmd_match_state, 0) + 1
        result["notifications"].append(
            self.env._(
                "%(lines)s payments imported: %(auto)s matched to personal accounts and reconciled, %(todo)s to "
                "review, %(none)s not from residents.",
                lines=len(lines),
                auto=counts["auto"],
                todo=counts["todo"],
                none=counts["none"],
            )
        )
        return True
