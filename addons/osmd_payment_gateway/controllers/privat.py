from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from odoo import http

from ..tools.gateway import GatewayError, _lt, parse_amount
from .api import GatewayEndpoint
from .easypay import PARSER, _key

NS = "http://debt.privatbank.ua/Transfer"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# ErrorInfo codes of the "Debt" interface
UNKNOWN_REQUEST, NO_PAYER, BAD_AMOUNT, BAD_DATE, IP_REFUSED, DUPLICATE, NO_PAYMENT, OTHER = 1, 2, 3, 4, 5, 7, 98, 99
CODES = {
    "not_found": NO_PAYER,
    "closed": NO_PAYER,
    "bad_amount": BAD_AMOUNT,
    "forbidden": IP_REFUSED,
    "unauthorized": IP_REFUSED,
    "bad_signature": IP_REFUSED,
    "conflict": DUPLICATE,
}


def _transfer(action, data):
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Transfer xmlns="{NS}" interface="Debt" action={quoteattr(action)}>{data}</Transfer>'
    )
    return body, "text/xml; charset=utf-8"


class OsmdPrivatDebt(GatewayEndpoint):
    """PrivatBank's "Debt" interface (Приват24 «Комунальні платежі», Privat terminals), biller side: Presearch (by
    personal account), Search (the debt by service), Check (a payment is acceptable), Pay, Cancel; refusals as
    ErrorInfo codes 1–99."""

    @http.route(
        "/osmd/privat/debt", type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def debt(self):
        action_seen = {"action": ""}

        def handle(agent, raw, info):
            try:
                root = etree.fromstring(raw, parser=PARSER)
            except (etree.XMLSyntaxError, ValueError):
                raise GatewayError("unknown_request", _lt("The request is not well-formed XML.")) from None
            action = root.get("action") or ""
            action_seen["action"] = info["operation"] = action
            data = root.find(f"{{{NS}}}Data")
            if root.tag != f"{{{NS}}}Transfer" or data is None:
                raise GatewayError("unknown_request", _lt("The request is not a Debt interface <Transfer>."))
            method = getattr(self, f"_privat_{action.lower()}", None)
            if action not in ("Presearch", "Search", "Check", "Pay", "Cancel") or method is None:
                raise GatewayError("unknown_request", _lt("Unknown request %(action)s."), action=action[:20])
            return method(agent, data, info)

        def refuse(code, message, info):
            status = CODES.get(code, OTHER)
            if code == "unknown_request" or (code == "bad_request" and not action_seen["action"]):
                status = UNKNOWN_REQUEST
            if code == "not_found" and info["operation"] == "Cancel":
                status = NO_PAYMENT
            data = f'<Data xmlns:xsi="{XSI}" xsi:type="ErrorInfo" code="{status}">'
            data += f"<Message>{escape(message)}</Message></Data>"
            return {"action": action_seen["action"], "data": data}, 200

        def render(answer):
            return _transfer(answer["action"], answer["data"])

        return self._osmd_serve("privat", _key(), handle, refuse, render)

    @staticmethod
    def _unit(data, name):
        for unit in data.findall(f"{{{NS}}}Unit"):
            if unit.get("name") == name:
                return (unit.get("value") or "").strip()
        return ""

    @staticmethod
    def _child(node, tag):
        child = node.find(f"{{{NS}}}{tag}")
        return child

    def _privat_presearch(self, agent, data, info):
        info["account"] = self._unit(data, "ls")
        if not info["account"]:
            raise GatewayError("not_found", _lt("Search by personal account number only."))
        answer = agent._osmd_check(info["account"])
        body = (
            f'<Data xmlns:xsi="{XSI}" xsi:type="PayersTable">'
            '<Headers><Header name="fio"/><Header name="ls"/></Headers>'
            f"<Columns><Column><Element>{escape(answer['holder'])}</Element></Column>"
            f"<Column><Element>{escape(answer['account'])}</Element></Column></Columns></Data>"
        )
        return {"action": "Presearch", "data": body}

    def _privat_search(self, agent, data, info):
        info["account"] = data.get("presearchId") or self._unit(data, "bill_identifier") or self._unit(data, "ls")
        answer = agent._osmd_check(info["account"])
        company = agent.company_id
        account = escape(answer["account"])
        payer = f'<PayerInfo billIdentifier="{account}" ls="{account}"><Fio>{escape(answer["holder"])}</Fio>'
        payer += f"<Address>{escape(answer['address'])}</Address></PayerInfo>"
        iban = company.osmd_iban or ""
        company_info = (
            f"<CompanyInfo mfo={quoteattr(iban[4:10])} okpo={quoteattr(company.osmd_edrpou or '')} "
            f"account={quoteattr(iban)}><CompanyName>{escape(company.name)}</CompanyName></CompanyInfo>"
        )
        services = answer["services"] or [{"code": "0", "name": company.name, "debt": answer["to_pay"]}]
        groups = "".join(
            f"<DebtService serviceCode={quoteattr(service['code'])}>{company_info}"
            f'<DebtInfo amountToPay="{service["debt"]}" debt="{service["debt"]}"/>'
            f"<ServiceName>{escape(service['name'])}</ServiceName>"
            f'<PayerInfo billIdentifier="{account}" ls="{account}"/></DebtService>'
            for service in services
        )
        period = (answer["period"] or "").replace("-", "")
        body = (
            f'<Data xmlns:xsi="{XSI}" xsi:type="DebtPack" billPeriod="{period}">{payer}'
            f"<ServiceGroup>{groups}</ServiceGroup></Data>"
        )
        return {"action": "Search", "data": body}

    def _payment_fields(self, data, info):
        payer = self._child(data, "PayerInfo")
        total = self._child(data, "TotalSum")
        info["txn"] = data.get("id") or ""
        info["account"] = payer.get("billIdentifier") if payer is not None else ""
        return info["txn"], info["account"], (total.text or "").strip() if total is not None else ""

    def _privat_check(self, agent, data, info):
        _txn, number, total = self._payment_fields(data, info)
        account = agent._osmd_account(number)
        parse_amount(total, agent.max_amount)
        return {"action": "Check", "data": f'<Data xmlns:xsi="{XSI}" xsi:type="Gateway" reference="{account.id}"/>'}

    def _privat_pay(self, agent, data, info):
        txn, number, total = self._payment_fields(data, info)
        answer = agent._osmd_pay(txn, number, total)
        reference = answer["payment_id"]
        return {"action": "Pay", "data": f'<Data xmlns:xsi="{XSI}" xsi:type="Gateway" reference="{reference}"/>'}

    def _privat_cancel(self, agent, data, info):
        info["txn"] = data.get("id") or ""
        answer = agent._osmd_cancel(info["txn"])
        reference = answer["payment_id"]
        return {"action": "Cancel", "data": f'<Data xmlns:xsi="{XSI}" xsi:type="Gateway" reference="{reference}"/>'}
