"""The webhook pipeline, in one place and in this order (framework-free: the Flask extension gives it
the request's raw path, headers and body, and connects its hooks to blinker signals):

1. verify the ``x-paykka-*`` signature on the raw body with the platform key
   (5-minute window) — nothing is parsed before this passes;
2. refuse a notification addressed to another merchant (app id header, body merchant_id);
3. parse the body into a typed :class:`~paykka_embed.wire.NotifyEvent`;
4. in one transaction: refuse a replayed nonce, store the event durably, deduplicated on
   what it says (type, transaction, status), claim the right to handle it,
5. and record what a payment event means for its order (:func:`~paykka_embed.outcomes.record_outcome`:
   amounts reconciled, the status moved forward and never back, the paying attempt decided,
   a stored card kept), or a dispute at its stage (forward only);
6. run the merchant's handlers once per event that changes the order — not for a stale event
   (a late failure after the order was paid, an older status), a duplicate payment or an
   amount mismatch — then the ``on_event`` hook for every new event with its ``verdict``; if
   a handler raises, answer 500 so PayKKa delivers again, and run them again then;
7. answer PayKKa's ack body.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Union, get_args

from pydantic import ValidationError as PydanticValidationError

from . import signing, wire
from .errors import SignatureError, ValidationError
from .outcomes import Outcome, Reported, Verdict, record_outcome
from .store import DisputeRecord, EventRecord, Store

log = logging.getLogger("paykka_embed.webhooks")

ACK = {"ret_code": "000000", "ret_msg": "Success"}

#: What PayKKa posts to ``notify_url``: a payment or refund notification (``notify_type``), or a
#: dispute notification (``event_type: "DISPUTE"``).
Notification = Union[wire.NotifyEvent, wire.DisputeNotification]
#: The notification kinds a handler can be registered for (``"*"``: all of them).
HANDLED_TYPES = frozenset(get_args(wire.NotifyType)) | {"DISPUTE"}
Handler = Callable[[Notification], Any]
#: Called with what a payment event meant for its order, before the handlers and before anything
#: is acknowledged; raising makes PayKKa deliver the event again (so a remedy that failed, such as
#: the reversal of a duplicate payment, is tried again).
OutcomeHook = Callable[[Outcome], Any]
#: Called for every new event once its handlers ran: ``(event, record, verdict)``; ``verdict`` is
#: None for an event about no payment attempt (a refund).
EventHook = Callable[[Notification, EventRecord, Optional[Verdict]], Any]


@dataclass(frozen=True)
class Answer:
    """What the webhook endpoint answers PayKKa: an HTTP status and PayKKa's envelope."""

    status: int
    body: dict[str, Any]


def construct_event(path: str, headers: Mapping[str, str], body: bytes, platform_key: Any, *,
                    window_seconds: int = signing.WINDOW_SECONDS) -> tuple[Notification, signing.VerifiedHeaders]:
    """Verify a notification's signature over the raw ``body`` and only then parse it.

    ``path`` is the request path as it was sent (percent-encoded), ``headers`` its headers, and
    ``platform_key`` PayKKa's platform public key. Returns the typed notification (a
    :class:`~paykka_embed.wire.NotifyEvent`, or a :class:`~paykka_embed.wire.DisputeNotification`
    for ``event_type: "DISPUTE"``) and what the signature
    said (timestamp, nonce, app id). Raises :class:`~paykka_embed.errors.SignatureError` (missing,
    wrong or stale signature: nothing was parsed) or :class:`~paykka_embed.errors.ValidationError`
    (signed, but not a notification). Usable without Flask or a store; replays are the caller's to
    refuse (``verified.nonce``).
    """
    verified = signing.verify_headers(signing.load_public_key(platform_key), path, headers, body,
                                      window_seconds=window_seconds)
    try:
        # Parsed by pydantic straight from the bytes (no json.loads first); only a body that names an
        # event_type at all is looked at to choose the dispute model.
        model: type[Notification] = wire.NotifyEvent
        if b'"event_type"' in body and json.loads(body).get("event_type") == "DISPUTE":
            model = wire.DisputeNotification
        event = model.model_validate_json(body)
    except (PydanticValidationError, ValueError, AttributeError) as exc:
        message = wire.describe_validation_error(exc)
        field, _, rule = message.partition(": ")
        raise ValidationError(field, rule or message) from None
    return event, verified


def dedupe_key(event: Notification) -> str:
    """What makes two deliveries the same event: the same notification about the same thing in the same state."""
    if isinstance(event, wire.DisputeNotification):
        parts = ["DISPUTE", event.merchant_id, event.dispute_id, event.dispute_stage]
    else:
        parts = [event.notify_type, event.merchant_id, event.trans_id, event.order_id or "",
                 event.refund_order_id or "", event.status, str(event.amount)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class WebhookPipeline:
    """The steps above, for one merchant. Every refusal is an :class:`Answer`; a store that fails
    raises, the endpoint answers 500, and PayKKa delivers again."""

    def __init__(self, store: Store, platform_key: Any, handlers: dict[str, list[Handler]], *,
                 window_seconds: int = signing.WINDOW_SECONDS, merchant_id: Optional[str] = None,
                 app_id: Optional[str] = None, lease_seconds: float = 60.0,
                 on_outcome: Optional[OutcomeHook] = None, on_event: Optional[EventHook] = None) -> None:
        self.store = store
        self.platform_key = signing.load_public_key(platform_key)
        self.handlers = handlers
        self.window_seconds = window_seconds
        # PayKKa signs every merchant's notifications with the same platform key, and the app id
        # is not part of the signed text: a genuine notification meant for another merchant must
        # still be refused, so both the header and the body are compared with our own ids.
        self.merchant_id = merchant_id
        self.app_id = app_id or merchant_id
        self.lease_seconds = lease_seconds
        self.on_outcome = on_outcome
        self.on_event = on_event

    def process(self, path: str, headers: Any, body: bytes) -> Answer:
        """Run the pipeline on one delivery (``path`` as sent, percent-encoded; the raw ``body``) and return
        what to answer PayKKa. Raises only when the store fails (then answer 500: PayKKa delivers again)."""
        try:
            event, verified = construct_event(path, headers, body, self.platform_key,
                                              window_seconds=self.window_seconds)
        except SignatureError as exc:
            log.warning("webhook refused: %s", exc.message)
            return Answer(401, {"ret_code": exc.ret_code or "206003", "ret_msg": "Invalid signature"})
        except ValidationError as exc:
            log.warning("webhook refused: %s", exc.message)
            return Answer(400, {"ret_code": "010000", "ret_msg": exc.message})
        if self.app_id is not None and verified.app_id not in (None, self.app_id):
            log.warning("webhook refused: x-paykka-appid is another merchant's")
            return Answer(401, {"ret_code": "206005", "ret_msg": "Not this merchant's notification"})
        if self.merchant_id is not None and event.merchant_id != self.merchant_id:
            log.warning("webhook refused: merchant_id is another merchant's")
            return Answer(401, {"ret_code": "206005", "ret_msg": "Not this merchant's notification"})
        # The nonce, the event, the right to handle it and what it says about the payment (status,
        # stored card) are written in one transaction: on disk before the handlers run and long
        # before anything is acknowledged, at the cost of a single flush.
        outcome: Optional[Outcome] = None
        with self.store.transaction():
            if not self.store.remember_nonce(verified.nonce, verified.timestamp_ms):
                record, claimed = None, False
            else:
                record, _ = self.store.record_event(dedupe_key(event), kind(event), event.trans_id, event.order_id,
                                                    status(event), body.decode("utf-8"))
                claimed = record.handled_at is None and self.store.claim_event(record.id, self.lease_seconds)
                if claimed and isinstance(event, wire.DisputeNotification):
                    self.record_dispute(event)
                elif claimed and isinstance(event, wire.NotifyEvent) and event.notify_type.startswith("PAYMENT."):
                    outcome = record_outcome(self.store, Reported.of(event), "webhook")
        if record is None:
            log.warning("webhook refused: replayed nonce")
            return Answer(401, {"ret_code": "206003", "ret_msg": "Replayed request"})
        if record.handled_at is not None:
            log.info("webhook %s for %s already handled (event %d)", kind(event), event.trans_id, record.id)
            return Answer(200, ACK)
        if not claimed:
            # Another delivery of the same event is being handled right now: ask to be sent again later
            # rather than acknowledge something not yet handled.
            return Answer(409, {"ret_code": "999999", "ret_msg": "event is being handled; please retry"})
        verdict = outcome.verdict if outcome else None
        try:
            if outcome is not None and self.on_outcome is not None:
                self.on_outcome(outcome)
            if verdict in (None, Verdict.APPLIED, Verdict.UNKNOWN):
                for handler in self.handlers.get(kind(event), []) + self.handlers.get("*", []):
                    handler(event)
            else:
                log.info("webhook %s for %s is %s: handlers not run", kind(event), event.trans_id,
                         verdict.value if verdict else "")
            if self.on_event is not None:
                self.on_event(event, record, verdict)
        except Exception:
            log.exception("webhook handler for %s (event %d) raised; answering 500 so it is delivered again",
                          kind(event), record.id)
            self.store.release_event(record.id)
            return Answer(500, {"ret_code": "999999", "ret_msg": "handler failed; please retry"})
        self.store.mark_handled(record.id)
        return Answer(200, ACK)

    def record_dispute(self, event: wire.DisputeNotification) -> DisputeRecord:
        """Keep the dispute at its newest stage (a late notification of an earlier one changes nothing)."""
        attempt = self.store.attempt(event.trans_id)
        return self.store.record_dispute(DisputeRecord(
            dispute_id=event.dispute_id, trans_id=event.trans_id, order_id=event.order_id, stage=event.dispute_stage,
            amount=int(event.dispute_amount), currency=event.dispute_currency,
            order_ref=attempt.order_ref if attempt else None, reason_code=event.reason_code,
            reason_code_description=event.reason_code_description,
            due_time=wire.format_datetime(event.due_time) if event.due_time else None,
        ))


def kind(event: Notification) -> str:
    """The handler key of a notification: its ``notify_type``, or ``DISPUTE``."""
    return "DISPUTE" if isinstance(event, wire.DisputeNotification) else event.notify_type


def status(event: Notification) -> str:
    """What state a notification reports: a payment's or refund's status, or a dispute's stage."""
    return event.dispute_stage if isinstance(event, wire.DisputeNotification) else event.status


def ack_json(answer: Answer) -> bytes:
    """The answer's body as compact JSON bytes."""
    return json.dumps(answer.body, separators=(",", ":")).encode("utf-8")
