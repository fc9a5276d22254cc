"""The notifications the emulator sends: PAYMENT.*, REFUND.* and DISPUTE events, built from
the records as they are now and handed to the webhook sender.

Fields are those of PayKKa's notification (notes §5, HOOK); :mod:`webhooks` signs and
delivers them. The services call :meth:`Notices.payment`, :meth:`Notices.refund` and
:meth:`Notices.dispute` inside their lock, after the record has changed, so an event
always describes the state that caused it.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .. import wire
from .ledger import Ledger
from .records import Dispute, Merchant, Refund, Transaction

#: Called with (merchant, notify_url or None, event) for every notification to send.
Notifier = Callable[[Merchant, Optional[str], dict[str, Any]], None]


def _drop(merchant: Merchant, url: Optional[str], event: dict[str, Any]) -> None:
    """The notifier until one is given: nothing is sent."""


class Notices:
    """Builds each notification from the ledger's records and passes it to ``send``.

    ``send`` (a :data:`Notifier`) chooses the URL (the record's ``notify_url``, else the
    merchant's) and queues the delivery; the emulator's context gives the webhook sender's.
    """

    def __init__(self, ledger: Ledger, send: Optional[Notifier] = None) -> None:
        self.ledger = ledger
        self.send: Notifier = send or _drop

    # --- building ------------------------------------------------------------------------

    def payment_event(self, notify_type: wire.NotifyType, tx: Transaction) -> dict[str, Any]:
        """A PAYMENT.* notification of ``tx`` as JSON (the 3DS URL is left out)."""
        session = self.ledger.session(tx.session_id) if tx.session_id else None
        auth = {k: v for k, v in (tx.authentication or {}).items() if k != "authentication_url"}
        event = wire.NotifyEvent(
            notify_type=notify_type,
            merchant_id=tx.merchant_id,
            trans_id=tx.trans_id,
            order_id=tx.order_id,
            status=tx.status,
            amount=tx.amount,
            currency=tx.currency,
            error_code=tx.error_code,
            error_description=tx.error_description,
            pay_finish_time=tx.pay_finish_time,
            token=tx.token,
            recurring_agreement_id=tx.recurring_agreement_id,
            shopper_reference=tx.shopper_reference,
            authentication_result=wire.AuthenticationResult(**auth) if auth else None,
            session_id=tx.session_id,
            expire_time=session.expire_time if session else None,
            payment=wire.PaymentInfo(payment_method=tx.payment_method),
            card_info=wire.CardInfo(**tx.card_info) if tx.card_info else None,
        )
        return event.to_wire()

    def refund_event(self, refund: Refund) -> dict[str, Any]:
        """A REFUND.* notification: ``trans_id`` is the merchant's ``refund_trans_id``."""
        tx = self.ledger.transactions[refund.ori_order_id]
        event = wire.NotifyEvent(
            notify_type="REFUND.SUCCESS" if refund.status == "SUCCESS" else "REFUND.FAILURE",
            merchant_id=refund.merchant_id,
            trans_id=refund.refund_trans_id,
            order_id=refund.ori_order_id,
            ori_order_id=refund.ori_order_id,
            refund_order_id=refund.refund_order_id,
            status=refund.status,
            amount=refund.amount,
            currency=refund.currency,
            error_code=refund.error_code,
            error_description=refund.error_description,
            pay_finish_time=refund.finish_time,
            shopper_reference=tx.shopper_reference,
            session_id=tx.session_id,
            payment=wire.PaymentInfo(payment_method=tx.payment_method),
            card_info=wire.CardInfo(**tx.card_info) if tx.card_info else None,
        )
        return event.to_wire()

    def dispute_event(self, dispute: Dispute) -> dict[str, Any]:
        """The DISPUTE notification of the dispute's current stage (``event_type: DISPUTE``)."""
        tx = self.ledger.transactions[dispute.order_id]
        card = tx.card_info or {}
        event = wire.DisputeNotification(
            merchant_id=dispute.merchant_id,
            merchant_name=self.ledger.merchant(dispute.merchant_id).name,
            trans_id=tx.trans_id,
            order_id=tx.order_id,
            dispute_id=dispute.dispute_id,
            arn=dispute.arn,
            card_bin=card.get("bin"),
            card_last4=card.get("last4"),
            payment_method=tx.payment_method,
            pay_finish_time=tx.pay_finish_time,
            dispute_stage=dispute.stage,
            reason_code=dispute.reason_code,
            reason_code_description=dispute.reason_code_description,
            dispute_amount=dispute.amount,
            dispute_currency=dispute.currency,
            order_amount=tx.amount,
            order_currency=tx.currency,
            posting_date=dispute.stage_at.date().isoformat(),
            dispute_time=dispute.opened_at,
            due_time=dispute.due_time,
        )
        return event.to_wire()

    # --- sending -------------------------------------------------------------------------

    def emit(self, merchant_id: str, url: Optional[str], event: dict[str, Any]) -> None:
        """Hand ``event`` to the sender for ``merchant_id`` (``url`` None: the merchant's own)."""
        self.send(self.ledger.merchant(merchant_id), url, event)

    def payment(self, notify_type: wire.NotifyType, tx: Transaction) -> None:
        """Send the PAYMENT.* notification of ``tx`` to its ``notify_url``."""
        self.emit(tx.merchant_id, tx.notify_url, self.payment_event(notify_type, tx))

    def refund(self, refund: Refund) -> None:
        """Send the REFUND.* notification of ``refund`` to its ``notify_url``."""
        self.emit(refund.merchant_id, refund.notify_url, self.refund_event(refund))

    def dispute(self, dispute: Dispute) -> None:
        """Send the DISPUTE notification of ``dispute`` to its order's ``notify_url``."""
        tx = self.ledger.transactions[dispute.order_id]
        self.emit(dispute.merchant_id, tx.notify_url, self.dispute_event(dispute))
