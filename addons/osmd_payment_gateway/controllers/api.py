import json
import logging
import time
from decimal import Decimal

from odoo import SUPERUSER_ID, http
from odoo.exceptions import ConcurrencyError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools.gateway import HTTP_STATUS, GatewayError, _lt
from . import openapi

_logger = logging.getLogger(__name__)
LOG_LIMIT = 4000


def _loggable(value):
    """Text PostgreSQL stores: no NUL, no lone surrogate (a JSON "\\ud800" decodes to one)."""
    text = str(value or "")
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


class GatewayEndpoint(http.Controller):
    """What every protocol adapter shares: the agent authenticated (key, address, signature), the rate limit, the
    core called in a savepoint (a refusal leaves nothing written), every request and answer logged."""

    def _osmd_serve(self, protocol, key, handle, refuse, render, signature=None):
        """``handle(agent, raw, info)`` → answer (``info``: operation, txn, account for the log); ``refuse(code,
        message, info)`` → (answer, HTTP status); ``render(answer)`` → (body, content type)."""
        started = time.monotonic()
        # the agent is no user: the core runs as the superuser, confined to the agent's association by its own domains
        env = request.env(user=SUPERUSER_ID, su=True)
        raw = request.httprequest.get_data(cache=True) or b""
        ip = request.httprequest.remote_addr or ""
        agent = env["osmd.payment.agent"]
        info = {"operation": "", "txn": "", "account": ""}
        status, result = 200, "ok"
        try:
            agent = agent._osmd_authenticate(key, ip, raw, signature)
            agent._osmd_check_rate()
            with env.cr.savepoint():
                answer = handle(agent, raw, info)
        except GatewayError as error:
            result = error.code
            answer, status = refuse(error.code, env._(error.message, **error.params), info)
        except (ConcurrencyError, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
            # the request is retried by Odoo (two payments of one account at once, a replay racing its original):
            # a concurrent update is no internal error
            raise
        except Exception:
            _logger.exception("payment gateway (%s): %s failed", protocol, info["operation"])
            env.cr.rollback()
            result = "internal"
            answer, status = refuse("internal", env._("Internal error; the request changed nothing."), info)
        body, content_type = render(answer)
        env["osmd.payment.agent.log"].create(
            {
                "agent_id": agent.id or False,
                "company_id": agent.company_id.id or False,
                "protocol": protocol,
                "operation": str(info["operation"])[:30] or False,
                "ip": ip,
                "txn_id": _loggable(info["txn"])[:64] or False,
                "account_number": _loggable(info["account"])[:30] or False,
                "request_body": raw[:LOG_LIMIT].decode("utf-8", "replace").replace("\x00", "\ufffd"),
                "response_body": body[:LOG_LIMIT],
                "http_status": status,
                "result": result,
                "duration_ms": int((time.monotonic() - started) * 1000),
            }
        )
        return request.make_response(body, headers=[("Content-Type", content_type)], status=status)


class OsmdPaymentGatewayApi(GatewayEndpoint):
    """The JSON API of the payment gateway (/osmd/api/v1/): a thin adapter over the core of ``osmd.payment.agent``.
    Plain Odoo controllers rather than OCA ``fastapi``: four POST endpoints need no second framework in the workers
    (pydantic, a2wsgi), and the answers stay in the request's own transaction and retry loop."""

    @http.route("/osmd/api/v1/openapi.json", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def openapi_document(self):
        return request.make_json_response(openapi.document(request.httprequest.host_url.rstrip("/")))

    @http.route(
        "/osmd/api/v1/<string:operation>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def call(self, operation):
        auth = request.httprequest.headers.get("Authorization", "")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else ""

        def handle(agent, raw, info):
            info["operation"] = operation
            if operation not in openapi.REQUESTS:
                raise GatewayError("not_found", _lt("Unknown operation %(operation)s."), operation=operation[:30])
            try:
                payload = json.loads(raw.decode("utf-8"), parse_float=Decimal)
                # "\ud800" and "\u0000" are valid JSON but no text PostgreSQL stores or searches
                if "\\u0000" in json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8").decode():
                    raise ValueError("NUL character")
            except (UnicodeError, ValueError, RecursionError):  # RecursionError: "[[[[…" nested thousands deep
                raise GatewayError("bad_request", _lt("The body is not JSON in UTF-8.")) from None
            if not isinstance(payload, dict):
                raise GatewayError("bad_request", _lt("The body must be a JSON object."))
            info["txn"], info["account"] = payload.get("transaction_id"), payload.get("account")
            return self._dispatch(agent, operation, payload)

        def refuse(code, message, info):
            return {"error": {"code": code, "message": message}}, HTTP_STATUS.get(
                code, 500 if code == "internal" else 400
            )

        def render(answer):
            return json.dumps(answer, ensure_ascii=False), "application/json; charset=utf-8"

        return self._osmd_serve("json", key, handle, refuse, render, request.httprequest.headers.get("X-Signature"))

    def _dispatch(self, agent, operation, payload):
        if operation == "check":
            return agent._osmd_check(payload.get("account"))
        if operation == "pay":
            return agent._osmd_pay(
                payload.get("transaction_id"),
                payload.get("account"),
                payload.get("amount"),
                payload.get("date"),
                self._services(payload.get("services")),
            )
        if operation == "cancel":
            return agent._osmd_cancel(payload.get("transaction_id"))
        return agent._osmd_status(payload.get("transaction_id"))

    def _services(self, services):
        if services in (None, []):
            return None
        if not isinstance(services, list) or not all(isinstance(item, dict) for item in services):
            raise GatewayError("bad_request", _lt("“services” must be a list of objects."))
        return [
            {"code": str(item.get("code", ""))[:30], "amount": str(item.get("amount", ""))[:30]} for item in services
        ]
