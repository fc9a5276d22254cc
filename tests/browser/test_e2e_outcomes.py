"""Payment outcomes through the demo shop's Drop-in, as a shopper and the shop both see them:
every decline of the emulator's card table (a clear failure on the page, the error code in the
PAYMENT.FAILURE webhook, a FAILURE attempt in the shop), 3DS frictionless and challenge passed,
a session expired by the emulator's clock, a recurring charge refused after the membership is
cancelled, and each webhook handled exactly once even when the gateway sends it twice."""

from __future__ import annotations

import re
import time
from typing import Any, Callable

import httpx
import pytest

from paykka_embed import PayKKa
from paykka_embed.errors import PayKKaError
from paykka_embed.testing import MerchantAccount, StubHandle
from paykka_embed.testing.browser import card_frame, complete_3ds, fill_card, pay, pay_with_card

pytestmark = pytest.mark.browser

CHALLENGE = "4000000000003220"

def wait_until(probe: Callable[[], Any], *, timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll ``probe`` until it returns something truthy (no fixed sleep)."""
    deadline = time.monotonic() + timeout
    pause = 0.02
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout} s (last: {value!r})")
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def order_status(shop_url: str, ref: str) -> dict[str, Any]:
    status: dict[str, Any] = httpx.get(f"{shop_url}/orders/{ref}/status.json", timeout=10).raise_for_status().json()
    return status


def wait_order_status(shop_url: str, ref: str, status: str) -> dict[str, Any]:
    """The shop's view of the order once the webhook confirmed ``status``."""
    return wait_until(lambda: (lambda s: s if s["confirmed_by_webhook"] == status else None)(order_status(shop_url, ref)),
                      what=f"order {ref} confirmed {status} by webhook")  # type: ignore[no-any-return]


def ready(page: Any) -> None:
    page.locator(".pk-pay-button:enabled").first.wait_for()


def wait_order_page(page: Any, ref: str, status: str) -> None:
    page.wait_for_url(re.compile(rf"/orders/{ref}$"))
    page.wait_for_function("s => document.getElementById('order-state').dataset.webhookStatus === s", arg=status,
                           timeout=15_000)


# --- every decline of the card table ---------------------------------------------------------

DECLINES = [
    pytest.param("4000000000000002", "123", "5001", "Your bank declined this card. Try another card or payment method.",
                 id="5001-do-not-honour"),
    pytest.param("4000000000009995", "123", "5002",
                 "This card doesn't have enough funds. Try another card or payment method.", id="5002-insufficient-funds"),
    pytest.param("4000000000000069", "123", "5003", "This card has expired. Try another card or payment method.",
                 id="5003-expired-card"),
    pytest.param("5555555555554444", "000", "5004", "The security code doesn't match this card. Check it and try again.",
                 id="5004-cvv-000"),
    pytest.param(CHALLENGE, "123", "5005",
                 "Your bank couldn't verify this payment. Try again, or use another card or payment method.",
                 id="5005-3ds-failed"),
]


@pytest.mark.parametrize("number, cvv, code, words", DECLINES)
def test_decline_shows_a_clear_failure_and_reaches_the_shop(paykka_page: Any, paykka_stub: StubHandle, shop: Any,
                                                            number: str, cvv: str, code: str, words: str) -> None:
    page = paykka_page
    ref = shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    pay_with_card(page, number, cvv=cvv)
    if code == "5005":
        complete_3ds(page, passed=False)

    # The shopper sees the failure once, in plain words saying what to do next, and stays on
    # the checkout with the form usable; the gateway's code is for the merchant, not shown.
    page.locator(".pk-component [role=alert]").filter(has_text=words).wait_for()
    alerts = [t for t in page.get_by_role("alert").all_inner_texts() if t.strip()]
    assert alerts == [words]
    assert code not in page.inner_text("body")
    page.locator(".pk-pay-button:enabled").wait_for()
    assert re.search(rf"/checkout/{ref}$", page.url)

    failure = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")
    assert failure["notify_type"] == "PAYMENT.FAILURE"
    assert failure["event"]["error_code"] == code
    status = wait_order_status(shop.url, ref, "FAILURE")
    assert status["status"] == "FAILURE" and status["attempts"] == 1


# --- 3DS that succeeds ------------------------------------------------------------------------

MODAL_WATCH = """
if (window.top === window) new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => {
  if (n.nodeType === 1 && n.matches("dialog.pk-modal")) window.__pkModalOpened();
}))).observe(document, { subtree: true, childList: true });
"""


@pytest.mark.parametrize("challenged", [False, True], ids=["frictionless", "challenge-passed"])
def test_3ds_frictionless_and_challenge_passed_succeed(paykka_page: Any, paykka_stub: StubHandle,
                                                       paykka_merchant: MerchantAccount, shop: Any,
                                                       challenged: bool) -> None:
    page = paykka_page
    modals: list[int] = []
    page.expose_binding("__pkModalOpened", lambda source: modals.append(1))
    page.add_init_script(MODAL_WATCH)
    ref = shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    pay_with_card(page, CHALLENGE if challenged else "4111111111111111")
    if challenged:
        complete_3ds(page, passed=True)
    wait_order_page(page, ref, "SUCCESS")
    assert page.get_attribute("#order-state", "data-query-status") == "SUCCESS"
    success = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")
    assert success["notify_type"] == "PAYMENT.SUCCESS"
    assert order_status(shop.url, ref)["status"] == "SUCCESS"
    # Frictionless means the checkout never opened a challenge dialog.
    assert len(modals) == (1 if challenged else 0)


# --- an expired session -----------------------------------------------------------------------

EXPIRY_WATCH = """
window.__expired = []; window.__said = [];
document.addEventListener("paykka:expired", e => window.__expired.push(e.detail.sessionId));
new MutationObserver(() => {
  document.querySelectorAll(".paykka-message").forEach(m => {
    if (!window.__said.includes(m.textContent)) window.__said.push(m.textContent);
  });
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def test_expired_session_by_the_clock_is_replaced_and_reads_expired(paykka_page: Any, paykka_stub: StubHandle,
                                                                     paykka_merchant: MerchantAccount,
                                                                     demo_shop: Any, shop: Any,
                                                                     request: pytest.FixtureRequest) -> None:
    request.node.paykka_allowed_console = ("410 (GONE)",)  # the card frame's pay call on the expired session
    page = paykka_page
    page.add_init_script(EXPIRY_WATCH)
    ref = shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    old_session = page.evaluate("JSON.parse(document.querySelector('[data-paykka-mount]')"
                                ".getAttribute('data-paykka-mount')).sessionId")
    # The shopper leaves the page open past the demo's 1800 s session lifetime. The emulator's
    # clock jumps ahead of the shop's wall clock, so the fresh attempt the page asks for is given
    # a lifetime that reaches past the emulator's new time.
    demo_shop.app.config["PAYKKA_SESSION_LIFETIME"] = 7200
    paykka_stub.advance_clock(1801)
    assert paykka_merchant.client().query_session(trans_id=f"{ref}-1").status == "EXPIRED"

    pay_with_card(page, "4111111111111111")
    page.wait_for_function("() => window.__expired.length === 1")
    assert page.evaluate("window.__expired") == [old_session]
    # A fresh checkout replaces the expired one, without a reload; the shopper was told why.
    page.wait_for_function("old => { const m = document.querySelector('[data-paykka-mount]');"
                           " return m && document.querySelector('.pk-pay-button:enabled') &&"
                           " window.__said.some(t => t.includes('expired')); }", arg=old_session)
    assert any("Your checkout session expired." in t for t in page.evaluate("window.__said"))
    assert re.search(rf"/checkout/{ref}$", page.url)
    assert card_frame(page).get_by_label("Card number").input_value() == ""
    assert [a.trans_id for a in PayKKa.state(demo_shop.app).store.attempts(ref)] == [f"{ref}-1", f"{ref}-2"]

    fill_card(page, "4111111111111111")
    pay(page)
    wait_order_page(page, ref, "SUCCESS")
    assert paykka_merchant.client().query_session(trans_id=f"{ref}-1").status == "EXPIRED"
    assert paykka_stub.wait_for_webhook()["event"]["trans_id"] == f"{ref}-2"


# --- a recurring charge after cancel -------------------------------------------------------------

def test_recurring_charge_after_the_membership_is_cancelled_is_refused(paykka_page: Any, paykka_stub: StubHandle,
                                                                      paykka_merchant: MerchantAccount,
                                                                      demo_shop: Any, shop: Any) -> None:
    page = paykka_page
    page.goto(shop.url + "/account")
    page.get_by_role("button", name="Sign in as demo shopper").click()
    page.get_by_text("Signed in as the demo shopper").first.wait_for()
    page.goto(shop.url + "/")
    page.get_by_role("button", name="Join Tea Club membership").click()
    ready(page)
    pay_with_card(page, "4111111111111111")
    page.wait_for_url(re.compile(r"/orders/ORD[0-9A-F]+$"))
    ref = page.url.rsplit("/", 1)[-1]
    first = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")["event"]
    token, agreement = first["token"], first["recurring_agreement_id"]
    shopper = PayKKa.state(demo_shop.app).store.attempt(f"{ref}-1").shopper_reference
    client = paykka_merchant.client()

    def charge(trans_id: str) -> Any:
        return client.initiate_transaction({
            "trans_id": trans_id, "payment_type": "RECURRING", "mit": True, "recurring_agreement_id": agreement,
            "amount": first["amount"], "currency": first["currency"],
            "payment": {"payment_method": "BANKCARD", "token": token, "shopper_reference": shopper},
        })

    # The very same charge goes through while the membership runs ...
    assert charge(f"{ref}-mit-before").status == "SUCCESS"

    page.goto(f"{shop.url}/admin/orders/{ref}")
    page.get_by_role("button", name="Cancel membership").click()
    page.get_by_text("Membership cancelled").wait_for()

    # ... and is refused, saying why, once it is cancelled.
    with pytest.raises(PayKKaError) as refused:
        charge(f"{ref}-mit-after")
    assert refused.value.ret_code == "299004", refused.value
    assert "agreement was canceled" in str(refused.value)
    # Nothing was charged: the gateway knows no such transaction.
    assert client.query_transaction(trans_id=f"{ref}-mit-before").status == "SUCCESS"
    with pytest.raises(PayKKaError) as unknown:
        client.query_transaction(trans_id=f"{ref}-mit-after")
    assert unknown.value.ret_code == "206024", unknown.value


# --- each webhook handled exactly once --------------------------------------------------------------

def test_each_webhook_is_stored_and_handled_exactly_once_even_when_sent_twice(paykka_page: Any,
                                                                              paykka_stub: StubHandle,
                                                                              demo_shop: Any, shop: Any) -> None:
    page = paykka_page
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "webhook", "kind": "duplicate", "count": 1},
               timeout=10).raise_for_status()
    ref = shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    pay_with_card(page, "4000000000000002")  # a failure first ...
    page.locator(".pk-component [role=alert]").filter(has_text="declined").wait_for()
    ready(page)
    pay_with_card(page, "4111111111111111")  # ... then a success with another card, in the same form
    wait_order_page(page, ref, "SUCCESS")

    store = PayKKa.state(demo_shop.app).store

    def settled() -> Any:
        deliveries = [d for d in paykka_stub.webhooks() if d["event"]["trans_id"].startswith(ref)]
        events = store.events(f"{ref}-1")
        done = (len(deliveries) == 3 and all(d["state"] == "delivered" for d in deliveries)
                and len(events) == 2 and all(e.handled_at for e in events))
        return (deliveries, events) if done else None

    deliveries, events = wait_until(settled, what="three deliveries, two handled events")
    notifications = {(d["notify_type"], d["event"]["trans_id"]) for d in deliveries}
    assert notifications == {("PAYMENT.FAILURE", f"{ref}-1"), ("PAYMENT.SUCCESS", f"{ref}-1")}
    assert sorted((e.notify_type, e.trans_id) for e in events) == sorted(notifications)
    assert len({e.dedupe_key for e in events}) == 2

    # The back office's webhook log shows each notification once.
    page.goto(shop.url + "/admin/webhooks")
    rows = page.locator("#webhook-log tbody tr").filter(has_text=ref)
    assert rows.count() == 2
    assert all("yes" in t for t in rows.all_inner_texts())
