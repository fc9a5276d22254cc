"""A RECURRING session must leave something to bill later: it offers no one-click cards, refuses
a stored token, and the card the shopper types is kept as a SUBSCRIPTION with an agreement."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from paykka_embed import wire
from paykka_embed.stub.errors import StubError
from paykka_embed.stub.gateway import Gateway
from paykka_embed.testing import StubHandle

from stub_helpers import SignedCaller, trans_id

SHOPPER = "shopper-recurring-1"
ON_FILE = {"payment": {"store_payment_method": True, "token_usage": "CARD_ON_FILE", "shopper_reference": SHOPPER}}
RECURRING = {"payment_type": "RECURRING",
             "payment": {"store_payment_method": True, "token_usage": "SUBSCRIPTION", "shopper_reference": SHOPPER}}
CARD = {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"}


def new_session(caller: SignedCaller, **changes: Any) -> str:
    data = caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 800, "currency": "HKD",
                                                "return_url": "https://shop.example/back", **changes})
    return str(data["session_id"])


def saved_card(gw: Gateway, caller: SignedCaller) -> str:
    """The shopper's CARD_ON_FILE token, made by paying an ordinary session that stores it."""
    paid = gw.pay_with_card(new_session(caller, **ON_FILE), caller.merchant.client_key, CARD)
    token = caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})["token"]
    assert gw.tokens[token].usage == "CARD_ON_FILE"
    return str(token)


def browser_init(stub: StubHandle, session_id: str, client_key: str) -> dict[str, Any]:
    resp = httpx.post(stub.url + "/cp/api/init", json={"sessionId": session_id, "clientKey": client_key})
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def test_a_purchase_session_offers_the_saved_card_but_a_recurring_one_does_not(
        paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller) -> None:
    token = saved_card(gw, caller)
    purchase = browser_init(paykka_stub, new_session(caller, **ON_FILE), caller.merchant.client_key)
    assert [c["token"] for c in purchase["storedCards"]] == [token]
    recurring = browser_init(paykka_stub, new_session(caller, **RECURRING), caller.merchant.client_key)
    assert recurring["storedCards"] == []
    assert recurring["storeCard"] == "always"


def test_paying_a_recurring_session_with_a_stored_token_is_refused_naming_token(
        gw: Gateway, caller: SignedCaller) -> None:
    token = saved_card(gw, caller)
    session_id = new_session(caller, **RECURRING)
    with pytest.raises(StubError) as refused:
        gw.pay_with_token(session_id, caller.merchant.client_key, token, "123")
    assert (refused.value.ret_code, refused.value.http_status) == ("010000", 400)
    assert refused.value.ret_msg.startswith("token:") and "RECURRING" in refused.value.ret_msg
    # Nothing was charged: the session is still open and has no attempt.
    assert gw.sessions[session_id].order_ids == []
    assert caller.ok(wire.PATH_QUERY_SESSION, {"session_id": session_id})["status"] == "PROCESSING"


def test_the_same_refusal_over_the_browser_api(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller) -> None:
    token = saved_card(gw, caller)
    session_id = new_session(caller, **RECURRING)
    browser_init(paykka_stub, session_id, caller.merchant.client_key)
    resp = httpx.post(paykka_stub.url + "/cp/api/pay", json={"sessionId": session_id,
                                                              "clientKey": caller.merchant.client_key,
                                                              "token": token, "cvv": "123"})
    assert resp.status_code == 400
    assert resp.json()["ret_code"] == "010000" and resp.json()["ret_msg"].startswith("token:")


def test_a_typed_card_in_a_recurring_session_leaves_a_subscription_and_an_agreement(
        gw: Gateway, caller: SignedCaller) -> None:
    saved_card(gw, caller)  # a CARD_ON_FILE card of the same shopper exists, and is not what gets used
    paid = gw.pay_with_card(new_session(caller, **RECURRING), caller.merchant.client_key, CARD, store=False)
    order = caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})
    assert order["status"] == "SUCCESS"
    assert gw.tokens[order["token"]].usage == "SUBSCRIPTION"
    agreement = gw.agreements[order["recurring_agreement_id"]]
    assert agreement.active and agreement.token == order["token"]
