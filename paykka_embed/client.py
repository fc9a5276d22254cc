"""The PayKKa v3 client: one core that builds, signs, verifies and parses; two thin faces.

:class:`ClientCore` does everything that does not touch the network. For each
operation it builds a :class:`Call` (validated payload, response model, what to do
with the answer), and :meth:`ClientCore.exchange` runs the retry policy as a
generator that *asks* for I/O: it yields a :class:`PreparedRequest` to send or a
:class:`Pause` to sleep, and receives the ``httpx.Response`` or the transport error.
:class:`PayKKaClient` and :class:`AsyncPayKKaClient` only drive that generator with
``httpx.Client``/``time.sleep`` or ``httpx.AsyncClient``/``asyncio.sleep``, so the
retry rules, the signing and the parsing exist once.

Retries happen only where repeating the request cannot charge twice: creating a
session and every query are keyed by ``trans_id`` (PayKKa returns the same session
for the same ``trans_id``), refunds by ``refund_trans_id``. Initiating a transaction,
capture and void are sent exactly once; when their outcome is unknown (a timeout),
:class:`NetworkError` says so and the caller queries before trying again.

A declined :meth:`PayKKaClient.initiate_transaction` raises :class:`DeclinedError`
(``error_code``, ``error_description``, and the transaction in ``.data``): a declined
charge is an exception to the normal flow of a merchant-initiated payment, and an
``if tx.status == ...`` that someone forgets is how unpaid orders ship.

Amounts cross this API as ``Decimal`` major units or ``int`` minor units (never
float) and travel as integer minor units. Logs carry the operation, the path and the
merchant's references; never a card field, a key, a token or a signature.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Generator, Generic, Literal, Mapping, TypeVar, Union

import httpx
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from typing_extensions import NotRequired, TypedDict, Unpack

from . import money, signing, wire
from .envs import Environment, resolve_environment
from .errors import APIError, DeclinedError, NetworkError, SignatureError, ValidationError
from .expiry import check_expire_time
from .operations import OPERATIONS, Operation

log = logging.getLogger("paykka_embed.client")

R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Unsigned answers (not PayKKa's own) that say nothing of whether PayKKa acted on the request: a
#: proxy or edge that timed out or failed (408, 499, any 5xx such as 520-524). Reported as
#: :class:`NetworkError`, an unknown outcome, never as a refusal.
UNKNOWN_OUTCOME_STATUSES = frozenset({408, 499})
USER_AGENT = "paykka-embed/0.1 (+python httpx)"

#: Payload keys that may appear in a log line. Everything else (card fields, tokens,
#: shopper data) is left out, so a new field can never leak by default.
LOGGABLE_KEYS = ("trans_id", "refund_trans_id", "order_id", "ori_order_id", "session_id", "session_mode",
                 "payment_type", "amount", "refund_amount", "currency", "capture_method")


# --- operations: the catalogue in :mod:`paykka_embed.operations` (path, models, retry safety) ---

# --- parameters: one definition, shared by the core and both faces ---------------------------

Amount = Union[Decimal, int]
Reason = Literal["DUPLICATE", "FRAUDULENT", "REQUESTED_BY_CUSTOMER", "OTHER"]


class QuerySessionParams(TypedDict, total=False):
    """Query Session's keys: ``session_id`` or ``trans_id``."""
    session_id: str
    trans_id: str


class QueryTransactionParams(TypedDict, total=False):
    """Query Transaction's keys: ``trans_id``, ``order_id`` or ``session_id``."""
    trans_id: str
    order_id: str
    session_id: str


class CaptureParams(TypedDict):
    """Capture: the order, and for a partial capture its ``amount`` and ``currency``."""
    order_id: str
    amount: NotRequired[Amount]
    currency: NotRequired[str]
    capture_trans_id: NotRequired[str]


class VoidParams(TypedDict):
    """Void: the order, and why."""
    order_id: str
    reason: NotRequired[Reason]


class RefundParams(TypedDict):
    """Refund: ``amount`` (``Decimal`` major or ``int`` minor units of ``currency``) of ``ori_order_id``."""
    refund_trans_id: str
    ori_order_id: str
    amount: Amount
    currency: str
    reason: NotRequired[Reason]
    notify_url: NotRequired[str]


class QueryRefundParams(TypedDict, total=False):
    """Refund Query's keys: ``refund_trans_id`` or ``refund_order_id``."""
    refund_trans_id: str
    refund_order_id: str


class RemoveTokenParams(TypedDict):
    """Remove a stored card: the token and its shopper."""
    token: str
    shopper_reference: str


class CancelRecurringParams(TypedDict):
    """Cancel a recurring agreement (and, to check it, its shopper)."""
    recurring_agreement_id: str
    shopper_reference: NotRequired[str]


class ApplePaySessionParams(TypedDict):
    """Apple Pay merchant session: the domain the sheet shows on, and a display name."""
    domain_name: str
    display_name: NotRequired[str]


RequestLike = Union[BaseModel, Mapping[str, Any]]


# --- the sans-I/O exchange -------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedRequest:
    """A signed POST, ready to send. ``repr`` hides the headers: they hold the signature."""

    path: str
    body: bytes = field(repr=False)
    headers: dict[str, str] = field(repr=False)
    retry_safe: bool


@dataclass(frozen=True)
class Pause:
    """The exchange asks its driver to sleep before the next attempt."""

    seconds: float


Reply = Union[httpx.Response, httpx.TransportError, None]
Exchange = Generator[Union[PreparedRequest, Pause], Reply, R]


@dataclass(frozen=True)
class Call(Generic[R]):
    """One operation about to happen: the validated payload and how to read the answer."""

    operation: Operation
    payload: dict[str, Any]
    finish: Callable[[Any], R]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter; a ``Retry-After`` answer is honoured up to ``max_delay``."""

    max_retries: int = 2
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry ``attempt`` (0-based): ``Retry-After`` (capped at
        ``max_delay``) when the answer gave whole seconds, else full jitter up to
        ``base_delay * 2**attempt`` (capped at ``max_delay``).
        """
        if retry_after is not None and retry_after.isdigit():
            return min(float(retry_after), self.max_delay)
        return random.uniform(0, min(self.max_delay, self.base_delay * (2**attempt)))


def _identity(value: Any) -> Any:
    return value


def _loggable(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: payload[k] for k in LOGGABLE_KEYS if k in payload}


class ClientCore:
    """Signing, verification, parsing and the retry policy, shared by the sync and async clients."""

    def __init__(
        self,
        *,
        merchant_id: str,
        private_key: Any,
        platform_public_key: Any,
        app_id: str | None = None,
        env: str | Environment = "stub",
        api_base: str | None = None,
        verify_responses: bool = True,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not merchant_id:
            raise ValidationError("merchant_id", "is required")
        self.merchant_id = merchant_id
        self.app_id = app_id or merchant_id
        try:
            self._private_key = signing.load_private_key(private_key)
        except ValueError as exc:
            raise ValidationError("private_key", str(exc)) from None
        try:
            self._platform_key = signing.load_public_key(platform_public_key)
        except ValueError as exc:
            raise ValidationError("platform_public_key", str(exc)) from None
        self.environment = env if isinstance(env, Environment) else resolve_environment(env, api_base=api_base)
        self.verify_responses = verify_responses
        self.retry = retry or RetryPolicy()

    def __repr__(self) -> str:  # never show keys
        return f"<{type(self).__name__} merchant_id={self.merchant_id!r} env={self.environment.name!r}>"

    @property
    def api_base(self) -> str:
        """The base URL requests go to (the environment's, or ``api_base`` given)."""
        return self.environment.api_base

    # --- building requests -------------------------------------------------------------

    def build_payload(self, request: RequestLike, model: type[BaseModel] | None) -> dict[str, Any]:
        """Validate ``request`` against ``model`` (filling ``merchant_id``) and return the JSON object.

        ``Decimal`` amounts in a mapping are converted to minor units of its currency; a
        float anywhere an amount goes is refused.
        """
        if isinstance(request, BaseModel):
            data = request.model_dump(mode="json", exclude_none=True)
        else:
            data = {k: v for k, v in dict(request).items() if v is not None}
        for key in ("amount", "refund_amount"):
            if isinstance(data.get(key), (Decimal, float)):
                data[key] = money.as_minor(data[key], str(data.get("currency", "")), key)
        data.setdefault("merchant_id", self.merchant_id)
        if model is not None:
            try:
                data = model.model_validate(data).model_dump(mode="json", exclude_none=True)
            except PydanticValidationError as exc:
                message = wire.describe_validation_error(exc)
                field_name, _, rule = message.partition(": ")
                raise ValidationError(field_name, rule or message) from None
        return data

    def call(self, name: str, request: RequestLike, finish: Callable[[Any], R] = _identity) -> Call[R]:
        """The :class:`Call` for catalogue operation ``name``: ``request`` validated into its
        wire model (:class:`ValidationError` naming the field), ``finish`` applied to the answer.
        """
        operation = OPERATIONS[name]
        return Call(operation, self.build_payload(request, operation.request_model), finish)

    def create_session(self, request: RequestLike) -> Call[wire.SessionData]:
        """A session; ``expire_time`` (optional) must be aware and at most 24 hours ahead."""
        expire = request.get("expire_time") if isinstance(request, Mapping) else getattr(request, "expire_time", None)
        if isinstance(expire, datetime):
            check_expire_time(expire)
        call: Call[wire.SessionData] = self.call("create_session", request)
        if isinstance(call.payload.get("expire_time"), str):
            check_expire_time(datetime.fromisoformat(call.payload["expire_time"]))
        return call

    def query_session(self, **params: Unpack[QuerySessionParams]) -> Call[wire.SessionData]:
        """The call of :meth:`PayKKaClient.query_session`."""
        return self.call("query_session", dict(params))

    def initiate_transaction(self, request: RequestLike) -> Call[wire.TransactionData]:
        """The call of :meth:`PayKKaClient.initiate_transaction` (a FAILURE answer raises :class:`DeclinedError`)."""
        return self.call("initiate_transaction", request, _raise_if_declined)

    def query_transaction(self, **params: Unpack[QueryTransactionParams]) -> Call[wire.TransactionData]:
        """The call of :meth:`PayKKaClient.query_transaction`."""
        return self.call("query_transaction", dict(params))

    def capture(self, **params: Unpack[CaptureParams]) -> Call[wire.TransactionData]:
        """The call of :meth:`PayKKaClient.capture` (``amount`` converted to minor units)."""
        payload: dict[str, Any] = dict(params)
        if "amount" in params:
            payload["amount"] = money.as_minor(params["amount"], params.get("currency", ""))
        return self.call("capture", payload)

    def void(self, **params: Unpack[VoidParams]) -> Call[wire.TransactionData]:
        """The call of :meth:`PayKKaClient.void`."""
        return self.call("void", dict(params))

    def refund(self, **params: Unpack[RefundParams]) -> Call[wire.RefundData]:
        """The call of :meth:`PayKKaClient.refund` (``amount`` sent as ``refund_amount`` in minor units)."""
        payload: dict[str, Any] = dict(params)
        payload["refund_amount"] = money.as_minor(payload.pop("amount"), params["currency"], "amount")
        return self.call("refund", payload)

    def query_refund(self, **params: Unpack[QueryRefundParams]) -> Call[wire.RefundData]:
        """The call of :meth:`PayKKaClient.query_refund`."""
        return self.call("query_refund", dict(params))

    def remove_token(self, **params: Unpack[RemoveTokenParams]) -> Call[wire.TokenRemoveData]:
        """The call of :meth:`PayKKaClient.remove_token`."""
        return self.call("remove_token", dict(params))

    def cancel_recurring(self, **params: Unpack[CancelRecurringParams]) -> Call[wire.RecurringCancelData]:
        """The call of :meth:`PayKKaClient.cancel_recurring`."""
        return self.call("cancel_recurring", dict(params))

    def create_apple_pay_session(self, **params: Unpack[ApplePaySessionParams]) -> Call[dict[str, Any]]:
        """The call of :meth:`PayKKaClient.create_apple_pay_session` (the answer read as a dict)."""
        return self.call("create_apple_pay_session", dict(params), _apple_pay_session)

    # --- the exchange ------------------------------------------------------------------

    def prepare(self, path: str, payload: Mapping[str, Any], *, retry_safe: bool) -> PreparedRequest:
        """``payload`` as a signed POST to ``path``: compact UTF-8 JSON, the ``x-paykka-*``
        headers over it, content type, accept and user agent.
        """
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers = signing.signed_headers(self._private_key, self.app_id, path, body)
        headers["content-type"] = "application/json"
        headers["accept"] = "application/json"
        headers["user-agent"] = USER_AGENT
        return PreparedRequest(path, body, headers, retry_safe)

    def reprepare(self, prepared: PreparedRequest) -> PreparedRequest:
        """The same body with a fresh timestamp and nonce: a replayed nonce would be refused."""
        fresh = signing.signed_headers(self._private_key, self.app_id, prepared.path, prepared.body)
        return PreparedRequest(prepared.path, prepared.body, {**prepared.headers, **fresh}, prepared.retry_safe)

    def exchange(self, call: Call[R]) -> Exchange[R]:
        """Run ``call`` under the retry policy, yielding the I/O it needs (see the module docstring)."""
        op = call.operation
        prepared = self.prepare(op.path, call.payload, retry_safe=op.retry_safe)
        attempts = self.retry.max_retries + 1 if op.retry_safe else 1
        log.debug("paykka %s %s %s", op.name, op.path, _loggable(call.payload))
        retry_after: str | None = None
        error: NetworkError | None = None
        for attempt in range(attempts):
            if attempt:
                yield Pause(self.retry.delay(attempt - 1, retry_after))
                prepared = self.reprepare(prepared)
            reply = yield prepared
            if isinstance(reply, httpx.TransportError):
                error = self._network_error(op, reply, attempt, attempts)
                continue
            assert isinstance(reply, httpx.Response), "the driver must send back a response or a transport error"
            if reply.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                log.warning("paykka %s answered HTTP %d, retrying (attempt %d of %d)",
                            op.path, reply.status_code, attempt + 1, attempts)
                retry_after = reply.headers.get("retry-after")
                continue
            try:
                return call.finish(self.parse(prepared, reply, op.response_model))
            except APIError as exc:
                # An earlier attempt may have reached PayKKa; an answer PayKKa did not sign cannot say
                # it did not: the outcome stays unknown (the caller asks PayKKa, or sends it again).
                if attempt and signing.H_SIGN not in reply.headers:
                    raise NetworkError(f"{op.path}: HTTP {reply.status_code} not from PayKKa after "
                                       f"{attempt + 1} attempts; the outcome is unknown") from exc
                raise
        assert error is not None
        raise error

    def _network_error(self, op: Operation, exc: Exception, attempt: int, attempts: int) -> NetworkError:
        log.warning("paykka %s: %s (attempt %d of %d)", op.path, type(exc).__name__, attempt + 1, attempts)
        if op.retry_safe:
            return NetworkError(f"{op.path}: {type(exc).__name__} after {attempt + 1} attempt(s)")
        return NetworkError(
            f"{op.path}: {type(exc).__name__}; the outcome of {op.name} is unknown and it was not retried "
            "(it could act twice): query the transaction before trying again"
        )

    def parse(self, prepared: PreparedRequest, response: httpx.Response, model: type[M] | None) -> Any:
        """Verify the response signature, unwrap the envelope, and type ``data``.

        A 2xx answer must be signed by the platform key. An unsigned error answer
        (a proxy's 503, an edge's 401) can still be reported, because nothing from
        it is trusted as data.
        """
        body = response.content
        status = response.status_code
        signed = signing.H_SIGN in response.headers
        if self.verify_responses and (signed or status < 400):
            try:
                signing.verify_headers(self._platform_key, prepared.path, response.headers, body)
            except SignatureError as exc:
                raise SignatureError(
                    f"response to {prepared.path} (HTTP {status}) failed verification: {exc.message}",
                    ret_code=exc.ret_code,
                ) from None
        if not signed and (status in RETRY_STATUSES or status in UNKNOWN_OUTCOME_STATUSES or status >= 500):
            raise NetworkError(f"{prepared.path}: HTTP {status}")
        try:
            decoded = json.loads(body) if body else {}
        except ValueError:
            raise APIError("999999", f"HTTP {status}: response is not JSON", http_status=status) from None
        if not isinstance(decoded, dict) or "ret_code" not in decoded:
            raise APIError("999999", f"HTTP {status}: response has no ret_code", http_status=status)
        ret_code = str(decoded.get("ret_code"))
        if ret_code != wire.OK:
            raise APIError(ret_code, str(decoded.get("ret_msg", "")), http_status=status)
        if status >= 400 or (self.verify_responses and not signed):
            # Only a signed 2xx answer is trusted as data: an unsigned error answer claiming success is not.
            raise APIError("999999", f"HTTP {status}: an error answer claimed success", http_status=status)
        data = decoded.get("data")
        if model is None:
            return data
        try:
            return model.model_validate(data if data is not None else {})
        except PydanticValidationError as exc:
            raise APIError("999999", f"unexpected response data: {wire.describe_validation_error(exc)}",
                           http_status=status) from None


def _raise_if_declined(tx: wire.TransactionData) -> wire.TransactionData:
    if tx.status == "FAILURE":
        raise DeclinedError(tx.error_code or "9999", tx.error_description or "declined", data=tx)
    return tx


def _apple_pay_session(data: Any) -> dict[str, Any]:
    """PayKKa documents the answer as a string of Apple's merchant-session JSON; accept an object too."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise APIError("999999", "apple pay session: data is not JSON") from None
    if not isinstance(data, dict):
        raise APIError("999999", "apple pay session: data is not an object")
    return data


# --- the two faces ---------------------------------------------------------------------------


class _Face:
    """What both faces share: construction and the one-line operation methods' plumbing."""

    core: ClientCore

    def __repr__(self) -> str:
        return repr(self.core).replace("ClientCore", type(self).__name__)

    @property
    def merchant_id(self) -> str:
        return self.core.merchant_id

    @property
    def retry(self) -> RetryPolicy:
        return self.core.retry


class PayKKaClient(_Face):
    """Synchronous PayKKa v3 client.

    >>> client = PayKKaClient(merchant_id="...", private_key=pem, platform_public_key=pem, env="sandbox")
    >>> session = client.create_session({"trans_id": "order-1-1", "amount": Decimal("8.00"), "currency": "HKD"})
    """

    def __init__(
        self,
        *,
        merchant_id: str,
        private_key: Any,
        platform_public_key: Any,
        app_id: str | None = None,
        env: str | Environment = "stub",
        api_base: str | None = None,
        timeout: float | httpx.Timeout = 15.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.core = ClientCore(merchant_id=merchant_id, private_key=private_key,
                               platform_public_key=platform_public_key, app_id=app_id, env=env,
                               api_base=api_base, retry=retry)
        self._http = httpx.Client(base_url=self.core.api_base, timeout=timeout, transport=transport)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> "PayKKaClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, call: Call[R]) -> R:
        """Drive :meth:`ClientCore.exchange` with blocking I/O."""
        steps = self.core.exchange(call)
        reply: Reply = None
        while True:
            try:
                action = steps.send(reply)
            except StopIteration as done:
                result: R = done.value
                return result
            if isinstance(action, Pause):
                time.sleep(action.seconds)
                reply = None
                continue
            try:
                reply = self._http.post(action.path, content=action.body, headers=action.headers)
            except httpx.TransportError as exc:
                reply = exc

    def create_session(self, request: RequestLike) -> wire.SessionData:
        """Create Session (``POST /v3/payment/acq/session``): a checkout for one payment.

        Sends ``request`` (a :class:`wire.CreateSessionRequest` or a mapping of its fields;
        ``merchant_id`` is filled in; ``amount`` as ``int`` minor units or ``Decimal`` major
        units of ``currency``; ``expire_time`` aware and at most 24 hours ahead). Returns
        :class:`wire.SessionData` (``session_id``, ``session_url``, ``status``...).
        Retried on 429/5xx and timeouts: the same ``trans_id`` returns the same session.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.create_session(request))

    def query_session(self, **params: Unpack[QuerySessionParams]) -> wire.SessionData:
        """Query Session (``POST /v3/payment/acq/session/query``) by ``session_id`` or ``trans_id``.

        Returns :class:`wire.SessionData`; ``status`` reads ``EXPIRED`` once an unpaid
        session is past ``expire_time``, and ``order_id`` names the paid order. Retried.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.query_session(**params))

    def initiate_transaction(self, request: RequestLike) -> wire.TransactionData:
        """Initiate Transaction (``POST /v3/payment/acq``): charge without a browser.

        Sends ``request`` (a :class:`wire.InitiateTransactionRequest` or a mapping) with one
        source of payment: a stored ``payment.token`` (with ``mit: true`` and its
        ``recurring_agreement_id`` for a merchant-initiated charge), ``encrypted_card_no``,
        or a wallet's ``token_data``. Returns :class:`wire.TransactionData` (``SUCCESS``,
        ``AUTHORIZED``, or ``PROCESSING`` with a 3DS ``authentication_result``). A declined
        charge raises :class:`DeclinedError` (``error_code``, ``error_description``, the
        transaction in ``.data``). Sent exactly once, never retried: after a timeout the
        outcome is unknown, so query the transaction before trying again.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.initiate_transaction(request))

    def query_transaction(self, **params: Unpack[QueryTransactionParams]) -> wire.TransactionData:
        """Query Transaction (``POST /v3/payment/acq/query``) by ``order_id``, ``session_id`` or ``trans_id``.

        Returns :class:`wire.TransactionData` with its ``balances`` (minor units). Retried.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.query_transaction(**params))

    def capture(self, **params: Unpack[CaptureParams]) -> wire.TransactionData:
        """Capture (``POST /v3/payment/acq/capture``) an ``AUTHORIZED`` order.

        ``amount`` (``Decimal`` major or ``int`` minor units of ``currency``) captures part
        of it and releases the rest; without it, everything. ``capture_trans_id`` makes a
        repeat answer the first result. Returns :class:`wire.TransactionData`. Sent once,
        never retried (query the transaction before trying again).

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.capture(**params))

    def void(self, **params: Unpack[VoidParams]) -> wire.TransactionData:
        """Void (``POST /v3/payment/acq/void``) an ``AUTHORIZED`` order before anything is captured.

        Returns :class:`wire.TransactionData` (``CANCELED``). Sent once, never retried.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.void(**params))

    def refund(self, **params: Unpack[RefundParams]) -> wire.RefundData:
        """Refund (``POST /v3/payment/acq/refund``) part or all of a captured order.

        ``amount`` (``Decimal`` major or ``int`` minor units of ``currency``) travels as
        ``refund_amount`` in minor units. Returns :class:`wire.RefundData` (``SUCCESS``,
        ``FAILURE``, or ``REVIEWING`` until PayKKa's review ends). Retried: the same
        ``refund_trans_id`` returns the same refund.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.refund(**params))

    def query_refund(self, **params: Unpack[QueryRefundParams]) -> wire.RefundData:
        """Refund Query (``POST /v3/payment/acq/refund/query``) by ``refund_trans_id`` or ``refund_order_id``.

        Returns :class:`wire.RefundData`. Retried.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.query_refund(**params))

    def remove_token(self, **params: Unpack[RemoveTokenParams]) -> wire.TokenRemoveData:
        """Remove a stored card (``POST /v3/payment/acq/token/remove``) of ``shopper_reference``.

        Returns :class:`wire.TokenRemoveData` (``REMOVED``). Sent once, never retried.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.remove_token(**params))

    def cancel_recurring(self, **params: Unpack[CancelRecurringParams]) -> wire.RecurringCancelData:
        """Cancel a recurring agreement (``POST /v3/payment/acq/recurring/cancel``).

        Returns :class:`wire.RecurringCancelData` (``CANCELED``); cancelling a canceled
        agreement answers the same. Sent once, never retried.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.cancel_recurring(**params))

    def create_apple_pay_session(self, **params: Unpack[ApplePaySessionParams]) -> dict[str, Any]:
        """Apple Pay merchant session (``POST /v3/payment/acq/apple-pay/create-session``).

        Sends ``domain_name`` (and ``display_name``); returns Apple's merchant-session object
        as a ``dict`` (PayKKa sends it as JSON text), ready for
        ``ApplePaySession.completeMerchantValidation``. Retried.

        Raises :class:`ValidationError` (naming the field) before sending when the input
        breaks the wire model, :class:`APIError` when PayKKa answers a ``ret_code`` other
        than ``000000``, :class:`SignatureError` when the answer is not signed by the
        platform key, and :class:`NetworkError` when PayKKa cannot be reached.
        """
        return self.run(self.core.create_apple_pay_session(**params))


class AsyncPayKKaClient(_Face):
    """Asynchronous twin of :class:`PayKKaClient`: the same methods, awaited, over the same core."""

    def __init__(
        self,
        *,
        merchant_id: str,
        private_key: Any,
        platform_public_key: Any,
        app_id: str | None = None,
        env: str | Environment = "stub",
        api_base: str | None = None,
        timeout: float | httpx.Timeout = 15.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.core = ClientCore(merchant_id=merchant_id, private_key=private_key,
                               platform_public_key=platform_public_key, app_id=app_id, env=env,
                               api_base=api_base, retry=retry)
        self._http = httpx.AsyncClient(base_url=self.core.api_base, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncPayKKaClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def run(self, call: Call[R]) -> R:
        """Drive :meth:`ClientCore.exchange` with asyncio I/O."""
        steps = self.core.exchange(call)
        reply: Reply = None
        while True:
            try:
                action = steps.send(reply)
            except StopIteration as done:
                result: R = done.value
                return result
            if isinstance(action, Pause):
                await asyncio.sleep(action.seconds)
                reply = None
                continue
            try:
                reply = await self._http.post(action.path, content=action.body, headers=action.headers)
            except httpx.TransportError as exc:
                reply = exc

    async def create_session(self, request: RequestLike) -> wire.SessionData:
        """Awaitable :meth:`PayKKaClient.create_session`: the same request, answer, errors and retries."""
        return await self.run(self.core.create_session(request))

    async def query_session(self, **params: Unpack[QuerySessionParams]) -> wire.SessionData:
        """Awaitable :meth:`PayKKaClient.query_session`: the same request, answer, errors and retries."""
        return await self.run(self.core.query_session(**params))

    async def initiate_transaction(self, request: RequestLike) -> wire.TransactionData:
        """Awaitable :meth:`PayKKaClient.initiate_transaction`: the same request, answer, errors and retries."""
        return await self.run(self.core.initiate_transaction(request))

    async def query_transaction(self, **params: Unpack[QueryTransactionParams]) -> wire.TransactionData:
        """Awaitable :meth:`PayKKaClient.query_transaction`: the same request, answer, errors and retries."""
        return await self.run(self.core.query_transaction(**params))

    async def capture(self, **params: Unpack[CaptureParams]) -> wire.TransactionData:
        """Awaitable :meth:`PayKKaClient.capture`: the same request, answer, errors and retries."""
        return await self.run(self.core.capture(**params))

    async def void(self, **params: Unpack[VoidParams]) -> wire.TransactionData:
        """Awaitable :meth:`PayKKaClient.void`: the same request, answer, errors and retries."""
        return await self.run(self.core.void(**params))

    async def refund(self, **params: Unpack[RefundParams]) -> wire.RefundData:
        """Awaitable :meth:`PayKKaClient.refund`: the same request, answer, errors and retries."""
        return await self.run(self.core.refund(**params))

    async def query_refund(self, **params: Unpack[QueryRefundParams]) -> wire.RefundData:
        """Awaitable :meth:`PayKKaClient.query_refund`: the same request, answer, errors and retries."""
        return await self.run(self.core.query_refund(**params))

    async def remove_token(self, **params: Unpack[RemoveTokenParams]) -> wire.TokenRemoveData:
        """Awaitable :meth:`PayKKaClient.remove_token`: the same request, answer, errors and retries."""
        return await self.run(self.core.remove_token(**params))

    async def cancel_recurring(self, **params: Unpack[CancelRecurringParams]) -> wire.RecurringCancelData:
        """Awaitable :meth:`PayKKaClient.cancel_recurring`: the same request, answer, errors and retries."""
        return await self.run(self.core.cancel_recurring(**params))

    async def create_apple_pay_session(self, **params: Unpack[ApplePaySessionParams]) -> dict[str, Any]:
        """Awaitable :meth:`PayKKaClient.create_apple_pay_session`: the same request, answer, errors and retries."""
        return await self.run(self.core.create_apple_pay_session(**params))
