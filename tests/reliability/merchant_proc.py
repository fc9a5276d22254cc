"""A small merchant shop on paykka-embed, for the reliability tests: in-process (``build_app``)
or as its own process (``python merchant_proc.py CONFIG.json``, served by werkzeug), so a test
can SIGKILL it mid-stream or run two of them on one PostgreSQL database.

CONFIG.json: ``port``, ``database`` (an SQLite path, or a ``postgresql://`` DSN with ``schema``),
``paykka`` (the Flask config of a registered merchant), ``handler_log`` (a file each handler run
appends one JSON line to, fsynced, so runs are counted across crashes and processes),
``handler_delay`` (seconds a handler takes) and ``lease_seconds`` (the webhook claim lease).
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from typing import Any, Optional

from flask import Flask, jsonify, request
from flask_wtf.csrf import generate_csrf

from paykka_embed import PayKKa, PayKKaError
from paykka_embed.errors import OrderStateError
from paykka_embed.flask.extension import OrderInfo
from paykka_embed.store import SQLiteStore, Store

ORDER = re.compile(r"^ORD[A-Za-z0-9_-]{1,40}$")
#: The shopper of every ORDR... order: a recurring agreement's first payment and its monthly charges.
SHOPPER = "shopper-pg"


def open_store(database: str, schema: Optional[str]) -> Store:
    if database.startswith("postgresql://"):
        from paykka_embed.store.postgres import PostgresStore

        return PostgresStore(database, schema=schema)
    return SQLiteStore(database)


def build_app(config: dict[str, Any]) -> tuple[Flask, PayKKa, list[dict[str, Any]]]:
    """The shop; returns the app, its extension, and the list of handler runs in this process."""
    app = Flask("reliability_shop")
    app.config.update(config["paykka"])
    app.config["SECRET_KEY"] = "reliability-shop-secret"
    app.config["PAYKKA_DATABASE"] = config["database"]
    if config.get("lease_seconds"):
        app.config["PAYKKA_WEBHOOK_LEASE"] = config["lease_seconds"]
    delay = float(config.get("handler_delay", 0))
    log_path = config.get("handler_log")
    runs: list[dict[str, Any]] = []
    lock = threading.Lock()
    paykka = PayKKa(app, store_factory=lambda db: open_store(db, config.get("schema")))

    @paykka.order_resolver
    def resolve(order_ref: str) -> Optional[OrderInfo]:
        if not ORDER.match(order_ref):
            return None
        # ORDM...: authorise only (capture later), for flows with PAYMENT.AUTHORIZATION.
        # ORDR...: a recurring shopper's order (first payment, then merchant-initiated charges).
        if order_ref.startswith("ORDR"):
            return OrderInfo(amount=1000, currency="HKD", shopper_reference=SHOPPER)
        return OrderInfo(amount=1000, currency="HKD",
                         capture_method="MANUAL" if order_ref.startswith("ORDM") else "AUTOMATIC")

    @paykka.on("*")
    def handle(event: Any) -> None:
        run = {"notify_type": event.notify_type, "trans_id": event.trans_id, "status": event.status,
               "pid": os.getpid()}

        def log(line: dict[str, Any]) -> None:
            if log_path:
                with lock, open(log_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(line) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())

        log({**run, "phase": "start"})
        if delay:
            time.sleep(delay)
        with lock:
            runs.append(run)
        log({**run, "phase": "done"})

    @app.post("/test/session/<order>")
    def session(order: str) -> Any:
        try:
            created = paykka.create_session(order, "DROP_IN")
        except OrderStateError as exc:
            return jsonify({"error": exc.code, "pid": os.getpid()}), 409
        return jsonify({"trans_id": created.trans_id, "session_id": created.session_id,
                        "attempt": created.attempt, "pid": os.getpid()})

    @app.post("/test/recurring-session/<order>")
    def recurring_session(order: str) -> Any:
        created = paykka.recurring_session(order, SHOPPER)
        return jsonify({"trans_id": created.trans_id, "session_id": created.session_id, "pid": os.getpid()})

    @app.post("/test/charge/<order>")
    def charge(order: str) -> Any:
        try:
            tx = paykka.charge_recurring(order, idempotency_key=request.args.get("key"))
        except PayKKaError as exc:
            return jsonify({"error": type(exc).__name__, "message": str(exc), "pid": os.getpid()}), 409
        return jsonify({"trans_id": tx.trans_id, "order_id": tx.order_id, "status": tx.status, "pid": os.getpid()})

    @app.get("/test/csrf")
    def csrf() -> Any:
        return jsonify({"token": generate_csrf()})

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify({"pid": os.getpid()})

    return app, paykka, runs


def main(path: str) -> None:
    from werkzeug.serving import make_server

    with open(path, encoding="utf-8") as fh:
        config = json.load(fh)
    app, _, _ = build_app(config)
    server = make_server("127.0.0.1", int(config["port"]), app, threaded=True)
    print(f"merchant shop pid {os.getpid()} on http://127.0.0.1:{config['port']}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
