"""POST /_stub/faults: injected HTTP errors, delays and dropped connections for the v3
API, for testing a merchant's retries; DELETE clears them."""

from __future__ import annotations

import time

import httpx
import pytest

from paykka_embed import wire
from paykka_embed.testing import MerchantAccount, StubHandle


def add(stub: StubHandle, **fault: object) -> httpx.Response:
    return httpx.post(stub.url + "/_stub/faults", json=fault)


def test_status_fault_is_retried_by_the_client(paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    assert add(paykka_stub, path=wire.PATH_CREATE_SESSION, kind="status", status=503, count=2).status_code == 200
    with paykka_merchant.client() as client:
        session = client.create_session({"trans_id": "fault-1", "amount": 800, "currency": "HKD"})
    assert session.session_id.startswith("CS")
    assert httpx.get(paykka_stub.url + "/_stub/faults").json()["data"] == []


def test_status_fault_answers_without_touching_state(paykka_stub: StubHandle) -> None:
    add(paykka_stub, path=wire.PATH_QUERY, kind="status", status=429, count=1)
    resp = httpx.post(paykka_stub.url + wire.PATH_QUERY, json={})
    assert resp.status_code == 429 and resp.json()["ret_code"] == "299099"
    assert httpx.post(paykka_stub.url + wire.PATH_QUERY, json={}).status_code == 401  # back to normal


def test_delay_and_drop(paykka_stub: StubHandle) -> None:
    add(paykka_stub, path=wire.PATH_QUERY, kind="delay", seconds=0.3, count=1)
    started = time.monotonic()
    assert httpx.post(paykka_stub.url + wire.PATH_QUERY, json={}).status_code == 401
    assert time.monotonic() - started >= 0.3
    add(paykka_stub, path=wire.PATH_QUERY, kind="drop", count=1)
    with pytest.raises(httpx.TransportError):
        httpx.post(paykka_stub.url + wire.PATH_QUERY, json={})


def test_delete_clears_and_bad_faults_are_refused(paykka_stub: StubHandle) -> None:
    add(paykka_stub, path=wire.PATH_QUERY, kind="status", status=500)
    assert httpx.delete(paykka_stub.url + "/_stub/faults").json()["data"] == []
    for bad, field in [({"path": "x", "kind": "status"}, "path"), ({"path": "/v3/x", "kind": "explode"}, "kind"),
                       ({"path": "/v3/x", "kind": "status", "status": 200}, "status"),
                       ({"path": "webhook", "kind": "drop"}, "kind"),
                       ({"path": "/v3/x", "kind": "delay", "seconds": 600}, "seconds")]:
        resp = add(paykka_stub, **bad)
        assert resp.status_code == 400 and resp.json()["ret_msg"].startswith(field + ":")


def test_controls_refuse_bad_input_in_the_envelope(paykka_stub: StubHandle) -> None:
    for path, body in [("/_stub/clock", b"{bad"), ("/_stub/clock", b'{"advance_seconds": -5}'),
                       ("/_stub/merchants", b'{"public_key": "not a key"}'), ("/_stub/merchants", b"[]")]:
        resp = httpx.post(paykka_stub.url + path, content=body, headers={"content-type": "application/json"})
        assert resp.status_code == 400 and resp.json()["ret_code"] == "010000", (path, resp.text)
    huge = httpx.post(paykka_stub.url + "/_stub/merchants", content=b"x" * (2 * 1024 * 1024))
    assert huge.status_code == 413 and huge.json()["ret_code"] == "010000"
    assert httpx.get(paykka_stub.url + "/_stub/reset").status_code == 405


def test_the_test_cards_are_listed_for_a_cheat_sheet(paykka_stub: StubHandle) -> None:
    cards = httpx.get(paykka_stub.url + "/_stub/test-cards", timeout=10).json()["data"]
    by_number = {c["number"]: c for c in cards}
    assert by_number["4000000000000002"]["error_code"] == "5001"
    assert by_number["4000000000007726"]["outcome"] == "refund_reviewing"
    assert any(c["number"] is None and c["error_code"] == "5004" for c in cards)
