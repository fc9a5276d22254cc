"""The shop's back office: orders with their payment status and balances, capture for
made-to-order items, void, partial and full refunds, the membership's monthly charge and
cancellation, the webhook log, and a cheat sheet of the emulator's test cards.

Every money action goes through paykka-embed's signed client; amounts typed here are
Decimals in the order's currency, converted to minor units by the client.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from paykka_embed import PayKKa, PayKKaError
from paykka_embed.flask.integrity import describe
from paykka_embed.money import from_minor
from paykka_embed.stub.cards import TEST_CARDS

from .orders import Orders


def create_admin(paykka: PayKKa, orders: Orders, payment_status: Callable[[str], dict[str, Any]]) -> Blueprint:
    bp = Blueprint("admin", __name__)

    def paid_attempt(ref: str) -> Any:
        return paykka.paid_attempt(ref)

    @bp.get("/", endpoint="orders")
    def orders_view() -> str:
        rows = [(order, payment_status(order.ref)) for order in orders.recent()]
        return render_template("admin/orders.html", rows=rows, gateway=paykka.state().environment.api_base,
                               cards=TEST_CARDS.values())

    @bp.get("/orders/<ref>")
    def order_detail(ref: str) -> str:
        order = orders.get(ref) or abort(404)
        attempt = paid_attempt(ref)
        transaction = None
        if attempt is not None:
            try:
                transaction = paykka.client.query_transaction(order_id=attempt.order_id)
            except PayKKaError as exc:
                flash(f"Could not query the transaction: {exc}", "error")
        agreement = _agreement_for(order.shopper) if order.kind == "subscription" else None
        return render_template("admin/order.html", order=order, attempts=paykka.store.attempts(ref), describe=describe,
                               transaction=transaction, status=payment_status(ref), agreement=agreement,
                               events=[e for e in paykka.store.events() if e.trans_id.startswith(ref)])

    def _agreement_for(shopper: Any) -> Any:
        tokens = getattr(paykka.store, "tokens", None)
        if not shopper or tokens is None:
            return None
        return next((t for t in tokens(shopper) if t.token_usage == "SUBSCRIPTION"
                     and t.recurring_agreement_id), None)

    def _amount(order_currency: str) -> Any:
        raw = request.form.get("amount", "").strip()
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise PayKKaError(f"amount: {raw!r} is not a number") from None
        return value

    def _act(ref: str, action: Callable[[Any, Any], str]) -> Any:
        order = orders.get(ref) or abort(404)
        attempt = paid_attempt(ref)
        if attempt is None:
            flash("This order has no payment to act on.", "error")
            return redirect(url_for("admin.order_detail", ref=ref), code=303)
        try:
            message = action(order, attempt)
            flash(message, "ok")
            paykka.confirm(attempt.trans_id)
        except PayKKaError as exc:
            flash(f"Refused: {exc}", "error")
        return redirect(url_for("admin.order_detail", ref=ref), code=303)

    @bp.post("/orders/<ref>/capture")
    def capture(ref: str) -> Any:
        def run(order: Any, attempt: Any) -> str:
            amount = _amount(order.currency)
            params: dict[str, Any] = {"order_id": attempt.order_id}
            if amount is not None:
                params.update(amount=amount, currency=order.currency)
            tx = paykka.client.capture(**params)
            return f"Captured: the payment is now {tx.status}."
        return _act(ref, run)

    @bp.post("/orders/<ref>/void")
    def void(ref: str) -> Any:
        def run(order: Any, attempt: Any) -> str:
            tx = paykka.client.void(order_id=attempt.order_id, reason="REQUESTED_BY_CUSTOMER")
            return f"Voided: the payment is now {tx.status}."
        return _act(ref, run)

    @bp.post("/orders/<ref>/refund")
    def refund(ref: str) -> Any:
        def run(order: Any, attempt: Any) -> str:
            amount = _amount(order.currency)
            if amount is None:  # everything still refundable
                balances = paykka.client.query_transaction(order_id=attempt.order_id).balances
                left = balances.able_to_refund_amount if balances else 0
                amount = from_minor(left, order.currency)
            result = paykka.client.refund(refund_trans_id=f"{ref}-R{secrets.token_hex(3).upper()}",
                                          ori_order_id=attempt.order_id, amount=amount, currency=order.currency,
                                          reason="REQUESTED_BY_CUSTOMER")
            return f"Refund {result.refund_order_id} of {amount} {order.currency}: {result.status}."
        return _act(ref, run)

    @bp.post("/orders/<ref>/charge-next")
    def charge_next(ref: str) -> Any:
        order = orders.get(ref) or abort(404)
        agreement = _agreement_for(order.shopper)
        if agreement is None:
            flash("No active membership agreement for this shopper.", "error")
            return redirect(url_for("admin.order_detail", ref=ref), code=303)
        # The next unpaid month names the charge: a second click (or a second admin) charges nothing more.
        month = 2 + sum(1 for renewal in orders.renewals(order) if paykka.paid_attempt(renewal.ref))
        renewal = orders.renewal(order, month)
        try:
            tx = paykka.charge_recurring(renewal.ref, shopper_reference=order.shopper, token=agreement.token,
                                         recurring_agreement_id=agreement.recurring_agreement_id,
                                         idempotency_key=f"{agreement.recurring_agreement_id}:month-{month}")
            flash(f"Charged month {month} as order {renewal.ref}: {tx.status}.", "ok")
        except PayKKaError as exc:
            flash(f"Refused: {exc}", "error")
        return redirect(url_for("admin.order_detail", ref=ref), code=303)

    @bp.post("/orders/<ref>/cancel-membership")
    def cancel_membership(ref: str) -> Any:
        order = orders.get(ref) or abort(404)
        agreement = _agreement_for(order.shopper)
        if agreement is None:
            flash("No active membership agreement for this shopper.", "error")
        else:
            try:
                paykka.cancel_recurring(recurring_agreement_id=agreement.recurring_agreement_id,
                                        shopper_reference=order.shopper)
                flash("Membership cancelled: no further charges.", "ok")
            except PayKKaError as exc:
                flash(f"Refused: {exc}", "error")
        return redirect(url_for("admin.order_detail", ref=ref), code=303)

    @bp.get("/webhooks")
    def webhooks() -> str:
        return render_template("admin/webhooks.html", events=list(reversed(paykka.store.events())))

    return bp
