"""The demo shop's money paths over HTTP: a membership month is charged once however often the
back office button is pressed, and the back office says when PayKKa reported another amount or a
second payment for an order."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import httpx

from paykka_embed import signing
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle

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
        answers.append(http.post(f"/admin/orders/{ref}/charge-next", data={"csrf_token": token}).status_code)

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
    # A later press is the next month, charged once too.
    http.post(f"/admin/orders/{ref}/charge-next", data={"csrf_token": token})
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
