"""Refunds through REVIEWING: test card 4000000000007726's refunds answer REVIEWING, count
against what can still be refunded, and succeed (balances, status, signed REFUND.SUCCESS) when
the emulator's clock passes the one-hour review."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from paykka_embed import signing, wire
from paykka_embed.stub import BackgroundServer, StubContext, create_app
from paykka_embed.stub.modifications import REVIEW_SECONDS
from paykka_embed.testing import MerchantAccount, StubHandle

from stub_helpers import SignedCaller, WebhookReceiver, enc, register, trans_id

REVIEWED_CARD = "4000000000007726"


@pytest.fixture
def caller(paykka_stub: StubHandle, receiver: WebhookReceiver) -> SignedCaller:
    """Here the merchant's default notify_url is the receiver, so refunds report there."""
    return SignedCaller(register(paykka_stub, notify_url=receiver.url))


def paid(caller: SignedCaller, number: str = REVIEWED_CARD, amount: int = 1000) -> str:
    data = caller.ok(wire.PATH_INITIATE, {
        "trans_id": trans_id(), "amount": amount, "currency": "HKD", "return_url": "https://shop.example/back",
        "payment": {"payment_method": "BANKCARD", "encrypted_card_no": enc(number), "encrypted_exp_month": enc("12"),
                    "encrypted_exp_year": enc("2034"), "encrypted_cvv": enc("123")}})
    assert data["status"] == "SUCCESS"
    return str(data["order_id"])


def refund(caller: SignedCaller, order_id: str, rid: str, amount: int) -> Any:
    return caller.call(wire.PATH_REFUND, {"ori_order_id": order_id, "refund_trans_id": rid, "refund_amount": amount,
                                          "currency": "HKD"})


def balances(caller: SignedCaller, order_id: str) -> tuple[str, int, int]:
    order = caller.ok(wire.PATH_QUERY, {"order_id": order_id})
    return order["status"], order["balances"]["refunded_amount"], order["balances"]["able_to_refund_amount"]


def refund_types(stub: StubHandle) -> list[str]:
    return [d["notify_type"] for d in stub.webhooks() if d["notify_type"].startswith("REFUND.")]


def test_a_refund_waits_in_reviewing_then_succeeds_when_the_clock_passes_the_review(
        paykka_stub: StubHandle, caller: SignedCaller, receiver: WebhookReceiver) -> None:
    order_id = paid(caller)
    first = refund(caller, order_id, "rv-1", 300)
    assert first.ret_code == "000000"
    assert (first.data["status"], first.data["amount"]) == ("REVIEWING", "300")
    assert "refund_finish_time" not in first.data and "error_code" not in first.data
    assert caller.ok(wire.PATH_REFUND_QUERY, {"refund_trans_id": "rv-1"})["status"] == "REVIEWING"
    # Under review: nothing refunded yet, but no longer refundable either.
    assert balances(caller, order_id) == ("SUCCESS", 0, 700)
    over = refund(caller, order_id, "rv-2", 701)
    assert (over.status, over.ret_code) == (409, "299002") and "701 (7.01 HKD) is more than the 700 (7.00 HKD) left to refund" in over.ret_msg
    reused = refund(caller, order_id, "rv-1", 200)  # the id of another refund, with another amount
    assert reused.ret_code == "010000"
    assert "already used for a refund of refund_amount 300 (3.00 HKD) on " in reused.ret_msg, reused.ret_msg
    rest = refund(caller, order_id, "rv-2", 700)
    assert rest.data["status"] == "REVIEWING"
    assert balances(caller, order_id) == ("SUCCESS", 0, 0)
    assert refund(caller, order_id, "rv-3", 1).ret_code == "299002"
    assert refund_types(paykka_stub) == []  # PayKKa notifies a refund's end, not its review

    paykka_stub.advance_clock(REVIEW_SECONDS - 5)
    assert caller.ok(wire.PATH_REFUND_QUERY, {"refund_order_id": first.data["refund_order_id"]})["status"] == \
        "REVIEWING"
    paykka_stub.advance_clock(10)
    settled = caller.ok(wire.PATH_REFUND_QUERY, {"refund_trans_id": "rv-1"})
    assert (settled["status"], settled["error_code"]) == ("SUCCESS", "0000") and settled["refund_finish_time"]
    assert balances(caller, order_id) == ("REFUNDED", 1000, 0)
    assert refund_types(paykka_stub) == ["REFUND.SUCCESS", "REFUND.SUCCESS"]
    # Each arrives signed, as payment webhooks do, with the refund's ids.
    paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == "rv-2")
    paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == "rv-1")
    platform = signing.load_public_key(caller.merchant.platform_public_key)
    events = []
    for path, headers, raw in receiver.received:
        signing.verify_headers(platform, path, {k.lower(): v for k, v in headers.items()}, raw)
        events.append(json.loads(raw))
    refunds = {e["trans_id"]: e for e in events if e["notify_type"] == "REFUND.SUCCESS"}
    assert set(refunds) == {"rv-1", "rv-2"}
    assert (refunds["rv-1"]["status"], refunds["rv-1"]["amount"], refunds["rv-1"]["ori_order_id"]) == (
        "SUCCESS", 300, order_id)
    wire.NotifyEvent.model_validate(refunds["rv-2"])


def test_a_retried_refund_under_review_answers_the_same_and_counts_once(paykka_stub: StubHandle,
                                                                        caller: SignedCaller) -> None:
    order_id = paid(caller)
    first = refund(caller, order_id, "same", 400).data
    again = refund(caller, order_id, "same", 400).data
    assert again == first and again["status"] == "REVIEWING"
    assert balances(caller, order_id) == ("SUCCESS", 0, 600)
    paykka_stub.advance_clock(REVIEW_SECONDS + 1)
    assert refund(caller, order_id, "same", 400).data["status"] == "SUCCESS"
    assert balances(caller, order_id) == ("PARTIALLY_REFUNDED", 400, 600)
    assert refund_types(paykka_stub) == ["REFUND.SUCCESS"]


def test_other_cards_refund_at_once(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    order_id = paid(caller, "4111111111111111")
    assert refund(caller, order_id, "now", 1000).data["status"] == "SUCCESS"
    assert balances(caller, order_id) == ("REFUNDED", 1000, 0)


def test_the_card_paid_in_the_browser_reviews_its_refunds_too(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    session = caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 800, "currency": "HKD"})
    result = paykka_stub.context.gateway.pay_with_card(
        session["session_id"], caller.merchant.client_key,
        {"number": REVIEWED_CARD, "exp_month": 12, "exp_year": 2034, "cvv": "123"})
    assert refund(caller, result.order_id, "b-1", 800).data["status"] == "REVIEWING"


def test_a_refund_under_review_survives_a_restart_and_then_succeeds(tmp_path: Path) -> None:
    context = StubContext(data_dir=tmp_path)
    stub = StubHandle(BackgroundServer(create_app(context)).start(), context)
    try:
        merchant: MerchantAccount = register(stub, notify_url="http://127.0.0.1:9/never")
        caller = SignedCaller(merchant)
        order_id = paid(caller)
        assert refund(caller, order_id, "kept", 250).data["status"] == "REVIEWING"
    finally:
        stub.stop()
    context = StubContext(data_dir=tmp_path)
    again = StubHandle(BackgroundServer(create_app(context)).start(), context)
    try:
        caller = SignedCaller(dataclasses.replace(merchant, api_base=again.url))
        assert caller.ok(wire.PATH_REFUND_QUERY, {"refund_trans_id": "kept"})["status"] == "REVIEWING"
        assert balances(caller, order_id) == ("SUCCESS", 0, 750)
        again.advance_clock(REVIEW_SECONDS + 1)
        assert caller.ok(wire.PATH_REFUND_QUERY, {"refund_trans_id": "kept"})["status"] == "SUCCESS"
        assert balances(caller, order_id) == ("PARTIALLY_REFUNDED", 250, 750)
    finally:
        again.stop()
