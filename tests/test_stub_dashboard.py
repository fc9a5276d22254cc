"""The emulator's dashboard over real HTTP: the page at the root URL under a strict CSP, and the JSON it
reads — merchants with key fingerprints, each list of the selected merchant linked by id and filtered,
webhook resend and deliver-next-retry, the clock back to real time, what the clock makes happen next,
faults, the 304 of an unchanged snapshot, and for a refused signature what was verified beside what
was signed."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from paykka_embed import signing, wire
from paykka_embed.doctor.credentials import fingerprint as doctor_fingerprint
from paykka_embed.stub.gateway import Gateway
from paykka_embed.stub.webhooks import RETRY_SCHEDULE, Delivery
from paykka_embed.testing import MerchantAccount, StubHandle

from stub_helpers import SignedCaller, WebhookReceiver, trans_id

CARD = {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"}
REVIEWED = {**CARD, "number": "4000000000007726"}  # its refunds wait in REVIEWING for an hour


@pytest.fixture
def http(paykka_stub: StubHandle) -> Any:
    with httpx.Client(base_url=paykka_stub.url, timeout=10) as client:
        yield client


def data(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["ret_code"] == "000000", body
    return body["data"]


def listing(http: httpx.Client, name: str, merchant: MerchantAccount, **params: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data(http.get(f"/_stub/dashboard/{name}",
                                                params={"merchant_id": merchant.merchant_id, **params}))
    return found


def wait_for(read: Callable[[], Any], until: Callable[[Any], bool], timeout: float = 15.0) -> Any:
    """``read()`` once ``until`` holds for it (polling, no fixed sleep)."""
    deadline = time.monotonic() + timeout
    pause = 0.02
    while True:
        value = read()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {value!r}")
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def pay(gw: Gateway, caller: SignedCaller, card: dict[str, Any] = CARD, **session: Any) -> tuple[str, str]:
    """A session paid by card: (session id, order id)."""
    made = caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 1000, "currency": "HKD",
                                                "return_url": "https://shop.example/back", **session})
    result = gw.pay_with_card(made["session_id"], caller.merchant.client_key, card)
    return made["session_id"], result.order_id


# --- the page ---------------------------------------------------------------------------------------


def test_the_root_url_is_the_dashboard_under_a_strict_csp(http: httpx.Client) -> None:
    page = http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe" not in csp
    html = page.text
    assert "PayKKa emulator" in html
    for link in ("/_stub/openapi.json", "/_stub/webhooks", "/_stub/requests", "/_stub/platform-public-key"):
        assert f'href="{link}"' in html, link
    # No inline code: every script has a src, no style attribute or element, no on* handler.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)
    script = http.get("/_stub/dashboard.js")
    assert script.status_code == 200 and "eval(" not in script.text and "new Function" not in script.text
    assert ".innerHTML" not in script.text  # records go in as text, never as markup
    assert http.get("/_stub/dashboard.css").status_code == 200


def test_fingerprints_are_openssh_style_and_shared_with_the_doctor(paykka_stub: StubHandle) -> None:
    key = signing.generate_private_key()
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    expected = "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    assert signing.fingerprint(key) == signing.fingerprint(key.public_key()) == expected
    assert doctor_fingerprint is signing.fingerprint  # one function, not two that could drift


def test_merchants_newest_first_with_ids_client_key_and_key_fingerprint(paykka_stub: StubHandle,
                                                                         http: httpx.Client) -> None:
    key = signing.generate_private_key()
    first = paykka_stub.register_merchant(name="Tea & Clay")
    second = paykka_stub.register_merchant(name="متجر الشاي", private_key=key, app_id="shop-app-7")
    merchants = data(http.get("/_stub/dashboard/merchants"))
    ids = [m["merchant_id"] for m in merchants]
    assert ids.index(second.merchant_id) < ids.index(first.merchant_id)
    shown = next(m for m in merchants if m["merchant_id"] == second.merchant_id)
    assert shown == {"merchant_id": second.merchant_id, "app_id": "shop-app-7", "name": "متجر الشاي",
                     "client_key": second.client_key, "notify_url": None, "pci": False,
                     "public_key_fingerprint": signing.fingerprint(key)}
    text = http.get("/_stub/dashboard/merchants").text
    assert "BEGIN" not in text  # keys are named by fingerprint, never shown


# --- the merchant's records ---------------------------------------------------------------------------


def test_each_list_links_session_order_refund_and_dispute(paykka_stub: StubHandle, paykka_merchant: MerchantAccount,
                                                          caller: SignedCaller, gw: Gateway, http: httpx.Client) -> None:
    session_id, order_id = pay(gw, caller, REVIEWED, goods=[{"name": "茶壶", "price": 1000, "quantity": 1}])
    later_session, later_order = pay(gw, caller)
    refund = caller.ok(wire.PATH_REFUND, {"ori_order_id": order_id, "refund_trans_id": "rf-1", "refund_amount": 400,
                                          "currency": "HKD"})
    assert refund["status"] == "REVIEWING"
    dispute = paykka_stub.open_dispute(order_id, amount=300)

    sessions = listing(http, "sessions", paykka_merchant)
    assert [s["session_id"] for s in sessions] == [later_session, session_id]  # newest first
    first = sessions[1]
    assert (first["status"], first["amount_text"], first["order_ids"]) == ("SUCCESS", "10.00 HKD", [order_id])
    assert first["goods"] == [{"name": "茶壶", "quantity": 1}] and first["session_mode"] == "HOSTED"
    assert {order_id, refund["refund_order_id"], dispute["dispute_id"]} <= set(first["related"])

    orders = listing(http, "transactions", paykka_merchant)
    assert [t["order_id"] for t in orders] == [later_order, order_id]
    order = orders[1]
    assert order["session_id"] == session_id and order["status"] == "SUCCESS"
    assert order["refund_ids"] == [refund["refund_order_id"]] and order["dispute_ids"] == [dispute["dispute_id"]]
    assert order["balances"]["able_to_refund_amount"] == 600 and order["reviewing_amount"] == 400
    assert order["balances_text"]["captured_amount"] == "10.00 HKD"
    assert order["card"] == {"brand": "VISA", "bin": "400000", "last4": "7726"}

    refunds = listing(http, "refunds", paykka_merchant)
    assert [(r["refund_order_id"], r["status"], r["ori_order_id"], r["session_id"]) for r in refunds] == [
        (refund["refund_order_id"], "REVIEWING", order_id, session_id)]
    assert refunds[0]["review_until_ms"] > refunds[0]["created_ms"]
    disputes = listing(http, "disputes", paykka_merchant)
    assert [(d["dispute_id"], d["order_id"], d["stage"], d["amount"]) for d in disputes] == [
        (dispute["dispute_id"], order_id, "DISPUTE_CREATED", 300)]

    # Filters: what belongs with an id, and by status.
    assert [s["session_id"] for s in listing(http, "sessions", paykka_merchant, related=order_id)] == [session_id]
    assert [t["order_id"] for t in listing(http, "transactions", paykka_merchant,
                                           related=refund["refund_order_id"])] == [order_id]
    assert listing(http, "refunds", paykka_merchant, related=later_order) == []
    assert len(listing(http, "disputes", paykka_merchant, related=session_id)) == 1
    assert [r["status"] for r in listing(http, "refunds", paykka_merchant, status="REVIEWING")] == ["REVIEWING"]
    assert listing(http, "refunds", paykka_merchant, status="SUCCESS") == []
    assert [t["order_id"] for t in listing(http, "transactions", paykka_merchant, related="rf-1")] == [order_id]

    # Another merchant sees none of it.
    other = paykka_stub.register_merchant(name="Another shop")
    assert listing(http, "transactions", other) == [] and listing(http, "sessions", other) == []


def test_tokens_and_agreements_link_the_shopper_and_the_orders(paykka_merchant: MerchantAccount, caller: SignedCaller,
                                                               gw: Gateway, http: httpx.Client) -> None:
    _, first = pay(gw, caller, payment_type="RECURRING",
                   payment={"store_payment_method": True, "shopper_reference": "زبون-٧", "token_usage": "SUBSCRIPTION"})
    tokens = listing(http, "tokens", paykka_merchant)
    agreements = listing(http, "agreements", paykka_merchant)
    assert len(tokens) == 1 and len(agreements) == 1
    token, agreement = tokens[0], agreements[0]
    assert (token["shopper_reference"], token["usage"], token["last4"], token["active"]) == (
        "زبون-٧", "SUBSCRIPTION", "1111", True)
    assert token["order_ids"] == [first] and token["agreement_ids"] == [agreement["recurring_agreement_id"]]
    assert (agreement["token"], agreement["first_order_id"]) == (token["token"], first)
    assert listing(http, "transactions", paykka_merchant, related=token["token"])[0]["order_id"] == first
    assert len(listing(http, "tokens", paykka_merchant, related="زبون-٧")) == 1
    assert len(listing(http, "agreements", paykka_merchant, related=first)) == 1


def test_an_emulator_without_merchants_shows_empty_lists() -> None:
    from paykka_embed.stub import BackgroundServer, StubContext, create_app

    context = StubContext()
    try:
        with BackgroundServer(create_app(context)) as server, httpx.Client(base_url=server.url, timeout=10) as client:
            snapshot = data(client.get("/_stub/dashboard"))
            assert snapshot["merchant_id"] is None and snapshot["merchants"] == []
            assert snapshot["sessions"] == [] and snapshot["requests"] == [] and snapshot["schedule"] == []
            assert data(client.get("/_stub/dashboard/sessions")) == []
            assert client.get("/").status_code == 200
    finally:
        context.close()


def test_unknown_merchant_and_bad_filters_are_refused_naming_the_field(http: httpx.Client,
                                                                        paykka_merchant: MerchantAccount) -> None:
    resp = http.get("/_stub/dashboard/sessions", params={"merchant_id": "no-such-merchant"})
    assert resp.status_code == 404 and resp.json()["ret_msg"].startswith("merchant_id: no merchant no-such-merchant")
    resp = http.get("/_stub/dashboard/requests", params={"merchant_id": paykka_merchant.merchant_id,
                                                        "verdict": "maybe"})
    assert resp.status_code == 400 and resp.json()["ret_msg"] == "verdict: must be accepted, refused or ignored"
    resp = http.get("/_stub/dashboard", params={"merchant_id": paykka_merchant.app_id})  # an app id names it too
    assert data(resp)["merchant_id"] == paykka_merchant.merchant_id


# --- webhooks -----------------------------------------------------------------------------------------


def _delivery(http: httpx.Client, delivery_id: int) -> dict[str, Any]:
    found: dict[str, Any] = data(http.get(f"/_stub/webhooks/{delivery_id}"))
    return found


def test_a_failed_delivery_resent_now_succeeds(paykka_merchant: MerchantAccount, caller: SignedCaller, gw: Gateway,
                                               receiver: WebhookReceiver, http: httpx.Client) -> None:
    receiver.statuses = [500]
    _, order_id = pay(gw, caller, notify_url=receiver.url)
    hooks = wait_for(lambda: listing(http, "webhooks", paykka_merchant), lambda h: h and h[0]["attempts"])
    failed = hooks[0]
    assert (failed["state"], failed["attempts"][0]["status"], failed["attempts"][0]["manual"]) == ("pending", 500, False)
    assert failed["next_attempt_ms"] == failed["created_ms"] + RETRY_SCHEDULE[0] * 1000
    assert order_id in failed["related"] and failed["merchant_id"] == paykka_merchant.merchant_id

    answer = data(http.post(f"/_stub/webhooks/{failed['id']}/resend"))
    assert answer["id"] == failed["id"]
    done = wait_for(lambda: _delivery(http, failed["id"]), lambda d: d["state"] == "delivered")
    manual = [a for a in done["attempts"] if a["manual"]]
    assert [a["status"] for a in manual] == [200] and done["next_attempt_ms"] is None
    # The body every attempt signed is the one the receiver got, and the attempt's headers are the ones it carried.
    path, headers, body = receiver.received[-1]
    assert done["body"].encode() == body
    assert (manual[0]["nonce"], manual[0]["signature"]) == (headers["X-Paykka-Nonce"], headers["X-Paykka-Sign"])
    signing.verify_headers(signing.load_public_key(paykka_merchant.platform_public_key), path, headers, body)


def test_deliver_the_next_retry_now_walks_the_schedule(paykka_merchant: MerchantAccount, caller: SignedCaller,
                                                      gw: Gateway, receiver: WebhookReceiver,
                                                      http: httpx.Client) -> None:
    receiver.statuses = [500] * 5
    pay(gw, caller, notify_url=receiver.url)
    first = wait_for(lambda: listing(http, "webhooks", paykka_merchant), lambda h: h and h[0]["attempts"])[0]
    made = len(first["attempts"])
    data(http.post(f"/_stub/webhooks/{first['id']}/retry-now"))
    after = wait_for(lambda: _delivery(http, first["id"]), lambda d: len(d["attempts"]) > made)
    scheduled = [a for a in after["attempts"] if not a["manual"]]
    assert after["state"] == "pending" and all(a["status"] == 500 for a in scheduled)
    assert after["next_attempt_ms"] == after["created_ms"] + RETRY_SCHEDULE[len(scheduled) - 1] * 1000
    assert after["attempts_left"] == len(RETRY_SCHEDULE) + 1 - len(scheduled)

    receiver.statuses = []
    data(http.post(f"/_stub/webhooks/{first['id']}/retry-now"))
    wait_for(lambda: _delivery(http, first["id"]), lambda d: d["state"] == "delivered")
    refused = http.post(f"/_stub/webhooks/{first['id']}/retry-now")
    assert refused.status_code == 409
    assert refused.json()["ret_msg"].startswith(f"delivery_id: delivery {first['id']} is delivered")
    missing = http.post("/_stub/webhooks/99999/resend")
    assert missing.status_code == 404 and missing.json()["ret_msg"] == "delivery_id: there is no webhook delivery 99999"


def test_delivery_rows_written_before_resends_existed_still_load() -> None:
    row = {"id": 3, "url": "http://shop.example/hook", "app_id": "a", "body": '{"notify_type":"PAYMENT.SUCCESS"}',
           "notify_type": "PAYMENT.SUCCESS", "created_ms": 1000, "due_ms": 16000, "state": "pending",
           "attempts": [{"at_ms": 1000, "status": 500, "error": None}]}
    delivery = Delivery.from_row(row)
    assert delivery.scheduled_attempts == 1 and not delivery.resend_requested
    assert Delivery.from_row(delivery.to_row()).to_json() == delivery.to_json()


# --- the clock -------------------------------------------------------------------------------------------


def test_the_clock_goes_back_to_real_time(paykka_stub: StubHandle, caller: SignedCaller, gw: Gateway,
                                          receiver: WebhookReceiver, paykka_merchant: MerchantAccount,
                                          http: httpx.Client) -> None:
    receiver.statuses = [500]
    pay(gw, caller, notify_url=receiver.url)
    pending = wait_for(lambda: listing(http, "webhooks", paykka_merchant), lambda h: h and h[0]["attempts"])[0]
    moved = data(http.post("/_stub/clock", json={"advance_seconds": 6 * 3600, "signature_skew_seconds": 30}))
    assert moved["offset_seconds"] == 6 * 3600
    wait_for(lambda: _delivery(http, pending["id"]), lambda d: d["state"] == "delivered")  # the retry fell due

    # A merchant app computes expire_time on its own clock (real time): refused while the clock is moved.
    expire = (datetime.now(timezone.utc) + timedelta(minutes=30)).isoformat(timespec="seconds")
    body = {"trans_id": trans_id(), "amount": 500, "currency": "HKD", "expire_time": expire,
            "return_url": "https://shop.example/back"}
    refused = caller.call(wire.PATH_CREATE_SESSION, body)
    assert refused.ret_msg == "expire_time: must be in the future"

    back = data(http.post("/_stub/clock", json={"reset": True}))
    assert back["offset_seconds"] == 0 and back["signature_skew_seconds"] == 0
    assert abs(back["now_ms"] - time.time() * 1000) < 60_000
    assert caller.ok(wire.PATH_CREATE_SESSION, body)["status"] == "PROCESSING"

    wrong = http.post("/_stub/clock", json={"reset": "yes"})
    assert wrong.status_code == 400 and wrong.json()["ret_msg"].startswith("reset: must be true")
    assert http.post("/_stub/clock", json={}).json()["ret_msg"].startswith(
        "advance_seconds: advance_seconds, signature_skew_seconds or reset is required")


def test_pending_retries_move_back_with_the_clock(paykka_stub: StubHandle, caller: SignedCaller, gw: Gateway,
                                                  receiver: WebhookReceiver, paykka_merchant: MerchantAccount,
                                                  http: httpx.Client) -> None:
    data(http.post("/_stub/clock", json={"advance_seconds": 3600}))
    receiver.statuses = [500] * 3
    pay(gw, caller, notify_url=receiver.url)
    pending = wait_for(lambda: listing(http, "webhooks", paykka_merchant), lambda h: h and h[0]["attempts"])[0]
    data(http.post("/_stub/clock", json={"reset": True}))
    after = _delivery(http, pending["id"])
    # The schedule moved back with the clock: the next attempt is on it, minutes away at most, not an hour.
    assert after["created_ms"] == pending["created_ms"] - 3600 * 1000
    assert after["next_attempt_ms"] - after["created_ms"] in [s * 1000 for s in RETRY_SCHEDULE]
    assert after["next_attempt_ms"] - data(http.get("/_stub/clock"))["now_ms"] < RETRY_SCHEDULE[1] * 1000


def test_schedule_says_what_will_expire_settle_or_retry_next(paykka_stub: StubHandle, paykka_merchant: MerchantAccount,
                                                             caller: SignedCaller, gw: Gateway,
                                                             receiver: WebhookReceiver, http: httpx.Client) -> None:
    open_session = caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 700, "currency": "HKD",
                                                        "return_url": "https://shop.example/back"})
    receiver.statuses = [500]
    _, order_id = pay(gw, caller, REVIEWED, notify_url=receiver.url)
    refund = caller.ok(wire.PATH_REFUND, {"ori_order_id": order_id, "refund_trans_id": "rf-s", "refund_amount": 100,
                                          "currency": "HKD"})
    coming = wait_for(lambda: data(http.get("/_stub/dashboard/schedule",
                                             params={"merchant_id": paykka_merchant.merchant_id})),
                      lambda items: any(i["kind"] == "webhook_attempt" for i in items))
    kinds = {(i["kind"], i["id"]) for i in coming}
    assert ("session_expires", open_session["session_id"]) in kinds
    assert ("refund_settles", refund["refund_order_id"]) in kinds
    assert [i["at_ms"] for i in coming] == sorted(i["at_ms"] for i in coming)
    settles = next(i for i in coming if i["kind"] == "refund_settles")
    assert "leaves REVIEWING" in settles["what"] and order_id in settles["related"]

    paykka_stub.advance_clock(2 * 3600)  # the session expires, the review ends
    later = data(http.get("/_stub/dashboard/schedule", params={"merchant_id": paykka_merchant.merchant_id}))
    assert not {("session_expires", open_session["session_id"]), ("refund_settles", refund["refund_order_id"])} & {
        (i["kind"], i["id"]) for i in later}
    assert listing(http, "refunds", paykka_merchant)[0]["status"] == "SUCCESS"
    assert listing(http, "sessions", paykka_merchant, related=open_session["session_id"])[0]["status"] == "EXPIRED"


# --- faults and the snapshot ----------------------------------------------------------------------------


def test_faults_added_listed_and_cleared_show_in_the_snapshot(http: httpx.Client,
                                                             paykka_merchant: MerchantAccount) -> None:
    data(http.post("/_stub/faults", json={"path": wire.PATH_CREATE_SESSION, "kind": "status", "status": 502,
                                          "count": 2}))
    data(http.post("/_stub/faults", json={"path": "webhook", "kind": "fail"}))
    snapshot = data(http.get("/_stub/dashboard"))
    assert [(f["path"], f["kind"], f["count"]) for f in snapshot["faults"]] == [
        (wire.PATH_CREATE_SESSION, "status", 2), ("webhook", "fail", None)]
    assert data(http.delete("/_stub/faults")) == []
    assert data(http.get("/_stub/dashboard"))["faults"] == []


def test_an_unchanged_snapshot_answers_304(paykka_merchant: MerchantAccount, caller: SignedCaller,
                                           http: httpx.Client) -> None:
    params = {"merchant_id": paykka_merchant.merchant_id}
    first = http.get("/_stub/dashboard", params=params)
    snapshot = data(first)
    assert snapshot["merchant_id"] == paykka_merchant.merchant_id
    assert set(snapshot) >= {"merchants", "clock", "schedule", "faults", "sessions", "transactions", "refunds",
                             "disputes", "tokens", "agreements", "webhooks", "requests", "totals",
                             "platform_key_fingerprint"}
    tag = first.headers["etag"]
    again = http.get("/_stub/dashboard", params=params, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    assert int(again.headers["x-paykka-stub-now-ms"]) >= int(first.headers["x-paykka-stub-now-ms"])
    caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 500, "currency": "HKD",
                                         "return_url": "https://shop.example/back"})
    changed = http.get("/_stub/dashboard", params=params, headers={"if-none-match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert len(data(changed)["sessions"]) == 1


# --- the request log and refused signatures ---------------------------------------------------------------


def _send(caller: SignedCaller, *, sent_path: str, sent_body: bytes, signed_path: str | None = None,
          signed_body: bytes | None = None, key: Any = None, **headers: str) -> httpx.Response:
    signed = signing.signed_headers(key or caller.key, caller.merchant.app_id, signed_path or sent_path,
                                    sent_body if signed_body is None else signed_body)
    return caller.http.post(sent_path, content=sent_body, headers={**signed, **headers,
                                                                   "content-type": "application/json"})


def _refused(http: httpx.Client, merchant: MerchantAccount) -> dict[str, Any]:
    entries = listing(http, "requests", merchant, verdict="refused")
    assert entries and entries[0]["signature"] is not None, entries
    comparison: dict[str, Any] = entries[0]["signature"]["comparison"]
    return comparison


def test_a_body_written_another_way_after_signing_shows_the_body_line(caller: SignedCaller, http: httpx.Client,
                                                                      paykka_merchant: MerchantAccount) -> None:
    payload = {"merchant_id": paykka_merchant.merchant_id, "trans_id": "ORD-9", "amount": 100}
    compact = json.dumps(payload, separators=(",", ":")).encode()
    spaced = json.dumps(payload).encode()  # what a library that re-encodes the body sends
    assert _send(caller, sent_path=wire.PATH_QUERY, sent_body=spaced, signed_body=compact).status_code == 401
    comparison = _refused(http, paykka_merchant)
    assert comparison["key"] == "registered" and comparison["matches"] is False
    assert comparison["differs"] == ["body"] and comparison["suspect"] is None
    assert comparison["verified"]["body"] == spaced.decode() and comparison["signed"]["body"] == compact.decode()
    assert comparison["signed"]["path"] == comparison["verified"]["path"] == wire.PATH_QUERY
    assert "another way" in comparison["mistake"]
    assert comparison["registered_key"] == signing.fingerprint(caller.key)


def test_a_field_set_after_signing_is_found(caller: SignedCaller, http: httpx.Client,
                                            paykka_merchant: MerchantAccount) -> None:
    signed = {"merchant_id": paykka_merchant.merchant_id, "trans_id": "ORD-9"}
    sent = json.dumps({**signed, "order_id": "GW1"}, separators=(",", ":")).encode()
    _send(caller, sent_path=wire.PATH_QUERY, sent_body=sent, signed_body=json.dumps(signed, separators=(",", ":")).encode())
    comparison = _refused(http, paykka_merchant)
    assert comparison["differs"] == ["body"] and comparison["mistake"] == 'the body without "order_id" (the field was set after signing)'


def test_a_body_changed_after_signing_is_the_suspect(caller: SignedCaller, http: httpx.Client,
                                                     paykka_merchant: MerchantAccount) -> None:
    signed = json.dumps({"merchant_id": paykka_merchant.merchant_id, "trans_id": "ORD-9", "amount": 100}).encode()
    sent = signed.replace(b"100", b"999")  # a value changed after signing: no usual mistake explains it
    _send(caller, sent_path=wire.PATH_QUERY, sent_body=sent, signed_body=signed)
    comparison = _refused(http, paykka_merchant)
    assert comparison["key"] == "registered" and comparison["signed"] is None
    assert comparison["differs"] == [] and comparison["suspect"] == "body"
    assert "body most likely changed after it was signed" in comparison["explanation"]
    assert comparison["verified"]["body"] == sent.decode()


def test_a_wrong_path_shows_the_path_line(caller: SignedCaller, http: httpx.Client,
                                          paykka_merchant: MerchantAccount) -> None:
    body = json.dumps({"merchant_id": paykka_merchant.merchant_id, "trans_id": "ORD-9"}).encode()
    _send(caller, sent_path=wire.PATH_QUERY, sent_body=body, signed_path=wire.PATH_QUERY_SESSION)
    comparison = _refused(http, paykka_merchant)
    assert comparison["differs"] == ["path"]
    assert (comparison["verified"]["path"], comparison["signed"]["path"]) == (wire.PATH_QUERY, wire.PATH_QUERY_SESSION)
    assert comparison["mistake"] == "the path of another operation (Query Session)"
    # The path with the query string, or the whole URL, are named too.
    _send(caller, sent_path=wire.PATH_QUERY + "?debug=1", sent_body=body, signed_path=wire.PATH_QUERY + "?debug=1")
    comparison = _refused(http, paykka_merchant)
    assert comparison["differs"] == ["path"] and comparison["signed"]["path"] == wire.PATH_QUERY + "?debug=1"


def test_another_key_and_a_right_signature_out_of_its_window(paykka_stub: StubHandle, caller: SignedCaller,
                                                             http: httpx.Client,
                                                             paykka_merchant: MerchantAccount) -> None:
    body = json.dumps({"merchant_id": paykka_merchant.merchant_id, "trans_id": "ORD-9"}).encode()
    _send(caller, sent_path=wire.PATH_QUERY, sent_body=body, key=signing.generate_private_key())
    comparison = _refused(http, paykka_merchant)
    assert comparison["key"] == "other" and comparison["signed"] is None and comparison["differs"] == []
    assert signing.fingerprint(caller.key) in comparison["explanation"]

    paykka_stub.skew_signature_clock(3600)
    _send(caller, sent_path=wire.PATH_QUERY, sent_body=body)
    entry = listing(http, "requests", paykka_merchant, verdict="refused")[0]
    assert entry["ret_code"] == "206004"
    assert entry["signature"]["comparison"]["matches"] is True and entry["signature"]["comparison"]["differs"] == []


def test_request_log_filters_by_verdict_and_merchant(paykka_stub: StubHandle, caller: SignedCaller,
                                                     http: httpx.Client, paykka_merchant: MerchantAccount) -> None:
    caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id(), "amount": 500, "currency": "HKD", "colour": "blue",
                                         "return_url": "https://shop.example/back"})
    caller.call(wire.PATH_QUERY, {"trans_id": "never-made"})
    stranger = caller.http.post(wire.PATH_QUERY, content=b"{}", headers={
        **signing.signed_headers(caller.key, "nobody-app", wire.PATH_QUERY, b"{}"), "content-type": "application/json"})
    assert stranger.json()["ret_code"] == "206005"
    other = SignedCaller(paykka_stub.register_merchant(name="Another shop"))
    other.call(wire.PATH_QUERY, {"trans_id": "theirs"})

    everything = listing(http, "requests", paykka_merchant)
    assert [e["app_id"] for e in everything] == ["nobody-app", paykka_merchant.app_id, paykka_merchant.app_id]
    assert [e["ret_code"] for e in listing(http, "requests", paykka_merchant, verdict="accepted")] == ["000000"]
    ignored = listing(http, "requests", paykka_merchant, verdict="ignored")
    assert [e["ignored_fields"] for e in ignored] == [["colour"]]
    assert [e["ret_code"] for e in listing(http, "requests", paykka_merchant, verdict="refused")] == ["206005", "206024"]
    assert len(data(http.get("/_stub/dashboard/requests", params={"all": "1"}))) == 4
