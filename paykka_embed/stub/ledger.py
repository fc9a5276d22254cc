"""The emulator's ledger: every record it keeps, one lock, write-through persistence, ids,
and the time-driven work of the services.

The services (:mod:`merchants`, :mod:`sessions`, :mod:`vault`, :mod:`payments`,
:mod:`transactions`, :mod:`modifications`, :mod:`disputes`) each receive the ledger in
their constructor and keep no records of their own, so one lock guards one consistent
state, one :meth:`Ledger.reset` forgets it, and one :meth:`Ledger.save` writes it
through to :mod:`persistence`. The HTTP layers never touch the ledger: they call the
services.

Locking: the lock is re-entrant; a service takes it around every read-modify-write of
records, and may call another service while holding it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Mapping, Optional

from .clock import Clock
from .persistence import MemoryPersistence, Persistence
from .records import Agreement, Dispute, IdFactory, Merchant, Record, Refund, Session, Token, Transaction

log = logging.getLogger("paykka_embed.stub.ledger")


class Ledger:
    """The emulator's records in memory (kept in step with ``persistence``), behind one lock.

    Tables, each keyed as its name says:

    - ``merchants`` (merchant_id → :class:`Merchant`), ``merchants_by_app``
      (``x-paykka-appid`` → merchant_id);
    - ``sessions`` (``CS…`` → :class:`Session`), ``sessions_by_trans``
      ((merchant_id, trans_id) → ``CS…``);
    - ``transactions`` (``GW…`` → :class:`Transaction`), ``orders_by_trans``
      ((merchant_id, trans_id) → ``GW…``, orders of Initiate Transaction only);
    - ``refunds`` (``RG…`` → :class:`Refund`), ``refunds_by_trans``
      ((merchant_id, refund_trans_id) → ``RG…``);
    - ``tokens`` (``TK…``), ``agreements`` (``RA…``), ``disputes`` (``DG…``);
    - ``seen_nonces`` (nonce → timestamp in ms, for replay protection);
    - ``pending_orders`` (orders on a session waiting for the shopper) and
      ``reviewing_refunds`` (refunds in ``REVIEWING``): the work the clock can make due.
    """

    def __init__(self, clock: Clock, persistence: Optional[Persistence] = None) -> None:
        self.clock = clock
        self.store: Persistence = persistence or MemoryPersistence()
        self.ids = IdFactory()
        self.lock = threading.RLock()
        self.merchants: dict[str, Merchant] = {}
        self.merchants_by_app: dict[str, str] = {}
        self.sessions: dict[str, Session] = {}
        self.sessions_by_trans: dict[tuple[str, str], str] = {}
        self.transactions: dict[str, Transaction] = {}
        self.orders_by_trans: dict[tuple[str, str], str] = {}
        self.refunds: dict[str, Refund] = {}
        self.refunds_by_trans: dict[tuple[str, str], str] = {}
        self.tokens: dict[str, Token] = {}
        self.agreements: dict[str, Agreement] = {}
        self.disputes: dict[str, Dispute] = {}
        self.seen_nonces: dict[str, int] = {}
        self.pending_orders: set[str] = set()
        self.reviewing_refunds: set[str] = set()
        #: Key of the card fingerprints (32 bytes, kept by the persistence so they survive restarts).
        self.card_secret = self.store.secret("card-fingerprint")
        self._due: list[Callable[[], None]] = []
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
        """Write ``records`` through to the persistence (a no-op in memory-only mode)."""
        for record in records:
            self.store.save(record)

    def new_id(self, prefix: str, taken: Mapping[str, Any]) -> str:
        """A fresh PayKKa-shaped id (``prefix`` + minute + 8 digits) not in ``taken``."""
        while True:
            candidate = self.ids.new(prefix, self.clock.now())
            if candidate not in taken:
                return candidate

    # --- lookups (each under the lock; None when unknown) ---------------------------------

    def transaction(self, order_id: str) -> Optional[Transaction]:
        """The order ``GW…``, or None."""
        with self.lock:
            return self.transactions.get(order_id)

    def session(self, session_id: str) -> Optional[Session]:
        """The session ``CS…``, or None."""
        with self.lock:
            return self.sessions.get(session_id)

    def merchant(self, merchant_id: str) -> Merchant:
        """The merchant of a record the ledger holds (always registered: KeyError is a bug)."""
        with self.lock:
            return self.merchants[merchant_id]

    # --- time-driven work ----------------------------------------------------------------

    def on_tick(self, work: Callable[[], None]) -> None:
        """Run ``work`` at every :meth:`tick` (a service registers what the clock makes due)."""
        self._due.append(work)

    def tick(self) -> None:
        """Do what the clock made due: expire pending attempts, settle refunds under review.

        Called when the clock is advanced and before each operation that reads state, so
        time passing on its own is noticed as soon as anyone looks.
        """
        for work in self._due:
            work()

    def tick_after_advance(self) -> None:
        """:meth:`tick` for the clock's listeners: a failure is logged, never raised into the control."""
        try:
            self.tick()
        except Exception:  # a bug here must not turn the clock control into a 500
            log.exception("due work after a clock advance failed")

    # --- reset ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything but the merchants (tests register them once per run)."""
        with self.lock:
            for table in (self.sessions, self.sessions_by_trans, self.transactions, self.orders_by_trans,
                          self.refunds, self.refunds_by_trans, self.tokens, self.agreements, self.disputes,
                          self.seen_nonces, self.pending_orders, self.reviewing_refunds):
                table.clear()
            self.store.clear(keep_kinds=(Merchant.KIND,))
