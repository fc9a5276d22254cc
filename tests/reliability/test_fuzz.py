"""Item 4 of issue 9: fuzzing. Schemathesis generates requests for every operation of the
stub's OpenAPI document (each body signed with a registered merchant's key, as PayKKa
requires, so the fuzz reaches past the signature check) and for the merchant endpoints
(sessions with a valid CSRF token, return, webhook both unsigned and signed with the platform
key); hypothesis checks money conversion and signing round trips. Zero 5xx, zero crashes.
Example counts are modest (CI time); raise PAYKKA_FUZZ_EXAMPLES for a longer run."""

from __future__ import annotations

import json
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from paykka_embed import money, signing
from paykka_embed.errors import SignatureError, ValidationError
from paykka_embed.testing import MerchantAccount, StubHandle

from figures import record
from reliability_kit import InProcessShop, register, shop_config, sign_webhook

EXAMPLES = int(os.environ.get("PAYKKA_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def _send(http: httpx.Client, case: Any, headers: dict[str, str], body: bytes | None) -> httpx.Response:
    return http.request(case.method, case.formatted_path, params=case.query or None, content=body,
                        headers=headers)


def _body(case: Any) -> bytes | None:
    from schemathesis.core import NOT_SET

    if case.body is NOT_SET:
        return None
    if isinstance(case.body, (bytes, str)):
        return case.body.encode() if isinstance(case.body, str) else case.body
    return json.dumps(case.body, ensure_ascii=False).encode("utf-8")


def test_schemathesis_over_every_stub_operation_signed(paykka_stub: StubHandle) -> None:
    merchant = register(paykka_stub)
    key = signing.load_private_key(merchant.private_key_pem)
    schema = schemathesis.openapi.from_dict(httpx.get(paykka_stub.url + "/_stub/openapi.json").json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    http = httpx.Client(base_url=paykka_stub.url, timeout=10)
    seen: Counter[str] = Counter()
    by_op: dict[str, Counter[int]] = {}

    for op in operations:
        statuses: Counter[int] = Counter()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @FUZZ
            @given(case=op.as_strategy(generation_mode=mode))
            def fuzz(case: Any) -> None:
                if mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
                    case.body["merchant_id"] = merchant.merchant_id  # reach the operation, not the 401
                body = _body(case) or b""
                headers = {**signing.signed_headers(key, merchant.app_id, case.formatted_path, body),
                           "content-type": "application/json"}
                resp = _send(http, case, headers, body)
                statuses[resp.status_code] += 1
                assert resp.status_code < 500, (case.formatted_path, body[:300], resp.text[:300])
                assert resp.json()["ret_code"]  # always the envelope

            fuzz()
        by_op[f"{op.method.upper()} {op.path}"] = statuses
        seen.update(statuses)
    http.close()
    total = sum(seen.values())
    assert seen and max(seen) < 500
    record(4, "schemathesis over /_stub/openapi.json (signed), every operation",
           {"operations": len(operations), "requests": total, "5xx": 0,
            "2xx": sum(v for k, v in seen.items() if k < 300), "statuses": dict(sorted(seen.items()))})


MERCHANT_API: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "paykka-embed merchant endpoints", "version": "1"},
    "paths": {
        "/paykka/sessions": {"post": {
            "parameters": [{"name": "X-CSRFToken", "in": "header", "required": False, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "order": {"type": "string"}, "mode": {"type": "string", "enum": ["dropin", "component", "hosted",
                                                                                     "DROP_IN", "bogus"]},
                    "component": {"type": "string"}, "locale": {"type": "string"}, "theme": {"type": "string"},
                    "amount": {"type": "integer"}}}}}},
            "responses": {"200": {"description": "mount options"}}}},
        "/paykka/return": {"get": {
            "parameters": [{"name": "trans_id", "in": "query", "required": False, "schema": {"type": "string"}}],
            "responses": {"303": {"description": "to the shop"}}}},
        "/paykka/webhook": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "notify_type": {"type": "string", "enum": ["PAYMENT.SUCCESS", "PAYMENT.FAILURE",
                                                               "PAYMENT.AUTHORIZATION", "PAYMENT.CANCELED",
                                                               "REFUND.SUCCESS", "REFUND.FAILURE", "OTHER"]},
                    "merchant_id": {"type": "string"}, "trans_id": {"type": "string"},
                    "order_id": {"type": "string"}, "status": {"type": "string"},
                    "amount": {"type": "integer"}, "currency": {"type": "string"},
                    "token": {"type": "string"}, "shopper_reference": {"type": "string"},
                    "card_info": {"type": "object"}, "pay_finish_time": {"type": "string"}}}}}},
            "responses": {"200": {"description": "ack"}}}},
    },
}


@pytest.fixture
def shop(paykka_stub: StubHandle, tmp_path: Path) -> Iterator[InProcessShop]:
    running = InProcessShop(shop_config(register(paykka_stub), str(tmp_path / "fuzz.sqlite3")))
    yield running
    running.stop()


def test_schemathesis_over_the_merchant_endpoints(paykka_stub: StubHandle, shop: InProcessShop) -> None:
    schema = schemathesis.openapi.from_dict(MERCHANT_API)
    account: MerchantAccount = register(paykka_stub)  # only for its app id; the shop verifies the platform key
    platform = paykka_stub.context.platform_key
    app_id = shop.config["paykka"]["PAYKKA_APP_ID"]
    shop.new_session("ORD-fuzz")  # something for /return to find
    http = httpx.Client(base_url=shop.url, timeout=15, follow_redirects=False)
    csrf = http.get("/test/csrf").json()["token"]  # and the session cookie with it
    seen: Counter[int] = Counter()
    signed_webhooks = Counter[int]()
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @FUZZ
            @given(case=op.as_strategy(generation_mode=mode), sign=st.booleans(), good_csrf=st.booleans())
            def fuzz(case: Any, sign: bool, good_csrf: bool) -> None:
                body = _body(case)
                headers = {k: str(v) for k, v in (case.headers or {}).items()
                           if all(32 <= ord(c) < 127 for c in f"{k}{v}")}
                if body is not None:
                    headers["content-type"] = "application/json"
                if op.path == "/paykka/sessions" and good_csrf:
                    headers["X-CSRFToken"] = csrf
                if op.path == "/paykka/webhook" and sign:
                    headers.update(sign_webhook(platform, op.path, body or b"", app_id))
                resp = _send(http, case, headers, body)
                seen[resp.status_code] += 1
                if op.path == "/paykka/webhook" and sign:
                    signed_webhooks[resp.status_code] += 1
                assert resp.status_code < 500, (op.path, body, resp.text[:300])
                assert "Traceback" not in resp.text

            fuzz()
    http.close()
    assert account.merchant_id
    record(4, "schemathesis over the merchant endpoints (sessions, return, webhook)",
           {"requests": sum(seen.values()), "5xx": 0, "statuses": dict(sorted(seen.items())),
            "signed webhook statuses": dict(sorted(signed_webhooks.items()))})


CURRENCIES = ["HKD", "USD", "JPY", "KRW", "BHD", "KWD", "CNY", "VND", "EUR", "CLP", "IQD", "TND"]
_KEY = signing.generate_private_key()
_PUBLIC = _KEY.public_key()


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(minor=st.integers(min_value=1, max_value=10**15), currency=st.sampled_from(CURRENCIES))
def test_money_round_trips_minor_major_minor(minor: int, currency: str) -> None:
    major = money.from_minor(minor, currency)
    assert money.to_minor(major, currency) == minor
    assert money.as_minor(major, currency) == minor == money.as_minor(minor, currency)
    assert money.to_minor(str(major), currency) == minor
    assert -major.as_tuple().exponent == money.exponent(currency)  # type: ignore[operator]


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(amount=st.decimals(allow_nan=True, allow_infinity=True) | st.floats() | st.text(max_size=30)
       | st.integers(), currency=st.sampled_from(CURRENCIES) | st.text(max_size=5))
def test_money_conversion_never_crashes_nor_rounds(amount: Any, currency: str) -> None:
    try:
        minor = money.as_minor(amount, currency) if not isinstance(amount, str) else money.to_minor(amount, currency)
    except ValidationError as exc:
        assert exc.field == "amount" or exc.field == "currency"
        return
    assert isinstance(minor, int) and not isinstance(amount, float)
    if isinstance(amount, (Decimal, str)):
        assert money.from_minor(minor, currency) == Decimal(amount)  # exact: nothing rounded away


@settings(max_examples=120, deadline=None, database=None, derandomize=True)
@given(body=st.binary(max_size=2048), path=st.from_regex(r"/[a-z0-9/_\-]{0,40}", fullmatch=True),
       flip=st.integers(min_value=0))
def test_signing_round_trips_and_any_flipped_byte_fails(body: bytes, path: str, flip: int) -> None:
    headers = signing.signed_headers(_KEY, "app-1", path, body)
    verified = signing.verify_headers(_PUBLIC, path, headers, body)
    assert verified.nonce == headers[signing.H_NONCE]
    if body:
        tampered = bytearray(body)
        tampered[flip % len(body)] ^= 0x01
        with pytest.raises(SignatureError):
            signing.verify_headers(_PUBLIC, path, headers, bytes(tampered))
    with pytest.raises(SignatureError):
        signing.verify_headers(_PUBLIC, path + "x", headers, body)


def test_fuzz_figures_for_hypothesis() -> None:
    record(4, "hypothesis: money and signing round trips (examples)",
           {"money_round_trip": 300, "money_any_input": 300, "signing_round_trip_and_tamper": 120, "crashes": 0})
