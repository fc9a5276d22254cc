"""The shop's back office: orders with their payment status and balances, capture for
made-to-order items, void, partial and full refunds (including those PayKKa holds for review),
disputes, the membership's monthly charge and cancellation, the webhook log, and a cheat sheet
of the emulator's test cards.

Every money action goes through paykka-embed's signed client. Amounts are shown and typed in
major units of the order's currency (HK$8.80, ¥800); the client converts them to minor units.
An outcome is coloured by what happened, not by whether the request was accepted: a refund PayKKa
declined is an error, one it holds for review is pending.
"""

from __future__ import annotations

import re
import secrets
import threading
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Optional

import httpx
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from paykka_embed import APIError, NetworkError, PayKKa, PayKKaError, SignatureError
from paykka_embed.flask.integrity import describe
from paykka_embed.money import exponent, format_minor, from_minor, to_minor

from .orders import REFUND_KNOWN, REFUND_REFUSED, REFUND_SENT, Orders

#: Flash categories by what happened: done, pending (PayKKa decides later), or failed.
OUTCOME = {"SUCCESS": "ok", "CAPTURED": "ok", "CANCELED": "ok", "REVIEWING": "pending", "PROCESSING": "pending",
           "FAILURE": "error"}
#: An amount as typed in the back office: digits, and decimals after a point (no exponent, no sign).
#: An amount as the page shows them: "." before the decimals, "," only between groups of three digits
#: ("120,000" is one hundred and twenty thousand, never 120.000).
AMOUNT_TEXT = re.compile(r"^(?:[0-9]{1,15}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,4})(?:\.[0-9]{1,4})?$")
REFUND_ID = re.compile(r"^[0-9A-F]{6}$")
#: Said when PayKKa did not answer a refund, capture, void or charge: each is sent again under the same id
#: or key, so checking first and then trying again cannot do it twice.
UNKNOWN_OUTCOME = "PayKKa did not answer, so the outcome is not known yet: check below before trying again."
#: Stages in which the disputed money is (or may end up) back with the shopper's bank.
DISPUTED = ("DISPUTE_CREATED", "UNDER_REVIEW", "DISPUTE_LOST")


def example(currency: str) -> str:
    """An example amount in ``currency``'s decimals: 8.80 for HKD, 800 for JPY."""
    return str(from_minor(880 * 10 ** max(0, exponent(currency) - 2), currency)) if exponent(currency) else "800"


#: A dispute's stages as the back office says them.
STAGES = {"DISPUTE_CREATED": "opened: send your evidence", "UNDER_REVIEW": "under review by the card scheme",
          "DISPUTE_WON": "won: the money stays with you", "DISPUTE_LOST": "lost: the amount was taken back"}


def create_admin(paykka: PayKKa, orders: Orders, payment_status: Callable[[str], dict[str, Any]]) -> Blueprint:
    bp = Blueprint("admin", __name__)
    refunding = threading.Lock()  # a refund's in-flight check and its record, as one step

    def gateway() -> str:
        return paykka.state().environment.api_base

    def emulated() -> bool:
        return paykka.state().environment.name == "stub"

    @bp.app_template_global("shown")
    def shown(minor: Optional[int], currency: str) -> str:
        """Minor units as a shopper would read them: ``HK$8.80``."""
        return format_minor(int(minor or 0), currency)

    @bp.get("/", endpoint="orders")
    def orders_view() -> str:
        rows = [(order, payment_status(order.ref)) for order in orders.recent()]
        cards: list[dict[str, Any]] = []
        if emulated():
            try:
                cards = httpx.get(gateway() + "/_stub/test-cards", timeout=5).json()["data"]
            except (httpx.HTTPError, ValueError, KeyError):
                cards = []
        return render_template("admin/orders.html", rows=rows, gateway=gateway(), cards=cards, emulated=emulated())

    @bp.get("/orders/<ref>")
    def order_detail(ref: str) -> str:
        order = orders.get(ref) or abort(404)
        attempt = paykka.paid_attempt(ref)
        transaction = None
        if attempt is not None and attempt.order_id:
            try:
                transaction = paykka.client.query_transaction(order_id=attempt.order_id)
            except PayKKaError as exc:
                flash(f"Could not query the transaction: {exc}", "error")
        agreement = paykka.agreement_for(ref) if order.kind == "subscription" else None
        refunds = []
        unanswered: Optional[tuple[str, Optional[int]]] = None
        for refund_trans_id, sent, state in orders.refunds(ref):
            try:
                refunds.append(paykka.client.query_refund(refund_trans_id=refund_trans_id))
                if state != REFUND_KNOWN:
                    orders.refund_answered(refund_trans_id, REFUND_KNOWN)
                continue
            except APIError as exc:
                missing, problem = exc.http_status == 404, exc.ret_msg
            except PayKKaError as exc:
                missing, problem = False, str(exc)
            if state == REFUND_REFUSED and missing:
                continue  # refused by PayKKa, and still unknown to it: there is no such refund
            if state != REFUND_SENT:
                flash(f"Could not ask PayKKa about refund {refund_trans_id} just now: {problem}", "pending")
                continue
            # Sent, never answered, and not known to PayKKa now (or PayKKa could not be asked): it may never
            # have arrived, or still be on its way. Sending it again under its id settles it either way, once.
            unanswered = (refund_trans_id, sent)
            flash(f"Refund {refund_trans_id}" + (f" of {shown(sent, order.currency)}" if sent else "") +
                  (": PayKKa has no record of it yet" if missing else ": PayKKa could not be asked about it just now")
                  + "; its request may not have arrived, or still be on its way. The refund form below sends it "
                  "again under the same id, with the same amount, so it cannot be refunded twice; no other refund "
                  "can be made until this one is settled.", "pending")
        disputes = paykka.store.disputes(ref)
        renewals = [(r, payment_status(r.ref)) for r in orders.renewals(order)] if order.kind == "subscription" else []
        return render_template("admin/order.html", order=order, attempts=paykka.store.attempts(ref), describe=describe,
                               transaction=transaction, status=payment_status(ref), agreement=agreement,
                               refunds=refunds, disputes=disputes, stages=STAGES, emulated=emulated(),
                               disputed=[d for d in disputes if d.stage in DISPUTED], example=example(order.currency),
                               refund_id=unanswered[0] if unanswered else f"{ref}-R{secrets.token_hex(3).upper()}",
                               refund_again=(str(from_minor(unanswered[1], order.currency))
                                             if unanswered and unanswered[1] else ""), renewals=renewals,
                               next_month=next_month(order),
                               events=[e for e in paykka.store.events() if e.trans_id.startswith(ref)])

    def next_month(order: Any) -> int:
        """The first month of a membership not charged yet (month 1 is its first payment)."""
        return 2 + sum(1 for renewal in orders.renewals(order) if paykka.paid_attempt(renewal.ref))

    def _amount_within(currency: str, limit: int, what: str) -> int:
        """The typed amount in minor units, or all of ``limit`` when empty; more than ``limit`` is refused
        (``what`` says what the limit is, e.g. "that can be captured")."""
        typed = _amount(currency)
        amount = limit if typed is None else typed
        if amount > limit:
            raise PayKKaError(f"amount: {shown(amount, currency)} is more than the {shown(limit, currency)} {what}")
        return amount

    def _amount(currency: str) -> Optional[int]:
        """The typed amount in minor units (empty: None); a refusal names the field and the rule."""
        raw = request.form.get("amount", "").strip()
        if not raw:
            return None
        if not AMOUNT_TEXT.match(raw):
            raise PayKKaError(f"amount: {raw!r} is not an amount in {currency}; type it like {example(currency)} "
                              "(with '.' before the decimals; ',' only between thousands)")
        places = exponent(currency)
        if len(raw.partition(".")[2]) > places:  # "120.000" is 120,000 in many languages: never guess
            rule = f"has no decimals; type whole {currency}" if not places else f"has {places} decimals; type"
            raise PayKKaError(f"amount: {raw!r}: {currency} {rule} like {example(currency)} "
                              "(',' only between thousands)")
        minor = to_minor(Decimal(raw.replace(",", "")), currency)
        if minor <= 0:
            raise PayKKaError("amount: must be more than zero (leave it empty for the whole amount)")
        return minor

    def _act(ref: str, action: Callable[[Any, Any, Any], tuple[str, str]]) -> Any:
        order = orders.get(ref) or abort(404)
        attempt = paykka.paid_attempt(ref)
        if attempt is None or not attempt.order_id:
            flash("This order has no payment to act on.", "error")
            return redirect(url_for("admin.order_detail", ref=ref), code=303)
        try:
            tx = paykka.client.query_transaction(order_id=attempt.order_id)
            message, category = action(order, attempt, tx)
            flash(message, category)
            paykka.confirm(attempt.trans_id)
        except NetworkError:
            flash(UNKNOWN_OUTCOME, "pending")
        except SignatureError as exc:
            flash(f"{UNKNOWN_OUTCOME} (PayKKa's answer could not be verified: {exc})", "pending")
        except PayKKaError as exc:
            flash(f"Refused: {exc}", "error")
        return redirect(url_for("admin.order_detail", ref=ref), code=303)

    @bp.post("/orders/<ref>/capture")
    def capture(ref: str) -> Any:
        def run(order: Any, attempt: Any, tx: Any) -> tuple[str, str]:
            able = tx.balances.able_to_capture_amount if tx.balances else 0
            amount = _amount_within(order.currency, able, "that can be captured")
            params: dict[str, Any] = {"order_id": attempt.order_id}
            if amount != able:
                params.update(amount=amount, currency=order.currency)
            done = paykka.client.capture(**params)
            released = able - amount
            message = f"Captured {shown(amount, order.currency)}."
            if released:
                message += f" The other {shown(released, order.currency)} was released to the shopper ({done.status})."
            return message, "ok"
        return _act(ref, run)

    @bp.post("/orders/<ref>/void")
    def void(ref: str) -> Any:
        def run(order: Any, attempt: Any, tx: Any) -> tuple[str, str]:
            done = paykka.client.void(order_id=attempt.order_id, reason="REQUESTED_BY_CUSTOMER")
            return f"Authorisation of {shown(tx.amount, order.currency)} voided ({done.status}).", "ok"
        return _act(ref, run)

    def _refund_to_send(ref: str, refund_trans_id: str, currency: str) -> Optional[int]:
        """May the form's refund be sent now? Not when the form was used before (another tab, Back: its refund
        was made or refused), nor while another refund of the order was sent and never answered: its request
        may still arrive, and PayKKa's balance does not count it yet, so both could be made (asking PayKKa
        settles it when PayKKa knows it by now). Returns the amount ``refund_trans_id`` was sent for when it
        is itself such a refund, sent again."""
        recorded = orders.refunds(ref)
        used = next((state for rid, _, state in recorded if rid == refund_trans_id), None)
        if used is not None and used != REFUND_SENT:
            raise PayKKaError(f"refund_trans_id: this form's refund {refund_trans_id} was already "
                              f"{'made' if used == REFUND_KNOWN else 'refused by PayKKa'}; reload the page "
                              "for a new refund")
        again: Optional[int] = None
        for other, sent, state in recorded:
            if state != REFUND_SENT:
                continue
            if other == refund_trans_id:
                again = sent
                continue
            try:
                paykka.client.query_refund(refund_trans_id=other)
            except PayKKaError:
                raise PayKKaError(f"refund_trans_id: refund {other}" + (f" of {shown(sent, currency)}" if sent else "")
                                  + " has had no answer from PayKKa yet; reload the page and send that one again "
                                  "(it cannot be refunded twice) before another refund") from None
            orders.refund_answered(other, REFUND_KNOWN)
        return again

    @bp.post("/orders/<ref>/refund")
    def refund(ref: str) -> Any:
        def run(order: Any, attempt: Any, tx: Any) -> tuple[str, str]:
            # The form's own refund id: the same form sent twice is the same refund, which PayKKa makes once.
            refund_trans_id = request.form.get("refund_trans_id", "")
            if not refund_trans_id.startswith(f"{ref}-R") or not REFUND_ID.match(refund_trans_id[len(ref) + 2:]):
                raise PayKKaError("refund_trans_id: is missing or not this order's; reload the page")
            disputed = [d for d in paykka.store.disputes(ref) if d.stage in DISPUTED]
            if disputed and request.form.get("disputed_ok") != "yes":
                raise PayKKaError(f"refund: the payment is disputed ({shown(disputed[0].amount, disputed[0].currency)}, "
                                  f"{STAGES.get(disputed[0].stage, disputed[0].stage)}); the bank may return that "
                                  "money to the shopper too. Tick the box to refund anyway.")
            with refunding:  # two tabs at the same instant: one after the other
                pending = _refund_to_send(ref, refund_trans_id, order.currency)
                if pending is not None:  # this refund again: its own amount, whatever the balance shows meanwhile
                    typed = _amount(order.currency)
                    if typed not in (None, pending):
                        raise PayKKaError(f"amount: refund {refund_trans_id} was sent for "
                                          f"{shown(pending, order.currency)} and PayKKa has not answered it; send it "
                                          "again with that amount (another amount is another refund, once this one "
                                          "is settled)")
                    amount = pending
                else:
                    left = tx.balances.able_to_refund_amount if tx.balances else 0
                    amount = _amount_within(order.currency, left, "that can still be refunded")
                orders.begin_refund(ref, refund_trans_id, amount)
            # Recorded (above) before asking: while its answer is lost or slow, every page offers this refund
            # again under its id (PayKKa makes it at most once), never a new refund beside it.
            try:
                result = paykka.client.refund(refund_trans_id=refund_trans_id, ori_order_id=attempt.order_id,
                                              amount=amount, currency=order.currency, reason="REQUESTED_BY_CUSTOMER")
            except (NetworkError, SignatureError):
                raise  # no answer, or one that cannot be verified: the outcome is unknown; the page asks PayKKa
            except PayKKaError:
                orders.refund_answered(refund_trans_id, REFUND_REFUSED)  # PayKKa answered: no refund under this id
                raise
            orders.refund_answered(refund_trans_id, REFUND_KNOWN)
            what = {"SUCCESS": "refunded", "FAILURE": "declined by the issuer",
                    "REVIEWING": "held by PayKKa for review; it completes or fails later",
                    "PROCESSING": "being processed"}.get(result.status, result.status)
            return (f"Refund {result.refund_order_id} of {shown(amount, order.currency)}: {what}.",
                    OUTCOME.get(result.status, "pending"))
        return _act(ref, run)

    @bp.post("/orders/<ref>/charge-next")
    def charge_next(ref: str) -> Any:
        order = orders.get(ref) or abort(404)
        agreement = paykka.agreement_for(ref)
        if agreement is None or agreement.status != "ACTIVE":
            flash("This membership has no active agreement (not paid yet, cancelled, or its card removed).", "error")
            return redirect(url_for("admin.order_detail", ref=ref), code=303)
        # The form names the month it charges: sent twice, it is the same charge (same key), made once.
        typed = request.form.get("month", "")
        if not typed.isdigit() or not 2 <= int(typed) <= next_month(order):
            flash(f"month: must be a month of this membership, 2 to {next_month(order)}", "error")
            return redirect(url_for("admin.order_detail", ref=ref), code=303)
        month = int(typed)
        renewal = orders.renewal(order, month)
        try:
            tx = paykka.charge_recurring(renewal.ref, shopper_reference=order.shopper, token=agreement.token,
                                         recurring_agreement_id=agreement.recurring_agreement_id,
                                         idempotency_key=f"{agreement.recurring_agreement_id}:month-{month}")
            flash(f"Charged month {month} as order {renewal.ref}: {tx.status}.", OUTCOME.get(tx.status, "pending"))
        except NetworkError:
            flash(UNKNOWN_OUTCOME, "pending")
        except PayKKaError as exc:
            flash(f"Refused: {exc}", "error")
        return redirect(url_for("admin.order_detail", ref=ref), code=303)

    @bp.post("/orders/<ref>/cancel-membership")
    def cancel_membership(ref: str) -> Any:
        order = orders.get(ref) or abort(404)
        agreement = paykka.agreement_for(ref)
        if agreement is None or agreement.status != "ACTIVE" or not agreement.recurring_agreement_id:
            flash("This membership has no active agreement.", "error")
        else:
            try:
                paykka.cancel_recurring(recurring_agreement_id=agreement.recurring_agreement_id,
                                        shopper_reference=order.shopper)
                flash("Membership cancelled: no further charges.", "ok")
            except PayKKaError as exc:
                flash(f"Refused: {exc}", "error")
        return redirect(url_for("admin.order_detail", ref=ref), code=303)

    # --- the emulator's dispute controls (test mode only): what a shopper's bank would do -------

    @bp.post("/orders/<ref>/test-dispute")
    def test_dispute(ref: str) -> Any:
        attempt = paykka.paid_attempt(ref)
        if not emulated() or attempt is None:
            abort(404)
        dispute_id = request.form.get("dispute_id")
        if dispute_id:
            outcome = request.form.get("outcome")
            body = {"outcome": outcome} if outcome in ("WON", "LOST") else {}
            answer = httpx.post(f"{gateway()}/_stub/disputes/{dispute_id}/advance", json=body, timeout=10)
        else:
            answer = httpx.post(gateway() + "/_stub/disputes", json={"order_id": attempt.order_id}, timeout=10)
        data = answer.json()
        if data.get("ret_code") == "000000":
            flash(f"The emulator sent dispute {data['data']['dispute_id']} at stage {data['data']['dispute_stage']}; "
                  "its notification arrives by webhook.", "pending")
        else:
            flash(f"Refused: {data.get('ret_msg')}", "error")
        return redirect(url_for("admin.order_detail", ref=ref), code=303)

    @bp.get("/webhooks")
    def webhooks() -> str:
        return render_template("admin/webhooks.html", events=list(reversed(paykka.store.events())))

    return bp
