"""Transport and authentication at the emulator's v3 API: PayKKa's signature codes, and a
clean signed 4xx (never a 500) for unknown JSON, huge bodies and wrong content types."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from paykka_embed import signing, wire
from paykka_embed.testing import StubHandle

from stub_helpers import SignedCaller, trans_id


PATH = wire.PATH_CREATE_SESSION


def body(caller: SignedCaller) -> bytes:
    return json.dumps({"merchant_id": caller.merchant.merchant_id, "trans_id": trans_id(), "amount": 800,
                       "currency": "HKD"}).encode()


@pytest.mark.parametrize("header", [signing.H_SIGN, signing.H_TIMESTAMP, signing.H_NONCE, signing.H_APPID])
def test_missing_header_is_206002(caller: SignedCaller, header: str) -> None:
    answer = caller.raw(PATH, body(caller), headers={header: ""})
    assert (answer.status, answer.ret_code) == (401, "206002")
    assert answer.ret_msg.startswith(header)


def test_wrong_key_is_206003(caller: SignedCaller) -> None:
    raw = body(caller)
    forged = signing.signed_headers(signing.generate_private_key(), caller.merchant.app_id, PATH, raw)
    answer = caller.raw(PATH, raw, headers=forged)
    assert (answer.status, answer.ret_code) == (401, "206003")


def test_body_changed_after_signing_is_206003(caller: SignedCaller) -> None:
    raw = body(caller)
    headers = signing.signed_headers(caller.key, caller.merchant.app_id, PATH, raw)
    answer = caller.raw(PATH, raw.replace(b"800", b"801"), headers=headers)
    assert answer.ret_code == "206003"


def test_old_timestamp_is_206004(caller: SignedCaller) -> None:
    raw = body(caller)
    old = int(time.time() * 1000) - 6 * 60 * 1000
    headers = signing.signed_headers(caller.key, caller.merchant.app_id, PATH, raw, timestamp_ms=old)
    answer = caller.raw(PATH, raw, headers=headers)
    assert (answer.status, answer.ret_code) == (401, "206004")


def test_replayed_nonce_is_refused(caller: SignedCaller) -> None:
    raw = body(caller)
    headers = signing.signed_headers(caller.key, caller.merchant.app_id, PATH, raw)
    assert caller.raw(PATH, raw, headers=headers).ret_code == "000000"
    again = caller.raw(PATH, raw, headers=headers)
    assert again.ret_code == "206003" and "replay" in again.ret_msg


def test_unknown_merchant_is_206005(caller: SignedCaller) -> None:
    answer = caller.raw(PATH, body(caller), headers={signing.H_APPID: "99999999999999"})
    assert (answer.status, answer.ret_code) == (401, "206005")


def test_merchant_id_must_match_the_signer(caller: SignedCaller) -> None:
    answer = caller.call(PATH, {"merchant_id": "12345", "trans_id": trans_id(), "amount": 1, "currency": "HKD"})
    assert (answer.status, answer.ret_code) == (403, "206005")
    assert answer.ret_msg.startswith("merchant_id: 12345 is not the merchant of x-paykka-appid")


def test_moving_the_stub_clock_does_not_break_signatures(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    paykka_stub.advance_clock(6 * 3600)
    assert caller.call(PATH, json.loads(body(caller))).ret_code == "000000"


@pytest.mark.parametrize(("raw", "expected"), [
    (b"{not json", "body: is not valid JSON"),
    (b"[1, 2]", "body: must be a JSON object"),
    (b"\xff\xfe", "body: is not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "body:"),
    (b'{"amount": ' + b"9" * 5000 + b"}", "body: is not valid JSON"),
    (b"", "body: is not valid JSON"),
])
def test_bad_json_is_a_clean_400(caller: SignedCaller, raw: bytes, expected: str) -> None:
    answer = caller.raw(PATH, raw)
    assert (answer.status, answer.ret_code) == (400, "010000")
    assert answer.ret_msg.startswith(expected)


def test_unknown_field_is_ignored_and_named_in_a_header(caller: SignedCaller) -> None:
    payload = json.loads(body(caller)) | {"amout": 800}
    raw = json.dumps(payload).encode()
    resp = caller.http.post(PATH, content=raw, headers={**signing.signed_headers(
        caller.key, caller.merchant.app_id, PATH, raw), "content-type": "application/json"})
    assert resp.json()["ret_code"] == "000000"
    assert json.loads(resp.headers["x-paykka-stub-ignored-fields"]) == ["amout"]


def test_huge_body_is_413(caller: SignedCaller) -> None:
    huge = json.dumps({"merchant_id": caller.merchant.merchant_id, "pad": "x" * (2 * 1024 * 1024)}).encode()
    answer = caller.raw(PATH, huge)
    assert (answer.status, answer.ret_code) == (413, "010000")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_wrong_content_type_is_415(caller: SignedCaller, content_type: str) -> None:
    answer = caller.raw(PATH, body(caller), content_type=content_type)
    assert (answer.status, answer.ret_code) == (415, "010000")


def test_unknown_path_and_wrong_method_are_signed_envelopes(paykka_stub: StubHandle,
                                                            caller: SignedCaller) -> None:
    assert caller.raw("/v3/payment/acq/nothing", b"{}").status == 404
    resp = httpx.get(paykka_stub.url + wire.PATH_QUERY)
    assert resp.status_code == 405 and resp.json()["ret_code"] == "010000"
    signing.verify_headers(caller.platform, wire.PATH_QUERY, resp.headers, resp.content)


def test_every_answer_is_signed_over_the_request_path(caller: SignedCaller) -> None:
    # caller.raw verifies each answer with the platform key; a refusal too.
    answer = caller.call(wire.PATH_REFUND_QUERY, {"refund_trans_id": "nope"})
    assert answer.status == 404
