"""Fault injection for reliability tests: ``POST /_stub/faults`` / ``DELETE /_stub/faults``.

A fault applies to the next ``count`` requests to ``path`` (all of them without a
count) and then disappears:

- ``status``: answer ``status`` (an unsigned PayKKa envelope, as a proxy or an
  overloaded edge would) without touching state;
- ``delay``: wait ``seconds`` (real time), then handle the request normally;
- ``drop``: close the connection without an answer.

For ``"path": "webhook"`` the kinds act on notifications instead: ``duplicate`` (send
the next one twice), ``reorder`` (hold the next one back until the one after it is
sent), ``fail`` (the next attempts fail without reaching the receiver, so the retry
schedule runs).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from .errors import FAULT, param_error

HTTP_KINDS = ("status", "delay", "drop")
WEBHOOK_KINDS = ("duplicate", "reorder", "fail")
WEBHOOK = "webhook"


@dataclass
class Fault:
    """One injected fault: on requests to ``path`` (or ``webhook`` deliveries), ``kind``
    (an HTTP ``status``, a ``delay`` of ``seconds``, a dropped connection, ...), for
    ``count`` requests (None: until cleared).
    """

    path: str
    kind: str
    count: Optional[int] = None
    status: int = 503
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The fault as the control shows it."""
        return {"path": self.path, "kind": self.kind, "count": self.count, "status": self.status,
                "seconds": self.seconds}


def parse_fault(data: dict[str, Any]) -> Fault:
    """The :class:`Fault` a ``POST /_stub/faults`` body describes. Raises
    :class:`StubError` ``010000`` naming the field and the rule.
    """
    path = data.get("path")
    if not isinstance(path, str) or not (path == WEBHOOK or path.startswith("/")):
        raise param_error('path: must be a request path such as "/v3/payment/acq/session", or "webhook"')
    kind = data.get("kind")
    kinds = WEBHOOK_KINDS if path == WEBHOOK else HTTP_KINDS
    if kind not in kinds:
        raise param_error(f"kind: must be one of {', '.join(kinds)} for this path")
    count = data.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000):
        raise param_error("count: must be an integer from 1 to 1000 (omit it for every request)")
    fault = Fault(path, kind, count)
    if kind == "status":
        status = data.get("status", 503)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise param_error("status: must be an HTTP error status from 400 to 599")
        fault.status = status
    if kind == "delay":
        seconds = data.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= 60:
            raise param_error("seconds: must be a number of seconds from 0 to 60")
        fault.seconds = float(seconds)
    return fault


class Faults:
    """The faults waiting to happen, consumed by the middleware and the webhook sender."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Add ``fault`` (it applies from the next request on)."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        """Every fault still waiting, as JSON."""
        with self._lock:
            return [f.to_json() for f in self._faults]

    def take(self, path: str, kinds: Iterable[str]) -> Optional[Fault]:
        """The first active fault for ``path`` of one of ``kinds``, used up by one."""
        wanted = tuple(kinds)
        with self._lock:
            for fault in self._faults:
                if fault.path == path and fault.kind in wanted:
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self._faults.remove(fault)
                    return fault
        return None


class FaultMiddleware:
    """WSGI wrapper applying HTTP faults before the app sees the request."""

    def __init__(self, app: Callable[..., Any], faults: Faults) -> None:
        self.app = app
        self.faults = faults

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_stub/"):
            return self.app(environ, start_response)
        fault = self.faults.take(path, HTTP_KINDS)
        if fault is None:
            return self.app(environ, start_response)
        if fault.kind == "delay":
            time.sleep(fault.seconds)
            return self.app(environ, start_response)
        if fault.kind == "drop":
            sock = environ.get("werkzeug.socket")
            if isinstance(sock, socket.socket):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            start_response("500 Dropped", [("content-length", "0")])
            return [b""]
        body = json.dumps({"ret_code": FAULT, "ret_msg": f"injected fault: HTTP {fault.status}"}).encode()
        start_response(f"{fault.status} Injected Fault", [("content-type", "application/json"),
                                                          ("content-length", str(len(body)))])
        return [body]
