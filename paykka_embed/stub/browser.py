"""What the shopper's browser loads from the stub: the SDK stand-in, its styles, the
card frame, and the small JSON API the stand-in calls.

``/cp/card-checkout-ui.js`` is every file of ``static/js/sdk/`` in name order, plus the
payment method marks, wrapped in one function scope. The API is split by who calls it:
``/cp/api/init``, ``/wallet``, ``/status`` and ``/cancel`` come from the merchant's page
(so they answer CORS, and carry no card data); ``/cp/api/pay`` carries card data and
comes only from the card frame on this origin (so it does not answer CORS).
The stub's own pages (3DS challenge, wallet simulators, hosted page) are in
:mod:`pages`, on this blueprint.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from .. import locales, wire
from ..resources import static_dir
from . import i18n, icons
from .gateway import Gateway, StubError, param_error

bp = Blueprint("browser", __name__)

#: code → (key in DropIn's ``paymentMethods`` option, display name, how it is paid).
METHODS: dict[str, tuple[str, str, str]] = {
    "BANKCARD": ("card", "Card", "card"),
    "APPLE_PAY": ("applePay", "Apple Pay", "sheet"),
    "GOOGLE_PAY": ("googlePay", "Google Pay", "sheet"),
    "WECHAT_PAY": ("wechatPay", "WeChat Pay", "qr"),
    "ALIPAY_PLUS": ("alipayPlus", "Alipay+", "qr"),
    "VIETQR": ("vietQR", "VietQR", "qr"),
    "GCASH": ("gcash", "GCash", "redirect"),
    "MAYA": ("maya", "Maya", "redirect"),
    "SHOPEEPAY": ("shopeePay", "ShopeePay", "redirect"),
    "GRABPAY": ("grabPay", "GrabPay", "redirect"),
    "ZALOPAY": ("zaloPay", "ZaloPay", "redirect"),
}

# frame-ancestors stays open: any merchant page may embed the card frame (as PayKKa's
# does); the frame itself refuses to work for a parent other than the one it was told.
FRAME_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors *"
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gz: bytes
    etag: str
    mimetype: str


def _asset(body: bytes, mimetype: str) -> Asset:
    return Asset(body, gzip.compress(body, 9, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"', mimetype)


@lru_cache(maxsize=None)
def sdk_bundle() -> Asset:
    parts = sorted((static_dir() / "js" / "sdk").glob("*.js"))
    source = "\n".join(p.read_text("utf-8") for p in parts)
    marks = "var ICONS = " + json.dumps(icons.ICONS, separators=(",", ":")) + ";\n"
    body = (f'/* PayKKa checkout SDK stand-in (paykka-embed stub) */\n(function () {{\n"use strict";\n'
            f'{marks}{source}\n}})();\n')
    return _asset(body.encode("utf-8"), "application/javascript")


@lru_cache(maxsize=None)
def static_asset(relative: str, mimetype: str) -> Asset:
    return _asset((static_dir() / relative).read_bytes(), mimetype)


@lru_cache(maxsize=None)
def sprite_asset() -> Asset:
    return _asset(icons.sprite().encode("utf-8"), "image/svg+xml")


def serve(asset: Asset, *, cors: bool = True) -> Response:
    if request.if_none_match.contains_weak(asset.etag.strip('"')):
        resp = Response(status=304)
    elif "gzip" in request.headers.get("accept-encoding", ""):
        resp = Response(asset.gz, mimetype=asset.mimetype)
        resp.headers["content-encoding"] = "gzip"
    else:
        resp = Response(asset.body, mimetype=asset.mimetype)
    resp.headers["etag"] = asset.etag
    resp.headers["vary"] = "accept-encoding"
    resp.headers["cache-control"] = "no-cache"
    if cors:
        resp.headers["access-control-allow-origin"] = "*"
    resp.headers["x-content-type-options"] = "nosniff"
    return resp


def page_headers(resp: Response, csp: str) -> Response:
    resp.headers["content-security-policy"] = csp
    resp.headers["referrer-policy"] = "no-referrer"
    resp.headers["x-content-type-options"] = "nosniff"
    resp.headers["cache-control"] = "no-cache"
    return resp


def gateway() -> Gateway:
    gw: Gateway = current_app.extensions["paykka_stub"].gateway
    return gw


@bp.get("/cp/card-checkout-ui.js")
def sdk_js() -> Response:
    return serve(sdk_bundle())


@bp.get("/cp/style.css")
def sdk_css() -> Response:
    return serve(static_asset("css/sdk.css", "text/css"))


@bp.get("/cp/icons.svg")
def icon_sprite() -> Response:
    return serve(sprite_asset())


@lru_cache(maxsize=64)
def _frame_page(locale: str) -> Asset:
    html = render_template("paykka_stub/card_frame.html", t=i18n.messages(locale), locale=locale,
                           dir=i18n.direction(locale), messages=json.dumps(i18n.messages(locale), ensure_ascii=False).replace("</", "<\\/"),
                           symbols=icons.symbols(["VISA", "MASTERCARD", "AMEX", "JCB", "DISCOVER", "DINERS"]))
    return _asset(html.encode("utf-8"), "text/html")


@bp.get("/cp/frames/card.html")
def card_frame() -> Response:
    # The locale is in the query (not the fragment) so the page arrives already translated.
    return page_headers(serve(_frame_page(i18n.resolve(request.args.get("locale"))), cors=False), FRAME_CSP)


@bp.get("/cp/frames/card-frame.js")
def frame_js() -> Response:
    return serve(static_asset("js/frame/card-frame.js", "application/javascript"), cors=False)


@bp.get("/cp/frames/frame.css")
def frame_css() -> Response:
    return serve(static_asset("css/frame.css", "text/css"), cors=False)


# --- the JSON API ------------------------------------------------------------------------


def _cors(resp: Response) -> Response:
    origin = request.headers.get("origin")
    if origin:
        resp.headers["access-control-allow-origin"] = origin
        resp.headers["vary"] = "origin"
        resp.headers["access-control-allow-methods"] = "POST, OPTIONS"
        resp.headers["access-control-allow-headers"] = "content-type"
        resp.headers["access-control-max-age"] = "600"
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
        if code not in METHODS:
            continue
        key, name, kind = METHODS[code]
        method: dict[str, Any] = {"code": code, "key": key, "name": words["card"] if code == "BANKCARD" else name,
                                  "kind": kind}
        if code == "BANKCARD":
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


@bp.route("/cp/api/init", methods=["POST", "OPTIONS"])
def api_init() -> Response:
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    try:
        data = json_body()
        gw = gateway()
        session = gw.browser_init(string(data, "sessionId"), string(data, "clientKey"))
        locale = data.get("locale") if isinstance(data.get("locale"), str) else None
        return _cors(answer(session_payload(gw, session, locale)))
    except StubError as exc:
        return _cors(answer(error=exc))


def _card_from(data: dict[str, Any]) -> dict[str, Any]:
    card = data.get("card")
    if not isinstance(card, dict):
        raise param_error("card: is required (or token and cvv for a stored card)")
    return card


@bp.post("/cp/api/pay")
def api_pay() -> Response:
    # Same-origin only: no CORS headers, and a cross-site page cannot read the answer.
    try:
        data = json_body()
        gw = gateway()
        sid, ck = string(data, "sessionId"), string(data, "clientKey")
        if data.get("token") is not None:
            result = gw.pay_with_token(sid, ck, string(data, "token"), str(data.get("cvv") or ""))
        else:
            store = data.get("store")
            result = gw.pay_with_card(sid, ck, _card_from(data), store=store if isinstance(store, bool) else None)
        return answer(result_payload(result))
    except StubError as exc:
        return answer(error=exc)


def _owned(gw: Gateway, data: dict[str, Any]) -> tuple[Any, str]:
    """The session the client key opens and the body's order id, checked to belong to it."""
    session = gw.open_for_browser(string(data, "sessionId"), string(data, "clientKey"))
    order_id = string(data, "orderId")
    if order_id not in session.order_ids:
        raise StubError(404, "206024", "the order doesn't exist")
    return session, order_id


def _owned_order(gw: Gateway, data: dict[str, Any]) -> str:
    return _owned(gw, data)[1]


def _cors_api(handler: Any) -> Response:
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    try:
        return _cors(answer(handler(gateway(), json_body())))
    except StubError as exc:
        return _cors(answer(error=exc))


@bp.route("/cp/api/wallet", methods=["POST", "OPTIONS"])
def api_wallet() -> Response:
    def start(gw: Gateway, data: dict[str, Any]) -> dict[str, Any]:
        method = string(data, "method")
        if METHODS.get(method, ("", "", "card"))[2] == "card":
            raise param_error("method: must be a wallet payment method code such as APPLE_PAY")
        return result_payload(gw.start_wallet(string(data, "sessionId"), string(data, "clientKey"), method))
    return _cors_api(start)


@bp.route("/cp/api/status", methods=["POST", "OPTIONS"])
def api_status() -> Response:
    """An attempt's status, and its session's (a page back from the back/forward cache asks
    both: a pending attempt on an expired session needs a fresh session, not a retry)."""
    def status(gw: Gateway, data: dict[str, Any]) -> dict[str, Any]:
        session, order_id = _owned(gw, data)
        return {**result_payload(gw.payment_status(order_id)), "sessionStatus": gw.session_status(session)}
    return _cors_api(status)


@bp.route("/cp/api/cancel", methods=["POST", "OPTIONS"])
def api_cancel() -> Response:
    """The shopper closed a 3DS challenge or a wallet sheet: the attempt fails, the
    session stays payable."""
    def cancel(gw: Gateway, data: dict[str, Any]) -> dict[str, Any]:
        order_id = _owned_order(gw, data)
        current = gw.payment_status(order_id)
        if current.status != "PROCESSING":
            return result_payload(current)
        if gw.transactions[order_id].payment_method == "BANKCARD":
            return result_payload(gw.complete_challenge(order_id, False))
        return result_payload(gw.complete_wallet(order_id, False))
    return _cors_api(cancel)


from . import pages  # noqa: E402,F401  (registers the stub's pages on this blueprint)
