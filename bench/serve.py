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
    from paykka_embed.stub.server import BackgroundServer

    server = BackgroundServer(app).start()
    return server.url


def _serve_waitress(app: Any, threads: int) -> str:
    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads, ident="bench")
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("role", choices=["stub", "merchant"])
    parser.add_argument("--platform-key", help="stub: PEM file of the platform private key")
    parser.add_argument("--config", help="merchant: JSON file of Flask config")
    parser.add_argument("--server", choices=["werkzeug", "waitress"], default="werkzeug")
    parser.add_argument("--threads", type=int, default=16, help="waitress worker threads")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    if args.role == "stub":
        from paykka_embed import signing
        from paykka_embed.stub import StubContext, create_app as create_stub

        key = signing.load_private_key(Path(args.platform_key).read_text()) if args.platform_key else None
        app = create_stub(StubContext(platform_key=key))
    else:
        from bench.merchant import create_app

        app = create_app(json.loads(Path(args.config).read_text()))
    url = _serve_werkzeug(app) if args.server == "werkzeug" else _serve_waitress(app, args.threads)
    print(json.dumps({"url": url, "pid": os.getpid()}), flush=True)
    sys.stdin.read()  # until the parent closes the pipe


if __name__ == "__main__":
    main()
