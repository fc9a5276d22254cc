"""Webhooks from the emulator: all six notify types with the notes' fields, signed with
the platform key over the receiver's path, retried on the documented schedule as the
stub clock moves, every attempt in GET /_stub/webhooks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from paykka_embed import signing, wire
from paykka_embed.stub.gateway import Gateway
from paykka_embed.stub.webhooks import RETRY_SCHEDULE
from paykka_embed.testing import StubHandle

from stub_helpers import SignedCaller, WebhookReceiver, register, trans_id


def paid(gw: Gateway, caller: SignedCaller, notify_url: str, number: str = "4111111111111111",
         **changes: Any) -> str:
    s = caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 1000, "currency": "HKD",
                                             "notify_url": notify_url, **changes})
    return gw.pay_with_card(s["session_id"], caller.merchant.client_key,
                            {"number": number, "exp_month": 12, "exp_year": 2034, "cvv": "123"}).order_id


def test_all_six_types_signed_with_the_notes_fields(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller,
                                                    receiver: WebhookReceiver) -> None:
    url = receiver.url
    authorised = paid(gw, caller, url, capture_method="MANUAL",
                      payment={"store_payment_method": True, "shopper_reference": "shopper-1"})
    caller.ok(wire.PATH_CAPTURE, {"order_id": authorised})
    voided = paid(gw, caller, url, capture_method="MANUAL")
    caller.ok(wire.PATH_VOID, {"order_id": voided})
    paid(gw, caller, url, "4000000000000002")
    caller.ok(wire.PATH_REFUND, {"ori_order_id": authorised, "refund_trans_id": "rf-1", "refund_amount": 400,
                                 "currency": "HKD"})
    failing = paid(gw, caller, url, "4000000000005126")
    caller.ok(wire.PATH_REFUND, {"ori_order_id": failing, "refund_trans_id": "rf-2", "refund_amount": 100,
                                 "currency": "HKD"})
    wanted = ["PAYMENT.AUTHORIZATION", "PAYMENT.SUCCESS", "PAYMENT.AUTHORIZATION", "PAYMENT.CANCELED",
              "PAYMENT.FAILURE", "REFUND.SUCCESS", "PAYMENT.SUCCESS", "REFUND.FAILURE"]
    paykka_stub.wait_for_webhook(lambda d: d["id"] == len(wanted))
    log = paykka_stub.webhooks()
    assert [d["notify_type"] for d in log] == wanted
    assert all(d["state"] == "delivered" and d["attempts"][-1]["status"] == 200 for d in log)

    platform = signing.load_public_key(caller.merchant.platform_public_key)
    events = []
    for path, headers, body in receiver.received:
        assert path == "/hooks/paykka"
        signing.verify_headers(platform, path, headers, body)  # over the raw body, the receiver's path
        assert headers["X-Paykka-Appid"] == caller.merchant.app_id
        events.append(wire.NotifyEvent.model_validate(json.loads(body)))
    assert [e.notify_type for e in events] == wanted

    auth = events[0]
    assert (auth.order_id, auth.status, auth.amount, auth.currency) == (authorised, "AUTHORIZED", 1000, "HKD")
    assert auth.token and auth.token.startswith("TK") and auth.shopper_reference == "shopper-1"
    assert auth.card_info is not None and auth.card_info.last4 == "1111" and auth.card_info.bin == "411111"
    assert auth.payment is not None and auth.payment.payment_method == "BANKCARD"
    assert auth.authentication_result is not None and auth.authentication_result.status == "Y"
    assert auth.session_id and auth.expire_time and auth.pay_finish_time
    assert events[3].status == "CANCELED"
    assert (events[4].status, events[4].error_code) == ("FAILURE", "5001")
    refund = events[5]
    assert (refund.trans_id, refund.ori_order_id, refund.status, refund.amount) == ("rf-1", authorised,
                                                                                     "SUCCESS", 400)
    assert refund.refund_order_id and refund.refund_order_id.startswith("RG")
    assert (events[7].status, events[7].error_code) == ("FAILURE", "6001")


def test_retries_follow_the_schedule_on_the_stub_clock(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller,
                                                       receiver: WebhookReceiver) -> None:
    receiver.statuses = [500, 503]
    paid(gw, caller, receiver.url)
    first = paykka_stub.wait_for_webhook(lambda d: len(d["attempts"]) == 1, delivered=False)
    assert first["state"] == "pending" and first["attempts"][0]["status"] == 500
    assert first["next_attempt_ms"] - first["attempts"][0]["at_ms"] == pytest.approx(RETRY_SCHEDULE[0] * 1000,
                                                                                       abs=1000)
    paykka_stub.advance_clock(RETRY_SCHEDULE[0])
    second = paykka_stub.wait_for_webhook(lambda d: len(d["attempts"]) == 2, delivered=False)
    assert second["attempts"][1]["status"] == 503
    paykka_stub.advance_clock(RETRY_SCHEDULE[1] - RETRY_SCHEDULE[0])
    done = paykka_stub.wait_for_webhook(lambda d: len(d["attempts"]) == 3)
    assert done["state"] == "delivered" and done["attempts"][2]["status"] == 200
    bodies = {body for _, _, body in receiver.received}
    assert len(bodies) == 1  # the same event each time, re-signed with a fresh nonce
    nonces = {headers["X-Paykka-Nonce"] for _, headers, _ in receiver.received}
    assert len(nonces) == 3


def test_unreachable_receiver_gives_up_after_the_schedule(paykka_stub: StubHandle, gw: Gateway,
                                                          caller: SignedCaller) -> None:
    paid(gw, caller, "http://127.0.0.1:9/closed")
    for attempt in range(1, len(RETRY_SCHEDULE) + 2):
        delivery = paykka_stub.wait_for_webhook(lambda d, n=attempt: len(d["attempts"]) == n, delivered=False)
        if attempt <= len(RETRY_SCHEDULE):
            paykka_stub.advance_clock(RETRY_SCHEDULE[attempt - 1] - (RETRY_SCHEDULE[attempt - 2] if attempt > 1
                                                                      else 0))
    assert delivery["state"] == "failed" and len(delivery["attempts"]) == len(RETRY_SCHEDULE) + 1
    assert all(a["error"] for a in delivery["attempts"])


def test_merchant_default_notify_url(paykka_stub: StubHandle, gw: Gateway, receiver: WebhookReceiver) -> None:
    merchant = SignedCaller(register(paykka_stub, notify_url=receiver.url))
    s = merchant.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 100, "currency": "HKD"})
    gw.pay_with_card(s["session_id"], merchant.merchant.client_key,
                     {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"})
    assert paykka_stub.wait_for_webhook()["url"] == receiver.url


def test_webhook_faults(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller, receiver: WebhookReceiver,
                        ) -> None:
    import httpx

    faults = paykka_stub.url + "/_stub/faults"
    httpx.post(faults, json={"path": "webhook", "kind": "duplicate", "count": 1}).raise_for_status()
    httpx.post(faults, json={"path": "webhook", "kind": "fail", "count": 1}).raise_for_status()
    paid(gw, caller, receiver.url)
    paykka_stub.wait_for_webhook(lambda d: d["id"] == 1 and len(d["attempts"]) == 1, delivered=False)
    paykka_stub.wait_for_webhook(lambda d: d["id"] == 2)
    failed = paykka_stub.webhooks()[0]
    assert failed["attempts"][0]["error"].startswith("injected fault")
    paykka_stub.advance_clock(RETRY_SCHEDULE[0])
    paykka_stub.wait_for_webhook(lambda d: d["id"] == 1)
    assert len(receiver.received) == 2 and receiver.received[0][2] == receiver.received[1][2]

    httpx.post(faults, json={"path": "webhook", "kind": "reorder", "count": 1}).raise_for_status()
    first = paid(gw, caller, receiver.url)
    second = paid(gw, caller, receiver.url)
    paykka_stub.wait_for_webhook(lambda d: d["id"] == 4)
    paykka_stub.wait_for_webhook(lambda d: d["id"] == 3)
    order = [json.loads(body)["order_id"] for _, _, body in receiver.received[2:]]
    assert order == [second, first]
    assert httpx.delete(faults).json()["data"] == []
