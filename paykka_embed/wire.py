"""Typed models of PayKKa's v3 wire format, written once and shared.

The client builds requests and reads responses with these models, the local emulator
validates requests and writes responses with them, and the tests use them to
check both. Field names are PayKKa's own (snake_case JSON).

PayKKa's examples send amounts both as JSON integers and as digit strings
(``"800"``); both are accepted, and both mean integer minor units. Responses
write the amount the way PayKKa's examples do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Generic, Literal, Optional, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

OK = "000000"
OK_MSG = "Success"

# Paths of the v3 operations, kept in this one place. PayKKa has not published the
# paths of Query Session and Capture; these follow the documented family.
PATH_CREATE_SESSION = "/v3/payment/acq/session"
PATH_QUERY_SESSION = "/v3/payment/acq/session/query"
PATH_INITIATE = "/v3/payment/acq"
PATH_QUERY = "/v3/payment/acq/query"
PATH_CAPTURE = "/v3/payment/acq/capture"
PATH_VOID = "/v3/payment/acq/void"
PATH_REFUND = "/v3/payment/acq/refund"
PATH_REFUND_QUERY = "/v3/payment/acq/refund/query"
PATH_TOKEN_REMOVE = "/v3/payment/acq/token/remove"
PATH_RECURRING_CANCEL = "/v3/payment/acq/recurring/cancel"
PATH_APPLE_PAY_SESSION = "/v3/payment/acq/apple-pay/create-session"


MAX_AMOUNT = 10**18 - 1  # 18 digits of minor units, whether written as a number or a string


def _parse_amount(value: Any) -> Any:
    """Integer minor units, as a JSON number or a digit string; nothing that could be misread.

    A ``Decimal`` or a float is refused rather than truncated: ``Decimal("8.00")`` HKD read
    as 8 would charge HK$0.08. (In Python, :func:`paykka_embed.money.to_minor` converts major
    units; the message itself is read by clients in any language, so it says it in words.)
    """
    if isinstance(value, bool):
        raise ValueError("must be a positive integer in minor units")
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{1,18}", value):
            raise ValueError("must be a positive integer in minor units (e.g. 2550 for 25.50 HKD), "
                             "written with digits only")
        return int(value)
    if isinstance(value, (float, Decimal)):
        raise ValueError("must be an integer in minor units, not a decimal number "
                         "(e.g. 2550 for 25.50 HKD, 800 for 800 JPY)")
    if isinstance(value, int) and value > MAX_AMOUNT:
        raise ValueError("must have at most 18 digits of minor units")
    return value


def _check_positive(value: int) -> int:
    if value <= 0:
        raise ValueError("must be a positive integer in minor units")
    return value


_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, str):
        # PayKKa's v1 examples write offsets without a colon (+0800).
        value = _OFFSET_NO_COLON.sub(r"\1:\2", value.strip())
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a UTC offset, e.g. 2025-05-05T17:17:24+08:00")
    return value


def format_datetime(value: datetime) -> str:
    """``value`` as PayKKa writes times: ISO 8601 with seconds and a ``+08:00``-style offset."""
    return value.isoformat(timespec="seconds")


#: Integer minor units above zero; accepts ``800`` or ``"800"``, writes ``800``.
PositiveAmount = Annotated[int, BeforeValidator(_parse_amount), AfterValidator(_check_positive)]
#: Integer minor units written as a string, as PayKKa's session and query examples show.
AmountText = Annotated[int, BeforeValidator(_parse_amount), PlainSerializer(lambda v: str(v), return_type=str)]
AwareDatetime = Annotated[
    datetime,
    BeforeValidator(_parse_datetime),
    PlainSerializer(format_datetime, return_type=str),
]

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]

SessionMode = Literal["HOSTED", "DROP_IN", "COMPONENT"]
PaymentType = Literal["PURCHASE", "RECURRING"]
CaptureMethod = Literal["AUTOMATIC", "MANUAL"]
AuthorisationType = Literal["FINAL_AUTH", "PRE_AUTH"]
TokenUsage = Literal["CARD_ON_FILE", "SUBSCRIPTION"]
SessionStatus = Literal[
    "PROCESSING", "SUCCESS", "AUTHORIZED", "FAILURE", "REFUNDED", "PARTIALLY_REFUNDED",
    "CANCELED", "PARTIALLY_REVERSED", "EXPIRED",
]
TransactionStatus = Literal[
    "PROCESSING", "SUCCESS", "AUTHORIZED", "FAILURE", "REFUNDED", "PARTIALLY_REFUNDED",
    "CANCELED", "PARTIALLY_REVERSED",
]
NotifyType = Literal[
    "PAYMENT.AUTHORIZATION", "PAYMENT.SUCCESS", "PAYMENT.FAILURE", "PAYMENT.CANCELED",
    "REFUND.SUCCESS", "REFUND.FAILURE",
]
FINAL_STATUSES = frozenset({"SUCCESS", "FAILURE", "REFUNDED", "CANCELED"})


class WireModel(BaseModel):
    """Requests refuse unknown fields so a typo is an error naming the field, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """The model as PayKKa's JSON: field names as sent, absent fields left out."""
        return self.model_dump(mode="json", exclude_none=True)


class MerchantRequest(WireModel):
    """Every v3 request names the merchant; PayKKa's older examples also carry a ``timestamp``."""

    merchant_id: str = Field(..., min_length=1, max_length=32)
    timestamp: Optional[int] = Field(None, description="v1 leftover in PayKKa's examples; ignored")


def _require_one(model: BaseModel, *names: str) -> None:
    """Lookups by one of several keys: at least one must be given (the error names the first)."""
    if not any(getattr(model, name) for name in names):
        choice = f"{', '.join(names[:-1])} or {names[-1]}"
        raise ValueError(f"{names[0]}: {'one of ' if len(names) > 2 else ''}{choice} is required")


class ResponseModel(BaseModel):
    """Responses keep fields this version does not know, so a newer PayKKa does not break a client."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """The model as PayKKa's JSON: absent fields left out, amounts written as PayKKa does."""
        return self.model_dump(mode="json", exclude_none=True)


# --- request parts -------------------------------------------------------------------------


class Goods(WireModel):
    """One line of ``goods[]``: ``price`` in minor units, ``quantity`` at least 1 (notes §2.3)."""

    id: Optional[str] = Field(None, max_length=64)
    name: str = Field(..., min_length=1, max_length=256)
    description: Optional[str] = Field(None, max_length=1024)
    category: Optional[str] = Field(None, max_length=64)
    brand: Optional[str] = Field(None, max_length=64)
    link: Optional[str] = Field(None, max_length=512)
    price: Annotated[int, BeforeValidator(_parse_amount)] = Field(..., ge=0)
    quantity: int = Field(..., ge=1)
    delivery_date: Optional[str] = None
    picture_url: Optional[str] = Field(None, max_length=512)


class Address(WireModel):
    """The address fields ``bill`` and ``shipping`` share (``country``: ISO 3166 alpha-2)."""

    first_name: Optional[str] = Field(None, max_length=64)
    middle_name: Optional[str] = Field(None, max_length=64)
    last_name: Optional[str] = Field(None, max_length=64)
    address_line1: Optional[str] = Field(None, max_length=256)
    address_line2: Optional[str] = Field(None, max_length=256)
    country: Optional[str] = Field(None, pattern=r"^[A-Z]{2}$")
    state: Optional[str] = Field(None, max_length=64)
    city: Optional[str] = Field(None, max_length=64)
    postal_code: Optional[str] = Field(None, max_length=32)
    email: Optional[str] = Field(None, max_length=128)
    area_code: Optional[str] = Field(None, max_length=10)
    phone_number: Optional[str] = Field(None, max_length=32)


class Bill(Address):
    """The shopper's billing details (``bill``), as Create Session takes them."""

    billing_address_collection: Optional[Literal["REQUIRED", "OPTIONAL", "NONE"]] = None
    descriptor: Optional[str] = Field(None, max_length=64)


class Shipping(Address):
    """Where the goods go (``shipping``), as Create Session takes it."""

    pass


class Customer(WireModel):
    """What the merchant knows of the shopper (``customer``), for risk checks."""

    id: Optional[str] = Field(None, max_length=64)
    registration_time: Optional[str] = None
    past_transactions: Optional[int] = Field(None, ge=0)
    area_code: Optional[str] = Field(None, max_length=10)
    phone_number: Optional[str] = Field(None, max_length=32)
    date_of_birth: Optional[str] = None
    gender: Optional[str] = Field(None, max_length=16)
    first_shopping_time: Optional[str] = None
    last_shopping_time: Optional[str] = None
    level: Optional[str] = Field(None, max_length=32)
    email: Optional[str] = Field(None, max_length=128)
    order_ip: Optional[str] = Field(None, max_length=64)
    pay_ip: Optional[str] = Field(None, max_length=64)


class PaymentObject(WireModel):
    """PayKKa's ``payment`` object, every field, wherever it appears.

    Create Session and Initiate Transaction share it: merchant code builds one class for
    both (the WooCommerce plugin sends its Initiate fields, unused ones ``null``, in every
    session), so a session accepts the card and wallet fields too; the session's checkout
    collects the card itself and does not use them. ``repr`` never shows card data.
    """

    payment_method: Optional[str] = Field(None, min_length=1, max_length=32)
    store_payment_method: Optional[bool] = None
    token_usage: Optional[TokenUsage] = None
    shopper_reference: Optional[str] = Field(None, min_length=1, max_length=64)
    token: Optional[str] = Field(None, min_length=1, max_length=64)
    card_no: Optional[str] = Field(None, pattern=r"^[0-9]{12,19}$")
    encrypted_card_no: Optional[str] = Field(None, max_length=4096)
    exp_year: Optional[str] = Field(None, pattern=r"^[0-9]{2,4}$")
    exp_month: Optional[str] = Field(None, pattern=r"^(0?[1-9]|1[0-2])$")
    cvv: Optional[str] = Field(None, pattern=r"^[0-9]{3,4}$")
    holder_name: Optional[str] = Field(None, max_length=128)
    encrypted_exp_year: Optional[str] = Field(None, max_length=4096)
    encrypted_exp_month: Optional[str] = Field(None, max_length=4096)
    encrypted_cvv: Optional[str] = Field(None, max_length=4096)
    token_data: Optional[str] = Field(None, max_length=16384)

    def __repr__(self) -> str:  # never show card data, even in a debugger or a log line
        shown = {k: v for k, v in self.model_dump(exclude_none=True).items()
                 if k in ("payment_method", "token_usage", "shopper_reference", "store_payment_method")}
        return f"{type(self).__name__}({shown}, <card data hidden>)"

    __str__ = __repr__


class SessionPayment(PaymentObject):
    """``payment`` of Create Session: what matters there is storing the card
    (``store_payment_method``, ``token_usage``, ``shopper_reference``)."""


class Browser(WireModel):
    """Device data for 3DS. Merchants' code writes the numbers both as JSON numbers and as
    text (``"color_depth": "24"``, ``"timezone_offset": "+00:00"``, ``"cookies": ""``), so both
    are accepted."""

    user_agent: Optional[str] = Field(None, max_length=512)
    color_depth: Optional[Union[int, str]] = Field(None, description="bits, e.g. 24 or \"24\"")
    language: Optional[str] = Field(None, max_length=32)
    java_enabled: Optional[bool] = None
    device_type: Optional[Literal["PC", "MOBILE", "TABLET"]] = None
    terminal_type: Optional[str] = Field(None, max_length=16)
    device_os: Optional[str] = Field(None, max_length=64)
    timezone_offset: Optional[Union[int, str]] = Field(None, description="minutes (-480) or an offset (+08:00)")
    screen_height: Optional[Union[int, str]] = None
    screen_width: Optional[Union[int, str]] = None
    cookies: Optional[Union[bool, str]] = None
    device_finger_print_id: Optional[str] = Field(None, max_length=128)
    fraud_detection_id: Optional[str] = Field(None, max_length=128)


class Authentication(WireModel):
    """3DS preferences of a session (``authentication``)."""

    challenge_indicator: Optional[
        Literal["NO_PREFERENCE", "NO_CHALLENGE_REQUESTED", "CHALLENGE_REQUESTED", "CHALLENGE_MANDATED"]
    ] = None
    authentication_only: Optional[bool] = Field(None, description="3DS without a payment (accepted, not emulated)")


# --- create / query session ----------------------------------------------------------------


class CreateSessionRequest(MerchantRequest):
    """Create Session (``POST /v3/payment/acq/session``): ``amount`` in minor units of
    ``currency``; ``trans_id`` keys the session (the same one returns the same session).
    Sources: notes §2.3, the WooCommerce plugin's ``PaymentRequest.php``.
    """

    trans_id: str = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-.:]+$")
    session_mode: SessionMode = "HOSTED"
    payment_type: PaymentType = "PURCHASE"
    authorisation_type: AuthorisationType = "FINAL_AUTH"
    capture_method: CaptureMethod = "AUTOMATIC"
    amount: PositiveAmount
    currency: Currency
    expire_time: Optional[AwareDatetime] = None
    display_locale: Optional[str] = Field(None, max_length=16)
    display_merchant_name: Optional[str] = Field(None, max_length=128)
    theme_id: Optional[str] = Field(None, max_length=64)
    allowed_payment_methods: Optional[list[str]] = None
    notify_url: Optional[str] = Field(None, max_length=512)
    return_url: Optional[str] = Field(None, max_length=512)
    cancel_url: Optional[str] = Field(None, max_length=512)
    mit: Optional[bool] = None
    payment: Optional[SessionPayment] = None
    goods: Optional[list[Goods]] = None
    bill: Optional[Bill] = None
    shipping: Optional[Shipping] = None
    customer: Optional[Customer] = None
    browser: Optional[Browser] = None
    authentication: Optional[Authentication] = None


    @field_validator("expire_time")
    @classmethod
    def _expire_aware(cls, value: Optional[datetime]) -> Optional[datetime]:
        return None if value is None else _aware(value)

    @model_validator(mode="after")
    def _recurring_rules(self) -> "CreateSessionRequest":
        if self.payment_type == "RECURRING":
            pay = self.payment
            if pay is None or not pay.store_payment_method:
                raise ValueError("payment.store_payment_method: must be true for a RECURRING session")
            if not pay.shopper_reference:
                raise ValueError("payment.shopper_reference: is required for a RECURRING session")
        if self.payment and self.payment.store_payment_method and not self.payment.shopper_reference:
            raise ValueError("payment.shopper_reference: is required when store_payment_method is true")
        return self


class SessionData(ResponseModel):
    """What Create Session and Query Session return (the seed's response, field for field)."""

    merchant_id: str
    trans_id: str
    session_id: str
    session_mode: SessionMode
    status: SessionStatus
    amount: AmountText
    currency: str
    expire_time: AwareDatetime
    authorisation_type: AuthorisationType = "FINAL_AUTH"
    capture_method: CaptureMethod = "AUTOMATIC"
    session_url: str
    order_id: Optional[str] = None


class QuerySessionRequest(MerchantRequest):
    """Query Session: by ``session_id`` or ``trans_id`` (at least one)."""

    session_id: Optional[str] = Field(None, max_length=64)
    trans_id: Optional[str] = Field(None, max_length=64)

    @model_validator(mode="after")
    def _one_key(self) -> "QuerySessionRequest":
        _require_one(self, "session_id", "trans_id")
        return self


# --- query transaction ---------------------------------------------------------------------


class QueryTransactionRequest(MerchantRequest):
    """Query Transaction: by ``trans_id``, ``order_id`` or ``session_id`` (at least one)."""

    trans_id: Optional[str] = Field(None, max_length=64)
    order_id: Optional[str] = Field(None, max_length=64)
    session_id: Optional[str] = Field(None, max_length=64)

    @model_validator(mode="after")
    def _one_key(self) -> "QueryTransactionRequest":
        _require_one(self, "trans_id", "order_id", "session_id")
        return self


class CardInfo(ResponseModel):
    """The card of an order: BIN, last four digits, brand (never the number)."""

    bin: Optional[str] = None
    last4: Optional[str] = None
    card_brand: Optional[str] = None


class Balances(ResponseModel):
    """An order's amounts in minor units: authorised, captured, voided, refunded, and
    what can still be captured, voided or refunded.
    """

    authed_amount: int = 0
    captured_amount: int = 0
    able_to_capture_amount: int = 0
    voided_amount: int = 0
    able_to_void_amount: int = 0
    refunded_amount: int = 0
    able_to_refund_amount: int = 0


class PaymentInfo(ResponseModel):
    """How an order was paid: ``payment_method`` (BANKCARD, APPLE_PAY, ...)."""

    payment_method: Optional[str] = None


class AuthenticationResult(ResponseModel):
    """3DS of an order: ``status`` Y/N/C, ``eci``, version, and while a challenge is
    pending, the ``authentication_url`` to show the shopper.
    """

    authentication_url: Optional[str] = None
    eci: Optional[str] = None
    three_ds_version: Optional[str] = None
    status: Optional[str] = None


class TransactionData(ResponseModel):
    """An order as Initiate/Query Transaction, Capture and Void answer it (amounts in
    minor units). Source: OAPI's transaction responses.
    """

    merchant_id: str
    trans_id: str
    order_id: str
    session_id: Optional[str] = None
    status: TransactionStatus
    error_code: Optional[str] = None
    error_description: Optional[str] = None
    amount: AmountText
    currency: str
    authorisation_type: Optional[AuthorisationType] = None
    capture_method: Optional[CaptureMethod] = None
    pay_finish_time: Optional[AwareDatetime] = None
    payment: Optional[PaymentInfo] = None
    card_info: Optional[CardInfo] = None
    balances: Optional[Balances] = None
    authentication_result: Optional[AuthenticationResult] = None
    token: Optional[str] = None
    recurring_agreement_id: Optional[str] = None
    shopper_reference: Optional[str] = None


# --- initiate transaction (API-only, stored tokens, merchant-initiated recurring) ---------

VoidReason = Literal["DUPLICATE", "FRAUDULENT", "REQUESTED_BY_CUSTOMER", "OTHER"]


class TransactionPayment(PaymentObject):
    """``payment`` of Initiate Transaction: exactly one of token, card_no, encrypted_card_no, token_data."""

    payment_method: str = Field("BANKCARD", min_length=1, max_length=32)

    @model_validator(mode="after")
    def _one_source(self) -> "TransactionPayment":
        sources = [n for n in ("token", "card_no", "encrypted_card_no", "token_data") if getattr(self, n)]
        if len(sources) != 1:
            raise ValueError("payment.token: exactly one of token, card_no, encrypted_card_no or token_data is required")
        return self


class InitiateTransactionRequest(MerchantRequest):
    """Initiate Transaction (``POST /v3/payment/acq``): exactly one source of payment in
    ``payment``; ``mit`` needs ``recurring_agreement_id``. Source: OAPI, APIONLY.
    """

    trans_id: str = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-.:]+$")
    payment_type: PaymentType = "PURCHASE"
    authorisation_type: AuthorisationType = "FINAL_AUTH"
    capture_method: CaptureMethod = "AUTOMATIC"
    amount: PositiveAmount
    currency: Currency
    mit: Optional[bool] = None
    recurring_agreement_id: Optional[str] = Field(None, min_length=1, max_length=64)
    notify_url: Optional[str] = Field(None, max_length=512)
    return_url: Optional[str] = Field(None, max_length=512)
    payment: TransactionPayment
    goods: Optional[list[Goods]] = None
    bill: Optional[Bill] = None
    shipping: Optional[Shipping] = None
    customer: Optional[Customer] = None
    browser: Optional[Browser] = None
    authentication: Optional[Authentication] = None


    @model_validator(mode="after")
    def _recurring_rules(self) -> "InitiateTransactionRequest":
        if self.mit:
            if self.payment_type != "RECURRING":
                raise ValueError("payment_type: must be RECURRING for a merchant-initiated (mit) transaction")
            if not self.recurring_agreement_id:
                raise ValueError("recurring_agreement_id: is required when mit is true")
            if not self.payment.token:
                raise ValueError("payment.token: is required when mit is true")
            if not self.payment.shopper_reference:
                raise ValueError("payment.shopper_reference: is required when mit is true")
        elif self.return_url is None:
            raise ValueError("return_url: is required except for a merchant-initiated recurring transaction")
        if self.payment.token and not self.payment.shopper_reference:
            raise ValueError("payment.shopper_reference: is required to pay with a token")
        return self


# --- capture, void, refund -----------------------------------------------------------------


class CaptureRequest(MerchantRequest):
    """Capture an AUTHORIZED order: ``amount`` (minor units) for part of it, else all."""

    order_id: str = Field(..., min_length=1, max_length=64)
    amount: Optional[PositiveAmount] = None
    currency: Optional[Currency] = None
    capture_trans_id: Optional[str] = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _amount_with_currency(self) -> "CaptureRequest":
        if (self.amount is None) != (self.currency is None):
            raise ValueError("currency: amount and currency go together (omit both to capture in full)")
        if self.amount is not None:
            _check_positive(self.amount)
        return self


class VoidRequest(MerchantRequest):
    """Void an AUTHORIZED order (``POST /v3/payment/acq/void``, VOID)."""

    order_id: str = Field(..., min_length=1, max_length=64)
    reason: VoidReason = "REQUESTED_BY_CUSTOMER"


class RefundRequest(MerchantRequest):
    """Refund part or all of a captured order: ``refund_amount`` in minor units;
    ``refund_trans_id`` keys it (a repeat returns the same refund).
    """

    refund_trans_id: str = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-.:]+$")
    ori_order_id: str = Field(..., min_length=1, max_length=64)
    reason: VoidReason = "REQUESTED_BY_CUSTOMER"
    refund_amount: PositiveAmount
    currency: Currency
    notify_url: Optional[str] = Field(None, max_length=512)



class RefundQueryRequest(MerchantRequest):
    """Refund Query: by ``refund_trans_id`` or ``refund_order_id`` (at least one)."""

    refund_trans_id: Optional[str] = Field(None, max_length=64)
    refund_order_id: Optional[str] = Field(None, max_length=64)

    @model_validator(mode="after")
    def _one_key(self) -> "RefundQueryRequest":
        _require_one(self, "refund_trans_id", "refund_order_id")
        return self


RefundStatus = Literal["PROCESSING", "REVIEWING", "SUCCESS", "FAILURE"]


class RefundData(ResponseModel):
    """A refund as Refund and Refund Query answer it (amount in minor units)."""

    merchant_id: str
    refund_trans_id: str
    refund_order_id: str
    ori_order_id: str
    status: RefundStatus
    amount: AmountText
    currency: str
    error_code: Optional[str] = None
    error_description: Optional[str] = None
    refund_finish_time: Optional[AwareDatetime] = None


# --- tokens, recurring agreements, Apple Pay -----------------------------------------------


class TokenRemoveRequest(MerchantRequest):
    """Remove a stored card: the ``token`` and the shopper it belongs to."""

    token: str = Field(..., min_length=1, max_length=64)
    shopper_reference: str = Field(..., min_length=1, max_length=64)


class TokenRemoveData(ResponseModel):
    """The answer to Remove a stored card (``status`` REMOVED)."""

    token: str
    shopper_reference: str
    status: Literal["REMOVED"] = "REMOVED"


class RecurringCancelRequest(MerchantRequest):
    """Cancel a recurring agreement (``shopper_reference`` optional, checked when given)."""

    recurring_agreement_id: str = Field(..., min_length=1, max_length=64)
    shopper_reference: Optional[str] = Field(None, min_length=1, max_length=64)


class RecurringCancelData(ResponseModel):
    """The answer to Cancel a recurring agreement (``status`` CANCELED)."""

    recurring_agreement_id: str
    status: Literal["CANCELED"] = "CANCELED"


class ApplePaySessionRequest(MerchantRequest):
    """Apple Pay merchant session: the ``domain_name`` the sheet shows on (and a
    ``display_name``); the answer is Apple's merchant session as JSON text.
    """

    display_name: Optional[str] = Field(None, max_length=75)
    domain_name: str = Field(..., min_length=1, max_length=253,
                             pattern=r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
                             description="host name only: no scheme, port or path")


# --- webhooks ------------------------------------------------------------------------------


class NotifyEvent(ResponseModel):
    """A payment or refund notification as PayKKa posts it to ``notify_url``."""

    notify_type: NotifyType
    merchant_id: str
    trans_id: str
    order_id: Optional[str] = None
    status: str
    amount: PositiveAmount
    currency: str
    error_code: Optional[str] = None
    error_description: Optional[str] = None
    pay_finish_time: Optional[AwareDatetime] = None
    recurring_agreement_id: Optional[str] = None
    token: Optional[str] = None
    shopper_reference: Optional[str] = None
    authentication_result: Optional[AuthenticationResult] = None
    session_id: Optional[str] = None
    expire_time: Optional[AwareDatetime] = None
    payment: Optional[PaymentInfo] = None
    card_info: Optional[CardInfo] = None
    refund_order_id: Optional[str] = None
    ori_order_id: Optional[str] = None


DISPUTE_CREATED = "DISPUTE_CREATED"
#: Stages of a dispute, in order. ``DISPUTE_CREATED``: the shopper's bank disputed the
#: payment (a chargeback); evidence is due by ``due_time``. ``UNDER_REVIEW``: the evidence is
#: with the card scheme. It ends ``DISPUTE_WON`` (the money stays with the merchant) or
#: ``DISPUTE_LOST`` (the disputed amount goes back to the shopper).
DISPUTE_STAGES = ("DISPUTE_CREATED", "UNDER_REVIEW", "DISPUTE_WON", "DISPUTE_LOST")
FINAL_DISPUTE_STAGES = frozenset({"DISPUTE_WON", "DISPUTE_LOST"})


class DisputeNotification(ResponseModel):
    """A dispute (chargeback) notification as PayKKa posts it to ``notify_url``, one per stage.

    It has ``event_type: "DISPUTE"`` where payment and refund notifications have
    ``notify_type``. Amounts are integer minor units. ``dispute_stage`` is kept as text so a
    stage this version does not know still parses (known ones: :data:`DISPUTE_STAGES`).
    """

    event_type: Literal["DISPUTE"] = "DISPUTE"
    merchant_id: str
    merchant_name: Optional[str] = None
    trans_id: str
    order_id: str
    dispute_id: str = Field(..., description="DG…")
    arn: Optional[str] = Field(None, description="acquirer reference number of the disputed payment")
    card_bin: Optional[str] = None
    card_last4: Optional[str] = None
    payment_method: Optional[str] = None
    pay_finish_time: Optional[AwareDatetime] = None
    dispute_stage: str
    reason_code: Optional[str] = Field(None, description="the card scheme's code, e.g. Visa 10.4")
    reason_code_description: Optional[str] = None
    dispute_amount: PositiveAmount
    dispute_currency: str
    order_amount: PositiveAmount
    order_currency: str
    posting_date: Optional[str] = Field(None, description="the stage's date, YYYY-MM-DD")
    dispute_time: Optional[AwareDatetime] = Field(None, description="when the dispute was raised")
    due_time: Optional[AwareDatetime] = Field(None, description="when the merchant's evidence is due")

    @property
    def final(self) -> bool:
        """True once the dispute is won or lost."""
        return self.dispute_stage in FINAL_DISPUTE_STAGES


# --- the envelope --------------------------------------------------------------------------

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    """``{"ret_code", "ret_msg", "data"}`` around every v3 answer."""

    model_config = ConfigDict(extra="allow")

    ret_code: str
    ret_msg: str = ""
    data: Optional[T] = None

    @property
    def ok(self) -> bool:
        """True when ``ret_code`` is ``000000``."""
        return self.ret_code == OK


def envelope(data: Any = None, *, ret_code: str = OK, ret_msg: str = OK_MSG) -> dict[str, Any]:
    """``{"ret_code", "ret_msg", "data"?}``: PayKKa's envelope (``data`` left out when None)."""
    body: dict[str, Any] = {"ret_code": ret_code, "ret_msg": ret_msg}
    if data is not None:
        body["data"] = data
    return body


def field_path(loc: Any) -> str:
    """``("goods", 0, "id")`` → ``goods[0].id``: the way a PHP, Java or JS reader names it."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


#: pydantic's error types, said in words a client in any language reads ("field: rule").
_PLAIN_RULES = {
    "extra_forbidden": "is not a field of this request",
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "list_type": "must be a JSON array",
    "datetime_type": "must be a date-time with a UTC offset, e.g. 2025-03-08T10:00:00+08:00",
    "datetime_parsing": "must be a date-time with a UTC offset, e.g. 2025-03-08T10:00:00+08:00",
    "datetime_from_date_parsing": "must be a date-time with a UTC offset, e.g. 2025-03-08T10:00:00+08:00",
}
#: The models' patterns, said in words.
_PATTERN_WORDS = {
    r"^[A-Z]{3}$": "must be a three-letter ISO 4217 currency code in capitals, e.g. HKD",
    r"^[A-Z]{2}$": "must be a two-letter ISO 3166 country code in capitals, e.g. HK",
    r"^[A-Za-z0-9_\-.:]+$": "may contain only letters, digits and the characters _ - . :",
    r"^[0-9]{12,19}$": "must be 12 to 19 digits",
    r"^[0-9]{2,4}$": "must be a year of 2 or 4 digits",
    r"^(0?[1-9]|1[0-2])$": "must be a month from 1 to 12",
    r"^[0-9]{3,4}$": "must be 3 or 4 digits",
}
_UNION_TAGS = frozenset({"int", "str", "bool", "float", "function-after", "function-before", "function-plain"})


def _plain_rule(error: Any) -> str:
    kind = error.get("type")
    ctx = error.get("ctx") or {}
    if kind in _PLAIN_RULES:
        return _PLAIN_RULES[kind]
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else \
            f"must be at least {ctx.get('min_length')} characters long"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        if pattern.startswith("^[A-Za-z0-9]([A-Za-z0-9-]"):
            return "must be a host name only, without scheme, port or path (e.g. shop.example.com)"
        return _PATTERN_WORDS.get(pattern, f"must match the pattern {pattern}")
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    msg = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    for prefix in ("Input should", "String should", "Value should", "List should"):
        if msg.startswith(prefix):
            return "must" + msg[len(prefix):]
    return msg


def describe_validation_error(exc: Exception) -> str:
    """Turn a pydantic error into ``field: rule`` text, the form PayKKa's ret_msg uses.

    The rule is said in plain words (no Python type or helper names): PHP and Java clients
    read these messages too.
    """
    from pydantic import ValidationError as PydanticValidationError

    if not isinstance(exc, PydanticValidationError):
        return str(exc)
    first = exc.errors()[0]
    loc = list(first.get("loc", ()))
    while loc and isinstance(loc[-1], str) and (loc[-1] in _UNION_TAGS or loc[-1].startswith("function-")):
        loc.pop()  # a union member's name, not a field
    rule = _plain_rule(first)
    path = field_path(loc)
    # Model-level rules already name their field ("payment.shopper_reference: ...").
    return f"{path}: {rule}" if path else rule


# --- leniency: what the emulator accepts beyond the strict models -------------------------


@dataclass
class Leniency:
    """A request body made ready for the strict models, and what was set aside to get there."""

    data: dict[str, Any]
    #: Names no model field knows, as ``field_path`` strings (``payment.colour``, ``goods[1].sku``).
    ignored: list[str]


def _field_kind(annotation: Any) -> tuple[str, Any]:
    """What a field holds: ("model", cls), ("list", inner kind), ("str", None) or ("other", None)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _field_kind(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        members = [a for a in get_args(annotation) if a is not type(None)]
        return _field_kind(members[0]) if len(members) == 1 else ("other", None)
    if origin is list:
        return ("list", _field_kind(get_args(annotation)[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    if annotation is str:
        return ("str", None)
    return ("other", None)


def _clean_value(kind: tuple[str, Any], value: Any, path: list[Any], ignored: list[str], strict: bool) -> Any:
    what, inner = kind
    if what == "model" and isinstance(value, dict):
        return _clean_object(inner, value, path, ignored, strict)
    if what == "list" and isinstance(value, list):
        return [_clean_value(inner, item, [*path, i], ignored, strict)
                for i, item in enumerate(v for v in value if v is not None)]
    if what == "str" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)  # a JSON number for a text field: its decimal text (11 → "11", 1.50 → "1.50")
    return value


@lru_cache(maxsize=None)
def _known_names(model: type[BaseModel]) -> dict[str, tuple[FieldInfo, tuple[str, Any]]]:
    """A model's field names (and aliases) → (field, what it holds); computed once per model."""
    fields = model.model_fields
    known = {name: (info, _field_kind(info.annotation)) for name, info in fields.items()}
    return known | {info.alias: known[name] for name, info in fields.items() if info.alias}


def _clean_object(model: type[BaseModel], data: dict[str, Any], path: list[Any], ignored: list[str],
                  strict: bool) -> dict[str, Any]:
    by_name = _known_names(model)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue  # null is the same as an absent key
        known = by_name.get(key)
        if known is None:
            if strict:
                out[key] = value  # kept, so the strict model refuses it by name
            else:
                ignored.append(field_path([*path, key]))
            continue
        info, kind = known
        if value == "" and not info.is_required() and info.default is None:
            continue  # "" in an optional field is the same as absent (blank WooCommerce shipping fields)
        out[key] = _clean_value(kind, value, [*path, key], ignored, strict)
    return out


def lenient_request(model: type[BaseModel], data: dict[str, Any], *, strict: bool = False) -> Leniency:
    """Read ``data`` the way PayKKa's Java/JSON backend does, before the strict model checks it.

    - ``null`` is the same as an absent key, at any depth (a ``null`` list item too);
    - ``""`` in an optional field is the same as absent;
    - a JSON number for a text field is taken as its decimal text (``"id": 11`` → ``"11"``;
      parse the body with ``parse_float=Decimal`` to keep ``1.50`` as written);
    - a name no field knows is set aside and listed in :attr:`Leniency.ignored`, unless
      ``strict``: then it stays, and the model refuses it ("is not a field of this request").

    Everything else (amounts, currencies, lengths, patterns, required fields, the models'
    own rules) is left to the model, which refuses it exactly as before. The merchant-side
    client never uses this: it validates with the strict models alone, so a typo in a
    merchant's field name stays an error and no ``null`` is ever sent.
    """
    ignored: list[str] = []
    return Leniency(_clean_object(model, data, [], ignored, strict), ignored)
