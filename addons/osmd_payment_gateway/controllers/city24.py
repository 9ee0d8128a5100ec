from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from lxml import etree

from odoo import http
from odoo.http import request

from ..tools.gateway import GatewayError, _lt
from .api import GatewayEndpoint
from .easypay import PARSER

# City24 ("platezhka" interface) result codes we answer: 0 OK, 5 account not found, 7 payment forbidden by the
# biller (every other refusal: credentials, amount, conflict, cancel refused), 79 account not active
OK, NOT_FOUND, FORBIDDEN, INACTIVE = 0, 5, 7, 79
CODES = {"not_found": NOT_FOUND, "closed": INACTIVE}


def render_xml(answer):
    fields = "".join(
        f'<field{index} name="{name}">{escape(str(value))}</field{index}>'
        for index, (name, value) in enumerate(answer.get("fields", []), start=1)
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><commandResponse>'
        f"<extTransactionID>{escape(str(answer.get('ext', 0)))}</extTransactionID>"
        f"<account>{escape(str(answer.get('account', '')))}</account>"
        f"<result>{answer['result']}</result>"
        + (f"<fields>{fields}</fields>" if fields else "")
        + f"<comment>{escape(answer.get('comment', ''))}</comment></commandResponse>"
    )
    return body, "text/xml; charset=utf-8"


class OsmdCity24Provider(GatewayEndpoint):
    """City24 terminals (commandCall check / pay / cancel, amounts in kopecks); the agent's key is the request's
    ``password`` (the ``login`` is the agent's name for City24, not checked)."""

    @http.route(
        "/osmd/city24", type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def city24(self):
        raw = request.httprequest.get_data(cache=True) or b""
        try:
            root = etree.fromstring(raw, parser=PARSER)
        except (etree.XMLSyntaxError, ValueError):
            root = None

        def text(tag):
            node = root.find(tag) if root is not None else None
            return (node.text or "").strip() if node is not None else ""

        def handle(agent, raw, info):
            if root is None or root.tag != "commandCall":
                raise GatewayError("bad_request", _lt("The request is not a well-formed <commandCall>."))
            command = text("command")
            info["operation"], info["account"] = command, text("account")
            if command == "check":
                answer = agent._osmd_check(text("account"))
                return {
                    "account": answer["account"],
                    "result": OK,
                    "fields": [
                        ("FIO", answer["holder"]),
                        ("Address", answer["address"]),
                        ("Balance", answer["to_pay"]),
                    ],
                }
            if command == "pay":
                info["txn"] = text("payID") or text("transactionID")
                answer = agent._osmd_pay(info["txn"], text("account"), self._kopecks(text("amount")))
                return {"ext": answer["payment_id"], "account": answer["account"], "result": OK}
            if command == "cancel":
                info["txn"] = text("cancelPayID")
                answer = agent._osmd_cancel(info["txn"])
                return {"ext": answer["payment_id"], "account": answer["account"], "result": OK}
            raise GatewayError("bad_request", _lt("Unknown command %(command)s."), command=command[:20])

        def refuse(code, message, info):
            return {"account": info["account"] or "", "result": CODES.get(code, FORBIDDEN), "comment": message}, 200

        return self._osmd_serve("city24", text("password"), handle, refuse, render_xml)

    @staticmethod
    def _kopecks(value):
        try:
            kopecks = Decimal(value)
        except (InvalidOperation, ValueError):
            raise GatewayError("bad_amount", _lt("The amount %(amount)s is not a number."), amount=value[:30]) from None
        if not kopecks.is_finite() or kopecks != kopecks.to_integral_value():
            raise GatewayError("bad_amount", _lt("The amount %(amount)s is not a number."), amount=value[:30])
        return kopecks / 100
