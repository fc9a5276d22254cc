"""Item 11: mount, unmount, remount, destroy twice, unmount before init resolves, and the
"parking" pattern (unmount then mount elsewhere keeps what was typed): no leaked
iframes or message listeners, no console errors."""

from __future__ import annotations


import pytest

from test_sdk_kit import events, new_session, wait_event  # noqa: F401

from paykka_embed.testing.browser import card_frame, fill_card, pay  # noqa: E402

pytestmark = pytest.mark.browser

# Counts the page's live "message" listeners, so a leak shows as a number.
COUNTING = """
var live = 0;
var add = window.addEventListener, remove = window.removeEventListener, seen = new Set();
window.addEventListener = function (type, fn, o) { if (type === "message" && !seen.has(fn)) { seen.add(fn); live++; } return add.call(this, type, fn, o); };
window.removeEventListener = function (type, fn, o) { if (type === "message" && seen.has(fn)) { seen.delete(fn); live--; } return remove.call(this, type, fn, o); };
window.listeners = function () { return live; };
var ui = window.PayKKaCardCheckoutUI;
var checkout = new ui.PayKKaCheckout(callbacks());
var card = checkout.create(ui.Card, {});
"""

NO_FRAMES = "() => document.querySelectorAll('iframe').length === 0 && listeners() === 0"


def test_mount_unmount_remount_and_destroy_twice(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    page.goto(shop.page(COUNTING + 'card.mount("#checkout"); window.card = card; window.checkout = checkout;',
                        cfg=new_session(paykka_merchant, shop)))
    page.locator(".pk-pay-button:enabled").wait_for()
    page.evaluate("card.unmount(); card.unmount();")
    page.wait_for_function(NO_FRAMES)
    page.evaluate("card.mount('#checkout')")
    page.locator(".pk-pay-button:enabled").wait_for()
    assert page.locator("iframe.pk-card-frame").count() == 1 and page.evaluate("listeners()") == 1
    fill_card(page, "4111111111111111")
    pay(page)
    wait_event(page, "success")
    page.evaluate("checkout.destroy(); checkout.destroy();")
    page.wait_for_function(NO_FRAMES)
    assert page.locator(".pk-component").count() == 0
    assert page.evaluate("(() => { try { checkout.create(window.PayKKaCardCheckoutUI.Card, {}); } catch (e) { return e.code; } })()") == "DESTROYED"


def test_unmount_before_init_resolves(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    script = COUNTING + """
    card.mount("#checkout");
    card.unmount();
    checkout.init().then(function () {
      setTimeout(function () { log("settled", { frames: document.querySelectorAll("iframe").length, listeners: listeners() }); }, 0);
    });
    """
    page.goto(shop.page(script, cfg=new_session(paykka_merchant, shop)))
    assert wait_event(page, "settled") == {"frames": 0, "listeners": 0}
    assert page.locator(".pk-component").count() == 0


def test_parking_keeps_what_was_typed(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    body = '<div id="parking" class="offscreen"></div><div id="checkout"></div>'
    script = COUNTING + """
    card.mount("#parking");
    window.moveToCheckout = function () { card.unmount(); card.mount("#checkout"); };
    window.moveToParking = function () { card.unmount(); card.mount("#parking"); };
    """
    page.goto(shop.page(script, cfg=new_session(paykka_merchant, shop), body=body))
    page.locator("#parking .pk-pay-button:enabled").wait_for()
    fill_card(page, "5555555555554444", root="#parking")
    for _ in range(2):
        page.evaluate("moveToCheckout()")
        page.evaluate("moveToParking()")
    page.evaluate("moveToCheckout()")
    assert card_frame(page, "#checkout").get_by_label("Card number").input_value() == "5555 5555 5555 4444"
    assert page.locator("iframe").count() == 1 and page.evaluate("listeners()") == 1
    pay(page, root="#checkout")
    assert wait_event(page, "success")["status"] == "SUCCESS"


def test_dropin_switching_methods_and_destroy_leaves_nothing(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    script = COUNTING + 'window.checkout = checkout; checkout.create(ui.DropIn, {}).mount("#checkout");'
    page.goto(shop.page(script, cfg=new_session(paykka_merchant, shop)))
    page.locator(".pk-pay-button:enabled").wait_for()
    page.locator('.pk-option[data-method="APPLE_PAY"] .pk-option-label').click()
    page.locator('.pk-option[data-method="BANKCARD"] .pk-option-label').click()
    assert page.locator("iframe").count() == 1
    page.evaluate("checkout.destroy(); checkout.destroy();")
    page.wait_for_function(NO_FRAMES)
    assert page.locator(".pk-dropin, .pk-parking").count() == 0
    assert not events(page, "error")
