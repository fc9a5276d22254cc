"""The webhook pipeline, in one place and in this order:

1. verify the ``x-paykka-*`` signature on the raw body with the platform key
   (5-minute window) — nothing is parsed before this passes;
2. refuse a notification addressed to another merchant (app id header, body merchant_id);
3. parse the body into a typed :class:`~paykka_embed.wire.NotifyEvent`;
4. in one transaction: refuse a replayed nonce, store the event durably, deduplicated on
   what it says (type, transaction, status), claim the right to handle it,
5. and record what a payment event means for its order (:func:`~paykka_embed.outcomes.record_outcome`:
   amounts reconciled, the status moved forward and never back, the paying attempt decided,
   a stored card kept);
6. run the merchant's handlers (``@paykka.on(...)``) once per event that changes the order —
   not for a stale event (a late failure after the order was paid, an older status), a
   duplicate payment or an amount mismatch, which go to their own signals instead — and send
   the blinker signal ``webhook_received`` for every new event with its ``verdict``; if a
   handler raises, answer 500 so PayKKa delivers again, and run them again then;
7. answer PayKKa's ack body.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Optional

from blinker import Namespace
from pydantic import ValidationError as PydanticValidationError

from .. import signing, wire
from ..errors import SignatureError
from ..outcomes import Outcome as PaymentOutcome, Reported, Verdict, record_outcome
from ..store import Store

log = logging.getLogger("paykka_embed.webhooks")

ACK = {"ret_code": "000000", "ret_msg": "Success"}

signals = Namespace()
#: Sent once per new event, with ``event`` (a NotifyEvent), ``record`` (its EventRecord) and
#: ``verdict`` (a :class:`~paykka_embed.outcomes.Verdict`, or None for an event about no payment
#: attempt, such as a refund): audit code hears of everything, stale events included.
webhook_received = signals.signal("paykka-webhook-received")
#: PayKKa reported another amount or currency than the attempt's (``attempt``, ``source``):
#: the order is not paid; someone must look. Sent once per attempt.
payment_mismatch = signals.signal("paykka-payment-mismatch")
#: A second attempt paid an order another had paid (``attempt``, ``paid_by``, ``reversal``: what
#: was done, or None when ``PAYKKA_DUPLICATE_PAYMENTS`` is ``record``). Sent once per attempt.
duplicate_payment = signals.signal("paykka-duplicate-payment")

Handler = Callable[[wire.NotifyEvent], Any]
#: Called with what a payment event meant for its order, before the handlers and before anything
#: is acknowledged (the extension raises its alarms and reverses a duplicate payment there);
#: raising makes PayKKa deliver the event again, so a reversal that failed is tried again.
OutcomeHook = Callable[[PaymentOutcome], Any]


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]


def dedupe_key(event: wire.NotifyEvent) -> str:
    parts = [event.notify_type, event.merchant_id, event.trans_id, event.order_id or "",
             event.refund_order_id or "", event.status, str(event.amount)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class WebhookPipeline:
    """The steps above, for one app. Every refusal is an :class:`Outcome`; a store that fails
    raises, the endpoint answers 500, and PayKKa delivers again."""

    def __init__(self, store: Store, platform_key: Any, handlers: dict[str, list[Handler]],
                 sender: Any = None, window_seconds: int = signing.WINDOW_SECONDS, *,
                 merchant_id: Optional[str] = None, app_id: Optional[str] = None,
                 lease_seconds: float = 60.0, on_outcome: Optional[OutcomeHook] = None) -> None:
        self.store = store
        self.platform_key = signing.load_public_key(platform_key)
        self.handlers = handlers
        self.sender = sender
        self.window_seconds = window_seconds
        # PayKKa signs every merchant's notifications with the same platform key, and the app id
        # is not part of the signed text: a genuine notification meant for another merchant must
        # still be refused, so both the header and the body are compared with our own ids.
        self.merchant_id = merchant_id
        self.app_id = app_id or merchant_id
        self.lease_seconds = lease_seconds
        self.on_outcome = on_outcome

    def process(self, path: str, headers: Any, body: bytes) -> Outcome:
        try:
            verified = signing.verify_headers(self.platform_key, path, headers, body,
                                              window_seconds=self.window_seconds)
        except SignatureError as exc:
            log.warning("webhook refused: %s", exc.message)
            return Outcome(401, {"ret_code": exc.ret_code or "206003", "ret_msg": "Invalid signature"})
        if self.app_id is not None and verified.app_id not in (None, self.app_id):
            log.warning("webhook refused: x-paykka-appid is another merchant's")
            return Outcome(401, {"ret_code": "206005", "ret_msg": "Not this merchant's notification"})
        try:
            event = wire.NotifyEvent.model_validate_json(body)
        except (PydanticValidationError, ValueError) as exc:
            message = wire.describe_validation_error(exc)
            log.warning("webhook refused: %s", message)
            return Outcome(400, {"ret_code": "010000", "ret_msg": message})
        if self.merchant_id is not None and event.merchant_id != self.merchant_id:
            log.warning("webhook refused: merchant_id is another merchant's")
            return Outcome(401, {"ret_code": "206005", "ret_msg": "Not this merchant's notification"})
        # The nonce, the event, the right to handle it and what it says about the payment (status,
        # stored card) are written in one transaction: on disk before the handlers run and long
        # before anything is acknowledged, at the cost of a single flush.
        outcome: Optional[PaymentOutcome] = None
        with self.store.transaction():
            if not self.store.remember_nonce(verified.nonce, verified.timestamp_ms):
                record, claimed = None, False
            else:
                record, _ = self.store.record_event(
                    dedupe_key(event), event.notify_type, event.trans_id, event.order_id, event.status,
                    body.decode("utf-8"),
                )
                claimed = record.handled_at is None and self.store.claim_event(record.id, self.lease_seconds)
                if claimed and event.notify_type.startswith("PAYMENT."):
                    outcome = record_outcome(self.store, Reported.of(event), "webhook")
        if record is None:
            log.warning("webhook refused: replayed nonce")
            return Outcome(401, {"ret_code": "206003", "ret_msg": "Replayed request"})
        if record.handled_at is not None:
            log.info("webhook %s for %s already handled (event %d)", event.notify_type, event.trans_id, record.id)
            return Outcome(200, ACK)
        if not claimed:
            # Another delivery of the same event is being handled right now: ask to be sent again later
            # rather than acknowledge something not yet handled.
            return Outcome(409, {"ret_code": "999999", "ret_msg": "event is being handled; please retry"})
        verdict = outcome.verdict if outcome else None
        try:
            if outcome is not None and self.on_outcome is not None:
                self.on_outcome(outcome)
            if verdict in (None, Verdict.APPLIED, Verdict.UNKNOWN):
                for handler in self.handlers.get(event.notify_type, []) + self.handlers.get("*", []):
                    handler(event)
            else:
                log.info("webhook %s for %s is %s: handlers not run", event.notify_type, event.trans_id,
                         verdict.value if verdict else "")
            webhook_received.send(self.sender, event=event, record=record, verdict=verdict)
        except Exception:
            log.exception("webhook handler for %s (event %d) raised; answering 500 so it is delivered again",
                          event.notify_type, record.id)
            self.store.release_event(record.id)
            return Outcome(500, {"ret_code": "999999", "ret_msg": "handler failed; please retry"})
        self.store.mark_handled(record.id)
        return Outcome(200, ACK)


def ack_json(outcome: Outcome) -> bytes:
    return json.dumps(outcome.body, separators=(",", ":")).encode("utf-8")
