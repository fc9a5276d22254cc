"""The webhook pipeline, in one place and in this order:

1. verify the ``x-paykka-*`` signature on the raw body with the platform key
   (5-minute window) — nothing is parsed before this passes;
2. refuse a notification addressed to another merchant (app id header, body merchant_id);
3. parse the body into a typed :class:`~paykka_embed.wire.NotifyEvent`;
4. in one transaction: refuse a replayed nonce, store the event durably, deduplicated on
   what it says (type, transaction, status), claim the right to handle it,
5. and move the payment attempt forward (never back) and record a stored card or recurring
   agreement the event carries (token, agreement id, brand, last four: nothing more);
6. run the merchant's handlers (``@paykka.on(...)`` and the blinker signal) once per
   event; if one raises, answer 500 so PayKKa delivers again, and run them again then;
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
from ..store import Store, TokenRecord

log = logging.getLogger("paykka_embed.webhooks")

ACK = {"ret_code": "000000", "ret_msg": "Success"}

signals = Namespace()
#: Sent once per new event, with ``event`` (a NotifyEvent) and ``record`` (its EventRecord).
webhook_received = signals.signal("paykka-webhook-received")

Handler = Callable[[wire.NotifyEvent], Any]


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
                 lease_seconds: float = 60.0) -> None:
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
                    self.store.update_status(event.trans_id, event.status, order_id=event.order_id,
                                             source="webhook")
                    self.record_token(event)
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
        try:
            for handler in self.handlers.get(event.notify_type, []) + self.handlers.get("*", []):
                handler(event)
            webhook_received.send(self.sender, event=event, record=record)
        except Exception:
            log.exception("webhook handler for %s (event %d) raised; answering 500 so it is delivered again",
                          event.notify_type, record.id)
            self.store.release_event(record.id)
            return Outcome(500, {"ret_code": "999999", "ret_msg": "handler failed; please retry"})
        self.store.mark_handled(record.id)
        return Outcome(200, ACK)

    def record_token(self, event: wire.NotifyEvent) -> None:
        """Keep the token and agreement of a successful payment for later charges."""
        if not event.token or event.status not in ("SUCCESS", "AUTHORIZED"):
            return
        attempt = self.store.attempt(event.trans_id)
        shopper = event.shopper_reference or (attempt.shopper_reference if attempt else None)
        if not shopper:
            log.warning("webhook for %s carries a token but no shopper_reference; not stored", event.trans_id)
            return
        extra = event.model_extra or {}
        usage = extra.get("token_usage") or (attempt.token_usage if attempt else None)
        card = event.card_info
        last4 = card.last4 if card and card.last4 and len(card.last4) == 4 and card.last4.isdigit() else None
        self.store.save_token(TokenRecord(
            token=event.token, shopper_reference=shopper, token_usage=str(usage) if usage else None,
            recurring_agreement_id=event.recurring_agreement_id, brand=card.card_brand if card else None,
            last4=last4,
        ))


def ack_json(outcome: Outcome) -> bytes:
    return json.dumps(outcome.body, separators=(",", ":")).encode("utf-8")
