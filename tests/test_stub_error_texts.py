"""API error texts are read by PHP, Java and JavaScript clients: each names the field and the
rule in plain words, and none names a Python helper, type or library."""

from __future__ import annotations

import re
from typing import Any

import pytest

from paykka_embed import wire

from stub_helpers import SignedCaller, enc, trans_id

#: Words that only make sense to a Python reader.
PYTHONISMS = ("paykka_embed", "to_minor", "Input should", "Value error", "instance of", "dictionary", "pydantic",
              "NoneType", "str ", "int ", "Decimal", "float", "[type=", "For further information",
              "the pattern ^")  # a regular expression is not plain words either
FIELD_FIRST = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])?)*: \S")


def session(**changes: Any) -> dict[str, Any]:
    return {"trans_id": trans_id(), "amount": 800, "currency": "HKD", **changes}


BAD_SESSIONS = [
    session(amount=25.5), session(amount="25.50"), session(amount=[800]), session(currency=None),
    session(goods={}), session(goods=[{"name": "Tea", "price": 1, "quantity": "two"}]), session(payment=[]),
    session(payment={"store_payment_method": "maybe"}), session(mit="perhaps"), session(bill={"country": "HKG"}),
    session(expire_time="tomorrow"), session(expire_time=20250308), session(session_mode="POPUP"),
    session(allowed_payment_methods="BANKCARD"), session(trans_id="has space"), session(customer={"id": {}}),
    session(goods=[{"name": "Tea", "price": -1, "quantity": 1}]), session(display_locale="x" * 40),
    session(browser={"color_depth": {}}),
]


@pytest.mark.parametrize("body", BAD_SESSIONS, ids=[str(i) for i in range(len(BAD_SESSIONS))])
def test_each_refusal_names_the_field_and_says_the_rule_in_words(caller: SignedCaller, body: dict[str, Any]) -> None:
    answer = caller.call(wire.PATH_CREATE_SESSION, body)
    assert (answer.status, answer.ret_code) == (400, "010000"), answer.body
    assert FIELD_FIRST.match(answer.ret_msg), answer.ret_msg
    for word in PYTHONISMS:
        assert word not in answer.ret_msg, answer.ret_msg


def test_a_decimal_amount_is_explained_without_naming_a_helper(caller: SignedCaller) -> None:
    answer = caller.call(wire.PATH_CREATE_SESSION, session(amount=25.5))
    assert answer.ret_msg == ("amount: must be an integer in minor units, not a decimal number "
                              "(e.g. 2550 for 25.50 HKD, 800 for 800 JPY)")


def _order(caller: SignedCaller, capture: str) -> str:
    data = caller.ok(wire.PATH_INITIATE, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD", "capture_method": capture,
        "return_url": "https://shop.example/back",
        "payment": {"encrypted_card_no": enc("4111111111111111"), "encrypted_exp_month": enc("12"),
                    "encrypted_exp_year": enc("2034"), "encrypted_cvv": enc("123")}})
    return str(data["order_id"])


def test_illegal_moves_say_what_cannot_be_done_in_proper_words(caller: SignedCaller) -> None:
    authorised = _order(caller, "MANUAL")
    refused = caller.call(wire.PATH_REFUND, {"ori_order_id": authorised, "refund_trans_id": "r1", "refund_amount": 1,
                                             "currency": "HKD"})
    assert refused.ret_msg == (f"order_id: {authorised} is AUTHORIZED and cannot be refunded "
                               "(it is only authorised: capture it first, or void it)")
    captured = _order(caller, "AUTOMATIC")
    assert f"{captured} is SUCCESS and cannot be captured (" in caller.call(
        wire.PATH_CAPTURE, {"order_id": captured}).ret_msg
    assert f"{captured} is SUCCESS and cannot be voided (" in caller.call(wire.PATH_VOID, {"order_id": captured}).ret_msg


def test_an_unknown_refund_names_the_key_it_was_looked_up_by(caller: SignedCaller) -> None:
    by_trans = caller.call(wire.PATH_REFUND_QUERY, {"refund_trans_id": "nope"})
    by_order = caller.call(wire.PATH_REFUND_QUERY, {"refund_order_id": "RG0"})
    assert (by_trans.ret_code, by_trans.ret_msg) == ("299005", "refund_trans_id: the refund doesn't exist")
    assert (by_order.ret_code, by_order.ret_msg) == ("299005", "refund_order_id: the refund doesn't exist")
