"""``GET /_stub/openapi.json``: an OpenAPI 3.1 document of the v3 API the emulator serves.

Generated, not written: the paths, titles and summaries are the rows of the operation
catalogue (:mod:`paykka_embed.operations`) that :mod:`api` serves, the schemas come
from the pydantic wire models (:mod:`paykka_embed.wire`), so the document cannot drift
from what the emulator accepts. The examples are PayKKa's own (the checkout
product page's requests and responses) plus one per remaining operation; a test
checks each validates against its model.
"""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .. import signing, wire
from . import api

_MERCHANT = "18356675194960"

#: Request examples by path. The first three are the seed's, as written there.
REQUEST_EXAMPLES: dict[str, dict[str, dict[str, Any]]] = {
    wire.PATH_CREATE_SESSION: {
        "hosted": {
            "merchant_id": _MERCHANT, "payment_type": "PURCHASE", "authorisation_type": "FINAL_AUTH",
            "capture_method": "AUTOMATIC", "trans_id": "m3246749195217", "expire_time": "2025-05-05T17:17:24+08:00",
            "session_mode": "HOSTED", "display_locale": "fr-FR", "currency": "HKD", "amount": "800",
            "return_url": "https://url",
            "payment": {"store_payment_method": True, "token_usage": "CARD_ON_FILE",
                        "shopper_reference": "854f5baaf0a735139c583c4cea14d14c"},
        },
        "first_recurring": {
            "merchant_id": _MERCHANT, "payment_type": "RECURRING", "authorisation_type": "FINAL_AUTH",
            "capture_method": "AUTOMATIC", "trans_id": "m3246749195217", "expire_time": "2025-05-05T17:17:24+08:00",
            "session_mode": "HOSTED", "display_locale": "fr-FR", "currency": "HKD", "amount": "800",
            "return_url": "https://url", "mit": False,
            "payment": {"store_payment_method": True, "token_usage": "SUBSCRIPTION",
                        "shopper_reference": "854f5baaf0a735139c583c4cea14d14c"},
        },
        "drop_in_wallets": {
            "merchant_id": _MERCHANT, "trans_id": "order-1001-1", "session_mode": "DROP_IN", "amount": 12900,
            "currency": "PHP", "notify_url": "https://shop.example/paykka/webhook",
            "return_url": "https://shop.example/paykka/return",
            "allowed_payment_methods": ["BANKCARD", "ApplePay", "GCash", "PayMaya"],
            "goods": [{"name": "Jade tea cup", "price": 12900, "quantity": 1}],
            "bill": {"first_name": "Maria", "last_name": "Santos", "country": "PH", "email": "maria@example.com"},
        },
    },
    wire.PATH_QUERY_SESSION: {
        "seed": {"merchant_id": _MERCHANT, "trans_id": "m3246749195217", "session_id": "CS208760010022288125"},
    },
    wire.PATH_QUERY: {
        "seed": {"merchant_id": _MERCHANT, "trans_id": "m3246749195217", "session_id": "CS208760010022288125",
                 "order_id": "GW208760010022288125"},
        "by_order": {"merchant_id": _MERCHANT, "order_id": "GW208760010022288125"},
    },
    wire.PATH_INITIATE: {
        "subsequent_recurring": {
            "merchant_id": _MERCHANT, "payment_type": "RECURRING", "authorisation_type": "FINAL_AUTH",
            "capture_method": "AUTOMATIC", "trans_id": "m3246749195217", "currency": "HKD", "amount": "800",
            "mit": True, "recurring_agreement_id": "RA4264524535435435",
            "payment": {"payment_method": "BANKCARD", "shopper_reference": "558b5cb1b8cbcc8496062155c69cf2ab",
                        "token": "TK20231435132143229"},
        },
        "encrypted_card": {
            "merchant_id": _MERCHANT, "trans_id": "api-2001", "amount": 800, "currency": "HKD",
            "return_url": "https://shop.example/paykka/return",
            "payment": {"payment_method": "BANKCARD", "encrypted_card_no": "stub:NDExMTExMTExMTExMTExMQ==",
                        "encrypted_exp_month": "stub:MTI=", "encrypted_exp_year": "stub:MjAzNA==",
                        "encrypted_cvv": "stub:MTIz", "holder_name": "Chan Tai Man"},
        },
    },
    wire.PATH_CAPTURE: {
        "full": {"merchant_id": _MERCHANT, "order_id": "GW208760010022288125"},
        "partial": {"merchant_id": _MERCHANT, "order_id": "GW208760010022288125", "amount": 500, "currency": "HKD",
                    "capture_trans_id": "cap-1"},
    },
    wire.PATH_VOID: {"void": {"merchant_id": _MERCHANT, "order_id": "GW208760010022288125",
                              "reason": "REQUESTED_BY_CUSTOMER"}},
    wire.PATH_REFUND: {"partial": {"merchant_id": _MERCHANT, "refund_trans_id": "refund-1",
                                   "ori_order_id": "GW208760010022288125", "reason": "REQUESTED_BY_CUSTOMER",
                                   "refund_amount": 300, "currency": "HKD",
                                   "notify_url": "https://shop.example/paykka/webhook"}},
    wire.PATH_REFUND_QUERY: {"by_refund_trans_id": {"merchant_id": _MERCHANT, "refund_trans_id": "refund-1"}},
    wire.PATH_TOKEN_REMOVE: {"remove": {"merchant_id": _MERCHANT, "token": "TK20231435132143229",
                                        "shopper_reference": "558b5cb1b8cbcc8496062155c69cf2ab"}},
    wire.PATH_RECURRING_CANCEL: {"cancel": {"merchant_id": _MERCHANT,
                                            "recurring_agreement_id": "RA4264524535435435"}},
    wire.PATH_APPLE_PAY_SESSION: {"session": {"merchant_id": _MERCHANT, "display_name": "Jade Tea House",
                                              "domain_name": "shop.example.com"}},
}

#: Response ``data`` examples by path (the seed's).
RESPONSE_EXAMPLES: dict[str, dict[str, Any]] = {
    wire.PATH_CREATE_SESSION: {
        "merchant_id": _MERCHANT, "trans_id": "m3246749195217", "session_id": "CS208760010022288125",
        "session_mode": "HOSTED", "status": "PROCESSING", "currency": "HKD", "amount": "800",
        "expire_time": "2025-05-05T17:17:24+08:00", "authorisation_type": "FINAL_AUTH",
        "capture_method": "AUTOMATIC", "session_url": "https://checkout.aq.paykka.com/hp/pay/CS208760010022288125",
    },
    wire.PATH_QUERY: {
        "merchant_id": _MERCHANT, "trans_id": "m3246749195217", "order_id": "GW208760010022288125",
        "session_id": "CS208760010022288125", "status": "SUCCESS", "error_code": "0000",
        "error_description": "request success", "amount": "800", "currency": "HKD",
        "pay_finish_time": "2025-05-05T17:17:24+08:00",
    },
}
RESPONSE_EXAMPLES[wire.PATH_QUERY_SESSION] = RESPONSE_EXAMPLES[wire.PATH_CREATE_SESSION]

_REF = "#/components/schemas/{model}"


def _envelope(data_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["ret_code", "ret_msg"],
        "properties": {
            "ret_code": {"type": "string", "description": "000000 on success; see docs/emulator.md for the rest"},
            "ret_msg": {"type": "string"},
            "data": data_schema,
        },
    }


def build(server_url: Optional[str] = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document (a JSON-ready dict); ``server_url`` becomes its one server."""
    ops = list(api.HANDLED.values())
    pairs: list[tuple[type[BaseModel], Any]] = []
    for op in ops:
        pairs.append((op.request_model, "validation"))
        if op.response_model is not None:
            pairs.append((op.response_model, "serialization"))
    pairs.append((wire.NotifyEvent, "serialization"))
    pairs.append((wire.DisputeNotification, "serialization"))
    refs, top = models_json_schema(pairs, ref_template=_REF)
    paths: dict[str, Any] = {}
    for op in ops:
        path, request_model, answer_model = op.path, op.request_model, op.response_model
        data_schema = (refs[(answer_model, "serialization")] if answer_model is not None
                       else {"type": "string", "description": "Apple Pay merchant session, as text"})
        ok: dict[str, Any] = {"schema": _envelope(data_schema)}
        if path in RESPONSE_EXAMPLES:
            ok["example"] = wire.envelope(RESPONSE_EXAMPLES[path])
        examples = {name: {"value": value} for name, value in REQUEST_EXAMPLES.get(path, {}).items()}
        paths[path] = {"post": {
            "operationId": op.operation_id,
            "summary": op.title,
            "description": op.summary + (" Safe to retry with the same body." if op.retry_safe
                                         else " Not safe to retry blindly: query the order first."),
            "parameters": [{"$ref": f"#/components/parameters/{h}"} for h in _HEADERS],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": refs[(request_model, "validation")], **({"examples": examples} if examples else {})}}},
            "responses": {
                "200": {"description": "Answered (business failures too: see data.error_code)",
                        "headers": {h: {"$ref": f"#/components/headers/{h}"} for h in _HEADERS[1:4]},
                        "content": {"application/json": ok}},
                "4XX": {"description": "Refused: ret_code and ret_msg say why",
                        "content": {"application/json": {"schema": _envelope({})}}},
            },
        }}
    return {
        "openapi": "3.1.0",
        "info": {"title": "PayKKa v3 API (paykka-embed emulator)", "version": "3",
                 "description": "Requests and answers are signed: SHA256withRSA over "
                                "POST\\n{path}\\n{timestamp}\\n{nonce}\\n{raw body}, Base64 then URL-encoded."},
        "servers": [{"url": server_url}] if server_url else [],
        "paths": paths,
        "webhooks": {"notification": {"post": {
            "summary": "PAYMENT.* and REFUND.* notifications to notify_url",
            "requestBody": {"content": {"application/json": {"schema": refs[(wire.NotifyEvent, "serialization")]}}},
            "responses": {"200": {"description": "Any 2xx acknowledges; anything else is retried"}},
        }}, "dispute": {"post": {
            "summary": "DISPUTE notifications (event_type DISPUTE), one per stage, to the order's notify_url",
            "requestBody": {"content": {"application/json": {
                "schema": refs[(wire.DisputeNotification, "serialization")]}}},
            "responses": {"200": {"description": "Any 2xx acknowledges; anything else is retried"}},
        }}},
        "components": {
            "schemas": top.get("$defs", {}),
            "parameters": {h: {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                           for h in _HEADERS},
            "headers": {h: {"schema": {"type": "string"}} for h in _HEADERS},
        },
    }


_HEADERS = (signing.H_APPID, signing.H_TIMESTAMP, signing.H_NONCE, signing.H_SIGN, signing.H_SIGN_ALG)
