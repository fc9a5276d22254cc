"""Stored cards, recurring agreements, API-only payments and wallets at the emulator:
CARD_ON_FILE one-click, SUBSCRIPTION tokens with agreements charged merchant-initiated
until cancelled, the stub's card encryption, PCI rules, Apple Pay sessions, and the
wallets' flows and currency table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from paykka_embed import wire
from paykka_embed.stub.errors import StubError
from paykka_embed.stub.gateway import Gateway
from paykka_embed.testing import StubHandle

from stub_helpers import SignedCaller, enc, register, trans_id


SHOPPER = "854f5baaf0a735139c583c4cea14d14c"


def session(caller: SignedCaller, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = caller.ok(wire.PATH_CREATE_SESSION, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD", "return_url": "https://shop.example/back",
        **changes})
    return data


def card(number: str = "4111111111111111", cvv: str = "123") -> dict[str, Any]:
    return {"number": number, "exp_month": 12, "exp_year": 2034, "cvv": cvv}


ON_FILE = {"payment": {"store_payment_method": True, "token_usage": "CARD_ON_FILE", "shopper_reference": SHOPPER}}
SUBSCRIPTION = {"payment_type": "RECURRING",
                "payment": {"store_payment_method": True, "token_usage": "SUBSCRIPTION", "shopper_reference": SHOPPER}}


def test_card_on_file_then_one_click(gw: Gateway, caller: SignedCaller) -> None:
    first = session(caller, **ON_FILE)
    paid = gw.pay_with_card(first["session_id"], caller.merchant.client_key, card())
    token = caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})["token"]
    assert token.startswith("TK")
    second = gw.sessions[session(caller, **ON_FILE)["session_id"]]
    assert gw.stored_cards(second) == [{"token": token, "brand": "VISA", "last4": "1111", "exp_month": 12,
                                        "exp_year": 2034}]
    declined = gw.pay_with_token(second.session_id, caller.merchant.client_key, token, "000")
    assert (declined.status, declined.error_code) == ("FAILURE", "5004")
    one_click = gw.pay_with_token(second.session_id, caller.merchant.client_key, token, "321")
    assert one_click.status == "SUCCESS"
    # The same card stored again for the same shopper keeps its token.
    third = session(caller, **ON_FILE)
    again = gw.pay_with_card(third["session_id"], caller.merchant.client_key, card())
    assert caller.ok(wire.PATH_QUERY, {"order_id": again.order_id})["token"] == token


def test_shopper_can_decline_saving_and_nothing_is_stored_without_a_reference(gw: Gateway,
                                                                             caller: SignedCaller) -> None:
    s = session(caller, **ON_FILE)
    paid = gw.pay_with_card(s["session_id"], caller.merchant.client_key, card(), store=False)
    assert "token" not in caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})
    bare = session(caller)
    paid = gw.pay_with_card(bare["session_id"], caller.merchant.client_key, card(), store=True)
    assert "token" not in caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})
    assert gw.stored_cards(gw.sessions[bare["session_id"]]) == []


def test_card_number_is_never_kept(gw: Gateway, caller: SignedCaller) -> None:
    s = session(caller, **ON_FILE)
    gw.pay_with_card(s["session_id"], caller.merchant.client_key, card("5555555555554444"))
    everything = json.dumps([r.to_row() for table in (gw.transactions, gw.tokens, gw.sessions)
                             for r in table.values()], default=str)
    assert "5555555555554444" not in everything and "555555555555" not in everything


def test_token_remove(gw: Gateway, caller: SignedCaller) -> None:
    s = session(caller, **ON_FILE)
    token = caller.ok(wire.PATH_QUERY, {"order_id": gw.pay_with_card(
        s["session_id"], caller.merchant.client_key, card()).order_id})["token"]
    wrong = caller.call(wire.PATH_TOKEN_REMOVE, {"token": token, "shopper_reference": "someone-else"})
    assert wrong.ret_code == "299003"
    data = caller.ok(wire.PATH_TOKEN_REMOVE, {"token": token, "shopper_reference": SHOPPER})
    assert data == {"token": token, "shopper_reference": SHOPPER, "status": "REMOVED"}
    later = session(caller, **ON_FILE)
    assert gw.stored_cards(gw.sessions[later["session_id"]]) == []
    with pytest.raises(StubError) as refused:
        gw.pay_with_token(later["session_id"], caller.merchant.client_key, token, "123")
    assert refused.value.ret_code == "299003"


def first_recurring(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller) -> dict[str, Any]:
    s = session(caller, **SUBSCRIPTION, mit=False, notify_url="http://127.0.0.1:9/never")
    assert gw.payment_methods(gw.sessions[s["session_id"]]) == ["BANKCARD"]
    paid = gw.pay_with_card(s["session_id"], caller.merchant.client_key, card(), store=False)  # always stores
    data: dict[str, Any] = caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})
    event = paykka_stub.webhooks()[-1]["event"]
    assert event["token"] == data["token"] and event["recurring_agreement_id"] == data["recurring_agreement_id"]
    assert event["shopper_reference"] == SHOPPER
    return data


def mit(caller: SignedCaller, token: str, agreement: str, **changes: Any) -> Any:
    body = {"payment_type": "RECURRING", "authorisation_type": "FINAL_AUTH", "capture_method": "AUTOMATIC",
            "trans_id": trans_id("sub"), "currency": "HKD", "amount": "800", "mit": True,
            "recurring_agreement_id": agreement,
            "payment": {"payment_method": "BANKCARD", "shopper_reference": SHOPPER, "token": token}}
    body.update(changes)
    return caller.call(wire.PATH_INITIATE, body)


def test_recurring_agreement_charged_then_cancelled(paykka_stub: StubHandle, gw: Gateway,
                                                    caller: SignedCaller) -> None:
    first = first_recurring(paykka_stub, gw, caller)
    token, agreement = first["token"], first["recurring_agreement_id"]
    assert agreement.startswith("RA")
    charge = mit(caller, token, agreement)  # the seed's subsequent-recurring example
    assert charge.ret_code == "000000" and charge.data["status"] == "SUCCESS"
    assert charge.data["recurring_agreement_id"] == agreement and charge.data["token"] == token
    cancelled = caller.ok(wire.PATH_RECURRING_CANCEL, {"recurring_agreement_id": agreement})
    assert cancelled == {"recurring_agreement_id": agreement, "status": "CANCELED"}
    assert caller.ok(wire.PATH_RECURRING_CANCEL, {"recurring_agreement_id": agreement})["status"] == "CANCELED"
    refused = mit(caller, token, agreement)
    assert (refused.status, refused.ret_code) == (410, "299004")
    assert refused.ret_msg.startswith("recurring_agreement_id:") and "canceled" in refused.ret_msg


def test_mit_rules(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller) -> None:
    first = first_recurring(paykka_stub, gw, caller)
    token, agreement = first["token"], first["recurring_agreement_id"]
    assert mit(caller, token, "RA000").ret_code == "299004"
    assert mit(caller, "TK000", agreement).ret_code == "299003"
    no_ref = mit(caller, token, agreement, payment={"token": token})
    assert no_ref.ret_code == "010000" and no_ref.ret_msg.startswith("payment.shopper_reference")
    assert mit(caller, token, agreement, payment_type="PURCHASE").ret_msg.startswith("payment_type:")
    # The same trans_id again is the same order: a retried request never charges twice.
    body_trans = trans_id("sub")
    once = mit(caller, token, agreement, trans_id=body_trans)
    twice = mit(caller, token, agreement, trans_id=body_trans)
    assert once.data["order_id"] == twice.data["order_id"]
    assert mit(caller, token, agreement, trans_id=body_trans, amount=900).ret_msg.startswith("trans_id:")


def api_payment(caller: SignedCaller, payment: dict[str, Any], **changes: Any) -> Any:
    body = {"trans_id": trans_id("api"), "amount": 500, "currency": "HKD",
            "return_url": "https://shop.example/back", "payment": {"payment_method": "BANKCARD", **payment}}
    body.update(changes)
    return caller.call(wire.PATH_INITIATE, body)


def test_encrypted_card_fields(caller: SignedCaller) -> None:
    answer = api_payment(caller, {"encrypted_card_no": enc("5555555555554444"), "encrypted_exp_month": enc("12"),
                                  "encrypted_exp_year": enc("2034"), "encrypted_cvv": enc("123")})
    assert answer.data["status"] == "SUCCESS" and answer.data["card_info"]["card_brand"] == "MASTERCARD"
    declined = api_payment(caller, {"encrypted_card_no": enc("4000000000000002"), "exp_month": "12",
                                    "exp_year": "34"})
    assert (declined.ret_code, declined.data["status"], declined.data["error_code"]) == ("000000", "FAILURE", "5001")


@pytest.mark.parametrize("bad", ["NDExMTExMTExMTExMTExMQ==", "stub:not base64!", "ev1:abcdef"])
def test_data_the_stub_cannot_decrypt_is_206020(caller: SignedCaller, bad: str) -> None:
    answer = api_payment(caller, {"encrypted_card_no": bad, "exp_month": "12", "exp_year": "2034"})
    assert (answer.status, answer.ret_code) == (400, "206020")
    assert answer.ret_msg.startswith("payment.encrypted_card_no:")


def test_plain_card_number_needs_pci(paykka_stub: StubHandle, caller: SignedCaller) -> None:
    plain = {"card_no": "4111111111111111", "exp_month": "12", "exp_year": "2034", "cvv": "123"}
    refused = api_payment(caller, plain)
    assert (refused.status, refused.ret_code) == (403, "206017")
    pci = SignedCaller(register(paykka_stub, pci=True))
    assert api_payment(pci, plain).data["status"] == "SUCCESS"


def test_api_payment_with_challenge_and_stored_card(gw: Gateway, caller: SignedCaller) -> None:
    answer = api_payment(caller, {"encrypted_card_no": enc("4000000000003220"), "exp_month": "12",
                                  "exp_year": "2034", "store_payment_method": True, "shopper_reference": SHOPPER})
    assert answer.data["status"] == "PROCESSING"
    assert answer.data["authentication_result"]["authentication_url"].endswith(f"/cp/3ds/{answer.data['order_id']}")
    gw.complete_challenge(answer.data["order_id"], True)
    token = caller.ok(wire.PATH_QUERY, {"order_id": answer.data["order_id"]})["token"]
    again = api_payment(caller, {"token": token, "shopper_reference": SHOPPER, "cvv": "123"})
    assert again.data["status"] == "PROCESSING"  # a challenge card challenges again when the shopper is present


def test_store_without_shopper_reference_is_210002(caller: SignedCaller) -> None:
    answer = api_payment(caller, {"encrypted_card_no": enc("4111111111111111"), "exp_month": "12",
                                  "exp_year": "2034", "store_payment_method": True})
    assert answer.ret_code == "210002"


def test_wallet_token_data_and_unsupported_methods(caller: SignedCaller) -> None:
    gpay = api_payment(caller, {"payment_method": "GOOGLE_PAY", "token_data": '{"signature":"x"}'})
    assert gpay.data["status"] == "SUCCESS" and gpay.data["payment"]["payment_method"] == "GOOGLE_PAY"
    gcash = api_payment(caller, {"payment_method": "GCASH", "token_data": "x"})
    assert gcash.ret_code == "210001"


def test_apple_pay_session_is_a_string(caller: SignedCaller) -> None:
    data = caller.ok(wire.PATH_APPLE_PAY_SESSION, {"display_name": "Jade Tea", "domain_name": "shop.example.com"})
    assert isinstance(data, str)
    parsed = json.loads(data)
    assert parsed["domainName"] == "shop.example.com" and parsed["displayName"] == "Jade Tea"
    bad = caller.call(wire.PATH_APPLE_PAY_SESSION, {"domain_name": "https://shop.example.com:443"})
    assert bad.ret_code == "010000" and bad.ret_msg.startswith("domain_name:")


# --- wallets and the method table ----------------------------------------------------------


@pytest.mark.parametrize(("currency", "allowed", "expected"), [
    ("HKD", None, ["BANKCARD", "APPLE_PAY", "GOOGLE_PAY", "WECHAT_PAY", "ALIPAY_PLUS"]),
    ("PHP", None, ["BANKCARD", "APPLE_PAY", "GOOGLE_PAY", "ALIPAY_PLUS", "GCASH", "MAYA", "SHOPEEPAY", "GRABPAY"]),
    ("VND", None, ["BANKCARD", "APPLE_PAY", "GOOGLE_PAY", "SHOPEEPAY", "ZALOPAY", "VIETQR"]),
    ("HKD", ["ApplePay", "WechatPayGlobal", "AlipayPlus", "MASTER_CARD"],
     ["BANKCARD", "APPLE_PAY", "WECHAT_PAY", "ALIPAY_PLUS"]),
    ("PHP", ["PayMaya", "gcash"], ["GCASH", "MAYA"]),
    ("USD", ["VISA"], ["BANKCARD"]),
])
def test_methods_by_allowed_list_and_currency(gw: Gateway, caller: SignedCaller, currency: str,
                                              allowed: Any, expected: list[str]) -> None:
    s = gw.sessions[session(caller, currency=currency, allowed_payment_methods=allowed)["session_id"]]
    assert gw.payment_methods(s) == expected


def test_card_brands(gw: Gateway, caller: SignedCaller) -> None:
    only = gw.sessions[session(caller, allowed_payment_methods=["VISA", "MASTER_CARD"])["session_id"]]
    assert gw.card_brands(only) == ["VISA", "MASTERCARD"]
    every = gw.sessions[session(caller)["session_id"]]
    assert gw.card_brands(every) == ["VISA", "MASTERCARD", "AMEX", "JCB", "DISCOVER", "DINERS"]


@pytest.mark.parametrize(("method", "currency", "flow"), [
    ("APPLE_PAY", "HKD", "WALLET_SHEET"), ("GOOGLE_PAY", "USD", "WALLET_SHEET"),
    ("WECHAT_PAY", "CNY", "QR"), ("ALIPAY_PLUS", "HKD", "QR"), ("VIETQR", "VND", "QR"),
    ("GCASH", "PHP", "REDIRECT"), ("MAYA", "PHP", "REDIRECT"), ("SHOPEEPAY", "MYR", "REDIRECT"),
    ("GRABPAY", "SGD", "REDIRECT"), ("ZALOPAY", "VND", "REDIRECT"),
])
def test_wallet_flows(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller, method: str, currency: str,
                      flow: str) -> None:
    s = session(caller, currency=currency, notify_url="http://127.0.0.1:9/never")
    started = gw.start_wallet(s["session_id"], caller.merchant.client_key, method)
    url = f"/cp/wallet/{started.order_id}"
    assert (started.status, started.payment_method) == ("PROCESSING", method)
    assert started.action is not None and started.action["type"] == flow and started.action["url"] == url
    if flow == "QR":
        assert started.action["qr_data"] == url
    assert gw.wallet_order(started.order_id).amount == 800
    assert gw.payment_status(started.order_id).status == "PROCESSING"
    assert paykka_stub.webhooks() == []
    done = gw.complete_wallet(started.order_id, True)
    assert done.status == "SUCCESS"
    data = caller.ok(wire.PATH_QUERY, {"order_id": started.order_id})
    assert data["payment"]["payment_method"] == method and data["status"] == "SUCCESS"
    assert paykka_stub.webhooks()[-1]["notify_type"] == "PAYMENT.SUCCESS"


def test_declined_wallet_and_unavailable_wallet(gw: Gateway, caller: SignedCaller) -> None:
    s = session(caller, currency="PHP")
    started = gw.start_wallet(s["session_id"], caller.merchant.client_key, "PayMaya")
    declined = gw.complete_wallet(started.order_id, False)
    assert (declined.status, declined.error_code) == ("FAILURE", "5006")
    with pytest.raises(StubError) as refused:
        gw.start_wallet(s["session_id"], caller.merchant.client_key, "ZALOPAY")
    assert refused.value.ret_code == "210001"
    assert gw.start_wallet(s["session_id"], caller.merchant.client_key, "GCASH").status == "PROCESSING"


def test_first_recurring_payment_over_the_api_then_mit(caller: SignedCaller) -> None:
    first = api_payment(caller, {"encrypted_card_no": enc("5555555555554444"), "exp_month": "12",
                                 "exp_year": "2034", "shopper_reference": SHOPPER}, payment_type="RECURRING")
    assert first.data["status"] == "SUCCESS"
    token, agreement = first.data["token"], first.data["recurring_agreement_id"]
    assert token.startswith("TK") and agreement.startswith("RA")
    later = mit(caller, token, agreement, amount=1200)
    assert later.data["status"] == "SUCCESS" and later.data["amount"] == "1200"
    assert later.data["card_info"] == {"bin": "555555", "last4": "4444", "card_brand": "MASTERCARD"}
    refused = api_payment(caller, {"encrypted_card_no": enc("4111111111111111"), "exp_month": "12",
                                   "exp_year": "2034", "shopper_reference": SHOPPER,
                                   "store_payment_method": False}, payment_type="RECURRING")
    assert refused.ret_code == "010000" and refused.ret_msg.startswith("payment.store_payment_method:")


def test_one_click_token_over_the_api_is_not_for_mit(paykka_stub: StubHandle, gw: Gateway,
                                                     caller: SignedCaller) -> None:
    s = session(caller, **ON_FILE)
    paid = gw.pay_with_card(s["session_id"], caller.merchant.client_key, card())
    token = caller.ok(wire.PATH_QUERY, {"order_id": paid.order_id})["token"]
    cit = api_payment(caller, {"token": token, "shopper_reference": SHOPPER, "cvv": "321"})
    assert cit.data["status"] == "SUCCESS" and cit.data["token"] == token
    refused = mit(caller, token, "RA000")
    assert refused.ret_code == "010000" and refused.ret_msg.startswith("payment.token:")
