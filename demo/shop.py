"""The demo storefront: a small shop integrated with paykka-embed the way a merchant would.

Read this file as the example integration: the extension, one order resolver, a
checkout page with the Drop-in, and an order page that shows the result as confirmed
by Query Transaction and by the webhook. Everything else is the shop itself.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from flask import Flask, abort, g, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFProtect

from paykka_embed import PayKKa
from paykka_embed.flask import OrderInfo
from paykka_embed.money import to_minor

HERE = Path(__file__).resolve().parent

PRODUCTS: dict[str, dict[str, Any]] = {
    "jade-cup": {"name": "Jade tea cup", "price": Decimal("8.00"), "currency": "HKD",
                 "blurb": "Hand-thrown celadon cup, 120 ml."},
}


class Orders:
    """The shop's own orders (not paykka-embed's): what was bought, for how much."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS orders (ref TEXT PRIMARY KEY, product TEXT NOT NULL, "
                       "amount TEXT NOT NULL, currency TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def create(self, product_id: str) -> str:
        product = PRODUCTS[product_id]
        ref = "ORD" + secrets.token_hex(6).upper()
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO orders VALUES (?, ?, ?, ?)",
                       (ref, product_id, str(product["price"]), product["currency"]))
        return ref

    def get(self, ref: str) -> Optional[dict[str, Any]]:
        with self._connect() as db:
            row = db.execute("SELECT ref, product, amount, currency FROM orders WHERE ref = ?", (ref,)).fetchone()
        if row is None:
            return None
        return {"ref": row[0], "product": PRODUCTS[row[1]], "product_id": row[1], "amount": Decimal(row[2]),
                "currency": row[3]}


def create_app(config: Optional[dict[str, Any]] = None) -> Flask:
    app = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    app.config.update(
        SECRET_KEY=secrets.token_hex(32),
        PAYKKA_SUCCESS_URL="/orders/{order}",
        PAYKKA_FAILURE_URL="/orders/{order}",
        PAYKKA_MERCHANT_NAME="paykka-embed demo shop",
        DEMO_DATA_DIR=None,
    )
    app.config.update(config or {})
    data_dir = Path(app.config["DEMO_DATA_DIR"] or app.instance_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config.setdefault("PAYKKA_DATABASE", str(data_dir / "paykka.sqlite3"))
    if not app.config.get("PAYKKA_DATABASE"):
        app.config["PAYKKA_DATABASE"] = str(data_dir / "paykka.sqlite3")
    orders = Orders(str(data_dir / "shop.sqlite3"))

    CSRFProtect(app)
    paykka = PayKKa(app)

    @paykka.order_resolver
    def resolve(order_ref: str) -> Optional[OrderInfo]:
        order = orders.get(order_ref)
        if order is None:
            return None
        product = order["product"]
        return OrderInfo(amount=order["amount"], currency=order["currency"],
                         goods=[{"id": order["product_id"], "name": product["name"],
                                 "price": to_minor(order["amount"], order["currency"]), "quantity": 1}])

    checkout_origin = "{0.scheme}://{0.netloc}".format(urlsplit(PayKKa.state(app).environment.checkout_base))

    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def security_headers(resp: Any) -> Any:
        nonce = g.get("csp_nonce", "")
        resp.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'nonce-{nonce}' {checkout_origin}; "
            f"style-src 'self' 'nonce-{nonce}' {checkout_origin}; frame-src {checkout_origin}; "
            f"connect-src 'self' {checkout_origin}; img-src 'self' data:; form-action 'self' {checkout_origin}; "
            "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
        )
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        resp.headers["X-Frame-Options"] = "DENY"
        return resp

    @app.get("/")
    def index() -> str:
        return render_template("index.html", products=PRODUCTS)

    @app.post("/buy/<product_id>")
    def buy(product_id: str) -> Any:
        if product_id not in PRODUCTS:
            abort(404)
        return redirect(url_for("checkout", ref=orders.create(product_id)), code=303)

    @app.get("/checkout/<ref>")
    def checkout(ref: str) -> str:
        order = orders.get(ref) or abort(404)
        session = paykka.create_session(ref, "DROP_IN")
        return render_template("checkout.html", order=order, session=session)

    @app.get("/orders/<ref>")
    def order_page(ref: str) -> str:
        order = orders.get(ref) or abort(404)
        return render_template("order.html", order=order, payment=payment_status(ref))

    @app.get("/orders/<ref>/status.json")
    def order_status(ref: str) -> Any:
        if orders.get(ref) is None:
            abort(404)
        return jsonify(payment_status(ref))

    def payment_status(ref: str) -> dict[str, Any]:
        attempts = paykka.store.attempts(ref)
        latest = attempts[-1] if attempts else None
        paid = next((a for a in attempts if a.status in ("SUCCESS", "AUTHORIZED")), None)
        shown = paid or latest
        return {
            "status": shown.status if shown else "UNPAID",
            "confirmed_by_query": shown.query_status if shown else None,
            "confirmed_by_webhook": shown.webhook_status if shown else None,
            "order_id": shown.order_id if shown else None,
            "attempts": len(attempts),
        }

    return app
