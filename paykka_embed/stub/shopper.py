"""What the shopper's side of the emulator shares: the browser API (:mod:`browser`) and the
emulator's pages (:mod:`pages`) both read requests, answer in PayKKa's envelope, and show a
session or an attempt's result to the browser the same way.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Response, current_app, jsonify, request

from .. import catalogue, locales, wire
from . import i18n
from .gateway import Gateway, StubError, param_error


def gateway() -> Gateway:
    """The running emulator's gateway."""
    gw: Gateway = current_app.extensions["paykka_stub"].gateway
    return gw


def page_headers(resp: Response, csp: str) -> Response:
    resp.headers["content-security-policy"] = csp
    resp.headers["referrer-policy"] = "no-referrer"
    resp.headers["x-content-type-options"] = "nosniff"
    resp.headers["cache-control"] = "no-cache"
    return resp


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise param_error("body: must be a JSON object")
    return data


def string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > 100:
        raise param_error(f"{name}: is required (a string of at most 100 characters)")
    return value


def answer(data: Any = None, error: Optional[StubError] = None) -> Response:
    if error is not None:
        resp = jsonify(wire.envelope(ret_code=error.ret_code, ret_msg=error.ret_msg))
        resp.status_code = error.http_status
        return resp
    return jsonify(wire.envelope(data))


def result_payload(result: Any) -> dict[str, Any]:
    """A PaymentResult as the browser sees it (camelCase, action URLs on this origin)."""
    action = dict(result.action) if getattr(result, "action", None) else None
    if action and action.get("type") == "QR":
        from .qr import svg

        action["qrSvg"] = svg(qr_content(action, result.order_id))
        action["qrData"] = action.pop("qr_data", None)
    payload = {
        "status": result.status,
        "orderId": result.order_id,
        "errorCode": result.error_code,
        "errorDescription": result.error_description,
        "returnUrl": result.return_url,
        "paymentMethod": getattr(result, "payment_method", None),
        "action": action,
    }
    if result.status == "FAILURE":
        # Which message the shopper reads; the code stays in errorCode for the merchant.
        payload["declineKey"] = i18n.decline_key(result.error_code)
    return payload


def qr_content(action: dict[str, Any], order_id: str) -> str:
    """What the QR code says: the wallet's own payload when it is a link, else the
    simulator page, so a phone on the same network (or a test) can open it."""
    data = action.get("qr_data") or action.get("qrData")
    if isinstance(data, str) and data.startswith(("http://", "https://")):
        return data
    return request.host_url.rstrip("/") + f"/cp/wallet/{order_id}"


def session_payload(gw: Gateway, session: Any, requested_locale: Optional[str]) -> dict[str, Any]:
    """Everything the checkout needs to draw itself: amount, methods, stored cards, words."""
    req = session.request
    tag = requested_locale or req.display_locale
    locale = locales.resolve(tag)
    merchant = gw.merchants[session.merchant_id]
    words = i18n.messages(locale)
    methods = []
    for code in gw.payment_methods(session):
        row = catalogue.method(code)
        if row is None:
            continue
        method: dict[str, Any] = {"code": code, "key": row.key, "name": words["card"] if row.flow == "card" else row.name,
                                  "kind": row.flow}
        if row.flow == "card":
            method["brands"] = list(gw.card_brands(session))
        methods.append(method)
    stored = [{"token": c["token"], "brand": c["brand"], "last4": c["last4"],
               "expMonth": c["exp_month"], "expYear": c["exp_year"]}
              for c in gw.stored_cards(session)] if any(m["code"] == "BANKCARD" for m in methods) else []
    pay = req.payment
    store_requested = bool(pay and pay.store_payment_method)
    return {
        "sessionId": session.session_id,
        "amount": req.amount,
        "currency": req.currency,
        # Laid out by CLDR for the shopper's language here, so the browser does not have to.
        "amountText": i18n.amount_text(req.amount, req.currency, tag, locale),
        "locale": locale,
        "dir": locales.direction(locale),
        "messages": words,
        "merchantName": req.display_merchant_name or merchant.name,
        "expireTime": wire.format_datetime(session.expire_time),
        "paymentMethods": methods,
        "storedCards": stored,
        # RECURRING sessions always store the card; others let the shopper choose.
        "storeCard": "always" if store_requested and req.payment_type == "RECURRING"
        else ("ask" if store_requested else "never"),
        "returnUrl": req.return_url,
    }
