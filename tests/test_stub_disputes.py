"""Disputes: opened on a paid order by a test control, moved DISPUTE_CREATED → UNDER_REVIEW →
DISPUTE_WON / DISPUTE_LOST, each stage a signed DISPUTE notification to the order's notify_url
with the same headers as payment webhooks, in the webhook log, and kept with --data."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from paykka_embed import signing, wire
from paykka_embed.stub import BackgroundServer, StubContext, create_app
from paykka_embed.testing import StubHandle

from stub_helpers import SignedCaller, WebhookReceiver, enc, register, trans_id


@pytest.fixture
def caller(paykka_stub: StubHandle) -> SignedCaller:
    """Here the merchant has a default notify_url no one answers: disputes go to the order's."""
    return SignedCaller(register(paykka_stub, notify_url="http://127.0.0.1:9/merchant-default"))


def paid(caller: SignedCaller, notify_url: str, *, amount: int = 2550, capture: str = "AUTOMATIC") -> dict[str, Any]:
    data: dict[str, Any] = caller.ok(wire.PATH_INITIATE, {
        "trans_id": trans_id(), "amount": amount, "currency": "HKD", "capture_method": capture,
        "return_url": "https://shop.example/back", "notify_url": notify_url,
        "payment": {"payment_method": "BANKCARD", "encrypted_card_no": enc("5555555555554444"),
                    "encrypted_exp_month": enc("12"), "encrypted_exp_year": enc("2034"), "encrypted_cvv": enc("123")}})
    return data


def disputes_sent(stub: StubHandle) -> list[dict[str, Any]]:
    return [d["event"] for d in stub.webhooks() if d["notify_type"] == "DISPUTE"]


def test_a_dispute_goes_through_its_stages_as_signed_notifications(
        paykka_stub: StubHandle, caller: SignedCaller, receiver: WebhookReceiver) -> None:
    order = paid(caller, receiver.url)
    opened = paykka_stub.open_dispute(order["order_id"], reason_code="13.1")
    assert opened["dispute_id"].startswith("DG") and opened["dispute_stage"] == "DISPUTE_CREATED"
    assert (opened["dispute_amount"], opened["dispute_currency"], opened["order_amount"]) == (2550, "HKD", 2550)
    assert opened["reason_code_description"] == "Merchandise/Services Not Received"
    due = datetime.fromisoformat(opened["due_time"]) - datetime.fromisoformat(opened["dispute_time"])
    assert due == timedelta(days=7)
    reviewing = paykka_stub.advance_dispute(opened["dispute_id"])
    assert reviewing["dispute_stage"] == "UNDER_REVIEW"
    won = paykka_stub.advance_dispute(opened["dispute_id"], "WON")
    assert won["dispute_stage"] == "DISPUTE_WON"
    assert [h["dispute_stage"] for h in won["history"]] == ["DISPUTE_CREATED", "UNDER_REVIEW", "DISPUTE_WON"]

    stages = [e["dispute_stage"] for e in disputes_sent(paykka_stub)]
    assert stages == ["DISPUTE_CREATED", "UNDER_REVIEW", "DISPUTE_WON"]
    for delivery in paykka_stub.webhooks():
        if delivery["notify_type"] == "DISPUTE":
            assert delivery["url"] == receiver.url  # the order's notify_url, not the merchant's default
    paykka_stub.wait_for_webhook(lambda d: d["event"].get("dispute_stage") == "DISPUTE_WON")
    paykka_stub.wait_for_webhook(lambda d: d["event"].get("dispute_stage") == "DISPUTE_CREATED")
    platform = signing.load_public_key(caller.merchant.platform_public_key)
    received = [(p, {k.lower(): v for k, v in h.items()}, raw) for p, h, raw in receiver.received
                if b'"event_type":"DISPUTE"' in raw]
    assert len(received) >= 2
    for path, headers, raw in received:
        # The same headers as a payment webhook: app id, timestamp, nonce, algorithm, signature.
        assert headers["x-paykka-appid"] == caller.merchant.app_id
        assert headers["x-paykka-sign-alg"] == "SHA256_WITH_RSA"
        signing.verify_headers(platform, path, headers, raw)
        event = wire.DisputeNotification.model_validate_json(raw)
        assert (event.event_type, event.order_id, event.trans_id) == ("DISPUTE", order["order_id"], order["trans_id"])
        assert (event.card_bin, event.card_last4, event.payment_method) == ("555555", "4444", "BANKCARD")
        assert event.merchant_name == "Stub test shop" and event.arn and len(event.arn) == 23
        assert event.pay_finish_time is not None and event.posting_date
    final = wire.DisputeNotification.model_validate(disputes_sent(paykka_stub)[-1])
    assert final.final and final.dispute_stage == "DISPUTE_WON"


def test_a_dispute_can_be_lost_straight_away_and_a_closed_one_moves_no_more(paykka_stub: StubHandle,
                                                                           caller: SignedCaller) -> None:
    order = paid(caller, "http://127.0.0.1:9/never")
    opened = paykka_stub.open_dispute(order["order_id"], amount=1000, reason_code="4853", due_days=3)
    assert opened["dispute_amount"] == 1000 and opened["reason_code_description"] == "Cardholder Dispute"
    lost = paykka_stub.advance_dispute(opened["dispute_id"], "LOST")
    assert lost["dispute_stage"] == "DISPUTE_LOST"
    again = httpx.post(f"{paykka_stub.url}/_stub/disputes/{opened['dispute_id']}/advance", json={})
    assert again.status_code == 409 and again.json()["ret_code"] == "299001"
    assert "closed (DISPUTE_LOST)" in again.json()["ret_msg"]
    # The order is untouched (stub rule), and can be disputed again once the first is closed.
    assert caller.ok(wire.PATH_QUERY, {"order_id": order["order_id"]})["status"] == "SUCCESS"
    assert paykka_stub.open_dispute(order["order_id"])["dispute_amount"] == 2550
    assert [d["dispute_id"] for d in paykka_stub.disputes()][1] == opened["dispute_id"]  # newest first


def test_the_default_notify_url_is_used_when_the_order_has_none(paykka_stub: StubHandle,
                                                                caller: SignedCaller) -> None:
    data = caller.ok(wire.PATH_INITIATE, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD", "return_url": "https://shop.example/back",
        "payment": {"payment_method": "APPLE_PAY", "token_data": "wallet-token"}})
    paykka_stub.open_dispute(data["order_id"])
    delivery = [d for d in paykka_stub.webhooks() if d["notify_type"] == "DISPUTE"][0]
    assert delivery["url"] == "http://127.0.0.1:9/merchant-default"
    assert delivery["event"]["payment_method"] == "APPLE_PAY" and "card_bin" not in delivery["event"]


@pytest.mark.parametrize(("body", "status", "code", "start"), [
    ({}, 400, "010000", "order_id:"),
    ({"order_id": "GW404"}, 404, "206024", "the order"),
    ({"order_id": "<paid>", "amount": 2551}, 409, "299002", "amount:"),
    ({"order_id": "<paid>", "amount": 0}, 400, "010000", "amount:"),
    ({"order_id": "<paid>", "amount": "10.00"}, 400, "010000", "amount:"),
    ({"order_id": "<paid>", "due_days": 0}, 400, "010000", "due_days:"),
    ({"order_id": "<paid>", "reason_code": ""}, 400, "010000", "reason_code:"),
    ({"order_id": "<authorised>"}, 409, "299001", "order_id:"),
])
def test_bad_dispute_requests_are_refused_naming_the_field(paykka_stub: StubHandle, caller: SignedCaller,
                                                           body: dict[str, Any], status: int, code: str,
                                                           start: str) -> None:
    if body.get("order_id") == "<paid>":
        body = {**body, "order_id": paid(caller, "http://127.0.0.1:9/never")["order_id"]}
    elif body.get("order_id") == "<authorised>":
        body = {**body, "order_id": paid(caller, "http://127.0.0.1:9/never", capture="MANUAL")["order_id"]}
    resp = httpx.post(paykka_stub.url + "/_stub/disputes", json=body)
    assert (resp.status_code, resp.json()["ret_code"]) == (status, code), resp.json()
    assert resp.json()["ret_msg"].startswith(start)
    assert disputes_sent(paykka_stub) == []


def test_one_open_dispute_per_order_and_unknown_ids_and_outcomes(paykka_stub: StubHandle,
                                                                 caller: SignedCaller) -> None:
    order = paid(caller, "http://127.0.0.1:9/never")
    opened = paykka_stub.open_dispute(order["order_id"])
    second = httpx.post(paykka_stub.url + "/_stub/disputes", json={"order_id": order["order_id"]})
    assert (second.status_code, second.json()["ret_code"]) == (409, "299001")
    bad = httpx.post(f"{paykka_stub.url}/_stub/disputes/{opened['dispute_id']}/advance", json={"outcome": "DRAW"})
    assert (bad.status_code, bad.json()["ret_msg"]) == (400, "outcome: must be WON or LOST")
    paykka_stub.advance_dispute(opened["dispute_id"])
    needs = httpx.post(f"{paykka_stub.url}/_stub/disputes/{opened['dispute_id']}/advance", json={})
    assert needs.status_code == 400 and needs.json()["ret_msg"].startswith("outcome: is required")
    missing = httpx.post(f"{paykka_stub.url}/_stub/disputes/DG000/advance", json={})
    assert (missing.status_code, missing.json()["ret_code"]) == (404, "299006")


def test_a_dispute_survives_a_restart_and_reset_forgets_it(tmp_path: Path) -> None:
    context = StubContext(data_dir=tmp_path)
    stub = StubHandle(BackgroundServer(create_app(context)).start(), context)
    try:
        merchant = register(stub)
        caller = SignedCaller(merchant)
        order = paid(caller, "http://127.0.0.1:9/never")
        opened = stub.open_dispute(order["order_id"])
    finally:
        stub.stop()
    context = StubContext(data_dir=tmp_path)
    again = StubHandle(BackgroundServer(create_app(context)).start(), context)
    try:
        assert [d["dispute_id"] for d in again.disputes()] == [opened["dispute_id"]]
        assert [e["dispute_stage"] for e in disputes_sent(again)] == ["DISPUTE_CREATED"]
        assert again.advance_dispute(opened["dispute_id"])["dispute_stage"] == "UNDER_REVIEW"
        assert SignedCaller(dataclasses.replace(merchant, api_base=again.url)).ok(
            wire.PATH_QUERY, {"order_id": order["order_id"]})["status"] == "SUCCESS"
        again.reset()
        assert again.disputes() == []
    finally:
        again.stop()


def test_the_notification_model_reads_paykkas_documented_example_shape() -> None:
    example = {
        "event_type": "DISPUTE", "merchant_id": "18356675194960", "merchant_name": "Jade Tea House",
        "trans_id": "m3246749195217", "order_id": "GW208760010022288125", "dispute_id": "DG208760010022288125",
        "arn": "74537604221431003881865", "card_bin": "411111", "card_last4": "1111",
        "payment_method": "BankCard", "pay_finish_time": "2025-03-08T10:00:00+08:00",
        "dispute_stage": "DISPUTE_CREATED", "reason_code": "10.4",
        "reason_code_description": "Other Fraud - Card-Absent Environment", "dispute_amount": "2550",
        "dispute_currency": "HKD", "order_amount": 2550, "order_currency": "HKD", "posting_date": "2025-03-10",
        "dispute_time": "2025-03-10T09:00:00+08:00", "due_time": "2025-03-17T09:00:00+0800",
        "a_field_from_a_newer_version": 1,
    }
    event = wire.DisputeNotification.model_validate(example)
    assert (event.dispute_amount, event.order_amount) == (2550, 2550)
    assert event.due_time is not None and event.due_time.utcoffset() == timedelta(hours=8)
    assert not event.final
    assert json.loads(event.model_dump_json())["a_field_from_a_newer_version"] == 1
