"""Money integrity on the merchant's side: an order is paid at most once.

PayKKa gives every attempt its own ``trans_id`` and session, and a session, once in a
browser, stays payable until it expires: a stale second tab, the Back button or a
"Try again" can each reach a new attempt while an older one is paid or still open. So
before any new attempt (a session for the browser, a hosted link, a merchant-initiated
charge) :meth:`Integrity.ensure_payable` asks PayKKa about every attempt of the order that
could still take money, records what it says, and refuses:

- :class:`~paykka_embed.errors.OrderPaidError` when one of them paid the order;
- :class:`~paykka_embed.errors.PaymentInProgressError` when one of them is still open at
  PayKKa (a 3DS challenge or a wallet waiting), or paid another amount than decided.

An attempt whose session expired unpaid is *settled* and not asked about again. What the
check cannot prevent — two tabs that each got a session before either paid, both paid —
is caught when the second payment is reported (:data:`~paykka_embed.outcomes.Verdict.DUPLICATE`)
and, unless ``PAYKKA_DUPLICATE_PAYMENTS`` is ``record``, reversed at once: voided if only
authorised, refunded in full otherwise, under a ``refund_trans_id`` derived from the
attempt's, so a repeated reversal cannot refund twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Optional

from .. import money, wire
from ..errors import APIError, OrderPaidError, PayKKaError, PaymentInProgressError
from ..outcomes import Outcome, Reported, Verdict, record_outcome
from ..store import AttemptRecord
from ..store.base import AGREEMENT_CANCELED, FLAG_DUPLICATE, FLAG_MISMATCH
from .signals import duplicate_payment, payment_mismatch

if TYPE_CHECKING:
    from .state import PayKKaState

log = logging.getLogger("paykka_embed.integrity")

NO_TRANSACTION_YET = "206024"
#: How long after its session's expiry an unpaid attempt is still asked about: a 3DS challenge
#: or a wallet approval begun just before the expiry may still finish.
SETTLE_GRACE = timedelta(minutes=10)
#: Without a recorded expiry (an attempt stored by an older version), PayKKa's longest session.
DEFAULT_VALIDITY = timedelta(hours=24)



def _now() -> datetime:
    return datetime.now(timezone.utc)


def valid_until(attempt: AttemptRecord) -> datetime:
    """When the attempt's session expires (recorded), or, for an attempt stored without it, a day after it began."""
    if attempt.valid_until:
        return datetime.fromisoformat(attempt.valid_until)
    created = datetime.fromisoformat(attempt.created_at) if attempt.created_at else _now()
    return created + DEFAULT_VALIDITY


def reversal_trans_id(attempt: AttemptRecord) -> str:
    """The ``refund_trans_id`` of a duplicate's reversal: the same every time, so PayKKa refunds once."""
    return f"{attempt.trans_id}-DUP"


class Integrity:
    """The checks and remedies above, for one app's state (its store, client and config)."""

    def __init__(self, state: "PayKKaState") -> None:
        self.state = state

    # --- learning what PayKKa knows -------------------------------------------------------

    def settle(self, attempt: AttemptRecord, *, source: str = "query") -> tuple[Outcome, Optional[wire.TransactionData]]:
        """Query the attempt's transaction, record what it means, and act on a mismatch or a duplicate.

        Returns the outcome and the transaction (None when the shopper has not paid yet)."""
        state = self.state
        try:
            tx = state.client.query_transaction(trans_id=attempt.trans_id)
        except APIError as exc:
            if exc.ret_code != NO_TRANSACTION_YET:
                raise
            tx = None
        if tx is None:
            outcome = Outcome(Verdict.APPLIED, attempt, state.store.paid_trans_id(attempt.order_ref))
        else:
            outcome = record_outcome(state.store, Reported.of(tx), source)
            self.alarm(outcome, source)
        current = outcome.attempt or attempt
        if (tx is None or tx.status == "FAILURE") and _now() > valid_until(current) + SETTLE_GRACE:
            state.store.settle_attempt(attempt.trans_id)
        return outcome, tx

    def alarm(self, outcome: Outcome, source: str) -> None:
        """Signals for a mismatch; the reversal of a duplicate. Each happens once per attempt."""
        if outcome.verdict is Verdict.MISMATCH and outcome.first:
            payment_mismatch.send(self.state.app, attempt=outcome.attempt, source=source)
        elif outcome.verdict is Verdict.DUPLICATE:
            attempt = outcome.attempt
            if attempt is not None and (outcome.first or not attempt.note):
                self.handle_duplicate(outcome)

    # --- before a new attempt --------------------------------------------------------------

    def ensure_payable(self, order_ref: str) -> None:
        """Raise unless a new attempt for ``order_ref`` is safe (see the module docstring)."""
        store = self.state.store
        if store.paid_trans_id(order_ref):
            raise self.paid(order_ref)
        in_progress: Optional[str] = None
        ends_at: Optional[datetime] = None
        for attempt in store.attempts(order_ref):
            if attempt.settled_at or attempt.flag == FLAG_DUPLICATE:
                continue
            outcome, tx = self.settle(attempt)
            if store.paid_trans_id(order_ref):
                raise self.paid(order_ref)
            if outcome.verdict is Verdict.MISMATCH or (outcome.attempt and outcome.attempt.flag == FLAG_MISMATCH):
                in_progress = in_progress or "a payment for this order needs review: PayKKa reported another amount"
            elif tx is not None and tx.status == "PROCESSING":
                in_progress = in_progress or f"order: {order_ref} has a payment in progress ({attempt.trans_id})"
                ends_at = max(ends_at or valid_until(attempt), valid_until(attempt))
        if in_progress:
            error = PaymentInProgressError(order_ref, in_progress, order_url=self.state.order_url(order_ref))
            error.ends_at = ends_at
            raise error

    def paid(self, order_ref: str) -> OrderPaidError:
        """The error for a paid order, with the URL where the shopper sees it."""
        return OrderPaidError(order_ref, f"order: {order_ref} is already paid",
                              order_url=self.state.order_url(order_ref))

    # --- duplicates ----------------------------------------------------------------------

    def handle_duplicate(self, outcome: Outcome) -> None:
        """Reverse a duplicate payment (unless configured to only record it), then signal it.

        Raises when the reversal could not be made, so a webhook is delivered again and the
        reversal tried again; it is keyed so that trying again cannot refund twice."""
        attempt = outcome.attempt
        assert attempt is not None
        state = self.state
        reversal: Optional[str] = None
        if state.app.config["PAYKKA_DUPLICATE_PAYMENTS"] == "reverse":
            reversal = self._reverse(attempt)
            state.store.flag_attempt(attempt.trans_id, FLAG_DUPLICATE, note=reversal)
            log.error("duplicate payment %s of order %s (paid by %s): %s", attempt.trans_id, attempt.order_ref,
                      outcome.paid_by, reversal)
        elif outcome.first:
            state.store.flag_attempt(attempt.trans_id, FLAG_DUPLICATE, note="recorded; not reversed")
        if outcome.first or reversal:
            duplicate_payment.send(state.app, attempt=state.store.attempt(attempt.trans_id), paid_by=outcome.paid_by,
                                   reversal=reversal)

    def _reverse(self, attempt: AttemptRecord) -> str:
        client = self.state.client
        tx = client.query_transaction(trans_id=attempt.trans_id)
        money_back = self._pay_back(tx, attempt)
        return money_back + self._end_agreement(tx, attempt)

    def _end_agreement(self, tx: wire.TransactionData, attempt: AttemptRecord) -> str:
        """A duplicate first payment of a membership also set up a second agreement: cancel it, so the
        shopper holds one membership and nothing can be charged to the other."""
        agreement = tx.recurring_agreement_id
        if not agreement:
            return ""
        store = self.state.store
        paid_by = store.paid_trans_id(attempt.order_ref)
        kept = store.agreement_of(paid_by) if paid_by else None
        if kept is not None and kept.recurring_agreement_id == agreement:
            return ""
        self.state.client.cancel_recurring(recurring_agreement_id=agreement,
                                           **({"shopper_reference": tx.shopper_reference}
                                              if tx.shopper_reference else {}))
        store.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id=agreement)
        return f"; its recurring agreement {agreement} cancelled"

    def _pay_back(self, tx: wire.TransactionData, attempt: AttemptRecord) -> str:
        client = self.state.client
        balances = tx.balances
        if tx.status == "AUTHORIZED":
            voided = client.void(order_id=tx.order_id, reason="DUPLICATE")
            return f"voided ({voided.status})"
        if tx.status in ("CANCELED", "REFUNDED"):
            return f"already {tx.status.lower()}"
        left = balances.able_to_refund_amount if balances else tx.amount
        if left <= 0:
            return "nothing left to refund"
        refund = client.refund(refund_trans_id=reversal_trans_id(attempt), ori_order_id=tx.order_id, amount=left,
                               currency=tx.currency, reason="DUPLICATE")
        return f"refund {refund.refund_order_id} of {_shown(left, tx.currency)}: {refund.status}"


def _shown(minor: Optional[int], currency: Optional[str]) -> str:
    try:
        return money.format_minor(int(minor or 0), str(currency))
    except PayKKaError:  # a currency PayKKa made up: show what it said
        return f"{minor} {currency}"


def describe(attempt: AttemptRecord) -> Optional[str]:
    """A line for a back office: why this attempt does not count, or None when it counts."""
    if attempt.flag == FLAG_MISMATCH:
        return (f"Amount mismatch: PayKKa reported {_shown(attempt.reported_amount, attempt.reported_currency)}, "
                f"the order is for {_shown(attempt.amount, attempt.currency)}; not counted as paid")
    if attempt.flag == FLAG_DUPLICATE:
        return f"Duplicate payment: {attempt.note or 'recorded'}"
    return None


