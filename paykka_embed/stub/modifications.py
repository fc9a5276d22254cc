"""After the payment: capture, void and refund, each moving an order's balances.

The rules (the state machine of docs/emulator.md):

- capture: only an ``AUTHORIZED`` order, once, for at most ``able_to_capture_amount``.
  The full amount makes it ``SUCCESS``; less makes it ``PARTIALLY_REVERSED`` (the rest
  of the authorisation is released and counted in ``voided_amount``). PAYMENT.SUCCESS.
- void: only an ``AUTHORIZED`` order (nothing captured yet) → ``CANCELED``,
  PAYMENT.CANCELED. A captured order is refunded, not voided.
- refund: a ``SUCCESS``, ``PARTIALLY_REVERSED`` or ``PARTIALLY_REFUNDED`` order, for at
  most ``able_to_refund_amount``; ``PARTIALLY_REFUNDED`` until everything captured is
  refunded, then ``REFUNDED``. REFUND.SUCCESS (or REFUND.FAILURE for the card whose
  refunds fail, which leaves the balances as they were). For the card whose refunds are
  reviewed, the refund answers ``REVIEWING`` and sends nothing yet; its amount stops being
  refundable at once (``able_to_refund_amount``) but counts as refunded only when the
  review ends, :data:`REVIEW_SECONDS` later on the emulator's clock: then it is ``SUCCESS``, the
  order's status moves, and REFUND.SUCCESS is sent.

Each is idempotent where PayKKa keys it: a void of a CANCELED order, a capture with
the same ``capture_trans_id`` and a refund with the same ``refund_trans_id`` (and the
same amount) answer the first result again and change nothing.

PayKKa's sources: Capture and Void (OAPI, VOID), Refund and Refund Query (notes §2.3, the
WooCommerce plugin's request handler), the REVIEWING refund status (OAPI's refund
statuses). The ``2990xx`` codes of refusals PayKKa has not published are the emulator's.
"""

from __future__ import annotations

from typing import Any

from .. import wire
from .cards import REFUND_DECLINED
from .errors import NO_REFUND, OVER_BALANCE, StubError, amounts, illegal, param_error
from .ledger import Ledger
from .notices import Notices
from .records import Merchant, Refund, Transaction
from .transactions import Transactions

REFUNDABLE: tuple[wire.TransactionStatus, ...] = ("SUCCESS", "PARTIALLY_REVERSED", "PARTIALLY_REFUNDED")
#: How long (emulator clock, seconds) a refund of the reviewing test card stays REVIEWING.
REVIEW_SECONDS = 3600


#: Each operation's past participle, spelt out ("refund" + "d" once gave "refundd").
_DONE = {"capture": "captured", "void": "voided", "refund": "refunded"}


def _why_not(tx: Transaction, action: str) -> str:
    hints = {
        "PROCESSING": "the shopper has not finished paying",
        "FAILURE": "the payment failed, there is nothing to " + action,
        "CANCELED": "the order was voided",
        "AUTHORIZED": "it is only authorised: capture it first, or void it",
        "SUCCESS": "it is already captured: refund it instead",
        "REFUNDED": "it is fully refunded",
        "PARTIALLY_REFUNDED": "it is already captured: refund it instead",
        "PARTIALLY_REVERSED": "it is already captured: refund it instead",
    }
    why = hints.get(tx.status)
    return f"order_id: {tx.order_id} is {tx.status} and cannot be {_DONE[action]}" + (f" ({why})" if why else "")


class Modifications:
    """Capture, void and refund of orders, refunds under review, and Refund Query.

    Receives the ledger, the transactions (to find a merchant's order) and the notices.
    Registers :meth:`settle_reviews` as due work on the ledger.
    """

    def __init__(self, ledger: Ledger, transactions: Transactions, notices: Notices) -> None:
        self.ledger = ledger
        self.transactions = transactions
        self.notices = notices
        ledger.on_tick(self.settle_reviews)

    def capture(self, merchant: Merchant, req: wire.CaptureRequest) -> Transaction:
        """Capture an AUTHORIZED order, all of it or ``req.amount`` (minor units).

        Raises :class:`StubError` 404 ``206024`` (no such order), 409 ``299001`` (not
        AUTHORIZED), 409 ``299002`` (more than is left), ``010000`` (another currency).
        """
        ledger = self.ledger
        with ledger.lock:
            tx = self.transactions.order(merchant.merchant_id, req.order_id)
            if req.capture_trans_id and tx.capture_trans_id == req.capture_trans_id:
                return tx
            if tx.status != "AUTHORIZED":
                raise illegal(_why_not(tx, "capture"))
            left = tx.balances()["able_to_capture_amount"]
            amount = left if req.amount is None else req.amount
            if req.currency is not None and req.currency != tx.currency:
                raise param_error(f"currency: must be {tx.currency}, the order's currency")
            if amount > left:
                raise StubError(409, OVER_BALANCE, f"amount: {amounts(amount, tx.currency)} is more than the "
                                f"{amounts(left, tx.currency)} left to capture")
            tx.captured_amount += amount
            if tx.captured_amount < tx.authed_amount:
                tx.voided_amount = tx.authed_amount - tx.captured_amount
                tx.status = "PARTIALLY_REVERSED"
            else:
                tx.status = "SUCCESS"
            tx.capture_trans_id = req.capture_trans_id or f"capture-{tx.order_id}"
            ledger.save(tx)
            self.notices.payment("PAYMENT.SUCCESS", tx)
            return tx

    def void(self, merchant: Merchant, req: wire.VoidRequest) -> Transaction:
        """Void an AUTHORIZED order (CANCELED, PAYMENT.CANCELED); a CANCELED one answers as it is.

        Raises :class:`StubError` 404 ``206024``, 409 ``299001`` (any other status).
        """
        ledger = self.ledger
        with ledger.lock:
            tx = self.transactions.order(merchant.merchant_id, req.order_id)
            if tx.status == "CANCELED":
                return tx
            if tx.status != "AUTHORIZED":
                raise illegal(_why_not(tx, "void"))
            tx.voided_amount = tx.authed_amount - tx.captured_amount
            tx.status = "CANCELED"
            ledger.save(tx)
            self.notices.payment("PAYMENT.CANCELED", tx)
            return tx

    def refund(self, merchant: Merchant, req: wire.RefundRequest) -> Refund:
        """Refund ``req.refund_amount`` (minor units) of a captured order.

        The same ``refund_trans_id`` with the same order, amount and currency answers the
        first refund. Raises :class:`StubError` ``010000`` (the ``refund_trans_id`` used for
        another refund, another currency), 404 ``206024``, 409 ``299001`` (not refundable),
        409 ``299002`` (more than is left to refund).
        """
        ledger = self.ledger
        with ledger.lock:
            known = ledger.refunds_by_trans.get((merchant.merchant_id, req.refund_trans_id))
            if known is not None:
                refund = ledger.refunds[known]
                if (refund.ori_order_id, refund.amount, refund.currency) != (
                        req.ori_order_id, req.refund_amount, req.currency):
                    raise param_error(
                        f"refund_trans_id: already used for a refund of refund_amount {amounts(refund.amount, refund.currency)}"
                        f" on {refund.ori_order_id}; a different refund needs a new refund_trans_id")
                return refund
            tx = self.transactions.order(merchant.merchant_id, req.ori_order_id)
            if req.currency != tx.currency:
                raise param_error(f"currency: must be {tx.currency}, the order's currency")
            if tx.status not in REFUNDABLE:
                raise illegal(_why_not(tx, "refund"))
            left = tx.balances()["able_to_refund_amount"]
            if req.refund_amount > left:
                raise StubError(409, OVER_BALANCE, f"refund_amount: {amounts(req.refund_amount, tx.currency)} is "
                                f"more than the {amounts(left, tx.currency)} left to refund")
            now = ledger.clock.now()
            refund = Refund(refund_order_id=ledger.new_id("RG", ledger.refunds), refund_trans_id=req.refund_trans_id,
                            merchant_id=merchant.merchant_id, ori_order_id=tx.order_id, amount=req.refund_amount,
                            currency=req.currency, reason=req.reason, status="SUCCESS", created_at=now,
                            finish_time=now, notify_url=req.notify_url or tx.notify_url)
            if tx.refund_fails:
                refund.status = "FAILURE"
                refund.error_code, refund.error_description = REFUND_DECLINED
            elif tx.refund_review:
                refund.status = "REVIEWING"
                refund.error_code = refund.error_description = ""
                refund.finish_time = None
                refund.review_until = ledger.clock.after(REVIEW_SECONDS)
                tx.reviewing_amount += refund.amount
                ledger.reviewing_refunds.add(refund.refund_order_id)
                ledger.save(tx)
            else:
                self._refunded(tx, refund.amount)
            ledger.refunds[refund.refund_order_id] = refund
            ledger.refunds_by_trans[(merchant.merchant_id, refund.refund_trans_id)] = refund.refund_order_id
            ledger.save(refund)
            if refund.status != "REVIEWING":  # PayKKa notifies a refund's end, not its review
                self.notices.refund(refund)
            return refund

    def _refunded(self, tx: Transaction, amount: int) -> None:
        tx.refunded_amount += amount
        tx.status = "REFUNDED" if tx.refunded_amount == tx.captured_amount else "PARTIALLY_REFUNDED"
        self.ledger.save(tx)

    def settle_reviews(self) -> None:
        """Refunds whose review is over succeed: balances move, REFUND.SUCCESS is sent."""
        ledger = self.ledger
        with ledger.lock:
            if not ledger.reviewing_refunds:
                return
            now = ledger.clock.now()
            for refund_order_id in sorted(ledger.reviewing_refunds):
                refund = ledger.refunds.get(refund_order_id)
                if refund is None or refund.status != "REVIEWING":
                    ledger.reviewing_refunds.discard(refund_order_id)
                    continue
                if refund.review_until is not None and now < refund.review_until:
                    continue
                tx = ledger.transactions[refund.ori_order_id]
                tx.reviewing_amount = max(tx.reviewing_amount - refund.amount, 0)
                self._refunded(tx, refund.amount)
                refund.status = "SUCCESS"
                refund.error_code, refund.error_description = "0000", "request success"
                refund.finish_time = now
                ledger.reviewing_refunds.discard(refund_order_id)
                ledger.save(refund)
                self.notices.refund(refund)

    def find_refund(self, merchant: Merchant, req: wire.RefundQueryRequest) -> Refund:
        """Refund Query's lookup, by ``refund_order_id`` or ``refund_trans_id``.

        Raises :class:`StubError` 404 ``299005`` naming the key looked up.
        """
        ledger = self.ledger
        with ledger.lock:
            if req.refund_order_id:
                refund = ledger.refunds.get(req.refund_order_id)
            else:
                found = ledger.refunds_by_trans.get((merchant.merchant_id, req.refund_trans_id or ""))
                refund = ledger.refunds.get(found) if found else None
        if refund is None or refund.merchant_id != merchant.merchant_id or (
                req.refund_trans_id and refund.refund_trans_id != req.refund_trans_id):
            named = "refund_order_id" if req.refund_order_id else "refund_trans_id"
            raise StubError(404, NO_REFUND, f"{named}: the refund doesn't exist")
        return refund

    def refunds_of(self, order_id: str) -> list[dict[str, Any]]:
        """Every refund of ``order_id`` as :class:`wire.RefundData` JSON."""
        ledger = self.ledger
        with ledger.lock:
            return [r.to_wire() for r in ledger.refunds.values() if r.ori_order_id == order_id]
