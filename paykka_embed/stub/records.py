"""What the stub remembers: merchants, sessions and transactions, as plain records.

Kept apart from the rules in :mod:`gateway` so the rules read as rules, and so the
records can later be written to disk as they are.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from cryptography.hazmat.primitives.asymmetric import rsa

from .. import wire


@dataclass
class Merchant:
    merchant_id: str
    app_id: str
    public_key: rsa.RSAPublicKey
    public_key_pem: str
    client_key: str
    name: str = "Demo Merchant"
    notify_url: Optional[str] = None


@dataclass
class Session:
    session_id: str
    merchant_id: str
    request: wire.CreateSessionRequest
    created_at: datetime
    expire_time: datetime
    client_key: str
    initialised: bool = False
    order_ids: list[str] = field(default_factory=list)

    @property
    def trans_id(self) -> str:
        return self.request.trans_id


@dataclass
class Transaction:
    order_id: str
    merchant_id: str
    trans_id: str
    session_id: Optional[str]
    amount: int
    currency: str
    status: str
    payment_method: str
    created_at: datetime
    capture_method: str = "AUTOMATIC"
    authorisation_type: str = "FINAL_AUTH"
    error_code: str = "0000"
    error_description: str = "request success"
    pay_finish_time: Optional[datetime] = None
    card_info: Optional[dict[str, str]] = None
    authed_amount: int = 0
    captured_amount: int = 0
    voided_amount: int = 0
    refunded_amount: int = 0
    token: Optional[str] = None
    recurring_agreement_id: Optional[str] = None
    shopper_reference: Optional[str] = None

    def balances(self) -> dict[str, int]:
        able_to_capture = max(self.authed_amount - self.captured_amount - self.voided_amount, 0)
        return {
            "authed_amount": self.authed_amount,
            "captured_amount": self.captured_amount,
            "able_to_capture_amount": able_to_capture,
            "voided_amount": self.voided_amount,
            "able_to_void_amount": able_to_capture,
            "refunded_amount": self.refunded_amount,
            "able_to_refund_amount": max(self.captured_amount - self.refunded_amount, 0),
        }

    def to_wire(self) -> dict[str, Any]:
        data = wire.TransactionData(
            merchant_id=self.merchant_id,
            trans_id=self.trans_id,
            order_id=self.order_id,
            session_id=self.session_id,
            status=self.status,  # type: ignore[arg-type]
            error_code=self.error_code,
            error_description=self.error_description,
            amount=self.amount,
            currency=self.currency,
            authorisation_type=self.authorisation_type,  # type: ignore[arg-type]
            capture_method=self.capture_method,  # type: ignore[arg-type]
            pay_finish_time=self.pay_finish_time,
            payment=wire.PaymentInfo(payment_method=self.payment_method),
            card_info=wire.CardInfo(**self.card_info) if self.card_info else None,
            balances=wire.Balances(**self.balances()),
            token=self.token,
            recurring_agreement_id=self.recurring_agreement_id,
            shopper_reference=self.shopper_reference,
        )
        return data.to_wire()


class IdFactory:
    """PayKKa-shaped ids: a two-letter prefix and 18 digits, unique within this stub."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._seed = secrets.randbelow(10**6)

    def new(self, prefix: str, now: datetime) -> str:
        with self._lock:
            n = next(self._counter)
        return f"{prefix}{now:%y%m%d%H%M}{(self._seed + n) % 10**8:08d}"

    @staticmethod
    def client_key() -> str:
        return "ck_" + secrets.token_hex(16)

    @staticmethod
    def merchant_id() -> str:
        return str(10**13 + secrets.randbelow(9 * 10**13))
