"""The statements of other banks read through OCA's saved column mapping (account_statement_import_sheet_file)
survive hostile files: a clear error (UserError), never another exception, and nothing written (issue #15).

OCA's parser is not ours, but our accountants upload through it: the property is checked on its wizard, with a
fixed seed and OSMD_FUZZ_SHEET_INPUTS files (200 in the README's test command).
"""

import logging
import os
import random

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PaymentsCommon, ua_iban

_logger = logging.getLogger(__name__)

INPUTS = int(os.environ.get("OSMD_FUZZ_SHEET_INPUTS", "200"))
HOSTILE = (
    "",
    "-",
    "abc",
    "1e308",
    "NaN",
    "-inf",
    "9" * 400,
    "1 000 000,001",
    "75.00",
    "31.02.2026",
    "2026-04-10",
    "99.99.9999",
    "=1+1",
    "\x00",
    '"',
    "а" * 5000,
    ";;;;",
)


@tagged("post_install", "-at_install")
class TestSheetImportFuzz(PaymentsCommon):
    @mute_logger("odoo.addons.account_statement_import_sheet_file.models.account_statement_import_sheet_parser")
    def test_hostile_csv_through_a_saved_mapping(self):
        mapping = self._ifobs_mapping()
        payer = ua_iban("320478", "26209999999999")
        header = ["ID", "Дата", "Сума", "Платник", "Рахунок платника", "Призначення"]
        rnd = random.Random(15)
        outcomes = {"imported": 0, "refused": 0}
        for index in range(INPUTS):
            rows = [list(header)] + [
                [f"F{index}-{n}", "10.04.2026", "75,00", "КОВАЛЬ", payer, f"о/р {self.account2.number}"]
                for n in range(3)
            ]
            for _ in range(rnd.randint(1, 3)):
                row = rnd.choice(rows)
                row[rnd.randrange(len(row))] = rnd.choice(HOSTILE)
            data = ("\r\n".join(";".join(row) for row in rows) + "\r\n").encode("cp1251", "replace")
            if rnd.random() < 0.3:
                data = data[: rnd.randrange(len(data) + 1)] + bytes(
                    rnd.randrange(256) for _ in range(rnd.randint(0, 8))
                )
            before = self.env["account.bank.statement.line"].search_count([])
            try:
                with self.env.cr.savepoint():
                    self._import(data, filename=f"ifobs_{index}.csv", mapping=mapping)
            except UserError:
                outcomes["refused"] += 1
                self.assertEqual(self.env["account.bank.statement.line"].search_count([]), before, data[:200])
            else:
                outcomes["imported"] += 1
        self.assertTrue(outcomes["refused"] and outcomes["imported"], outcomes)
        self.assertLedgerBalanced()
        _logger.info(
            "fuzz OCA sheet mapping: %s inputs, %s imported, %s refused, 0 crashes", INPUTS, *outcomes.values()
        )
