"""The extension's routes, under ``PAYKKA_URL_PREFIX`` (default ``/paykka``):

- ``POST /sessions`` — a fresh attempt's session for an order (CSRF-checked; the
  amount comes from the order resolver, never from the browser);
- ``GET /return`` — where PayKKa sends the shopper back: the result is confirmed by
  Query Transaction, never taken from the redirect, then the shopper is sent on to
  ``PAYKKA_SUCCESS_URL`` or ``PAYKKA_FAILURE_URL``;
- ``POST /webhook`` — PayKKa's signed notifications (see :mod:`.webhooks`);
- ``GET /static/...`` — the mount layer and its type declarations.

Errors are JSON ``{"error": {"code", "message"}}`` naming the field and the rule; a
gateway failure is a 502 with a message fit for a shopper, never a stack trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request
from flask_wtf.csrf import CSRFError, validate_csrf  # type: ignore[import-untyped]
from wtforms import ValidationError as WTFValidationError  # type: ignore[import-untyped]

from ..errors import PayKKaError, ValidationError
from ..resources import static_dir, templates_dir
from .webhooks import ack_json

if TYPE_CHECKING:
    from .extension import PayKKa

FINAL_SUCCESS = {"SUCCESS", "AUTHORIZED"}
BROWSER_MODES = {"dropin": "DROP_IN", "component": "COMPONENT", "hosted": "HOSTED"}


def _error(status: int, code: str, message: str) -> Response:
    resp = jsonify({"error": {"code": code, "message": message}})
    resp.status_code = status
    return resp


def create_blueprint(ext: "PayKKa") -> Blueprint:
    bp = Blueprint("paykka", __name__, static_folder=str(static_dir()), static_url_path="/static",
                   template_folder=str(templates_dir()))

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
        except LookupError:
            return _error(404, "order_not_found", "order: no such order")
        except PayKKaError as exc:
            current_app.logger.error("PayKKa session creation failed: %s", exc)
            return _error(502, "gateway_error", "the payment gateway could not create a session; try again")
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
        cfg = current_app.config
        template = cfg["PAYKKA_SUCCESS_URL"] if confirmed.status in FINAL_SUCCESS else cfg["PAYKKA_FAILURE_URL"]
        target = template(confirmed) if callable(template) else str(template).format(
            order=confirmed.order_ref, trans_id=confirmed.trans_id, status=confirmed.status)
        return redirect(target, code=303)

    @bp.post("/webhook")
    def webhook() -> Response:
        body = request.get_data(cache=False)
        outcome = ext.state().pipeline.process(request.script_root + request.path, request.headers, body)
        return Response(ack_json(outcome), status=outcome.status, mimetype="application/json")

    return bp
