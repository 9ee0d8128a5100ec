"""Every collector's protocol survives hostile requests (issue #15): malformed XML/JSON, wrong encodings, entity
bombs, hostile values in every element and attribute, truncated and flipped bodies.

The property, per request: an answer in the protocol's own format (XML or JSON, never an HTTP 500 or an HTML page),
no "internal" result in the agent's log (an exception the adapter did not expect), and a refusal writes nothing
(no agent transaction, no journal entry). At the end the ledger is balanced.

A fixed seed and OSMD_FUZZ_PROTOCOL_INPUTS requests per protocol (200 in the README's test command; the long run
sets 10 000, see README "Fuzzing").
"""

import base64
import json
import logging
import os
import random

from lxml import etree

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .test_easypay import ProtocolCommon

_logger = logging.getLogger(__name__)

INPUTS = int(os.environ.get("OSMD_FUZZ_PROTOCOL_INPUTS", "200"))

HOSTILE = (
    "",
    " ",
    "0",
    "-1",
    "-100.00",
    "0.001",
    "10.005",
    "100,50",
    "1e308",
    "1E+999999",
    "NaN",
    "Infinity",
    "-inf",
    "9" * 400,
    "١٢٣",
    "１００",
    "99999999",
    "00000001",
    "=1+1",
    "%(row)s",
    "%s",
    "{0}",
    "' OR 1=1 --",
    "\u202e",
    "\ufeff",
    "Шевченко",
    "а" * 5000,
    "2026-13-45T25:61:00",
    "99991231235959",
    "true",
    "null",
    "[]",
    "{}",
)
OTHER_BODIES = (
    b"",
    b"garbage",
    b"<",
    b"<?xml version='1.0'?>",
    b'<?xml version="1.0" encoding="windows-1251"?><Request>\xc0\xc1</Request>',
    b'<?xml version="1.0" encoding="x-unknown"?><Request/>',
    "<Request>Привіт</Request>".encode("utf-16"),
    b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;'
    b'&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><Request>&d;</Request>',
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Request>&x;</Request>',
    b"<a>" * 5000 + b"</a>" * 5000,
    b"\x00\x01\x02\xff\xfe",
    b'{"account": "1"}',
    b"[1, 2, 3]",
    b'{"account": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"amount": 1e999999}',
    b'{"amount": "1" , "account": "\\ud800"}',
    b"\xef\xbb\xbf{}",
    b"%PDF-1.7",
)


def _mutate_xml(body, rnd):
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError:
        return body
    for _ in range(rnd.randint(1, 3)):
        nodes = list(root.iter())
        node = rnd.choice(nodes)
        choice = rnd.random()
        if node.attrib and choice < 0.35:
            node.set(rnd.choice(sorted(node.attrib)), rnd.choice(HOSTILE))
        elif choice < 0.75:
            node.text = rnd.choice(HOSTILE)
        elif choice < 0.85 and node is not root:
            node.getparent().remove(node)
        elif choice < 0.95 and node is not root:
            node.getparent().append(etree.fromstring(etree.tostring(node)))
        else:
            etree.SubElement(node, rnd.choice(("Unknown", "Amount", "account", "Data"))).text = rnd.choice(HOSTILE)
    return etree.tostring(root, xml_declaration=rnd.random() < 0.5, encoding=rnd.choice(("UTF-8", "windows-1251")))


def _mutate_json(body, rnd):
    payload = json.loads(body)
    for _ in range(rnd.randint(1, 3)):
        key = rnd.choice(sorted(payload) or ["account"])
        choice = rnd.random()
        if choice < 0.5:
            payload[key] = rnd.choice(HOSTILE)
        elif choice < 0.7:
            payload[key] = rnd.choice(
                (None, True, 1e308, -1, 0, 10**30, [], {}, [1, 2], {"a": 1}, 0.1 + 0.2, "\ud800", "1\x00", ["\x00"])
            )
        elif choice < 0.85:
            payload.pop(key, None)
        else:
            payload[rnd.choice(HOSTILE)[:20]] = rnd.choice(HOSTILE)
    return json.dumps(payload, ensure_ascii=rnd.random() < 0.5).encode("utf-8", "surrogatepass")


def _corrupt(body, rnd):
    choice = rnd.randrange(5)
    if choice == 0 and body:
        damaged = bytearray(body)
        for _ in range(rnd.randint(1, 8)):
            damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        return bytes(damaged)
    if choice == 1 and body:
        return body[: rnd.randrange(len(body))]
    if choice == 2:
        return rnd.choice(OTHER_BODIES)
    if choice == 3:
        return body.decode("utf-8", "replace").encode(rnd.choice(("cp1251", "utf-16", "latin-1")), "replace")
    return body + body


@tagged("post_install", "-at_install")
class TestProtocolFuzz(ProtocolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent.rate_limit = 1_000_000  # the limit is tested elsewhere; here every request reaches the parser

    def _counts(self):
        self.env.cr.execute(
            "SELECT (SELECT count(*) FROM osmd_payment_agent_transaction), (SELECT count(*) FROM account_move)"
        )
        return self.env.cr.fetchone()

    def _seed(self, folder, name, **values):
        with open(file_path(f"osmd_payment_gateway/tests/data/{folder}/{name}"), encoding="utf-8") as handle:
            text = handle.read()
        for key, value in values.items():
            text = text.replace("{" + key + "}", str(value))
        return text.encode()

    def _fuzz(self, name, seeds, headers, mutate, parse_answer, succeeded):
        """Send INPUTS hostile requests made from ``seeds`` [(path, index → body)]; check the property of each one:
        never HTTP 500, an answer in the protocol's format (``parse_answer`` raises otherwise), a refusal writes
        nothing, no internal error logged, the ledger balanced; both answers seen."""
        rnd = random.Random(f"15:{name}")
        outcomes = {"accepted": 0, "refused": 0}
        for index in range(INPUTS):
            path, make_body = rnd.choice(seeds)
            body = make_body(index)
            if rnd.random() < 0.7:
                body = mutate(body, rnd)
            if rnd.random() < 0.3:
                body = _corrupt(body, rnd)
            before = self._counts()
            response = self.url_open(path, data=body, headers=headers, method="POST")
            self.assertNotEqual(response.status_code, 500, body[:200])
            if succeeded(response, parse_answer(response)):
                outcomes["accepted"] += 1
            else:
                outcomes["refused"] += 1
                self.assertEqual(self._counts(), before, f"a refusal wrote something: {body[:200]!r}")
        internal = self.env["osmd.payment.agent.log"].search_count([("result", "=", "internal")])
        self.assertEqual(internal, 0, "an exception the adapter did not expect (see the log's request)")
        self.assertLedgerBalanced()
        self.assertTrue(outcomes["refused"] and outcomes["accepted"], outcomes)
        _logger.info("fuzz %s: %s inputs, %s accepted, %s refused, 0 crashes", name, INPUTS, *outcomes.values())

    def test_easypay(self):
        number = self.account1.number
        basic = base64.b64encode(f"easypay:{self.key}".encode()).decode()
        url = "/osmd/easypay/v3"
        seeds = [
            (url, lambda _i: self._seed("easypay", "check.xml", account=number)),
            (url, lambda i: self._seed("easypay", "payment.xml", order=f"EP-{i}", account=number, amount="1.50")),
            (url, lambda i: self._seed("easypay", "confirm.xml", payment=f"{i}")),
            (url, lambda i: self._seed("easypay", "cancel.xml", payment=f"{i}")),
        ]

        def parse(response):
            root = etree.fromstring(response.content)
            self.assertEqual(root.tag, "Response")
            return int(root.findtext("StatusCode"))

        headers = {"Authorization": f"Basic {basic}", "Content-Type": "text/xml"}
        self._fuzz(url, seeds, headers, _mutate_xml, parse, lambda _response, code: code == 0)

    def test_city24(self):
        number, key = self.account1.number, self.key
        url = "/osmd/city24"
        seeds = [
            (url, lambda _i: self._seed("city24", "check.xml", key=key, account=number)),
            (url, lambda i: self._seed("city24", "pay.xml", key=key, pay=f"C-{i}", account=number, amount="150")),
            (url, lambda i: self._seed("city24", "cancel.xml", key=key, pay=f"C-{i}", account=number, amount="150")),
        ]

        def parse(response):
            return int(etree.fromstring(response.content).findtext("result"))

        headers = {"Content-Type": "text/xml"}
        self._fuzz(url, seeds, headers, _mutate_xml, parse, lambda _response, result: result == 0)

    def test_privat_debt(self):
        number = self.account1.number
        basic = base64.b64encode(f"privat:{self.key}".encode()).decode()
        url = "/osmd/privat/debt"
        seeds = [
            (url, lambda _i: self._seed("privat", "presearch.xml", account=number)),
            (url, lambda _i: self._seed("privat", "search.xml", account=number)),
            (url, lambda i: self._seed("privat", "check.xml", id=f"PB-{i}", account=number, amount="1.50")),
            (url, lambda i: self._seed("privat", "pay.xml", id=f"PB-{i}", account=number, amount="1.50")),
            (url, lambda i: self._seed("privat", "cancel.xml", id=f"PB-{i}")),
        ]
        xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"

        def parse(response):
            root = etree.fromstring(response.content)
            self.assertEqual(root.tag, "{http://debt.privatbank.ua/Transfer}Transfer")
            return root.find("{http://debt.privatbank.ua/Transfer}Data").get(xsi_type)

        headers = {"Authorization": f"Basic {basic}", "Content-Type": "text/xml"}
        self._fuzz(url, seeds, headers, _mutate_xml, parse, lambda _response, kind: kind != "ErrorInfo")

    def test_json_api(self):
        number = self.account1.number

        def payment(operation):
            def make(i):
                fields = {"transaction_id": f"J-{i}", "amount": "1.50", "date": "2026-12-05"}
                return json.dumps({"account": number, **fields}).encode()

            return (f"/osmd/api/v1/{operation}", make)

        seeds = [
            ("/osmd/api/v1/check", lambda _i: json.dumps({"account": number}).encode()),
            *(payment(operation) for operation in ("pay", "cancel", "status")),
        ]

        def parse(response):
            answer = response.json()
            self.assertIsInstance(answer, dict)
            if response.status_code != 200:
                self.assertIn("error", answer)
            return answer

        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        self._fuzz(
            "/osmd/api/v1", seeds, headers, _mutate_json, parse, lambda response, _a: response.status_code == 200
        )
