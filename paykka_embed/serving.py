"""Run a WSGI app on a real port in a background thread: the emulator, the demo, and merchants'
own apps in their tests all use this, so every test talks real HTTP.

    from paykka_embed.testing import BackgroundServer

    with BackgroundServer(app) as shop:     # a free port on 127.0.0.1
        page.goto(shop.url + "/pay/ORDER1")
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

log = logging.getLogger("paykka_embed.http")


class _RequestHandler(WSGIRequestHandler):
    """Requests are logged through ``paykka_embed.http`` at INFO (shown with ``--verbose``)."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        log.info('%s "%s" %s', self.address_string(), self.requestline, code)


class BackgroundServer:
    """A WSGI app served by werkzeug's threaded server on ``host:port`` (0: a free port) in a daemon
    thread; a context manager (``with BackgroundServer(app) as server: server.url``)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True, request_handler=_RequestHandler)
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"http-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> "BackgroundServer":
        """Start serving; returns the server (``BackgroundServer(app).start().url``)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (waits up to 5 seconds for the serving thread)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "BackgroundServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
