import json
import re
from datetime import date, timedelta
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.osmd_payments.tests.common import PaymentsCommon

from ..controllers import openapi
from ..tools import gateway

LOCAL = "127.0.0.1"


def conforms(value, schema, path="$"):
    """The few JSON-schema rules our OpenAPI document uses (type, required, properties, items, enum, pattern)."""
    kinds = schema.get("type")
    if kinds:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        python = {
            "object": dict,
            "array": list,
            "string": str,
            "integer": int,
            "number": (int, float),
            "null": type(None),
            "boolean": bool,
        }
        assert any(isinstance(value, python[kind]) for kind in kinds), f"{path}: {value!r} is not {kinds}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if "pattern" in schema and isinstance(value, str):
        assert re.search(schema["pattern"], value), f"{path}: {value!r} does not match {schema['pattern']}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: {key} missing"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                conforms(value[key], sub, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            conforms(item, schema["items"], f"{path}[{index}]")


@tagged("post_install", "-at_install")
class TestGateway(PaymentsCommon, HttpCase):
    """The payment gateway's JSON API as an agent's server uses it: check, pay (at once on the account's balance,
    idempotent), cancel, status; and every way it refuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clearing = (
            cls.env["account.account"]
            .with_company(cls.company_a)
            .create(
                {
                    "code": "377190",
                    "name": "Розрахунки з платіжними агентами",
                    "account_type": "asset_current",
                    "reconcile": True,
                }
            )
        )
        cls.agent = cls.env["osmd.payment.agent"].create(
            {
                "name": "EasyPay",
                "company_id": cls.company_a.id,
                "ip_allowlist": "127.0.0.1 ::1",
                "clearing_account_id": cls.clearing.id,
                "journal_id": cls.env["account.journal"]
                .search([("type", "=", "general"), ("company_id", "=", cls.company_a.id)], limit=1)
                .id,
            }
        )
        cls.key = cls._issue(cls.agent)
        cls.march = cls._invoice(
            cls.account1, 100.00, date.today() + timedelta(days=10), period=date.today().replace(day=1)
        )

    @classmethod
    def _issue(cls, agent):
        action = agent.with_user(cls.users_a["chairman"]).action_issue_key()
        return action["params"]["message"]

    def _api(self, operation, payload, key=None, raw=None, headers=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        response = self.url_open(
            f"/osmd/api/v1/{operation}",
            data=body,
            headers={
                "Authorization": f"Bearer {key or self.key}",
                "Content-Type": "application/json",
                **(headers or {}),
            },
        )
        answer = response.json()
        schema = openapi.ANSWERS.get(operation) if response.status_code == 200 else openapi.ERROR
        conforms(answer, schema or openapi.ERROR)
        return response.status_code, answer

    def test_check_shows_masked_holder_and_debt_by_service(self):
        status, answer = self._api("check", {"account": self.account1.number})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["account"], self.account1.number)
        self.assertEqual(answer["holder"], gateway.mask_name(self.account1.holder_id.name))
        self.assertNotIn(self.account1.holder_id.name.split()[0], answer["holder"], "the surname is masked")
        self.assertEqual((answer["debt"], answer["to_pay"], answer["advance"]), ("100.00", "100.00", "0.00"))
        self.assertEqual([service["debt"] for service in answer["services"]], ["100.00"])
        # leading zeros are optional, as residents type them at terminals
        status, again = self._api("check", {"account": self.account1.number.lstrip("0") or "0"})
        self.assertEqual((status, again["account"]), (200, self.account1.number))

    def test_concurrent_update_is_retried_not_refused(self):
        """Two payments of one account at once: PostgreSQL refuses one with a serialization failure; Odoo retries
        the request and it succeeds (the benchmark once got a 500 "internal" for it)."""
        agent_class = type(self.env["osmd.payment.agent"])
        original = agent_class._osmd_pay
        calls = []

        def collides_once(agent, *args, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                # what PostgreSQL answers the second of two concurrent updates of the same rows
                agent.env.cr.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent update' "
                    "USING ERRCODE = 'serialization_failure'; END $$"
                )
            return original(agent, *args, **kwargs)

        payload = {"transaction_id": "EP-RACE", "account": self.account1.number, "amount": "10.00"}
        with (
            patch.object(agent_class, "_osmd_pay", collides_once),
            mute_logger("odoo.service.model", "odoo.sql_db"),
        ):
            status, answer = self._api("pay", payload)
        self.assertEqual((status, answer.get("state")), (200, "paid"), answer)
        self.assertEqual(len(calls), 2)
        self.assertEqual(self.env["osmd.payment.agent.transaction"].search_count([("txn_id", "=", "EP-RACE")]), 1)

    def test_pay_is_on_the_balance_at_once_and_idempotent(self):
        payload = {"transaction_id": "EP-1001", "account": self.account1.number, "amount": "60.50"}
        status, answer = self._api("pay", payload)
        self.assertEqual(status, 200, answer)
        self.assertEqual((answer["state"], answer["amount"], answer["balance"]), ("paid", "60.50", "39.50"))
        self.assertEqual(self.march.amount_residual, 39.50, "the invoice is paid within the same request")
        transaction = self.env["osmd.payment.agent.transaction"].search([("txn_id", "=", "EP-1001")])
        self.assertEqual(transaction.move_id.state, "posted")
        self.assertEqual(transaction.move_id.osmd_account_id, self.account1)
        # the same request again: the same answer, no second payment
        status, replay = self._api("pay", payload)
        self.assertEqual((status, replay["payment_id"]), (200, answer["payment_id"]))
        self.assertEqual(self.env["osmd.payment.agent.transaction"].search_count([("txn_id", "=", "EP-1001")]), 1)
        self.assertEqual(self.march.amount_residual, 39.50)
        # the same id with another amount or account is a conflict
        for changed in ({"amount": "61.50"}, {"account": self.account2.number}):
            status, error = self._api("pay", {**payload, **changed})
            self.assertEqual((status, error["error"]["code"]), (409, "conflict"))
        self.assertEqual(self.march.amount_residual, 39.50)
        status, answer = self._api("status", {"transaction_id": "EP-1001"})
        self.assertEqual((status, answer["state"]), (200, "paid"))
        self.assertLedgerBalanced()

    def test_overpayment_is_an_advance_applied_to_the_next_invoice(self):
        status, answer = self._api("pay", {"transaction_id": "EP-7", "account": self.account1.number, "amount": 150})
        self.assertEqual((status, answer["balance"]), (200, "-50.00"))
        later = self._invoice(self.account1, 80.00, date.today() + timedelta(days=40))
        self.assertEqual(later.amount_residual, 30.00, "the agent's advance pays the next invoice when it is posted")
        _status, check = self._api("check", {"account": self.account1.number})
        self.assertEqual(check["to_pay"], "30.00")

    def test_cancel_on_the_same_day_only(self):
        self._api("pay", {"transaction_id": "EP-2", "account": self.account1.number, "amount": "100.00"})
        self.assertEqual(self.march.payment_state, "paid")
        status, answer = self._api("cancel", {"transaction_id": "EP-2"})
        self.assertEqual((status, answer["state"], answer["balance"]), (200, "cancelled", "100.00"))
        self.assertEqual(self.march.amount_residual, 100.00, "the invoice is open again exactly as before")
        status, again = self._api("cancel", {"transaction_id": "EP-2"})
        self.assertEqual((status, again["state"]), (200, "cancelled"))
        # a payment of an earlier day cannot be cancelled
        self._api("pay", {"transaction_id": "EP-3", "account": self.account1.number, "amount": "10.00"})
        old = self.env["osmd.payment.agent.transaction"].search([("txn_id", "=", "EP-3")])
        self.env.cr.execute(
            "UPDATE osmd_payment_agent_transaction SET create_date = create_date - interval '2 days', "
            "date = date - 2 WHERE id = %s",
            [old.id],
        )
        old.invalidate_recordset()
        status, error = self._api("cancel", {"transaction_id": "EP-3"})
        self.assertEqual((status, error["error"]["code"]), (409, "cancel_refused"))
        status, error = self._api("cancel", {"transaction_id": "nope"})
        self.assertEqual((status, error["error"]["code"]), (404, "not_found"))
        self.assertLedgerBalanced()

    @mute_logger("odoo.addons.osmd_payment_gateway.controllers.api")
    def test_bad_input_is_refused_and_writes_nothing(self):
        closed = self.account2
        closed.sudo().state = "closed"
        # numbers are per association (both start at 1): give B an account number A does not have
        self.env.cr.execute("UPDATE osmd_account SET number = '555555' WHERE id = %s", [self.account_b1.id])
        self.account_b1.invalidate_recordset(["number"])
        cases = [
            ({"transaction_id": "X1", "account": self.account1.number, "amount": "10.005"}, 400, "bad_amount"),
            ({"transaction_id": "X2", "account": self.account1.number, "amount": "-5"}, 400, "bad_amount"),
            ({"transaction_id": "X3", "account": self.account1.number, "amount": 0}, 400, "bad_amount"),
            ({"transaction_id": "X4", "account": self.account1.number, "amount": "100000.01"}, 400, "bad_amount"),
            ({"transaction_id": "X5", "account": self.account1.number, "amount": "NaN"}, 400, "bad_amount"),
            ({"transaction_id": "X6", "account": self.account1.number, "amount": 1e308}, 400, "bad_amount"),
            ({"transaction_id": "X7", "account": "99999999", "amount": "10"}, 404, "not_found"),
            ({"transaction_id": "X8", "account": closed.number, "amount": "10"}, 404, "closed"),
            ({"transaction_id": "X9", "account": self.account_b1.number, "amount": "10"}, 404, "not_found"),
            ({"transaction_id": "", "account": self.account1.number, "amount": "10"}, 400, "bad_request"),
            (
                {"transaction_id": "X10", "account": self.account1.number, "amount": "10", "date": "2999-01-01"},
                400,
                "bad_request",
            ),
            ({"transaction_id": "X11", "account": "1; DROP TABLE", "amount": "10"}, 404, "not_found"),
        ]
        moves = self.env["account.move"].search_count([])
        for payload, expected_status, code in cases:
            with self.subTest(payload=payload):
                status, error = self._api("pay", payload)
                self.assertEqual((status, error["error"]["code"]), (expected_status, code), error)
                self.assertTrue(error["error"]["message"])
        for raw in (b"{not json", b"\xff\xfe\x00", b"[1, 2]"):
            status, error = self._api("pay", None, raw=raw)
            self.assertEqual((status, error["error"]["code"]), (400, "bad_request"))
        self.assertEqual(self.env["account.move"].search_count([]), moves, "nothing half-written")
        self.assertFalse(self.env["osmd.payment.agent.transaction"].search([]))
        # the account of another association is unknown to this agent
        status, error = self._api("check", {"account": "555555"})
        self.assertEqual((status, error["error"]["code"]), (404, "not_found"))

    def test_credentials_address_signature_and_rate(self):
        payload = {"account": self.account1.number}
        for key in ("", "osmd_00000000_" + "x" * 43, self.key[:-1] + ("A" if self.key[-1] != "A" else "B")):
            status, error = self._api("check", payload, key=key or "none")
            self.assertEqual((status, error["error"]["code"]), (401, "unauthorized"))
        # a new key replaces the old one at once; the key is stored only hashed
        old = self.key
        self.key = self._issue(self.agent)
        self.assertEqual(self._api("check", payload, key=old)[0], 401)
        self.assertEqual(self._api("check", payload)[0], 200)
        self.assertNotIn(self.key, json.dumps(self.agent.sudo().read()[0], default=str))
        # requests from an address not allowed
        self.agent.ip_allowlist = "203.0.113.0/24"
        status, error = self._api("check", payload)
        self.assertEqual((status, error["error"]["code"]), (403, "forbidden"))
        self.agent.ip_allowlist = "127.0.0.1 ::1"
        # a signing agent: unsigned and wrongly signed bodies refused
        self.agent.signature_secret_input = "s3cret"
        body = json.dumps(payload).encode()
        self.assertEqual(self._api("check", payload)[1]["error"]["code"], "bad_signature")
        bad = {"X-Signature": gateway.signature("other", body)}
        self.assertEqual(self._api("check", None, raw=body, headers=bad)[0], 401)
        good = {"X-Signature": gateway.signature("s3cret", body)}
        self.assertEqual(self._api("check", None, raw=body, headers=good)[0], 200)
        # rate limit counted over every worker (from the request log)
        self.agent.write({"signature_secret_input": False, "rate_limit": 3})
        self.agent.sudo().signature_secret = False
        self.env["osmd.payment.agent.log"].search([("agent_id", "=", self.agent.id)]).unlink()
        statuses = [self._api("check", payload)[0] for _i in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 429])
        # an archived agent is refused
        self.agent.active = False
        self.assertEqual(self._api("check", payload)[0], 401)

    def test_every_request_logged_and_read_by_staff_of_the_association_only(self):
        self._api("check", {"account": self.account1.number})
        self._api("pay", {"transaction_id": "EP-9", "account": self.account1.number, "amount": "5.00"})
        self._api("check", {"account": "0000000"})
        logs = self.env["osmd.payment.agent.log"].search([("agent_id", "=", self.agent.id)], order="id")
        self.assertEqual(logs.mapped("operation"), ["check", "pay", "check"])
        self.assertEqual(logs.mapped("result"), ["ok", "ok", "not_found"])
        self.assertEqual(logs[1].txn_id, "EP-9")
        self.assertTrue(all(log.ip == LOCAL for log in logs))
        self.assertIn('"EP-9"', logs[1].request_body)
        for role in ("chairman", "audit", "accountant"):
            self.assertEqual(len(logs.with_user(self.users_a[role]).read(["result"])), 3)
        with self.assertRaises(AccessError):
            logs.with_user(self.users_a["engineer"]).read(["result"])
        with self.assertRaises(AccessError):
            logs.with_user(self.chairman_b).with_company(self.company_b).read(["result"])
        # only the chairman manages agents and their keys
        with self.assertRaises(AccessError):
            self.agent.with_user(self.users_a["accountant"]).action_issue_key()
        with self.assertRaises(AccessError):
            self.agent.with_user(self.chairman_b).with_company(self.company_b).action_issue_key()

    def test_openapi_document_describes_every_operation(self):
        response = self.url_open("/osmd/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        self.assertEqual(document["openapi"], "3.1.0")
        self.assertEqual(
            set(document["paths"]), {f"/osmd/api/v1/{operation}" for operation in ("check", "pay", "cancel", "status")}
        )
        status, error = self._api("refund", {})
        self.assertEqual((status, error["error"]["code"]), (404, "not_found"))

    def test_the_collectors_registry_settles_what_the_agent_took(self):
        """The day's reconciliation: the registry's lines taken online are not paid a second time; the lump sum
        clears the agent's settlement account; the others are booked as usual."""
        collector = self.env["osmd.payment.collector"].create(
            {"name": "EasyPay", "company_id": self.company_a.id, "layout": "generic_csv"}
        )
        self.agent.collector_id = collector
        other = self._invoice(self.account2, 50.00, date.today() + timedelta(days=10))
        self._api("pay", {"transaction_id": "EP-100", "account": self.account1.number, "amount": "100.00"})
        self.assertEqual(self.march.payment_state, "paid")
        rows = ["ID;Дата;Рахунок;Сума;Комісія", f"EP-100;{date.today():%d.%m.%Y};{self.account1.number};100.00;1.00"]
        rows.append(f"EP-101;{date.today():%d.%m.%Y};{self.account2.number};50.00;0.50")
        registry = self.env["osmd.payment.registry"]._osmd_import(
            collector, ("\n".join(rows) + "\n").encode(), "reestr_55.csv"
        )
        self.assertEqual(registry.amount_net, 148.50)
        self._import(self._file([self._doc("148.50", "Перерахування коштів згідно реєстру № 55", day=date.today())]))
        self.assertEqual(registry.state, "ready")
        registry.with_user(self.accountant).action_split()
        self.assertEqual(self.march.amount_residual, 0.0)
        self.account1.invalidate_recordset(["balance"])
        self.assertEqual(self.account1.balance, 0.0, "the online payment is not booked a second time")
        self.assertEqual(other.payment_state, "paid", "the payment that was not online is booked from the registry")
        payment = self.env["osmd.payment.agent.transaction"].search([("txn_id", "=", "EP-100")])
        self.assertEqual(payment.registry_id, registry)
        self.assertTrue(
            payment.move_id.line_ids.filtered(lambda line: line.account_id == self.clearing).reconciled,
            "the agent's debt is settled by the transfer",
        )
        status, error = self._api("cancel", {"transaction_id": "EP-100"})
        self.assertEqual((status, error["error"]["code"]), (409, "cancel_refused"))
        self.assertLedgerBalanced()
        # undone: the agent owes the payment again, the online payment stays on the account
        registry.with_user(self.accountant).action_unsplit()
        self.assertFalse(payment.registry_id)
        self.assertFalse(payment.move_id.line_ids.filtered(lambda line: line.account_id == self.clearing).reconciled)
        self.assertEqual((self.march.payment_state, other.amount_residual), ("paid", 50.00))
        self.assertLedgerBalanced()

    def test_registry_disagreeing_with_the_agent_is_refused(self):
        collector = self.env["osmd.payment.collector"].create(
            {"name": "EasyPay", "company_id": self.company_a.id, "layout": "generic_csv"}
        )
        self.agent.collector_id = collector
        self._api("pay", {"transaction_id": "EP-200", "account": self.account1.number, "amount": "40.00"})
        rows = ["ID;Дата;Рахунок;Сума;Комісія", f"EP-200;{date.today():%d.%m.%Y};{self.account1.number};45.00;0"]
        registry = self.env["osmd.payment.registry"]._osmd_import(
            collector, ("\n".join(rows) + "\n").encode(), "reestr_56.csv"
        )
        self._import(self._file([self._doc("45.00", "Перерахування згідно реєстру № 56", day=date.today())]))
        moves = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "EP-200.*40.00.*45.00"):
            registry.with_user(self.accountant).action_split()
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(self.march.amount_residual, 60.00)
