"""The v3 wire models, checked against the Create/Query examples of PayKKa's Hosted checkout page."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from paykka_embed import wire

# The Create Session example as published (its # and // comments dropped, its missing commas added).
SEED_CREATE: dict[str, Any] = {
    "merchant_id": "18356675194960",
    "payment_type": "PURCHASE",
    "authorisation_type": "FINAL_AUTH",
    "capture_method": "AUTOMATIC",
    "trans_id": "m3246749195217",
    "expire_time": "2025-05-05T17:17:24+08:00",
    "session_mode": "HOSTED",
    "display_locale": "fr-FR",
    "currency": "HKD",
    "amount": "800",
    "return_url": "https://url",
    "payment": {
        "store_payment_method": True,
        "token_usage": "CARD_ON_FILE",
        "shopper_reference": "854f5baaf0a735139c583c4cea14d14c",
    },
    "goods": [],
    "bill": {},
    "shipping": {},
    "customer": {},
}

# The first-recurring example from the same page.
SEED_RECURRING: dict[str, Any] = {
    **SEED_CREATE,
    "payment_type": "RECURRING",
    "mit": False,
    "payment": {
        "store_payment_method": True,
        "token_usage": "SUBSCRIPTION",
        "shopper_reference": "854f5baaf0a735139c583c4cea14d14c",
    },
}

SEED_SESSION_RESPONSE: dict[str, Any] = {
    "ret_code": "000000",
    "ret_msg": "Success",
    "data": {
        "merchant_id": "18356675194960",
        "trans_id": "m3246749195217",
        "session_id": "CS208760010022288125",
        "session_mode": "HOSTED",
        "status": "PROCESSING",
        "currency": "HKD",
        "amount": "800",
        "expire_time": "2025-05-05T17:17:24+08:00",
        "authorisation_type": "FINAL_AUTH",
        "capture_method": "AUTOMATIC",
        "session_url": "https://checkout.aq.paykka.com/hp/pay/CS208760010022288125",
    },
}

SEED_TRANSACTION_RESPONSE: dict[str, Any] = {
    "ret_code": "000000",
    "ret_msg": "Success",
    "data": {
        "merchant_id": "18356675194960",
        "trans_id": "m3246749195217",
        "order_id": "GW208760010022288125",
        "session_id": "CS208760010022288125",
        "status": "SUCCESS",
        "error_code": "0000",
        "error_description": "request success",
        "amount": "800",
        "currency": "HKD",
        "pay_finish_time": "2025-05-05T17:17:24+08:00",
    },
}

HK = timezone(timedelta(hours=8))


def seed(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SEED_CREATE)
    for name, value in changes.items():
        if value is ...:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def refusal(data: dict[str, Any]) -> str:
    """The ``field: rule`` text for a request that must be refused."""
    with pytest.raises(pydantic.ValidationError) as info:
        wire.CreateSessionRequest.model_validate(data)
    return wire.describe_validation_error(info.value)


# --- CreateSessionRequest: the seed as written --------------------------------------------------


@pytest.mark.parametrize("amount", ["800", 800])
@pytest.mark.parametrize("expire_time", ["2025-05-05T17:17:24+08:00", "2025-05-05T17:17:24+0800"])
def test_seed_create_session_is_accepted(amount: Any, expire_time: str) -> None:
    request = wire.CreateSessionRequest.model_validate(seed(amount=amount, expire_time=expire_time))
    assert request.amount == 800
    assert request.expire_time == datetime(2025, 5, 5, 17, 17, 24, tzinfo=HK)
    out = request.to_wire()
    assert out["amount"] == 800  # written as a JSON integer, PayKKa's preferred form
    assert out["expire_time"] == "2025-05-05T17:17:24+08:00"
    assert out["payment"] == SEED_CREATE["payment"]
    assert out["display_locale"] == "fr-FR"
    assert {k: out[k] for k in ("merchant_id", "trans_id", "currency", "session_mode", "payment_type")} == {
        "merchant_id": "18356675194960", "trans_id": "m3246749195217", "currency": "HKD",
        "session_mode": "HOSTED", "payment_type": "PURCHASE",
    }


def test_seed_create_session_from_json_text() -> None:
    request = wire.CreateSessionRequest.model_validate_json(json.dumps(SEED_CREATE))
    assert request.amount == 800
    # What goes out can come back in unchanged.
    again = wire.CreateSessionRequest.model_validate(request.to_wire())
    assert again == request


def test_seed_recurring_session_is_accepted() -> None:
    request = wire.CreateSessionRequest.model_validate(SEED_RECURRING)
    assert request.payment_type == "RECURRING"
    assert request.payment is not None and request.payment.token_usage == "SUBSCRIPTION"
    assert request.to_wire()["mit"] is False


def test_minimal_request_gets_the_defaults() -> None:
    request = wire.CreateSessionRequest(merchant_id="m1", trans_id="order-1", amount=800, currency="HKD")
    assert (request.session_mode, request.payment_type, request.authorisation_type, request.capture_method) == (
        "HOSTED", "PURCHASE", "FINAL_AUTH", "AUTOMATIC"
    )
    assert "expire_time" not in request.to_wire()  # None is left out, not sent as null


@pytest.mark.parametrize("expire_time", ["2025-05-05T09:17:24Z", "2025-05-05T05:47:24-0330",
                                         datetime(2025, 5, 5, 9, 17, 24, tzinfo=timezone.utc)])
def test_other_aware_expire_times(expire_time: Any) -> None:
    request = wire.CreateSessionRequest.model_validate(seed(expire_time=expire_time))
    assert request.expire_time == datetime(2025, 5, 5, 17, 17, 24, tzinfo=HK)


# --- CreateSessionRequest: refusals -----------------------------------------------------------


@pytest.mark.parametrize("amount", ["8.00", 0, -1, 1.5, True, False, "0", "-1", "", " 800", "1e3", "８００",
                                    8.0, "1" * 19, None, [800]])
def test_bad_amount_is_refused(amount: Any) -> None:
    assert refusal(seed(amount=amount)).startswith("amount: ")


def test_missing_amount_is_required() -> None:
    assert refusal(seed(amount=...)) == "amount: is required"


@pytest.mark.parametrize("amount", [1, "1", 10**18 - 1, "9" * 18, "0800"])
def test_edge_amounts_are_accepted(amount: Any) -> None:
    assert wire.CreateSessionRequest.model_validate(seed(amount=amount)).amount == int(amount)


def test_decimal_amount_is_not_silently_read_as_minor_units() -> None:
    """Refusing the Decimal or reading it as HK$8.00 (800) are both safe; 8 charges 1/100 of the price."""
    try:
        request = wire.CreateSessionRequest.model_validate(seed(amount=Decimal("8.00")))
    except pydantic.ValidationError:
        return
    assert request.amount == 800


def test_int_amount_has_the_same_18_digit_limit_as_a_string() -> None:
    assert refusal(seed(amount="1" + "0" * 19)).startswith("amount: ")
    assert refusal(seed(amount=10**19)).startswith("amount: ")


@pytest.mark.parametrize("name", ["amout", "sign", "payment_method_types"])
def test_unknown_field_is_refused_by_name(name: str) -> None:
    assert refusal(seed(**{name: "x"})) == f"{name}: is not a field of this request"


def test_unknown_nested_field_is_named_with_its_path() -> None:
    data = seed(payment={**SEED_CREATE["payment"], "tokn_usage": "CARD_ON_FILE"})
    assert refusal(data) == "payment.tokn_usage: is not a field of this request"
    assert refusal(seed(goods=[{"name": "Tea", "price": 800, "quantity": 1, "colour": "red"}])) == (
        "goods[0].colour: is not a field of this request"
    )


@pytest.mark.parametrize("payment", [None, {}, {"store_payment_method": False,
                                                "shopper_reference": "854f5baaf0a735139c583c4cea14d14c"}])
def test_recurring_needs_store_payment_method(payment: Any) -> None:
    data = seed(payment_type="RECURRING", payment=... if payment is None else payment)
    assert refusal(data) == "payment.store_payment_method: must be true for a RECURRING session"


def test_recurring_needs_shopper_reference() -> None:
    data = seed(payment_type="RECURRING", payment={"store_payment_method": True, "token_usage": "SUBSCRIPTION"})
    assert refusal(data) == "payment.shopper_reference: is required for a RECURRING session"


def test_storing_a_card_needs_shopper_reference_even_for_purchase() -> None:
    data = seed(payment={"store_payment_method": True, "token_usage": "CARD_ON_FILE"})
    assert refusal(data) == "payment.shopper_reference: is required when store_payment_method is true"


@pytest.mark.parametrize("expire_time", ["2025-05-05T17:17:24", "2025-05-05", datetime(2025, 5, 5, 17, 17, 24)])
def test_naive_expire_time_is_refused(expire_time: Any) -> None:
    assert refusal(seed(expire_time=expire_time)) == (
        "expire_time: must carry a UTC offset, e.g. 2025-05-05T17:17:24+08:00"
    )


@pytest.mark.parametrize("expire_time", ["tomorrow", "2025-13-05T17:17:24+08:00", ""])
def test_unreadable_expire_time_is_refused(expire_time: str) -> None:
    assert refusal(seed(expire_time=expire_time)).startswith("expire_time: ")


@pytest.mark.parametrize("currency", ["hkd", "HK", "HKDD", "HKD\n", " HKD", "", "H1D", 344])
def test_bad_currency_pattern_is_refused(currency: Any) -> None:
    assert refusal(seed(currency=currency)).startswith("currency: ")


@pytest.mark.parametrize("field,value", [("trans_id", ""), ("trans_id", "order 1"), ("trans_id", "x" * 65),
                                         ("merchant_id", ""), ("merchant_id", "1" * 33),
                                         ("session_mode", "HOST"), ("payment_type", "ONE_OFF"),
                                         ("capture_method", "AUTO")])
def test_other_field_rules(field: str, value: str) -> None:
    assert refusal(seed(**{field: value})).startswith(f"{field}: ")


def test_missing_required_field_is_named() -> None:
    assert refusal(seed(trans_id=...)) == "trans_id: is required"


# --- describe_validation_error ----------------------------------------------------------------


def test_describe_validation_error_strips_pydantics_value_error_prefix() -> None:
    text = refusal(seed(amount="8.00"))
    assert text.startswith("amount: must be a positive integer in minor units")
    assert "Value error" not in text


def test_describe_validation_error_passes_other_exceptions_through() -> None:
    assert wire.describe_validation_error(ValueError("amount: nope")) == "amount: nope"


def test_describe_validation_error_uses_the_first_error() -> None:
    text = refusal(seed(amount="8.00", currency="hkd"))
    assert text.startswith("amount: ")


@pytest.mark.parametrize("model,data,expected", [
    (wire.QuerySessionRequest, {"merchant_id": "m1"}, "session_id: session_id or trans_id is required"),
    (wire.QueryTransactionRequest, {"merchant_id": "m1"},
     "trans_id: one of trans_id, order_id or session_id is required"),
])
def test_query_requests_need_a_key(model: type[pydantic.BaseModel], data: dict[str, Any], expected: str) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(data)
    assert wire.describe_validation_error(info.value) == expected


# --- responses: SessionData and TransactionData -----------------------------------------------


@pytest.mark.parametrize("amount", ["800", 800])
def test_session_data_parses_both_amount_forms_and_writes_a_string(amount: Any) -> None:
    session = wire.SessionData.model_validate({**SEED_SESSION_RESPONSE["data"], "amount": amount})
    assert session.amount == 800
    assert session.session_id == "CS208760010022288125"
    assert session.to_wire() == SEED_SESSION_RESPONSE["data"]  # the seed's response, field for field
    assert '"amount":"800"' in session.model_dump_json()


def test_session_data_keeps_unknown_fields() -> None:
    """A newer PayKKa may add fields; they are kept, not refused or dropped."""
    session = wire.SessionData.model_validate({**SEED_SESSION_RESPONSE["data"], "new_field": {"x": 1}})
    assert session.to_wire()["new_field"] == {"x": 1}


@pytest.mark.parametrize("change", [{"amount": "8.00"}, {"status": "DONE"}, {"session_id": None}])
def test_session_data_refuses_bad_data(change: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        wire.SessionData.model_validate({**SEED_SESSION_RESPONSE["data"], **change})


def test_session_data_accepts_expired() -> None:
    session = wire.SessionData.model_validate({**SEED_SESSION_RESPONSE["data"], "status": "EXPIRED"})
    assert session.status == "EXPIRED"


@pytest.mark.parametrize("amount", ["800", 800])
def test_transaction_data_parses_both_amount_forms_and_writes_a_string(amount: Any) -> None:
    tx = wire.TransactionData.model_validate({**SEED_TRANSACTION_RESPONSE["data"], "amount": amount})
    assert tx.amount == 800
    assert tx.pay_finish_time == datetime(2025, 5, 5, 17, 17, 24, tzinfo=HK)
    assert tx.to_wire() == SEED_TRANSACTION_RESPONSE["data"]


def test_transaction_data_nested_parts() -> None:
    tx = wire.TransactionData.model_validate({
        **SEED_TRANSACTION_RESPONSE["data"],
        "payment": {"payment_method": "BANKCARD"},
        "card_info": {"bin": "411111", "last4": "1111", "card_brand": "VISA"},
        "balances": {"authed_amount": 800, "able_to_refund_amount": 800},
    })
    assert tx.card_info is not None and tx.card_info.last4 == "1111"
    assert tx.balances is not None and tx.balances.captured_amount == 0 and tx.balances.able_to_refund_amount == 800


# --- the envelope -----------------------------------------------------------------------------


def test_envelope_of_the_seed_session_response() -> None:
    env = wire.Envelope[wire.SessionData].model_validate(SEED_SESSION_RESPONSE)
    assert env.ok
    assert isinstance(env.data, wire.SessionData)
    assert env.data.amount == 800


def test_envelope_of_the_seed_transaction_response() -> None:
    env = wire.Envelope[wire.TransactionData].model_validate_json(json.dumps(SEED_TRANSACTION_RESPONSE))
    assert env.ok and env.data is not None and env.data.order_id == "GW208760010022288125"


def test_envelope_failure_without_data() -> None:
    env = wire.Envelope[wire.SessionData].model_validate({"ret_code": "206011", "ret_msg": "session does not exist"})
    assert not env.ok
    assert env.data is None


def test_envelope_needs_a_ret_code() -> None:
    with pytest.raises(pydantic.ValidationError):
        wire.Envelope[wire.SessionData].model_validate({"ret_msg": "Success"})


def test_envelope_function_builds_the_answer_body() -> None:
    assert wire.envelope() == {"ret_code": "000000", "ret_msg": "Success"}
    assert wire.envelope({"a": 1}) == {"ret_code": "000000", "ret_msg": "Success", "data": {"a": 1}}
    assert wire.envelope(ret_code="010000", ret_msg="amount: is required") == {
        "ret_code": "010000", "ret_msg": "amount: is required",
    }
    written = wire.envelope(wire.SessionData.model_validate(SEED_SESSION_RESPONSE["data"]).to_wire())
    assert written == SEED_SESSION_RESPONSE


@pytest.mark.parametrize("amount", [0, -5, "0"])
def test_notification_amount_must_be_positive(amount: Any) -> None:
    body = {"notify_type": "PAYMENT.SUCCESS", "merchant_id": "1", "trans_id": "t", "status": "SUCCESS",
            "amount": amount, "currency": "HKD"}
    with pytest.raises(pydantic.ValidationError) as caught:
        wire.NotifyEvent.model_validate(body)
    assert wire.describe_validation_error(caught.value).startswith("amount: ")


# --- leniency (the emulator's reading) and the strict models ---------------------------------------


def test_the_strict_model_refuses_what_the_lenient_reading_accepts() -> None:
    data = seed(payment={**SEED_CREATE["payment"], "payment_method": None},
                goods=[{"id": 11, "name": "Tea", "price": 800, "quantity": 1}], shipping={"country": ""})
    with pytest.raises(pydantic.ValidationError):
        wire.CreateSessionRequest.model_validate(data)
    lenient = wire.lenient_request(wire.CreateSessionRequest, data)
    request = wire.CreateSessionRequest.model_validate(lenient.data)
    assert lenient.ignored == []
    assert request.goods is not None and request.goods[0].id == "11"
    assert request.shipping is not None and request.shipping.country is None
    assert data["goods"][0]["id"] == 11  # the input is not changed in place


def test_lenient_reading_sets_unknown_names_aside_with_their_paths() -> None:
    data = seed(version="v1.0", payment={**SEED_CREATE["payment"], "tokn_usage": "X"},
                goods=[{"name": "Tea", "price": 1, "quantity": 1}, {"name": "Cup", "price": 1, "quantity": 1, "sku": 2}])
    lenient = wire.lenient_request(wire.CreateSessionRequest, data)
    assert sorted(lenient.ignored) == ["goods[1].sku", "payment.tokn_usage", "version"]
    assert "version" not in lenient.data and "tokn_usage" not in lenient.data["payment"]
    strict = wire.lenient_request(wire.CreateSessionRequest, data, strict=True)
    assert strict.ignored == [] and strict.data["version"] == "v1.0"
    with pytest.raises(pydantic.ValidationError) as refused:
        wire.CreateSessionRequest.model_validate(strict.data)
    assert wire.describe_validation_error(refused.value).endswith(": is not a field of this request")


@pytest.mark.parametrize(("value", "text"), [(11, "11"), (Decimal("1.50"), "1.50"), (Decimal("1E+2"), "1E+2")])
def test_a_number_for_text_keeps_its_decimal_text(value: Any, text: str) -> None:
    lenient = wire.lenient_request(wire.Goods, {"name": "Tea", "price": 1, "quantity": 1, "description": value})
    assert lenient.data["description"] == text


def test_lenient_reading_leaves_amounts_and_booleans_to_the_model() -> None:
    lenient = wire.lenient_request(wire.CreateSessionRequest, seed(amount=Decimal("8.00"), mit=1))
    assert lenient.data["amount"] == Decimal("8.00") and lenient.data["mit"] == 1
    assert wire.describe_validation_error(_refused(lenient.data)).startswith("amount: must be an integer in minor")
    lenient = wire.lenient_request(wire.CreateSessionRequest, seed(trans_id=True))
    assert lenient.data["trans_id"] is True  # true is not a number here


def _refused(data: dict[str, Any]) -> pydantic.ValidationError:
    with pytest.raises(pydantic.ValidationError) as info:
        wire.CreateSessionRequest.model_validate(data)
    return info.value


@pytest.mark.parametrize(("loc", "path"), [(("goods", 0, "id"), "goods[0].id"), (("amount",), "amount"),
                                           (("a", 1, 2, "b"), "a[1][2].b"), ((), "")])
def test_field_paths(loc: tuple[Any, ...], path: str) -> None:
    assert wire.field_path(loc) == path


@pytest.mark.parametrize(("changes", "text"), [
    ({"goods": {}}, "goods: must be a JSON array"),
    ({"payment": []}, "payment: must be a JSON object"),
    ({"currency": "hkd"}, "currency: must be a three-letter ISO 4217 currency code in capitals, e.g. HKD"),
    ({"trans_id": "a b"}, "trans_id: may contain only letters, digits and the characters _ - . :"),
    ({"trans_id": ""}, "trans_id: must not be empty"),
    ({"trans_id": "x" * 65}, "trans_id: must be at most 64 characters long"),
    ({"session_mode": "HOST"}, "session_mode: must be one of 'HOSTED', 'DROP_IN' or 'COMPONENT'"),
    ({"mit": "perhaps"}, "mit: must be true or false"),
    ({"expire_time": "tomorrow"}, "expire_time: must be a date-time with a UTC offset, e.g. 2025-03-08T10:00:00+08:00"),
    ({"amount": 8.5}, "amount: must be an integer in minor units, not a decimal number "
                      "(e.g. 2550 for 25.50 HKD, 800 for 800 JPY)"),
])
def test_rules_are_said_in_plain_words(changes: dict[str, Any], text: str) -> None:
    assert refusal(seed(**changes)) == text


def test_session_payment_takes_the_whole_payment_object_and_hides_card_data() -> None:
    payment = wire.SessionPayment(payment_method="BANKCARD", card_no="4111111111111111", cvv="123",
                                  holder_name="Chan Tai Man", shopper_reference="s1")
    assert "4111" not in repr(payment) and "123" not in str(payment) and "Chan" not in repr(payment)
    assert set(wire.TransactionPayment.model_fields) == set(wire.SessionPayment.model_fields)
