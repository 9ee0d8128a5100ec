import base64
import re
from datetime import date
from decimal import Decimal

import zxingcpp  # QR decoder from PyPI (requirements-dev.txt): the test never skips
from lxml import html as lxml_html

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from ..tools.formatting import fmt_number
from ..tools.nbu_qr import parse_link, parse_payload
from ..tools.qr_image import CIRCLE_SHARE, open_png
from .common import PERIOD, BillingCommon

REPORT = "osmd_billing.action_report_osmd_receipt"
RECEIPTS = "report.osmd_billing.report_receipt"
IBAN = "UA213223130000026007233566001"
EDRPOU = "32855961"
DATA_URI = re.compile(r"^data:image/png;base64,(.+)$")


@tagged("post_install", "-at_install", "osmd")
class TestReceipt(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        # documents of an association are in its language
        cls.company_a.partner_id.lang = "uk_UA"
        cls.company_a.write({"osmd_edrpou": EDRPOU, "osmd_iban": IBAN, "street": "вул. Хрещатик, 10", "city": "Київ"})
        cls.bank_journal = cls.company_a.osmd_bank_journal_id
        # history of account 1: January 500 and February 1 000 billed; 300 paid in February (on the February
        # invoice), 500 paid on 10 March and 100 on 5 April (both on the February invoice)
        cls.jan1 = cls._invoice(cls.account1, date(2026, 1, 1), 500)
        cls.feb1 = cls._invoice(cls.account1, date(2026, 2, 1), 1000)
        cls.feb2 = cls._invoice(cls.account2, date(2026, 2, 1), 300)
        cls._pay(cls.feb1, 300, date(2026, 2, 20))
        cls._pay(cls.feb1, 500, date(2026, 3, 10))
        cls._pay(cls.feb1, 100, date(2026, 4, 5))
        run = cls._create_run()
        run.action_compute()
        run.action_post()
        cls.mar1 = run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account1)
        cls.mar2 = run.move_ids.filtered(lambda m: m.osmd_account_id == cls.account2)
        cls.env = cls.env(context=dict(cls.env.context, lang="uk_UA"))

    @classmethod
    def _invoice(cls, account, period, amount, move_type="out_invoice", accrual=True, day=None):
        move = (
            cls.env["account.move"]
            .with_company(cls.company_a)
            .create(
                {
                    "move_type": move_type,
                    "company_id": cls.company_a.id,
                    "partner_id": account.holder_id.id,
                    "invoice_date": day or date(period.year, period.month, 28),
                    "date": day or date(period.year, period.month, 28),
                    "osmd_account_id": account.id,
                    "osmd_period": period,
                    "osmd_is_accrual": accrual,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": cls.svc_maint.id,
                                "name": f"Утримання за {period:%m.%Y}",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount, day):
        """A bank payment entry (not tagged with a personal account) reconciled with ``invoice``."""
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        payment = (
            cls.env["account.move"]
            .with_company(cls.company_a)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": cls.bank_journal.id,
                    "date": day,
                    "ref": f"Оплата {amount}",
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": cls.bank_journal.default_account_id.id,
                                "partner_id": invoice.partner_id.id,
                                "debit": amount,
                            }
                        ),
                        Command.create(
                            {
                                "account_id": receivable.account_id.id,
                                "partner_id": invoice.partner_id.id,
                                "credit": amount,
                            }
                        ),
                    ],
                }
            )
        )
        payment.action_post()
        (receivable + payment.line_ids.filtered(lambda line: line.account_id == receivable.account_id)).reconcile()
        return payment

    def _receipts(self, moves, user=None):
        return self.env[RECEIPTS].with_user(user or self.accountant)._get_report_values(moves.ids)["receipts"]

    def _html(self, moves, user=None):
        content = (
            self.env["ir.actions.report"].with_user(user or self.accountant)._render_qweb_html(REPORT, moves.ids)[0]
        )
        return lxml_html.fromstring(content)

    # ------------------------------------------------------------
    # amount in words
    # ------------------------------------------------------------

    def test_amount_to_text_uah_ukrainian(self):
        uah = self.env.ref("base.UAH").with_context(lang="uk_UA")
        expected = {
            1: "Одна гривня 00 копійок",
            2: "Дві гривні 00 копійок",
            5: "П'ять гривень 00 копійок",
            21: "Двадцять одна гривня 00 копійок",
            1000000.01: "Один мільйон гривень 01 копійка",
        }
        for amount, text in expected.items():
            with self.subTest(amount=amount):
                self.assertEqual(uah.amount_to_text(amount), text)
        # other languages and currencies keep Odoo's own wording
        self.assertIn("Two", uah.with_context(lang="en_US").amount_to_text(2))
        eur = self.env.ref("base.EUR").with_context(lang="uk_UA")
        self.assertNotIn("гривн", eur.amount_to_text(2))

    # ------------------------------------------------------------
    # ledger figures
    # ------------------------------------------------------------

    def test_ledger_figures(self):
        receipt = self._receipts(self.mar1)[0]
        accrued = Decimal(str(self.mar1.amount_total)).quantize(Decimal("0.01"))
        # opening: 500 (January) + 1 000 (February) − 300 paid in February; the April payment is ignored
        self.assertEqual(receipt["opening"], Decimal("1200.00"))
        self.assertEqual(receipt["accrued"], accrued)
        self.assertEqual(
            [(row["date"], row["amount"]) for row in receipt["payments"]], [(date(2026, 3, 10), Decimal("500.00"))]
        )
        self.assertEqual(receipt["paid"], Decimal("500.00"))
        self.assertEqual(receipt["due"], Decimal("1200.00") + accrued - Decimal("500.00"))
        self.assertFalse(receipt["overpayment"])
        self.assertFalse(receipt["adjustments"])
        self.assertEqual(receipt["period_label"], "березень 2026")
        # the due equals the ledger balance of the account's receivable at the end of the period
        # (its own items plus the reconciled payments dated up to then)
        own = self.env["account.move.line"].search(
            [
                ("move_id.osmd_account_id", "=", self.account1.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("date", "<=", "2026-03-31"),
            ]
        )
        self.assertEqual(Decimal(str(sum(own.mapped("balance")))) - 800, receipt["due"])

    def test_batch_equals_single(self):
        moves = self.jan1 | self.feb1 | self.feb2 | self.mar1 | self.mar2
        together = self._receipts(moves)
        for move, receipt in zip(moves, together, strict=True):
            single = self._receipts(move)[0]
            with self.subTest(move=move.name):
                self.assertEqual(receipt["move"], move)
                for key in ("opening", "accrued", "paid", "due", "overpayment"):
                    self.assertEqual(receipt[key], single[key], key)
        self.assertEqual(together[1]["opening"], Decimal("500.00"), "February opens with January's debt")
        self.assertEqual(together[1]["paid"], Decimal("300.00"))

    def test_overpayment_and_recalculation(self):
        credit = self._invoice(
            self.account2, PERIOD, 5000, move_type="out_refund", accrual=False, day=date(2026, 3, 15)
        )
        receipt = self._receipts(self.mar2)[0]
        balance = Decimal("300.00") + receipt["accrued"] - Decimal("5000.00")
        self.assertLess(balance, 0)
        self.assertEqual([row["name"] for row in receipt["adjustments"]], [credit.name])
        self.assertEqual(receipt["due"], Decimal(0))
        self.assertEqual(receipt["overpayment"], -balance)
        self.assertEqual(receipt["due_words"], "Нуль гривень 00 копійок")
        self.assertEqual(parse_payload(receipt["qr_payload"])["amount"], "UAH0.00")
        text = self._html(self.mar2).text_content()
        self.assertIn(credit.name, text)
        self.assertIn(fmt_number(-balance, 2), text)

    # ------------------------------------------------------------
    # QR code
    # ------------------------------------------------------------

    def test_qr_payload_and_image(self):
        receipt = self._receipts(self.mar1)[0]
        payload = receipt["qr_payload"]
        self.assertTrue(payload.endswith("\n"))
        self.assertEqual(
            parse_payload(payload),
            {
                "tag": "BCD",
                "version": "002",
                "encoding": "1",
                "function": "UCT",
                "bic": "",
                "name": self.company_a.name,
                "iban": IBAN,
                "amount": f"UAH{receipt['due']:.2f}",
                "code": EDRPOU,
                "purpose_code": "",
                "reference": "",
                "purpose": f"Оплата внесків ОСББ, о/р {self.account1.number}, березень 2026",
                "display": "",
            },
        )
        match = DATA_URI.match(receipt["qr_src"])
        self.assertTrue(match)
        image = open_png(base64.b64decode(match.group(1))).convert("RGB")
        results = zxingcpp.read_barcodes(image)
        # the image holds the NBU link (what phone cameras and banking apps open), the link the data string
        link = receipt["qr_link"]
        self.assertEqual([result.text for result in results], [link], "the QR decodes back to the payment link")
        self.assertTrue(link.startswith("https://bank.gov.ua/qr/") and "=" not in link)
        self.assertEqual(parse_link(results[0].text), payload)
        self.assertEqual(results[0].ec_level, "Q")
        self.assertTrue(10 <= int(results[0].extra["Version"]) <= 20)
        # the hryvnia sign: a white circle in the centre with the black sign's spine through the middle
        width = image.size[0]
        centre = width // 2
        self.assertEqual(image.getpixel((centre, centre)), (0, 0, 0))
        radius = (width - 2 * 4 * 6) * CIRCLE_SHARE / 2  # default border 4 modules of 6 px
        ring = [
            image.getpixel((round(centre + fx * radius), round(centre + fy * radius)))
            for fx, fy in ((0, -0.9), (0, 0.9), (-0.8, 0), (0.8, 0), (-0.6, -0.6), (0.6, 0.6))
        ]
        self.assertEqual(set(ring), {(255, 255, 255)}, "the sign sits in a white circle")
        self.assertEqual(
            base64.urlsafe_b64decode(receipt["qr_link"].removeprefix("https://bank.gov.ua/qr/") + "==").decode(),
            payload,
        )

    def test_qr_purpose_by_association_kind(self):
        for kind, label in (
            ("zhbk", "Оплата внесків ЖБК"),
            ("management", "Оплата послуг з управління будинком"),
            (False, "Оплата житлово-комунальних послуг"),
        ):
            with self.subTest(kind=kind):
                self.company_a.osmd_kind = kind
                receipt = self._receipts(self.mar1)[0]
                purpose = f"{label}, о/р {self.account1.number}, березень 2026"
                self.assertEqual(receipt["purpose"], purpose)
                self.assertEqual(parse_payload(parse_link(receipt["qr_link"]))["purpose"], purpose)

    def test_missing_iban_prints_without_qr(self):
        self.company_a.osmd_edrpou = False
        receipt = self._receipts(self.mar1)[0]
        self.assertFalse(receipt["qr_src"])
        self.assertIn("code", receipt["qr_error"])

    # ------------------------------------------------------------
    # report
    # ------------------------------------------------------------

    def test_receipt_html(self):
        doc = self._html(self.mar1)
        receipt = self._receipts(self.mar1)[0]
        text = doc.text_content()
        self.assertEqual(
            doc.xpath("//*[contains(@class, 'o_osmd_receipt_account')]")[0].text_content(), self.account1.number
        )
        self.assertEqual(doc.xpath("//*[contains(@class, 'o_osmd_receipt_period')]")[0].text_content(), "березень 2026")
        lines = self.mar1.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        self.assertGreaterEqual(len(lines), 3)
        explanations = [
            node.text_content() for node in doc.xpath("//td[contains(@class, 'o_osmd_receipt_explanation')]")
        ]
        # the service is in its own column: the explanation column does not repeat "<service>: "
        self.assertEqual(
            explanations,
            [line.name.removeprefix(f"{line.product_id.name}: ") for line in lines],
            "every invoice line is printed with its explanation",
        )
        self.assertTrue(all(line.name.startswith(f"{line.product_id.name}: ") for line in lines))
        self.assertFalse(any(text.startswith(f"{lines[0].product_id.name}:") for text in explanations))
        self.assertEqual(
            doc.xpath("//*[contains(@class, 'o_osmd_receipt_due')]")[0].text_content(), fmt_number(receipt["due"], 2)
        )
        self.assertEqual(
            doc.xpath("//*[contains(@class, 'o_osmd_receipt_opening')]")[0].text_content(), "1\u00a0200,00"
        )
        self.assertIn(receipt["due_words"], text)
        self.assertIn(self.company_a.name, text)
        self.assertIn(EDRPOU, text)
        self.assertIn(IBAN, text)
        self.assertIn(self.account1.holder_id.name, text)
        self.assertIn(f"{self.premises[0].display_name} (вул. Хрещатик, 10, Київ)", text)
        self.assertIn(receipt["qr_link"], text, "the payment link is printed under the QR code")
        images = doc.xpath("//img[contains(@class, 'o_osmd_receipt_qr_img')]")
        self.assertEqual([img.get("src") for img in images], [receipt["qr_src"]])

    def test_two_receipts_per_page(self):
        moves = self.jan1 | self.feb1 | self.feb2 | self.mar1 | self.mar2
        doc = self._html(moves)
        pages = doc.xpath("//div[contains(@class, 'o_osmd_receipt_page')]")
        self.assertEqual(len(pages), 3)
        self.assertEqual([len(page.xpath(".//div[@data-move-id]")) for page in pages], [2, 2, 1])
        self.assertEqual(
            [int(node.get("data-move-id")) for node in doc.xpath("//div[@data-move-id]")], moves.ids, "print order kept"
        )

    def test_other_association_refused(self):
        with self.assertRaises(AccessError):
            self._html(self.mar1, user=self.users_b["accountant"])
        with self.assertRaises(AccessError):
            self._receipts(self.mar1, user=self.users_b["accountant"])

    def test_only_posted_accruals(self):
        other = self._invoice(self.account1, date(2026, 4, 1), 10, accrual=False)
        with self.assertRaises(UserError):
            self._html(other)

    def test_print_from_accounts(self):
        Receipts = self.env[RECEIPTS].with_user(self.accountant)
        action = Receipts._action_print_for_accounts(self.account1 | self.account2)
        self.assertEqual(action["report_name"], "osmd_billing.report_receipt")
        self.assertEqual(action["context"]["active_ids"], (self.mar1 | self.mar2).ids, "the last billed period")
        action = Receipts.with_context(osmd_period=date(2026, 2, 1))._action_print_for_accounts(self.account1)
        self.assertEqual(action["context"]["active_ids"], self.feb1.ids)
        with self.assertRaises(UserError):
            Receipts._action_print_for_accounts(self.account1, period=date(2025, 1, 1))
        # the Print menu entry of personal accounts
        server_action = self.env.ref("osmd_billing.action_osmd_account_print_receipt").with_user(self.accountant)
        action = server_action.with_context(active_model="osmd.account", active_ids=self.account2.ids).run()
        self.assertEqual(action["context"]["active_ids"], self.mar2.ids)

    # ------------------------------------------------------------
    # e-mail
    # ------------------------------------------------------------

    def test_invoice_mail_attaches_receipt(self):
        filename = f"Receipt {self.account1.number} 03.2026.pdf"
        self.assertEqual(
            self.mar1.with_context(lang="en_US")._get_invoice_report_filename(report=self.env.ref(REPORT)), filename
        )
        sender = self.env["account.move.send"].with_context(lang="en_US", mail_notify_force_send=False)
        self.assertEqual(sender._get_default_pdf_report_id(self.mar1), self.env.ref(REPORT))
        sender._generate_and_send_invoices(self.mar1, sending_methods={"email"})
        names = self.mar1.message_ids.attachment_ids.mapped("name")
        self.assertEqual(names, [filename], "the receipt is the invoice's PDF, Odoo's generic invoice is not sent")
        self.assertEqual(self.mar1.invoice_pdf_report_id.name, filename)
        # the receipt's e-mail, in the document language whatever the sender's: the period in words
        message = self.mar1.message_ids.filtered("attachment_ids")
        self.assertIn("березень 2026", message.subject)
        self.assertIn(self.account1.number, message.subject)
        self.assertIn("березень 2026", message.body)
        self.assertIn(self.mar1.invoice_date_due.strftime("%d.%m.%Y"), message.body)
        # an ordinary invoice gets no receipt
        other = self._invoice(self.account1, date(2026, 4, 1), 10, accrual=False)
        sender._generate_and_send_invoices(other, sending_methods={"email"})
        self.assertFalse(
            [name for name in other.message_ids.attachment_ids.mapped("name") if name.startswith("Receipt")]
        )

    # ------------------------------------------------------------
    # default print and sending
    # ------------------------------------------------------------

    def test_print_button_prints_receipt(self):
        action = self.mar1.with_user(self.accountant).action_print_pdf()
        self.assertEqual(action["report_name"], "osmd_billing.report_receipt")
        self.assertEqual(action["context"]["active_ids"], self.mar1.ids)
        # an ordinary invoice keeps Odoo's invoice
        other = self._invoice(self.account1, date(2026, 4, 1), 10, accrual=False)
        action = other.with_user(self.accountant).action_print_pdf()
        self.assertNotEqual(action.get("report_name"), "osmd_billing.report_receipt")

    def test_print_menu_offers_receipt_not_generic_invoice(self):
        Report = self.env["ir.actions.report"].with_user(self.accountant)
        receipt, generic = self.env.ref(REPORT), self.env.ref("account.account_invoices")
        candidates = (receipt | generic).ids
        valid = Report.browse(candidates).get_valid_action_reports("account.move", (self.mar1 | self.mar2).ids)
        self.assertEqual(valid, receipt.ids)
        other = self._invoice(self.account1, date(2026, 4, 1), 10, accrual=False)
        valid = Report.browse(candidates).get_valid_action_reports("account.move", other.ids)
        self.assertEqual(valid, generic.ids)
        self.assertTrue(receipt.is_invoice_report, "offered by the Send wizard")

    def test_send_several_invoices_one_receipt_each(self):
        sender = self.env["account.move.send"].with_context(mail_notify_force_send=False)
        sender._generate_and_send_invoices(self.mar1 | self.mar2, sending_methods={"email"})
        for move in self.mar1 | self.mar2:
            with self.subTest(move=move.name):
                attachment = move.invoice_pdf_report_id
                self.assertTrue(attachment.name.startswith(f"Receipt {move.osmd_account_id.number} "))
                doc = lxml_html.fromstring(attachment.raw)
                self.assertEqual(
                    [int(node.get("data-move-id")) for node in doc.xpath("//div[@data-move-id]")], move.ids
                )

    def test_send_wizard_defaults_to_receipt(self):
        action = self.mar1.with_user(self.accountant).action_invoice_sent()
        wizard = self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]).create({})
        self.assertEqual(wizard.pdf_report_id, self.env.ref(REPORT))
        self.assertEqual(wizard.template_id, self.env.ref("osmd_billing.mail_template_osmd_receipt"))
        names = [attachment["name"] for attachment in wizard.mail_attachments_widget]
        self.assertEqual(names, [f"Receipt {self.account1.number} 03.2026.pdf"], "the receipt once, no generic invoice")

    def test_period_label(self):
        self.assertEqual(self.mar1.with_context(lang="uk_UA").osmd_period_label, "березень 2026")
        self.assertEqual(self.mar1.with_context(lang="en_US").osmd_period_label, "March 2026")
        form = self.env.ref("osmd_billing.view_move_form")
        self.assertIn("osmd_period_label", form.arch)
        list_arch = (
            self.env["account.move"]
            .with_user(self.accountant)
            .get_view(self.env.ref("account.view_out_invoice_tree").id, "list")["arch"]
        )
        self.assertIn("osmd_period_label", list_arch)

    def test_invoice_lines_show_service(self):
        arch = self.env["account.move"].with_user(self.accountant).get_view(self.env.ref("account.view_move_form").id)
        product = lxml_html.fromstring(arch["arch"]).xpath(
            "//field[@name='invoice_line_ids']/list/field[@name='product_id']"
        )
        self.assertEqual(product[0].get("optional"), "show", "the service of each line, not only its formula")

    # ------------------------------------------------------------
    # receipt contents: language, due date, meters, debts
    # ------------------------------------------------------------

    def test_document_language_not_user_language(self):
        self.env["ir.module.module"]._load_module_terms(["osmd_billing"], ["uk_UA"])
        accountant = self.accountant
        accountant.lang = "en_US"
        receipt = self._receipts(self.mar1.with_context(lang="en_US"), user=accountant)[0]
        self.assertEqual(receipt["lang"], "uk_UA")
        self.assertEqual(receipt["period_label"], "березень 2026")
        content = (
            self.env["ir.actions.report"]
            .with_user(accountant)
            .with_context(lang="en_US")
            ._render_qweb_html(REPORT, self.mar1.ids)[0]
        )
        doc = lxml_html.fromstring(content)
        self.assertEqual(doc.xpath("//*[contains(@class, 'o_osmd_receipt_period')]")[0].text_content(), "березень 2026")
        # the template's own texts too (t-lang), not the English of the user
        head = doc.xpath("//table[contains(@class, 'o_osmd_receipt_head')]")[0].text_content()
        self.assertIn("Особовий рахунок", head)
        self.assertNotIn("Personal account", head)

    def test_pay_by_due_date(self):
        doc = self._html(self.mar1)
        node = doc.xpath("//*[contains(@class, 'o_osmd_receipt_date_due')]")
        self.assertEqual(len(node), 1)
        self.assertIn(self.mar1.invoice_date_due.strftime("%d.%m.%Y"), node[0].text_content())

    def test_meter_readings(self):
        power = self.utility_power.with_context(lang="uk_UA")
        receipts = self._receipts(self.mar1 | self.mar2)
        self.assertEqual(
            [(row["previous"], row["current"], row["consumption"], row["unit"]) for row in receipts[0]["meters"]],
            [(Decimal(132), Decimal(145), Decimal(13), "м³")],
        )
        self.assertIn("123456", receipts[0]["meters"][0]["meter"])
        self.assertEqual(
            [
                (row["zone"], row["previous"], row["current"], row["consumption"], row["unit"])
                for row in receipts[1]["meters"]
            ],
            [
                (power.zone1_name, Decimal(1000), Decimal(1100), Decimal(100), "кВт·год"),
                (power.zone2_name, Decimal(500), Decimal(550), Decimal(50), "кВт·год"),
            ],
        )
        rows = self._html(self.mar1).xpath("//tr[contains(@class, 'o_osmd_receipt_meter')]")
        self.assertEqual(len(rows), 1)
        self.assertEqual(
            [cell.text_content().strip() for cell in rows[0].xpath("./td")][1:],
            ["132", "145", "13 м³"],
        )
        # a period without readings prints no meter table
        self.assertFalse(self._receipts(self.jan1)[0]["meters"])

    def test_meter_readings_and_debts_batch_read(self):
        """Mass printing reads the meters and the debts in the same number of queries for 1 or 5 receipts."""
        Receipts = self.env[RECEIPTS].with_user(self.accountant)

        def count(moves):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            readings = Receipts._read_meter_readings(moves)
            for move in moves:
                Receipts._meter_rows(readings.get((move.osmd_account_id.premise_id.id, move.osmd_period), []), "uk_UA")
            Receipts._read_debts(moves)
            return self.env.cr.sql_log_count - before

        everything = self.jan1 | self.feb1 | self.feb2 | self.mar1 | self.mar2
        count(everything)  # caches of the access rules and languages
        self.assertEqual(count(self.mar1 | self.mar2), count(everything))

    def test_debt_by_service(self):
        # account 1 owes 500 of January and 100 of February (1 000 − 300 − 500 − 100), all maintenance
        receipt = self._receipts(self.mar1)[0]
        self.assertEqual(
            [(row["service"], row["amount"]) for row in receipt["debts"]], [(self.svc_maint, Decimal("600.00"))]
        )
        rows = self._html(self.mar1).xpath("//tr[contains(@class, 'o_osmd_receipt_debt')]")
        self.assertEqual([cell.text_content() for cell in rows[0].xpath("./td")], [self.svc_maint.name, "600,00"])
        # no debt of earlier periods: no table
        self.assertFalse(self._receipts(self.jan1)[0]["debts"])

    def test_audit_prints_receipt(self):
        doc = self._html(self.mar1, user=self.users_a["audit"])
        self.assertTrue(doc.xpath("//tr[contains(@class, 'o_osmd_receipt_meter')]"))

    # ------------------------------------------------------------
    # the audit commission reads, never sends nor pays
    # ------------------------------------------------------------

    def _buttons(self, user, view_xmlid, view_type):
        arch = self.env["account.move"].with_user(user).get_view(self.env.ref(view_xmlid).id, view_type)["arch"]
        return {node.get("name") for node in lxml_html.fromstring(arch).xpath("//button")}

    def test_audit_sees_no_button_it_cannot_use(self):
        audit = self.users_a["audit"]
        forbidden_form = {
            "action_invoice_sent",
            "action_register_payment",
            "action_reverse",
            "button_draft",
            "button_cancel",
            "action_post",
        }
        self.assertFalse(self._buttons(audit, "account.view_move_form", "form") & forbidden_form)
        self.assertIn("action_print_pdf", self._buttons(audit, "account.view_move_form", "form"), "audit prints")
        self.assertIn("action_invoice_sent", self._buttons(self.accountant, "account.view_move_form", "form"))
        # the list's and kanban's Upload (create invoices from files) follows the view's create flag
        for view, view_type in (
            ("account.view_out_invoice_tree", "list"),
            ("account.view_account_move_kanban", "kanban"),
        ):
            with self.subTest(view=view):
                arch = self.env["account.move"].with_user(audit).get_view(self.env.ref(view).id, view_type)["arch"]
                self.assertIn(lxml_html.fromstring(arch).get("create"), ("0", "false", "False"))
        for view in ("account.view_out_invoice_tree", "account.view_out_credit_note_tree"):
            with self.subTest(view=view):
                buttons = self._buttons(audit, view, "list")
                self.assertFalse(buttons & {"action_send_and_print", "action_force_register_payment"})
                self.assertIn("action_send_and_print", self._buttons(self.accountant, view, "list"))

    def test_audit_send_and_pay_refused(self):
        move = self.mar1.with_user(self.users_a["audit"])
        for method in ("action_invoice_sent", "action_send_and_print", "action_force_register_payment"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(move, method)()
        # the accountant still sends
        self.assertEqual(
            self.mar1.with_user(self.accountant).action_send_and_print()["res_model"], "account.move.send.wizard"
        )

    def test_recalculation_document_prints_and_sends_receipt(self):
        # a late reading of account 1's water meter: the recalculation issues an adjustment invoice in April
        self.env["osmd.meter.reading"].create(
            {"meter_id": self.meter_water.id, "date": "2026-03-30", "value1": 150, "state": "confirmed"}
        )
        recalculation = (
            self.env["osmd.recalculation"]
            .with_user(self.accountant)
            .create({"company_id": self.company_a.id, "period": "2026-03-15", "date": "2026-04-15"})
        )
        recalculation.action_compute()
        recalculation.action_post()
        adjustment = recalculation.move_ids
        self.assertEqual(len(adjustment), 1)
        action = adjustment.with_user(self.accountant).action_print_pdf()
        self.assertEqual(action["report_name"], "osmd_billing.report_receipt")
        self.assertEqual(self.env["account.move.send"]._get_default_pdf_report_id(adjustment), self.env.ref(REPORT))
        receipt = self._receipts(adjustment)[0]
        self.assertEqual(receipt["period_label"], "квітень 2026")
        products = adjustment.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        self.assertEqual(receipt["lines"], products)
        self.assertEqual(receipt["accrued"], Decimal(str(adjustment.amount_total)).quantize(Decimal("0.01")))
