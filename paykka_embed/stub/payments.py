"""Paying: cards (with 3DS), stored cards (one-click) and wallets, and how each attempt
ends. Shared by the browser side (sessions) and Initiate Transaction (API-only).

An attempt is an order (``GW…``) that starts ``PROCESSING``. A card either ends at
once (approved, declined) or waits for a 3DS challenge; a wallet waits for the
shopper to approve in the wallet simulator. When an order ends, its PAYMENT.*
notification is sent, and a card the shopper chose to keep is stored. A new attempt
on a session ends the session's pending one as abandoned, and a session's pending
attempt still waiting when the session expires ends ``FAILURE`` (``5008``).

A card number is used only inside :meth:`PaymentOps.read_card`: what leaves it is
the BIN, the last four digits, the brand and a fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from . import methods
from .cardcrypto import fingerprint
from .cards import (ABANDONED, CVV_FAILURE, SESSION_EXPIRED, THREE_DS_FAILURE, WALLET_DECLINED, detect_brand,
                    luhn_ok, outcome_for)
from .errors import CARD_NOT_SUPPORTED, METHOD_NOT_SUPPORTED, StubError, illegal, no_order, param_error
from .records import Session, Transaction
from .vault import VaultOps

THREEDS_VERSION = "2.2.0"


@dataclass(frozen=True)
class PaymentResult:
    """What the browser is told about an attempt; ``action`` is its next step, if any.

    URLs in ``action`` are paths on the stub; the browser layer makes them absolute.
    """

    status: str
    order_id: str
    error_code: str
    error_description: str
    return_url: Optional[str]
    payment_method: str = methods.BANKCARD
    action: Optional[dict[str, str]] = None


@dataclass(frozen=True)
class CardFacts:
    """A card as the stub keeps it: no number, and the test outcome it leads to."""

    brand: str
    bin: str
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str
    outcome: str  # approve | decline | challenge | refund_fails | refund_reviewing
    error_code: str = "0000"
    error_description: str = "request success"

    def stored(self) -> dict[str, Any]:
        return {"brand": self.brand, "bin": self.bin, "last4": self.last4, "exp_month": self.exp_month,
                "exp_year": self.exp_year, "fingerprint": self.fingerprint,
                "profile": "challenge" if self.outcome == "challenge" else "approve"}

    def card_info(self) -> dict[str, str]:
        return {"bin": self.bin, "last4": self.last4, "card_brand": self.brand}


def frictionless(brand: str) -> dict[str, str]:
    return {"status": "Y", "eci": "02" if brand == "MASTERCARD" else "05", "three_ds_version": THREEDS_VERSION}


class PaymentOps(VaultOps):
    # --- cards ---------------------------------------------------------------------------

    def read_card(self, merchant_id: str, number: str, exp_month: Any, exp_year: Any, cvv: Optional[str],
                  names: dict[str, str]) -> CardFacts:
        """Check a card and reduce it to :class:`CardFacts`. ``names`` maps number/expiry/cvv
        to the request's own field names, so a refusal names the field the caller sent."""
        number = number.replace(" ", "").replace("-", "")
        if not luhn_ok(number):
            raise param_error(f"{names['number']}: is not a valid card number (12 to 19 digits, Luhn check)")
        brand = detect_brand(number)
        if brand is None:
            raise StubError(400, CARD_NOT_SUPPORTED, f"{names['number']}: card brand not supported "
                            f"(one of {', '.join(methods.CARD_BRANDS)})")
        if isinstance(exp_year, int) and exp_year < 100:
            exp_year += 2000
        if not (isinstance(exp_month, int) and not isinstance(exp_month, bool) and 1 <= exp_month <= 12
                and isinstance(exp_year, int) and 2000 <= exp_year <= 2100):
            raise param_error(f"{names['expiry']}: month must be 1 to 12 and year four digits")
        now = self.clock.now()
        if (exp_year, exp_month) < (now.year, now.month):
            raise param_error(f"{names['expiry']}: the card has expired")
        if cvv is not None and not (cvv.isdigit() and len(cvv) in (3, 4)):
            raise param_error(f"{names['cvv']}: must be 3 or 4 digits")
        card = outcome_for(number, cvv or "")
        return CardFacts(brand=brand, bin=number[:6], last4=number[-4:], exp_month=exp_month, exp_year=exp_year,
                         fingerprint=fingerprint(self.card_secret, merchant_id, number), outcome=card.outcome,
                         error_code=card.error_code if card.outcome == "decline" else "0000",
                         error_description=card.error_description if card.outcome == "decline"
                         else "request success")

    # --- orders --------------------------------------------------------------------------

    def open_order(self, *, merchant_id: str, trans_id: str, session: Optional[Session], amount: int,
                   currency: str, capture_method: str, authorisation_type: str, payment_type: str,
                   payment_method: str, notify_url: Optional[str], return_url: Optional[str],
                   shopper_reference: Optional[str], mit: bool = False) -> Transaction:
        """A new PROCESSING order; on a session, the session's pending attempt is abandoned."""
        with self.lock:
            if session is not None:
                previous = self.latest_transaction(session)
                if previous is not None and previous.status == "PROCESSING":
                    self.fail(previous, *ABANDONED)
            tx = Transaction(
                order_id=self.new_id("GW", self.transactions), merchant_id=merchant_id, trans_id=trans_id,
                session_id=session.session_id if session else None, amount=amount, currency=currency,
                status="PROCESSING", payment_method=payment_method, created_at=self.clock.now(),
                capture_method=capture_method, authorisation_type=authorisation_type, payment_type=payment_type,
                error_code="", error_description="", notify_url=notify_url, return_url=return_url,
                shopper_reference=shopper_reference, mit=mit,
            )
            self.transactions[tx.order_id] = tx
            if session is not None:
                session.order_ids.append(tx.order_id)
                self.pending_orders.add(tx.order_id)
                self.save(session)
            else:
                self.orders_by_trans[(merchant_id, trans_id)] = tx.order_id
            self.save(tx)
            return tx

    def charge_card(self, tx: Transaction, card: CardFacts, *, store_usage: Optional[str],
                    challenge: bool = True) -> Transaction:
        """Run the card's test outcome on ``tx``: approve, decline, or wait for a challenge."""
        with self.lock:
            tx.card_info = card.card_info()
            tx.refund_fails = card.outcome == "refund_fails"
            tx.refund_review = card.outcome == "refund_reviewing"
            if store_usage and tx.shopper_reference:
                tx.pending_store = {**card.stored(), "usage": store_usage}
            if card.outcome == "decline":
                tx.authentication = frictionless(card.brand)
                self.fail(tx, card.error_code, card.error_description)
            elif card.outcome == "challenge" and challenge:
                path = f"/cp/3ds/{tx.order_id}"
                tx.authentication = {"status": "C", "three_ds_version": THREEDS_VERSION, "authentication_url": path}
                tx.action = {"type": "THREEDS_CHALLENGE", "url": path}
                self.save(tx)
            else:
                self.approve(tx, frictionless(card.brand))
            return tx

    def approve(self, tx: Transaction, authentication: Optional[dict[str, str]] = None) -> None:
        """End ``tx`` approved: AUTHORIZED (manual capture) or SUCCESS, store the card if asked."""
        with self.lock:
            manual = tx.capture_method == "MANUAL"
            tx.status = "AUTHORIZED" if manual else "SUCCESS"
            tx.error_code, tx.error_description = "0000", "request success"
            tx.authentication = authentication
            tx.action = None
            tx.pay_finish_time = self.clock.now()
            self.pending_orders.discard(tx.order_id)
            tx.authed_amount = tx.amount
            tx.captured_amount = 0 if manual else tx.amount
            if tx.pending_store:
                card = dict(tx.pending_store)
                self.store_card(tx, card, card.pop("usage"))
                tx.pending_store = None
            self.save(tx)
            self.emit_payment("PAYMENT.AUTHORIZATION" if manual else "PAYMENT.SUCCESS", tx)

    def fail(self, tx: Transaction, error_code: str, error_description: str,
             authentication: Optional[dict[str, str]] = None) -> None:
        with self.lock:
            tx.status = "FAILURE"
            tx.error_code, tx.error_description = error_code, error_description
            if authentication is not None:
                tx.authentication = authentication
            tx.action = None
            tx.pending_store = None
            tx.pay_finish_time = self.clock.now()
            self.pending_orders.discard(tx.order_id)
            self.save(tx)
            self.emit_payment("PAYMENT.FAILURE", tx)

    def tick(self) -> None:
        """A session's attempt still waiting (3DS, wallet) when the session expires ends FAILURE.

        The shopper can no longer finish it, and an order left PROCESSING for ever would keep
        the merchant's order "pending" with no webhook to end it. A session with no attempt
        expires silently, as before.
        """
        super().tick()
        with self.lock:
            if not self.pending_orders:
                return
            now = self.clock.now()
            for order_id in sorted(self.pending_orders):
                tx = self.transactions.get(order_id)
                session = self.sessions.get(tx.session_id) if tx is not None and tx.session_id else None
                if tx is None or session is None or tx.status != "PROCESSING":
                    self.pending_orders.discard(order_id)
                elif now >= session.expire_time:
                    self.fail(tx, *SESSION_EXPIRED)

    def result(self, tx: Transaction) -> PaymentResult:
        session = self.sessions.get(tx.session_id) if tx.session_id else None
        return_url = session.request.return_url if session else tx.return_url
        return PaymentResult(tx.status, tx.order_id, tx.error_code, tx.error_description, return_url,
                             tx.payment_method, dict(tx.action) if tx.action else None)

    # --- the browser's payments on a session ---------------------------------------------

    def _session_order(self, session: Session, payment_method: str, *, token_usage: Optional[str] = None,
                       shopper_reference: Optional[str] = None) -> Transaction:
        req = session.request
        return self.open_order(
            merchant_id=session.merchant_id, trans_id=session.trans_id, session=session, amount=req.amount,
            currency=req.currency, capture_method=req.capture_method, authorisation_type=req.authorisation_type,
            payment_type=req.payment_type, payment_method=payment_method, notify_url=req.notify_url,
            return_url=req.return_url, shopper_reference=shopper_reference or session.shopper_reference,
        )

    def _require_method(self, session: Session, method: str) -> None:
        if method not in self.payment_methods(session):
            raise StubError(400, METHOD_NOT_SUPPORTED,
                            f"payment_method: {method} is not offered by this session "
                            f"(offered: {', '.join(self.payment_methods(session)) or 'none'})")

    def pay_with_card(self, session_id: str, client_key: str, card: dict[str, Any], *,
                      store: Optional[bool] = None) -> PaymentResult:
        """A card typed by the shopper. ``store``: the shopper's "save card" choice (None: the
        session's ``store_payment_method``). RECURRING sessions always store."""
        session = self.open_for_browser(session_id, client_key)
        number = card.get("number")
        if not isinstance(number, str):
            raise param_error("card.number: is required")
        cvv = card.get("cvv")
        if not isinstance(cvv, str):
            raise param_error("card.cvv: is required (3 or 4 digits)")
        facts = self.read_card(session.merchant_id, number, card.get("exp_month"), card.get("exp_year"), cvv,
                               {"number": "card.number", "expiry": "card.expiry", "cvv": "card.cvv"})
        with self.lock:
            self.check_payable(session)
            self._require_method(session, methods.BANKCARD)
            if facts.brand not in self.card_brands(session):
                raise StubError(400, CARD_NOT_SUPPORTED, f"card.number: {facts.brand} is not accepted by this "
                                f"checkout (accepted: {', '.join(self.card_brands(session))})")
            tx = self._session_order(session, methods.BANKCARD)
            self.charge_card(tx, facts, store_usage=self._store_usage(session, store))
            return self.result(tx)

    @staticmethod
    def _store_usage(session: Session, store: Optional[bool]) -> Optional[str]:
        req = session.request
        if req.payment_type == "RECURRING":
            return "SUBSCRIPTION"
        pay = req.payment
        wanted = store if store is not None else bool(pay and pay.store_payment_method)
        if not wanted or not session.shopper_reference:
            return None
        return (pay.token_usage if pay else None) or "CARD_ON_FILE"

    def pay_with_token(self, session_id: str, client_key: str, token: str, cvv: str) -> PaymentResult:
        """One-click: a stored CARD_ON_FILE card of the session's shopper, plus its CVV.

        Not in a RECURRING session: its first payment must store a SUBSCRIPTION token with a
        recurring agreement, so the shopper types the card (see :meth:`stored_cards`)."""
        session = self.open_for_browser(session_id, client_key)
        if session.request.payment_type == "RECURRING":
            raise param_error("token: a stored card cannot pay a RECURRING session; the shopper enters the card "
                              "so it is kept as a SUBSCRIPTION with a recurring agreement")
        if not isinstance(cvv, str) or not (cvv.isdigit() and len(cvv) in (3, 4)):
            raise param_error("cvv: must be 3 or 4 digits")
        if not session.shopper_reference:
            raise param_error("token: this session has no shopper_reference, so no stored cards")
        with self.lock:
            self.check_payable(session)
            self._require_method(session, methods.BANKCARD)
            stored = self.usable_token(session.merchant_id, token, session.shopper_reference, field="token")
            if stored.usage != "CARD_ON_FILE":
                raise param_error("token: a SUBSCRIPTION token is for merchant-initiated charges only")
            tx = self._session_order(session, methods.BANKCARD)
            tx.token = stored.token
            outcome = "decline" if cvv == "000" else stored.profile
            facts = CardFacts(brand=stored.brand, bin=stored.bin, last4=stored.last4, exp_month=stored.exp_month,
                              exp_year=stored.exp_year, fingerprint=stored.fingerprint, outcome=outcome,
                              error_code=CVV_FAILURE.error_code if outcome == "decline" else "0000",
                              error_description=CVV_FAILURE.error_description if outcome == "decline"
                              else "request success")
            self.charge_card(tx, facts, store_usage=None)
            return self.result(tx)

    def _pending(self, order_id: str, kinds: tuple[str, ...]) -> Transaction:
        self.tick()
        with self.lock:
            tx = self.transactions.get(order_id)
        if tx is None:
            raise no_order()
        if tx.status != "PROCESSING" or not tx.action or tx.action.get("type") not in kinds:
            raise illegal(f"order_id: {order_id} is not waiting for {' or '.join(kinds)} (status {tx.status})")
        return tx

    def complete_challenge(self, order_id: str, passed: bool) -> PaymentResult:
        with self.lock:
            tx = self._pending(order_id, ("THREEDS_CHALLENGE",))
            brand = (tx.card_info or {}).get("card_brand", "VISA")
            if passed:
                self.approve(tx, frictionless(brand))
            else:
                self.fail(tx, *THREE_DS_FAILURE,
                          authentication={"status": "N", "three_ds_version": THREEDS_VERSION})
            return self.result(tx)

    # --- wallets -------------------------------------------------------------------------

    def start_wallet(self, session_id: str, client_key: str, method: str) -> PaymentResult:
        session = self.open_for_browser(session_id, client_key)
        code = methods.canonical(method)
        if code not in methods.WALLET_FLOW:
            raise StubError(400, METHOD_NOT_SUPPORTED, f"method: {method!r} is not a wallet "
                            f"(one of {', '.join(methods.WALLET_FLOW)})")
        with self.lock:
            self.check_payable(session)
            self._require_method(session, code)
            tx = self._session_order(session, code)
            path = f"/cp/wallet/{tx.order_id}"
            flow = methods.WALLET_FLOW[code]
            tx.action = {"type": flow, "url": path}
            if flow == "QR":
                tx.action["qr_data"] = path
            self.save(tx)
            return self.result(tx)

    def complete_wallet(self, order_id: str, approved: bool) -> PaymentResult:
        with self.lock:
            tx = self._pending(order_id, ("WALLET_SHEET", "QR", "REDIRECT"))
            if approved:
                self.approve(tx)
            else:
                self.fail(tx, *WALLET_DECLINED)
            return self.result(tx)

    def payment_status(self, order_id: str) -> PaymentResult:
        self.tick()
        with self.lock:
            tx = self.transactions.get(order_id)
            if tx is None:
                raise no_order()
            return self.result(tx)

    def wallet_order(self, order_id: str) -> Transaction:
        with self.lock:
            tx = self.transactions.get(order_id)
        if tx is None:
            raise no_order()
        return tx

