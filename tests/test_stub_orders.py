"""Orders at the emulator: the test cards and their error codes, 3DS, manual capture,
void and refunds with balances, and the illegal moves the state machine refuses.

The shopper's side is driven on the gateway the live server runs (what the browser
layer calls); the merchant's side goes over real HTTP with real signatures."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from paykka_embed import wire
from paykka_embed.stub.errors import StubError
from paykka_embed.stub.gateway import Gateway, PaymentResult
from paykka_embed.testing import MerchantAccount, StubHandle

from stub_helpers import SignedCaller, trans_id


def new_session(caller: SignedCaller, **changes: Any) -> dict[str, Any]:
    body = {"trans_id": trans_id(), "amount": 1000, "currency": "HKD", "session_mode": "DROP_IN",
            "return_url": "https://shop.example/back", **changes}
    data: dict[str, Any] = caller.ok(wire.PATH_CREATE_SESSION, body)
    return data


def card(number: str, cvv: str = "123", month: int = 12, year: int = 2034) -> dict[str, Any]:
    return {"number": number, "exp_month": month, "exp_year": year, "cvv": cvv, "holder_name": "Chan Tai Man"}


def pay(gw: Gateway, caller: SignedCaller, number: str, cvv: str = "123",
        session: Optional[dict[str, Any]] = None, **changes: Any) -> PaymentResult:
    session = session or new_session(caller, **changes)
    return gw.pay_with_card(session["session_id"], caller.merchant.client_key, card(number, cvv))


def query(caller: SignedCaller, order_id: str) -> dict[str, Any]:
    data: dict[str, Any] = caller.ok(wire.PATH_QUERY, {"order_id": order_id})
    return data


@pytest.mark.parametrize(("number", "cvv", "status", "code", "brand"), [
    ("4111111111111111", "123", "SUCCESS", "0000", "VISA"),
    ("5555555555554444", "123", "SUCCESS", "0000", "MASTERCARD"),
    ("378282246310005", "1234", "SUCCESS", "0000", "AMEX"),
    ("3566002020360505", "123", "SUCCESS", "0000", "JCB"),
    ("6011111111111117", "123", "SUCCESS", "0000", "DISCOVER"),
    ("36227206271667", "123", "SUCCESS", "0000", "DINERS"),
    ("4000000000000002", "123", "FAILURE", "5001", "VISA"),
    ("4000000000009995", "123", "FAILURE", "5002", "VISA"),
    ("4000000000000069", "123", "FAILURE", "5003", "VISA"),
    ("4111111111111111", "000", "FAILURE", "5004", "VISA"),
    ("4000000000005126", "123", "SUCCESS", "0000", "VISA"),
])
def test_test_cards(gw: Gateway, caller: SignedCaller, number: str, cvv: str, status: str, code: str,
                    brand: str) -> None:
    result = pay(gw, caller, number, cvv)
    assert (result.status, result.error_code) == (status, code)
    data = query(caller, result.order_id)
    assert (data["status"], data["error_code"]) == (status, code)
    assert data["card_info"] == {"bin": number[:6], "last4": number[-4:], "card_brand": brand}
    assert number not in str(data)
    wire.TransactionData.model_validate(data)


def test_frictionless_card_carries_its_3ds_result(gw: Gateway, caller: SignedCaller) -> None:
    result = pay(gw, caller, "4111111111111111")
    auth = query(caller, result.order_id)["authentication_result"]
    assert auth["status"] == "Y" and auth["eci"] == "05"


def test_challenge_waits_then_passes(paykka_stub: StubHandle, gw: Gateway, caller: SignedCaller) -> None:
    session = new_session(caller, notify_url="http://127.0.0.1:9/hook")
    result = pay(gw, caller, "4000000000003220", session=session)
    assert result.status == "PROCESSING"
    assert result.action == {"type": "THREEDS_CHALLENGE", "url": f"/cp/3ds/{result.order_id}"}
    pending = query(caller, result.order_id)
    assert pending["authentication_result"]["authentication_url"].endswith(f"/cp/3ds/{result.order_id}")
    assert caller.ok(wire.PATH_QUERY_SESSION, {"session_id": session["session_id"]})["status"] == "PROCESSING"
    assert paykka_stub.webhooks() == []  # nothing has ended yet
    done = gw.complete_challenge(result.order_id, True)
    assert (done.status, done.action) == ("SUCCESS", None)
    assert query(caller, result.order_id)["authentication_result"]["status"] == "Y"
    assert [d["notify_type"] for d in paykka_stub.webhooks()] == ["PAYMENT.SUCCESS"]
    with pytest.raises(StubError) as twice:
        gw.complete_challenge(result.order_id, False)
    assert twice.value.ret_code == "299001"


def test_failed_challenge_leaves_the_session_open_for_a_retry(gw: Gateway, caller: SignedCaller) -> None:
    session = new_session(caller)
    first = pay(gw, caller, "4000000000003220", session=session)
    failed = gw.complete_challenge(first.order_id, False)
    assert (failed.status, failed.error_code) == ("FAILURE", "5005")
    assert caller.ok(wire.PATH_QUERY_SESSION, {"session_id": session["session_id"]})["status"] == "PROCESSING"
    second = pay(gw, caller, "5555555555554444", session=session)
    assert second.status == "SUCCESS" and second.order_id != first.order_id
    data = caller.ok(wire.PATH_QUERY_SESSION, {"session_id": session["session_id"]})
    assert data["status"] == "SUCCESS" and data["order_id"] == second.order_id
    # Query Transaction by session gives the latest attempt; a paid session refuses more.
    assert caller.ok(wire.PATH_QUERY, {"session_id": session["session_id"]})["order_id"] == second.order_id
    with pytest.raises(StubError) as paid:
        pay(gw, caller, "4111111111111111", session=session)
    assert paid.value.ret_code == "SESSION_COMPLETED"


def test_a_new_attempt_abandons_a_pending_challenge(gw: Gateway, caller: SignedCaller) -> None:
    session = new_session(caller)
    first = pay(gw, caller, "4000000000003220", session=session)
    pay(gw, caller, "4111111111111111", session=session)
    assert (query(caller, first.order_id)["status"], query(caller, first.order_id)["error_code"]) == (
        "FAILURE", "5007")


def test_query_by_trans_id(gw: Gateway, caller: SignedCaller) -> None:
    session = new_session(caller)
    result = pay(gw, caller, "4111111111111111", session=session)
    assert caller.ok(wire.PATH_QUERY, {"trans_id": session["trans_id"]})["order_id"] == result.order_id
    wrong = caller.call(wire.PATH_QUERY, {"trans_id": "other", "order_id": result.order_id})
    assert wrong.ret_code == "206024"


def test_invalid_card_input_is_refused_without_an_order(gw: Gateway, caller: SignedCaller) -> None:
    session = new_session(caller)
    for bad, field in [(card("4111111111111112"), "card.number"), (card("4111111111111111", month=13), "card.expiry"),
                       (card("4111111111111111", year=2020), "card.expiry"), (card("4111111111111111", "12"),
                                                                              "card.cvv")]:
        with pytest.raises(StubError) as refused:
            gw.pay_with_card(session["session_id"], caller.merchant.client_key, bad)
        assert refused.value.ret_code == "010000" and refused.value.ret_msg.startswith(field)
    assert gw.sessions[session["session_id"]].order_ids == []


def test_brands_the_session_does_not_allow_are_refused(gw: Gateway, caller: SignedCaller) -> None:
    session = new_session(caller, allowed_payment_methods=["VISA"])
    with pytest.raises(StubError) as refused:
        pay(gw, caller, "5555555555554444", session=session)
    assert refused.value.ret_code == "206022"
    assert pay(gw, caller, "4111111111111111", session=session).status == "SUCCESS"


# --- capture, void, refund -----------------------------------------------------------------


def authorised(gw: Gateway, caller: SignedCaller, amount: int = 1000) -> str:
    result = pay(gw, caller, "4111111111111111", capture_method="MANUAL", amount=amount)
    assert result.status == "AUTHORIZED"
    return result.order_id


def test_manual_capture_in_full(gw: Gateway, caller: SignedCaller) -> None:
    order_id = authorised(gw, caller)
    before = query(caller, order_id)["balances"]
    assert before["authed_amount"] == 1000 and before["able_to_capture_amount"] == 1000
    assert before["able_to_refund_amount"] == 0
    data = caller.ok(wire.PATH_CAPTURE, {"order_id": order_id})
    assert data["status"] == "SUCCESS"
    assert data["balances"] == {"authed_amount": 1000, "captured_amount": 1000, "able_to_capture_amount": 0,
                                "voided_amount": 0, "able_to_void_amount": 0, "refunded_amount": 0,
                                "able_to_refund_amount": 1000}


def test_partial_capture_releases_the_rest(gw: Gateway, caller: SignedCaller) -> None:
    order_id = authorised(gw, caller)
    body = {"order_id": order_id, "amount": 600, "currency": "HKD", "capture_trans_id": "cap-1"}
    data = caller.ok(wire.PATH_CAPTURE, body)
    assert data["status"] == "PARTIALLY_REVERSED"
    assert data["balances"]["captured_amount"] == 600 and data["balances"]["voided_amount"] == 400
    assert data["balances"]["able_to_refund_amount"] == 600
    assert caller.ok(wire.PATH_CAPTURE, body)["balances"] == data["balances"]  # same capture_trans_id: same answer
    again = caller.call(wire.PATH_CAPTURE, {"order_id": order_id, "amount": 100, "currency": "HKD"})
    assert (again.status, again.ret_code) == (409, "299001")


def test_capture_more_than_authorised_or_in_another_currency(gw: Gateway, caller: SignedCaller) -> None:
    order_id = authorised(gw, caller)
    over = caller.call(wire.PATH_CAPTURE, {"order_id": order_id, "amount": 1001, "currency": "HKD"})
    assert (over.status, over.ret_code) == (409, "299002") and over.ret_msg.startswith("amount:")
    other = caller.call(wire.PATH_CAPTURE, {"order_id": order_id, "amount": 100, "currency": "USD"})
    assert other.ret_code == "010000" and other.ret_msg.startswith("currency:")
    assert query(caller, order_id)["status"] == "AUTHORIZED"


def test_void_an_authorisation(gw: Gateway, caller: SignedCaller) -> None:
    order_id = authorised(gw, caller)
    data = caller.ok(wire.PATH_VOID, {"order_id": order_id, "reason": "FRAUDULENT"})
    assert data["status"] == "CANCELED" and data["balances"]["voided_amount"] == 1000
    assert caller.ok(wire.PATH_VOID, {"order_id": order_id})["status"] == "CANCELED"  # idempotent
    assert caller.call(wire.PATH_CAPTURE, {"order_id": order_id}).ret_code == "299001"


@pytest.mark.parametrize(("number", "path", "extra"), [
    ("4000000000000002", wire.PATH_CAPTURE, {}),
    ("4111111111111111", wire.PATH_VOID, {}),
    ("4000000000000002", wire.PATH_REFUND, {"refund_trans_id": "r-x", "refund_amount": 100, "currency": "HKD"}),
])
def test_illegal_moves(gw: Gateway, caller: SignedCaller, number: str, path: str, extra: dict[str, Any]) -> None:
    order_id = pay(gw, caller, number).order_id
    before = query(caller, order_id)
    key = "ori_order_id" if path == wire.PATH_REFUND else "order_id"
    answer = caller.call(path, {key: order_id, **extra})
    assert (answer.status, answer.ret_code) == (409, "299001")
    assert answer.ret_msg.startswith("order_id:") and before["status"] in answer.ret_msg
    assert query(caller, order_id) == before


def test_refund_of_an_authorisation_is_refused(gw: Gateway, caller: SignedCaller) -> None:
    order_id = authorised(gw, caller)
    answer = caller.call(wire.PATH_REFUND, {"ori_order_id": order_id, "refund_trans_id": "r1", "refund_amount": 1,
                                            "currency": "HKD"})
    assert answer.ret_code == "299001" and "void" in answer.ret_msg


def refund(caller: SignedCaller, order_id: str, rid: str, amount: int, currency: str = "HKD") -> Any:
    return caller.call(wire.PATH_REFUND, {"ori_order_id": order_id, "refund_trans_id": rid, "refund_amount": amount,
                                          "currency": currency, "reason": "REQUESTED_BY_CUSTOMER"})


def test_partial_then_full_refund_with_balances(gw: Gateway, caller: SignedCaller) -> None:
    order_id = pay(gw, caller, "4111111111111111").order_id
    first = refund(caller, order_id, "r1", 300)
    assert first.ret_code == "000000" and first.data["status"] == "SUCCESS"
    assert first.data["refund_order_id"].startswith("RG") and first.data["amount"] == "300"
    wire.RefundData.model_validate(first.data)
    data = query(caller, order_id)
    assert data["status"] == "PARTIALLY_REFUNDED"
    assert (data["balances"]["refunded_amount"], data["balances"]["able_to_refund_amount"]) == (300, 700)
    over = refund(caller, order_id, "r2", 701)
    assert (over.status, over.ret_code) == (409, "299002") and over.ret_msg.startswith("refund_amount:")
    rest = refund(caller, order_id, "r2", 700)
    assert rest.data["status"] == "SUCCESS"
    assert query(caller, order_id)["status"] == "REFUNDED"
    assert refund(caller, order_id, "r3", 1).ret_code == "299001"


def test_refund_is_idempotent_on_refund_trans_id(gw: Gateway, caller: SignedCaller) -> None:
    order_id = pay(gw, caller, "4111111111111111").order_id
    first = refund(caller, order_id, "same", 400)
    again = refund(caller, order_id, "same", 400)
    assert again.data == first.data
    assert query(caller, order_id)["balances"]["refunded_amount"] == 400
    changed = refund(caller, order_id, "same", 500)
    assert (changed.status, changed.ret_code) == (400, "010000")
    assert changed.ret_msg.startswith("refund_trans_id:") and "refund_amount 400 (4.00 HKD)" in changed.ret_msg


def test_refund_currency_and_unknown_order(gw: Gateway, caller: SignedCaller) -> None:
    order_id = pay(gw, caller, "4111111111111111").order_id
    assert refund(caller, order_id, "c1", 100, "USD").ret_msg.startswith("currency:")
    missing = refund(caller, "GW404", "c2", 100)
    assert (missing.status, missing.ret_code, missing.ret_msg) == (404, "206024", "the order doesn't exist")


def test_refund_query_by_either_id(gw: Gateway, caller: SignedCaller) -> None:
    order_id = pay(gw, caller, "4111111111111111").order_id
    made = refund(caller, order_id, "q1", 100).data
    by_trans = caller.ok(wire.PATH_REFUND_QUERY, {"refund_trans_id": "q1"})
    by_order = caller.ok(wire.PATH_REFUND_QUERY, {"refund_order_id": made["refund_order_id"]})
    assert by_trans == by_order == made
    assert caller.call(wire.PATH_REFUND_QUERY, {"refund_trans_id": "nope"}).ret_code == "299005"


def test_card_whose_refunds_fail(gw: Gateway, caller: SignedCaller) -> None:
    order_id = pay(gw, caller, "4000000000005126").order_id
    failed = refund(caller, order_id, "f1", 100)
    assert (failed.data["status"], failed.data["error_code"]) == ("FAILURE", "6001")
    data = query(caller, order_id)
    assert data["status"] == "SUCCESS" and data["balances"]["refunded_amount"] == 0


def test_api_client_drives_the_same_moves(gw: Gateway, paykka_merchant: MerchantAccount,
                                          caller: SignedCaller) -> None:
    order_id = authorised(gw, caller)
    with paykka_merchant.client() as client:
        assert client.query_transaction(order_id=order_id).status == "AUTHORIZED"
        assert client.capture(order_id=order_id).status == "SUCCESS"
        done = client.refund(ori_order_id=order_id, refund_trans_id="cl-1", amount=1000, currency="HKD")
        assert done.status == "SUCCESS"
        assert client.query_refund(refund_trans_id="cl-1").refund_order_id == done.refund_order_id
        assert client.query_transaction(order_id=order_id).status == "REFUNDED"
