"""The shop's pages: catalogue, cart, checkout in three modes, order page, account.

The payment integration is the part a merchant copies: ``PayKKa(app)``, the order
resolver below, and the macros in ``templates/checkout*.html``.
"""

from __future__ import annotations

import math
import secrets
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Optional

from flask import (Flask, Response, abort, flash, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_wtf.csrf import CSRFProtect

from paykka_embed import PayKKa, locales
from paykka_embed.errors import PayKKaError, PaymentInProgressError
from paykka_embed.store.base import FLAG_DUPLICATE, FLAG_MISMATCH
from paykka_embed.flask import OrderInfo
from paykka_embed.money import format_minor, to_minor

from . import security
from .catalogue import PRODUCTS, product_svg
from .orders import Order, Orders

HERE = Path(__file__).resolve().parent

LOCALES = {
    "en-US": "English", "zh-CN": "简体中文", "zh-HK": "繁體中文（香港）", "ja-JP": "日本語", "ko-KR": "한국어",
    "th-TH": "ไทย", "vi-VN": "Tiếng Việt", "id-ID": "Bahasa Indonesia", "ms-MY": "Bahasa Melayu",
    "fil-PH": "Filipino", "fr-FR": "Français", "de-DE": "Deutsch", "es-ES": "Español", "ar": "العربية",
}
RTL = {"ar"}
#: What the order page tells the shopper, by the payment's status (PayKKa's words stay in the back office).
SHOPPER_STATES: dict[str, tuple[str, str]] = {
    "SUCCESS": ("paid", "Thank you! Your payment was received and your order is confirmed."),
    "AUTHORIZED": ("authorised", "Thank you! Your card is authorised; it is charged when your piece ships."),
    "PARTIALLY_REVERSED": ("paid", "Thank you! Your order is confirmed; part of the authorised amount was released."),
    "PARTIALLY_REFUNDED": ("refunded", "Part of this order was refunded to your card."),
    "REFUNDED": ("refunded", "This order was refunded to your card."),
    "CANCELED": ("cancelled", "This order was cancelled and your card was not charged."),
    "PROCESSING": ("confirming", "We are confirming your payment. This page updates by itself."),
    "NEEDS_REVIEW": ("review", "We are checking your payment and will contact you shortly."),
    "FAILURE": ("failed", "Your payment did not go through, and you have not been charged."),
    "UNPAID": ("unpaid", "This order is not paid yet."),
}
MODES = ("dropin", "components", "hosted")
DEMO_SHOPPER = "demo-shopper-001"
#: The wallet components offered on the components page. The checkout shows those the
#: order's currency allows and quietly leaves out the rest.
WALLET_COMPONENTS = ("wechatpay", "alipayplus", "gcash", "maya", "shopeepay", "grabpay", "zalopay", "vietqr")


def create_app(config: Optional[dict[str, Any]] = None) -> Flask:
    app = Flask("paykka_embed_demo", template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    app.config.update(
        SECRET_KEY=secrets.token_hex(32),
        PAYKKA_SUCCESS_URL="/orders/{order}",
        PAYKKA_FAILURE_URL="/orders/{order}",
        PAYKKA_MERCHANT_NAME="Tea & Clay",
        DEMO_DATA_DIR=None,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(config or {})
    data_dir = Path(app.config["DEMO_DATA_DIR"] or app.instance_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    if not app.config.get("PAYKKA_DATABASE"):
        app.config["PAYKKA_DATABASE"] = str(data_dir / "paykka.sqlite3")
    orders = Orders(str(data_dir / "shop.sqlite3"))
    joining = threading.Lock()
    app.extensions["demo_orders"] = orders

    CSRFProtect(app)
    paykka = PayKKa(app)
    security.install(app, PayKKa.state(app).environment.checkout_base)

    # --- the integration: the server alone says what an order costs ----------------------

    @paykka.order_resolver
    def resolve(order_ref: str) -> Optional[OrderInfo]:
        order = orders.get(order_ref)
        if order is None:
            return None
        goods: list[Mapping[str, Any]] = [
            {"id": line.product.id, "name": line.product.name, "quantity": line.quantity,
             "price": to_minor(line.product.price, order.currency)} for line in order.lines]
        if order.kind == "subscription":
            return OrderInfo(amount=order.total, currency=order.currency, goods=goods, payment_type="RECURRING",
                             store_payment_method=True, token_usage="SUBSCRIPTION", shopper_reference=order.shopper)
        stored: dict[str, Any] = {"store_payment_method": True, "token_usage": "CARD_ON_FILE",
                  "shopper_reference": order.shopper} if order.shopper else {}
        capture = "MANUAL" if order.kind == "made_to_order" else "AUTOMATIC"
        return OrderInfo(amount=order.total, currency=order.currency, goods=goods, capture_method=capture, **stored)

    # --- shared page state -------------------------------------------------------------

    @app.context_processor
    def page_state() -> dict[str, Any]:
        locale = current_locale()
        return {"locales": LOCALES, "locale": locale, "rtl": locale in RTL, "shopper": session.get("shopper"),
                "cart_count": sum(session.get("cart", {}).values()), "money": money}

    def current_locale() -> str:
        """The language the shopper chose in the switcher, else the browser's first one the checkout
        speaks (Accept-Language, by the toolkit's rule), else English."""
        chosen = session.get("locale")
        if chosen in LOCALES:
            return str(chosen)
        offered = locales.first_supported(lang for lang, _ in request.accept_languages)
        return offered if offered in LOCALES else "en-US"

    def money(amount: Any, currency: str) -> str:
        return format_minor(to_minor(amount, currency), currency, "en_US")

    # --- catalogue and cart ------------------------------------------------------------

    @app.get("/")
    def index() -> str:
        return render_template("index.html", products=PRODUCTS.values())

    @app.get("/img/<product_id>.svg")
    def product_image(product_id: str) -> Response:
        product = PRODUCTS.get(product_id) or abort(404)
        resp = Response(product_svg(product), mimetype="image/svg+xml")
        resp.headers["Cache-Control"] = "public, max-age=3600"
        return resp

    @app.post("/cart/add/<product_id>")
    def cart_add(product_id: str) -> Any:
        product = PRODUCTS.get(product_id) or abort(404)
        cart: dict[str, int] = dict(session.get("cart", {}))
        currencies = {PRODUCTS[p].currency for p in cart if p in PRODUCTS}
        if currencies and currencies != {product.currency}:
            flash(f"Your cart is in {currencies.pop()}. Check out or empty it before buying in {product.currency}.",
                  "error")
            return redirect(url_for("cart_view"), code=303)
        if product.is_subscription:
            return redirect(url_for("subscribe", product_id=product.id), code=303)
        cart[product_id] = min(cart.get(product_id, 0) + 1, 20)
        session["cart"] = cart
        flash(f"Added {product.name} to your cart.", "ok")
        return redirect(url_for("cart_view"), code=303)

    @app.post("/cart/remove/<product_id>")
    def cart_remove(product_id: str) -> Any:
        cart = dict(session.get("cart", {}))
        cart.pop(product_id, None)
        session["cart"] = cart
        return redirect(url_for("cart_view"), code=303)

    @app.get("/cart")
    def cart_view() -> str:
        cart = session.get("cart", {})
        lines = [(PRODUCTS[p], q) for p, q in cart.items() if p in PRODUCTS]
        currency = lines[0][0].currency if lines else None
        total = sum((p.price * q for p, q in lines), start=type(PRODUCTS["jade-cup"].price)(0))
        waiting = [o for o in (orders.get(ref) for ref in session.get("waiting", [])) if o and not paid(o.ref)]
        return render_template("cart.html", lines=lines, currency=currency, total=total, waiting=waiting)

    @app.post("/checkout")
    def checkout_start() -> Any:
        try:
            order = orders.create(dict(session.get("cart", {})), session.get("shopper"))
        except ValueError as exc:
            flash(str(exc).split(": ", 1)[-1].capitalize() + ".", "error")
            return redirect(url_for("cart_view"), code=303)
        # The cart becomes the order (so nothing in it can be bought twice by two orders); the cart page
        # then shows the order waiting for payment, so Back from the checkout finds it, not an empty cart.
        session["cart"] = {}
        session["waiting"] = ([order.ref] + [r for r in session.get("waiting", []) if r != order.ref])[:5]
        return redirect(url_for("checkout", ref=order.ref), code=303)

    @app.post("/subscribe/<product_id>")
    def subscribe(product_id: str) -> Any:
        product = PRODUCTS.get(product_id)
        if product is None or not product.is_subscription:
            abort(404)
        if not session.get("shopper"):
            flash("Sign in to start a membership: it is billed to your saved card each month.", "error")
            return redirect(url_for("account"), code=303)
        with joining:  # two Join clicks at once (two tabs) must not make two membership orders
            if memberships(session["shopper"]):
                flash("You are already a Tea Club member: one membership is enough.", "error")
                return redirect(url_for("account"), code=303)
            order = waiting_membership(session["shopper"]) or orders.create({product.id: 1}, session["shopper"])
        return redirect(url_for("checkout", ref=order.ref), code=303)

    def waiting_membership(shopper: str) -> Optional[Order]:
        """The shopper's membership order still waiting for its first payment: joining again (a second
        tab, Back and Join) pays that order, so at most one first payment can count; a second one paid
        in another tab is returned by the toolkit, with the agreement it set up."""
        return next((order for order in orders.for_shopper(shopper)
                     if order.kind == "subscription" and not order.is_renewal and not paid(order.ref)
                     and paykka.agreement_for(order.ref) is None), None)

    # --- checkout ------------------------------------------------------------------------

    @app.get("/checkout/<ref>")
    def checkout(ref: str) -> Any:
        order = orders.get(ref) or abort(404)
        if paid(ref):
            return redirect(url_for("order_page", ref=ref))
        mode = request.args.get("mode", "dropin")
        if mode not in MODES:
            abort(404)
        locale = current_locale()
        if mode == "hosted":
            pay_session = paykka.create_session(ref, "HOSTED", locale=locale)
            return render_template("checkout_hosted.html", order=order, session=pay_session, mode=mode)
        if mode == "components":
            pay_session = paykka.create_session(ref, "COMPONENT", locale=locale)
            return render_template("checkout_components.html", order=order, session=pay_session, mode=mode,
                                   wallets=WALLET_COMPONENTS)
        pay_session = paykka.create_session(ref, "DROP_IN", locale=locale)
        return render_template("checkout.html", order=order, session=pay_session, mode=mode)

    @app.post("/locale")
    def set_locale() -> Any:
        chosen = request.form.get("locale", "")
        if chosen not in LOCALES:
            abort(400)
        session["locale"] = chosen
        back = request.form.get("next", "/")
        return redirect(back if back.startswith("/") and not back.startswith("//") else "/", code=303)

    # --- orders ---------------------------------------------------------------------------

    def paid(ref: str) -> bool:
        return paykka.paid_attempt(ref) is not None

    def payment_status(ref: str) -> dict[str, Any]:
        """The order's payment for its page and its status endpoint: ``state`` and ``message`` are for
        the shopper; the statuses are PayKKa's, for the page's script and the back office."""
        attempts = paykka.store.attempts(ref)
        settled = [a for a in attempts if a.status != "PROCESSING" or a.order_id]
        paid_attempt = paykka.paid_attempt(ref)  # at most one attempt ever pays an order
        shown = paid_attempt or (settled[-1] if settled else (attempts[-1] if attempts else None))
        review = shown is not None and shown is not paid_attempt and shown.flag == FLAG_MISMATCH
        status = "NEEDS_REVIEW" if review else (shown.status if shown else "UNPAID")
        if status == "PROCESSING" and not (shown and shown.order_id):
            status = "UNPAID"  # a checkout was opened (and perhaps left), nothing was paid
        state, message = SHOPPER_STATES.get(status, SHOPPER_STATES["UNPAID"])
        if any(a.flag == FLAG_DUPLICATE for a in attempts):
            message += " You paid this order twice: your second payment is being returned to your card."
        return {
            "state": state,
            "message": message,
            "payable": state in ("unpaid", "failed"),
            "status": status,
            "confirmed_by_query": shown.query_status if shown else None,
            "confirmed_by_webhook": shown.webhook_status if shown else None,
            "order_id": shown.order_id if shown else None,
            "attempts": len(attempts),
        }

    app.extensions["demo_payment_status"] = payment_status

    @app.get("/orders/<ref>")
    def order_page(ref: str) -> str:
        order = orders.get(ref) or abort(404)
        return render_template("order.html", order=order, payment=payment_status(ref))

    @app.get("/orders/<ref>/status.json")
    def order_status(ref: str) -> Any:
        if orders.get(ref) is None:
            abort(404)
        return jsonify(payment_status(ref))

    # --- the signed-in demo shopper --------------------------------------------------------

    @app.get("/account")
    def account() -> str:
        shopper = session.get("shopper")
        return render_template("account.html", cards=saved_cards(shopper), memberships=memberships(shopper))

    @app.post("/account/sign-in")
    def sign_in() -> Any:
        session["shopper"] = DEMO_SHOPPER
        flash("Signed in as the demo shopper. Cards you save at checkout appear here.", "ok")
        return redirect(url_for("account"), code=303)

    @app.post("/account/sign-out")
    def sign_out() -> Any:
        session.pop("shopper", None)
        return redirect(url_for("index"), code=303)

    def saved_cards(shopper: Optional[str]) -> list[Any]:
        """Cards the shopper saved for one-click payment (a membership's card is shown with the membership)."""
        if not shopper:
            return []
        return [t for t in paykka.stored_tokens(shopper) if t.token_usage != "SUBSCRIPTION"]

    def memberships(shopper: Optional[str]) -> list[tuple[Order, Any]]:
        """The shopper's active memberships: each order with the agreement its first payment set up."""
        if not shopper:
            return []
        found = []
        for order in orders.for_shopper(shopper):
            agreement = paykka.agreement_for(order.ref) if order.kind == "subscription" else None
            if agreement is not None and agreement.status == "ACTIVE":
                found.append((order, agreement))
        return found

    app.extensions["demo_memberships"] = memberships

    @app.post("/account/memberships/<ref>/cancel")
    def cancel_membership(ref: str) -> Any:
        shopper = session.get("shopper") or abort(403)
        membership = next((m for m in memberships(shopper) if m[0].ref == ref), None) or abort(404)
        paykka.cancel_recurring(membership[1].recurring_agreement_id, shopper_reference=shopper)
        flash("Your Tea Club membership is cancelled: no further charges.", "ok")
        return redirect(url_for("account"), code=303)

    @app.post("/account/cards/<token>/remove")
    def remove_card(token: str) -> Any:
        shopper = session.get("shopper") or abort(403)
        if not any(t.token == token for t in saved_cards(shopper)):
            abort(404)
        paykka.remove_token(shopper_reference=shopper, token=token)
        flash("Card removed.", "ok")
        return redirect(url_for("account"), code=303)

    from .admin import create_admin

    app.register_blueprint(create_admin(paykka, orders, payment_status), url_prefix="/admin")

    @app.errorhandler(PayKKaError)
    def gateway_unavailable(exc: PayKKaError) -> Any:
        app.logger.error("payment gateway error: %s", exc)
        return render_template("error.html", title="Payment unavailable",
                               message="We could not reach the payment service. Please try again in a moment."), 503

    @app.errorhandler(PaymentInProgressError)
    def payment_in_progress(exc: PaymentInProgressError) -> Any:
        left = exc.ends_at - datetime.now(timezone.utc) if exc.ends_at else None
        wait = (f" If it was not finished, it ends by itself within {max(1, math.ceil(left.total_seconds() / 60))} "
                "minutes and you can pay again." if left and left.total_seconds() > 0 else "")
        flash("A payment for this order is still being processed. This page shows when it completes." + wait, "error")
        return redirect(url_for("order_page", ref=exc.order_ref), code=303)

    @app.errorhandler(404)
    def not_found(_: Any) -> Any:
        return render_template("error.html", title="Not found", message="There is nothing here."), 404

    _ = (g, Order)
    return app
