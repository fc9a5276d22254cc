"""The PayKKa v3 client: one core that signs, verifies and parses, with sync and async faces.

:class:`ClientCore` holds everything that does not touch the network: building the
signed request, checking the response signature with the platform key, unwrapping
the envelope into a typed model, and deciding whether a failure may be retried.
:class:`PayKKaClient` (httpx.Client) and :class:`AsyncPayKKaClient`
(httpx.AsyncClient) only move bytes and sleep between retries.

Retries happen only where repeating the request cannot charge twice: creating a
session and every query are keyed by ``trans_id`` (PayKKa returns the same session
for the same ``trans_id``), refunds by ``refund_trans_id``. Initiating a
transaction, capture and void are sent once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Mapping, TypeVar

import httpx
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from . import signing, wire
from .envs import Environment, resolve_environment
from .errors import APIError, NetworkError, SignatureError, ValidationError

log = logging.getLogger("paykka_embed.client")

M = TypeVar("M", bound=BaseModel)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "paykka-embed/0.1 (+python httpx)"


@dataclass(frozen=True)
class PreparedRequest:
    path: str
    body: bytes
    headers: dict[str, str]
    retry_safe: bool


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter."""

    max_retries: int = 2
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay, self.base_delay * (2**attempt)))


class ClientCore:
    """Signing, verification and parsing shared by the sync and async clients."""

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

    def __repr__(self) -> str:  # never show keys
        return f"<{type(self).__name__} merchant_id={self.merchant_id!r} env={self.environment.name!r}>"

    @property
    def api_base(self) -> str:
        return self.environment.api_base

    def build_payload(self, request: BaseModel | Mapping[str, Any], model: type[BaseModel] | None) -> dict[str, Any]:
        """Validate ``request`` against ``model`` (filling ``merchant_id``) and return the JSON object."""
        if isinstance(request, BaseModel):
            data = request.model_dump(mode="json", exclude_none=True)
        else:
            data = {k: v for k, v in dict(request).items() if v is not None}
        data.setdefault("merchant_id", self.merchant_id)
        if model is not None:
            try:
                data = model.model_validate(data).model_dump(mode="json", exclude_none=True)
            except PydanticValidationError as exc:
                message = wire.describe_validation_error(exc)
                field, _, rule = message.partition(": ")
                raise ValidationError(field, rule or message) from None
        return data

    def prepare(self, path: str, payload: Mapping[str, Any], *, retry_safe: bool) -> PreparedRequest:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers = signing.signed_headers(self._private_key, self.app_id, path, body)
        headers["content-type"] = "application/json"
        headers["accept"] = "application/json"
        headers["user-agent"] = USER_AGENT
        return PreparedRequest(path, body, headers, retry_safe)

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
        if status in RETRY_STATUSES and not signed:
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
        data = decoded.get("data")
        if model is None:
            return data
        try:
            return model.model_validate(data if data is not None else {})
        except PydanticValidationError as exc:
            raise APIError("999999", f"unexpected response data: {wire.describe_validation_error(exc)}",
                           http_status=status) from None

    def reprepare(self, prepared: PreparedRequest) -> PreparedRequest:
        """The same body with a fresh timestamp and nonce: a replayed nonce would be refused."""
        return PreparedRequest(
            prepared.path, prepared.body,
            {**prepared.headers, **signing.signed_headers(self._private_key, self.app_id, prepared.path,
                                                          prepared.body)},
            prepared.retry_safe,
        )

    def should_retry(self, status: int, attempt: int, attempts: int) -> bool:
        if status in RETRY_STATUSES and attempt + 1 < attempts:
            log.warning("paykka answered HTTP %d, retrying (attempt %d of %d)", status, attempt + 1, attempts)
            return True
        return False

    def network_error(self, prepared: PreparedRequest, exc: Exception, attempt: int, attempts: int) -> NetworkError:
        log.warning("paykka %s: %s (attempt %d of %d)", prepared.path, type(exc).__name__, attempt + 1, attempts)
        return NetworkError(f"{prepared.path}: {type(exc).__name__} after {attempt + 1} attempt(s)")


# Each operation: (path, request model, response model, retry-safe).
OPERATIONS: dict[str, tuple[str, type[BaseModel] | None, type[BaseModel] | None, bool]] = {
    "create_session": (wire.PATH_CREATE_SESSION, wire.CreateSessionRequest, wire.SessionData, True),
    "query_session": (wire.PATH_QUERY_SESSION, wire.QuerySessionRequest, wire.SessionData, True),
    "query_transaction": (wire.PATH_QUERY, wire.QueryTransactionRequest, wire.TransactionData, True),
}


class PayKKaClient:
    """Synchronous PayKKa v3 client.

    >>> client = PayKKaClient(merchant_id="...", private_key=pem, platform_public_key=pem, env="sandbox")
    >>> session = client.create_session({"trans_id": "order-1-1", "amount": 800, "currency": "HKD"})
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
        timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.core = ClientCore(
            merchant_id=merchant_id, private_key=private_key, platform_public_key=platform_public_key,
            app_id=app_id, env=env, api_base=api_base,
        )
        self.retry = retry or RetryPolicy()
        self._http = httpx.Client(base_url=self.core.api_base, timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        return repr(self.core).replace("ClientCore", type(self).__name__)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "PayKKaClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, operation: str, request: BaseModel | Mapping[str, Any]) -> Any:
        path, req_model, resp_model, retry_safe = OPERATIONS[operation]
        prepared = self.core.prepare(path, self.core.build_payload(request, req_model), retry_safe=retry_safe)
        return self._send(prepared, resp_model)

    def _send(self, prepared: PreparedRequest, model: type[M] | None) -> Any:
        attempts = self.retry.max_retries + 1 if prepared.retry_safe else 1
        error: NetworkError | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.retry.delay(attempt - 1))
                prepared = self.core.reprepare(prepared)
            try:
                response = self._http.post(prepared.path, content=prepared.body, headers=prepared.headers)
            except httpx.TransportError as exc:
                error = self.core.network_error(prepared, exc, attempt, attempts)
                continue
            if self.core.should_retry(response.status_code, attempt, attempts):
                continue
            return self.core.parse(prepared, response, model)
        assert error is not None
        raise error

    def create_session(self, request: wire.CreateSessionRequest | Mapping[str, Any]) -> wire.SessionData:
        result: wire.SessionData = self.call("create_session", request)
        return result

    def query_session(
        self, *, session_id: str | None = None, trans_id: str | None = None
    ) -> wire.SessionData:
        result: wire.SessionData = self.call("query_session", {"session_id": session_id, "trans_id": trans_id})
        return result

    def query_transaction(
        self, *, trans_id: str | None = None, order_id: str | None = None, session_id: str | None = None
    ) -> wire.TransactionData:
        result: wire.TransactionData = self.call(
            "query_transaction", {"trans_id": trans_id, "order_id": order_id, "session_id": session_id}
        )
        return result


class AsyncPayKKaClient:
    """Asynchronous twin of :class:`PayKKaClient` over the same :class:`ClientCore`."""

    def __init__(
        self,
        *,
        merchant_id: str,
        private_key: Any,
        platform_public_key: Any,
        app_id: str | None = None,
        env: str | Environment = "stub",
        api_base: str | None = None,
        timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.core = ClientCore(
            merchant_id=merchant_id, private_key=private_key, platform_public_key=platform_public_key,
            app_id=app_id, env=env, api_base=api_base,
        )
        self.retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(base_url=self.core.api_base, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncPayKKaClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def call(self, operation: str, request: BaseModel | Mapping[str, Any]) -> Any:
        path, req_model, resp_model, retry_safe = OPERATIONS[operation]
        prepared = self.core.prepare(path, self.core.build_payload(request, req_model), retry_safe=retry_safe)
        attempts = self.retry.max_retries + 1 if retry_safe else 1
        error: NetworkError | None = None
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self.retry.delay(attempt - 1))
                prepared = self.core.reprepare(prepared)
            try:
                response = await self._http.post(prepared.path, content=prepared.body, headers=prepared.headers)
            except httpx.TransportError as exc:
                error = self.core.network_error(prepared, exc, attempt, attempts)
                continue
            if self.core.should_retry(response.status_code, attempt, attempts):
                continue
            return self.core.parse(prepared, response, resp_model)
        assert error is not None
        raise error

    async def create_session(self, request: wire.CreateSessionRequest | Mapping[str, Any]) -> wire.SessionData:
        result: wire.SessionData = await self.call("create_session", request)
        return result

    async def query_session(
        self, *, session_id: str | None = None, trans_id: str | None = None
    ) -> wire.SessionData:
        result: wire.SessionData = await self.call(
            "query_session", {"session_id": session_id, "trans_id": trans_id}
        )
        return result

    async def query_transaction(
        self, *, trans_id: str | None = None, order_id: str | None = None, session_id: str | None = None
    ) -> wire.TransactionData:
        result: wire.TransactionData = await self.call(
            "query_transaction", {"trans_id": trans_id, "order_id": order_id, "session_id": session_id}
        )
        return result
