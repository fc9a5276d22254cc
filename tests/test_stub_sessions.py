"""Checkout sessions at the emulator, over real HTTP with real signatures: the seed's
examples as written, idempotency on trans_id, validation with PayKKa's codes, query by
session_id or trans_id, expiry by the stub clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from paykka_embed import wire
from paykka_embed.errors import APIError
from paykka_embed.testing import MerchantAccount, StubHandle

from stub_helpers import SignedCaller, register, trans_id


HK = timezone(timedelta(hours=8))


def seed_request(**changes: Any) -> dict[str, Any]:
    """The product page's Create Session example, with a fresh trans_id and a future expiry."""
    body: dict[str, Any] = {
        "payment_type": "PURCHASE", "authorisation_type": "FINAL_AUTH", "capture_method": "AUTOMATIC",
        "trans_id": trans_id("m"), "expire_time": (datetime.now(HK) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S%z"),
        "session_mode": "HOSTED", "display_locale": "fr-FR", "currency": "HKD", "amount": "800",
        "return_url": "https://url",
        "payment": {"store_payment_method": True, "token_usage": "CARD_ON_FILE",
                    "shopper_reference": "854f5baaf0a735139c583c4cea14d14c"},
        "goods": [], "bill": {}, "shipping": {}, "customer": {},
    }
    body.update(changes)
    return body


def test_seed_example_is_accepted_and_answered_with_the_seed_fields(caller: SignedCaller) -> None:
    req = seed_request()
    data = caller.ok(wire.PATH_CREATE_SESSION, req)
    assert data["session_id"].startswith("CS")
    assert data["session_url"].endswith(f"/hp/pay/{data['session_id']}")
    assert data["status"] == "PROCESSING"
    assert data["amount"] == "800" and data["currency"] == "HKD"
    assert data["trans_id"] == req["trans_id"] and data["session_mode"] == "HOSTED"
    assert data["authorisation_type"] == "FINAL_AUTH" and data["capture_method"] == "AUTOMATIC"
    # The expiry comes back in the offset it was given (+0800 written as +08:00).
    assert datetime.fromisoformat(data["expire_time"]).utcoffset() == timedelta(hours=8)
    wire.SessionData.model_validate(data)


@pytest.mark.parametrize("mode", ["HOSTED", "DROP_IN", "COMPONENT"])
def test_every_mode_and_all_request_parts(caller: SignedCaller, mode: str) -> None:
    data = caller.ok(wire.PATH_CREATE_SESSION, {
        "trans_id": trans_id(), "session_mode": mode, "amount": 12900, "currency": "PHP",
        "capture_method": "MANUAL", "authorisation_type": "PRE_AUTH", "display_merchant_name": "Jade Tea",
        "theme_id": "t1", "notify_url": "https://shop.example/hook", "return_url": "https://shop.example/back",
        "cancel_url": "https://shop.example/cancel", "allowed_payment_methods": ["BANKCARD", "GCash", "PayMaya"],
        "goods": [{"id": "1", "name": "Cup", "price": "12900", "quantity": 1}],
        "bill": {"billing_address_collection": "REQUIRED", "first_name": "Maria", "country": "PH",
                 "area_code": "+63"},
        "shipping": {"first_name": "Maria", "country": "PH"},
        "customer": {"id": "c1", "email": "m@example.com"},
        "browser": {"user_agent": "UA", "device_type": "PC", "terminal_type": "WEB"},
        "authentication": {"challenge_indicator": "NO_PREFERENCE"},
        "timestamp": 1757387467986,
    })
    assert data["session_mode"] == mode and data["capture_method"] == "MANUAL"


def test_same_trans_id_returns_the_same_session(caller: SignedCaller) -> None:
    req = seed_request()
    first = caller.ok(wire.PATH_CREATE_SESSION, req)
    again = caller.ok(wire.PATH_CREATE_SESSION, {**req, "amount": 800})  # "800" and 800 are the same amount
    assert again["session_id"] == first["session_id"]


@pytest.mark.parametrize("change", [{"amount": "801"}, {"currency": "USD"}])
def test_same_trans_id_with_another_amount_or_currency_is_refused(caller: SignedCaller,
                                                                 change: dict[str, Any]) -> None:
    req = seed_request()
    caller.ok(wire.PATH_CREATE_SESSION, req)
    answer = caller.call(wire.PATH_CREATE_SESSION, {**req, **change})
    assert (answer.status, answer.ret_code) == (400, "010000")
    assert answer.ret_msg.startswith("trans_id:") and "800 HKD" in answer.ret_msg


def _in(hours: float) -> str:
    return (datetime.now(HK) + timedelta(hours=hours)).isoformat(timespec="seconds")


@pytest.mark.parametrize(("change", "field", "rule"), [
    ({"expire_time": _in(-1)}, "expire_time", "future"),
    ({"expire_time": _in(25)}, "expire_time", "24 hours"),
    ({"expire_time": "2030-01-01T10:00:00"}, "expire_time", "UTC offset"),
    ({"currency": "ABC"}, "currency", "ISO 4217"),
    ({"currency": "hkd"}, "currency", ""),
    ({"amount": "8.00"}, "amount", "minor units"),
    ({"amount": 8.5}, "amount", "minor units"),
    ({"amount": 0}, "amount", "positive"),
    ({"amount": -800}, "amount", "positive"),
    ({"amount": True}, "amount", "minor units"),
    ({"session_mode": "POPUP"}, "session_mode", ""),
    ({"payment_type": "RECURRING", "payment": {"shopper_reference": "s1"}}, "payment.store_payment_method", "true"),
    ({"payment_type": "RECURRING", "payment": {"store_payment_method": True}}, "payment.shopper_reference",
     "required"),
    ({"payment_type": "RECURRING", "payment": {"store_payment_method": True, "shopper_reference": "s1",
                                               "token_usage": "CARD_ON_FILE"}}, "payment.token_usage",
     "SUBSCRIPTION"),
    ({"payment": {"token_usage": "SUBSCRIPTION"}}, "payment.token_usage", "RECURRING"),
    ({"allowed_payment_methods": ["BANKCARD", "Bitcoin"]}, "allowed_payment_methods[1]", "not a payment method"),
    ({"allowed_payment_methods": ["GCash"]}, "allowed_payment_methods", "HKD"),
    ({"return_url": "javascript:alert(1)"}, "return_url", "http(s)"),
    ({"trans_id": ""}, "trans_id", ""),
    ({"display_locale": "not a locale!"}, "display_locale", "BCP 47"),
])
def test_bad_fields_are_refused_naming_the_field_and_rule(caller: SignedCaller, change: dict[str, Any],
                                                          field: str, rule: str) -> None:
    answer = caller.call(wire.PATH_CREATE_SESSION, seed_request(**change))
    assert (answer.status, answer.ret_code) == (400, "010000"), answer
    assert answer.ret_msg.startswith(f"{field}:"), answer.ret_msg
    assert rule in answer.ret_msg
    assert "data" not in answer.body


def test_refused_session_changes_nothing(caller: SignedCaller) -> None:
    req = seed_request(expire_time=_in(-1))
    caller.call(wire.PATH_CREATE_SESSION, req)
    answer = caller.call(wire.PATH_QUERY_SESSION, {"trans_id": req["trans_id"]})
    assert (answer.status, answer.ret_code) == (404, "206011")


def test_query_session_by_session_id_or_trans_id(caller: SignedCaller, paykka_merchant: MerchantAccount) -> None:
    req = seed_request()
    created = caller.ok(wire.PATH_CREATE_SESSION, req)
    with paykka_merchant.client() as client:
        by_id = client.query_session(session_id=created["session_id"])
        by_trans = client.query_session(trans_id=req["trans_id"])
    assert by_id.session_id == by_trans.session_id == created["session_id"]
    assert by_id.status == "PROCESSING" and by_id.session_url == created["session_url"]
    seed_query = caller.ok(wire.PATH_QUERY_SESSION, {"trans_id": req["trans_id"],
                                                     "session_id": created["session_id"]})
    assert seed_query["session_id"] == created["session_id"]


def test_unknown_session_and_order(caller: SignedCaller) -> None:
    answer = caller.call(wire.PATH_QUERY_SESSION, {"session_id": "CS000"})
    assert answer.ret_code == "206011" and answer.ret_msg == "the session does not exist"
    answer = caller.call(wire.PATH_QUERY, {"order_id": "GW000"})
    assert answer.ret_code == "206024" and answer.ret_msg == "the order doesn't exist"


def test_another_merchants_session_does_not_exist_for_me(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    created = caller.ok(wire.PATH_CREATE_SESSION, seed_request())
    other = SignedCaller(register(paykka_stub))
    assert other.call(wire.PATH_QUERY_SESSION, {"session_id": created["session_id"]}).ret_code == "206011"


def test_unpaid_session_expires_by_the_clock_without_a_webhook(paykka_stub: StubHandle,
                                                               caller: SignedCaller) -> None:
    req = seed_request(expire_time=_in(1), notify_url="https://shop.example/hook")
    created = caller.ok(wire.PATH_CREATE_SESSION, req)
    paykka_stub.advance_clock(3601)
    data = caller.ok(wire.PATH_QUERY_SESSION, {"session_id": created["session_id"]})
    assert data["status"] == "EXPIRED"
    # As the seed says: no transaction, so Query Transaction answers "the order doesn't exist".
    answer = caller.call(wire.PATH_QUERY, {"session_id": created["session_id"]})
    assert (answer.ret_code, answer.ret_msg) == ("206024", "the order doesn't exist")
    assert paykka_stub.webhooks() == []
    gw = paykka_stub.context.gateway
    with pytest.raises(Exception) as refused:
        gw.browser_init(created["session_id"], paykka_stub.context.gateway.sessions[created["session_id"]].client_key)
    assert getattr(refused.value, "ret_code", "") == "SESSION_EXPIRED"


def test_default_lifetime_is_one_hour(caller: SignedCaller) -> None:
    data = caller.ok(wire.PATH_CREATE_SESSION, seed_request(expire_time=None))
    left = datetime.fromisoformat(data["expire_time"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=59) < left <= timedelta(hours=1)


def test_client_sees_the_same(paykka_merchant: MerchantAccount) -> None:
    with paykka_merchant.client() as client:
        session = client.create_session({"trans_id": trans_id(), "amount": 800, "currency": "JPY",
                                         "session_mode": "DROP_IN"})
        assert session.amount == 800 and session.currency == "JPY"
        with pytest.raises(APIError) as refused:
            client.query_transaction(session_id=session.session_id)
        assert refused.value.ret_code == "206024"
