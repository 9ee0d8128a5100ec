import base64
import re
from datetime import date, timedelta

from lxml import etree

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_path

from odoo.addons.osmd_payments.tests.common import PaymentsCommon


def _golden(name, **values):
    with open(file_path(f"osmd_payment_gateway/tests/data/easypay/{name}"), encoding="utf-8") as handle:
        text = handle.read()
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _canonical(xml):
    """The answer without its DateTime value, as a comparable string."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    for node in root.iter("DateTime"):
        node.text = None
    return etree.tostring(root, encoding="unicode")


class ProtocolCommon(PaymentsCommon, HttpCase):
    """An agent of association A with its key, and an open invoice of 100 on account 1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        clearing = (
            cls.env["account.account"]
            .with_company(cls.company_a)
            .create({"code": "377191", "name": "EasyPay", "account_type": "asset_current", "reconcile": True})
        )
        cls.agent = cls.env["osmd.payment.agent"].create(
            {
                "name": "EasyPay",
                "company_id": cls.company_a.id,
                "ip_allowlist": "127.0.0.1 ::1",
                "clearing_account_id": clearing.id,
                "journal_id": cls.env["account.journal"]
                .search([("type", "=", "general"), ("company_id", "=", cls.company_a.id)], limit=1)
                .id,
            }
        )
        cls.key = cls.agent.with_user(cls.users_a["chairman"]).action_issue_key()["params"]["message"]
        cls.invoice = cls._invoice(cls.account1, 100.00, date.today() + timedelta(days=10))


@tagged("post_install", "-at_install")
class TestEasyPay(ProtocolCommon):
    """The EasyPay provider protocol 3.1 (biller side) against recorded requests and answers."""

    def _post(self, body, key=None):
        basic = base64.b64encode(f"easypay:{key or self.key}".encode()).decode()
        response = self.url_open(
            "/osmd/easypay/v3",
            data=body.encode(),
            headers={"Authorization": f"Basic {basic}", "Content-Type": "text/xml"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/xml"))
        return response.text

    def _code(self, answer):
        return int(re.search(r"<StatusCode>(-?\d+)</StatusCode>", answer).group(1))

    def test_check_reserve_confirm_as_recorded(self):
        answer = self._post(_golden("check.xml", account=self.account1.number))
        expected = _golden(
            "check_answer.xml",
            holder=self.agent._osmd_check(self.account1.number)["holder"],
            address=self.account1.premise_id.display_name,
        )
        self.assertEqual(_canonical(answer), _canonical(expected))
        # Payment reserves (nothing booked yet), Confirm books it
        answer = self._post(_golden("payment.xml", order="EP-778899", account=self.account1.number, amount="60.25"))
        payment = self.env["osmd.payment.agent.transaction"].search([("txn_id", "=", "EP-778899")])
        self.assertEqual(_canonical(answer), _canonical(_golden("payment_answer.xml", payment=payment.id)))
        self.assertEqual((payment.state, self.invoice.amount_residual), ("pending", 100.00))
        again = self._post(_golden("payment.xml", order="EP-778899", account=self.account1.number, amount="60.25"))
        self.assertEqual(self._code(again), -3, "a repeated Payment is a duplicate, with the same PaymentId")
        self.assertIn(f"<PaymentId>{payment.id}</PaymentId>", again)
        answer = self._post(_golden("confirm.xml", payment=payment.id))
        self.assertEqual(self._code(answer), 0)
        self.assertIn("<OrderDate>", answer)
        self.assertEqual((payment.state, self.invoice.amount_residual), ("paid", 39.75))
        self.assertEqual(self._code(self._post(_golden("confirm.xml", payment=payment.id))), 0, "confirmed twice")
        self.assertEqual(len(payment.move_id), 1)
        self.assertEqual(self.invoice.amount_residual, 39.75)
        # the same order id with another amount
        self.assertEqual(
            self._code(
                self._post(_golden("payment.xml", order="EP-778899", account=self.account1.number, amount="61"))
            ),
            -3,
        )
        # cancelled on the same day: the invoice is open again
        answer = self._post(_golden("cancel.xml", payment=payment.id))
        self.assertEqual(self._code(answer), 0)
        self.assertIn("<CancelDate>", answer)
        self.assertEqual((payment.state, self.invoice.amount_residual), ("cancelled", 100.00))
        self.assertLedgerBalanced()

    def test_refusals_speak_the_protocols_codes(self):
        answer = self._post(_golden("check.xml", account="99999999"))
        self.assertEqual(_canonical(answer), _canonical(_golden("no_account_answer.xml")))
        self.assertEqual(self._code(self._post(_golden("confirm.xml", payment="424242"))), -4)
        self.assertEqual(self._code(self._post(_golden("cancel.xml", payment="abc"))), -4)
        self.assertEqual(self._code(self._post(_golden("check.xml", account=self.account1.number), key="osmd_x")), -5)
        for amount in ("10.001", "-1", "0", "1e9", "сто"):
            answer = self._post(
                _golden("payment.xml", order=f"EP-{amount}", account=self.account1.number, amount=amount)
            )
            self.assertEqual(self._code(answer), -2, amount)
        for body in ("<Request><Check>", "not xml at all", "<Other/>", "<Request><Refund/></Request>"):
            self.assertEqual(self._code(self._post(body)), -2, body)
        # an XML bomb or an external entity is never expanded
        xxe = (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<Request><Check><Account>&x;</Account></Check></Request>"
        )
        answer = self._post(xxe)
        self.assertNotIn("root:", answer)
        self.assertNotEqual(self._code(answer), 0)
        self.assertFalse(self.env["osmd.payment.agent.transaction"].search([]))
        logs = self.env["osmd.payment.agent.log"].search([("protocol", "=", "easypay")])
        self.assertGreaterEqual(len(logs), 10)
        self.assertIn("not_found", logs.mapped("result"))


def _city24(name, **values):
    with open(file_path(f"osmd_payment_gateway/tests/data/city24/{name}"), encoding="utf-8") as handle:
        text = handle.read()
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


@tagged("post_install", "-at_install")
class TestCity24(ProtocolCommon):
    """City24 terminals (commandCall, amounts in kopecks) on the same core."""

    def _call(self, body):
        response = self.url_open("/osmd/city24", data=body.encode(), headers={"Content-Type": "text/xml"})
        self.assertEqual(response.status_code, 200)
        return response.text

    def _result(self, answer):
        return int(re.search(r"<result>(-?\d+)</result>", answer).group(1))

    def test_check_pay_cancel_as_recorded(self):
        number = self.account1.number
        answer = self._call(_city24("check.xml", key=self.key, account=number))
        expected = _city24(
            "check_answer.xml",
            account=number,
            holder=self.agent._osmd_check(number)["holder"],
            address=self.account1.premise_id.display_name,
        )
        self.assertEqual(_canonical(answer), _canonical(expected))
        answer = self._call(_city24("pay.xml", key=self.key, pay="C24-1", account=number, amount="4550"))
        self.assertEqual(self._result(answer), 0)
        self.assertEqual(self.invoice.amount_residual, 54.50, "45,50 UAH sent as 4550 kopecks")
        self.assertEqual(
            self._result(self._call(_city24("pay.xml", key=self.key, pay="C24-1", account=number, amount="4550"))), 0
        )
        self.assertEqual(self.invoice.amount_residual, 54.50, "the repeated pay answers the same, nothing more")
        self.assertEqual(
            self._result(self._call(_city24("pay.xml", key=self.key, pay="C24-1", account=number, amount="4551"))), 7
        )
        answer = self._call(_city24("cancel.xml", key=self.key, pay="C24-1", account=number, amount="4550"))
        self.assertEqual(self._result(answer), 0)
        self.assertEqual(self.invoice.amount_residual, 100.00)
        self.assertLedgerBalanced()

    def test_city24_refusals(self):
        number = self.account1.number
        self.assertEqual(self._result(self._call(_city24("check.xml", key="wrong", account=number))), 7)
        self.assertEqual(self._result(self._call(_city24("check.xml", key=self.key, account="99999999"))), 5)
        self.account2.sudo().state = "closed"
        self.assertEqual(self._result(self._call(_city24("check.xml", key=self.key, account=self.account2.number))), 79)
        for amount in ("45.50", "-100", "0", "abc", "1e12"):
            answer = self._call(_city24("pay.xml", key=self.key, pay=f"C24-{amount}", account=number, amount=amount))
            self.assertEqual(self._result(answer), 7, amount)
        self.assertEqual(self._result(self._call("<commandCall><command>refund</command></commandCall>")), 7)
        self.assertEqual(self._result(self._call("garbage")), 7)
        self.assertFalse(self.env["osmd.payment.agent.transaction"].search([]))


@tagged("post_install", "-at_install")
class TestPrivatDebt(ProtocolCommon):
    """PrivatBank's "Debt" interface against recorded requests."""

    NS = "{http://debt.privatbank.ua/Transfer}"

    def _call(self, name, key=None, **values):
        with open(file_path(f"osmd_payment_gateway/tests/data/privat/{name}"), encoding="utf-8") as handle:
            body = handle.read()
        for field, value in values.items():
            body = body.replace("{" + field + "}", str(value))
        basic = base64.b64encode(f"privat:{key or self.key}".encode()).decode()
        response = self.url_open(
            "/osmd/privat/debt",
            data=body.encode(),
            headers={"Authorization": f"Basic {basic}", "Content-Type": "text/xml"},
        )
        self.assertEqual(response.status_code, 200)
        return etree.fromstring(response.content)

    def _error(self, root):
        data = root.find(f"{self.NS}Data")
        return (
            int(data.get("code")) if data.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "ErrorInfo" else 0
        )

    def test_presearch_search_check_pay_cancel(self):
        number = self.account1.number
        root = self._call("presearch.xml", account=number)
        with open(file_path("osmd_payment_gateway/tests/data/privat/presearch_answer.xml"), encoding="utf-8") as f:
            expected = f.read().replace("{account}", number)
        expected = expected.replace("{holder}", self.agent._osmd_check(number)["holder"])
        self.assertEqual(etree.tostring(root), etree.tostring(etree.fromstring(expected.encode())))
        root = self._call("search.xml", account=number)
        data = root.find(f"{self.NS}Data")
        self.assertEqual(data.get("{http://www.w3.org/2001/XMLSchema-instance}type"), "DebtPack")
        self.assertEqual(data.get("billPeriod"), f"{date.today():%Y%m}")
        debts = [node.get("amountToPay") for node in data.iter(f"{self.NS}DebtInfo")]
        self.assertEqual(debts, ["100.00"])
        company = data.find(f".//{self.NS}CompanyInfo")
        self.assertEqual((company.get("account"), company.get("okpo")), (self.iban_a, "43210989"))
        # Check accepts without writing; Pay books; the same Pay again answers the same reference
        root = self._call("check.xml", id="PB-501", account=number, amount="70.00")
        self.assertEqual(self._error(root), 0)
        self.assertFalse(self.env["osmd.payment.agent.transaction"].search([]))
        root = self._call("pay.xml", id="PB-501", account=number, amount="70.00")
        reference = root.find(f"{self.NS}Data").get("reference")
        self.assertTrue(reference)
        self.assertEqual(self.invoice.amount_residual, 30.00)
        again = self._call("pay.xml", id="PB-501", account=number, amount="70.00")
        self.assertEqual(again.find(f"{self.NS}Data").get("reference"), reference)
        self.assertEqual(self._error(self._call("pay.xml", id="PB-501", account=number, amount="71.00")), 7)
        self.assertEqual(self.invoice.amount_residual, 30.00)
        root = self._call("cancel.xml", id="PB-501")
        self.assertEqual(self._error(root), 0)
        self.assertEqual(self.invoice.amount_residual, 100.00)
        self.assertLedgerBalanced()

    def test_privat_error_codes(self):
        number = self.account1.number
        self.assertEqual(self._error(self._call("presearch.xml", account="99999999")), 2)
        self.assertEqual(self._error(self._call("search.xml", account="99999999")), 2)
        self.assertEqual(self._error(self._call("check.xml", id="X", account=number, amount="10.001")), 3)
        self.assertEqual(self._error(self._call("pay.xml", id="X", account=number, amount="-5")), 3)
        self.assertEqual(self._error(self._call("cancel.xml", id="nope")), 98)
        self.assertEqual(self._error(self._call("presearch.xml", key="osmd_bad", account=number)), 5)
        self.agent.ip_allowlist = "203.0.113.0/24"
        self.assertEqual(self._error(self._call("presearch.xml", account=number)), 5)
        self.agent.ip_allowlist = "127.0.0.1 ::1"
        response = self.url_open(
            "/osmd/privat/debt",
            data=b"<Transfer/>",
            headers={"Authorization": "Basic " + base64.b64encode(f"p:{self.key}".encode()).decode()},
        )
        self.assertEqual(self._error(etree.fromstring(response.content)), 1)
        self.assertFalse(self.env["osmd.payment.agent.transaction"].search([]))
