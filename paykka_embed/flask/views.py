"""The extension's routes, under ``PAYKKA_URL_PREFIX`` (default ``/paykka``):

- ``POST /sessions`` — a fresh attempt's session for an order (CSRF-checked; the
  amount comes from the order resolver, never from the browser);
- ``GET /return`` — where PayKKa sends the shopper back: the result is confirmed by
  Query Transaction, never taken from the redirect, then the shopper is sent on to
  ``PAYKKA_SUCCESS_URL`` or ``PAYKKA_FAILURE_URL`` (by default, the result page below);
- ``GET /result/<token>`` — the extension's own result page (see :mod:`.results`);
- ``GET /csrf-token`` — a fresh CSRF token for a page left open longer than the token lives;
- ``POST /webhook`` — PayKKa's signed notifications (see :mod:`.webhooks`);
- ``GET /static/js/paykka-embed.js`` and ``/static/js/paykka-embed.d.ts`` — the mount layer and
  its type declarations, and nothing else (the emulator's files are the emulator's to serve).

Errors are JSON ``{"error": {"code", "message"}}`` naming the field and the rule; a
gateway failure is a 502 with a message fit for a shopper, never a stack trace.
"""

from __future__ import annotations

import hashlib
import logging
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request
from werkzeug.exceptions import NotFound
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from jinja2 import BaseLoader, FileSystemLoader, PrefixLoader
from wtforms import ValidationError as WTFValidationError

from ..errors import (
    APIError,
    NetworkError,
    OrderPaidError,
    OrderStateError,
    PayKKaError,
    SignatureError,
    UnknownOrderError,
    ValidationError,
)
from ..resources import compact_script, merchant_static_dir, merchant_templates_dir
from ..webhooks import ack_json
from . import results
from .integrity import valid_until

if TYPE_CHECKING:
    from .extension import PayKKa

log = logging.getLogger("paykka_embed")

BROWSER_MODES = {"dropin": "DROP_IN", "component": "COMPONENT", "hosted": "HOSTED"}


def _error(status: int, code: str, message: str) -> Response:
    resp = jsonify({"error": {"code": code, "message": message}})
    resp.status_code = status
    return resp


def order_state_error(exc: OrderStateError) -> Response:
    """``POST /sessions``'s answer when no payment may start: 409 with what the mount layer shows."""
    error: dict[str, Any] = {"code": exc.code, "message": exc.message, "order": exc.order_ref}
    if exc.order_url:
        error["orderUrl"] = exc.order_url
    ends_at = getattr(exc, "ends_at", None)
    if ends_at is not None:
        error["retryAfter"] = max(0, int((ends_at - datetime.now(timezone.utc)).total_seconds()))
    resp = jsonify({"error": error})
    resp.status_code = 409
    return resp


def order_state_page(exc: OrderStateError) -> Any:
    """A merchant's own page asked for a session of an order that may not be paid now (the README's
    ``/pay/<ref>`` after Back and reload): a paid order goes to its page, an open payment shows
    the processing page. Registered app-wide by ``init_app``; an app may register its own."""
    if isinstance(exc, OrderPaidError) and exc.order_url:
        return redirect(exc.order_url, code=303)
    state = results.RECEIVED if isinstance(exc, OrderPaidError) else results.PROCESSING
    ends_at = getattr(exc, "ends_at", None)
    return results.render(state, exc.order_ref, status=409 if state == results.PROCESSING else 200,
                          ends_within=ends_at - datetime.now(timezone.utc) if ends_at else None)


def payment_error_page(exc: PayKKaError) -> Any:
    """A merchant's own page that starts a payment raised on the way (the README's ``/pay/<ref>``):
    an order that does not exist, or cannot (a reference no order can have), is the app's 404;
    PayKKa unreachable, failing or answering unsigned is a page in the shopper's language (503 when
    trying again later may work, else 500), the cause logged at ERROR for the merchant. Any other
    error is raised again, as if this handler were not there. Registered app-wide by ``init_app``;
    an app may register its own."""
    if isinstance(exc, UnknownOrderError) or (isinstance(exc, ValidationError) and exc.field == "order"):
        return current_app.handle_http_exception(NotFound())
    if not isinstance(exc, (NetworkError, APIError, SignatureError)):
        raise exc
    log.error("a payment could not be started on %s: %s", request.path, exc, exc_info=exc)
    again_later = isinstance(exc, NetworkError) or (isinstance(exc, APIError) and (exc.http_status or 0) >= 500)
    page = results.render(results.UNAVAILABLE, "", status=503 if again_later else 500)
    if again_later:
        page.headers["Retry-After"] = "30"
    return page


def raw_path() -> str:
    """The request's path as it was sent on the wire (percent-encoded), which is what PayKKa signs.

    Werkzeug decodes ``request.path`` (``/zahlung-%C3%BC/webhook`` becomes ``/zahlung-ü/webhook``);
    servers keep the raw form in ``RAW_URI`` (gunicorn, werkzeug) or ``REQUEST_URI``; without either,
    the decoded path is encoded again the way browsers and ``url_for`` encode it."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        path = urlsplit(raw).path if "://" in raw.split("?", 1)[0] else raw.split("?", 1)[0]
        if path:
            return str(path)
    return quote(request.script_root + request.path, safe="/:@!$&'()*+,;=-._~%")


class MerchantBlueprint(Blueprint):
    """The merchant's own files and nothing else: its static folder is ``static/js/paykka/``
    and its templates are exactly ``templates/paykka/``, under their public names
    (``paykka/macros.html``, ``paykka/result.html``)."""

    @cached_property
    def jinja_loader(self) -> BaseLoader:
        return PrefixLoader({"paykka": FileSystemLoader(str(merchant_templates_dir()))})

    def send_static_file(self, filename: str) -> Response:
        """The mount layer goes out compacted (no comments, blank lines or indentation: see
        :func:`paykka_embed.resources.compact_script`), which keeps it within its 4 KB gzip
        budget while its source reads like the rest of the code. Other files go out as they are."""
        if filename != MOUNT_LAYER:
            return super().send_static_file(filename)
        body = mount_layer_script()
        resp = Response(body, mimetype="text/javascript")
        resp.set_etag(hashlib.sha256(body).hexdigest()[:20])
        resp.cache_control.no_cache = True
        resp.make_conditional(request)
        return resp


MOUNT_LAYER = "paykka-embed.js"


@lru_cache(maxsize=1)
def mount_layer_script() -> bytes:
    """``static/js/paykka/paykka-embed.js`` as merchants' apps serve it."""
    source = (merchant_static_dir() / MOUNT_LAYER).read_text("utf-8")
    return (compact_script(source, indentation=False) + "\n").encode("utf-8")


def create_blueprint(ext: "PayKKa") -> Blueprint:
    # Its static folder is the merchant's own (the mount layer and its declarations), at the
    # URLs they always had: {prefix}/static/js/paykka-embed.js.
    bp = MerchantBlueprint("paykka", __name__, static_folder=str(merchant_static_dir()),
                           static_url_path="/static/js")

    @bp.post("/sessions")
    def sessions() -> Response:
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
        except (WTFValidationError, CSRFError) as exc:
            return _error(400, "csrf", f"X-CSRFToken: {exc}")
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return _error(400, "invalid_request", "body: must be a JSON object")
        if "amount" in data or "currency" in data:
            return _error(400, "invalid_request", "amount: is decided by the server, not the browser")
        fields = {}
        for name in ("order", "mode", "component", "locale", "theme"):
            value = data.get(name)
            if value is not None and (not isinstance(value, str) or len(value) > 64):
                return _error(400, "invalid_request", f"{name}: must be a string of at most 64 characters")
            fields[name] = value
        mode = BROWSER_MODES.get(fields["mode"] or "dropin", fields["mode"] or "")
        try:
            session = ext.create_session(fields["order"] or "", mode, component=fields["component"],
                                         locale=fields["locale"], theme=fields["theme"])
        except ValidationError as exc:
            return _error(400, "invalid_request", str(exc))
        except OrderStateError as exc:
            return order_state_error(exc)
        except LookupError:
            return _error(404, "order_not_found", "order: no such order")
        except PayKKaError as exc:
            current_app.logger.error("PayKKa session creation failed: %s", exc)
            return _error(502, "gateway_error", "the payment gateway could not create a session")
        return jsonify(session.mount_options(sessionUrl=session.session_url))

    @bp.get("/return")
    def return_() -> Any:
        trans_id = request.args.get("trans_id", "")
        attempt = ext.store.attempt(trans_id) if trans_id else None
        if attempt is None:
            abort(404)
        try:
            confirmed = ext.confirm(trans_id) or attempt
        except PayKKaError as exc:
            current_app.logger.error("PayKKa confirmation of %s failed: %s", trans_id, exc)
            confirmed = attempt
        return redirect(ext.state().result_url(confirmed), code=303)

    @bp.get("/result/<token>")
    def result(token: str) -> Any:
        trans_id = results.trans_id_of(token)
        attempt = ext.store.attempt(trans_id) if trans_id else None
        if attempt is None:
            abort(404)
        if attempt.status == "PROCESSING" and not ext.store.paid_trans_id(attempt.order_ref):
            try:  # the webhook may not have come yet: ask PayKKa
                attempt = ext.confirm(attempt.trans_id) or attempt
            except PayKKaError as exc:
                current_app.logger.warning("PayKKa confirmation of %s failed: %s", attempt.trans_id, exc)
        state = results.state_of(attempt, ext.store.paid_trans_id(attempt.order_ref))
        pending = state == results.PROCESSING and attempt.order_id is not None
        return results.render(state, attempt.order_ref,
                              ends_within=valid_until(attempt) - datetime.now(timezone.utc) if pending else None)

    @bp.get("/csrf-token")
    def csrf_token() -> Response:
        resp = jsonify({"csrfToken": generate_csrf()})
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @bp.post("/webhook")
    def webhook() -> Response:
        body = request.get_data(cache=False)
        state = ext.state()
        answer = state.pipeline.process(raw_path(), request.headers, body)
        if answer.status == 401 and state.test_merchant:
            # The emulator may have been restarted and sign with a new platform key: learn it, try once more.
            state.register_again()
            answer = state.pipeline.process(raw_path(), request.headers, body)
        return Response(ack_json(answer), status=answer.status, mimetype="application/json")

    return bp
