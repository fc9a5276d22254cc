"""The emulator's dashboard, at its root URL: what the emulator holds and did, live, for the
developer who keeps it open beside their shop.

``GET /`` is the page (a shell: its script fills it from ``GET /_stub/dashboard`` every second,
and the answer is ``304`` while nothing changed, so an idle page costs a hash); the controls it
uses are the test controls of :mod:`controls` (clock, faults, reset, webhook resend and retry).
The lists are also served one by one under ``/_stub/dashboard/…``, with filters, for scripts.

Served only by the emulator, under the strict CSP of its pages (scripts and styles from this
origin only, no inline code), like the rest of its files (see :mod:`paykka_embed.resources`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Optional

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from ..operations import OPERATIONS
from ..resources import compact_script, emulator_asset
from .assets import Asset, asset, serve, static_asset
from .errors import PARAM, StubError
from .faults import HTTP_KINDS, WEBHOOK, WEBHOOK_KINDS
from .overview import Overview, related_to
from .records import Merchant
from .web import answer, context

bp = Blueprint("dashboard", __name__)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
#: The answer header carrying the emulator's business time (ms) when the answer was made.
NOW_HEADER = "x-paykka-stub-now-ms"
#: The lists served one by one, and the filter each takes beside ``related``.
LISTS = ("sessions", "transactions", "refunds", "disputes", "tokens", "agreements", "webhooks")
STATUS_FIELDS = {"sessions": "status", "transactions": "status", "refunds": "status", "disputes": "stage",
                 "webhooks": "state"}


def overview() -> Overview:
    """The read model over the running emulator."""
    ctx = context()
    return Overview(ctx.services, ctx.sender, ctx.requests, ctx.clock, ctx.faults, ctx.platform_key)


def _text_arg(name: str, limit: int = 100) -> Optional[str]:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if len(value) > limit:
        raise StubError(400, PARAM, f"{name}: must be at most {limit} characters")
    return value


def _merchant(view: Overview) -> Optional[Merchant]:
    """The merchant of ``?merchant_id=`` (its id or app id), the newest without one."""
    wanted = _text_arg("merchant_id")
    merchant = view.chosen_merchant(wanted)
    if merchant is None and wanted:
        raise StubError(404, PARAM, f"merchant_id: no merchant {wanted} is registered with this emulator")
    return merchant


def _verdict() -> Optional[str]:
    verdict = _text_arg("verdict", 16)
    if verdict is not None and verdict not in ("accepted", "refused", "ignored"):
        raise StubError(400, PARAM, "verdict: must be accepted, refused or ignored")
    return verdict


def _timed(resp: Response) -> Response:
    resp.headers[NOW_HEADER] = str(context().clock.now_ms())
    resp.headers["cache-control"] = "no-cache"
    return resp


# --- the page and its files ----------------------------------------------------------------------


@bp.get("/")
def page() -> Response:
    """The dashboard's page."""
    paths = [{"path": op.path, "title": op.title} for op in OPERATIONS.values()]
    html = render_template("dashboard.html", paths=paths, http_kinds=HTTP_KINDS, webhook_kinds=WEBHOOK_KINDS,
                           webhook=WEBHOOK, strict=bool(context().strict),
                           public_url=current_app.config.get("STUB_PUBLIC_URL") or request.host_url.rstrip("/"))
    resp = Response(html, mimetype="text/html")
    resp.headers["content-security-policy"] = CSP
    resp.headers["referrer-policy"] = "no-referrer"
    resp.headers["cache-control"] = "no-store"
    return resp


@lru_cache(maxsize=1)
def dashboard_bundle() -> Asset:
    """Every file of ``static/js/emulator/dashboard/`` in name order, in one function scope."""
    parts = sorted(emulator_asset("js", "dashboard").glob("*.js"))
    source = "\n".join(compact_script(p.read_text("utf-8")) for p in parts)
    body = f'/* paykka-embed emulator dashboard */\n(function () {{\n"use strict";\n{source}\n}})();\n'
    return asset(body.encode("utf-8"), "application/javascript")


@bp.get("/_stub/dashboard.js")
def dashboard_js() -> Response:
    return serve(dashboard_bundle(), cors=False)


@bp.get("/_stub/dashboard.css")
def dashboard_css() -> Response:
    return serve(static_asset("css", "dashboard.css", "text/css"), cors=False)


# --- what the page reads -------------------------------------------------------------------------


@bp.get("/_stub/dashboard")
def snapshot() -> Response:
    """Everything the page shows for ``?merchant_id=`` (the newest merchant without one), filtered by
    ``?related=`` and ``?verdict=`` when given; ``304`` when it is what the page has (``If-None-Match``)."""
    try:
        view = overview()
        merchant = _merchant(view)
        data = view.snapshot(merchant.merchant_id if merchant else None, _text_arg("related"), _verdict())
    except StubError as exc:
        return _timed(answer(error=exc))
    resp = jsonify({"ret_code": "000000", "ret_msg": "Success", "data": data})
    resp.add_etag()
    resp.make_conditional(request)  # in place: 304 without a body when the page has this one
    return _timed(resp)


@bp.get("/_stub/dashboard/merchants")
def merchants() -> Response:
    """Every merchant, newest first: ids, name, client key, notify URL, key fingerprint."""
    return answer(overview().merchants())


def _list(name: str) -> Callable[[], Response]:
    def view() -> Response:
        try:
            reader = overview()
            merchant = _merchant(reader)
            status = _text_arg("status", 32)
            if merchant is None:
                rows: list[dict[str, Any]] = []
            elif name == "webhooks":
                rows = reader.webhooks(merchant)
            else:
                rows = reader.records(merchant.merchant_id)[name]
            rows = related_to(rows, _text_arg("related"))
            if status is not None:
                rows = [row for row in rows if row.get(STATUS_FIELDS.get(name, "status")) == status]
            return _timed(answer(rows))
        except StubError as exc:
            return _timed(answer(error=exc))

    view.__name__ = f"list_{name}"
    view.__doc__ = (f"The merchant's {name}, newest first; ``?related=ID`` keeps those that belong with ID"
                    + (f", ``?status=`` those whose {STATUS_FIELDS[name]} it is." if name in STATUS_FIELDS else "."))
    return view


for _name in LISTS:
    bp.add_url_rule(f"/_stub/dashboard/{_name}", view_func=_list(_name), methods=["GET"])


@bp.get("/_stub/dashboard/requests")
def requests_list() -> Response:
    """The v3 calls of the merchant (and those whose app id named none), newest first;
    ``?verdict=accepted|refused|ignored``, ``?limit=N``; ``?all=1`` for every merchant's."""
    try:
        reader = overview()
        merchant = None if request.args.get("all") == "1" else _merchant(reader)
        verdict = _verdict()
        limit = request.args.get("limit")
        if limit is not None and not (limit.isdigit() and 1 <= int(limit) <= 10_000):
            raise StubError(400, PARAM, "limit: must be a whole number from 1 to 10000")
        return _timed(answer(reader.requests_for(merchant, verdict=verdict, limit=int(limit) if limit else None)))
    except StubError as exc:
        return _timed(answer(error=exc))


@bp.get("/_stub/dashboard/schedule")
def schedule() -> Response:
    """What the clock will make happen next (the merchant's, or everyone's with ``?all=1``), soonest first."""
    try:
        reader = overview()
        merchant = None if request.args.get("all") == "1" else _merchant(reader)
        return _timed(answer(reader.schedule(merchant)))
    except StubError as exc:
        return _timed(answer(error=exc))
