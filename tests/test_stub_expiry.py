"""A session's attempt still waiting for the shopper (3DS challenge, wallet) ends FAILURE with
error 5008 and a PAYMENT.FAILURE webhook once the emulator's clock passes the session's
expiry; a session with no attempt still expires silently."""

from __future__ import annotations

from typing import Any

import pytest

from paykka_embed import wire
from paykka_embed.stub.errors import StubError
from paykka_embed.stub.gateway import Gateway
from paykka_embed.testing import StubHandle

from stub_helpers import SignedCaller, trans_id

NOWHERE = "http://127.0.0.1:9/never"  # deliveries are logged whether or not they arrive
CHALLENGE = {"number": "4000000000003220", "exp_month": 12, "exp_year": 2034, "cvv": "123"}
LIFETIME = 3600  # a session without expire_time lives one hour


def new_session(caller: SignedCaller, **changes: Any) -> str:
    data = caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 800, "currency": "HKD",
                                                "return_url": "https://shop.example/back", "notify_url": NOWHERE,
                                                **changes})
    return str(data["session_id"])


def notify_types(stub: StubHandle, order_id: str) -> list[str]:
    return [d["notify_type"] for d in stub.webhooks() if d["event"].get("order_id") == order_id]


def test_a_pending_3ds_attempt_fails_when_the_session_expires(paykka_stub: StubHandle, gw: Gateway,
                                                              caller: SignedCaller) -> None:
    session_id = new_session(caller)
    pending = gw.pay_with_card(session_id, caller.merchant.client_key, CHALLENGE)
    assert pending.status == "PROCESSING"
    paykka_stub.advance_clock(LIFETIME - 60)  # not yet
    assert caller.ok(wire.PATH_QUERY, {"order_id": pending.order_id})["status"] == "PROCESSING"
    assert notify_types(paykka_stub, pending.order_id) == []
    paykka_stub.advance_clock(61)
    order = caller.ok(wire.PATH_QUERY, {"order_id": pending.order_id})
    assert (order["status"], order["error_code"]) == ("FAILURE", "5008")
    assert notify_types(paykka_stub, pending.order_id) == ["PAYMENT.FAILURE"]
    event = paykka_stub.webhooks()[-1]["event"]
    assert (event["status"], event["error_code"], event["session_id"]) == ("FAILURE", "5008", session_id)
    assert caller.ok(wire.PATH_QUERY_SESSION, {"session_id": session_id})["status"] == "EXPIRED"
    # The challenge page can no longer approve it.
    with pytest.raises(StubError) as refused:
        gw.complete_challenge(pending.order_id, True)
    assert refused.value.ret_code == "299001"
    assert caller.ok(wire.PATH_QUERY, {"order_id": pending.order_id})["status"] == "FAILURE"


def test_a_pending_wallet_attempt_fails_the_same_way(paykka_stub: StubHandle, gw: Gateway,
                                                     caller: SignedCaller) -> None:
    session_id = new_session(caller)
    pending = gw.start_wallet(session_id, caller.merchant.client_key, "WECHAT_PAY")
    assert pending.status == "PROCESSING"
    paykka_stub.advance_clock(LIFETIME + 1)
    assert gw.payment_status(pending.order_id).status == "FAILURE"
    assert notify_types(paykka_stub, pending.order_id) == ["PAYMENT.FAILURE"]
    # Ended once: looking again sends nothing more.
    caller.ok(wire.PATH_QUERY, {"order_id": pending.order_id})
    assert notify_types(paykka_stub, pending.order_id) == ["PAYMENT.FAILURE"]


def test_an_explicit_expire_time_is_honoured(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller) -> None:
    from datetime import datetime, timedelta, timezone

    soon = (datetime.now(timezone(timedelta(hours=8))) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S%z")
    session_id = new_session(caller, expire_time=soon)
    pending = gw.pay_with_card(session_id, caller.merchant.client_key, CHALLENGE)
    paykka_stub.advance_clock(11 * 60)
    assert caller.ok(wire.PATH_QUERY, {"order_id": pending.order_id})["error_code"] == "5008"


def test_a_session_without_an_attempt_still_expires_silently(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    session_id = new_session(caller)
    paykka_stub.advance_clock(LIFETIME + 1)
    assert caller.ok(wire.PATH_QUERY_SESSION, {"session_id": session_id})["status"] == "EXPIRED"
    assert paykka_stub.webhooks() == []


def test_a_finished_attempt_is_left_alone(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller) -> None:
    session_id = new_session(caller)
    pending = gw.pay_with_card(session_id, caller.merchant.client_key, CHALLENGE)
    gw.complete_challenge(pending.order_id, True)
    paykka_stub.advance_clock(LIFETIME + 1)
    assert caller.ok(wire.PATH_QUERY, {"order_id": pending.order_id})["status"] == "SUCCESS"
    assert notify_types(paykka_stub, pending.order_id) == ["PAYMENT.SUCCESS"]
