"""Merchant-initiated charges run once per idempotency key, across threads and processes.

A charge the merchant starts without the shopper (a recurring period) must not run twice
because a button was clicked twice, a cron job ran again, or twenty workers woke at once.
:class:`ChargeLedger` gives each ``(scope, key)`` one owner at a time through the store
(``begin_charge``: a unique row, and a lease that a crashed owner's successor can take over):

- the owner records the attempt's ``trans_id`` *before* sending, then sends, then records
  the outcome (the transaction, or the decline, or the refusal) as JSON;
- everyone else waits for that outcome and gets it replayed: the same transaction, the same
  :class:`~paykka_embed.errors.DeclinedError`;
- an owner that could not learn the outcome (a timeout, a 5xx) releases the charge unfinished;
  the next call with the key finds its ``trans_id``, asks PayKKa about it, and sends it again
  under the same ``trans_id`` only if PayKKa never received it.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from .. import wire
from ..errors import APIError, DeclinedError, OrderPaidError, PayKKaError, PaymentInProgressError, ValidationError
from ..store import Store
from ..store.base import CHARGE_DONE, ChargeRecord

#: Seconds between looks at a charge another caller is sending.
POLL_SECONDS = 0.05


def _declined_or(tx: wire.TransactionData) -> wire.TransactionData:
    """``tx``, or the :class:`DeclinedError` a declined charge raises."""
    if tx.status == "FAILURE":
        raise DeclinedError(tx.error_code or "9999", tx.error_description or "declined", data=tx)
    return tx


def _encode(result: wire.TransactionData | PayKKaError) -> str:
    if isinstance(result, wire.TransactionData):
        return json.dumps({"kind": "transaction", "data": result.model_dump(mode="json", exclude_none=True)})
    if isinstance(result, DeclinedError):
        data = result.data.model_dump(mode="json", exclude_none=True) \
            if isinstance(result.data, wire.TransactionData) else None
        return json.dumps({"kind": "declined", "error_code": result.error_code,
                           "error_description": result.error_description, "data": data})
    if isinstance(result, APIError):
        return json.dumps({"kind": "api_error", "ret_code": result.ret_code, "ret_msg": result.ret_msg,
                           "http_status": result.http_status})
    if isinstance(result, OrderPaidError):
        return json.dumps({"kind": "order_paid", "order": result.order_ref, "message": result.message,
                           "order_url": result.order_url})
    raise TypeError(f"not a replayable outcome: {type(result).__name__}")


def _replay(text: str) -> wire.TransactionData:
    """Return the recorded transaction, or raise the recorded error, as the first call did."""
    saved: dict[str, Any] = json.loads(text)
    kind = saved["kind"]
    if kind == "transaction":
        return wire.TransactionData.model_validate(saved["data"])
    if kind == "declined":
        data = wire.TransactionData.model_validate(saved["data"]) if saved.get("data") else None
        raise DeclinedError(saved["error_code"], saved["error_description"], data=data)
    if kind == "api_error":
        raise APIError(saved["ret_code"], saved["ret_msg"], http_status=saved.get("http_status"))
    if kind == "order_paid":
        raise OrderPaidError(saved["order"], saved["message"], order_url=saved.get("order_url"))
    raise ValueError(f"unknown recorded charge outcome {kind!r}")


def _outcome_unknown(exc: PayKKaError) -> bool:
    """Whether PayKKa may or may not have acted (so the charge must be asked about, not replayed)."""
    if isinstance(exc, APIError):
        return exc.http_status is None or exc.http_status >= 500 or exc.ret_code == "999999"
    return not isinstance(exc, (DeclinedError, OrderPaidError))


class ChargeLedger:
    """One idempotency key's charge (see the module docstring)."""

    def __init__(self, store: Store, scope: str, key: str, *, lease_seconds: float) -> None:
        self.store = store
        self.scope = scope
        self.key = key
        self.lease_seconds = lease_seconds

    def record(self) -> ChargeRecord:
        found = self.store.charge(self.scope, self.key)
        assert found is not None
        return found

    def begin(self, trans_id: str) -> None:
        """Note the charge's ``trans_id`` before it is sent."""
        self.store.set_charge_trans_id(self.scope, self.key, trans_id)

    def run(self, order_ref: str, fingerprint: str, send: Callable[[], wire.TransactionData]) -> wire.TransactionData:
        """Send the charge if this call owns the key; otherwise wait for its outcome and replay it."""
        deadline = time.monotonic() + self.lease_seconds + 5
        while True:
            found, owner = self.store.begin_charge(self.scope, self.key, order_ref, fingerprint, self.lease_seconds)
            if found.request_hash != fingerprint:
                raise ValidationError("idempotency_key", f"{self.key!r} was first used for another charge (order "
                                      f"{found.order_ref}); use a new key for a different charge")
            if found.state == CHARGE_DONE:
                assert found.result is not None
                return _replay(found.result)
            if owner:
                break
            if time.monotonic() > deadline:
                raise PaymentInProgressError(order_ref, f"idempotency_key: the charge {self.key!r} is still being "
                                                        "sent by another worker; try again shortly")
            time.sleep(POLL_SECONDS)
        try:
            tx = send()
        except PayKKaError as exc:
            if _outcome_unknown(exc):
                self.store.release_charge(self.scope, self.key)
            else:
                self.store.finish_charge(self.scope, self.key, _encode(exc))
            raise
        except BaseException:
            self.store.release_charge(self.scope, self.key)
            raise
        self.store.finish_charge(self.scope, self.key, _encode(tx))
        return _declined_or(tx)
