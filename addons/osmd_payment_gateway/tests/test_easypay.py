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


@tagged("post_install", "-at_install")
class TestEasyPay(PaymentsCommon, HttpCase):
    """The EasyPay provider protocol 3.1 (biller side) against recorded requests and answers."""

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
