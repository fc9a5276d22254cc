"""The walking skeleton, in a real browser: a shopper buys in the demo shop and pays with a
card typed into the cross-origin card iframe; the result is confirmed by Query Transaction
(on return) and by the signed webhook, and shown on the order page."""

from __future__ import annotations

import re

import pytest

from paykka_embed.testing import StubHandle
from paykka_embed.testing.browser import card_frame, fill_card, pay, pay_with_card

pytestmark = pytest.mark.browser


def start_checkout(page, shop) -> str:
    ref = shop.browser_checkout(page)
    page.locator(".pk-pay-button:enabled").wait_for()
    return ref


def expect_order_page(page, ref: str, status: str) -> None:
    page.wait_for_url(re.compile(rf"/orders/{ref}$"))
    page.wait_for_function(
        "s => document.getElementById('order-state').dataset.webhookStatus === s", arg=status, timeout=15_000
    )
    assert page.get_attribute("#order-state", "data-status") == status
    assert page.get_attribute("#order-state", "data-query-status") == status
    assert page.get_attribute("#order-state", "data-order-id").startswith("GW")


def test_card_payment_confirmed_by_query_and_webhook(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    ref = start_checkout(page, shop)
    # The card fields are on the emulator's origin, not the shop's.
    frame_src = page.locator("iframe.pk-card-frame").get_attribute("src")
    assert frame_src.startswith(paykka_stub.url + "/cp/frames/card.html")
    assert not frame_src.startswith(shop.url)

    pay_with_card(page, "4111111111111111")
    expect_order_page(page, ref, "SUCCESS")

    delivery = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")
    assert delivery["notify_type"] == "PAYMENT.SUCCESS"
    assert delivery["event"]["order_id"] == page.get_attribute("#order-state", "data-order-id")
    assert delivery["attempts"][-1]["status"] == 200


def test_declined_card_then_another_card_in_the_same_form(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    ref = start_checkout(page, shop)

    pay_with_card(page, "4000000000000002")
    # Said once, in the shopper's words, with what to do next; the form stays usable.
    message = page.locator(".pk-component [role=alert]").filter(has_text="Your bank declined this card.")
    message.wait_for()
    assert "Try another card or payment method." in message.inner_text()
    assert page.locator(".paykka-message").count() == 0 and "honour" not in page.inner_text("body").lower()
    failure = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")
    assert failure["notify_type"] == "PAYMENT.FAILURE"
    assert failure["event"]["error_code"] == "5001"

    # Another card, in the same form: a new payment of the same attempt's session.
    page.locator(".pk-pay-button:enabled").wait_for()
    assert page.locator("iframe.pk-card-frame").count() == 1
    fill_card(page, "5555555555554444", "11/33", "321")
    pay(page)
    expect_order_page(page, ref, "SUCCESS")
    success = paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "PAYMENT.SUCCESS")
    assert success["event"]["trans_id"] == f"{ref}-1"


def test_invalid_card_is_refused_inline_without_a_payment(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    start_checkout(page, shop)
    pay_with_card(page, "4111111111111112")
    frame = card_frame(page)
    error = frame.locator("#card-number-error")
    error.wait_for()
    assert "not valid" in error.inner_text()
    assert frame.get_by_label("Card number").get_attribute("aria-invalid") == "true"
    assert paykka_stub.webhooks() == []


def test_the_page_fixture_catches_a_csp_violation_inside_a_frame(paykka_page, paykka_stub: StubHandle,
                                                                  shop) -> None:
    """The kit's page fixture must see a violation in the card frame, where nothing is logged by default."""
    page = paykka_page
    start_checkout(page, shop)
    frame = next(f for f in page.frames if f.url.startswith(paykka_stub.url + "/cp/frames/card.html"))
    frame.evaluate("() => { const s = document.createElement('style'); s.textContent = 'body{}';"
                   " document.head.appendChild(s); }")
    page.wait_for_function("() => true")  # one round trip: the console message has arrived
    problems = page.paykka_console_problems
    assert any("CSP violation: style-src" in p and "/cp/frames/card.html" in p for p in problems), problems
    problems.clear()  # expected here; the fixture would otherwise fail the test
