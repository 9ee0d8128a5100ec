import base64
from datetime import date

from odoo.fields import Command

from odoo.addons.osmd_billing.tests.common import BillingCommon


def ua_iban(mfo, account):
    """A Ukrainian IBAN with correct check digits for bank code ``mfo`` (6 digits) and ``account`` (≤ 19 digits)."""
    bban = f"{mfo:0>6}{account:0>19}"
    number = int(bban + "3010" + "00")  # U=30, A=10
    return f"UA{98 - number % 97:02d}{bban}"


class PaymentsCommon(BillingCommon):
    """Association A (and B) with a bank journal on their IBAN, and helpers to post invoices of personal
    accounts and to import 1C ClientBankExchange statements."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading("ua_psbo", cls.company_b, install_demo=False)
        cls.iban_a = ua_iban("305299", "26001000012345")
        cls.iban_b = ua_iban("305299", "26001000067890")
        cls.company_a.osmd_edrpou = "43210989"
        cls.company_a.osmd_iban = cls.iban_a
        cls.company_b.osmd_iban = cls.iban_b
        cls.journal_a = cls.company_a.osmd_bank_journal_id or cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company_a.id)], limit=1
        )
        cls.journal_b = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.account_b1 = cls.data_b["accounts"][0]
        cls.accountant_b = cls.users_b["accountant"]
        cls.chairman_b = cls.users_b["chairman"]
        cls.doc_seq = 0

    @classmethod
    def _invoice(cls, account, amount, due, period=None, company=None):
        company = company or cls.company_a
        product = (
            cls.svc_maint
            if company == cls.company_a
            else cls.env["product.product"].create(
                {"name": "Утримання Б", "osmd_basis": "area_total", "company_id": company.id}
            )
        )
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": account.holder_id.id,
                    "osmd_account_id": account.id,
                    "invoice_date": period or date(due.year, due.month, 1),
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create({"product_id": product.id, "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _doc(
        self,
        amount,
        purpose,
        day=date(2026, 4, 10),
        payer_iban=None,
        payer_code="3012345678",
        payer="ПЕТРЕНКО ІВАН",
        own_iban=None,
        outgoing=False,
        number=None,
    ):
        type(self).doc_seq += 1
        own = own_iban or self.iban_a
        payer_iban = payer_iban or ua_iban("320649", f"2620{int(number or self.doc_seq):010d}")
        side_payer = (own, "ОСББ", "43210989") if outgoing else (payer_iban, payer, payer_code)
        side_payee = (payer_iban, payer, payer_code) if outgoing else (own, "ОСББ", "43210989")
        return "\n".join(
            [
                "СекцияДокумент=Платіжне доручення",
                f"Номер={number or self.doc_seq}",
                f"Дата={day.strftime('%d.%m.%Y')}",
                f"Сумма={amount}",
                f"ПлательщикСчет={side_payer[0]}",
                f"Плательщик={side_payer[1]}",
                f"ПлательщикОКПО={side_payer[2]}",
                "ПлательщикМФО=320649",
                f"ПолучательСчет={side_payee[0]}",
                f"Получатель={side_payee[1]}",
                f"ПолучательОКПО={side_payee[2]}",
                "ПолучательМФО=305299",
                f"НазначениеПлатежа={purpose}",
                f"ДатаПоступило={day.strftime('%d.%m.%Y')}",
                "КонецДокумента",
            ]
        )

    def _file(self, docs, own_iban=None):
        own = own_iban or self.iban_a
        head = [
            "1CClientBankExchange",
            "ВерсияФормата=1.03",
            "Кодировка=Windows",
            "Отправитель=Бухгалтерия",
            "Получатель=",
            "ДатаСоздания=11.04.2026",
            "ДатаНачала=01.04.2026",
            "ДатаКонца=30.04.2026",
            f"РасчСчет={own}",
        ]
        return ("\r\n".join(head + [d.replace("\n", "\r\n") for d in docs] + ["КонецФайла", ""])).encode("cp1251")

    def _import(self, data, user=None, journal=None, filename="kb_to_1c.txt", mapping=None):
        user = user or self.accountant
        journal = journal or self.journal_a
        vals = {"statement_file": base64.b64encode(data), "statement_filename": filename}
        if mapping:
            vals["sheet_mapping_id"] = mapping.id
        wizard = (
            self.env["account.statement.import"]
            .with_user(user)
            .with_company(journal.company_id)
            .with_context(journal_id=journal.id)
            .create(vals)
        )
        return wizard.import_file_button()

    def _ifobs_mapping(self):
        """OCA's saved column mapping of an iFOBS-style CSV (another bank's statement)."""
        return self.env["account.statement.import.sheet.mapping"].create(
            {
                "name": "iFOBS Укргазбанк",
                "file_encoding": "windows-1251",
                "delimiter": "semicolon",
                "float_decimal_sep": "comma",
                "float_thousands_sep": "none",
                "timestamp_format": "%d.%m.%Y",
                "timestamp_column": "Дата",
                "amount_column": "Сума",
                "description_column": "Призначення",
                "partner_name_column": "Платник",
                "bank_account_column": "Рахунок платника",
                "transaction_id_column": "ID",
            }
        )

    def _lines(self, journal=None):
        return self.env["account.bank.statement.line"].search(
            [("journal_id", "=", (journal or self.journal_a).id)], order="id"
        )

    def assertLedgerBalanced(self, company=None):
        company = company or self.company_a
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT COALESCE(SUM(debit), 0) - COALESCE(SUM(credit), 0), COUNT(*) FROM account_move_line "
            "WHERE company_id = %s AND parent_state = 'posted'",
            [company.id],
        )
        diff, _count = self.env.cr.fetchone()
        self.assertAlmostEqual(diff, 0.0, places=2)
        self.env.cr.execute(
            "SELECT move_id FROM account_move_line WHERE company_id = %s GROUP BY move_id "
            "HAVING ROUND(SUM(debit) - SUM(credit), 2) != 0",
            [company.id],
        )
        self.assertFalse(self.env.cr.fetchall(), "unbalanced entries")
