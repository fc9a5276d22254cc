"""Every v3 operation of the client, sync and async, against a signed fake PayKKa (httpx.MockTransport):
payloads in minor units, typed answers, the retry rules, declines, expiry and what logs may contain."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable

import httpx
import pytest

from paykka_embed import AsyncPayKKaClient, PayKKaClient, signing, wire
from paykka_embed.client import OPERATIONS, RetryPolicy
from paykka_embed.errors import APIError, DeclinedError, NetworkError, SignatureError, ValidationError
from paykka_embed.expiry import check_expire_time, expire_in

MERCHANT_KEY = signing.generate_private_key()
PLATFORM_KEY = signing.generate_private_key()
NO_WAIT = RetryPolicy(max_retries=2, base_delay=0, max_delay=0)

SESSION = {"merchant_id": "M1", "trans_id": "o-1", "session_id": "CS1", "session_mode": "DROP_IN",
           "status": "PROCESSING", "amount": "800", "currency": "HKD",
           "expire_time": "2030-01-01T00:00:00+00:00", "session_url": "http://x/hp/pay/CS1"}
TX = {"merchant_id": "M1", "trans_id": "o-1", "order_id": "GW1", "status": "SUCCESS", "amount": "800",
      "currency": "HKD"}
REFUND = {"merchant_id": "M1", "refund_trans_id": "r-1", "refund_order_id": "RG1", "ori_order_id": "GW1",
          "status": "PROCESSING", "amount": "250", "currency": "HKD"}
ANSWERS: dict[str, Any] = {
    wire.PATH_CREATE_SESSION: SESSION,
    wire.PATH_QUERY_SESSION: SESSION,
    wire.PATH_INITIATE: TX,
    wire.PATH_QUERY: TX,
    wire.PATH_CAPTURE: {**TX, "status": "SUCCESS"},
    wire.PATH_VOID: {**TX, "status": "CANCELED"},
    wire.PATH_REFUND: REFUND,
    wire.PATH_REFUND_QUERY: {**REFUND, "status": "SUCCESS"},
    wire.PATH_TOKEN_REMOVE: {"token": "TK1", "shopper_reference": "shopper-1", "status": "REMOVED"},
    wire.PATH_RECURRING_CANCEL: {"recurring_agreement_id": "RA1", "status": "CANCELED"},
    wire.PATH_APPLE_PAY_SESSION: json.dumps({"merchantSessionIdentifier": "SSH1", "epochTimestamp": 1}),
}


def signed_response(path: str, body: dict[str, Any], status: int = 200, key: Any = PLATFORM_KEY) -> httpx.Response:
    raw = json.dumps(body).encode()
    headers = signing.signed_headers(key, "", path, raw)
    return httpx.Response(status, content=raw, headers={**headers, "content-type": "application/json"})


@dataclass
class FakePayKKa:
    """Checks each request's signature as PayKKa would, records it, answers signed envelopes."""

    script: list[Callable[[httpx.Request], httpx.Response]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        signing.verify_headers(MERCHANT_KEY.public_key(), request.url.path, request.headers, request.content)
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)(request)
        return signed_response(request.url.path, wire.envelope(ANSWERS[request.url.path]))

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def make_client(fake: FakePayKKa, retry: RetryPolicy = NO_WAIT) -> PayKKaClient:
    return PayKKaClient(merchant_id="M1", private_key=MERCHANT_KEY, platform_public_key=PLATFORM_KEY.public_key(),
                        env="sandbox", retry=retry, transport=httpx.MockTransport(fake))


def run_async(coro: Any) -> Any:
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps a loop running in the test thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def make_async_client(fake: FakePayKKa) -> AsyncPayKKaClient:
    return AsyncPayKKaClient(merchant_id="M1", private_key=MERCHANT_KEY,
                             platform_public_key=PLATFORM_KEY.public_key(), env="sandbox", retry=NO_WAIT,
                             transport=httpx.MockTransport(fake))


TOKEN_PAYMENT = {"payment_method": "BANKCARD", "token": "TK1", "shopper_reference": "shopper-1"}

# (method, positional args, keyword args, path, expected payload subset, expected result type)
CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], str, dict[str, Any], type]] = [
    ("create_session", ({"trans_id": "o-1", "amount": Decimal("8.00"), "currency": "HKD",
                         "session_mode": "DROP_IN"},), {}, wire.PATH_CREATE_SESSION,
     {"amount": 800, "currency": "HKD", "merchant_id": "M1"}, wire.SessionData),
    ("query_session", (), {"session_id": "CS1"}, wire.PATH_QUERY_SESSION, {"session_id": "CS1"}, wire.SessionData),
    ("initiate_transaction", ({"trans_id": "o-1", "amount": Decimal("800"), "currency": "JPY", "mit": True,
                               "payment_type": "RECURRING", "recurring_agreement_id": "RA1",
                               "payment": TOKEN_PAYMENT},), {},
     wire.PATH_INITIATE, {"amount": 800, "currency": "JPY", "mit": True}, wire.TransactionData),
    ("query_transaction", (), {"trans_id": "o-1"}, wire.PATH_QUERY, {"trans_id": "o-1"}, wire.TransactionData),
    ("capture", (), {"order_id": "GW1", "amount": Decimal("2.50"), "currency": "HKD"}, wire.PATH_CAPTURE,
     {"order_id": "GW1", "amount": 250}, wire.TransactionData),
    ("void", (), {"order_id": "GW1"}, wire.PATH_VOID, {"order_id": "GW1", "reason": "REQUESTED_BY_CUSTOMER"},
     wire.TransactionData),
    ("refund", (), {"refund_trans_id": "r-1", "ori_order_id": "GW1", "amount": Decimal("2.50"),
                    "currency": "HKD"}, wire.PATH_REFUND, {"refund_amount": 250, "ori_order_id": "GW1"},
     wire.RefundData),
    ("query_refund", (), {"refund_trans_id": "r-1"}, wire.PATH_REFUND_QUERY, {"refund_trans_id": "r-1"},
     wire.RefundData),
    ("remove_token", (), {"token": "TK1", "shopper_reference": "shopper-1"}, wire.PATH_TOKEN_REMOVE,
     {"token": "TK1"}, wire.TokenRemoveData),
    ("cancel_recurring", (), {"recurring_agreement_id": "RA1"}, wire.PATH_RECURRING_CANCEL,
     {"recurring_agreement_id": "RA1"}, wire.RecurringCancelData),
    ("create_apple_pay_session", (), {"domain_name": "shop.example", "display_name": "Shop"},
     wire.PATH_APPLE_PAY_SESSION, {"domain_name": "shop.example"}, dict),
]


def test_every_design_operation_is_covered() -> None:
    assert {c[0] for c in CASES} == set(OPERATIONS) == {
        "create_session", "query_session", "initiate_transaction", "query_transaction", "capture", "void",
        "refund", "query_refund", "remove_token", "cancel_recurring", "create_apple_pay_session"}


@pytest.mark.parametrize("method,args,kwargs,path,expected,result_type", CASES, ids=[c[0] for c in CASES])
def test_sync_operation(method: str, args: tuple[Any, ...], kwargs: dict[str, Any], path: str,
                        expected: dict[str, Any], result_type: type) -> None:
    fake = FakePayKKa()
    with make_client(fake) as client:
        result = getattr(client, method)(*args, **kwargs)
    assert isinstance(result, result_type)
    assert [r.url.path for r in fake.requests] == [path]
    assert expected.items() <= fake.bodies[0].items()
    assert fake.requests[0].headers["x-paykka-appid"] == "M1"


@pytest.mark.parametrize("method,args,kwargs,path,expected,result_type", CASES, ids=[c[0] for c in CASES])
def test_async_operation(method: str, args: tuple[Any, ...], kwargs: dict[str, Any], path: str,
                         expected: dict[str, Any], result_type: type) -> None:
    fake = FakePayKKa()

    async def go() -> Any:
        async with make_async_client(fake) as client:
            return await getattr(client, method)(*args, **kwargs)

    result = run_async(go())
    assert isinstance(result, result_type)
    assert [r.url.path for r in fake.requests] == [path]
    assert expected.items() <= fake.bodies[0].items()


def test_sync_and_async_faces_have_the_same_methods() -> None:
    public = {n for n in dir(PayKKaClient) if not n.startswith("_")} - {"close"}
    assert public == {n for n in dir(AsyncPayKKaClient) if not n.startswith("_")} - {"aclose"}
    assert set(OPERATIONS) <= public


def test_apple_pay_session_answer_is_apples_json() -> None:
    with make_client(FakePayKKa()) as client:
        assert client.create_apple_pay_session(domain_name="shop.example")["merchantSessionIdentifier"] == "SSH1"


# --- retries -------------------------------------------------------------------------------------


def unsigned(status: int, headers: dict[str, str] | None = None) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, text="busy", headers=headers or {})


def connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


@pytest.mark.parametrize("fault", [unsigned(503), unsigned(429), unsigned(502), connect_error, read_timeout])
@pytest.mark.parametrize("method,args,kwargs", [
    ("create_session", CASES[0][1], {}),
    ("query_transaction", (), {"trans_id": "o-1"}),
    ("query_session", (), {"trans_id": "o-1"}),
    ("refund", (), CASES[6][2]),
    ("query_refund", (), {"refund_trans_id": "r-1"}),
])
def test_retry_safe_operations_retry_with_a_fresh_nonce(fault: Any, method: str, args: tuple[Any, ...],
                                                        kwargs: dict[str, Any]) -> None:
    fake = FakePayKKa(script=[fault, fault])
    with make_client(fake) as client:
        getattr(client, method)(*args, **kwargs)
    assert len(fake.requests) == 3
    assert len({r.headers["x-paykka-nonce"] for r in fake.requests}) == 3
    assert len({r.content for r in fake.requests}) == 1  # the same body: the same trans_id / refund_trans_id


@pytest.mark.parametrize("fault", [unsigned(503), connect_error, read_timeout])
@pytest.mark.parametrize("method,args,kwargs", [
    ("initiate_transaction", CASES[2][1], {}),
    ("capture", (), {"order_id": "GW1"}),
    ("void", (), {"order_id": "GW1"}),
])
def test_operations_that_could_act_twice_are_sent_once(fault: Any, method: str, args: tuple[Any, ...],
                                                       kwargs: dict[str, Any]) -> None:
    fake = FakePayKKa(script=[fault])
    with make_client(fake) as client, pytest.raises(NetworkError) as caught:
        getattr(client, method)(*args, **kwargs)
    assert len(fake.requests) == 1
    assert "unknown" in str(caught.value) or "HTTP 503" in str(caught.value)


@pytest.mark.parametrize("status", [408, 499, 520, 522, 524])
def test_an_unsigned_timeout_or_edge_failure_is_an_unknown_outcome_not_a_refusal(status: int) -> None:
    """A proxy or edge answering 408, 499 or 52x did not speak for PayKKa: PayKKa may have acted on the
    request, so it is a NetworkError (ask, or send it again under the same id), never an APIError."""
    fake = FakePayKKa(script=[unsigned(status)])
    with make_client(fake) as client, pytest.raises(NetworkError, match=f"HTTP {status}"):
        client.refund(**CASES[6][2])


def test_an_unsigned_refusal_after_a_timed_out_attempt_is_an_unknown_outcome() -> None:
    """The first attempt timed out (it may have been carried out); the retry met an edge's 401: that says
    nothing of the first, so the refund's outcome is unknown, not refused."""
    edge = lambda request: httpx.Response(401, json={"ret_code": "206003", "ret_msg": "edge"})  # noqa: E731
    fake = FakePayKKa(script=[read_timeout, edge])
    with make_client(fake) as client, pytest.raises(NetworkError, match="the outcome is unknown"):
        client.refund(**CASES[6][2])
    assert len(fake.requests) == 2
    first = FakePayKKa(script=[edge])  # on a first attempt, an edge's refusal is still reported as such
    with make_client(first) as client, pytest.raises(APIError):
        client.refund(**CASES[6][2])


def test_retries_are_bounded_and_then_fail_as_network_error() -> None:
    fake = FakePayKKa(script=[connect_error] * 5)
    with make_client(fake) as client, pytest.raises(NetworkError, match="after 3 attempt"):
        client.query_transaction(trans_id="o-1")
    assert len(fake.requests) == 3


def test_async_retries_too() -> None:
    fake = FakePayKKa(script=[unsigned(503), connect_error])

    async def go() -> wire.TransactionData:
        async with make_async_client(fake) as client:
            return await client.query_transaction(trans_id="o-1")

    assert run_async(go()).order_id == "GW1"
    assert len(fake.requests) == 3


def test_backoff_is_exponential_with_jitter_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_retries=5, base_delay=0.5, max_delay=4.0)
    for attempt in range(6):
        assert 0 <= policy.delay(attempt) <= min(4.0, 0.5 * 2 ** attempt)
    assert policy.delay(0, "3") == 3.0
    assert policy.delay(0, "600") == 4.0


def test_retry_after_is_used_between_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("paykka_embed.client.time.sleep", slept.append)
    fake = FakePayKKa(script=[unsigned(429, {"retry-after": "1"})])
    with make_client(fake, RetryPolicy(max_retries=2, base_delay=0, max_delay=2)) as client:
        client.query_transaction(trans_id="o-1")
    assert slept == [1.0]


def test_signed_refusal_is_an_api_error_naming_the_ret_code_and_is_not_retried() -> None:
    refusal = lambda r: signed_response(r.url.path, wire.envelope(ret_code="010000", ret_msg="amount: bad"), 400)
    fake = FakePayKKa(script=[refusal])
    with make_client(fake) as client, pytest.raises(APIError) as caught:
        client.query_transaction(trans_id="o-1")
    assert caught.value.ret_code == "010000" and caught.value.http_status == 400
    assert len(fake.requests) == 1


def test_forged_response_is_a_signature_error() -> None:
    other = signing.generate_private_key()
    fake = FakePayKKa(script=[lambda r: signed_response(r.url.path, wire.envelope(TX), key=other)])
    with make_client(fake) as client, pytest.raises(SignatureError):
        client.query_transaction(trans_id="o-1")


def test_response_signed_for_another_path_is_refused() -> None:
    fake = FakePayKKa(script=[lambda r: signed_response(wire.PATH_QUERY_SESSION, wire.envelope(TX))])
    with make_client(fake) as client, pytest.raises(SignatureError):
        client.query_transaction(trans_id="o-1")


# --- declines ------------------------------------------------------------------------------------


def test_declined_initiate_transaction_raises_declined_error_with_the_transaction() -> None:
    declined = {**TX, "status": "FAILURE", "error_code": "5001", "error_description": "Do not honour"}
    fake = FakePayKKa(script=[lambda r: signed_response(r.url.path, wire.envelope(declined))])
    with make_client(fake) as client, pytest.raises(DeclinedError) as caught:
        client.initiate_transaction(CASES[2][1][0])
    assert caught.value.error_code == "5001"
    assert caught.value.data.order_id == "GW1"


def test_a_failed_transaction_found_by_query_is_returned_not_raised() -> None:
    failed = {**TX, "status": "FAILURE", "error_code": "5001"}
    fake = FakePayKKa(script=[lambda r: signed_response(r.url.path, wire.envelope(failed))])
    with make_client(fake) as client:
        assert client.query_transaction(trans_id="o-1").status == "FAILURE"


# --- money and validation ------------------------------------------------------------------------


@pytest.mark.parametrize("amount,currency,minor", [(Decimal("8.00"), "HKD", 800), (Decimal("800"), "JPY", 800),
                                                   (800, "HKD", 800), (Decimal("1.234"), "KWD", 1234)])
def test_amounts_travel_as_minor_units(amount: Any, currency: str, minor: int) -> None:
    fake = FakePayKKa()
    with make_client(fake) as client:
        client.refund(refund_trans_id="r-1", ori_order_id="GW1", amount=amount, currency=currency)
    assert fake.bodies[0]["refund_amount"] == minor


@pytest.mark.parametrize("call", [
    lambda c: c.refund(refund_trans_id="r-1", ori_order_id="GW1", amount=8.0, currency="HKD"),
    lambda c: c.refund(refund_trans_id="r-1", ori_order_id="GW1", amount=Decimal("8.005"), currency="HKD"),
    lambda c: c.capture(order_id="GW1", amount=Decimal("1.5"), currency="JPY"),
    lambda c: c.create_session({"trans_id": "o-1", "amount": 8.0, "currency": "HKD"}),
    lambda c: c.create_session({"trans_id": "o 1", "amount": 800, "currency": "HKD"}),
    lambda c: c.query_transaction(),
    lambda c: c.initiate_transaction({"trans_id": "o-1", "amount": 800, "currency": "HKD", "mit": True,
                                      "payment": TOKEN_PAYMENT}),
])
def test_bad_input_is_refused_before_anything_is_sent(call: Callable[[PayKKaClient], Any]) -> None:
    fake = FakePayKKa()
    with make_client(fake) as client, pytest.raises(ValidationError) as caught:
        call(client)
    assert caught.value.field and caught.value.rule
    assert fake.requests == []


# --- expiry --------------------------------------------------------------------------------------

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


def test_expire_in_is_aware_utc_and_bounded() -> None:
    assert expire_in(timedelta(minutes=30), now=NOW) == datetime(2030, 1, 1, 12, 30, tzinfo=timezone.utc)
    assert expire_in(timedelta(hours=24), now=NOW) == NOW + timedelta(hours=24)
    for bad in (timedelta(hours=24, seconds=1), timedelta(0), timedelta(minutes=-1)):
        with pytest.raises(ValidationError) as caught:
            expire_in(bad, now=NOW)
        assert caught.value.field == "lifetime"
    with pytest.raises(ValidationError, match="aware"):
        expire_in(timedelta(minutes=5), now=datetime(2030, 1, 1))


@pytest.mark.parametrize("value,rule", [
    (datetime(2030, 1, 1, 13, 0), "timezone-aware"),
    (NOW + timedelta(hours=24, minutes=1), "24 hours"),
    (NOW - timedelta(seconds=1), "future"),
])
def test_check_expire_time_refuses(value: datetime, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule):
        check_expire_time(value, now=NOW)


def test_check_expire_time_accepts_other_offsets() -> None:
    hk = timezone(timedelta(hours=8))
    value = datetime(2030, 1, 1, 21, 0, tzinfo=hk)  # 13:00 UTC
    assert check_expire_time(value, now=NOW) is value


@pytest.mark.parametrize("expire", [datetime.now() + timedelta(minutes=5),
                                    datetime.now(timezone.utc) + timedelta(hours=25),
                                    (datetime.now(timezone.utc) + timedelta(hours=25)).isoformat()],
                         ids=["naive", "25h", "25h-as-text"])
def test_create_session_refuses_a_naive_or_distant_expire_time(expire: Any) -> None:
    fake = FakePayKKa()
    with make_client(fake) as client, pytest.raises(ValidationError) as caught:
        client.create_session({"trans_id": "o-1", "amount": 800, "currency": "HKD", "expire_time": expire})
    assert caught.value.field == "expire_time"
    assert fake.requests == []


def test_create_session_sends_an_aware_expire_time_with_its_offset() -> None:
    fake = FakePayKKa()
    expire = expire_in(timedelta(minutes=30))
    with make_client(fake) as client:
        client.create_session({"trans_id": "o-1", "amount": 800, "currency": "HKD", "expire_time": expire})
    assert fake.bodies[0]["expire_time"] == expire.isoformat()


# --- what logs may hold --------------------------------------------------------------------------

CARD = "4111111111111111"


def test_logs_never_hold_card_data_keys_tokens_or_signatures(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakePayKKa(script=[connect_error])
    card_payment = {"payment_method": "BANKCARD", "card_no": CARD, "exp_month": "12", "exp_year": "2034",
                    "cvv": "737", "holder_name": "Ada Lovelace"}
    request = {"trans_id": "o-1", "amount": 800, "currency": "HKD", "return_url": "https://shop/r",
               "payment": card_payment}
    with make_client(fake) as client:
        with pytest.raises(NetworkError):
            client.initiate_transaction(request)
        client.remove_token(token="TK-secret-token", shopper_reference="shopper-1")
        repr_text = repr(client) + repr(client.core)
    sent = fake.requests[0]
    secrets = [CARD, "737", "Ada Lovelace", "TK-secret-token", sent.headers["x-paykka-sign"],
               signing.private_pem(MERCHANT_KEY).splitlines()[1]]
    text = caplog.text + repr_text
    assert "initiate_transaction" in caplog.text  # the log does say what happened
    for secret in secrets:
        assert secret not in text


def test_validation_errors_do_not_echo_card_numbers() -> None:
    with make_client(FakePayKKa()) as client, pytest.raises(ValidationError) as caught:
        client.initiate_transaction({"trans_id": "o-1", "amount": 800, "currency": "HKD", "return_url": "https://s/r",
                                     "payment": {"card_no": "41111111111111112222", "cvv": "737"}})
    assert "4111" not in str(caught.value)
