"""The emulator's webhook sender: signed notifications, delivered off the request thread, retried.

Each notification is signed with the platform key over ``POST``, the path of the
``notify_url``, a fresh timestamp and nonce, and the raw body, and re-signed for
every attempt (a receiver refuses a replayed nonce). A delivery succeeds on any 2xx.
Otherwise it is retried on :data:`RETRY_SCHEDULE` (seconds after the first attempt,
on the emulator's clock, so advancing the clock fires due retries at once).
Every attempt is kept for ``GET /_stub/webhooks``, and, under ``--data DIR``, in
SQLite: a restarted emulator resumes undelivered notifications on their schedule.

Two controls act on one delivery (the dashboard's buttons): :meth:`WebhookSender.resend`
makes one more attempt now, outside the schedule (a success ends the retries; a failure
leaves the delivery as it was), and :meth:`WebhookSender.deliver_next_retry` makes the next
scheduled retry due now. Both are carried out by the sender's thread, like every attempt,
so one delivery is never sent twice at once.

The signature's timestamp is wall-clock time (the receiver checks it against its own
clock), shifted by the signature skew when one is set; only the *schedule* runs on the
emulator's clock.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from .. import signing
from .clock import Clock
from .faults import WEBHOOK, Faults
from .persistence import MemoryPersistence, Persistence

log = logging.getLogger("paykka_embed.stub.webhooks")

#: Seconds after the first attempt at which each retry is due.
RETRY_SCHEDULE = (15, 60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
TIMEOUT_SECONDS = 10.0
#: How long (emulator's clock) a notification held back by a ``reorder`` fault waits at most.
HOLD_MS = 60_000


@dataclass
class Attempt:
    """One delivery attempt: when (ms, emulator's clock), the HTTP status or the error, whether it
    was a manual resend (outside the schedule), and the signature headers it carried."""

    at_ms: int
    status: Optional[int]
    error: Optional[str]
    manual: bool = False
    #: ``x-paykka-timestamp``, ``x-paykka-nonce`` and ``x-paykka-sign`` of this attempt (None in older rows).
    timestamp: Optional[str] = None
    nonce: Optional[str] = None
    signature: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        """The attempt as ``GET /_stub/webhooks`` shows it (and as the persistence keeps it)."""
        return {"at_ms": self.at_ms, "status": self.status, "error": self.error, "manual": self.manual,
                "timestamp": self.timestamp, "nonce": self.nonce, "signature": self.signature}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> "Attempt":
        """The attempt back from :meth:`to_json` (rows written before the later fields included)."""
        return cls(row["at_ms"], row["status"], row["error"], bool(row.get("manual", False)),
                   row.get("timestamp"), row.get("nonce"), row.get("signature"))

    @property
    def ok(self) -> bool:
        """The receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Delivery:
    """One notification to one URL: its signed body's content, when it is due next
    (ms, emulator's clock), its state (pending, delivered, failed) and every attempt.
    """

    id: int
    url: str
    app_id: str
    body: bytes
    notify_type: str
    created_ms: int
    due_ms: int
    state: str = "pending"  # pending | delivered | failed
    attempts: list[Attempt] = field(default_factory=list)
    #: A manual resend was asked for and is not made yet.
    resend_requested: bool = False

    @property
    def scheduled_attempts(self) -> int:
        """Attempts made on the retry schedule (manual resends are not counted)."""
        return sum(1 for a in self.attempts if not a.manual)

    def to_row(self) -> dict[str, Any]:
        """The delivery as a JSON row for the persistence."""
        return {"id": self.id, "url": self.url, "app_id": self.app_id, "body": self.body.decode("utf-8"),
                "notify_type": self.notify_type, "created_ms": self.created_ms, "due_ms": self.due_ms,
                "state": self.state, "attempts": [a.to_json() for a in self.attempts],
                "resend_requested": self.resend_requested}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Delivery":
        """The delivery back from :meth:`to_row`."""
        return cls(row["id"], row["url"], row["app_id"], row["body"].encode("utf-8"), row["notify_type"],
                   row["created_ms"], row["due_ms"], row["state"],
                   [Attempt.from_json(a) for a in row["attempts"]], bool(row.get("resend_requested", False)))

    def to_json(self) -> dict[str, Any]:
        """The delivery as ``GET /_stub/webhooks`` shows it: the event decoded, and ``body``, the exact
        text every attempt signed and sent."""
        return {
            "id": self.id,
            "url": self.url,
            "app_id": self.app_id,
            "notify_type": self.notify_type,
            "state": self.state,
            "event": json.loads(self.body),
            "body": self.body.decode("utf-8"),
            "created_ms": self.created_ms,
            "attempts": [a.to_json() for a in self.attempts],
            "next_attempt_ms": self.due_ms if self.state == "pending" else None,
            "attempts_left": (len(RETRY_SCHEDULE) + 1 - self.scheduled_attempts) if self.state == "pending" else 0,
            "resend_requested": self.resend_requested,
        }


class WebhookSender:
    """Delivers notifications from a background thread: signs each attempt anew, retries
    on :data:`RETRY_SCHEDULE`, keeps every attempt (and, with a data directory, the queue).
    """

    def __init__(self, clock: Clock, platform_key: rsa.RSAPrivateKey,
                 persistence: Optional[Persistence] = None, faults: Optional[Faults] = None) -> None:
        self.clock = clock
        self.faults = faults or Faults()
        self._held: Optional[Delivery] = None
        self.platform_key = platform_key
        self.store: Persistence = persistence or MemoryPersistence()
        self._deliveries: list[Delivery] = [Delivery.from_row(r) for r in self.store.deliveries()]
        self._ids = itertools.count(max((d.id for d in self._deliveries), default=0) + 1)
        self._cond = threading.Condition()
        self._stopped = False
        self._http = httpx.Client(timeout=TIMEOUT_SECONDS)
        self._thread = threading.Thread(target=self._run, name="paykka-stub-webhooks", daemon=True)
        clock.on_advance(self.wake)
        clock.on_rewind(self._rewind)
        self._thread.start()

    def enqueue(self, url: str, app_id: str, event: dict[str, Any]) -> Delivery:
        """Queue ``event`` (a notification's JSON) for ``url``, signed for ``app_id``;
        returns the delivery (a ``webhook`` fault may hold it back, drop or duplicate it).
        """
        body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        now = self.clock.now_ms()
        fault = self.faults.take(WEBHOOK, ("duplicate", "reorder"))
        with self._cond:
            delivery = self._add(url, app_id, body, event, now)
            if self._held is not None:  # a reordered one goes right after this one
                self._held.due_ms = delivery.due_ms + 1
                self._held = None
            if fault is not None and fault.kind == "duplicate":
                self._add(url, app_id, body, event, now)
            elif fault is not None and fault.kind == "reorder":
                delivery.due_ms = now + HOLD_MS  # released by the next enqueue, or after HOLD_MS
                self._held = delivery
            self._cond.notify_all()
        return delivery

    def _add(self, url: str, app_id: str, body: bytes, event: dict[str, Any], now: int) -> Delivery:
        kind = event.get("notify_type") or event.get("event_type")  # a dispute has event_type DISPUTE
        delivery = Delivery(next(self._ids), url, app_id, body, str(kind), now, now)
        self._deliveries.append(delivery)
        self.store.save_delivery(delivery.id, delivery.to_row())
        return delivery

    def wake(self) -> None:
        """Look at the queue now (after the clock moved, due retries go at once)."""
        with self._cond:
            self._cond.notify_all()

    def log(self) -> list[dict[str, Any]]:
        """Every delivery, oldest first, as JSON."""
        with self._cond:
            return [d.to_json() for d in self._deliveries]

    def _find(self, delivery_id: int) -> Delivery:
        for delivery in self._deliveries:
            if delivery.id == delivery_id:
                return delivery
        raise LookupError(f"delivery_id: there is no webhook delivery {delivery_id}")

    def delivery(self, delivery_id: int) -> dict[str, Any]:
        """One delivery as JSON. Raises :class:`LookupError` naming the id when there is none."""
        with self._cond:
            return self._find(delivery_id).to_json()

    def resend(self, delivery_id: int) -> dict[str, Any]:
        """Make one more attempt of the delivery now, outside the retry schedule, whatever its state:
        a 2xx marks it delivered (no more retries); a failure leaves its state and schedule as they
        were. The attempt is made by the sender's thread; answers the delivery as it is now
        (``resend_requested`` true until the attempt is made). Raises :class:`LookupError`."""
        with self._cond:
            delivery = self._find(delivery_id)
            delivery.resend_requested = True
            self.store.save_delivery(delivery.id, delivery.to_row())
            self._cond.notify_all()
            return delivery.to_json()

    def deliver_next_retry(self, delivery_id: int) -> dict[str, Any]:
        """Make the pending delivery's next scheduled retry due now (the schedule then goes on from
        there, and a last retry that fails ends it ``failed``). Raises :class:`LookupError`, or
        :class:`ValueError` when the delivery is not pending (delivered or failed: no retry is left)."""
        with self._cond:
            delivery = self._find(delivery_id)
            if delivery.state != "pending":
                raise ValueError(f"delivery_id: delivery {delivery_id} is {delivery.state}, it has no retry left "
                                 "(resend it instead)")
            delivery.due_ms = min(delivery.due_ms, self.clock.now_ms())
            self.store.save_delivery(delivery.id, delivery.to_row())
            self._cond.notify_all()
            return delivery.to_json()

    def _rewind(self, seconds: float) -> None:
        """The clock went back ``seconds``: pending deliveries' schedules move back with it, so a retry
        due in 15 s on the moved clock is still due in 15 s."""
        shift = int(seconds * 1000)
        with self._cond:
            for delivery in self._deliveries:
                if delivery.state == "pending":
                    delivery.created_ms -= shift
                    delivery.due_ms -= shift
                    self.store.save_delivery(delivery.id, delivery.to_row())
            self._cond.notify_all()

    def reset(self) -> None:
        """Forget every delivery (the numbering starts again)."""
        with self._cond:
            self._deliveries.clear()
            self._held = None
            self._ids = itertools.count(1)

    def stop(self) -> None:
        """Stop the sender thread (waits up to 5 seconds) and close its HTTP client."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self._http.close()

    def _next_due(self) -> tuple[Optional[Delivery], bool, float]:
        """The delivery to attempt now (manual resends first), whether that is a manual one, or how
        long to wait."""
        resend = next((d for d in self._deliveries if d.resend_requested), None)
        if resend is not None:
            return resend, True, 0.0
        now = self.clock.now_ms()
        pending = [d for d in self._deliveries if d.state == "pending"]
        if not pending:
            return None, False, 3600.0
        first = min(pending, key=lambda d: (d.due_ms, d.id))
        wait = (first.due_ms - now) / 1000
        return (first, False, 0.0) if wait <= 0 else (None, False, wait)

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopped:
                        return
                    delivery, manual, wait = self._next_due()
                    if delivery is not None:
                        break
                    self._cond.wait(timeout=min(wait, 60.0))
            self._attempt(delivery, manual)

    def _attempt(self, delivery: Delivery, manual: bool = False) -> None:
        path = urlsplit(delivery.url).path or "/"
        headers = signing.signed_headers(self.platform_key, delivery.app_id, path, delivery.body,
                                         timestamp_ms=self.clock.signature_now_ms())
        signed = (headers[signing.H_TIMESTAMP], headers[signing.H_NONCE], headers[signing.H_SIGN])
        headers["content-type"] = "application/json"
        status: Optional[int] = None
        error: Optional[str] = None
        if self.faults.take(WEBHOOK, ("fail",)) is not None:
            error = "injected fault: fail (not sent)"
        else:
            try:
                response = self._http.post(delivery.url, content=delivery.body, headers=headers)
                status = response.status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
        at = self.clock.now_ms()
        with self._cond:
            attempt = Attempt(at, status, error, manual, *signed)
            delivery.attempts.append(attempt)
            if manual:
                delivery.resend_requested = False
            if attempt.ok:
                delivery.state = "delivered"
            elif manual or delivery.state != "pending":
                pass  # a manual resend that failed changes nothing: the schedule (if any) goes on
            elif delivery.scheduled_attempts > len(RETRY_SCHEDULE):
                delivery.state = "failed"
            else:
                delivery.due_ms = delivery.created_ms + RETRY_SCHEDULE[delivery.scheduled_attempts - 1] * 1000
            self.store.save_delivery(delivery.id, delivery.to_row())
            self._cond.notify_all()
        log.info("webhook %s #%d to %s%s: %s", delivery.notify_type, delivery.id, delivery.url,
                 " (resent by hand)" if manual else "", status if status is not None else error)
