"""What the shopper's browser loads from the stub: the SDK stand-in, its styles, the
card frame, and the small JSON API the stand-in calls.

``/cp/card-checkout-ui.js`` is every file of ``static/js/sdk/`` in name order, wrapped
in one function scope. ``/cp/api/init`` is called from the merchant's page (so it
answers CORS); ``/cp/api/pay`` only from the card frame on this origin (so it does not).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from .. import money, wire
from ..resources import static_dir
from .gateway import Gateway, StubError, param_error

bp = Blueprint("browser", __name__)

METHOD_NAMES = {"BANKCARD": ("card", "Card")}

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
    body = f'/* PayKKa checkout SDK stand-in (paykka-embed stub) */\n(function () {{\n"use strict";\n{source}\n}})();\n'
    return _asset(body.encode("utf-8"), "application/javascript")


@lru_cache(maxsize=None)
def static_asset(relative: str, mimetype: str) -> Asset:
    return _asset((static_dir() / relative).read_bytes(), mimetype)


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


def gateway() -> Gateway:
    gw: Gateway = current_app.extensions["paykka_stub"].gateway
    return gw


@bp.get("/cp/card-checkout-ui.js")
def sdk_js() -> Response:
    return serve(sdk_bundle())


@bp.get("/cp/style.css")
def sdk_css() -> Response:
    return serve(static_asset("css/sdk.css", "text/css"))


@bp.get("/cp/frames/card.html")
def card_frame() -> Response:
    resp = Response(render_template("paykka_stub/card_frame.html"), mimetype="text/html")
    resp.headers["content-security-policy"] = FRAME_CSP
    resp.headers["referrer-policy"] = "no-referrer"
    resp.headers["x-content-type-options"] = "nosniff"
    resp.headers["cache-control"] = "no-cache"
    return resp


@bp.get("/cp/frames/card-frame.js")
def frame_js() -> Response:
    return serve(static_asset("js/frame/card-frame.js", "application/javascript"), cors=False)


@bp.get("/cp/frames/frame.css")
def frame_css() -> Response:
    return serve(static_asset("css/frame.css", "text/css"), cors=False)


def _cors(resp: Response) -> Response:
    origin = request.headers.get("origin")
    if origin:
        resp.headers["access-control-allow-origin"] = origin
        resp.headers["vary"] = "origin"
        resp.headers["access-control-allow-methods"] = "POST, OPTIONS"
        resp.headers["access-control-allow-headers"] = "content-type"
        resp.headers["access-control-max-age"] = "600"
    return resp


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise param_error("body: must be a JSON object")
    return data


def _string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > 100:
        raise param_error(f"{name}: is required (a string of at most 100 characters)")
    return value


def _answer(data: Any = None, error: StubError | None = None) -> Response:
    if error is not None:
        resp = jsonify(wire.envelope(ret_code=error.ret_code, ret_msg=error.ret_msg))
        resp.status_code = error.http_status
        return resp
    return jsonify(wire.envelope(data))


@bp.route("/cp/api/init", methods=["POST", "OPTIONS"])
def api_init() -> Response:
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    try:
        data = _json_body()
        gw = gateway()
        session = gw.browser_init(_string(data, "sessionId"), _string(data, "clientKey"))
        req = session.request
        merchant = gw.merchants[session.merchant_id]
        methods = [
            {"code": code, "key": METHOD_NAMES[code][0], "name": METHOD_NAMES[code][1]}
            for code in gw.payment_methods(session)
        ]
        payload = {
            "sessionId": session.session_id,
            "amount": req.amount,
            "currency": req.currency,
            "exponent": money.exponent(req.currency),
            "locale": req.display_locale,
            "merchantName": req.display_merchant_name or merchant.name,
            "expireTime": wire.format_datetime(session.expire_time),
            "paymentMethods": methods,
            "returnUrl": req.return_url,
        }
        return _cors(_answer(payload))
    except StubError as exc:
        return _cors(_answer(error=exc))


@bp.post("/cp/api/pay")
def api_pay() -> Response:
    # Same-origin only: no CORS headers, and a cross-site page cannot read the answer.
    try:
        data = _json_body()
        card = data.get("card")
        if not isinstance(card, dict):
            raise param_error("card: is required")
        result = gateway().pay_with_card(_string(data, "sessionId"), _string(data, "clientKey"), card)
        return _answer({
            "status": result.status,
            "orderId": result.order_id,
            "errorCode": result.error_code,
            "errorDescription": result.error_description,
            "returnUrl": result.return_url,
        })
    except StubError as exc:
        return _answer(error=exc)
