"""The skeleton's server path over real HTTP, without a browser: the shop asks its own
`POST /paykka/sessions` for an attempt (CSRF-checked, amount from the server), the card is
paid at the emulator as the card frame would, the signed webhook reaches
`POST /paykka/webhook`, and `GET /paykka/return` confirms by Query Transaction."""

from __future__ import annotations

import httpx

from paykka_embed import signing
from paykka_embed.testing import StubHandle


def test_session_attempts_payment_webhook_and_return(paykka_stub: StubHandle, shop) -> None:
    client, ref, csrf = shop.http_checkout()
    # The checkout page made attempt 1; the browser asks for attempt 2 (a retry).
    resp = client.post("/paykka/sessions", json={"order": ref}, headers={"X-CSRFToken": csrf})
    assert resp.status_code == 200, resp.text
    options = resp.json()
    assert options["order"] == ref and options["mode"] == "dropin"
    session_id, client_key = options["sessionId"], options["clientKey"]

    init = httpx.post(paykka_stub.url + "/cp/api/init", json={"sessionId": session_id, "clientKey": client_key})
    assert init.json()["data"]["amount"] == 800 and init.json()["data"]["currency"] == "HKD"
    paid = httpx.post(paykka_stub.url + "/cp/api/pay", json={
        "sessionId": session_id, "clientKey": client_key,
        "card": {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"}})
    assert paid.json()["data"]["status"] == "SUCCESS"

    delivery = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-2")
    assert delivery["attempts"][-1]["status"] == 200

    back = client.get(f"/paykka/return?trans_id={ref}-2")
    assert back.status_code == 303 and back.headers["location"] == f"/orders/{ref}"
    status = client.get(f"/orders/{ref}/status.json").json()
    assert status["status"] == "SUCCESS"
    assert status["confirmed_by_query"] == "SUCCESS"
    assert status["confirmed_by_webhook"] == "SUCCESS"
    assert status["attempts"] == 2


def test_session_creation_needs_the_csrf_token(shop) -> None:
    client, ref, _ = shop.http_checkout()
    resp = client.post("/paykka/sessions", json={"order": ref})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "csrf"


def test_the_browser_cannot_choose_the_amount(shop) -> None:
    client, ref, csrf = shop.http_checkout()
    resp = client.post("/paykka/sessions", json={"order": ref, "amount": 1}, headers={"X-CSRFToken": csrf})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"].startswith("amount:")


def test_unknown_order_is_a_404(shop) -> None:
    client, _, csrf = shop.http_checkout()
    resp = client.post("/paykka/sessions", json={"order": "ORDNOSUCH"}, headers={"X-CSRFToken": csrf})
    assert resp.status_code == 404


def test_forged_webhook_is_refused_and_not_recorded(paykka_stub: StubHandle, shop) -> None:
    client, ref, _ = shop.http_checkout()
    body = (b'{"notify_type":"PAYMENT.SUCCESS","merchant_id":"1","trans_id":"' + f"{ref}-1".encode()
            + b'","order_id":"GW1","status":"SUCCESS","amount":800,"currency":"HKD"}')
    forger = signing.generate_private_key()  # not the platform key
    headers = signing.signed_headers(forger, "1", "/paykka/webhook", body)
    resp = httpx.post(shop.url + "/paykka/webhook", content=body,
                      headers={**headers, "content-type": "application/json"})
    assert resp.status_code == 401
    assert resp.json()["ret_msg"] == "Invalid signature"
    assert client.get(f"/orders/{ref}/status.json").json()["confirmed_by_webhook"] is None
