"""The request log at ``GET /_stub/requests``: every v3 call answered, newest first, with its
verdict, the ignored names, the string a refused signature was checked against, and never a
card number, a CVV or a key."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from paykka_embed import signing, wire
from paykka_embed.stub.requestlog import MAX_ENTRIES, RequestLog, mask_body
from paykka_embed.testing import StubHandle

from stub_helpers import SignedCaller, enc, register, trans_id

ENTRY_KEYS = {"id", "at", "at_ms", "method", "path", "operation", "app_id", "merchant_id", "http_status", "verdict",
              "ret_code", "ret_msg", "ignored_fields", "body", "body_bytes", "signature"}


def session_body(caller: SignedCaller, **extra: object) -> bytes:
    return json.dumps({"merchant_id": caller.merchant.merchant_id, "trans_id": trans_id(), "amount": 800,
                       "currency": "HKD", **extra}).encode()


def test_an_accepted_call_and_a_refused_one_newest_first(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    accepted = caller.call(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 800, "currency": "HKD",
                                                      "version": "v1.0"})
    refused = caller.call(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": "8.00", "currency": "HKD"})
    newest, older = paykka_stub.requests()
    assert set(newest) == ENTRY_KEYS and set(older) == ENTRY_KEYS
    assert newest["id"] > older["id"]
    assert (older["verdict"], older["ret_code"], older["ret_msg"], older["http_status"]) == (
        "accepted", "000000", "Success", 200)
    assert older["ignored_fields"] == ["version"] and older["signature"] is None
    assert (newest["verdict"], newest["ret_code"], newest["http_status"]) == ("refused", "010000", 400)
    assert newest["ret_msg"] == refused.ret_msg and newest["ret_msg"].startswith("amount:")
    for entry in (newest, older):
        assert (entry["method"], entry["path"], entry["operation"]) == ("POST", wire.PATH_CREATE_SESSION,
                                                                       "Create Session")
        assert entry["app_id"] == entry["merchant_id"] == caller.merchant.merchant_id
        assert json.loads(entry["body"])["merchant_id"] == caller.merchant.merchant_id
        assert entry["body_bytes"] == len(entry["body"].encode())
    assert accepted.ret_code == "000000"
    assert paykka_stub.requests(limit=1) == [newest]


def test_a_refused_signature_shows_the_five_lines_it_was_checked_against(paykka_stub: StubHandle,
                                                                         caller: SignedCaller) -> None:
    raw = session_body(caller)
    headers = signing.signed_headers(signing.generate_private_key(), caller.merchant.app_id,
                                     wire.PATH_CREATE_SESSION, raw)
    answer = caller.raw(wire.PATH_CREATE_SESSION, raw, headers=headers)
    assert answer.ret_code == "206003"
    entry = paykka_stub.requests()[0]
    assert entry["verdict"] == "refused" and entry["ret_code"] == "206003"
    signature = entry["signature"]
    assert signature["problem"] == "x-paykka-sign: signature does not match"
    assert (signature["timestamp"], signature["nonce"]) == (headers["x-paykka-timestamp"], headers["x-paykka-nonce"])
    assert signature["string_to_sign"] == "\n".join(
        ["POST", wire.PATH_CREATE_SESSION, headers["x-paykka-timestamp"], headers["x-paykka-nonce"], raw.decode()])


def test_an_expired_and_a_replayed_signature_are_shown_too(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    raw = session_body(caller)
    old = int(time.time() * 1000) - 10 * 60 * 1000
    caller.raw(wire.PATH_CREATE_SESSION, raw, headers=signing.signed_headers(
        caller.key, caller.merchant.app_id, wire.PATH_CREATE_SESSION, raw, timestamp_ms=old))
    expired = paykka_stub.requests()[0]
    assert expired["ret_code"] == "206004" and expired["signature"]["timestamp"] == str(old)
    assert expired["signature"]["string_to_sign"].split("\n")[2] == str(old)
    headers = signing.signed_headers(caller.key, caller.merchant.app_id, wire.PATH_CREATE_SESSION, raw)
    caller.raw(wire.PATH_CREATE_SESSION, raw, headers=headers)
    caller.raw(wire.PATH_CREATE_SESSION, raw, headers=headers)
    replayed = paykka_stub.requests()[0]
    assert replayed["ret_code"] == "206003" and "already used" in replayed["signature"]["problem"]


def test_unknown_app_id_missing_headers_and_unknown_paths_are_logged(paykka_stub: StubHandle,
                                                                      caller: SignedCaller) -> None:
    raw = session_body(caller)
    caller.raw(wire.PATH_CREATE_SESSION, raw, headers={signing.H_APPID: "no-such-app"})
    unknown_app = paykka_stub.requests()[0]
    assert (unknown_app["ret_code"], unknown_app["app_id"], unknown_app["merchant_id"]) == (
        "206005", "no-such-app", None)
    caller.raw(wire.PATH_CREATE_SESSION, raw, headers={signing.H_SIGN: ""})
    assert paykka_stub.requests()[0]["ret_code"] == "206002"
    caller.raw("/v3/payment/acq/nothing", b"{}")
    lost = paykka_stub.requests()[0]
    assert (lost["path"], lost["http_status"], lost["ret_code"], lost["operation"]) == (
        "/v3/payment/acq/nothing", 404, "010000", None)
    httpx.get(paykka_stub.url + wire.PATH_QUERY)
    wrong_method = paykka_stub.requests()[0]
    assert (wrong_method["method"], wrong_method["http_status"]) == ("GET", 405)


def test_card_data_and_keys_never_reach_the_log(paykka_stub: StubHandle) -> None:
    merchant = register(paykka_stub, pci=True)
    caller = SignedCaller(merchant)
    caller.call(wire.PATH_INITIATE, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD", "return_url": "https://shop.example/back",
        "payment": {"payment_method": "BANKCARD", "card_no": "4111111111111111", "exp_month": "12",
                    "exp_year": "2034", "cvv": "737", "holder_name": "Chan Tai Man"}})
    caller.call(wire.PATH_INITIATE, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD", "return_url": "https://shop.example/back",
        "payment": {"payment_method": "BANKCARD", "encrypted_card_no": enc("5555555555554444"),
                    "encrypted_exp_month": enc("12"), "encrypted_exp_year": enc("2034"),
                    "encrypted_cvv": enc("737")},
        "note": "card 3566002020360505, key -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"})
    # A refused signature shows the body in its five lines: masked there too.
    raw = json.dumps({"merchant_id": merchant.merchant_id, "payment": {"card_no": "378282246310005",
                                                                       "cvv": "1234"}}).encode()
    caller.raw(wire.PATH_INITIATE, raw, headers={signing.H_SIGN: "AAAA"})
    entries = paykka_stub.requests()
    text = json.dumps(entries)
    for secret in ("4111111111111111", "411111111111", "5555555555554444", "NTU1NTU1", "3566002020360505",
                   "378282246310005", "MIIE", "Chan Tai Man", enc("737")):
        assert secret not in text, secret
    shown = [entries[0]["signature"]["string_to_sign"]] + [e["body"] for e in entries]
    checked = 0
    for body in shown:
        for name in ("card_no", "cvv", "exp_month", "exp_year", "holder_name", "encrypted_card_no",
                     "encrypted_cvv"):
            for value in re.findall(rf'"{name}"\s*:\s*("[^"]*"|[0-9]+)', body):
                assert value == '"***"', (name, value)
                checked += 1
    assert checked >= 9  # the masking was looked at, field by field
    assert "************1111" not in text  # card_no is a card field: masked whole, not even its last digits
    assert "************0505" in text  # a card number elsewhere keeps only its last four


def test_a_long_body_is_cut(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    caller.call(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 800, "currency": "HKD",
                                           "pad": "x" * 20_000})
    entry = paykka_stub.requests()[0]
    assert entry["body_bytes"] > 20_000 and len(entry["body"]) < 4_100
    assert entry["body"].endswith("more characters]")


def test_reset_empties_it_and_it_keeps_the_last_five_hundred() -> None:
    log = RequestLog(size=3)
    from paykka_embed.stub.requestlog import RequestEntry

    for n in range(5):
        log.record(RequestEntry("POST", f"/v3/{n}", "app", b"{}", ret_code="000000"))
    assert [e["path"] for e in log.entries()] == ["/v3/4", "/v3/3", "/v3/2"]
    log.clear()
    assert log.entries() == []
    assert MAX_ENTRIES == 500


def test_reset_clears_the_request_log(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    caller.call(wire.PATH_QUERY_SESSION, {"session_id": "CS0"})
    assert paykka_stub.requests()
    paykka_stub.reset()
    assert paykka_stub.requests() == []


def test_limit_is_checked(paykka_stub: StubHandle) -> None:
    resp = httpx.get(paykka_stub.url + "/_stub/requests", params={"limit": "0"})
    assert resp.status_code == 400 and resp.json()["ret_msg"].startswith("limit:")


@pytest.mark.parametrize(("raw", "shown"), [
    (b'{"trans_id":"4111111111111111"}', '{"trans_id":"4111111111111111"}'),  # an id field: left as written
    (b'{"desc":"4000 0000 0000 0002"}', '{"desc":"************0002"}'),
    (b'{"desc":"1234567890123"}', '{"desc":"1234567890123"}'),  # not Luhn-valid: not a card
    (b'{"cvv": 123, "exp_year": "2034"}', '{"cvv": "***", "exp_year": "***"}'),
    (b"\xff\xfe not json", "\ufffd\ufffd not json"),
])
def test_masking(raw: bytes, shown: str) -> None:
    assert mask_body(raw) == shown
