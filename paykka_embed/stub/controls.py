"""Test controls under ``/_stub/``: register merchants, move the clock (and put it back on
real time), read the request and webhook logs, resend a webhook or deliver its next retry
now, open and move disputes, inject faults, read the OpenAPI document, reset. Merchant code never needs these; tests and the demo do. Answers use PayKKa's
envelope but are not signed. Each control reads its body, calls one service (or the
context's clock, logs and faults), and answers: nothing here touches a record."""

from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, Response, current_app, jsonify, request

from .. import signing, wire
from . import openapi
from .cards import CVV_FAILURE, TEST_CARDS
from .errors import ILLEGAL_STATE, PARAM, StubError, param_error
from .faults import parse_fault
from .web import answer, context, json_object


def _body() -> dict[str, Any]:
    """The control's JSON object; an empty body is ``{}``."""
    return json_object(empty_ok=True)


bp = Blueprint("controls", __name__, url_prefix="/_stub")


@bp.post("/merchants")
def register_merchant() -> Response:
    """``{"public_key", "merchant_id"?, "app_id"?, "name"?, "notify_url"?, "pci"?}``: register
    (or re-key) a merchant; answers its credentials and the platform public key."""
    try:
        data = _body()
        public_key = data.get("public_key")
        if not isinstance(public_key, str):
            raise param_error("public_key: is required (PEM text of the merchant's RSA public key)")
        for name in ("merchant_id", "app_id", "name", "notify_url"):
            if data.get(name) is not None and not isinstance(data[name], str):
                raise param_error(f"{name}: must be a string")
        pci = data.get("pci")
        if pci is not None and not isinstance(pci, bool):
            raise param_error("pci: must be true or false (true: may send plain card_no)")
        merchant = context().services.merchants.register(
            public_key, data.get("merchant_id"), data.get("name"), data.get("notify_url"), pci,
            app_id=data.get("app_id"),
        )
        return answer(context().merchant_credentials(merchant))
    except StubError as exc:
        return answer(error=exc)


@bp.get("/platform-public-key")
def platform_public_key() -> Response:
    """The platform public key (PEM) that verifies the emulator's answers and webhooks."""
    return Response(signing.public_pem(context().platform_key), mimetype="application/x-pem-file")


#: Largest clock move or signature skew a control accepts, in seconds.
MAX_CLOCK_SECONDS = 10**8


@bp.route("/clock", methods=["GET", "POST"])
def clock() -> Response:
    """``POST {"reset": true}``: business time back on real time and no signature skew; then
    ``advance_seconds`` moves business time forward and ``signature_skew_seconds`` (an integer
    that may be negative; 0 removes it) sets the skew, each when given. Answers the clock."""
    clock = context().clock
    if request.method == "POST":
        try:
            data = _body()
            seconds = data.get("advance_seconds")
            skew = data.get("signature_skew_seconds")
            back = data.get("reset")
            if seconds is None and skew is None and back is None:
                raise param_error("advance_seconds: advance_seconds, signature_skew_seconds or reset is required")
            if back is not None and not isinstance(back, bool):
                raise param_error("reset: must be true (business time back to real time, no signature skew) "
                                  "or false")
            if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                        or not 0 <= seconds <= MAX_CLOCK_SECONDS):
                raise param_error("advance_seconds: must be a number of seconds from 0 to 100000000")
            if skew is not None and (isinstance(skew, bool) or not isinstance(skew, int)
                                     or not -MAX_CLOCK_SECONDS <= skew <= MAX_CLOCK_SECONDS):
                raise param_error("signature_skew_seconds: must be a whole number of seconds from -100000000 "
                                  "to 100000000 (0 removes the skew)")
            if back:
                clock.back_to_real_time()
            if skew is not None:
                clock.skew_signatures(skew)
            if seconds is not None:
                clock.advance(float(seconds))
        except StubError as exc:
            return answer(error=exc)
    return answer({"now": wire.format_datetime(clock.now()), "now_ms": clock.now_ms(),
                    "offset_seconds": clock.offset_seconds,
                    "signature_skew_seconds": clock.signature_skew_seconds,
                    "signature_now_ms": clock.signature_now_ms()})


@bp.get("/requests")
def requests_log() -> Response:
    """The request log, newest first (``?limit=N`` for the newest N); see :mod:`requestlog`."""
    limit = request.args.get("limit")
    if limit is not None and not (limit.isdigit() and 1 <= int(limit) <= 10_000):
        return answer(error=param_error("limit: must be a whole number from 1 to 10000"))
    return answer(context().requests.entries(int(limit) if limit else None))


@bp.get("/test-cards")
def test_cards() -> Response:
    """The test cards and what each does, for a merchant's own cheat sheet (the demo's back office)."""
    rows: list[dict[str, Optional[str]]] = [
        {"number": c.number, "brand": c.brand, "outcome": c.outcome, "error_code": c.error_code, "label": c.label}
        for c in TEST_CARDS.values()]
    rows.append({"number": None, "brand": None, "outcome": "decline", "error_code": CVV_FAILURE.error_code,
                 "label": "any card with CVV 000: declined, CVV check failed"})
    return answer(rows)


@bp.get("/webhooks")
def webhooks() -> Response:
    """Every notification sent or queued, with its attempts (see :mod:`webhooks`)."""
    return answer(context().sender.log())


def _delivery_error(exc: Exception) -> StubError:
    if isinstance(exc, LookupError):
        return StubError(404, PARAM, str(exc.args[0]))
    return StubError(409, ILLEGAL_STATE, str(exc))


@bp.get("/webhooks/<int:delivery_id>")
def webhook(delivery_id: int) -> Response:
    """One delivery, as ``GET /_stub/webhooks`` lists it."""
    try:
        return answer(context().sender.delivery(delivery_id))
    except LookupError as exc:
        return answer(error=_delivery_error(exc))


@bp.post("/webhooks/<int:delivery_id>/resend")
def resend_webhook(delivery_id: int) -> Response:
    """Resend now: one more attempt, outside the retry schedule (see :meth:`WebhookSender.resend`)."""
    try:
        return answer(context().sender.resend(delivery_id))
    except LookupError as exc:
        return answer(error=_delivery_error(exc))


@bp.post("/webhooks/<int:delivery_id>/retry-now")
def retry_webhook_now(delivery_id: int) -> Response:
    """Deliver the next retry now (a pending delivery only; see :meth:`WebhookSender.deliver_next_retry`)."""
    try:
        return answer(context().sender.deliver_next_retry(delivery_id))
    except (LookupError, ValueError) as exc:
        return answer(error=_delivery_error(exc))


def _optional_int(data: dict[str, Any], name: str, low: int, high: int, rule: str) -> Optional[int]:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise param_error(f"{name}: {rule}")
    return value


def _optional_text(data: dict[str, Any], name: str, limit: int) -> Optional[str]:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        raise param_error(f"{name}: must be a string of 1 to {limit} characters")
    return value


@bp.route("/disputes", methods=["GET", "POST"])
def disputes() -> Response:
    """``GET``: every dispute, newest first. ``POST {"order_id", "amount"?, "reason_code"?,
    "reason_code_description"?, "due_days"?}``: the shopper's bank disputes the order
    (``DISPUTE_CREATED`` is sent)."""
    disputes = context().services.disputes
    if request.method == "GET":
        return answer(disputes.all())
    try:
        data = _body()
        order_id = data.get("order_id")
        if not isinstance(order_id, str) or not order_id:
            raise param_error("order_id: is required (the GW… order to dispute)")
        dispute = disputes.open(
            order_id,
            amount=_optional_int(data, "amount", 1, wire.MAX_AMOUNT, "must be a positive integer in minor units"),
            reason_code=_optional_text(data, "reason_code", 16),
            reason_code_description=_optional_text(data, "reason_code_description", 256),
            due_days=_optional_int(data, "due_days", 1, 120, "must be a whole number of days from 1 to 120"))
        return answer(disputes.view(dispute))
    except StubError as exc:
        return answer(error=exc)


@bp.post("/disputes/<dispute_id>/advance")
def advance_dispute(dispute_id: str) -> Response:
    """``{"outcome"?: "WON" | "LOST"}``: the dispute's next stage (the outcome closes it)."""
    disputes = context().services.disputes
    try:
        data = _body()
        outcome = data.get("outcome")
        if outcome is not None and not isinstance(outcome, str):
            raise param_error("outcome: must be WON or LOST")
        return answer(disputes.view(disputes.advance(dispute_id, outcome)))
    except StubError as exc:
        return answer(error=exc)


@bp.route("/faults", methods=["GET", "POST", "DELETE"])
def faults() -> Response:
    """``GET``: the faults waiting; ``POST``: add one (see :func:`faults.parse_fault`);
    ``DELETE``: clear them. Answers the list."""
    registry = context().faults
    try:
        if request.method == "POST":
            registry.add(parse_fault(_body()))
        elif request.method == "DELETE":
            registry.clear()
    except StubError as exc:
        return answer(error=exc)
    return answer(registry.list())


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 document of the v3 API (see :mod:`openapi`)."""
    base = current_app.config.get("STUB_PUBLIC_URL") or request.host_url.rstrip("/")
    return jsonify(openapi.build(base))


@bp.post("/reset")
def reset() -> Response:
    """Forget everything but the merchants: records, logs, faults, clock offset."""
    context().reset()
    return answer({"reset": True})
