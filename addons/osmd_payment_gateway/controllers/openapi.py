"""The OpenAPI 3.1 document of the JSON API, served at /osmd/api/v1/openapi.json; the tests check every answer of the
API against it."""

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "Amount in UAH, two decimals"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "enum": [
                        "bad_request",
                        "bad_amount",
                        "unauthorized",
                        "bad_signature",
                        "forbidden",
                        "not_found",
                        "closed",
                        "conflict",
                        "cancel_refused",
                        "rate_limited",
                        "internal",
                    ],
                },
                "message": {"type": "string"},
            },
        }
    },
}
CHECK = {
    "type": "object",
    "required": ["account", "holder", "address", "currency", "balance", "debt", "advance", "to_pay", "services"],
    "properties": {
        "account": {"type": "string"},
        "holder": {"type": "string", "description": "Masked: 'Шевч***о О.'"},
        "address": {"type": "string"},
        "currency": {"type": "string"},
        "balance": MONEY,
        "debt": MONEY,
        "advance": MONEY,
        "to_pay": MONEY,
        "period": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}$"},
        "due_date": {"type": ["string", "null"], "format": "date"},
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name", "debt"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "debt": MONEY},
            },
        },
    },
}
PAYMENT = {
    "type": "object",
    "required": ["transaction_id", "payment_id", "account", "amount", "date", "state", "balance"],
    "properties": {
        "transaction_id": {"type": "string"},
        "payment_id": {"type": "integer"},
        "account": {"type": "string"},
        "amount": MONEY,
        "date": {"type": "string", "format": "date"},
        "state": {"type": "string", "enum": ["pending", "paid", "cancelled"]},
        "cancelled_at": {"type": ["string", "null"]},
        "balance": MONEY,
    },
}
REQUESTS = {
    "check": {"type": "object", "required": ["account"], "properties": {"account": {"type": "string"}}},
    "pay": {
        "type": "object",
        "required": ["transaction_id", "account", "amount"],
        "properties": {
            "transaction_id": {"type": "string", "maxLength": 64},
            "account": {"type": "string"},
            "amount": {"type": ["string", "number"], "description": "More than 0, at most two decimals"},
            "date": {"type": "string", "format": "date"},
            "services": {
                "type": "array",
                "items": {"type": "object", "properties": {"code": {"type": "string"}, "amount": {}}},
            },
        },
    },
    "cancel": {"type": "object", "required": ["transaction_id"], "properties": {"transaction_id": {"type": "string"}}},
    "status": {"type": "object", "required": ["transaction_id"], "properties": {"transaction_id": {"type": "string"}}},
}
ANSWERS = {"check": CHECK, "pay": PAYMENT, "cancel": PAYMENT, "status": PAYMENT}
SUMMARIES = {
    "check": "The account: masked holder, address, debt by service, amount to pay",
    "pay": "Take a payment (idempotent by transaction_id): posted to the account at once",
    "cancel": "Cancel a payment on the day it was made",
    "status": "The state of a payment",
}


def document(server_url=""):
    paths = {}
    for operation, request_schema in REQUESTS.items():
        paths[f"/osmd/api/v1/{operation}"] = {
            "post": {
                "operationId": operation,
                "summary": SUMMARIES[operation],
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "X-Signature",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "HMAC-SHA256 of the raw body (hex), required when the agent signs",
                    }
                ],
                "requestBody": {"required": True, "content": {"application/json": {"schema": request_schema}}},
                "responses": {
                    "200": {"description": "OK", "content": {"application/json": {"schema": ANSWERS[operation]}}},
                    **{
                        str(status): {"description": "Refused", "content": {"application/json": {"schema": ERROR}}}
                        for status in (400, 401, 403, 404, 409, 429, 500)
                    },
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "OSMD payment gateway", "version": "1.0.0"},
        "servers": [{"url": server_url or "/"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
