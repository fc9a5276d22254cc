"""What the emulator remembers, as plain records: merchants, sessions, orders, refunds,
stored cards (tokens) and recurring agreements.

Kept apart from the rules (the ``gateway`` modules) so the rules read as rules, and
each record turns into a JSON row and back (:meth:`to_row` / :meth:`from_row`) so
:mod:`persistence` can keep it in SQLite as it is. No record holds a card number:
a card is its BIN, last four digits, brand and a keyed fingerprint.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Optional, TypeVar

from cryptography.hazmat.primitives.asymmetric import rsa

from .. import signing, wire

R = TypeVar("R", bound="Record")


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$dt"}:
            return datetime.fromisoformat(value["$dt"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


@dataclass
class Record:
    """A row kind (``KIND``) keyed by ``key``; plain fields serialise themselves."""

    KIND: ClassVar[str] = ""

    @property
    def key(self) -> str:
        """The row's key within its ``KIND`` (the record's id)."""
        raise NotImplementedError

    def to_row(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (datetimes tagged, see :func:`_encode`)."""
        return {f.name: _encode(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_row(cls: type[R], row: dict[str, Any]) -> R:
        """The record back from :meth:`to_row`'s dict; unknown keys (older rows) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: _decode(v) for k, v in row.items() if k in known})


@dataclass
class Merchant(Record):
    """A merchant: ids, its RSA public key (PEM, and loaded), client key and settings."""

    KIND: ClassVar[str] = "merchant"

    merchant_id: str
    app_id: str
    public_key_pem: str
    client_key: str
    name: str = "Demo Merchant"
    notify_url: Optional[str] = None
    #: Registered as PCI DSS compliant: may send plain ``card_no`` to Initiate Transaction.
    pci: bool = False
    public_key: Optional[rsa.RSAPublicKey] = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.public_key is None:
            self.public_key = signing.load_public_key(self.public_key_pem)

    @property
    def key(self) -> str:
        """The merchant id."""
        return self.merchant_id

    def to_row(self) -> dict[str, Any]:
        """As :meth:`Record.to_row`, without the loaded key object (the PEM is kept)."""
        row = super().to_row()
        row.pop("public_key")
        return row


@dataclass
class Session(Record):
    """A checkout session (``CS…``): the Create Session request as received, its times,
    the client key the browser must show, and its attempts (``order_ids``, oldest first).
    """

    KIND: ClassVar[str] = "session"

    session_id: str
    merchant_id: str
    request: wire.CreateSessionRequest
    created_at: datetime
    expire_time: datetime
    client_key: str
    initialised: bool = False
    order_ids: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The session id ``CS…``."""
        return self.session_id

    @property
    def trans_id(self) -> str:
        """The merchant's ``trans_id`` of the session."""
        return self.request.trans_id

    @property
    def shopper_reference(self) -> Optional[str]:
        """The session's ``payment.shopper_reference``, or None."""
        return self.request.payment.shopper_reference if self.request.payment else None

    def to_row(self) -> dict[str, Any]:
        """As :meth:`Record.to_row`, with the request as its wire JSON."""
        row = super().to_row()
        row["request"] = self.request.model_dump(mode="json", exclude_none=True)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Session":
        """As :meth:`Record.from_row`, validating the request back into its wire model."""
        row = dict(row)
        request = wire.CreateSessionRequest.model_validate(row.pop("request"))
        session = super().from_row(row | {"request": None})
        session.request = request
        return session


@dataclass
class Transaction(Record):
    """A payment order (``GW…``) with its balances; amounts are integer minor units."""

    KIND: ClassVar[str] = "transaction"

    order_id: str
    merchant_id: str
    trans_id: str
    session_id: Optional[str]
    amount: int
    currency: str
    status: wire.TransactionStatus
    payment_method: str
    created_at: datetime
    capture_method: wire.CaptureMethod = "AUTOMATIC"
    authorisation_type: wire.AuthorisationType = "FINAL_AUTH"
    payment_type: wire.PaymentType = "PURCHASE"
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
    notify_url: Optional[str] = None
    return_url: Optional[str] = None
    mit: bool = False
    #: 3DS result: status Y/N/C, eci, version; ``authentication_url`` (a path on the emulator) while pending.
    authentication: Optional[dict[str, str]] = None
    #: The browser's next step while PROCESSING (3DS page, wallet sheet, QR, redirect).
    action: Optional[dict[str, str]] = None
    #: What to keep if a pending (3DS) payment ends well: brand, bin, last4, expiry,
    #: fingerprint and token usage of the card; never the number.
    pending_store: Optional[dict[str, Any]] = None
    #: Test-card behaviour that outlives the payment (e.g. refunds that fail).
    refund_fails: bool = False
    #: Refunds of this order wait in REVIEWING before they succeed (test card 4000000000007726).
    refund_review: bool = False
    #: Refunds accepted but still REVIEWING: not refunded yet, no longer refundable either.
    reviewing_amount: int = 0
    #: The merchant's id of the (one) capture, so a retried capture answers the same.
    capture_trans_id: Optional[str] = None

    @property
    def key(self) -> str:
        """The order id ``GW…``."""
        return self.order_id

    def balances(self) -> dict[str, int]:
        """The order's ``balances`` in minor units: what is authorised, captured, voided,
        refunded, and what can still be captured, voided or refunded in its status.
        """
        open_auth = self.status in ("AUTHORIZED",)
        able_to_capture = max(self.authed_amount - self.captured_amount - self.voided_amount, 0) if open_auth else 0
        refundable = self.status in ("SUCCESS", "PARTIALLY_REFUNDED", "PARTIALLY_REVERSED")
        return {
            "authed_amount": self.authed_amount,
            "captured_amount": self.captured_amount,
            "able_to_capture_amount": able_to_capture,
            "voided_amount": self.voided_amount,
            "able_to_void_amount": able_to_capture,
            "refunded_amount": self.refunded_amount,
            "able_to_refund_amount": (max(self.captured_amount - self.refunded_amount - self.reviewing_amount, 0)
                                      if refundable else 0),
        }

    def to_wire(self, base_url: str = "") -> dict[str, Any]:
        """The order as :class:`wire.TransactionData` JSON; a pending 3DS URL (a path on the
        emulator) is made absolute with ``base_url``.
        """
        auth = None
        if self.authentication:
            shown = dict(self.authentication)
            if shown.get("authentication_url", "").startswith("/"):
                shown["authentication_url"] = base_url.rstrip("/") + shown["authentication_url"]
            auth = wire.AuthenticationResult(**shown)
        data = wire.TransactionData(
            merchant_id=self.merchant_id,
            trans_id=self.trans_id,
            order_id=self.order_id,
            session_id=self.session_id,
            status=self.status,
            error_code=self.error_code or None,
            error_description=self.error_description or None,
            amount=self.amount,
            currency=self.currency,
            authorisation_type=self.authorisation_type,
            capture_method=self.capture_method,
            pay_finish_time=self.pay_finish_time,
            payment=wire.PaymentInfo(payment_method=self.payment_method),
            card_info=wire.CardInfo(**self.card_info) if self.card_info else None,
            balances=wire.Balances(**self.balances()),
            authentication_result=auth,
            token=self.token,
            recurring_agreement_id=self.recurring_agreement_id,
            shopper_reference=self.shopper_reference,
        )
        return data.to_wire()


@dataclass
class Refund(Record):
    """A refund (``RG…``) of one order, in minor units of the order's currency."""

    KIND: ClassVar[str] = "refund"

    refund_order_id: str
    refund_trans_id: str
    merchant_id: str
    ori_order_id: str
    amount: int
    currency: str
    reason: str
    status: wire.RefundStatus
    created_at: datetime
    error_code: str = "0000"
    error_description: str = "request success"
    finish_time: Optional[datetime] = None
    notify_url: Optional[str] = None
    #: While REVIEWING: when the review ends (emulator's clock) and the refund succeeds.
    review_until: Optional[datetime] = None

    @property
    def key(self) -> str:
        """The refund id ``RG…``."""
        return self.refund_order_id

    def to_wire(self) -> dict[str, Any]:
        """The refund as :class:`wire.RefundData` JSON."""
        return wire.RefundData(
            merchant_id=self.merchant_id,
            refund_trans_id=self.refund_trans_id,
            refund_order_id=self.refund_order_id,
            ori_order_id=self.ori_order_id,
            status=self.status,
            amount=self.amount,
            currency=self.currency,
            error_code=self.error_code or None,
            error_description=self.error_description or None,
            refund_finish_time=self.finish_time,
        ).to_wire()


@dataclass
class Token(Record):
    """A stored card (``TK…``) of one shopper of one merchant."""

    KIND: ClassVar[str] = "token"

    token: str
    merchant_id: str
    shopper_reference: str
    usage: wire.TokenUsage
    fingerprint: str
    brand: str
    bin: str
    last4: str
    exp_month: int
    exp_year: int
    created_at: datetime
    #: Outcome class of the card behind the token ("approve" or "challenge").
    profile: str = "approve"
    removed_at: Optional[datetime] = None

    @property
    def key(self) -> str:
        """The token ``TK…``."""
        return self.token

    @property
    def active(self) -> bool:
        """False once the token was removed."""
        return self.removed_at is None


@dataclass
class Agreement(Record):
    """A recurring agreement (``RA…``): lets the merchant charge a SUBSCRIPTION token."""

    KIND: ClassVar[str] = "agreement"

    recurring_agreement_id: str
    merchant_id: str
    shopper_reference: str
    token: str
    first_order_id: str
    created_at: datetime
    canceled_at: Optional[datetime] = None

    @property
    def key(self) -> str:
        """The agreement id ``RA…``."""
        return self.recurring_agreement_id

    @property
    def active(self) -> bool:
        """False once the agreement was canceled."""
        return self.canceled_at is None


@dataclass
class Dispute(Record):
    """A dispute (chargeback, ``DG…``) on one order, and the stages it went through."""

    KIND: ClassVar[str] = "dispute"

    dispute_id: str
    merchant_id: str
    order_id: str
    amount: int
    currency: str
    reason_code: str
    reason_code_description: str
    arn: str
    stage: str
    opened_at: datetime
    due_time: datetime
    stage_at: datetime
    #: Every stage so far: ``{"dispute_stage": ..., "at": datetime}``, oldest first.
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The dispute id ``DG…``."""
        return self.dispute_id


RECORD_TYPES: tuple[type[Record], ...] = (Merchant, Session, Transaction, Refund, Token, Agreement, Dispute)


class IdFactory:
    """PayKKa-shaped ids: a two-letter prefix, the minute, and 8 digits."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._seed = secrets.randbelow(10**8)

    def new(self, prefix: str, now: datetime) -> str:
        """``prefix`` + ``now`` as ``yyMMddHHmm`` + 8 digits (a per-process random start, then counting)."""
        with self._lock:
            n = next(self._counter)
        return f"{prefix}{now:%y%m%d%H%M}{(self._seed + n) % 10**8:08d}"

    @staticmethod
    def client_key() -> str:
        """A fresh client key: ``ck_`` + 32 hex digits (the form PayKKa's docs show)."""
        return "ck_" + secrets.token_hex(16)

    @staticmethod
    def merchant_id() -> str:
        """A fresh 14-digit merchant id."""
        return str(10**13 + secrets.randbelow(9 * 10**13))

