"""Leniency as PayKKa's Java/JSON backend shows it, and strict mode.

The emulator reads ``null`` as an absent key at any depth in every v3 operation, takes a
JSON number for a text field as its decimal text, accepts every field of PayKKa's documented
objects wherever the object appears, and ignores unknown names while reporting each one (in
its log, in the request log and in the ``x-paykka-stub-ignored-fields`` header). Strict mode
refuses unknown names. The merchant-facing client stays strict: it refuses unknown names and
never sends a null.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from pydantic import BaseModel

from paykka_embed import signing, wire
from paykka_embed.errors import ValidationError
from paykka_embed.stub import StubContext, create_app
from paykka_embed.operations import BY_PATH
from paykka_embed.stub.api import IGNORED_HEADER
from paykka_embed.testing import MerchantAccount, StubHandle

from stub_helpers import SignedCaller, enc, trans_id

SHOPPER = "shopper-lenient-1"


@pytest.fixture(scope="module")
def strict_stub() -> Iterator[StubHandle]:
    handle = StubHandle.start(strict=True)
    yield handle
    handle.stop()


def post(caller: SignedCaller, path: str, payload: dict[str, Any]) -> httpx.Response:
    """Signed, with the answer's headers (SignedCaller.call keeps only the body)."""
    raw = json.dumps({"merchant_id": caller.merchant.merchant_id, **payload}).encode()
    headers = signing.signed_headers(caller.key, caller.merchant.app_id, path, raw)
    resp = caller.http.post(path, content=raw, headers={**headers, "content-type": "application/json"})
    signing.verify_headers(caller.platform, path, resp.headers, resp.content)
    return resp


def ok(resp: httpx.Response) -> Any:
    body = resp.json()
    assert (resp.status_code, body["ret_code"]) == (200, "000000"), body
    return body.get("data")


def with_nulls(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    """``body`` plus ``null`` for every optional field it leaves out, at every depth it has."""
    out = dict(body)
    for name, info in model.model_fields.items():
        if name not in out:
            if not info.is_required():
                out[name] = None
            continue
        kind, inner = wire._field_kind(info.annotation)
        value = out[name]
        if kind == "model" and isinstance(value, dict):
            out[name] = with_nulls(inner, value)
        elif kind == "list" and inner[0] == "model" and isinstance(value, list):
            out[name] = [with_nulls(inner[1], v) if isinstance(v, dict) else v for v in value] + [None]
    return out


def card_payment(**extra: Any) -> dict[str, Any]:
    return {"payment_method": "BANKCARD", "encrypted_card_no": enc("4111111111111111"),
            "encrypted_exp_month": enc("12"), "encrypted_exp_year": enc("2034"), "encrypted_cvv": enc("123"),
            **extra}


def initiate(caller: SignedCaller, **changes: Any) -> dict[str, Any]:
    body = {"trans_id": trans_id(), "amount": 800, "currency": "HKD", "return_url": "https://shop.example/back",
            "payment": card_payment(), **changes}
    return dict(ok(post(caller, wire.PATH_INITIATE, with_nulls(wire.InitiateTransactionRequest, body))))


# --- null is absent, in every operation ------------------------------------------------------------


def test_null_is_absent_at_every_depth_in_every_operation(caller: SignedCaller) -> None:
    done: set[str] = set()

    def call(path: str, body: dict[str, Any]) -> Any:
        model = BY_PATH[path].request_model
        full = with_nulls(model, body)
        assert None in full.values() or path == wire.PATH_TOKEN_REMOVE, path  # the test does add nulls
        resp = post(caller, path, full)
        assert IGNORED_HEADER not in resp.headers  # a null is not an unknown name
        done.add(path)
        return ok(resp)

    session = call(wire.PATH_CREATE_SESSION, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD",
        "payment": {"store_payment_method": True, "shopper_reference": SHOPPER},
        "goods": [{"name": "Tea", "price": 800, "quantity": 1}], "bill": {"first_name": "Mei"},
        "shipping": {}, "customer": {}, "browser": {}, "authentication": {}})
    call(wire.PATH_QUERY_SESSION, {"session_id": session["session_id"]})
    authorised = call(wire.PATH_INITIATE, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD", "capture_method": "MANUAL",
        "return_url": "https://shop.example/back",
        "payment": card_payment(store_payment_method=True, shopper_reference=SHOPPER),
        "goods": [{"name": "Tea", "price": 800, "quantity": 1}], "bill": {}, "browser": {}})
    assert authorised["status"] == "AUTHORIZED"
    call(wire.PATH_QUERY, {"order_id": authorised["order_id"]})
    captured = call(wire.PATH_CAPTURE, {"order_id": authorised["order_id"]})
    assert captured["status"] == "SUCCESS"  # amount: null is a full capture, as if absent
    to_void = initiate(caller, capture_method="MANUAL")
    assert call(wire.PATH_VOID, {"order_id": to_void["order_id"]})["status"] == "CANCELED"
    refund = call(wire.PATH_REFUND, {"refund_trans_id": trans_id("r"), "ori_order_id": authorised["order_id"],
                                     "refund_amount": 300, "currency": "HKD"})
    assert refund["status"] == "SUCCESS"
    call(wire.PATH_REFUND_QUERY, {"refund_order_id": refund["refund_order_id"]})
    call(wire.PATH_TOKEN_REMOVE, {"token": authorised["token"], "shopper_reference": SHOPPER})
    first = initiate(caller, payment_type="RECURRING",
                     payment=card_payment(store_payment_method=True, shopper_reference=SHOPPER + "-sub"))
    call(wire.PATH_RECURRING_CANCEL, {"recurring_agreement_id": first["recurring_agreement_id"]})
    assert json.loads(call(wire.PATH_APPLE_PAY_SESSION, {"domain_name": "shop.example"}))["domainName"]
    assert done == set(BY_PATH), set(BY_PATH) - done


def test_null_for_a_required_field_is_missing(caller: SignedCaller) -> None:
    answer = caller.call(wire.PATH_CREATE_SESSION, {"trans_id": None, "amount": 800, "currency": "HKD"})
    assert (answer.ret_code, answer.ret_msg) == ("010000", "trans_id: is required")


def test_null_list_items_are_absent(caller: SignedCaller, paykka_stub: StubHandle) -> None:
    data = ok(post(caller, wire.PATH_CREATE_SESSION, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD",
        "allowed_payment_methods": [None, "BANKCARD"], "goods": [None, {"name": "Tea", "price": 800, "quantity": 1}]}))
    request = paykka_stub.context.gateway.sessions[data["session_id"]].request
    assert request.allowed_payment_methods == ["BANKCARD"] and len(request.goods or []) == 1


# --- numbers for text -------------------------------------------------------------------------------


def test_numbers_are_read_as_their_decimal_text_wherever_text_is_expected(caller: SignedCaller,
                                                                          paykka_stub: StubHandle) -> None:
    numeric_trans = str(int(time.time() * 1000))
    raw = ('{"merchant_id": %s, "trans_id": %s, "amount": 2550, "currency": "HKD", '
           '"goods": [{"id": 11, "name": "Tea", "description": 1.50, "price": 2550, "quantity": 1}], '
           '"customer": {"id": 7, "phone_number": 91234567}, '
           '"bill": {"postal_code": 999077, "area_code": 852}, '
           '"payment": {"store_payment_method": true, "shopper_reference": 424242}}'
           % (caller.merchant.merchant_id, numeric_trans)).encode()
    answer = caller.raw(wire.PATH_CREATE_SESSION, raw)
    assert answer.ret_code == "000000", answer.body
    assert answer.data["trans_id"] == numeric_trans and answer.data["merchant_id"] == caller.merchant.merchant_id
    request = paykka_stub.context.gateway.sessions[answer.data["session_id"]].request
    assert request.goods is not None and (request.goods[0].id, request.goods[0].description) == ("11", "1.50")
    assert request.customer is not None and (request.customer.id, request.customer.phone_number) == ("7", "91234567")
    assert request.bill is not None and (request.bill.postal_code, request.bill.area_code) == ("999077", "852")
    assert request.payment is not None and request.payment.shopper_reference == "424242"
    # Looked up by the number, the same session.
    again = caller.raw(wire.PATH_QUERY_SESSION, b'{"merchant_id": %s, "trans_id": %s}' % (
        caller.merchant.merchant_id.encode(), numeric_trans.encode()))
    assert again.data["session_id"] == answer.data["session_id"]


@pytest.mark.parametrize(("change", "field", "rule"), [
    ({"amount": "25.50"}, "amount", "minor units"),
    ({"amount": Decimal("25.50")}, "amount", "not a decimal number"),
    ({"bill": {"area_code": "+8521234567"}}, "bill.area_code", "at most 10"),
    ({"bill": {"area_code": 12345678901}}, "bill.area_code", "at most 10"),  # a number is text, and too long
    ({"expire_time": "2030-01-01T10:00:00"}, "expire_time", "UTC offset"),
    ({"trans_id": 10**70}, "trans_id", "at most 64"),
    ({"currency": 344}, "currency", "ISO 4217"),  # ISO 4217's number for HKD is not its code
    ({"session_mode": 1}, "session_mode", "one of"),
    ({"payment": {"store_payment_method": True, "shopper_reference": True}}, "payment.shopper_reference",
     "must be a string"),
    ({"goods": [{"name": "Tea", "price": 1, "quantity": 1.5}]}, "goods[0].quantity", "whole number"),
])
def test_leniency_weakens_no_rule(caller: SignedCaller, change: dict[str, Any], field: str, rule: str) -> None:
    body = {"merchant_id": caller.merchant.merchant_id, "trans_id": trans_id(), "amount": 800, "currency": "HKD",
            **change}
    raw = json.dumps(body, default=lambda d: float(d) if isinstance(d, Decimal) else d).encode()
    answer = caller.raw(wire.PATH_CREATE_SESSION, raw)
    assert (answer.status, answer.ret_code) == (400, "010000"), answer.body
    assert answer.ret_msg.startswith(f"{field}:") and rule in answer.ret_msg, answer.ret_msg


# --- documented objects wherever they appear ----------------------------------------------------------


def test_a_session_payment_takes_every_field_of_payments_payment_object(caller: SignedCaller) -> None:
    resp = post(caller, wire.PATH_CREATE_SESSION, {
        "trans_id": trans_id(), "amount": 800, "currency": "HKD", "session_mode": "DROP_IN",
        "payment": {"payment_method": "BANKCARD", "holder_name": "Chan Tai Man", "token_data": None,
                    "encrypted_card_no": "", "encrypted_exp_year": None, "encrypted_exp_month": None,
                    "encrypted_cvv": None, "token": None, "card_no": None,
                    "store_payment_method": False},
        "authentication": {"challenge_indicator": "NO_PREFERENCE", "authentication_only": False},
        "browser": {"user_agent": "Mozilla/5.0", "color_depth": "24", "language": "en-US", "java_enabled": False,
                    "device_type": "PC", "terminal_type": "WEB", "device_os": "WINDOWS",
                    "timezone_offset": "+00:00", "screen_height": "1080", "screen_width": 1920, "cookies": "",
                    "device_finger_print_id": "0f343b0931126a20f133d67c2b018a3b"}})
    ok(resp)
    assert IGNORED_HEADER not in resp.headers


# --- unknown names: ignored and reported ---------------------------------------------------------------


def test_unknown_names_are_ignored_and_reported_in_the_header_the_request_log_and_the_log(
        caller: SignedCaller, paykka_stub: StubHandle, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="paykka_embed.stub.api")
    resp = post(caller, wire.PATH_CREATE_SESSION, {
        "version": "v1.0", "trans_id": trans_id(), "amount": 800, "currency": "HKD", "colour": None,
        "payment": {"store_payment_method": False, "tokn_usage": "CARD_ON_FILE"},
        "goods": [{"name": "Tea", "price": 800, "quantity": 1}, {"name": "Cup", "price": 1, "quantity": 1,
                                                                   "sku": "C-1"}]})
    session = ok(resp)
    expected = ["version", "payment.tokn_usage", "goods[1].sku"]  # "colour": null is absent, not reported
    assert json.loads(resp.headers[IGNORED_HEADER]) == expected
    entry = paykka_stub.requests()[0]
    assert (entry["path"], entry["verdict"], entry["ignored_fields"]) == (wire.PATH_CREATE_SESSION, "accepted",
                                                                          expected)
    assert any("ignored unknown field(s) version, payment.tokn_usage, goods[1].sku" in r.getMessage()
               for r in caplog.records)
    # Ignored means ignored: the session did not take the misspelt token_usage.
    request = paykka_stub.context.gateway.sessions[session["session_id"]].request
    assert request.payment is not None and request.payment.token_usage is None


def test_the_header_lists_at_most_fifty_names(caller: SignedCaller, paykka_stub: StubHandle) -> None:
    extra = {f"x{i:03d}": i for i in range(120)}
    resp = post(caller, wire.PATH_QUERY_SESSION, {"session_id": "CS0", **extra})
    assert resp.json()["ret_code"] == "206011"  # ignored names do not stop the call
    shown = json.loads(resp.headers[IGNORED_HEADER])
    assert shown[:2] == ["x000", "x001"] and len(shown) == 51 and shown[-1] == "...and 70 more"
    assert len(paykka_stub.requests()[0]["ignored_fields"]) == 120


def test_a_refusal_still_reports_the_names_it_ignored(caller: SignedCaller, paykka_stub: StubHandle) -> None:
    resp = post(caller, wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": "8.00", "currency": "HKD",
                                                   "version": "v1.0"})
    assert resp.json()["ret_msg"].startswith("amount:")
    assert json.loads(resp.headers[IGNORED_HEADER]) == ["version"]
    entry = paykka_stub.requests()[0]
    assert (entry["verdict"], entry["ignored_fields"]) == ("refused", ["version"])


# --- strict mode --------------------------------------------------------------------------------------


def strict_caller(strict_stub: StubHandle) -> SignedCaller:
    strict_stub.reset()
    return SignedCaller(strict_stub.register_merchant())


@pytest.mark.parametrize(("extra", "field"), [
    ({"version": "v1.0"}, "version"),
    ({"payment": {"tokn_usage": "CARD_ON_FILE"}}, "payment.tokn_usage"),
    ({"goods": [{"name": "Tea", "price": 800, "quantity": 1, "colour": "red"}]}, "goods[0].colour"),
])
def test_strict_mode_refuses_unknown_names_naming_them(strict_stub: StubHandle, extra: dict[str, Any],
                                                       field: str) -> None:
    caller = strict_caller(strict_stub)
    answer = caller.call(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 800, "currency": "HKD",
                                                    **extra})
    assert (answer.status, answer.ret_code, answer.ret_msg) == (400, "010000",
                                                                f"{field}: is not a field of this request")
    assert strict_stub.requests()[0]["verdict"] == "refused"


def test_strict_mode_still_reads_nulls_and_numbers(strict_stub: StubHandle) -> None:
    caller = strict_caller(strict_stub)
    resp = post(caller, wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 800, "currency": "HKD",
                                                   "colour": None, "payment": {"payment_method": None},
                                                   "goods": [{"id": 11, "name": "Tea", "price": 800, "quantity": 1}]})
    ok(resp)
    assert IGNORED_HEADER not in resp.headers


def test_create_app_strict_overrides_the_context() -> None:
    context = StubContext(strict=False)
    create_app(context, strict=True)
    assert context.strict is True
    assert StubContext().strict is False


def test_the_stub_command_has_a_strict_flag(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "paykka_embed.cli", "stub", "--port", "0", "--strict",
                             "--data", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = ""
        assert proc.stdout is not None
        while "Press Ctrl-C" not in seen:
            line = proc.stdout.readline()
            assert line, seen
            seen += line
        assert "Strict mode" in seen
        url = re.search(r"running at (http://\S+)", seen).group(1)  # type: ignore[union-attr]
        merchant_id = re.search(r"merchant_id=(\d+)", seen).group(1)  # type: ignore[union-attr]
        key = signing.load_private_key((tmp_path / "merchant-private-key.pem").read_text())
        raw = json.dumps({"merchant_id": merchant_id, "trans_id": "t-1", "amount": 800, "currency": "HKD",
                          "colour": "red"}).encode()
        headers = signing.signed_headers(key, merchant_id, wire.PATH_CREATE_SESSION, raw)
        resp = httpx.post(url + wire.PATH_CREATE_SESSION, content=raw,
                          headers={**headers, "content-type": "application/json"})
        assert resp.json()["ret_msg"] == "colour: is not a field of this request"
    finally:
        proc.send_signal(2)
        proc.communicate(timeout=20)


# --- the merchant-facing client stays strict and clean -------------------------------------------------


@pytest.mark.parametrize(("request_data", "field"), [
    ({"colour": "red"}, "colour"),
    ({"payment": {"tokn_usage": "CARD_ON_FILE"}}, "payment.tokn_usage"),
    ({"goods": [{"name": "Tea", "price": 800, "quantity": 1, "sku": "x"}]}, "goods[0].sku"),
])
def test_the_client_still_refuses_unknown_names_before_sending(paykka_stub: StubHandle,
                                                                paykka_merchant: MerchantAccount,
                                                                request_data: dict[str, Any], field: str) -> None:
    with paykka_merchant.client() as client, pytest.raises(ValidationError) as refused:
        client.create_session({"trans_id": trans_id(), "amount": 800, "currency": "HKD", **request_data})
    assert refused.value.field == field
    assert paykka_stub.requests() == []  # nothing was sent


def test_the_client_still_refuses_a_number_for_a_text_field(paykka_merchant: MerchantAccount) -> None:
    with paykka_merchant.client() as client, pytest.raises(ValidationError) as refused:
        client.create_session({"trans_id": trans_id(), "amount": 800, "currency": "HKD",
                               "goods": [{"id": 11, "name": "Tea", "price": 800, "quantity": 1}]})
    assert refused.value.field == "goods[0].id"


def test_the_client_sends_no_nulls(paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    model = wire.CreateSessionRequest(merchant_id=paykka_merchant.merchant_id, trans_id=trans_id(), amount=800,
                                      currency="HKD", payment=wire.SessionPayment(shopper_reference=None),
                                      bill=wire.Bill(first_name="Mei", country=None))
    with paykka_merchant.client() as client:
        client.create_session(model)
        client.create_session({"trans_id": trans_id(), "amount": 800, "currency": "HKD", "display_locale": None,
                               "bill": {"first_name": "Mei", "email": None}, "goods": [
                                   {"name": "Tea", "price": 800, "quantity": 1, "brand": None}]})
        client.query_session(trans_id=model.trans_id)
    sent = paykka_stub.requests()
    assert len(sent) == 3
    for entry in sent:
        assert "null" not in entry["body"], entry["body"]
        assert entry["ignored_fields"] == []

