"""The emulator's two clocks: business time moved by ``advance_seconds``, and signature time
shifted by ``signature_skew_seconds`` to show what a merchant whose clock is off sees."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from paykka_embed import signing, wire
from paykka_embed.errors import SignatureError
from paykka_embed.testing import MerchantAccount, StubHandle

from stub_helpers import SignedCaller, WebhookReceiver, trans_id

PATH = wire.PATH_CREATE_SESSION
SKEW = 600  # two window-widths: far outside the 5-minute window either way


def session_body(caller: SignedCaller) -> bytes:
    return json.dumps({"merchant_id": caller.merchant.merchant_id, "trans_id": trans_id(), "amount": 800,
                       "currency": "HKD"}).encode()


def signed_at(caller: SignedCaller, body: bytes, offset_seconds: int) -> dict[str, str]:
    stamp = int((time.time() + offset_seconds) * 1000)
    return signing.signed_headers(caller.key, caller.merchant.app_id, PATH, body, timestamp_ms=stamp)


@pytest.mark.parametrize("skew", [SKEW, -SKEW])
def test_a_skewed_emulator_refuses_a_request_stamped_with_real_time(paykka_stub: StubHandle, caller: SignedCaller,
                                                                   skew: int) -> None:
    paykka_stub.skew_signature_clock(skew)
    answer = caller.raw(PATH, session_body(caller), verify=False)  # the refusal is stamped with the skew too
    assert (answer.status, answer.ret_code) == (401, "206004")
    assert answer.ret_msg.startswith("x-paykka-timestamp:")


@pytest.mark.parametrize("skew", [SKEW, -SKEW])
def test_a_request_stamped_with_the_skewed_time_is_accepted_and_the_answer_carries_it(
        paykka_stub: StubHandle, caller: SignedCaller, skew: int) -> None:
    paykka_stub.skew_signature_clock(skew)
    body = session_body(caller)
    resp = caller.http.post(PATH, content=body, headers={**signed_at(caller, body, skew),
                                                         "content-type": "application/json"})
    assert resp.status_code == 200 and resp.json()["ret_code"] == "000000"
    skewed_now = int((time.time() + skew) * 1000)
    # Verified against the skewed "now", the answer is good; against real time it is outside the window,
    # exactly what a merchant server whose clock is `skew` seconds behind sees.
    signing.verify_headers(caller.platform, PATH, resp.headers, resp.content, now_ms_value=skewed_now)
    with pytest.raises(SignatureError) as refused:
        signing.verify_headers(caller.platform, PATH, resp.headers, resp.content)
    assert refused.value.ret_code == "206004"


def test_the_client_reports_the_skew_as_a_signature_problem(paykka_stub: StubHandle,
                                                            paykka_merchant: MerchantAccount) -> None:
    paykka_stub.skew_signature_clock(SKEW)
    with paykka_merchant.client() as client:
        with pytest.raises(Exception) as caught:
            client.query_transaction(order_id="GW000")
    assert "206004" in str(caught.value) or "window" in str(caught.value)


def test_the_control_answers_the_skew_and_zero_or_a_reset_removes_it(paykka_stub: StubHandle,
                                                                     caller: SignedCaller) -> None:
    data = paykka_stub.skew_signature_clock(-90)
    assert data["signature_skew_seconds"] == -90
    assert data["offset_seconds"] == 0  # business time untouched
    assert paykka_stub.skew_signature_clock(0)["signature_skew_seconds"] == 0
    assert caller.raw(PATH, session_body(caller)).ret_code == "000000"
    paykka_stub.skew_signature_clock(SKEW)
    paykka_stub.reset()
    state = httpx.get(paykka_stub.url + "/_stub/clock").json()["data"]
    assert state["signature_skew_seconds"] == 0
    assert caller.raw(PATH, session_body(caller)).ret_code == "000000"


def test_advancing_business_time_leaves_signature_time_alone(paykka_stub: StubHandle) -> None:
    resp = httpx.post(paykka_stub.url + "/_stub/clock", json={"advance_seconds": 7200, "signature_skew_seconds": 30})
    data = resp.json()["data"]
    assert data["offset_seconds"] == 7200 and data["signature_skew_seconds"] == 30
    # Signature time is real time + 30 s, not + 2 h.
    assert abs(data["signature_now_ms"] - int((time.time() + 30) * 1000)) < 60_000
    assert data["now_ms"] - data["signature_now_ms"] > 7000 * 1000


@pytest.mark.parametrize("body", [
    {"signature_skew_seconds": "600"}, {"signature_skew_seconds": 1.5}, {"signature_skew_seconds": True},
    {"signature_skew_seconds": 10**9}, {},
])
def test_bad_skew_values_are_refused_naming_the_field(paykka_stub: StubHandle, body: dict[str, Any]) -> None:
    resp = httpx.post(paykka_stub.url + "/_stub/clock", json=body)
    assert resp.status_code == 400
    answer = resp.json()
    assert answer["ret_code"] == "010000"
    assert "signature_skew_seconds" in answer["ret_msg"]


def test_webhooks_are_stamped_with_the_skewed_time(paykka_stub: StubHandle) -> None:
    receiver = WebhookReceiver()
    try:
        merchant = paykka_stub.register_merchant(notify_url=receiver.url)
        caller = SignedCaller(merchant)
        paykka_stub.skew_signature_clock(SKEW)
        body = json.dumps({
            "merchant_id": merchant.merchant_id, "trans_id": trans_id(), "amount": 800, "currency": "HKD",
            "return_url": "https://shop.example/back",
            "payment": {"payment_method": "APPLE_PAY", "token_data": "wallet-token"}}).encode()
        stamp = int((time.time() + SKEW) * 1000)
        headers = signing.signed_headers(caller.key, merchant.app_id, wire.PATH_INITIATE, body, timestamp_ms=stamp)
        resp = caller.http.post(wire.PATH_INITIATE, content=body, headers={**headers,
                                                                           "content-type": "application/json"})
        assert resp.json()["data"]["status"] == "SUCCESS"
        paykka_stub.wait_for_webhook()
        path, received, raw = receiver.received[0]
        lowered = {k.lower(): v for k, v in received.items()}
        assert int(lowered[signing.H_TIMESTAMP]) >= stamp - 60_000
        signing.verify_headers(signing.load_public_key(merchant.platform_public_key), path, lowered, raw,
                               now_ms_value=int((time.time() + SKEW) * 1000))
    finally:
        receiver.close()


def test_the_kit_puts_the_clock_back_on_real_time(paykka_stub: StubHandle) -> None:
    moved = paykka_stub.advance_clock(7200)
    back = paykka_stub.reset_clock()
    assert moved["offset_seconds"] == 7200 and back["offset_seconds"] == 0
    assert back["now_ms"] < moved["now_ms"] - 7000 * 1000
