"""The demo shop's money paths over HTTP: a membership month is charged once however often the
back office button is pressed, and the back office says when PayKKa reported another amount or a
second payment for an order."""

from __future__ import annotations

import json
import re
import time
import threading
from typing import Any

import httpx
import pytest

from paykka_embed import signing
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle
from demo.shop import DEMO_SHOPPER

CARD = {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"}


def signed_in(shop_url: str) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=shop_url, timeout=30, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/account").text).group(1)  # type: ignore[union-attr]
    assert http.post("/account/sign-in", data={"csrf_token": token}).status_code == 303
    return http, token


def membership_paid(http: httpx.Client, token: str, stub: StubHandle, merchant: MerchantAccount) -> str:
    """Join the membership and pay its first month the way the browser would; returns the order ref."""
    joined = http.post("/subscribe/tea-club", data={"csrf_token": token})
    assert joined.status_code == 303, joined.text
    ref = joined.headers["location"].rsplit("/", 1)[-1]
    page = http.get(joined.headers["location"]).text
    session_id = re.search(r'"sessionId": "([^"]+)"', page).group(1)  # type: ignore[union-attr]
    stub.context.gateway.pay_with_card(session_id, merchant.client_key, CARD)
    stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")
    return ref


def test_charge_next_month_pressed_twice_at_once_charges_once(demo_shop: BackgroundServer, paykka_stub: StubHandle,
                                                               paykka_merchant: MerchantAccount) -> None:
    http, token = signed_in(demo_shop.url)
    ref = membership_paid(http, token, paykka_stub, paykka_merchant)
    admin_page = http.get(f"/admin/orders/{ref}").text
    assert 'id="agreement-id"' in admin_page
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def press() -> None:
        barrier.wait()
        answers.append(http.post(f"/admin/orders/{ref}/charge-next",
                                 data={"csrf_token": token, "month": "2"}).status_code)

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert answers == [303, 303]
    gw = paykka_stub.context.gateway
    with gw.lock:
        month2 = [tx.trans_id for tx in gw.transactions.values() if tx.trans_id.startswith(f"{ref}-M02")]
    assert month2 == [f"{ref}-M02-1"]
    # The same form sent again later (a reload of its POST) is still month 2: nothing more is charged.
    http.post(f"/admin/orders/{ref}/charge-next", data={"csrf_token": token, "month": "2"})
    with gw.lock:
        assert sorted(tx.trans_id for tx in gw.transactions.values() if tx.mit) == [f"{ref}-M02-1"]
    assert "Charge month 3" in http.get(f"/admin/orders/{ref}").text  # the page names the next month
    http.post(f"/admin/orders/{ref}/charge-next", data={"csrf_token": token, "month": "3"})
    with gw.lock:
        charged = sorted(tx.trans_id for tx in gw.transactions.values() if tx.mit)
    assert charged == [f"{ref}-M02-1", f"{ref}-M03-1"]


def test_the_back_office_shows_an_amount_mismatch(demo_shop: BackgroundServer, paykka_stub: StubHandle,
                                                  paykka_merchant: MerchantAccount) -> None:
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/").text).group(1)  # type: ignore[union-attr]
    http.post("/cart/add/jade-cup", data={"csrf_token": token})
    checkout = http.post("/checkout", data={"csrf_token": token})
    ref = checkout.headers["location"].rsplit("/", 1)[-1]
    http.get(checkout.headers["location"])  # the checkout page creates attempt 1
    body = json.dumps({"notify_type": "PAYMENT.SUCCESS", "merchant_id": paykka_merchant.merchant_id,
                       "trans_id": f"{ref}-1", "order_id": "GW-odd", "status": "SUCCESS", "amount": 1,
                       "currency": "HKD"}).encode()
    path = "/paykka/webhook"
    headers: dict[str, Any] = {**signing.signed_headers(paykka_stub.context.platform_key, paykka_merchant.app_id,
                                                        path, body), "content-type": "application/json"}
    assert http.post(path, content=body, headers=headers).status_code == 200
    page = http.get(f"/admin/orders/{ref}").text
    assert "Amount mismatch: PayKKa reported HK$0.01" in page and "not counted as paid" in page
    assert json.loads(http.get(f"/orders/{ref}/status.json").text)["status"] != "SUCCESS"


def test_a_second_membership_is_refused_and_each_charges_its_own_agreement(
        demo_shop: BackgroundServer, paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    """Fault: a shopper could join twice, and after removing one membership's card, "Charge next month" on it
    charged the other membership's card."""
    http, token = signed_in(demo_shop.url)
    ref = membership_paid(http, token, paykka_stub, paykka_merchant)
    again = http.post("/subscribe/tea-club", data={"csrf_token": token})
    assert again.status_code == 303 and again.headers["location"] == "/account"
    assert "already a Tea Club member" in http.get("/account").text
    agreement = re.search(r'id="agreement-id">(RA\w+)<', http.get(f"/admin/orders/{ref}").text).group(1)  # type: ignore[union-attr]
    assert http.post(f"/account/memberships/{ref}/cancel", data={"csrf_token": token}).status_code == 303
    page = http.get(f"/admin/orders/{ref}").text
    assert agreement in page and "cancelled, no further charges" in page and "Charge month" not in page
    refused = http.post(f"/admin/orders/{ref}/charge-next", data={"csrf_token": token, "month": "2"})
    assert refused.status_code == 303
    with paykka_stub.context.gateway.lock:
        assert [tx for tx in paykka_stub.context.gateway.transactions.values() if tx.mit] == []


def test_joining_again_with_the_same_card_after_cancelling_makes_a_member(
        demo_shop: BackgroundServer, paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    """Fault: cancel, join again with the same card: charged, but the shop saw no membership (the card's
    token came back with a new agreement and was dropped), so the shopper could pay again and again."""
    http, token = signed_in(demo_shop.url)
    first = membership_paid(http, token, paykka_stub, paykka_merchant)
    assert http.post(f"/account/memberships/{first}/cancel", data={"csrf_token": token}).status_code == 303
    second = membership_paid(http, token, paykka_stub, paykka_merchant)
    assert second != first
    account = http.get("/account").text
    assert "You are not a member" not in account and f"/account/memberships/{second}/cancel" in account
    assert f"/account/memberships/{first}/cancel" not in account
    admin = http.get(f"/admin/orders/{second}").text
    assert 'id="agreement-id"' in admin and "Charge month 2" in admin
    again = http.post("/subscribe/tea-club", data={"csrf_token": token})
    assert again.headers["location"] == "/account"  # a member now: no third payment


def test_two_tabs_joining_at_once_pay_one_membership(
        demo_shop: BackgroundServer, paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    """Fault: Join in two tabs, pay both: two memberships, both charged. Now both tabs pay one order;
    the second payment is returned and the agreement it set up cancelled."""
    http, token = signed_in(demo_shop.url)
    tab_a = http.post("/subscribe/tea-club", data={"csrf_token": token}).headers["location"]
    tab_b = http.post("/subscribe/tea-club", data={"csrf_token": token}).headers["location"]
    assert tab_a == tab_b  # one membership order waiting for its first payment
    ref = tab_a.rsplit("/", 1)[-1]
    sessions = [re.search(r'"sessionId": "([^"]+)"', http.get(tab).text).group(1)  # type: ignore[union-attr]
                for tab in (tab_a, tab_b)]
    for session_id in sessions:
        paykka_stub.context.gateway.pay_with_card(session_id, paykka_merchant.client_key, CARD)
    paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-2")
    gw = paykka_stub.context.gateway
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with gw.lock:
            refunds = [r for r in gw.refunds.values() if r.refund_trans_id.endswith("-DUP")
                       and r.refund_trans_id.startswith(ref)]
            live = [a for a in gw.agreements.values() if a.active and a.shopper_reference == DEMO_SHOPPER]
        if refunds and len(live) == 1:
            break
        time.sleep(0.1)
    assert len(refunds) == 1 and len(live) == 1, (refunds, live)
    account = http.get("/account").text
    assert account.count("/account/memberships/") == 1 and f"/account/memberships/{ref}/cancel" in account


def paid_order(http: httpx.Client, stub: StubHandle, merchant: MerchantAccount, card: str = CARD["number"],
               product: str = "jade-cup") -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/").text).group(1)  # type: ignore[union-attr]
    http.post(f"/cart/add/{product}", data={"csrf_token": token})
    checkout = http.post("/checkout", data={"csrf_token": token})
    ref = checkout.headers["location"].rsplit("/", 1)[-1]
    page = http.get(checkout.headers["location"]).text
    session_id = re.search(r'"sessionId": "([^"]+)"', page).group(1)  # type: ignore[union-attr]
    stub.context.gateway.pay_with_card(session_id, merchant.client_key, {**CARD, "number": card})
    stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")
    return ref


def test_a_payment_in_flight_says_within_how_many_minutes_it_ends(
        demo_shop: BackgroundServer, paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    """Fault: a 3DS challenge left open in one tab; the checkout in another said only "still being
    processed", though the toolkit knows when the open payment ends by itself."""
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/").text).group(1)  # type: ignore[union-attr]
    http.post("/cart/add/jade-cup", data={"csrf_token": token})
    checkout = http.post("/checkout", data={"csrf_token": token}).headers["location"]
    session_id = re.search(r'"sessionId": "([^"]+)"', http.get(checkout).text).group(1)  # type: ignore[union-attr]
    paykka_stub.context.gateway.pay_with_card(session_id, paykka_merchant.client_key,
                                              {**CARD, "number": "4000000000003220"})  # waits in its challenge
    again = http.get(checkout)
    assert again.status_code == 303 and "/orders/" in again.headers["location"]
    page = http.get(again.headers["location"]).text
    minutes = re.search(r"ends by itself within (\d+) minutes and you can pay again", page)
    assert minutes is not None, page
    assert 1 <= int(minutes.group(1)) <= 30


def refund_form(http: httpx.Client, ref: str) -> dict[str, str]:
    page = http.get(f"/admin/orders/{ref}").text
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),  # type: ignore[union-attr]
            "refund_trans_id": re.search(r'name="refund_trans_id" value="([^"]+)"', page).group(1)}  # type: ignore[union-attr]


def refunds_at(stub: StubHandle, ref: str) -> list[tuple[str, int]]:
    with stub.context.gateway.lock:
        return sorted((r.refund_trans_id, r.amount) for r in stub.context.gateway.refunds.values()
                      if r.refund_trans_id.startswith(ref))


def test_a_zero_or_odd_amount_is_refused_not_taken_for_the_whole(demo_shop: BackgroundServer, paykka_stub: StubHandle,
                                                                  paykka_merchant: MerchantAccount) -> None:
    """Fault: a refund of "0" refunded the whole payment (and a capture of "0" captured it all)."""
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)
    for typed in ("0", "0.00", "1e2", "-5", "8.8.8", "8.001"):
        http.post(f"/admin/orders/{ref}/refund", data={**refund_form(http, ref), "amount": typed})
        page = http.get(f"/admin/orders/{ref}").text
        assert "Refused: amount" in page, typed
    assert refunds_at(paykka_stub, ref) == []
    assert 'id="bal-refunded">HK$0.00' in http.get(f"/admin/orders/{ref}").text


def test_the_same_refund_form_sent_twice_refunds_once(demo_shop: BackgroundServer, paykka_stub: StubHandle,
                                                      paykka_merchant: MerchantAccount) -> None:
    """Fault: two identical POSTs of the refund form made two refunds."""
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)
    form = {**refund_form(http, ref), "amount": "1"}
    for _ in range(2):
        assert http.post(f"/admin/orders/{ref}/refund", data=form).status_code == 303
    assert refunds_at(paykka_stub, ref) == [(form["refund_trans_id"], 100)]
    # A refund PayKKa refused leaves nothing behind to be asked about later.
    http.post(f"/admin/orders/{ref}/refund", data={**refund_form(http, ref), "amount": "999"})
    assert "Could not query refund" not in http.get(f"/admin/orders/{ref}").text


def test_refunding_a_disputed_payment_needs_a_second_thought(demo_shop: BackgroundServer, paykka_stub: StubHandle,
                                                             paykka_merchant: MerchantAccount) -> None:
    """Fault: the back office refunded money under dispute without a word, so the shopper could get it twice."""
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)
    order_id = paykka_stub.context.gateway.sessions_by_trans and next(
        tx.order_id for tx in paykka_stub.context.gateway.transactions.values() if tx.trans_id == f"{ref}-1")
    paykka_stub.open_dispute(order_id)
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "DISPUTE")
    page = http.get(f"/admin/orders/{ref}").text
    assert "This payment is disputed" in page and "Refund anyway" in page
    http.post(f"/admin/orders/{ref}/refund", data=refund_form(http, ref))
    assert "Tick the box to refund anyway" in http.get(f"/admin/orders/{ref}").text
    assert refunds_at(paykka_stub, ref) == []
    http.post(f"/admin/orders/{ref}/refund", data={**refund_form(http, ref), "disputed_ok": "yes"})
    assert len(refunds_at(paykka_stub, ref)) == 1


def test_a_gateway_failure_at_checkout_is_a_page_not_a_500(demo_shop: BackgroundServer, paykka_stub: StubHandle) -> None:
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/").text).group(1)  # type: ignore[union-attr]
    http.post("/cart/add/jade-cup", data={"csrf_token": token})
    checkout = http.post("/checkout", data={"csrf_token": token})
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/session", "kind": "status",
                                                        "status": 503, "count": 10})
    page = http.get(checkout.headers["location"])
    assert page.status_code == 503 and "We could not reach the payment service" in page.text
    # The cart became that order, which waits for payment: the cart page says so (not "empty").
    cart = http.get("/cart").text
    assert "is waiting for payment" in cart and "Continue to payment" in cart


def test_a_refund_paykka_never_answered_is_sent_again_under_its_own_id(
        demo_shop: BackgroundServer, paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    """Fault: a refund hitting PayKKa's 500s was flashed "Refused: … HTTP 500" (an unknown outcome, not a
    refusal). PayKKa has no record of it afterwards, but a slow request may still arrive: the form then
    sends the same refund again under its own id, which PayKKa makes at most once."""
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)
    form = refund_form(http, ref)
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/refund", "kind": "status",
                                                        "status": 500, "count": 10})
    try:
        http.post(f"/admin/orders/{ref}/refund", data={**form, "amount": "2.00"})
    finally:
        httpx.delete(paykka_stub.url + "/_stub/faults")
    page = http.get(f"/admin/orders/{ref}").text
    assert "the outcome is not known yet" in page and "Refused" not in page and "299005" not in page
    assert f"Refund {form['refund_trans_id']} of HK$2.00: PayKKa has no record of it yet" in page
    again = refund_form(http, ref)
    assert again["refund_trans_id"] == form["refund_trans_id"]  # the form sends that refund again
    for _ in range(2):  # sent twice (a double click): one refund
        http.post(f"/admin/orders/{ref}/refund", data={**again, "amount": "2.00"})
    with paykka_stub.context.gateway.lock:
        made = [(r.refund_trans_id, r.amount) for r in paykka_stub.context.gateway.refunds.values()]
    assert made == [(form["refund_trans_id"], 200)]
    assert "has no record" not in http.get(f"/admin/orders/{ref}").text
    assert refund_form(http, ref)["refund_trans_id"] != form["refund_trans_id"]  # settled: a new form is a new refund


def test_a_refund_still_on_its_way_is_offered_again_in_another_tab_not_made_twice(
        demo_shop: BackgroundServer, paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    """Fault: with tab A's refund slow to arrive, tab B showed a fresh refund form, and both refunds were made
    (HK$20 refunded for one HK$10 refund). The refund is now recorded before it is sent: B is offered A's
    refund again, under its id and amount; another amount under that id is refused."""
    import threading

    http = httpx.Client(base_url=demo_shop.url, timeout=60, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)
    form = refund_form(http, ref)
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/refund", "kind": "delay",
                                                        "seconds": 3, "count": 1})
    tab_a = threading.Thread(target=lambda: httpx.post(f"{demo_shop.url}/admin/orders/{ref}/refund", timeout=60,
                                                       data={**form, "amount": "1.00"},
                                                       cookies=dict(http.cookies)))
    tab_a.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # until A's refund is recorded (it is, before it is sent)
            page = http.get(f"/admin/orders/{ref}").text
            if "has no record of it yet" in page:
                break
            time.sleep(0.05)
        tab_b = refund_form(http, ref)
        assert tab_b["refund_trans_id"] == form["refund_trans_id"], page
        assert 'id="refund-amount" name="amount" inputmode="decimal" value="1.00"' in page
        other = http.post(f"/admin/orders/{ref}/refund", data={**tab_b, "amount": "2.00"})
        assert other.status_code == 303
        refused = http.get(f"/admin/orders/{ref}").text
        assert "was sent for HK$1.00 and PayKKa has not answered it; send it again with that amount" in refused
        http.post(f"/admin/orders/{ref}/refund", data={**tab_b, "amount": "1.00"})
    finally:
        tab_a.join(timeout=60)
        httpx.delete(paykka_stub.url + "/_stub/faults")
    with paykka_stub.context.gateway.lock:
        made = [(r.refund_trans_id, r.amount, r.status) for r in paykka_stub.context.gateway.refunds.values()]
    assert made == [(form["refund_trans_id"], 100, "SUCCESS")]


def test_a_tab_opened_before_a_slow_refund_cannot_add_a_second_one(
        demo_shop: BackgroundServer, paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    """Fault: tab B, opened before tab A sent its refund, carried a fresh refund id; while A's refund was
    still on its way, B's refund was made too. A new refund now waits until every refund of the order sent
    before has an answer. And while PayKKa cannot be asked about A's refund, the page offers A's again."""
    import threading

    http = httpx.Client(base_url=demo_shop.url, timeout=60, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)
    tab_a, tab_b = refund_form(http, ref), refund_form(http, ref)
    assert tab_a["refund_trans_id"] != tab_b["refund_trans_id"]
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/refund", "kind": "delay",
                                                        "seconds": 4, "count": 1})
    sending = threading.Thread(target=lambda: httpx.post(f"{demo_shop.url}/admin/orders/{ref}/refund", timeout=60,
                                                         data={**tab_a, "amount": "1.00"}, cookies=dict(http.cookies)))
    sending.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "has no record of it yet" not in http.get(f"/admin/orders/{ref}").text:
            time.sleep(0.05)
        http.post(f"/admin/orders/{ref}/refund", data={**tab_b, "amount": "1.00"})
        said = http.get(f"/admin/orders/{ref}").text
        assert f"refund {tab_a['refund_trans_id']} of HK$1.00 has had no answer from PayKKa yet" in said
        # PayKKa cannot be asked just now: the page still offers A's refund, not a fresh one.
        httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/refund/query", "kind": "status",
                                                            "status": 503, "count": 3})
        page = http.get(f"/admin/orders/{ref}").text
        assert "PayKKa could not be asked about it just now" in page
        assert re.search(r'name="refund_trans_id" value="([^"]+)"', page).group(1) == tab_a["refund_trans_id"]  # type: ignore[union-attr]
    finally:
        sending.join(timeout=60)
        httpx.delete(paykka_stub.url + "/_stub/faults")
    with paykka_stub.context.gateway.lock:
        made = [(r.refund_trans_id, r.amount) for r in paykka_stub.context.gateway.refunds.values()]
    assert made == [(tab_a["refund_trans_id"], 100)]
    settled = http.get(f"/admin/orders/{ref}").text
    assert "no record of it yet" not in settled and refund_form(http, ref)["refund_trans_id"] not in (
        tab_a["refund_trans_id"], tab_b["refund_trans_id"])


def test_a_refund_whose_answer_cannot_be_verified_is_unknown_and_sent_again_whatever_the_balance(
        demo_shop: BackgroundServer, paykka_stub: StubHandle, paykka_merchant: MerchantAccount,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Faults: an answer that failed verification was taken as a refusal (the refund was made, and a second
    one after it); and sending an unanswered refund again was refused as "more than is left", since PayKKa's
    balance already counted it. Now both are an unknown outcome, and the same refund goes again as it was."""
    from paykka_embed import signing
    from paykka_embed.errors import SignatureError

    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)  # HK$8.00
    form = refund_form(http, ref)
    verify = signing.verify_headers

    def forged_refund_answer(key: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        if path == "/v3/payment/acq/refund":
            raise SignatureError("x-paykka-sign does not verify")
        return verify(key, path, *args, **kwargs)

    monkeypatch.setattr("paykka_embed.client.signing.verify_headers", forged_refund_answer)
    http.post(f"/admin/orders/{ref}/refund", data={**form, "amount": "6.00"})  # made at PayKKa; answer unverifiable
    monkeypatch.setattr("paykka_embed.client.signing.verify_headers", verify)
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/refund/query", "kind": "status",
                                                        "status": 503, "count": 50})
    try:
        page = http.get(f"/admin/orders/{ref}").text
        assert "the outcome is not known yet" in page and "could not be verified" in page and "Refused" not in page
        assert "PayKKa could not be asked about it just now" in page
        again = refund_form(http, ref)
        assert again["refund_trans_id"] == form["refund_trans_id"] and 'value="6.00"' in page
        http.post(f"/admin/orders/{ref}/refund", data={**again, "amount": "6.00"})  # only HK$2.00 is left now
        assert "more than the" not in http.get(f"/admin/orders/{ref}").text
    finally:
        httpx.delete(paykka_stub.url + "/_stub/faults")
    with paykka_stub.context.gateway.lock:
        made = [(r.refund_trans_id, r.amount) for r in paykka_stub.context.gateway.refunds.values()]
    assert made == [(form["refund_trans_id"], 600)]
    settled = http.get(f"/admin/orders/{ref}").text
    assert "no record of it yet" not in settled and "could not be asked" not in settled


def test_two_refunds_posted_at_the_same_instant_make_one(demo_shop: BackgroundServer, paykka_stub: StubHandle,
                                                         paykka_merchant: MerchantAccount) -> None:
    """Fault: two tabs posting their own refund at the same instant both got past the in-flight check."""
    from concurrent.futures import ThreadPoolExecutor

    http = httpx.Client(base_url=demo_shop.url, timeout=60, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)
    forms = [refund_form(http, ref) for _ in range(4)]
    # The first refund takes 5 s to reach PayKKa: every other one is posted while it is in flight.
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/refund", "kind": "delay",
                                                        "seconds": 5, "count": 4})
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda f: httpx.post(f"{demo_shop.url}/admin/orders/{ref}/refund", timeout=60,
                                               data={**f, "amount": "1.00"}, cookies=dict(http.cookies)), forms))
    finally:
        httpx.delete(paykka_stub.url + "/_stub/faults")
    with paykka_stub.context.gateway.lock:
        assert len(paykka_stub.context.gateway.refunds) == 1


def test_a_used_refund_form_cannot_send_its_refund_again(demo_shop: BackgroundServer, paykka_stub: StubHandle,
                                                          paykka_merchant: MerchantAccount) -> None:
    """Fault: a form whose refund PayKKa had refused, sent again from another tab while PayKKa was slow, went
    unguarded (recorded as refused), and a new refund beside it made two. A used form's id is refused."""
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant)
    form = refund_form(http, ref)
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/refund", "kind": "status",
                                                        "status": 400, "count": 1})
    try:
        http.post(f"/admin/orders/{ref}/refund", data={**form, "amount": "1.00"})
        assert "Refused" in http.get(f"/admin/orders/{ref}").text
    finally:
        httpx.delete(paykka_stub.url + "/_stub/faults")
    http.post(f"/admin/orders/{ref}/refund", data={**form, "amount": "1.00"})  # the old form again (Back)
    said = http.get(f"/admin/orders/{ref}").text
    assert f"refund {form['refund_trans_id']} was already refused by PayKKa; reload the page" in said
    fresh = refund_form(http, ref)
    http.post(f"/admin/orders/{ref}/refund", data={**fresh, "amount": "1.00"})
    http.post(f"/admin/orders/{ref}/refund", data={**fresh, "amount": "1.00"})  # made: sent again, refused
    assert "was already made; reload the page" in http.get(f"/admin/orders/{ref}").text
    with paykka_stub.context.gateway.lock:
        assert [(r.refund_trans_id, r.amount) for r in paykka_stub.context.gateway.refunds.values()] == [
            (fresh["refund_trans_id"], 100)]


def test_refunds_recorded_before_an_upgrade_are_asked_about_once(tmp_path: Any) -> None:
    """A data folder from before refund states: its refunds are asked about (state "sent"), never assumed
    answered, so one still in flight at the upgrade keeps other refunds waiting."""
    import sqlite3

    from demo.orders import REFUND_SENT, Orders

    path = tmp_path / "shop.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE refunds (refund_trans_id TEXT PRIMARY KEY, ref TEXT NOT NULL, created_at TEXT NOT NULL)")
        db.execute("INSERT INTO refunds VALUES ('ORDX-RAAAAAA', 'ORDX', '2026-11-01T00:00:00+00:00')")
    assert Orders(str(path)).refunds("ORDX") == [("ORDX-RAAAAAA", None, REFUND_SENT)]


@pytest.mark.parametrize("product,typed,said", [
    ("jade-cup", "1,000", "HK$1,000.00 is more than"),            # a thousands separator, as the page writes them
    ("jade-cup", "1,5", "is not an amount in HKD"),                # never a decimal comma: ambiguous
    ("jade-cup", "12,34.5", "is not an amount in HKD"),
    ("jade-cup", "0,500", "is not an amount in HKD"),              # 0.50 in Europe; never HK$500
    ("jade-cup", "00,001", "is not an amount in HKD"),
    ("jade-cup", "1,000.005", "HKD has 2 decimals; type like 8.80"),
    ("jade-cup", "120.000", "HKD has 2 decimals"),                  # 120,000 in many languages: never HK$120
    ("matcha-whisk", "1.000", "JPY has no decimals; type whole JPY"),   # 1,000 in many languages: never ¥1
    ("phin-filter", "120.000", "VND has no decimals; type whole VND"),
    ("phin-filter", "1.0", "VND has no decimals"),
])
def test_refund_amounts_read_as_the_page_writes_them(demo_shop: BackgroundServer, paykka_stub: StubHandle,
                                                      paykka_merchant: MerchantAccount, product: str, typed: str,
                                                      said: str) -> None:
    """Faults: "1,000" refunded HK$1.00 (the comma read as a decimal point) on a page that shows "Can refund
    HK$1,200.00"; then "0,500" refunded HK$500 and VND "120.000" refunded ₫120."""
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False)
    ref = paid_order(http, paykka_stub, paykka_merchant, product=product)
    http.post(f"/admin/orders/{ref}/refund", data={**refund_form(http, ref), "amount": typed})
    assert said in http.get(f"/admin/orders/{ref}").text
    with paykka_stub.context.gateway.lock:
        assert list(paykka_stub.context.gateway.refunds.values()) == []
