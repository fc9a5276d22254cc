"""The emulator's v3 server API: what a merchant's server talks to.

Every request is checked the way PayKKa checks it, in this order: content type and
size, the ``x-paykka-*`` headers (``206002`` when missing), the app id
(``x-paykka-appid``: ``206005`` when it belongs to no merchant), the signature over the
raw body (``206003``, ``206004`` outside the window, ``206003`` for a replayed nonce),
the body's ``merchant_id`` against the app's merchant (``206005``), then the JSON body
against the wire model (``010000`` naming the field and the rule). Every answer,
refusals included, is signed with the platform key over the request's path.

The body is read the way PayKKa's Java/JSON backend reads it (see
:func:`paykka_embed.wire.lenient_request`): ``null`` is absent, a number is accepted for a
text field, and unknown names are ignored, each one reported in the emulator's log, in
the request log (``GET /_stub/requests``) and in the answer's
``x-paykka-stub-ignored-fields`` header. In strict mode (``paykka-embed stub --strict``)
unknown names are refused instead.

Signature timestamps (checked and sent) are wall-clock time, not the emulator's clock:
the merchant's side checks them against its own clock, and a test that moves the
emulator's clock an hour ahead must still be able to talk to it. A signature skew
(``POST /_stub/clock {"signature_skew_seconds": N}``) shifts them by N seconds, to
show what a merchant server whose clock is off sees.

Every answered call is kept in the request log (:mod:`requestlog`), card data masked.

The operations, their paths and models are the rows of :mod:`paykka_embed.operations`;
each handler below names its row and calls one service, nothing else.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any, Callable, Mapping, Optional, cast

from flask import Blueprint, Response, g, request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from werkzeug.exceptions import HTTPException

from .. import signing, wire
from ..errors import SignatureError
from ..operations import OPERATIONS, Operation
from .errors import NO_MERCHANT, SIGN_INVALID, SIGN_MISSING, StubError, param_error
from .records import Merchant
from .requestlog import RequestEntry
from .web import context, public_base, services

log = logging.getLogger("paykka_embed.stub.api")

bp = Blueprint("v3", __name__)

#: Response header listing the names the emulator ignored, as a JSON array of field paths.
IGNORED_HEADER = "x-paykka-stub-ignored-fields"
#: At most this many names in the header (the request log keeps up to MAX_IGNORED_LOGGED).
MAX_IGNORED_SHOWN = 50
MAX_IGNORED_LOGGED = 200

#: The v3 operations this emulator serves, by path: the catalogue's rows with a handler
#: registered. :mod:`openapi` documents exactly these.
HANDLED: dict[str, Operation] = {}


def signed_json(body: dict[str, Any], status: int = 200) -> Response:
    """``body`` as JSON, signed with the platform key over the request's path (no app id)."""
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ctx = context()
    headers = signing.signed_headers(ctx.platform_key, "", request.path, raw,
                                     timestamp_ms=ctx.clock.signature_now_ms())
    del headers[signing.H_APPID]
    return Response(raw, status=status, mimetype="application/json", headers=headers)


def refusal(exc: StubError) -> Response:
    """A refusal in PayKKa's envelope, signed, with its HTTP status."""
    return signed_json(wire.envelope(ret_code=exc.ret_code, ret_msg=exc.ret_msg), exc.http_status)


def authenticate(entry: RequestEntry) -> tuple[Merchant, bytes]:
    """The calling merchant and the raw body, once content type, headers, app id, signature
    and nonce pass (see the module docstring for the codes, in the order checked)."""
    if request.mimetype != "application/json":
        raise StubError(415, "010000", "content-type: must be application/json")
    body = entry.body
    ctx = context()
    headers = request.headers
    for name in (signing.H_SIGN, signing.H_TIMESTAMP, signing.H_NONCE, signing.H_APPID):
        if not headers.get(name):
            raise StubError(401, SIGN_MISSING, f"{name}: header is required")
    merchants = ctx.services.merchants
    merchant = merchants.for_app(headers.get(signing.H_APPID))
    entry.merchant_id = merchant.merchant_id
    assert merchant.public_key is not None
    try:
        verified = signing.verify_headers(merchant.public_key, request.path, cast(Mapping[str, str], headers), body,
                                          now_ms_value=ctx.clock.signature_now_ms())
    except SignatureError as exc:
        entry.signature_refused(exc.message, headers.get(signing.H_TIMESTAMP, ""), headers.get(signing.H_NONCE, ""),
                                key=merchant.public_key, signature=headers.get(signing.H_SIGN, ""),
                                query=request.query_string.decode("latin-1"), host_url=request.host_url)
        raise StubError(401, exc.ret_code or SIGN_INVALID, exc.message) from None
    if not merchants.remember_nonce(verified.nonce, verified.timestamp_ms):
        problem = f"{signing.H_NONCE}: already used (replayed request)"
        entry.signature_refused(problem, headers.get(signing.H_TIMESTAMP, ""), verified.nonce)
        raise StubError(401, SIGN_INVALID, problem)
    return merchant, body


def decode(body: bytes) -> dict[str, Any]:
    """The JSON object of the body; decimals stay :class:`Decimal` so ``1.50`` keeps its text."""
    try:
        decoded = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise param_error("body: is not valid JSON") from None
    if not isinstance(decoded, dict):
        raise param_error("body: must be a JSON object")
    return decoded


def check_merchant(merchant: Merchant, decoded: dict[str, Any]) -> None:
    """The body's ``merchant_id`` must be the merchant of ``x-paykka-appid`` (206005 otherwise)."""
    given = decoded.get("merchant_id")
    if isinstance(given, (str, int)) and not isinstance(given, bool) and str(given) != merchant.merchant_id:
        raise StubError(403, NO_MERCHANT, f"merchant_id: {str(given)[:64]} is not the merchant of "
                        f"{signing.H_APPID} {merchant.app_id} (the merchant does not exist for this app)")


def validate(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """The strict model over a body the leniency pre-pass has read (``010000`` naming the field)."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise param_error(wire.describe_validation_error(exc)) from None
    except RecursionError:
        raise param_error("body: is nested too deeply") from None


def _ignored_header(ignored: list[str]) -> str:
    shown = ignored[:MAX_IGNORED_SHOWN]
    if len(ignored) > len(shown):
        shown.append(f"...and {len(ignored) - len(shown)} more")
    return json.dumps(shown, ensure_ascii=True, separators=(",", ":"))


def new_entry() -> RequestEntry:
    """A request-log entry for the request being answered (its body is read later)."""
    entry = RequestEntry("POST" if request.method == "POST" else request.method, request.path,
                         request.headers.get(signing.H_APPID) or None, b"")
    now = context().clock.now()
    entry.at, entry.at_ms = wire.format_datetime(now), int(now.timestamp() * 1000)
    return entry


def record(entry: RequestEntry, response: Response) -> Response:
    """Put the answered call in the request log (the answer's envelope says the verdict)."""
    try:
        answered = json.loads(response.get_data())
    except ValueError:
        answered = {}
    entry.http_status = response.status_code
    entry.ret_code = str(answered.get("ret_code", ""))
    entry.ret_msg = str(answered.get("ret_msg", ""))
    context().requests.record(entry)
    if entry.ret_code != wire.OK:
        log.info("v3 %s (app %s): refused %s %s", entry.path, entry.app_id, entry.ret_code, entry.ret_msg)
    return response


def operation(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve the catalogue's operation ``name`` with ``handler(merchant, request model)``.

    Around the handler: authentication, the clock's due work, the lenient read and the
    strict model of the body, signed answers and refusals, and the request log. The
    handler returns the envelope's ``data`` (JSON-ready).
    """
    op = OPERATIONS[name]
    path, model = op.path, op.request_model

    def register(handler: Callable[[Merchant, Any], Any]) -> Callable[..., Any]:
        def view() -> Response:
            entry = new_entry()
            entry.operation = op.title
            g.paykka_request_entry = entry
            ignored: list[str] = []
            try:
                entry.body = request.get_data(cache=True)
                merchant, body = authenticate(entry)
                services().tick()
                decoded = decode(body)
                check_merchant(merchant, decoded)
                lenient = wire.lenient_request(model, decoded, strict=bool(context().strict))
                ignored = lenient.ignored
                entry.ignored_fields = ignored[:MAX_IGNORED_LOGGED]
                if ignored:
                    log.warning("v3 %s (app %s): ignored unknown field(s) %s", path, merchant.app_id,
                                ", ".join(ignored[:MAX_IGNORED_SHOWN]))
                req = validate(model, lenient.data)
                response = signed_json(wire.envelope(handler(merchant, req)))
            except StubError as exc:
                response = refusal(exc)
            except HTTPException as exc:  # 413 from reading the body: same envelope, still signed
                response = handle_http_error(exc)
            except Exception:  # a bug in the emulator: say so in the envelope, never a stack trace
                log.exception("v3 %s failed", path)
                response = refusal(StubError(500, "999999", "system exception (a bug in the emulator; see its log)"))
            if ignored:
                response.headers[IGNORED_HEADER] = _ignored_header(ignored)
            return record(entry, response)

        bp.add_url_rule(path, endpoint=handler.__name__, view_func=view, methods=["POST"])
        HANDLED[path] = op
        return handler

    return register


@operation("create_session")
def create_session(merchant: Merchant, req: wire.CreateSessionRequest) -> dict[str, Any]:
    """Create Session → :meth:`sessions.Sessions.create`; answers the session."""
    sessions = services().sessions
    return sessions.data(sessions.create(merchant, req), public_base())


@operation("query_session")
def query_session(merchant: Merchant, req: wire.QuerySessionRequest) -> dict[str, Any]:
    """Query Session → :meth:`sessions.Sessions.find`; answers the session."""
    sessions = services().sessions
    return sessions.data(sessions.find(merchant.merchant_id, req.session_id, req.trans_id), public_base())


@operation("initiate_transaction")
def initiate_transaction(merchant: Merchant, req: wire.InitiateTransactionRequest) -> dict[str, Any]:
    """Initiate Transaction → :meth:`transactions.Transactions.initiate`; answers the order."""
    return services().transactions.initiate(merchant, req).to_wire(public_base())


@operation("query_transaction")
def query_transaction(merchant: Merchant, req: wire.QueryTransactionRequest) -> dict[str, Any]:
    """Query Transaction → :meth:`transactions.Transactions.find`; answers the order."""
    return services().transactions.find(merchant.merchant_id, req).to_wire(public_base())


@operation("capture")
def capture(merchant: Merchant, req: wire.CaptureRequest) -> dict[str, Any]:
    """Capture → :meth:`modifications.Modifications.capture`; answers the order."""
    return services().modifications.capture(merchant, req).to_wire(public_base())


@operation("void")
def void(merchant: Merchant, req: wire.VoidRequest) -> dict[str, Any]:
    """Void → :meth:`modifications.Modifications.void`; answers the order."""
    return services().modifications.void(merchant, req).to_wire(public_base())


@operation("refund")
def refund(merchant: Merchant, req: wire.RefundRequest) -> dict[str, Any]:
    """Refund → :meth:`modifications.Modifications.refund`; answers the refund."""
    return services().modifications.refund(merchant, req).to_wire()


@operation("query_refund")
def refund_query(merchant: Merchant, req: wire.RefundQueryRequest) -> dict[str, Any]:
    """Refund Query → :meth:`modifications.Modifications.find_refund`; answers the refund."""
    return services().modifications.find_refund(merchant, req).to_wire()


@operation("remove_token")
def token_remove(merchant: Merchant, req: wire.TokenRemoveRequest) -> dict[str, Any]:
    """Remove a stored card → :meth:`vault.Vault.remove_token`."""
    return services().vault.remove_token(merchant.merchant_id, req)


@operation("cancel_recurring")
def recurring_cancel(merchant: Merchant, req: wire.RecurringCancelRequest) -> dict[str, Any]:
    """Cancel a recurring agreement → :meth:`vault.Vault.cancel_recurring`."""
    return services().vault.cancel_recurring(merchant.merchant_id, req)


@operation("create_apple_pay_session")
def apple_pay_session(merchant: Merchant, req: wire.ApplePaySessionRequest) -> str:
    """Apple Pay merchant session → :meth:`vault.Vault.apple_pay_session` (a JSON string)."""
    return services().vault.apple_pay_session(merchant.merchant_id, req)


def handle_http_error(exc: Any) -> Response:
    """Werkzeug's own refusals (413, 405, 404 under /v3/) in PayKKa's envelope, still signed."""
    code = getattr(exc, "code", 500) or 500
    messages = {413: "body: is larger than the 1 MiB limit", 405: "method: only POST is allowed",
                404: "path: no such v3 operation"}
    return refusal(StubError(code, "010000", messages.get(code, getattr(exc, "description", "bad request"))))


def refused_outside_an_operation(exc: Any) -> Response:
    """A 404 or 405 under /v3/ (no operation view ran): answered, and kept in the request log."""
    entry: Optional[RequestEntry] = g.get("paykka_request_entry")
    if entry is None:
        entry = new_entry()
        try:
            entry.body = request.get_data(cache=True)
        except HTTPException:
            entry.body = b""
    return record(entry, handle_http_error(exc))
