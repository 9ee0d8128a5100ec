import base64
from datetime import datetime
from xml.sax.saxutils import escape

import pytz
from lxml import etree

from odoo import http
from odoo.http import request

from ..tools.gateway import GatewayError, _lt
from .api import GatewayEndpoint

KYIV = pytz.timezone("Europe/Kyiv")
# EasyPay provider protocol 3.1: StatusCode of the answers
OK, NO_ACCOUNT, PAYMENT_ERROR, DUPLICATE, NO_TRANSACTION, BAD_SIGNATURE = 0, -1, -2, -3, -4, -5
CODES = {
    "not_found": NO_ACCOUNT,
    "closed": NO_ACCOUNT,
    "conflict": DUPLICATE,
    "unauthorized": BAD_SIGNATURE,
    "bad_signature": BAD_SIGNATURE,
    "forbidden": BAD_SIGNATURE,
}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _now():
    return datetime.now(KYIV).strftime("%Y-%m-%dT%H:%M:%S")


def _key():
    """The agent's key: HTTP Basic (the password; EasyPay's gateway is given a URL with user:key@) or Bearer. Never
    in the URL path, which the server's access log would keep."""
    auth = request.httprequest.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if auth.lower().startswith("basic "):
        try:
            return base64.b64decode(auth[6:].strip()).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return ""
    return ""


def render_xml(answer):
    """<Response><StatusCode/><StatusDetail/><DateTime/>…</Response> with ``answer["extra"]`` [(tag, text or
    [(tag, text)])] after them."""
    parts = [
        f"<StatusCode>{answer['code']}</StatusCode>",
        f"<StatusDetail>{escape(answer['detail'])}</StatusDetail>",
        f"<DateTime>{_now()}</DateTime>",
    ]
    for tag, value in answer.get("extra", []):
        if isinstance(value, list):
            inner = "".join(f"<{sub}>{escape(str(text))}</{sub}>" for sub, text in value)
            parts.append(f"<{tag}>{inner}</{tag}>")
        else:
            parts.append(f"<{tag}>{escape(str(value))}</{tag}>")
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>' + "".join(parts) + "</Response>"
    return body, "text/xml; charset=utf-8"


class OsmdEasyPayProvider(GatewayEndpoint):
    """EasyPay provider protocol 3.1, biller side: Check (account), Payment (reserve, returns PaymentId), Confirm
    (book it), Cancel. Answers always HTTP 200 with the protocol's StatusCode (0 OK, -1 no account, -2 payment
    error, -3 duplicate, -4 no transaction, -5 bad signature)."""

    @http.route(
        "/osmd/easypay/v3",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def easypay(self):
        def handle(agent, raw, info):
            try:
                root = etree.fromstring(raw, parser=PARSER)
            except (etree.XMLSyntaxError, ValueError):
                raise GatewayError("bad_request", _lt("The request is not well-formed XML.")) from None
            if root.tag != "Request":
                raise GatewayError("bad_request", _lt("The request has no <Request> element."))
            for operation in ("Check", "Payment", "Confirm", "Cancel"):
                node = root.find(operation)
                if node is not None:
                    info["operation"] = operation
                    return getattr(self, f"_easypay_{operation.lower()}")(agent, node, info)
            raise GatewayError("bad_request", _lt("Unknown request: expected Check, Payment, Confirm or Cancel."))

        def refuse(code, message, info):
            status = CODES.get(code, PAYMENT_ERROR)
            if code == "not_found" and info["operation"] in ("Confirm", "Cancel"):
                status = NO_TRANSACTION
            return {"code": status, "detail": message}, 200

        return self._osmd_serve("easypay", _key(), handle, refuse, render_xml)

    @staticmethod
    def _text(node, tag):
        child = node.find(tag)
        return (child.text or "").strip() if child is not None else ""

    def _easypay_check(self, agent, node, info):
        info["account"] = self._text(node, "Account")
        answer = agent._osmd_check(info["account"])
        return {
            "code": OK,
            "detail": "OK",
            "extra": [
                (
                    "AccountInfo",
                    [("Name", answer["holder"]), ("Address", answer["address"]), ("Balance", answer["to_pay"])],
                )
            ],
        }

    def _easypay_payment(self, agent, node, info):
        info["txn"], info["account"] = self._text(node, "OrderId"), self._text(node, "Account")
        existing = agent._osmd_find_transaction(info["txn"])
        answer = agent._osmd_pay(info["txn"], info["account"], self._text(node, "Amount"), confirm=False)
        if existing:
            # the protocol's answer to a repeated Payment: -3 with the PaymentId already given
            return {
                "code": DUPLICATE,
                "detail": "Duplicate transaction",
                "extra": [("PaymentId", answer["payment_id"])],
            }
        return {"code": OK, "detail": "Order Created", "extra": [("PaymentId", answer["payment_id"])]}

    def _easypay_confirm(self, agent, node, info):
        transaction = agent._osmd_confirm(self._text(node, "PaymentId"))
        info["txn"], info["account"] = transaction.txn_id, transaction.account_id.number
        created = pytz.utc.localize(transaction.create_date).astimezone(KYIV)
        return {"code": OK, "detail": "OK", "extra": [("OrderDate", created.strftime("%Y-%m-%dT%H:%M:%S"))]}

    def _easypay_cancel(self, agent, node, info):
        transaction = agent._osmd_payment_by_id(self._text(node, "PaymentId"))
        info["txn"], info["account"] = transaction.txn_id, transaction.account_id.number
        transaction._osmd_cancel()
        cancelled = pytz.utc.localize(transaction.cancelled_at).astimezone(KYIV)
        return {"code": OK, "detail": "OK", "extra": [("CancelDate", cancelled.strftime("%Y-%m-%dT%H:%M:%S"))]}
