"""What the shopper's side of the emulator shares beyond :mod:`web` (the envelope, JSON
bodies, CORS, which every HTTP layer shares): the browser API (:mod:`browser`) and the
emulator's pages (:mod:`pages`) show a session and an attempt's result to the browser the
same way, and send their pages with the same headers.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Response, request

from .. import catalogue, locales, wire
from . import i18n
from .services import Services

def page_headers(resp: Response, csp: str) -> Response:
    resp.headers["content-security-policy"] = csp
    resp.headers["referrer-policy"] = "no-referrer"
    resp.headers["x-content-type-options"] = "nosniff"
    resp.headers["cache-control"] = "no-cache"
    return resp


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


def session_payload(svc: Services, session: Any, requested_locale: Optional[str]) -> dict[str, Any]:
    """Everything the checkout needs to draw itself: amount, methods, stored cards, words."""
    req = session.request
    tag = requested_locale or req.display_locale
    locale = locales.resolve(tag)
    merchant_name = svc.sessions.merchant_name(session)
    words = i18n.messages(locale)
    methods = []
    for code in svc.sessions.payment_methods(session):
        row = catalogue.method(code)
        if row is None:
            continue
        method: dict[str, Any] = {"code": code, "key": row.key, "name": words["card"] if row.flow == "card" else row.name,
                                  "kind": row.flow}
        if row.flow == "card":
            method["brands"] = list(svc.sessions.card_brands(session))
        methods.append(method)
    stored = [{"token": c["token"], "brand": c["brand"], "last4": c["last4"],
               "expMonth": c["exp_month"], "expYear": c["exp_year"]}
              for c in svc.sessions.stored_cards(session)] if any(m["code"] == "BANKCARD" for m in methods) else []
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
        "merchantName": merchant_name,
        "expireTime": wire.format_datetime(session.expire_time),
        "paymentMethods": methods,
        "storedCards": stored,
        # RECURRING sessions always store the card; others let the shopper choose.
        "storeCard": "always" if store_requested and req.payment_type == "RECURRING"
        else ("ask" if store_requested else "never"),
        "returnUrl": req.return_url,
    }
