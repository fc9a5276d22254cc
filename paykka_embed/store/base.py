"""What the merchant side remembers, and the interface a storage backend implements.

Recorded: each payment attempt of a merchant order (its ``trans_id``, session, the
transaction's ``order_id`` and latest status, as confirmed by query and by webhook),
stored-card tokens and recurring agreements (from webhooks: brand and last four digits
at most), webhook nonces (to refuse replays) and webhook events (to dedupe, and to prove
what arrived). Never card data: nothing here has a field that could hold a card number,
an expiry or a security code.

A backend implements :class:`Store` (a ``typing.Protocol``: no base class needed);
:class:`~paykka_embed.store.sqlite.SQLiteStore` is the default and the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol, ContextManager

#: How far along a payment's life each status is. A status may only be replaced by one
#: of equal or higher rank, so a late or reordered webhook never moves an order back.
STATUS_RANK = {
    "PROCESSING": 0,
    "FAILURE": 1,
    "AUTHORIZED": 2,
    "SUCCESS": 3,
    "PARTIALLY_REVERSED": 4,
    "PARTIALLY_REFUNDED": 4,
    "CANCELED": 5,
    "REFUNDED": 5,
}


def status_may_follow(current: Optional[str], new: str) -> bool:
    if current is None or current == new:
        return True
    return STATUS_RANK.get(new, -1) >= STATUS_RANK.get(current, 0) and new in STATUS_RANK


def source_column(source: str) -> str:
    """The column keeping what ``source`` (``query`` or ``webhook``) last confirmed."""
    if source not in ("query", "webhook"):
        raise ValueError("source: must be 'query' or 'webhook'")
    return "query_status" if source == "query" else "webhook_status"


def advance(current: "AttemptRecord", status: str, source: str) -> tuple[str, str]:
    """What an attempt's status and its ``source`` column become when ``source`` reports
    ``status``: each moves forward, or stays where it is; every backend applies this rule."""
    previous = getattr(current, source_column(source))
    return (status if status_may_follow(current.status, status) else current.status,
            status if status_may_follow(previous, status) else previous)


def attempt_values(record: "AttemptRecord") -> tuple[object, ...]:
    """An attempt's column values, in the order of the backends' INSERT."""
    return (record.trans_id, record.order_ref, record.attempt, record.session_id, record.mode, record.amount,
            record.currency, record.status, record.order_id, record.query_status, record.webhook_status,
            record.created_at, record.updated_at, record.payment_type, record.shopper_reference,
            record.token_usage)


@dataclass(frozen=True)
class AttemptRecord:
    trans_id: str
    order_ref: str
    attempt: int
    session_id: Optional[str]
    mode: str
    amount: int
    currency: str
    status: str = "PROCESSING"
    order_id: Optional[str] = None
    query_status: Optional[str] = None
    webhook_status: Optional[str] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    payment_type: str = "PURCHASE"
    shopper_reference: Optional[str] = None
    token_usage: Optional[str] = None


TOKEN_ACTIVE = "ACTIVE"
TOKEN_REMOVED = "REMOVED"
AGREEMENT_CANCELED = "CANCELED"


@dataclass(frozen=True)
class TokenRecord:
    """A stored payment method of a shopper, as PayKKa's webhooks reported it.

    ``status`` is ``ACTIVE``, ``REMOVED`` (the token was deleted) or ``CANCELED`` (its
    recurring agreement was cancelled: no more merchant-initiated charges). ``brand`` and
    ``last4`` are for showing the shopper which card it is; nothing more of the card exists here.
    """

    token: str
    shopper_reference: str
    token_usage: Optional[str] = None
    recurring_agreement_id: Optional[str] = None
    brand: Optional[str] = None
    last4: Optional[str] = None
    status: str = TOKEN_ACTIVE
    created_at: Optional[str] = None
    updated_at: Optional[str] = None

    def __post_init__(self) -> None:
        if self.last4 is not None and not (len(self.last4) == 4 and self.last4.isdigit()):
            raise ValueError("last4: must be exactly four digits")


@dataclass(frozen=True)
class EventRecord:
    id: int
    dedupe_key: str
    notify_type: str
    trans_id: str
    order_id: Optional[str]
    status: str
    body: str
    received_at: str
    handled_at: Optional[str]


class Store(Protocol):
    """A storage backend. :class:`paykka_embed.store.sqlite.SQLiteStore` is the default."""

    def next_attempt(self, order_ref: str) -> int:
        """Atomically allocate the next attempt number (1, 2, ...) of ``order_ref``."""

    def add_attempt(self, record: AttemptRecord) -> None: ...

    def attempt(self, trans_id: str) -> Optional[AttemptRecord]: ...

    def attempts(self, order_ref: str) -> list[AttemptRecord]: ...

    def update_status(self, trans_id: str, status: str, *, order_id: Optional[str] = None,
                      source: str = "query") -> Optional[AttemptRecord]:
        """Record ``status`` from ``source`` (``query`` or ``webhook``) unless it would move the attempt back."""

    def transaction(self) -> ContextManager[None]:
        """Make the calls inside one atomic write, committed (durably) once on leaving.

        The webhook pipeline records a delivery's nonce, its event and its claim together:
        one commit, one disk flush, instead of three."""

    def remember_nonce(self, nonce: str, timestamp_ms: int) -> bool:
        """False when ``nonce`` was seen before (a replay)."""

    def record_event(self, dedupe_key: str, notify_type: str, trans_id: str, order_id: Optional[str],
                     status: str, body: str) -> tuple[EventRecord, bool]:
        """Store an event durably; returns it and whether it is new."""

    def claim_event(self, event_id: int, lease_seconds: float = 60.0) -> bool:
        """Take the right to run handlers for an unhandled event; False if handled or claimed by another."""

    def release_event(self, event_id: int) -> None:
        """Give up a claim after a handler failed, so a redelivery can run the handlers again."""

    def mark_handled(self, event_id: int) -> None: ...

    def events(self, trans_id: Optional[str] = None) -> list[EventRecord]: ...

    def save_token(self, record: TokenRecord) -> TokenRecord:
        """Insert or complete a token. Never revives a removed or cancelled one (webhooks arrive out of order)."""

    def token(self, token: str) -> Optional[TokenRecord]: ...

    def tokens(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        """The shopper's tokens, newest first."""

    def set_token_status(self, status: str, *, token: Optional[str] = None,
                         recurring_agreement_id: Optional[str] = None) -> int:
        """Mark the token, or every token of the agreement, ``REMOVED``/``CANCELED``; returns how many changed."""

    def close(self) -> None: ...
