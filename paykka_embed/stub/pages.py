"""The emulator's own pages: the 3DS challenge, the wallet simulators, the hosted page.

Each is a plain server-rendered page on the stub's origin with a strict CSP (scripts
and styles from this origin only). The 3DS challenge and the Apple Pay / Google Pay
sheet run inside the SDK's modal iframe and report to the merchant page by
``postMessage`` to the exact origin the SDK declared; the QR wallets' page is what a
phone would open from the QR code; the redirect wallets' page is a full-page visit
that ends at the session's ``return_url``.

Their blueprint is nested in :mod:`browser`'s (endpoints ``browser.pages.*``); what both
share comes from :mod:`shopper` and :mod:`assets`, so neither imports the other's views.
"""

from __future__ import annotations

import json
from typing import Any, Optional
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

from flask import Blueprint, Response, abort, render_template, request

from .. import catalogue
from . import i18n, icons, qr
from .assets import serve, static_asset
from .errors import StubError
from .shopper import page_headers, qr_content, result_payload, session_payload
from .web import answer, json_object, services

bp = Blueprint("pages", __name__)

# Framed pages (3DS challenge, wallet sheet) may be embedded anywhere: the page itself
# only talks to the parent origin the SDK put in its fragment.
FRAMED_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
              "form-action 'none'; base-uri 'none'; frame-ancestors *")
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")

#: The hosted page's themes (``theme_id`` of the session); anything else gets "default".
THEMES = ("default", "dark", "ocean", "forest", "sunset")


def _locale() -> str:
    return i18n.resolve(request.args.get("locale"))


def _amount(minor: int, currency: str, locale: str, tag: Optional[str] = None) -> str:
    return i18n.amount_text(minor, currency, tag or locale, locale)


def _order(order_id: str) -> Any:
    try:
        return services().payments.wallet_order(order_id)
    except StubError:
        abort(404)


def _merchant_name(session_id: Optional[str]) -> str:
    sessions = services().sessions
    session = sessions.get(session_id or "")
    return sessions.merchant_name(session) if session is not None else ""


def _page(template: str, csp: str, **context: Any) -> Response:
    # A page that shows a payment's state is never taken from the browser's cache: Back to a hosted
    # page after paying must show it paid, not a live form for a session that is closed.
    resp = page_headers(Response(render_template(template, **context), mimetype="text/html"), csp)
    resp.headers["cache-control"] = "no-store"
    return resp


@bp.get("/cp/pages/pages.js")
def pages_js() -> Response:
    return serve(static_asset("js", "frame/pages.js", "application/javascript"), cors=False)


@bp.get("/cp/pages/pages.css")
def pages_css() -> Response:
    return serve(static_asset("css", "pages.css", "text/css"), cors=False)


# --- 3DS challenge -----------------------------------------------------------------------


@bp.get("/cp/3ds/<order_id>")
def challenge_page(order_id: str) -> Response:
    tx = _order(order_id)
    locale = _locale()
    amount, merchant = _amount(tx.amount, tx.currency, locale), _merchant_name(tx.session_id)
    return _page("challenge.html", FRAMED_CSP, t=i18n.messages(locale), locale=locale,
                 dir=i18n.direction(locale), order_id=order_id, amount=amount, merchant=merchant,
                 text=i18n.markup(locale, "threeDsText", amount=amount, merchant=merchant),
                 simulated=i18n.markup(locale, "simulated", method="3-D Secure"),
                 last4=(tx.card_info or {}).get("last4", ""))


@bp.post("/cp/3ds/<order_id>")
def challenge_answer(order_id: str) -> Response:
    try:
        approve = json_object().get("approve")
        return answer(result_payload(services().payments.complete_challenge(order_id, approve is True)))
    except StubError as exc:
        return answer(error=exc)


# --- wallets -----------------------------------------------------------------------------


@bp.get("/cp/wallet/<order_id>")
def wallet_page(order_id: str) -> Response:
    tx = _order(order_id)
    locale = _locale()
    code = tx.payment_method
    row = catalogue.method(code)
    name = row.name if row else code
    kind = row.flow if row else "redirect"
    return _page("wallet.html", FRAMED_CSP if kind == "sheet" else PAGE_CSP,
                 t=i18n.messages(locale), locale=locale, dir=i18n.direction(locale), order_id=order_id,
                 kind=kind, method=name, icon=icons.inline(code), amount=_amount(tx.amount, tx.currency, locale),
                 merchant=_merchant_name(tx.session_id), status=tx.status,
                 simulated=i18n.markup(locale, "simulated", method=name))


@bp.post("/cp/wallet/<order_id>")
def wallet_answer(order_id: str) -> Response:
    try:
        approve = json_object().get("approve")
        return answer(result_payload(services().payments.complete_wallet(order_id, approve is True)))
    except StubError as exc:
        return answer(error=exc)


def _qr_content(order_id: str) -> str:
    tx = _order(order_id)
    result = services().payments.payment_status(tx.order_id)
    action = getattr(result, "action", None) or {}
    return qr_content(dict(action), order_id)


@bp.get("/cp/qr/<order_id>.svg")
def qr_svg(order_id: str) -> Response:
    return Response(qr.svg(_qr_content(order_id)), mimetype="image/svg+xml",
                    headers={"cache-control": "no-store"})


@bp.get("/cp/qr/<order_id>.png")
def qr_png(order_id: str) -> Response:
    return Response(qr.png(_qr_content(order_id)), mimetype="image/png", headers={"cache-control": "no-store"})


# --- hosted page -------------------------------------------------------------------------


def with_result(url: str, **params: str) -> str:
    """``url`` with the result appended to its query (keeping what the merchant put there)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v]
    return urlunsplit(parts._replace(query=urlencode(query)))


@bp.get("/hp/pay/<session_id>")
def hosted_page(session_id: str) -> Response:
    svc = services()
    session = svc.sessions.get(session_id)
    if session is None:
        abort(404)
    req = session.request
    tag = request.args.get("locale") or req.display_locale
    locale = i18n.resolve(tag)
    merchant_name = _merchant_name(session_id)
    status = svc.sessions.status(session)
    back_url = req.cancel_url or req.return_url
    state = "open" if status == "PROCESSING" else ("expired" if status == "EXPIRED" else "done")
    config = None
    if state == "open":
        payload = session_payload(svc, session, request.args.get("locale") or req.display_locale)
        config = json.dumps({"session": payload, "clientKey": session.client_key}, ensure_ascii=False)
        # "</" inside a JSON data block would end the <script> element early.
        config = config.replace("</", "<\\/")
    theme = req.theme_id if req.theme_id in THEMES else "default"
    return _page("hosted.html", PAGE_CSP, t=i18n.messages(locale), locale=locale,
                 dir=i18n.direction(locale), state=state, merchant=merchant_name,
                 initial=(merchant_name[:1] or "P").upper(), amount=_amount(req.amount, req.currency, locale, tag),
                 back=i18n.markup(locale, "back", merchant=merchant_name), back_url=back_url, return_url=req.return_url, theme=theme, config=config,
                 session_id=session_id)


@bp.get("/cp/pages/hosted.js")
def hosted_js() -> Response:
    return serve(static_asset("js", "frame/hosted.js", "application/javascript"), cors=False)


@bp.get("/favicon.ico")
def favicon() -> Response:
    # Browsers ask for it on every stub page; a 404 would be logged as a console error.
    return Response(status=204, headers={"cache-control": "max-age=86400"})
