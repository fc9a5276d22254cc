"""What a transaction PayKKa reports means for its order, decided in one place.

Both roads by which the merchant's side learns about a payment — Query Transaction (the
return page, a check before a new attempt, a charge) and the signed webhook — end here,
in :func:`record_outcome`, which in one store transaction:

1. reconciles: a transaction whose amount or currency differs from what the merchant's
   server decided for the attempt is recorded as a ``MISMATCH`` and never pays the order;
2. moves the attempt's status forward, never back;
3. decides, atomically and across processes, which attempt paid the order: the first to
   be reported paid; any other attempt reported paid later is a ``DUPLICATE``;
4. keeps the stored card or recurring agreement a successful payment carries (token,
   agreement, brand, last four digits; nothing more);
5. and says what the report was (:class:`Verdict`), so the caller knows whether the
   merchant's handlers should hear of it: only an ``APPLIED`` report changes the order.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any, Optional

from . import wire
from .store import AttemptRecord, Store, TokenRecord
from .store.base import FLAG_DUPLICATE, FLAG_MISMATCH

log = logging.getLogger("paykka_embed.outcomes")

#: Statuses of a transaction that took (or holds) the shopper's money at some point: the first
#: attempt reported in one of these pays its order.
PAID_STATUSES = frozenset({"SUCCESS", "AUTHORIZED", "PARTIALLY_REFUNDED", "REFUNDED", "PARTIALLY_REVERSED",
                           "CANCELED"})
#: Statuses after which a stored card may be kept.
TOKEN_STATUSES = frozenset({"SUCCESS", "AUTHORIZED"})


class Verdict(str, enum.Enum):
    """What a report means for the order."""

    #: It moved the order (paid it, or recorded a failure or progress while it is unpaid).
    APPLIED = "applied"
    #: It cannot change the order: an older status than the one recorded (a late or reordered
    #: webhook), or a failure of one attempt after another attempt paid the order.
    STALE = "stale"
    #: A second attempt paid an order another attempt had already paid: the shopper paid twice.
    DUPLICATE = "duplicate"
    #: PayKKa reports another amount or currency than the attempt's: never counts as paid.
    MISMATCH = "mismatch"
    #: No attempt of this merchant has that ``trans_id`` (another system's, or a lost store).
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Reported:
    """A transaction as PayKKa reported it, from Query Transaction or from a notification."""

    trans_id: str
    status: str
    amount: int
    currency: str
    order_id: Optional[str] = None
    token: Optional[str] = None
    recurring_agreement_id: Optional[str] = None
    shopper_reference: Optional[str] = None
    token_usage: Optional[str] = None
    brand: Optional[str] = None
    last4: Optional[str] = None

    @classmethod
    def of(cls, tx: wire.TransactionData | wire.NotifyEvent) -> "Reported":
        card = tx.card_info
        extra: dict[str, Any] = tx.model_extra or {}
        usage = extra.get("token_usage")
        return cls(trans_id=tx.trans_id, status=tx.status, amount=int(tx.amount), currency=tx.currency,
                   order_id=tx.order_id, token=tx.token, recurring_agreement_id=tx.recurring_agreement_id,
                   shopper_reference=tx.shopper_reference, token_usage=str(usage) if usage else None,
                   brand=card.card_brand if card else None, last4=card.last4 if card else None)


@dataclass(frozen=True)
class Outcome:
    """What :func:`record_outcome` decided. ``first`` is False when the same verdict was already
    recorded for this attempt (a second query, a redelivered webhook): alarms go off once."""

    verdict: Verdict
    attempt: Optional[AttemptRecord]
    paid_by: Optional[str] = None
    first: bool = True


def record_outcome(store: Store, reported: Reported, source: str) -> Outcome:
    """Reconcile ``reported`` with its attempt and record it; see the module docstring.

    ``source`` is ``query`` or ``webhook``. Runs in one store transaction (joining the caller's).
    """
    with store.transaction():
        attempt = store.attempt(reported.trans_id)
        if attempt is None:
            return Outcome(Verdict.UNKNOWN, None)
        order_ref = attempt.order_ref
        if (reported.amount, reported.currency) != (attempt.amount, attempt.currency) or attempt.flag == FLAG_MISMATCH:
            store.update_status(reported.trans_id, reported.status, order_id=reported.order_id, source=source)
            first = store.flag_attempt(reported.trans_id, FLAG_MISMATCH, reported_amount=reported.amount,
                                       reported_currency=reported.currency)
            if first:
                log.error("PayKKa reports %s %s for %s, but the attempt is for %s %s: recorded as a mismatch, "
                          "the order is not paid", reported.amount, reported.currency, reported.trans_id,
                          attempt.amount, attempt.currency)
            return Outcome(Verdict.MISMATCH, store.attempt(reported.trans_id), store.paid_trans_id(order_ref), first)
        updated = store.update_status(reported.trans_id, reported.status, order_id=reported.order_id, source=source)
        assert updated is not None
        paid_by = store.paid_trans_id(order_ref)
        if reported.status in PAID_STATUSES:
            paid_by = paid_by or store.claim_paid(order_ref, reported.trans_id)
            if paid_by != reported.trans_id:
                first = store.flag_attempt(reported.trans_id, FLAG_DUPLICATE)
                if first:
                    log.error("%s was paid (%s) although %s had already paid order %s: a duplicate payment",
                              reported.trans_id, reported.status, paid_by, order_ref)
                _keep_token(store, updated, reported)
                return Outcome(Verdict.DUPLICATE, store.attempt(reported.trans_id), paid_by, first)
            _keep_token(store, updated, reported)
        stale = updated.status != reported.status or (paid_by is not None and paid_by != reported.trans_id)
        return Outcome(Verdict.STALE if stale else Verdict.APPLIED, updated, paid_by)


def _keep_token(store: Store, attempt: AttemptRecord, reported: Reported) -> None:
    """Keep the token and agreement of a successful payment for later charges (brand and last four only)."""
    if not reported.token or reported.status not in TOKEN_STATUSES:
        return
    shopper = reported.shopper_reference or attempt.shopper_reference
    if not shopper:
        log.warning("%s carries a token but no shopper_reference; not stored", reported.trans_id)
        return
    last4 = reported.last4 if reported.last4 and len(reported.last4) == 4 and reported.last4.isdigit() else None
    store.save_token(TokenRecord(
        token=reported.token, shopper_reference=shopper, token_usage=reported.token_usage or attempt.token_usage,
        recurring_agreement_id=reported.recurring_agreement_id, brand=reported.brand, last4=last4,
        trans_id=attempt.trans_id,
    ))
