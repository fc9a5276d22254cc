"""Server processes for the benchmarks: ``python -m bench.serve stub|merchant ...``.

Each server runs in its own process so that the load generator, the merchant app and the
emulator do not share one interpreter lock: what is measured is what each would do as a
separate service. The process prints one JSON line (``{"url": ..., "pid": ...}``) when it
is listening and stops when its standard input closes (the parent exiting included).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any


def _serve_werkzeug(app: Any) -> str:
    from paykka_embed.serving import BackgroundServer

    server = BackgroundServer(app).start()
    return server.url


def _serve_waitress(app: Any, threads: int) -> str:
    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads, ident="bench")
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]


def _serve_gunicorn(load_app: Any, workers: int, threads: int) -> None:
    """Run gunicorn's arbiter in this process (it needs the main thread) on a socket bound
    here first, so the URL is known before it starts. Each worker builds the app after the
    fork (no SQLite connection crosses a fork). Stops when standard input closes."""
    import signal
    import socket

    from gunicorn.app.base import BaseApplication

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    sock.set_inheritable(True)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": [f"fd://{sock.fileno()}"], "workers": workers, "worker_class": "gthread",
                               "threads": threads, "keepalive": 30, "loglevel": "warning",
                               "accesslog": None}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return load_app()

    print(json.dumps({"url": f"http://127.0.0.1:{sock.getsockname()[1]}", "pid": os.getpid()}), flush=True)

    def stop_when_stdin_closes() -> None:
        sys.stdin.read()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    Server().run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("role", choices=["stub", "merchant"])
    parser.add_argument("--platform-key", help="stub: PEM file of the platform private key")
    parser.add_argument("--config", help="merchant: JSON file of Flask config")
    parser.add_argument("--server", choices=["werkzeug", "waitress", "gunicorn"], default="werkzeug")
    parser.add_argument("--threads", type=int, default=16,
                        help="waitress threads; gunicorn threads per worker")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    def load_app() -> Any:
        if args.role == "stub":
            from paykka_embed import signing
            from paykka_embed.stub import StubContext, create_app as create_stub

            key = signing.load_private_key(Path(args.platform_key).read_text()) if args.platform_key else None
            return create_stub(StubContext(platform_key=key))
        from bench.merchant import create_app

        return create_app(json.loads(Path(args.config).read_text()))

    if args.server == "gunicorn":
        if args.role == "stub":
            parser.error("the emulator keeps its state in one process: serve it with werkzeug or waitress")
        _serve_gunicorn(load_app, args.workers, args.threads)
        return
    app = load_app()
    url = _serve_werkzeug(app) if args.server == "werkzeug" else _serve_waitress(app, args.threads)
    print(json.dumps({"url": url, "pid": os.getpid()}), flush=True)
    sys.stdin.read()  # until the parent closes the pipe


if __name__ == "__main__":
    main()
