"""``--data DIR``: a restarted emulator keeps its merchants, sessions, orders, refunds,
tokens, agreements and undelivered webhooks (which then resume on their schedule)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from paykka_embed import wire
from paykka_embed.stub import BackgroundServer, StubContext, create_app
from paykka_embed.stub.persistence import DB_NAME
from paykka_embed.testing import StubHandle

from stub_helpers import SignedCaller, WebhookReceiver, register, trans_id


def start(data_dir: Path) -> StubHandle:
    context = StubContext(data_dir=data_dir)
    return StubHandle(BackgroundServer(create_app(context)).start(), context)


def test_state_survives_a_restart(tmp_path: Path) -> None:
    receiver = WebhookReceiver()
    receiver.statuses = [500]
    stub = start(tmp_path)
    try:
        merchant = register(stub)
        caller = SignedCaller(merchant)
        gw = stub.context.gateway
        s = caller.ok(wire.PATH_CREATE_SESSION, {
            "trans_id": trans_id(), "amount": 800, "currency": "HKD", "payment_type": "RECURRING",
            "notify_url": receiver.url,
            "payment": {"store_payment_method": True, "token_usage": "SUBSCRIPTION", "shopper_reference": "s1"}})
        paid = gw.pay_with_card(s["session_id"], merchant.client_key,
                                {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"})
        order = caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})
        refund = caller.ok(wire.PATH_REFUND, {"ori_order_id": paid.order_id, "refund_trans_id": "r1",
                                              "refund_amount": 100, "currency": "HKD"})
        stub.wait_for_webhook(lambda d: len(d["attempts"]) == 1, delivered=False)
        platform = merchant.platform_public_key
    finally:
        stub.stop()
    assert (tmp_path / DB_NAME).exists()
    assert b"4111111111111111" not in (tmp_path / DB_NAME).read_bytes()

    again = start(tmp_path)
    try:
        moved = dataclasses.replace(merchant, api_base=again.url)
        assert again.context.merchant_credentials(again.context.gateway.merchants[merchant.merchant_id])[
            "platform_public_key"] == platform
        caller = SignedCaller(moved)
        assert caller.ok(wire.PATH_QUERY_SESSION, {"session_id": s["session_id"]})["status"] == "PARTIALLY_REFUNDED"
        assert caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})["balances"]["refunded_amount"] == 100
        assert caller.ok(wire.PATH_REFUND_QUERY, {"refund_trans_id": "r1"}) == refund
        charge = caller.ok(wire.PATH_INITIATE, {
            "trans_id": trans_id(), "amount": 800, "currency": "HKD", "payment_type": "RECURRING", "mit": True,
            "recurring_agreement_id": order["recurring_agreement_id"],
            "payment": {"token": order["token"], "shopper_reference": "s1"}})
        assert charge["status"] == "SUCCESS"
        # Both undelivered notifications resume on their schedule.
        log = again.webhooks()
        assert [d["notify_type"] for d in log[:2]] == ["PAYMENT.SUCCESS", "REFUND.SUCCESS"]
        again.advance_clock(15)
        again.wait_for_webhook(lambda d: d["id"] == 1)
        again.wait_for_webhook(lambda d: d["id"] == 2)
        # New ids do not collide with the old ones.
        assert len({d["id"] for d in again.webhooks()}) == len(again.webhooks())
    finally:
        again.stop()
        receiver.close()


def test_without_a_data_dir_state_is_in_memory() -> None:
    context = StubContext()
    assert context.data_dir is None
    assert type(context.persistence).__name__ == "MemoryPersistence"
    context.close()
