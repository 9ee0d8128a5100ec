import json
from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.osmd_payments.tests.common import PaymentsCommon


@tagged("post_install", "-at_install")
class TestCardPayment(PaymentsCommon, HttpCase):
    """A resident pays a personal account by card from the cabinet (Odoo's payment framework; the demo provider
    stands in for LiqPay/Monobank, whose own addons test their signatures): the payment is on the account's balance
    within the provider's callback, reconciled with its invoices; replays pay once; a refund takes the money back
    from the invoices; nobody pays into an account or a provider that is not theirs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # make test installs payment_demo for these tests (scripts/test.sh): without it they fail, never skip
        demo = cls.env.ref("payment.payment_provider_demo")
        cls.provider_a = demo.copy(
            {"name": "Картка А", "company_id": cls.company_a.id, "state": "test", "is_published": True}
        )
        cls.provider_b = demo.copy(
            {"name": "Картка Б", "company_id": cls.company_b.id, "state": "test", "is_published": True}
        )
        cls.card = cls.env.ref("payment.payment_method_card") | cls.env.ref("payment_demo.payment_method_demo")
        (cls.provider_a | cls.provider_b).payment_method_ids = [Command.set(cls.card.ids)]
        cls.card.active = True
        cls.payer = cls.data_a["owners"][0]
        cls.resident = new_test_user(
            cls.env,
            login="card_payer",
            password="card_payer_pwd_1",
            groups="osmd_base.group_osmd_resident",
            partner_id=cls.payer.id,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.neighbour = new_test_user(
            cls.env,
            login="card_neighbour",
            password="card_neighbour_pwd_1",
            groups="osmd_base.group_osmd_resident",
            partner_id=cls.data_a["owners"][-1].id,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        today = date.today()
        cls.old = cls._invoice(cls.account1, 300.00, today - timedelta(days=20), period=today.replace(day=1))
        cls.new = cls._invoice(cls.account1, 200.50, today + timedelta(days=10), period=today.replace(day=1))

    def _rpc(self, url, params):
        response = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _page(self, account, amount=None):
        url = f"/my/osmd/accounts/{account.id}/pay" + (f"?amount={amount}" if amount else "")
        return self.url_open(url)

    def _token(self, response):
        marker = 'data-access-token="'
        start = response.text.index(marker) + len(marker)
        return response.text[start : response.text.index('"', start)]

    def _start(self, account, amount, provider=None):
        """The payer's browser: the page, then the transaction route as the payment form calls it."""
        page = self._page(account, amount)
        self.assertEqual(page.status_code, 200)
        answer = self._rpc(
            f"/my/osmd/accounts/{account.id}/pay/transaction",
            {
                "provider_id": (provider or self.provider_a).id,
                "payment_method_id": self.card[1].id,
                "token_id": None,
                "amount": float(amount.replace(",", ".")),
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "https://evil.example/",
                "is_validation": False,
                "access_token": self._token(page),
            },
        )
        return answer

    def _simulate(self, reference, state="done"):
        # the provider's server calls back (demo: its simulation route); the same request posts the payment
        return self._rpc(
            "/payment/demo/simulate_payment",
            {"reference": reference, "payment_details": "4242", "simulated_state": state},
        )

    def _balance(self, account):
        account.invalidate_recordset(["balance"])
        return account.balance

    def test_card_payment_on_balance_within_the_callback(self):
        self.authenticate("card_payer", "card_payer_pwd_1")
        page = self._page(self.account1)
        self.assertIn("500,50", page.text, "the amount due is offered by default, with a comma")
        answer = self._start(self.account1, "350,00")
        self.assertNotIn("error", answer, answer)
        tx = self.env["payment.transaction"].search([("reference", "=", answer["result"]["reference"])])
        self.assertEqual(tx.osmd_account_id, self.account1)
        self.assertTrue(tx.reference.startswith(self.account1.number))
        self.assertTrue(tx.landing_route.startswith(f"/my/osmd/accounts/{self.account1.id}/pay?"))
        self.assertEqual(self._balance(self.account1), 500.50)
        self._simulate(tx.reference)
        self.env.invalidate_all()
        self.assertEqual(tx.state, "done")
        self.assertTrue(tx.is_post_processed, "posted by the callback itself, not by a later job")
        move = tx.payment_id.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.osmd_account_id, self.account1)
        self.assertEqual(tx.payment_id.partner_id, self.account1.holder_id)
        self.assertEqual(self._balance(self.account1), 150.50)
        self.assertEqual(self.old.payment_state, "paid", "the oldest debt is paid first")
        self.assertEqual(self.new.amount_residual, 150.50)
        self.assertLedgerBalanced()
        # the payer comes back: the page says the payment is on the account
        landing = self.url_open(tx.landing_route)
        self.assertIn("the payment is on your personal account", landing.text)

    def test_replayed_callback_pays_once(self):
        self.authenticate("card_payer", "card_payer_pwd_1")
        reference = self._start(self.account1, "100")["result"]["reference"]
        for _attempt in range(3):
            self._simulate(reference)
        self.env.invalidate_all()
        payments = self.env["account.payment"].search([("osmd_account_id", "=", self.account1.id)])
        self.assertEqual(len(payments), 1)
        self.assertEqual(self._balance(self.account1), 400.50)

    def test_advance_pays_the_next_invoice(self):
        self.authenticate("card_payer", "card_payer_pwd_1")
        reference = self._start(self.account1, "600,50")["result"]["reference"]
        self._simulate(reference)
        self.env.invalidate_all()
        self.assertEqual(self._balance(self.account1), -100.00, "100,00 paid in advance")
        later = self._invoice(self.account1, 80.00, date.today() + timedelta(days=40))
        self.assertEqual(later.payment_state, "paid", "the advance pays the next invoice when it is posted")
        self.assertEqual(self._balance(self.account1), -20.00)

    def test_refund_takes_the_money_back_from_the_invoices(self):
        self.authenticate("card_payer", "card_payer_pwd_1")
        reference = self._start(self.account1, "500,50")["result"]["reference"]
        self._simulate(reference)
        tx = self.env["payment.transaction"].search([("reference", "=", reference)])
        self.assertEqual(self.old.payment_state, "paid")
        self.assertEqual(self.new.payment_state, "paid")
        tx.action_refund(amount_to_refund=120.00)
        self.env.invalidate_all()
        refund = tx.child_transaction_ids
        self.assertEqual((refund.operation, refund.state, refund.osmd_account_id), ("refund", "done", self.account1))
        self.assertEqual(refund.payment_id.move_id.osmd_account_id, self.account1)
        self.assertEqual(self._balance(self.account1), 120.00)
        self.assertEqual(self.old.payment_state, "paid", "what is left of the payment pays the oldest debt")
        self.assertEqual(self.new.amount_residual, 120.00)
        self.assertEqual(tx.payment_id.move_id.line_ids.filtered("reconciled").account_type, "asset_receivable")
        self.assertLedgerBalanced()

    def test_failed_payment_posts_nothing(self):
        self.authenticate("card_payer", "card_payer_pwd_1")
        reference = self._start(self.account1, "100")["result"]["reference"]
        with mute_logger("odoo.addons.payment.models.payment_transaction"):
            self._simulate(reference, state="error")
        self.env.invalidate_all()
        self.assertFalse(self.env["account.payment"].search([("osmd_account_id", "=", self.account1.id)]))
        self.assertEqual(self._balance(self.account1), 500.50)

    def test_amount_typed_by_the_payer(self):
        self.authenticate("card_payer", "card_payer_pwd_1")
        for typed, message in (
            ("12,345", "at most two decimals"),
            ("-5", "above zero"),
            ("0", "above zero"),
            ("abc", "as a number"),
            ("NaN", "at most two decimals"),
            ("1e9", "cannot exceed"),
        ):
            page = self._page(self.account1, typed)
            self.assertEqual(page.status_code, 200)
            self.assertIn(message, page.text, typed)
            self.assertNotIn("o_payment_form", page.text, f"{typed}: no payment form for a wrong amount")
            self.assertIn(f'value="{typed}"', page.text, "what was typed stays in the field")
        self.assertIn("1\xa0234,50", self._page(self.account1, "1 234.5").text)

    @mute_logger("odoo.http")
    def test_nobody_pays_into_what_is_not_theirs(self):
        # another resident of the same house: the account does not exist for them, by URL or by the route
        self.authenticate("card_neighbour", "card_neighbour_pwd_1")
        self.assertEqual(self._page(self.account1).status_code, 404)
        self.assertEqual(self._page(self.account_b1).status_code, 404)
        answer = self._rpc(
            f"/my/osmd/accounts/{self.account1.id}/pay/transaction",
            {"provider_id": self.provider_a.id, "amount": 10.0, "flow": "direct", "access_token": "x"},
        )
        self.assertIn("error", answer)
        # the payer: a tampered amount, another association's provider, smuggled create values, a token flow
        self.authenticate("card_payer", "card_payer_pwd_1")
        page = self._page(self.account1, "100")
        token = self._token(page)
        base = {
            "provider_id": self.provider_a.id,
            "payment_method_id": self.card[1].id,
            "token_id": None,
            "amount": 100.0,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/",
            "is_validation": False,
            "access_token": token,
        }
        url = f"/my/osmd/accounts/{self.account1.id}/pay/transaction"
        for change in (
            {"amount": 1.0},
            {"provider_id": self.provider_b.id},
            {"custom_create_values": {"osmd_account_id": self.account2.id}},
            {"reference_prefix": "X"},
            {"flow": "token"},
        ):
            answer = self._rpc(url, {**base, **change})
            self.assertIn("error", answer, change)
        # the token of account 1 does not open account 2's route
        self.assertIn("error", self._rpc(f"/my/osmd/accounts/{self.account2.id}/pay/transaction", base))
        self.assertFalse(self.env["payment.transaction"].search([("osmd_account_id", "!=", False)]))
        self.assertNotIn("error", self._rpc(url, base))

    def test_payment_account_cannot_be_moved(self):
        self.authenticate("card_payer", "card_payer_pwd_1")
        self._simulate(self._start(self.account1, "100")["result"]["reference"])
        payment = self.env["account.payment"].search([("osmd_account_id", "=", self.account1.id)])
        with self.assertRaises(UserError):
            payment.with_user(self.accountant).write({"osmd_account_id": self.account2.id})
