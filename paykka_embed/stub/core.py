"""The gateway's state and the plumbing every rule shares: the records in memory, one
lock, write-through persistence, id minting, merchants, replay protection and the
hand-off of notifications to the webhook sender.

The rules themselves live in :mod:`sessions`, :mod:`vault`, :mod:`payments`,
:mod:`transactions` and :mod:`modifications`; :class:`gateway.Gateway` stacks them.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, Mapping, Optional

from cryptography.hazmat.primitives.asymmetric import rsa

from .. import signing, wire
from .clock import Clock
from .errors import NO_MERCHANT, StubError, param_error
from .persistence import MemoryPersistence, Persistence
from .records import Agreement, Dispute, IdFactory, Merchant, Record, Refund, Session, Token, Transaction

_APP_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

#: Called with (merchant, notify_url or None, event) for every notification to send.
Notifier = Callable[[Merchant, Optional[str], dict[str, Any]], None]


class GatewayCore:
    """All the stub's state, behind one re-entrant lock."""

    def __init__(self, clock: Clock, platform_key: rsa.RSAPrivateKey,
                 persistence: Optional[Persistence] = None) -> None:
        self.clock = clock
        self.platform_key = platform_key
        self.store: Persistence = persistence or MemoryPersistence()
        self.ids = IdFactory()
        self.lock = threading.RLock()
        self.merchants: dict[str, Merchant] = {}
        #: x-paykka-appid → merchant_id (an app id defaults to its merchant id).
        self.merchants_by_app: dict[str, str] = {}
        self.sessions: dict[str, Session] = {}
        self.sessions_by_trans: dict[tuple[str, str], str] = {}
        self.transactions: dict[str, Transaction] = {}
        #: Orders made by Initiate Transaction, by (merchant, trans_id).
        self.orders_by_trans: dict[tuple[str, str], str] = {}
        self.refunds: dict[str, Refund] = {}
        self.refunds_by_trans: dict[tuple[str, str], str] = {}
        self.tokens: dict[str, Token] = {}
        self.agreements: dict[str, Agreement] = {}
        self.disputes: dict[str, Dispute] = {}
        self.seen_nonces: dict[str, int] = {}
        #: Orders on a session still waiting for the shopper (3DS, wallet): ended if the session expires.
        self.pending_orders: set[str] = set()
        #: Refunds in REVIEWING, settled when the clock passes their review_until.
        self.reviewing_refunds: set[str] = set()
        self.card_secret = self.store.secret("card-fingerprint")
        self.notify: Notifier = lambda m, u, e: None
        self._load()

    # --- records -------------------------------------------------------------------------

    def _load(self) -> None:
        """Fill memory from the persistent store (nothing happens in memory-only mode)."""
        for row in self.store.rows(Merchant.KIND):
            merchant = Merchant.from_row(row)
            self.merchants[merchant.merchant_id] = merchant
            self.merchants_by_app[merchant.app_id] = merchant.merchant_id
        for row in self.store.rows(Session.KIND):
            session = Session.from_row(row)
            self.sessions[session.session_id] = session
            self.sessions_by_trans[(session.merchant_id, session.trans_id)] = session.session_id
        for row in self.store.rows(Transaction.KIND):
            tx = Transaction.from_row(row)
            self.transactions[tx.order_id] = tx
            if tx.session_id is None:
                self.orders_by_trans[(tx.merchant_id, tx.trans_id)] = tx.order_id
            elif tx.status == "PROCESSING":
                self.pending_orders.add(tx.order_id)
        for row in self.store.rows(Refund.KIND):
            refund = Refund.from_row(row)
            self.refunds[refund.refund_order_id] = refund
            self.refunds_by_trans[(refund.merchant_id, refund.refund_trans_id)] = refund.refund_order_id
            if refund.status == "REVIEWING":
                self.reviewing_refunds.add(refund.refund_order_id)
        for row in self.store.rows(Token.KIND):
            token = Token.from_row(row)
            self.tokens[token.token] = token
        for row in self.store.rows(Agreement.KIND):
            agreement = Agreement.from_row(row)
            self.agreements[agreement.recurring_agreement_id] = agreement
        for row in self.store.rows(Dispute.KIND):
            dispute = Dispute.from_row(row)
            self.disputes[dispute.dispute_id] = dispute

    def save(self, *records: Record) -> None:
        for record in records:
            self.store.save(record)

    def new_id(self, prefix: str, taken: Mapping[str, Any]) -> str:
        """A fresh ``prefix…`` id not in ``taken`` (ids stay unique across restarts)."""
        while True:
            candidate = self.ids.new(prefix, self.clock.now())
            if candidate not in taken:
                return candidate

    # --- merchants and request authentication --------------------------------------------

    def register_merchant(self, public_key_pem: str, merchant_id: Optional[str] = None,
                          name: Optional[str] = None, notify_url: Optional[str] = None,
                          pci: Optional[bool] = None, app_id: Optional[str] = None) -> Merchant:
        """Register a merchant, or rotate its key (its client key and settings stay).

        ``app_id`` is what its requests carry in ``x-paykka-appid`` (PayKKa issues it apart
        from the merchant id); without one, a new merchant's app id is its merchant id and
        an existing merchant keeps its own.
        """
        try:
            key = signing.load_public_key(public_key_pem)
        except ValueError as exc:
            raise param_error(f"public_key: {exc}") from None
        if merchant_id is not None and not (merchant_id.isascii() and merchant_id.isalnum()
                                            and 1 <= len(merchant_id) <= 32):
            raise param_error("merchant_id: must be 1 to 32 letters or digits")
        if app_id is not None and not _APP_ID.fullmatch(app_id):
            raise param_error("app_id: must be 1 to 64 letters, digits, '-' or '_'")
        with self.lock:
            existing = self.merchants.get(merchant_id) if merchant_id else None
            mid = merchant_id or self.ids.merchant_id()
            aid = app_id or (existing.app_id if existing else mid)
            owner = self.merchants_by_app.get(aid)
            if owner is not None and owner != mid:
                raise param_error(f"app_id: {aid} already belongs to merchant {owner}")
            merchant = Merchant(
                merchant_id=mid,
                app_id=aid,
                public_key_pem=signing.public_pem(key),
                client_key=existing.client_key if existing else self.ids.client_key(),
                name=name or (existing.name if existing else "Demo Merchant"),
                notify_url=notify_url or (existing.notify_url if existing else None),
                pci=pci if pci is not None else (existing.pci if existing else False),
                public_key=key,
            )
            if existing is not None and existing.app_id != aid:
                self.merchants_by_app.pop(existing.app_id, None)
            self.merchants[mid] = merchant
            self.merchants_by_app[aid] = mid
            self.save(merchant)
            return merchant

    def merchant_for_app(self, app_id: Optional[str]) -> Merchant:
        """The merchant whose app id ``x-paykka-appid`` carries (``206005`` when none)."""
        with self.lock:
            mid = self.merchants_by_app.get(app_id or "")
            merchant = self.merchants.get(mid) if mid else None
        if merchant is None:
            raise StubError(401, NO_MERCHANT, f"{signing.H_APPID}: merchant does not exist "
                            "(no merchant has this app id)")
        return merchant

    def remember_nonce(self, nonce: str, timestamp_ms: int) -> bool:
        """False when ``nonce`` was already used inside the signature window (a replay).

        Signature timestamps are wall-clock time (the merchant's side checks them against
        its own clock), so the replay window is too, whatever the stub clock says (only
        the signature skew shifts it).
        """
        horizon = self.clock.signature_now_ms() - signing.WINDOW_SECONDS * 1000 * 2
        with self.lock:
            if nonce in self.seen_nonces:
                return False
            if len(self.seen_nonces) > 50_000:
                self.seen_nonces = {n: t for n, t in self.seen_nonces.items() if t > horizon}
            self.seen_nonces[nonce] = timestamp_ms
            return True

    # --- time-driven work ----------------------------------------------------------------

    def tick(self) -> None:
        """Do what the clock made due (expire pending attempts, settle refunds under review).

        Called when the clock is advanced and before each operation that reads state, so
        time passing on its own is noticed as soon as anyone looks. Each rule module adds
        its part and calls ``super().tick()``.
        """

    # --- notifications -------------------------------------------------------------------

    def payment_event(self, notify_type: str, tx: Transaction) -> dict[str, Any]:
        """A PAYMENT.* notification: the notes' §5 fields, from the order as it is now."""
        session = self.sessions.get(tx.session_id) if tx.session_id else None
        auth = {k: v for k, v in (tx.authentication or {}).items() if k != "authentication_url"}
        event = wire.NotifyEvent(
            notify_type=notify_type,  # type: ignore[arg-type]
            merchant_id=tx.merchant_id,
            trans_id=tx.trans_id,
            order_id=tx.order_id,
            status=tx.status,
            amount=tx.amount,
            currency=tx.currency,
            error_code=tx.error_code,
            error_description=tx.error_description,
            pay_finish_time=tx.pay_finish_time,
            token=tx.token,
            recurring_agreement_id=tx.recurring_agreement_id,
            shopper_reference=tx.shopper_reference,
            authentication_result=wire.AuthenticationResult(**auth) if auth else None,
            session_id=tx.session_id,
            expire_time=session.expire_time if session else None,
            payment=wire.PaymentInfo(payment_method=tx.payment_method),
            card_info=wire.CardInfo(**tx.card_info) if tx.card_info else None,
        )
        return event.to_wire()

    def refund_event(self, refund: Refund) -> dict[str, Any]:
        """A REFUND.* notification: ``trans_id`` is the merchant's refund_trans_id."""
        tx = self.transactions[refund.ori_order_id]
        event = wire.NotifyEvent(
            notify_type="REFUND.SUCCESS" if refund.status == "SUCCESS" else "REFUND.FAILURE",
            merchant_id=refund.merchant_id,
            trans_id=refund.refund_trans_id,
            order_id=refund.ori_order_id,
            ori_order_id=refund.ori_order_id,
            refund_order_id=refund.refund_order_id,
            status=refund.status,
            amount=refund.amount,
            currency=refund.currency,
            error_code=refund.error_code,
            error_description=refund.error_description,
            pay_finish_time=refund.finish_time,
            shopper_reference=tx.shopper_reference,
            session_id=tx.session_id,
            payment=wire.PaymentInfo(payment_method=tx.payment_method),
            card_info=wire.CardInfo(**tx.card_info) if tx.card_info else None,
        )
        return event.to_wire()

    def emit(self, merchant_id: str, url: Optional[str], event: dict[str, Any]) -> None:
        self.notify(self.merchants[merchant_id], url, event)

    def emit_payment(self, notify_type: str, tx: Transaction) -> None:
        self.emit(tx.merchant_id, tx.notify_url, self.payment_event(notify_type, tx))

    # --- reset ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything but the merchants (tests register them once per run)."""
        with self.lock:
            for table in (self.sessions, self.sessions_by_trans, self.transactions, self.orders_by_trans,
                          self.refunds, self.refunds_by_trans, self.tokens, self.agreements, self.disputes,
                          self.seen_nonces,
                          self.pending_orders, self.reviewing_refunds):
                table.clear()
            self.store.clear(keep_kinds=(Merchant.KIND,))
