"""Disputes (chargebacks): opened on a paid order by a test control, moved stage by stage,
each stage sent as a signed ``DISPUTE`` notification to the order's ``notify_url``.

PayKKa documents the notification (``event_type: "DISPUTE"``, ``dispute_id`` ``DG…``,
``dispute_stage``, reason code, amounts, ``due_time``) but no merchant API for disputes:
merchants answer them in PayKKa's back office. So the emulator has no v3 operation for
them; ``POST /_stub/disputes`` plays the shopper's bank, ``POST
/_stub/disputes/{id}/advance`` plays the card scheme.

Stages (:data:`paykka_embed.wire.DISPUTE_STAGES`): ``DISPUTE_CREATED`` (evidence due by
``due_time``, 7 days by default) → ``UNDER_REVIEW`` → ``DISPUTE_WON`` or ``DISPUTE_LOST``.
A dispute can also be closed straight from ``DISPUTE_CREATED`` (``outcome`` given), as when
the merchant accepts it or lets the deadline pass.

Emulator rule: a dispute does not change the order's status or balances (PayKKa's order
statuses have none for it); the amounts travel in the notifications. One open dispute per
order, for at most what was captured and not refunded.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Optional

from .. import wire
from .errors import ILLEGAL_STATE, NO_DISPUTE, OVER_BALANCE, StubError, no_order, param_error
from .ledger import Ledger
from .notices import Notices
from .records import Dispute

DEFAULT_DUE_DAYS = 7
DEFAULT_REASON = "10.4"
#: A few card-scheme reason codes and their descriptions (others are accepted with their own text).
REASONS = {
    "10.4": "Other Fraud - Card-Absent Environment",
    "13.1": "Merchandise/Services Not Received",
    "13.3": "Not as Described or Defective Merchandise/Services",
    "12.6.1": "Duplicate Processing",
    "4837": "No Cardholder Authorization",
    "4853": "Cardholder Dispute",
}
OUTCOMES = {"WON": "DISPUTE_WON", "LOST": "DISPUTE_LOST"}


class Disputes:
    """Disputes opened and moved by the test controls, each stage notified."""

    def __init__(self, ledger: Ledger, notices: Notices) -> None:
        self.ledger = ledger
        self.notices = notices

    def open(self, order_id: str, *, amount: Optional[int] = None, reason_code: Optional[str] = None,
             reason_code_description: Optional[str] = None, due_days: Optional[int] = None) -> Dispute:
        """The shopper's bank disputes ``order_id`` (``DISPUTE_CREATED`` is sent).

        ``amount``: minor units, at most what was captured and not refunded (all of it
        when None). ``due_days``: days until the evidence is due (7 when None). Raises
        :class:`StubError` 404 ``206024`` (no such order), 409 ``299001`` (not captured, or
        already disputed), 409 ``299002`` (amount out of range).
        """
        ledger = self.ledger
        with ledger.lock:
            tx = ledger.transactions.get(order_id)
            if tx is None:
                raise no_order()
            disputable = tx.captured_amount - tx.refunded_amount
            if tx.status not in ("SUCCESS", "PARTIALLY_REFUNDED", "PARTIALLY_REVERSED") or disputable <= 0:
                raise StubError(409, ILLEGAL_STATE, f"order_id: {order_id} is {tx.status}; only a captured "
                                "payment with money left can be disputed")
            if any(d.order_id == order_id and d.stage not in wire.FINAL_DISPUTE_STAGES
                   for d in ledger.disputes.values()):
                raise StubError(409, ILLEGAL_STATE, f"order_id: {order_id} already has an open dispute")
            amount = disputable if amount is None else amount
            if not 1 <= amount <= disputable:
                raise StubError(409, OVER_BALANCE, f"amount: must be from 1 to {disputable} {tx.currency} "
                                "(captured and not refunded)")
            code = reason_code or DEFAULT_REASON
            now = ledger.clock.now()
            dispute = Dispute(
                dispute_id=ledger.new_id("DG", ledger.disputes), merchant_id=tx.merchant_id, order_id=order_id,
                amount=amount, currency=tx.currency, reason_code=code,
                reason_code_description=reason_code_description or REASONS.get(code, "Dispute"),
                arn="7" + "".join(str(secrets.randbelow(10)) for _ in range(22)), stage=wire.DISPUTE_CREATED,
                opened_at=now, due_time=now + timedelta(days=due_days or DEFAULT_DUE_DAYS), stage_at=now,
                history=[{"dispute_stage": wire.DISPUTE_CREATED, "at": now}])
            ledger.disputes[dispute.dispute_id] = dispute
            ledger.save(dispute)
            self.notices.dispute(dispute)
            return dispute

    def advance(self, dispute_id: str, outcome: Optional[str] = None) -> Dispute:
        """The next stage; ``outcome`` (``WON`` or ``LOST``) closes the dispute.

        Raises :class:`StubError` 404 ``299006`` (no such dispute), 409 ``299001`` (closed),
        ``010000`` (an outcome other than WON or LOST, or none for a dispute under review).
        """
        ledger = self.ledger
        with ledger.lock:
            dispute = self.get(dispute_id)
            if dispute.stage in wire.FINAL_DISPUTE_STAGES:
                raise StubError(409, ILLEGAL_STATE, f"dispute_id: {dispute_id} is closed ({dispute.stage})")
            if outcome is not None:
                if outcome not in OUTCOMES:
                    raise param_error("outcome: must be WON or LOST")
                stage = OUTCOMES[outcome]
            elif dispute.stage == wire.DISPUTE_CREATED:
                stage = "UNDER_REVIEW"
            else:
                raise param_error(f"outcome: is required to close a dispute that is {dispute.stage} (WON or LOST)")
            now = ledger.clock.now()
            dispute.stage, dispute.stage_at = stage, now
            dispute.history.append({"dispute_stage": stage, "at": now})
            ledger.save(dispute)
            self.notices.dispute(dispute)
            return dispute

    def get(self, dispute_id: str) -> Dispute:
        """The dispute ``DG…``. Raises :class:`StubError` 404 ``299006``."""
        with self.ledger.lock:
            dispute = self.ledger.disputes.get(dispute_id)
        if dispute is None:
            raise StubError(404, NO_DISPUTE, f"dispute_id: {dispute_id} does not exist")
        return dispute

    def view(self, dispute: Dispute) -> dict[str, Any]:
        """What the test controls answer: the current notification, plus the stages so far
        (``history``: ``[{"dispute_stage", "at"}]``, oldest first)."""
        return {**self.notices.dispute_event(dispute), "history": [
            {"dispute_stage": h["dispute_stage"], "at": wire.format_datetime(h["at"])} for h in dispute.history]}

    def all(self) -> list[dict[str, Any]]:
        """Every dispute as :meth:`view` shows it, newest first."""
        with self.ledger.lock:
            found = sorted(self.ledger.disputes.values(), key=lambda d: d.opened_at, reverse=True)
            return [self.view(d) for d in found]
