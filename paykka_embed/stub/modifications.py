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
  review ends, :data:`REVIEW_SECONDS` later on the stub clock: then it is ``SUCCESS``, the
  order's status moves, and REFUND.SUCCESS is sent.

Each is idempotent where PayKKa keys it: a void of a CANCELED order, a capture with
the same ``capture_trans_id`` and a refund with the same ``refund_trans_id`` (and the
same amount) answer the first result again and change nothing.
"""

from __future__ import annotations

from typing import Any

from .. import wire
from .cards import REFUND_DECLINED
from .errors import NO_REFUND, OVER_BALANCE, StubError, illegal, param_error
from .records import Merchant, Refund, Transaction
from .transactions import TransactionOps

REFUNDABLE = ("SUCCESS", "PARTIALLY_REVERSED", "PARTIALLY_REFUNDED")
#: How long (stub clock) a refund of the reviewing test card stays REVIEWING.
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


class ModificationOps(TransactionOps):
    def capture(self, merchant: Merchant, req: wire.CaptureRequest) -> Transaction:
        with self.lock:
            tx = self.order(merchant.merchant_id, req.order_id)
            if req.capture_trans_id and tx.capture_trans_id == req.capture_trans_id:
                return tx
            if tx.status != "AUTHORIZED":
                raise illegal(_why_not(tx, "capture"))
            left = tx.balances()["able_to_capture_amount"]
            amount = left if req.amount is None else req.amount
            if req.currency is not None and req.currency != tx.currency:
                raise param_error(f"currency: must be {tx.currency}, the order's currency")
            if amount > left:
                raise StubError(409, OVER_BALANCE, f"amount: {amount} is more than the {left} {tx.currency} "
                                "left to capture")
            tx.captured_amount += amount
            if tx.captured_amount < tx.authed_amount:
                tx.voided_amount = tx.authed_amount - tx.captured_amount
                tx.status = "PARTIALLY_REVERSED"
            else:
                tx.status = "SUCCESS"
            tx.capture_trans_id = req.capture_trans_id or f"capture-{tx.order_id}"
            self.save(tx)
            self.emit_payment("PAYMENT.SUCCESS", tx)
            return tx

    def void(self, merchant: Merchant, req: wire.VoidRequest) -> Transaction:
        with self.lock:
            tx = self.order(merchant.merchant_id, req.order_id)
            if tx.status == "CANCELED":
                return tx
            if tx.status != "AUTHORIZED":
                raise illegal(_why_not(tx, "void"))
            tx.voided_amount = tx.authed_amount - tx.captured_amount
            tx.status = "CANCELED"
            self.save(tx)
            self.emit_payment("PAYMENT.CANCELED", tx)
            return tx

    def refund(self, merchant: Merchant, req: wire.RefundRequest) -> Refund:
        with self.lock:
            known = self.refunds_by_trans.get((merchant.merchant_id, req.refund_trans_id))
            if known is not None:
                refund = self.refunds[known]
                if (refund.ori_order_id, refund.amount, refund.currency) != (
                        req.ori_order_id, req.refund_amount, req.currency):
                    raise param_error(
                        f"refund_trans_id: already used for a refund of {refund.amount} {refund.currency} "
                        f"on {refund.ori_order_id}; a different refund needs a new refund_trans_id")
                return refund
            tx = self.order(merchant.merchant_id, req.ori_order_id)
            if req.currency != tx.currency:
                raise param_error(f"currency: must be {tx.currency}, the order's currency")
            if tx.status not in REFUNDABLE:
                raise illegal(_why_not(tx, "refund"))
            left = tx.balances()["able_to_refund_amount"]
            if req.refund_amount > left:
                raise StubError(409, OVER_BALANCE, f"refund_amount: {req.refund_amount} is more than the "
                                f"{left} {tx.currency} left to refund")
            now = self.clock.now()
            refund = Refund(refund_order_id=self.new_id("RG", self.refunds), refund_trans_id=req.refund_trans_id,
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
                refund.review_until = self.clock.after(REVIEW_SECONDS)
                tx.reviewing_amount += refund.amount
                self.reviewing_refunds.add(refund.refund_order_id)
                self.save(tx)
            else:
                self._refunded(tx, refund.amount)
            self.refunds[refund.refund_order_id] = refund
            self.refunds_by_trans[(merchant.merchant_id, refund.refund_trans_id)] = refund.refund_order_id
            self.save(refund)
            if refund.status != "REVIEWING":  # PayKKa notifies a refund's end, not its review
                self.emit(refund.merchant_id, refund.notify_url, self.refund_event(refund))
            return refund

    def _refunded(self, tx: Transaction, amount: int) -> None:
        tx.refunded_amount += amount
        tx.status = "REFUNDED" if tx.refunded_amount == tx.captured_amount else "PARTIALLY_REFUNDED"
        self.save(tx)

    def tick(self) -> None:
        """Refunds whose review is over succeed: balances move, REFUND.SUCCESS is sent."""
        super().tick()
        with self.lock:
            if not self.reviewing_refunds:
                return
            now = self.clock.now()
            for refund_order_id in sorted(self.reviewing_refunds):
                refund = self.refunds.get(refund_order_id)
                if refund is None or refund.status != "REVIEWING":
                    self.reviewing_refunds.discard(refund_order_id)
                    continue
                if refund.review_until is not None and now < refund.review_until:
                    continue
                tx = self.transactions[refund.ori_order_id]
                tx.reviewing_amount = max(tx.reviewing_amount - refund.amount, 0)
                self._refunded(tx, refund.amount)
                refund.status = "SUCCESS"
                refund.error_code, refund.error_description = "0000", "request success"
                refund.finish_time = now
                self.reviewing_refunds.discard(refund_order_id)
                self.save(refund)
                self.emit(refund.merchant_id, refund.notify_url, self.refund_event(refund))

    def find_refund(self, merchant: Merchant, req: wire.RefundQueryRequest) -> Refund:
        with self.lock:
            if req.refund_order_id:
                refund = self.refunds.get(req.refund_order_id)
            else:
                found = self.refunds_by_trans.get((merchant.merchant_id, req.refund_trans_id or ""))
                refund = self.refunds.get(found) if found else None
        if refund is None or refund.merchant_id != merchant.merchant_id or (
                req.refund_trans_id and refund.refund_trans_id != req.refund_trans_id):
            named = "refund_order_id" if req.refund_order_id else "refund_trans_id"
            raise StubError(404, NO_REFUND, f"{named}: the refund doesn't exist")
        return refund

    def refunds_of(self, order_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r.to_wire() for r in self.refunds.values() if r.ori_order_id == order_id]
