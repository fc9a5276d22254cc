"""Paying: cards (with 3DS), stored cards (one-click) and wallets, and how each attempt
ends. Shared by the browser side (sessions) and Initiate Transaction (API-only).

An attempt is an order (``GW…``) that starts ``PROCESSING``. A card either ends at
once (approved, declined) or waits for a 3DS challenge; a wallet waits for the
shopper to approve in the wallet simulator. When an order ends, its PAYMENT.*
notification is sent, and a card the shopper chose to keep is stored. A new attempt
on a session ends the session's pending one as abandoned, and a session's pending
attempt still waiting when the session expires ends ``FAILURE`` (``5008``).

A card number is used only inside :meth:`Payments.read_card`: what leaves it is
the BIN, the last four digits, the brand and a fingerprint.

PayKKa's sources: order statuses, ``error_code`` and 3DS ``authentication_result`` are
those of Query Transaction and the notifications (notes §2.3, §5, TERR); the test cards
and the ``50xx`` codes of outcomes PayKKa has not published are the emulator's own
(:mod:`cards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .. import wire
from . import methods
from .cardcrypto import fingerprint
from .cards import (ABANDONED, CVV_FAILURE, SESSION_EXPIRED, THREE_DS_FAILURE, WALLET_DECLINED, detect_brand,
                    luhn_ok, outcome_for)
from .errors import CARD_NOT_SUPPORTED, METHOD_NOT_SUPPORTED, StubError, illegal, no_order, param_error
from .ledger import Ledger
from .notices import Notices
from .records import Session, Transaction
from .sessions import Sessions
from .vault import Vault

THREEDS_VERSION = "2.2.0"


@dataclass(frozen=True)
class PaymentResult:
    """What the browser is told about an attempt; ``action`` is its next step, if any.

    ``action`` is ``{"type": THREEDS_CHALLENGE | WALLET_SHEET | QR | REDIRECT, "url": path,
    "qr_data"?: text}``; its URLs are paths on the emulator, made absolute by the browser layer.
    """

    status: wire.TransactionStatus
    order_id: str
    error_code: str
    error_description: str
    return_url: Optional[str]
    payment_method: str = methods.BANKCARD
    action: Optional[dict[str, str]] = None


@dataclass(frozen=True)
class CardFacts:
    """A card as the emulator keeps it: no number, and the test outcome it leads to.

    ``outcome``: approve, decline (with ``error_code``/``error_description``), challenge
    (3DS), refund_fails or refund_reviewing (approved; what its refunds do).
    """

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
        """What a token keeps of the card (see :meth:`vault.Vault.store_card`)."""
        return {"brand": self.brand, "bin": self.bin, "last4": self.last4, "exp_month": self.exp_month,
                "exp_year": self.exp_year, "fingerprint": self.fingerprint,
                "profile": "challenge" if self.outcome == "challenge" else "approve"}

    def card_info(self) -> dict[str, str]:
        """The order's ``card_info``: BIN, last four digits, brand."""
        return {"bin": self.bin, "last4": self.last4, "card_brand": self.brand}


def frictionless(brand: str) -> dict[str, str]:
    """A frictionless 3DS result (status Y) with the ECI the brand uses."""
    return {"status": "Y", "eci": "02" if brand == "MASTERCARD" else "05", "three_ds_version": THREEDS_VERSION}


class Payments:
    """Attempts and how they end: cards, 3DS challenges, one-click cards and wallets.

    Receives the ledger (records, lock, ids), the sessions (what a session offers and
    whether it is payable), the vault (stored cards) and the notices (PAYMENT.* events).
    Registers :meth:`expire_pending` as due work on the ledger.
    """

    def __init__(self, ledger: Ledger, sessions: Sessions, vault: Vault, notices: Notices) -> None:
        self.ledger = ledger
        self.sessions = sessions
        self.vault = vault
        self.notices = notices
        ledger.on_tick(self.expire_pending)

    # --- cards ---------------------------------------------------------------------------

    def read_card(self, merchant_id: str, number: str, exp_month: Any, exp_year: Any, cvv: Optional[str],
                  names: dict[str, str]) -> CardFacts:
        """Check a card and reduce it to :class:`CardFacts` (the number goes no further).

        ``names`` maps number/expiry/cvv to the request's own field names, so a refusal
        names the field the caller sent. ``exp_year`` may have two digits. Raises
        :class:`StubError` ``010000`` (not Luhn-valid, bad or past expiry, CVV not 3 or 4
        digits) or ``206022`` (a brand the emulator does not know).
        """
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
        now = self.ledger.clock.now()
        if (exp_year, exp_month) < (now.year, now.month):
            raise param_error(f"{names['expiry']}: the card has expired")
        if cvv is not None and not (cvv.isdigit() and len(cvv) in (3, 4)):
            raise param_error(f"{names['cvv']}: must be 3 or 4 digits")
        card = outcome_for(number, cvv or "")
        return CardFacts(brand=brand, bin=number[:6], last4=number[-4:], exp_month=exp_month, exp_year=exp_year,
                         fingerprint=fingerprint(self.ledger.card_secret, merchant_id, number),
                         outcome=card.outcome,
                         error_code=card.error_code if card.outcome == "decline" else "0000",
                         error_description=card.error_description if card.outcome == "decline"
                         else "request success")

    # --- orders --------------------------------------------------------------------------

    def open_order(self, *, merchant_id: str, trans_id: str, session: Optional[Session], amount: int,
                   currency: str, capture_method: wire.CaptureMethod, authorisation_type: wire.AuthorisationType,
                   payment_type: wire.PaymentType, payment_method: str, notify_url: Optional[str],
                   return_url: Optional[str], shopper_reference: Optional[str], mit: bool = False) -> Transaction:
        """A new PROCESSING order (``amount`` in minor units); on a session, the session's
        pending attempt ends abandoned (``5007``, PAYMENT.FAILURE)."""
        ledger = self.ledger
        with ledger.lock:
            if session is not None:
                previous = self.sessions.latest_transaction(session)
                if previous is not None and previous.status == "PROCESSING":
                    self.fail(previous, *ABANDONED)
            tx = Transaction(
                order_id=ledger.new_id("GW", ledger.transactions), merchant_id=merchant_id, trans_id=trans_id,
                session_id=session.session_id if session else None, amount=amount, currency=currency,
                status="PROCESSING", payment_method=payment_method, created_at=ledger.clock.now(),
                capture_method=capture_method, authorisation_type=authorisation_type, payment_type=payment_type,
                error_code="", error_description="", notify_url=notify_url, return_url=return_url,
                shopper_reference=shopper_reference, mit=mit,
            )
            ledger.transactions[tx.order_id] = tx
            if session is not None:
                session.order_ids.append(tx.order_id)
                ledger.pending_orders.add(tx.order_id)
                ledger.save(session)
            else:
                ledger.orders_by_trans[(merchant_id, trans_id)] = tx.order_id
            ledger.save(tx)
            return tx

    def charge_card(self, tx: Transaction, card: CardFacts, *, store_usage: Optional[wire.TokenUsage],
                    challenge: bool = True) -> Transaction:
        """Run the card's test outcome on ``tx``: approve, decline, or wait for a challenge.

        ``store_usage``: keep the card as this kind of token if the payment ends well.
        ``challenge`` False skips 3DS (a merchant-initiated charge has no shopper).
        """
        with self.ledger.lock:
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
                self.ledger.save(tx)
            else:
                self.approve(tx, frictionless(card.brand))
            return tx

    def approve(self, tx: Transaction, authentication: Optional[dict[str, str]] = None) -> None:
        """End ``tx`` approved: AUTHORIZED (manual capture) or SUCCESS, store the card if asked,
        send PAYMENT.AUTHORIZATION or PAYMENT.SUCCESS."""
        ledger = self.ledger
        with ledger.lock:
            manual = tx.capture_method == "MANUAL"
            tx.status = "AUTHORIZED" if manual else "SUCCESS"
            tx.error_code, tx.error_description = "0000", "request success"
            tx.authentication = authentication
            tx.action = None
            tx.pay_finish_time = ledger.clock.now()
            ledger.pending_orders.discard(tx.order_id)
            tx.authed_amount = tx.amount
            tx.captured_amount = 0 if manual else tx.amount
            if tx.pending_store:
                card = dict(tx.pending_store)
                self.vault.store_card(tx, card, card.pop("usage"))
                tx.pending_store = None
            ledger.save(tx)
            self.notices.payment("PAYMENT.AUTHORIZATION" if manual else "PAYMENT.SUCCESS", tx)

    def fail(self, tx: Transaction, error_code: str, error_description: str,
             authentication: Optional[dict[str, str]] = None) -> None:
        """End ``tx`` FAILURE with PayKKa's ``error_code`` and text; send PAYMENT.FAILURE."""
        ledger = self.ledger
        with ledger.lock:
            tx.status = "FAILURE"
            tx.error_code, tx.error_description = error_code, error_description
            if authentication is not None:
                tx.authentication = authentication
            tx.action = None
            tx.pending_store = None
            tx.pay_finish_time = ledger.clock.now()
            ledger.pending_orders.discard(tx.order_id)
            ledger.save(tx)
            self.notices.payment("PAYMENT.FAILURE", tx)

    def expire_pending(self) -> None:
        """A session's attempt still waiting (3DS, wallet) when the session expires ends FAILURE.

        The shopper can no longer finish it, and an order left PROCESSING for ever would keep
        the merchant's order "pending" with no webhook to end it. A session with no attempt
        expires silently, as before.
        """
        ledger = self.ledger
        with ledger.lock:
            if not ledger.pending_orders:
                return
            now = ledger.clock.now()
            for order_id in sorted(ledger.pending_orders):
                tx = ledger.transactions.get(order_id)
                session = ledger.sessions.get(tx.session_id) if tx is not None and tx.session_id else None
                if tx is None or session is None or tx.status != "PROCESSING":
                    ledger.pending_orders.discard(order_id)
                elif now >= session.expire_time:
                    self.fail(tx, *SESSION_EXPIRED)

    def result(self, tx: Transaction) -> PaymentResult:
        """What the browser is told about ``tx`` (its session's ``return_url`` when it has one)."""
        session = self.ledger.session(tx.session_id) if tx.session_id else None
        return_url = session.request.return_url if session else tx.return_url
        return PaymentResult(tx.status, tx.order_id, tx.error_code, tx.error_description, return_url,
                             tx.payment_method, dict(tx.action) if tx.action else None)

    # --- the browser's payments on a session ---------------------------------------------

    def _session_order(self, session: Session, payment_method: str) -> Transaction:
        req = session.request
        return self.open_order(
            merchant_id=session.merchant_id, trans_id=session.trans_id, session=session, amount=req.amount,
            currency=req.currency, capture_method=req.capture_method, authorisation_type=req.authorisation_type,
            payment_type=req.payment_type, payment_method=payment_method, notify_url=req.notify_url,
            return_url=req.return_url, shopper_reference=session.shopper_reference,
        )

    def _require_method(self, session: Session, method: str) -> None:
        offered = self.sessions.payment_methods(session)
        if method not in offered:
            raise StubError(400, METHOD_NOT_SUPPORTED,
                            f"payment_method: {method} is not offered by this session "
                            f"(offered: {', '.join(offered) or 'none'})")

    def pay_with_card(self, session_id: str, client_key: str, card: dict[str, Any], *,
                      store: Optional[bool] = None) -> PaymentResult:
        """A card typed by the shopper: ``card`` is ``{"number", "exp_month", "exp_year", "cvv"}``.

        ``store``: the shopper's "save card" choice (None: the session's
        ``store_payment_method``); RECURRING sessions always store. Raises
        :class:`StubError`: what :meth:`sessions.Sessions.open_for_browser` and
        :meth:`read_card` raise, 409/410 when the session is not payable, ``210001`` when
        it offers no cards, ``206022`` for a brand it does not accept.
        """
        sessions = self.sessions
        session = sessions.open_for_browser(session_id, client_key)
        number = card.get("number")
        if not isinstance(number, str):
            raise param_error("card.number: is required")
        cvv = card.get("cvv")
        if not isinstance(cvv, str):
            raise param_error("card.cvv: is required (3 or 4 digits)")
        facts = self.read_card(session.merchant_id, number, card.get("exp_month"), card.get("exp_year"), cvv,
                               {"number": "card.number", "expiry": "card.expiry", "cvv": "card.cvv"})
        with self.ledger.lock:
            sessions.check_payable(session)
            self._require_method(session, methods.BANKCARD)
            brands = sessions.card_brands(session)
            if facts.brand not in brands:
                raise StubError(400, CARD_NOT_SUPPORTED, f"card.number: {facts.brand} is not accepted by this "
                                f"checkout (accepted: {', '.join(brands)})")
            tx = self._session_order(session, methods.BANKCARD)
            self.charge_card(tx, facts, store_usage=self._store_usage(session, store))
            return self.result(tx)

    @staticmethod
    def _store_usage(session: Session, store: Optional[bool]) -> Optional[wire.TokenUsage]:
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
        recurring agreement, so the shopper types the card (see
        :meth:`sessions.Sessions.stored_cards`). Raises :class:`StubError` ``010000`` (bad
        CVV, no shopper, a SUBSCRIPTION token) and what :meth:`vault.Vault.usable_token` raises.
        """
        sessions = self.sessions
        session = sessions.open_for_browser(session_id, client_key)
        if session.request.payment_type == "RECURRING":
            raise param_error("token: a stored card cannot pay a RECURRING session; the shopper enters the card "
                              "so it is kept as a SUBSCRIPTION with a recurring agreement")
        if not isinstance(cvv, str) or not (cvv.isdigit() and len(cvv) in (3, 4)):
            raise param_error("cvv: must be 3 or 4 digits")
        if not session.shopper_reference:
            raise param_error("token: this session has no shopper_reference, so no stored cards")
        with self.ledger.lock:
            sessions.check_payable(session)
            self._require_method(session, methods.BANKCARD)
            stored = self.vault.usable_token(session.merchant_id, token, session.shopper_reference, field="token")
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
        self.ledger.tick()
        tx = self.ledger.transaction(order_id)
        if tx is None:
            raise no_order()
        if tx.status != "PROCESSING" or not tx.action or tx.action.get("type") not in kinds:
            raise illegal(f"order_id: {order_id} is not waiting for {' or '.join(kinds)} (status {tx.status})")
        return tx

    def complete_challenge(self, order_id: str, passed: bool) -> PaymentResult:
        """The shopper's answer on the 3DS page: ``passed`` approves, else ``5005`` FAILURE.

        Raises :class:`StubError` 404 ``206024`` (no such order), 409 ``299001`` (not
        waiting for a challenge).
        """
        with self.ledger.lock:
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
        """A wallet attempt (``method``: a wallet code or alias): PROCESSING, with the action
        the browser shows (sheet, QR or redirect to the emulator's wallet page).

        Raises :class:`StubError` ``210001`` (not a wallet, or not offered by the session)
        and what :meth:`sessions.Sessions.open_for_browser` and ``check_payable`` raise.
        """
        session = self.sessions.open_for_browser(session_id, client_key)
        code = methods.canonical(method)
        if code not in methods.WALLET_FLOW:
            raise StubError(400, METHOD_NOT_SUPPORTED, f"method: {method!r} is not a wallet "
                            f"(one of {', '.join(methods.WALLET_FLOW)})")
        with self.ledger.lock:
            self.sessions.check_payable(session)
            self._require_method(session, code)
            tx = self._session_order(session, code)
            path = f"/cp/wallet/{tx.order_id}"
            flow = methods.WALLET_FLOW[code]
            tx.action = {"type": flow, "url": path}
            if flow == "QR":
                tx.action["qr_data"] = path
            self.ledger.save(tx)
            return self.result(tx)

    def complete_wallet(self, order_id: str, approved: bool) -> PaymentResult:
        """The shopper's answer in the wallet simulator: ``approved``, else ``5006`` FAILURE.

        Raises :class:`StubError` 404 ``206024``, 409 ``299001`` (not waiting for a wallet).
        """
        with self.ledger.lock:
            tx = self._pending(order_id, ("WALLET_SHEET", "QR", "REDIRECT"))
            if approved:
                self.approve(tx)
            else:
                self.fail(tx, *WALLET_DECLINED)
            return self.result(tx)

    def cancel(self, order_id: str) -> PaymentResult:
        """The shopper closed a 3DS challenge or a wallet sheet: a pending attempt fails
        (``5005`` or ``5006``); one that already ended is answered as it is."""
        current = self.payment_status(order_id)
        if current.status != "PROCESSING":
            return current
        if current.payment_method == methods.BANKCARD:
            return self.complete_challenge(order_id, False)
        return self.complete_wallet(order_id, False)

    def payment_status(self, order_id: str) -> PaymentResult:
        """An attempt as it is now (after the clock's due work). Raises 404 ``206024``."""
        self.ledger.tick()
        with self.ledger.lock:
            tx = self.ledger.transactions.get(order_id)
            if tx is None:
                raise no_order()
            return self.result(tx)

    def wallet_order(self, order_id: str) -> Transaction:
        """The order a wallet or 3DS page shows. Raises 404 ``206024`` when unknown."""
        tx = self.ledger.transaction(order_id)
        if tx is None:
            raise no_order()
        return tx

    def session_order(self, session: Session, order_id: str) -> str:
        """``order_id`` when it is an attempt of ``session``; else 404 ``206024``."""
        with self.ledger.lock:
            if order_id not in session.order_ids:
                raise StubError(404, "206024", "the order doesn't exist")
        return order_id
