"""What every HTTP layer of the emulator shares: the running context, answers in PayKKa's
envelope, JSON request bodies and CORS.

The v3 API (:mod:`api`) signs its answers on top of this; the test controls
(:mod:`controls`) and the browser's JSON API (:mod:`browser`, :mod:`pages`) answer
unsigned. Every layer reaches the domain through :func:`services` and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, cast

from flask import Response, current_app, jsonify, request

from .. import wire
from .errors import StubError, param_error
from .services import Services

if TYPE_CHECKING:  # the app module imports the HTTP layers, which import this one
    from .app import StubContext

#: Key of the running emulator's :class:`app.StubContext` in ``app.extensions``.
EXTENSION = "paykka_stub"
#: Longest id or key the browser's API accepts in a body field.
MAX_TEXT = 100


def context() -> "StubContext":
    """The running emulator's context (state, sender, clock, request log, faults)."""
    return cast("StubContext", current_app.extensions[EXTENSION])


def services() -> Services:
    """The running emulator's domain services."""
    return context().services


def answer(data: Any = None, error: Optional[StubError] = None) -> Response:
    """PayKKa's envelope, unsigned: ``data`` with ``000000``, or the refusal's code, message
    and HTTP status."""
    if error is not None:
        resp = jsonify(wire.envelope(ret_code=error.ret_code, ret_msg=error.ret_msg))
        resp.status_code = error.http_status
        return resp
    return jsonify(wire.envelope(data))


def json_object(*, empty_ok: bool = False) -> dict[str, Any]:
    """The request's JSON object. ``empty_ok``: an empty body reads as ``{}``.

    Raises :class:`StubError` ``010000`` ``body: must be a JSON object`` otherwise.
    """
    data = request.get_json(silent=True)
    if data is None and empty_ok and not request.get_data():
        return {}
    if not isinstance(data, dict):
        raise param_error("body: must be a JSON object")
    return data


def string(data: dict[str, Any], name: str) -> str:
    """``data[name]``: a non-empty string of at most :data:`MAX_TEXT` characters (``010000``
    naming the field otherwise)."""
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        raise param_error(f"{name}: is required (a string of at most {MAX_TEXT} characters)")
    return value


def cors(resp: Response) -> Response:
    """Let the page that asked (its ``Origin``) read ``resp``: the browser API's calls come
    from merchants' pages on other origins."""
    origin = request.headers.get("origin")
    if origin:
        resp.headers["access-control-allow-origin"] = origin
        resp.headers["vary"] = "origin"
        resp.headers["access-control-allow-methods"] = "POST, OPTIONS"
        resp.headers["access-control-allow-headers"] = "content-type"
        resp.headers["access-control-max-age"] = "600"
    return resp


def preflight() -> Response:
    """The answer to a CORS preflight (``OPTIONS``): 204 with the CORS headers."""
    return cors(Response(status=204))


def public_base() -> str:
    """The emulator's public URL (``STUB_PUBLIC_URL`` when configured, else this request's
    host), the base of the URLs it hands out."""
    configured: Optional[str] = current_app.config.get("STUB_PUBLIC_URL")
    return configured or request.host_url
