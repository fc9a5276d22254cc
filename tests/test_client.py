"""The signed v3 client against a fake PayKKa (httpx.MockTransport) that signs its answers with a
test platform key: what goes out, what is trusted coming back, retries, and what is refused early."""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import json
import pickle
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import httpx
import pytest

from paykka_embed import AsyncPayKKaClient, PayKKaClient, signing, wire
from paykka_embed.client import RetryPolicy
from paykka_embed.errors import (
    APIError,
    DeclinedError,
    NetworkError,
    PayKKaError,
    SignatureError,
    ValidationError,
)

MERCHANT_ID = "18356675194960"
MERCHANT_KEY = signing.generate_private_key()
PLATFORM_KEY = signing.generate_private_key()
MERCHANT_PEM = signing.private_pem(MERCHANT_KEY)
PLATFORM_PUBLIC_PEM = signing.public_pem(PLATFORM_KEY)
NO_WAIT = RetryPolicy(max_retries=2, base_delay=0, max_delay=0)
HK = timezone(timedelta(hours=8))
API_HOST = "openapi-sandbox.paykka.com"


def order(**changes: Any) -> dict[str, Any]:
    """A Create Session request as a merchant writes it (no merchant_id: the client fills it in)."""
    expire = (datetime.now(timezone.utc) + timedelta(minutes=30)).astimezone(HK).replace(microsecond=0)
    data: dict[str, Any] = {
        "trans_id": "m3246749195217",
        "amount": 800,
        "currency": "HKD",
        "session_mode": "DROP_IN",
        "expire_time": expire,
        "return_url": "https://shop.example/return",
        "display_merchant_name": "港式茶餐廳 Café",
    }
    for name, value in changes.items():
        if value is ...:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def session_for(request: httpx.Request) -> dict[str, Any]:
    """The session PayKKa would answer for this Create Session request (echoing its fields)."""
    sent = json.loads(request.content)
    return {
        "merchant_id": sent["merchant_id"],
        "trans_id": sent.get("trans_id", "m3246749195217"),
        "session_id": "CS208760010022288125",
        "session_mode": sent.get("session_mode", "HOSTED"),
        "status": "PROCESSING",
        "amount": str(sent.get("amount", 800)),
        "currency": sent.get("currency", "HKD"),
        "expire_time": sent.get("expire_time", "2030-01-01T00:00:00+08:00"),
        "session_url": "https://checkout.aq.paykka.com/hp/pay/CS208760010022288125",
    }


TRANSACTION = {
    "merchant_id": MERCHANT_ID, "trans_id": "m3246749195217", "order_id": "GW208760010022288125",
    "session_id": "CS208760010022288125", "status": "SUCCESS", "error_code": "0000",
    "error_description": "request success", "amount": "800", "currency": "HKD",
    "pay_finish_time": "2025-05-05T17:17:24+08:00",
}

Action = Callable[[httpx.Request], httpx.Response]


def answer(
    data: Any = None,
    *,
    status: int = 200,
    ret_code: str = "000000",
    ret_msg: str = "Success",
    signed: bool = True,
    key: Any = PLATFORM_KEY,
    sign_path: str | None = None,
    timestamp_ms: int | None = None,
    after_signing: Callable[[bytes], bytes] | None = None,
) -> Action:
    """A fake PayKKa answer; by default a signed success carrying the session for the request."""

    def respond(request: httpx.Request) -> httpx.Response:
        payload = session_for(request) if data is None and ret_code == "000000" else data
        raw = json.dumps(wire.envelope(payload, ret_code=ret_code, ret_msg=ret_msg), ensure_ascii=False).encode()
        headers = {"content-type": "application/json"}
        if signed:
            headers.update(signing.signed_headers(key, "paykka", sign_path or request.url.path, raw,
                                                  timestamp_ms=timestamp_ms))
        if after_signing is not None:
            raw = after_signing(raw)
        return httpx.Response(status, content=raw, headers=headers)

    return respond


def raw_answer(status: int, body: bytes = b"", **headers: str) -> Action:
    """An answer nobody signed: a proxy's or load balancer's page."""
    return lambda request: httpx.Response(status, content=body, headers=headers)


def connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


class FakePayKKa:
    """Records every request and plays a script of answers (then signed successes)."""

    def __init__(self, *script: Action) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        action = self.script.pop(0) if self.script else answer()
        return action(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    @property
    def nonces(self) -> list[str]:
        return [r.headers["x-paykka-nonce"] for r in self.requests]


def make_client(fake: Callable[[httpx.Request], httpx.Response], **options: Any) -> PayKKaClient:
    kwargs: dict[str, Any] = dict(merchant_id=MERCHANT_ID, private_key=MERCHANT_PEM,
                                  platform_public_key=PLATFORM_PUBLIC_PEM, env="sandbox", retry=NO_WAIT,
                                  transport=httpx.MockTransport(fake))
    kwargs.update(options)
    return PayKKaClient(**kwargs)


def make_async_client(fake: Callable[[httpx.Request], httpx.Response]) -> AsyncPayKKaClient:
    return AsyncPayKKaClient(merchant_id=MERCHANT_ID, private_key=MERCHANT_PEM,
                             platform_public_key=PLATFORM_PUBLIC_PEM, env="sandbox", retry=NO_WAIT,
                             transport=httpx.MockTransport(fake))


def run_async(job: Callable[[], Any]) -> Any:
    """asyncio.run in a thread of its own, so a loop already running in this thread cannot interfere."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(job())).result(timeout=30)


def must_not_send(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing should have been sent, but {request.url} was")


# --- what goes out -----------------------------------------------------------------------------


def test_request_carries_every_header_and_a_signature_over_the_exact_body() -> None:
    fake = FakePayKKa()
    with make_client(fake) as client:
        client.create_session(order())
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.url.host == API_HOST
    assert request.url.path == "/v3/payment/acq/session"
    h = request.headers
    assert h["x-paykka-appid"] == MERCHANT_ID  # falls back to merchant_id, as PayKKa's plugin does
    assert h["x-paykka-sign-alg"] == "SHA256_WITH_RSA"
    assert re.fullmatch(r"[0-9]{13}", h["x-paykka-timestamp"])
    assert abs(int(h["x-paykka-timestamp"]) - signing.now_ms()) < 60_000
    assert re.fullmatch(r"[0-9]{10,100}", h["x-paykka-nonce"])
    assert h["content-type"] == "application/json"
    assert re.fullmatch(r"(?:[A-Za-z0-9]|%2B|%2F|%3D)+", h["x-paykka-sign"])
    # PayKKa's side of it: the merchant's public key over the bytes that arrived.
    verified = signing.verify_headers(MERCHANT_KEY.public_key(), request.url.path, h, request.content)
    assert verified.app_id == MERCHANT_ID
    with pytest.raises(SignatureError):
        signing.verify_headers(MERCHANT_KEY.public_key(), request.url.path, h, request.content + b" ")


def test_body_is_utf8_json_with_merchant_id_filled_in() -> None:
    fake = FakePayKKa()
    with make_client(fake) as client:
        client.create_session(order())
    (body,) = fake.bodies
    assert body["merchant_id"] == MERCHANT_ID
    assert body["amount"] == 800 and body["currency"] == "HKD"
    assert body["trans_id"] == "m3246749195217"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", body["expire_time"])
    # Non-ASCII travels as UTF-8 bytes (signed as such), not as \u escapes.
    assert "港式茶餐廳 Café".encode() in fake.requests[0].content


def test_app_id_is_sent_when_configured() -> None:
    fake = FakePayKKa()
    with make_client(fake, app_id="978594372956732") as client:
        client.create_session(order())
    assert fake.requests[0].headers["x-paykka-appid"] == "978594372956732"
    assert fake.bodies[0]["merchant_id"] == MERCHANT_ID


def test_create_session_returns_the_typed_session() -> None:
    with make_client(FakePayKKa()) as client:
        session = client.create_session(order())
    assert isinstance(session, wire.SessionData)
    assert session.session_id == "CS208760010022288125"
    assert session.amount == 800 and session.session_mode == "DROP_IN"


def test_create_session_takes_a_model_too() -> None:
    fake = FakePayKKa()
    request = wire.CreateSessionRequest(merchant_id=MERCHANT_ID, trans_id="order-7", amount=1234, currency="KWD")
    with make_client(fake) as client:
        session = client.create_session(request)
    assert fake.bodies[0]["amount"] == 1234 and fake.bodies[0]["currency"] == "KWD"
    assert session.trans_id == "order-7"


def test_query_session_and_transaction() -> None:
    fake = FakePayKKa(answer(), answer(TRANSACTION))
    with make_client(fake) as client:
        session = client.query_session(session_id="CS208760010022288125")
        tx = client.query_transaction(order_id="GW208760010022288125")
    assert [r.url.path for r in fake.requests] == ["/v3/payment/acq/session/query", "/v3/payment/acq/query"]
    # Only the keys given travel (no nulls), plus merchant_id.
    assert fake.bodies[0] == {"merchant_id": MERCHANT_ID, "session_id": "CS208760010022288125"}
    assert fake.bodies[1] == {"merchant_id": MERCHANT_ID, "order_id": "GW208760010022288125"}
    assert session.session_id == "CS208760010022288125"
    assert isinstance(tx, wire.TransactionData) and tx.status == "SUCCESS" and tx.amount == 800


# --- what is trusted coming back ---------------------------------------------------------------


BAD_SIGNATURES = {
    "unsigned": (answer(signed=False), "206002"),
    "signed-by-another-key": (answer(key=MERCHANT_KEY), "206003"),
    "signed-for-another-path": (answer(sign_path="/v3/payment/acq/query"), "206003"),
    "body-changed-after-signing": (answer(after_signing=lambda raw: raw.replace(b"PROCESSING", b"SUCCESS")),
                                   "206003"),
    "ten-minutes-old": (answer(timestamp_ms=signing.now_ms() - 600_000), "206004"),
}


@pytest.mark.parametrize("case", list(BAD_SIGNATURES))
def test_answer_without_a_valid_platform_signature_is_refused(case: str) -> None:
    action, ret_code = BAD_SIGNATURES[case]
    fake = FakePayKKa(action)
    with make_client(fake) as client, pytest.raises(SignatureError) as info:
        client.create_session(order())
    assert info.value.ret_code == ret_code
    assert len(fake.requests) == 1  # a forged answer is an alarm, not something to retry


@pytest.mark.parametrize("status,ret_code,ret_msg", [
    (200, "206011", "The session does not exist"),
    (400, "010000", "amount: must be a positive integer in minor units"),
    (403, "206007", "Merchant disabled"),
])
def test_signed_refusal_is_an_api_error(status: int, ret_code: str, ret_msg: str) -> None:
    fake = FakePayKKa(answer({}, status=status, ret_code=ret_code, ret_msg=ret_msg))
    with make_client(fake) as client, pytest.raises(APIError) as info:
        client.create_session(order())
    assert info.value.ret_code == ret_code
    assert info.value.ret_msg == ret_msg
    assert info.value.http_status == status
    assert len(fake.requests) == 1


def test_unsigned_error_answer_is_still_reported_as_api_error() -> None:
    """An edge's 401 carries no platform signature; its ret_code is reported, nothing is trusted."""
    body = json.dumps({"ret_code": "206003", "ret_msg": "Signature error"}).encode()
    fake = FakePayKKa(raw_answer(401, body, **{"content-type": "application/json"}))
    with make_client(fake) as client, pytest.raises(APIError) as info:
        client.create_session(order())
    assert (info.value.ret_code, info.value.http_status) == ("206003", 401)


def test_unsigned_error_status_never_yields_data() -> None:
    """An unsigned answer may report an error, but never hand back data, whatever its status."""
    def forged(request: httpx.Request) -> httpx.Response:
        body = json.dumps(wire.envelope(session_for(request))).encode()
        return httpx.Response(400, content=body, headers={"content-type": "application/json"})

    with make_client(FakePayKKa(forged)) as client, pytest.raises(PayKKaError):
        client.create_session(order())


def test_signed_answer_that_is_not_json_is_an_api_error() -> None:
    def not_json(request: httpx.Request) -> httpx.Response:
        raw = b"<html>oops</html>"
        headers = signing.signed_headers(PLATFORM_KEY, "paykka", request.url.path, raw)
        return httpx.Response(200, content=raw, headers=headers)

    with make_client(FakePayKKa(not_json)) as client, pytest.raises(APIError) as info:
        client.create_session(order())
    assert info.value.ret_code == "999999"


# --- retries -----------------------------------------------------------------------------------


FAULTS: dict[str, Action] = {
    "503": raw_answer(503, b"Service Unavailable"),
    "429": raw_answer(429, b"Too Many Requests"),
    "connect-error": connect_error,
}


def _assert_fresh_and_signed(fake: FakePayKKa) -> None:
    assert len(set(fake.nonces)) == len(fake.nonces), "every attempt needs a fresh nonce"
    assert len({r.content for r in fake.requests}) == 1, "the body must not change between attempts"
    for request in fake.requests:
        signing.verify_headers(MERCHANT_KEY.public_key(), request.url.path, request.headers, request.content)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_create_session_is_retried_then_succeeds(fault: str) -> None:
    fake = FakePayKKa(FAULTS[fault], FAULTS[fault], answer())
    with make_client(fake) as client:
        session = client.create_session(order())
    assert session.session_id == "CS208760010022288125"
    assert len(fake.requests) == 3
    _assert_fresh_and_signed(fake)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_create_session_gives_up_with_network_error(fault: str) -> None:
    fake = FakePayKKa(FAULTS[fault], FAULTS[fault], FAULTS[fault], answer())
    with make_client(fake) as client, pytest.raises(NetworkError) as info:
        client.create_session(order())
    assert len(fake.requests) == 3  # max_retries=2: one try and two retries, never a fourth
    assert "/v3/payment/acq/session" in str(info.value)
    _assert_fresh_and_signed(fake)


def test_mixed_faults_count_against_the_same_budget() -> None:
    fake = FakePayKKa(connect_error, FAULTS["503"], connect_error, answer())
    with make_client(fake) as client, pytest.raises(NetworkError):
        client.create_session(order())
    assert len(fake.requests) == 3


def test_no_retries_when_the_policy_says_none() -> None:
    fake = FakePayKKa(FAULTS["503"], answer())
    with make_client(fake, retry=RetryPolicy(max_retries=0, base_delay=0, max_delay=0)) as client:
        with pytest.raises(NetworkError):
            client.create_session(order())
    assert len(fake.requests) == 1


def test_a_plain_4xx_is_not_retried() -> None:
    fake = FakePayKKa(raw_answer(404, b"not found"), answer())
    with make_client(fake) as client, pytest.raises(PayKKaError):
        client.create_session(order())
    assert len(fake.requests) == 1


# --- refused before anything is sent -----------------------------------------------------------


@pytest.mark.parametrize("request_data,field", [
    (order(amount="8.00"), "amount"),
    (order(amount=0), "amount"),
    (order(amount=-1), "amount"),
    (order(amount=1.5), "amount"),
    (order(amount=True), "amount"),
    (order(amout=800), "amout"),
    (order(currency="hkd"), "currency"),
    (order(trans_id=...), "trans_id"),
    (order(payment_type="RECURRING"), "payment.store_payment_method"),
    (order(expire_time="2025-05-05T17:17:24"), "expire_time"),
], ids=["amount-text-decimal", "zero", "negative", "float", "bool", "unknown-field", "currency", "no-trans-id",
        "recurring-without-storing", "naive-expire-time"])
def test_bad_request_is_refused_before_sending(request_data: dict[str, Any], field: str) -> None:
    with make_client(must_not_send) as client, pytest.raises(ValidationError) as info:
        client.create_session(copy.deepcopy(request_data))
    assert info.value.field == field
    assert info.value.ret_code == "010000"


def test_query_without_a_key_is_refused_before_sending() -> None:
    with make_client(must_not_send) as client, pytest.raises(ValidationError):
        client.query_transaction()


# --- construction and repr ---------------------------------------------------------------------


def _key_fragments() -> list[str]:
    body = "".join(line for line in MERCHANT_PEM.splitlines() if not line.startswith("-----"))
    numbers = MERCHANT_KEY.private_numbers()
    return ["PRIVATE KEY", body[:40], body[-40:], str(numbers.d)[:30], str(numbers.p)[:30],
            format(numbers.d, "x")[:30]]


def test_repr_never_shows_the_key() -> None:
    client = make_client(must_not_send)
    async_client = make_async_client(must_not_send)
    try:
        for text in (repr(client), str(client), repr(client.core), repr(async_client)):
            assert not [f for f in _key_fragments() if f in text], text
        assert MERCHANT_ID in repr(client)
    finally:
        client.close()
        run_async(async_client.aclose)


@pytest.mark.parametrize("name,value", [
    ("private_key", "not a key"),
    ("private_key", None),
    ("private_key", PLATFORM_PUBLIC_PEM),
    ("platform_public_key", "not a key"),
    ("platform_public_key", None),
])
def test_unusable_keys_are_a_validation_error_naming_the_setting(name: str, value: Any) -> None:
    """None is an unset setting: it used to escape as AttributeError from the key loader."""
    with pytest.raises(ValidationError) as info:
        make_client(must_not_send, **{name: value})
    assert info.value.field == name


def test_a_broken_key_is_not_echoed_in_the_error() -> None:
    lines = MERCHANT_PEM.splitlines()
    broken = "\n".join([lines[0], lines[1][::-1], *lines[2:]])
    with pytest.raises(ValidationError) as info:
        make_client(must_not_send, private_key=broken)
    assert lines[1][::-1][:20] not in str(info.value)


# --- the async twin ----------------------------------------------------------------------------


def test_async_create_session_is_signed_and_verified() -> None:
    fake = FakePayKKa()

    async def go() -> wire.SessionData:
        async with make_async_client(fake) as client:
            return await client.create_session(order())

    session = run_async(go)
    assert session.session_id == "CS208760010022288125"
    (request,) = fake.requests
    assert json.loads(request.content)["merchant_id"] == MERCHANT_ID
    signing.verify_headers(MERCHANT_KEY.public_key(), request.url.path, request.headers, request.content)


@pytest.mark.parametrize("fault", ["503", "connect-error"])
def test_async_retries_with_fresh_nonces_then_network_error(fault: str) -> None:
    fake = FakePayKKa(FAULTS[fault], FAULTS[fault], FAULTS[fault], answer())

    async def go() -> None:
        async with make_async_client(fake) as client:
            await client.create_session(order())

    with pytest.raises(NetworkError):
        run_async(go)
    assert len(fake.requests) == 3
    _assert_fresh_and_signed(fake)


def test_async_unsigned_answer_is_a_signature_error() -> None:
    fake = FakePayKKa(answer(signed=False))

    async def go() -> None:
        async with make_async_client(fake) as client:
            await client.create_session(order())

    with pytest.raises(SignatureError) as info:
        run_async(go)
    assert info.value.ret_code == "206002"


def test_async_bad_request_is_refused_before_sending() -> None:
    async def go() -> None:
        async with make_async_client(must_not_send) as client:
            await client.create_session(order(amount="8.00"))

    with pytest.raises(ValidationError) as info:
        run_async(go)
    assert info.value.field == "amount"


# --- the errors the client raises --------------------------------------------------------------


ERRORS: list[PayKKaError] = [
    ValidationError("amount", "must be positive"),
    APIError("206011", "The session does not exist", http_status=200),
    DeclinedError("2099", "Invalid Card", data={"order_id": "GW1"}),
    SignatureError("x-paykka-sign: signature does not match", ret_code="206003"),
    NetworkError("/v3/payment/acq/session: HTTP 503"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_survive_pickling_and_copying(error: PayKKaError) -> None:
    """Errors cross process boundaries (worker pools, task queues); the rebuilt one must match."""
    for again in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(again) is type(error)
        assert str(again) == str(error)
        assert vars(again) == vars(error)


def test_error_shapes() -> None:
    error = ValidationError("payment.shopper_reference", "is required")
    assert isinstance(error, ValueError) and isinstance(error, PayKKaError)
    assert (str(error), error.field, error.rule, error.ret_code) == (
        "payment.shopper_reference: is required", "payment.shopper_reference", "is required", "010000")
    api = APIError("010000", "amount: is required", http_status=400)
    assert (str(api), api.ret_code, api.ret_msg, api.http_status) == (
        "010000: amount: is required", "010000", "amount: is required", 400)
    declined = DeclinedError("2099", "Invalid Card")
    assert (declined.error_code, declined.error_description, declined.ret_code) == ("2099", "Invalid Card", None)
