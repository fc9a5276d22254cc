"""What the merchant side remembers, and the interface a storage backend implements.

Recorded: each payment attempt of a merchant order (its ``trans_id``, session and
latest status, as confirmed by query and by webhook), webhook nonces (to refuse
replays) and webhook events (to dedupe, and to prove what arrived). Never card data:
nothing here has a field that could hold it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol

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

    def close(self) -> None: ...
