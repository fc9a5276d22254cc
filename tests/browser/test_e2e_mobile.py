"""The demo shop's main flows on a phone: a 390×844 touch screen at twice the pixel density.

Drop-in card payment, a QR wallet (VietQR) approved from the shopper's phone, a redirect wallet
(GCash), the Hosted page, and the 3DS challenge whose dialog fits the screen; the checkout never
scrolls sideways, and no page logs an error.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from paykka_embed.testing import StubHandle
from paykka_embed.testing.browser import approve_wallet, choose_method, complete_3ds, fill_card, pay, pay_with_card

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def phone(paykka_browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page on a phone-sized touch screen that fails the test on any console error or CSP
    violation, of its own or of any page it opens (the QR wallet's phone page)."""
    context = paykka_browser.new_context(**PHONE)
    problems: list[str] = []
    done = False

    def watch(page: Any) -> None:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" and not done else None)
        page.on("pageerror", lambda e: problems.append(f"uncaught: {e}") if not done else None)

    context.on("page", watch)
    context.add_init_script("document.addEventListener('securitypolicyviolation', e =>"
                            " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI), true);")
    page = context.new_page()
    yield page
    done = True
    context.close()
    assert problems == [], f"console errors during the test: {problems}"


def ready(page: Any) -> None:
    page.locator(".pk-pay-button:enabled").first.wait_for()


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: scrollWidth {width[0]} > innerWidth {width[1]}"


def wait_order_page(page: Any, ref: str, status: str = "SUCCESS") -> None:
    page.wait_for_url(re.compile(rf"/orders/{ref}$"))
    page.wait_for_function("s => document.getElementById('order-state').dataset.webhookStatus === s", arg=status,
                           timeout=15_000)


def test_phone_dropin_card_payment(phone: Any, shop: Any) -> None:
    page = phone
    ref = shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    assert page.evaluate("() => [innerWidth, devicePixelRatio, navigator.maxTouchPoints > 0]") == [390, 2, True]
    no_sideways_scroll(page)
    frame = page.locator("iframe.pk-card-frame").bounding_box()
    assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 390
    fill_card(page, "4111111111111111")
    page.locator(".pk-pay-button").first.tap()
    wait_order_page(page, ref)
    no_sideways_scroll(page)


def test_phone_qr_wallet_vietqr(phone: Any, paykka_stub: StubHandle, shop: Any) -> None:
    page = phone
    ref = shop.browser_checkout(page, "Phin filter")
    ready(page)
    choose_method(page, "VIETQR")
    no_sideways_scroll(page)
    pay(page)
    qr = page.locator(".pk-qr-image")
    qr.wait_for()
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # the code is whole on the screen
    approve_wallet(page)
    wait_order_page(page, ref)
    assert paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")["notify_type"] == \
        "PAYMENT.SUCCESS"


def test_phone_redirect_wallet_gcash(phone: Any, paykka_stub: StubHandle, shop: Any) -> None:
    page = phone
    ref = shop.browser_checkout(page, "Barako coffee beans")
    ready(page)
    choose_method(page, "GCASH")
    no_sideways_scroll(page)
    pay(page)
    page.wait_for_url(re.compile(re.escape(paykka_stub.url) + r"/cp/wallet/GW"))
    no_sideways_scroll(page)
    approve_wallet(page)
    wait_order_page(page, ref)


def test_phone_hosted_page(phone: Any, paykka_stub: StubHandle, shop: Any) -> None:
    page = phone
    ref = shop.browser_checkout(page, "Jade tea cup", query="?mode=hosted")
    no_sideways_scroll(page)
    page.get_by_role("link", name="Continue to secure payment").tap()
    page.wait_for_url(re.compile(re.escape(paykka_stub.url) + r"/hp/pay/CS"))
    ready(page)
    no_sideways_scroll(page)
    pay_with_card(page, "4111111111111111")
    wait_order_page(page, ref)


def test_phone_3ds_challenge_fits_the_screen_and_passes(phone: Any, shop: Any) -> None:
    page = phone
    ref = shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    pay_with_card(page, "4000000000003220")
    dialog = page.locator("dialog.pk-modal[open]")
    dialog.wait_for()
    challenge = page.frame_locator("dialog.pk-modal iframe")
    button = challenge.get_by_role("button", name="Pass verification")
    button.wait_for()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844, box
    frame_box = page.locator("dialog.pk-modal iframe").bounding_box()
    assert frame_box["x"] >= 0 and frame_box["x"] + frame_box["width"] <= 390, frame_box
    # The shopper's answer is reachable without scrolling sideways.
    answer = button.bounding_box()
    assert answer["x"] >= 0 and answer["x"] + answer["width"] <= 390, answer
    no_sideways_scroll(page)
    complete_3ds(page, passed=True)
    wait_order_page(page, ref)
