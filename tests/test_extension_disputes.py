"""Disputes and refunds held for review, end to end: the emulator's signed notification → the
webhook pipeline → the store → the merchant's handler (``@paykka.on("DISPUTE")``,
``@paykka.on("REFUND.SUCCESS")``). The demo's back office is tested in the browser suite."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from flask import Flask

from paykka_embed import OrderInfo, PayKKa, signing, wire
from paykka_embed.errors import ValidationError
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle

CARD = {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"}
REVIEWED = {**CARD, "number": "4000000000007726"}


class Shop:
    def __init__(self, merchant: MerchantAccount, tmp_path: Path) -> None:
        app = Flask("disputes", instance_path=str(tmp_path))
        app.config.update({**merchant.flask_config(), "SECRET_KEY": "s"})
        self.paykka = PayKKa(app)
        self.paykka.order_resolver(lambda ref: OrderInfo(amount=Decimal("8.00"), currency="HKD"))
        self.heard: list[Any] = []
        self.paykka.on("DISPUTE")(self.heard.append)
        self.paykka.on("REFUND.SUCCESS")(self.heard.append)
        self.server = BackgroundServer(app)
        self.merchant = merchant

    def paid_order(self, stub: StubHandle, card: dict[str, Any] = CARD) -> str:
        with self.server.app.test_request_context(base_url=self.server.url):
            session = self.paykka.create_session("D1")
        paid = stub.context.gateway.pay_with_card(session.session_id, self.merchant.client_key, card)
        stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == session.trans_id)
        return paid.order_id


@pytest.fixture
def shop(paykka_merchant: MerchantAccount, tmp_path: Path) -> Iterator[Shop]:
    built = Shop(paykka_merchant, tmp_path)
    with built.server:
        yield built


def test_a_dispute_reaches_the_handler_and_the_store_at_every_stage(shop: Shop, paykka_stub: StubHandle) -> None:
    order_id = shop.paid_order(paykka_stub)
    opened = paykka_stub.open_dispute(order_id, reason_code="10.4")
    dispute_id = opened["dispute_id"]
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "DISPUTE")
    (stored,) = shop.paykka.store.disputes("D1")
    assert (stored.dispute_id, stored.stage, stored.amount, stored.currency, stored.reason_code) == \
        (dispute_id, "DISPUTE_CREATED", 800, "HKD", "10.4")
    assert stored.order_ref == "D1" and stored.due_time
    paykka_stub.advance_dispute(dispute_id)
    paykka_stub.advance_dispute(dispute_id, outcome="LOST")
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "DISPUTE" and d["event"]["dispute_stage"] == "DISPUTE_LOST")
    assert [(type(e).__name__, e.dispute_stage) for e in shop.heard] == [
        ("DisputeNotification", "DISPUTE_CREATED"), ("DisputeNotification", "UNDER_REVIEW"),
        ("DisputeNotification", "DISPUTE_LOST")]
    assert shop.paykka.store.disputes("D1")[0].stage == "DISPUTE_LOST"
    assert shop.paykka.paid_attempt("D1") is not None  # a dispute is not a payment status


def test_a_late_or_repeated_dispute_stage_never_moves_it_back(shop: Shop, paykka_stub: StubHandle,
                                                              paykka_merchant: MerchantAccount) -> None:
    order_id = shop.paid_order(paykka_stub)
    opened = paykka_stub.open_dispute(order_id)
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "DISPUTE")
    paykka_stub.advance_dispute(opened["dispute_id"], outcome="WON")
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "DISPUTE" and d["event"]["dispute_stage"] == "DISPUTE_WON")
    # The DISPUTE_CREATED notification delivered again, late (a fresh signature, the same event).
    created = next(d["event"] for d in paykka_stub.webhooks() if d["event"].get("dispute_stage") == "DISPUTE_CREATED")
    body = json.dumps(created).encode()
    path = "/paykka/webhook"
    headers = {**signing.signed_headers(paykka_stub.context.platform_key, paykka_merchant.app_id, path, body),
               "content-type": "application/json"}
    assert httpx.post(shop.server.url + path, content=body, headers=headers, timeout=10).status_code == 200
    assert shop.paykka.store.disputes("D1")[0].stage == "DISPUTE_WON"
    assert [e.dispute_stage for e in shop.heard] == ["DISPUTE_CREATED", "DISPUTE_WON"]  # the repeat is a duplicate


def test_a_refund_held_for_review_is_heard_when_it_completes(shop: Shop, paykka_stub: StubHandle) -> None:
    order_id = shop.paid_order(paykka_stub, REVIEWED)
    refund = shop.paykka.client.refund(refund_trans_id="D1-R1", ori_order_id=order_id, amount=Decimal("8.00"),
                                       currency="HKD")
    assert refund.status == "REVIEWING"
    assert shop.paykka.client.query_refund(refund_trans_id="D1-R1").status == "REVIEWING"
    assert [e for e in shop.heard if isinstance(e, wire.NotifyEvent)] == []
    paykka_stub.advance_clock(3601)
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "REFUND.SUCCESS")
    (event,) = [e for e in shop.heard if isinstance(e, wire.NotifyEvent)]
    assert (event.notify_type, event.trans_id, event.refund_order_id) == ("REFUND.SUCCESS", "D1-R1", refund.refund_order_id)
    assert shop.paykka.client.query_transaction(order_id=order_id).status == "REFUNDED"
    # The refund's notification moved the payment's own record too (it does not carry that status).
    assert shop.paykka.store.attempt_by_order_id(order_id).status == "REFUNDED"


def test_handlers_can_be_registered_for_disputes_only_by_known_names(paykka_merchant: MerchantAccount,
                                                                      tmp_path: Path) -> None:
    shop = Shop(paykka_merchant, tmp_path)
    with pytest.raises(ValidationError) as info:
        shop.paykka.on("DISPUTES")
    assert "DISPUTE" in info.value.rule
