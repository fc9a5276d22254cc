"""What the merchant side remembers, and the interface a storage backend implements.

Recorded: each payment attempt of a merchant order (its ``trans_id``, session, the
transaction's ``order_id`` and latest status, as confirmed by query and by webhook, and
what PayKKa reported when it did not agree with the attempt), which attempt paid the
order (one at most, decided atomically), merchant-initiated charges by idempotency key,
stored-card tokens and recurring agreements (from webhooks: brand and last four digits
at most), webhook nonces (to refuse replays) and webhook events (to dedupe, and to prove
what arrived). Never card data: nothing here has a field that could hold a card number,
an expiry or a security code.

A backend implements :class:`Store` (a ``typing.Protocol``: no base class needed);
:class:`~paykka_embed.store.sqlite.SQLiteStore` is the default and the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
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
    """Whether an attempt at ``current`` may be recorded as ``new``: same or later in :data:`STATUS_RANK`
    (a late or reordered webhook never moves a payment back); an unknown ``new`` never may."""
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
    """An attempt's column values, in the order of its fields (the backends' column order)."""
    return tuple(getattr(record, f.name) for f in fields(AttemptRecord))


#: An attempt whose transaction PayKKa reports with another amount or currency than the
#: attempt's own: it never counts as paying the order.
FLAG_MISMATCH = "MISMATCH"
#: A second attempt paid for an order another attempt already paid.
FLAG_DUPLICATE = "DUPLICATE"


@dataclass(frozen=True)
class AttemptRecord:
    """One try at paying an order: one ``trans_id``, one session (or one merchant-initiated charge).

    ``amount``/``currency`` are what the merchant's server decided; ``reported_amount`` and
    ``reported_currency`` are set only when PayKKa reported something else (``flag`` is then
    ``MISMATCH``). ``flag`` ``DUPLICATE`` marks a payment for an order another attempt had
    already paid; ``note`` says what was done about it. ``valid_until`` is when the session expires;
    ``settled_at`` is when the attempt was found unable to take money any more (its session
    expired unpaid), so it need not be asked about again.
    """

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
    valid_until: Optional[str] = None
    reported_amount: Optional[int] = None
    reported_currency: Optional[str] = None
    flag: Optional[str] = None
    note: Optional[str] = None
    settled_at: Optional[str] = None


#: Dispute stages in the order they happen; a stage never gives way to an earlier one.
DISPUTE_STAGE_RANK = {"DISPUTE_CREATED": 0, "UNDER_REVIEW": 1, "DISPUTE_WON": 2, "DISPUTE_LOST": 2}


def dispute_stage_may_follow(current: Optional[str], new: str) -> bool:
    """Whether a dispute at ``current`` may move to ``new``: forward only, and a decided dispute stays
    decided (a stage this version does not know is accepted until a known final one arrives)."""
    if current is None or current == new:
        return True
    if DISPUTE_STAGE_RANK.get(current) == 2:
        return False
    return DISPUTE_STAGE_RANK.get(new, 1) >= DISPUTE_STAGE_RANK.get(current, 0)


@dataclass(frozen=True)
class DisputeRecord:
    """A shopper's bank disputing a payment (a chargeback), as PayKKa's DISPUTE notifications said it,
    at its latest stage. Amounts are minor units; ``due_time`` is when the merchant's evidence is due."""

    dispute_id: str
    trans_id: str
    order_id: str
    stage: str
    amount: int
    currency: str
    order_ref: Optional[str] = None
    reason_code: Optional[str] = None
    reason_code_description: Optional[str] = None
    due_time: Optional[str] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None


CHARGE_PENDING = "PENDING"
CHARGE_DONE = "DONE"


@dataclass(frozen=True)
class ChargeRecord:
    """A merchant-initiated charge, under its idempotency key.

    ``scope`` keeps keys of different shoppers apart (``recurring:{shopper_reference}``);
    ``request_hash`` is what the key was first used for, so the same key for another charge is
    refused; ``trans_id`` is set before the request is sent, so whoever finds the charge
    unfinished asks PayKKa about that transaction instead of charging again. ``result`` is the
    outcome as JSON, replayed to every later call with the same key.
    """

    scope: str
    idempotency_key: str
    order_ref: str
    request_hash: str
    state: str = CHARGE_PENDING
    trans_id: Optional[str] = None
    result: Optional[str] = None
    locked_until_ms: Optional[int] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None


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
    #: The attempt whose payment stored it (a membership's agreement belongs to its first payment).
    trans_id: Optional[str] = None

    def __post_init__(self) -> None:
        if self.last4 is not None and not (len(self.last4) == 4 and self.last4.isdigit()):
            raise ValueError("last4: must be exactly four digits")


@dataclass(frozen=True)
class EventRecord:
    """A notification as received (its raw ``body``, as signed), deduplicated on ``dedupe_key``;
    ``handled_at`` is set once the merchant's handlers ran for it."""

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

    def add_attempt(self, record: AttemptRecord) -> None:
        """Record a new attempt (its ``trans_id`` is unique); the timestamps are filled in."""

    def attempt(self, trans_id: str) -> Optional[AttemptRecord]:
        """The attempt with this ``trans_id``, or None."""

    def attempts(self, order_ref: str) -> list[AttemptRecord]:
        """Every attempt of ``order_ref``, oldest (attempt 1) first."""

    def attempt_by_order_id(self, order_id: str) -> Optional[AttemptRecord]:
        """The attempt whose transaction is PayKKa's ``order_id`` (``GW…``), or None."""

    def update_status(self, trans_id: str, status: str, *, order_id: Optional[str] = None,
                      source: str = "query") -> Optional[AttemptRecord]:
        """Record ``status`` from ``source`` (``query`` or ``webhook``) unless it would move the attempt back."""

    def flag_attempt(self, trans_id: str, flag: str, *, reported_amount: Optional[int] = None,
                     reported_currency: Optional[str] = None, note: Optional[str] = None) -> bool:
        """Mark an attempt ``MISMATCH`` or ``DUPLICATE`` (the first flag stays); True if it was not flagged before.
        ``note`` replaces the previous note, so a later step can say what was done."""

    def settle_attempt(self, trans_id: str) -> None:
        """Record that the attempt can take no more money (its session expired unpaid)."""

    def claim_paid(self, order_ref: str, trans_id: str) -> str:
        """Make ``trans_id`` the attempt that paid ``order_ref`` unless another already is; returns the one that is.

        Atomic across threads and processes: of two attempts paid at once, exactly one wins."""

    def paid_trans_id(self, order_ref: str) -> Optional[str]:
        """The attempt that paid ``order_ref``, if any."""

    def begin_charge(self, scope: str, idempotency_key: str, order_ref: str, request_hash: str,
                     lease_seconds: float) -> tuple[ChargeRecord, bool]:
        """The charge under this key, and whether the caller now owns it (to send it, or to finish it).

        The caller owns it when the key is new, or when the charge is unfinished and its previous
        owner's lease has run out (a crashed process); otherwise another caller is sending it now
        or it is done."""

    def set_charge_trans_id(self, scope: str, idempotency_key: str, trans_id: str) -> None:
        """Note the ``trans_id`` a charge is about to be sent under (before it is sent)."""

    def finish_charge(self, scope: str, idempotency_key: str, result: str) -> None:
        """Record the charge's outcome (JSON) and release it; later calls with the key replay it."""

    def release_charge(self, scope: str, idempotency_key: str) -> None:
        """Give up ownership of an unfinished charge (its outcome is unknown), so the next call resolves it."""

    def charge(self, scope: str, idempotency_key: str) -> Optional[ChargeRecord]:
        """The charge under this key, or None."""

    def record_dispute(self, record: DisputeRecord) -> DisputeRecord:
        """Insert a dispute or move it to ``record.stage`` (forward only: a late or repeated notification
        of an earlier stage changes nothing); returns the dispute as stored."""

    def disputes(self, order_ref: Optional[str] = None) -> list[DisputeRecord]:
        """Every dispute (of ``order_ref``), newest first."""

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

    def mark_handled(self, event_id: int) -> None:
        """Record that the event's handlers ran (this write may skip its own disk flush; see the stores)."""

    def events(self, trans_id: Optional[str] = None) -> list[EventRecord]:
        """Every event (of ``trans_id``), in the order received."""

    def save_token(self, record: TokenRecord) -> TokenRecord:
        """Insert or complete a token, and the agreement it carries. Never revives a removed token or a
        cancelled agreement (webhooks arrive out of order); a card whose agreement was cancelled is active
        again when a payment sets up a new agreement on it."""

    def token(self, token: str) -> Optional[TokenRecord]:
        """The stored card with this token, or None."""

    def agreement_of(self, trans_id: str) -> Optional[TokenRecord]:
        """The recurring agreement (its token) the payment ``trans_id`` set up, whatever its status now."""

    def tokens(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        """The shopper's tokens, newest first."""

    def agreements(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        """The shopper's recurring agreements, each as the record of its card, newest first (a card may
        carry several: one per membership it pays)."""

    def set_token_status(self, status: str, *, token: Optional[str] = None,
                         recurring_agreement_id: Optional[str] = None) -> int:
        """Mark a token ``REMOVED``/``CANCELED``, or cancel one agreement; returns how many changed.

        Cancelling an agreement marks its card ``CANCELED`` only when no other agreement of it is active."""

    def close(self) -> None:
        """Close every connection the store holds (its threads' too)."""
