"""The merchant app the benchmarks drive: a minimal Flask shop using the toolkit the way
the README tells merchants to (``PayKKa(app)``, an order resolver, the Jinja macros).

It prices every order the same, so each request can use a fresh order reference and
nothing but the toolkit's own work is measured. Pages:

- ``/dropin`` — ``paykka.scripts()`` + ``paykka.drop_in(session)``, a new session per load
  (``?methods=BANKCARD,...`` narrows the session's payment methods);
- ``/components?names=card,applepay`` — one ``paykka.component(...)`` mount per name,
  each with its own session (a session is initialised in a browser only once);
- ``/bench/csrf`` — a CSRF token (and the session cookie it belongs to) for load clients;
- ``POST /bench/empty`` — reads the body and answers ``{}``: the floor any Flask view on the
  same server costs, measured beside the webhook endpoint;
- ``POST /hand/sessions`` and ``POST /hand/webhook`` — the same work written by hand, without
  the toolkit (:mod:`bench.handwritten`), when the config carries the merchant's credentials.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from decimal import Decimal
from typing import Any, Optional

from flask import Flask, Response, render_template_string, request
from flask_wtf.csrf import generate_csrf

from paykka_embed import PayKKa
from paykka_embed.flask import OrderInfo

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout</title>
{% import "paykka/macros.html" as paykka %}{{ paykka.scripts() }}</head>
<body><main><h1>Checkout</h1>
{% for s, name in mounts %}<section>{% if name %}{{ paykka.component(s, name) }}{% else %}{{ paykka.drop_in(s) }}{% endif %}</section>
{% endfor %}</main></body></html>"""


def create_app(config: dict[str, Any]) -> Flask:
    app = Flask("paykka_bench_merchant")
    app.config.update(SECRET_KEY=secrets.token_hex(16), PAYKKA_MERCHANT_NAME="Bench shop")
    app.config.update(config)
    paykka = PayKKa(app)
    if config.get("PAYKKA_PRIVATE_KEY") and config.get("PAYKKA_DATABASE"):
        from .handwritten import create_blueprint

        app.register_blueprint(create_blueprint(config, str(config["PAYKKA_DATABASE"]) + ".hand"))
    counter = itertools.count(1)
    lock = threading.Lock()

    def next_ref() -> str:
        with lock:
            return f"page-{secrets.token_hex(3)}-{next(counter)}"

    @paykka.order_resolver
    def resolve(order_ref: str) -> Optional[OrderInfo]:
        return OrderInfo(amount=Decimal("88.00"), currency="HKD",
                         goods=[{"id": "tea", "name": "Oolong tea", "quantity": 1, "price": 8800}])

    def fields() -> dict[str, Any]:
        """``?methods=BANKCARD,...`` narrows the session's payment methods (default: all the merchant has)."""
        methods = [m for m in request.args.get("methods", "").split(",") if m]
        return {"allowed_payment_methods": methods} if methods else {}

    @app.get("/dropin")
    def dropin() -> str:
        return render_template_string(PAGE, mounts=[(paykka.create_session(next_ref(), "DROP_IN", **fields()), None)])

    @app.get("/components")
    def components() -> str:
        names = [n for n in request.args.get("names", "card").split(",") if n]
        mounts = [(paykka.create_session(next_ref(), "COMPONENT", **fields()), n) for n in names]
        return render_template_string(PAGE, mounts=mounts)

    @app.post("/bench/empty")
    def empty() -> Response:
        request.get_data(cache=False)
        return Response(b"{}", mimetype="application/json")

    @app.get("/bench/csrf")
    def csrf() -> str:
        return generate_csrf()

    return app
