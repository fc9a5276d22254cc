"""What the shopper's browser loads from the emulator: the SDK stand-in, its styles, the
card frame, and the small JSON API the stand-in calls.

The API is split by who calls it: ``/cp/api/init``, ``/wallet``, ``/status`` and ``/cancel``
come from the merchant's page (so they answer CORS, and carry no card data); ``/cp/api/pay``
carries card data and comes only from the card frame on this origin (so it does not answer
CORS). The emulator's own pages (3DS challenge, wallet simulators, hosted page) are
:mod:`pages`' blueprint, nested in this one; both take their shared helpers from
:mod:`shopper` and their files from :mod:`assets`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, render_template, request

from .. import catalogue
from . import i18n, icons, pages
from .assets import Asset, asset, js_data, serve, sdk_bundle, sprite_asset, static_asset
from .errors import StubError, param_error
from .services import Services
from .shopper import page_headers, result_payload, session_payload
from .web import answer, cors, json_object, preflight, services, string

bp = Blueprint("browser", __name__)
bp.register_blueprint(pages.bp)

# frame-ancestors stays open: any merchant page may embed the card frame (as PayKKa's
# does); the frame itself refuses to work for a parent other than the one it was told.
FRAME_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors *"
)


@bp.get("/cp/card-checkout-ui.js")
def sdk_js() -> Response:
    return serve(sdk_bundle())


@bp.get("/cp/style.css")
def sdk_css() -> Response:
    return serve(static_asset("css", "sdk.css", "text/css"))


@bp.get("/cp/icons.svg")
def icon_sprite() -> Response:
    return serve(sprite_asset())


def _frame_page(locale: str) -> Asset:
    return _frame_page_for(locale, catalogue.BRANDS)


@lru_cache(maxsize=64)
def _frame_page_for(locale: str, brands: tuple[catalogue.CardBrand, ...]) -> Asset:
    # The frame's words and the brands it knows (label, number prefix, security-code length)
    # arrive as JSON data blocks; "</" inside one would end its <script> element early.
    html = render_template("card_frame.html", t=i18n.messages(locale), locale=locale,
                           dir=i18n.direction(locale), messages=js_data(i18n.messages(locale)),
                           brands=js_data(catalogue.frame_data()), symbols=icons.symbols(catalogue.brand_codes()))
    return asset(html.encode("utf-8"), "text/html")


@bp.get("/cp/frames/card.html")
def card_frame() -> Response:
    # The locale is in the query (not the fragment) so the page arrives already translated.
    return page_headers(serve(_frame_page(i18n.resolve(request.args.get("locale"))), cors=False), FRAME_CSP)


@bp.get("/cp/frames/card-frame.js")
def frame_js() -> Response:
    return serve(static_asset("js", "frame/card-frame.js", "application/javascript"), cors=False)


@bp.get("/cp/frames/frame.css")
def frame_css() -> Response:
    return serve(static_asset("css", "frame.css", "text/css"), cors=False)


# --- the JSON API ------------------------------------------------------------------------


@bp.route("/cp/api/init", methods=["POST", "OPTIONS"])
def api_init() -> Response:
    if request.method == "OPTIONS":
        return preflight()
    try:
        data = json_object()
        session = services().sessions.browser_init(string(data, "sessionId"), string(data, "clientKey"))
        locale = data.get("locale") if isinstance(data.get("locale"), str) else None
        return cors(answer(session_payload(services(), session, locale)))
    except StubError as exc:
        return cors(answer(error=exc))


def _card_from(data: dict[str, Any]) -> dict[str, Any]:
    card = data.get("card")
    if not isinstance(card, dict):
        raise param_error("card: is required (or token and cvv for a stored card)")
    return card


@bp.post("/cp/api/pay")
def api_pay() -> Response:
    # Same-origin only: no CORS headers, and a cross-site page cannot read the answer.
    try:
        data = json_object()
        payments = services().payments
        sid, ck = string(data, "sessionId"), string(data, "clientKey")
        if data.get("token") is not None:
            result = payments.pay_with_token(sid, ck, string(data, "token"), str(data.get("cvv") or ""))
        else:
            store = data.get("store")
            result = payments.pay_with_card(sid, ck, _card_from(data), store=store if isinstance(store, bool) else None)
        return answer(result_payload(result))
    except StubError as exc:
        return answer(error=exc)


def _owned(svc: Services, data: dict[str, Any]) -> tuple[Any, str]:
    """The session the client key opens and the body's order id, checked to belong to it."""
    session = svc.sessions.open_for_browser(string(data, "sessionId"), string(data, "clientKey"))
    return session, svc.payments.session_order(session, string(data, "orderId"))


def _cors_api(handler: Any) -> Response:
    if request.method == "OPTIONS":
        return preflight()
    try:
        return cors(answer(handler(services(), json_object())))
    except StubError as exc:
        return cors(answer(error=exc))


@bp.route("/cp/api/wallet", methods=["POST", "OPTIONS"])
def api_wallet() -> Response:
    def start(svc: Services, data: dict[str, Any]) -> dict[str, Any]:
        method = string(data, "method")
        row = catalogue.method(method)
        if row is None or row.flow == "card":
            raise param_error("method: must be a wallet payment method code such as APPLE_PAY")
        return result_payload(svc.payments.start_wallet(string(data, "sessionId"), string(data, "clientKey"), method))
    return _cors_api(start)


@bp.route("/cp/api/status", methods=["POST", "OPTIONS"])
def api_status() -> Response:
    """An attempt's status, and its session's (a page back from the back/forward cache asks
    both: a pending attempt on an expired session needs a fresh session, not a retry)."""
    def status(svc: Services, data: dict[str, Any]) -> dict[str, Any]:
        session, order_id = _owned(svc, data)
        return {**result_payload(svc.payments.payment_status(order_id)),
                "sessionStatus": svc.sessions.status(session)}
    return _cors_api(status)


@bp.route("/cp/api/cancel", methods=["POST", "OPTIONS"])
def api_cancel() -> Response:
    """The shopper closed a 3DS challenge or a wallet sheet: the attempt fails, the
    session stays payable."""
    def cancel(svc: Services, data: dict[str, Any]) -> dict[str, Any]:
        return result_payload(svc.payments.cancel(_owned(svc, data)[1]))
    return _cors_api(cancel)

