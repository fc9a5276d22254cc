"""The demo shop, walked through as a shopper and as the shop's staff, in a real browser.

One test (or a few) per numbered item of the demo's brief: catalogue, cart and the three
checkout modes; the locale switcher; the signed-in shopper's saved cards; the membership
with merchant-initiated charges; the self-updating order page; the back office; the
strict CSP. The command line and the screenshots script have their own tests.
"""

from __future__ import annotations

import re

import httpx
import pytest

from paykka_embed.testing import StubHandle
from paykka_embed.testing.browser import card_frame, fill_card, pay, pay_with_card

pytestmark = pytest.mark.browser

CURRENCY_MARKS = {"HKD": "HK$", "USD": "$", "JPY": "¥", "PHP": "₱", "VND": "₫"}


def wait_order(page, status: str = "SUCCESS") -> str:
    page.wait_for_url(re.compile(r"/orders/ORD[0-9A-F]+$"))
    page.wait_for_function("s => document.getElementById('order-state').dataset.webhookStatus === s", arg=status,
                           timeout=15_000)
    return page.url.rsplit("/", 1)[-1]


def ready(page) -> None:
    page.locator(".pk-pay-button:enabled, [data-paykka-pay]:enabled").first.wait_for()


# 1. catalogue, currencies, cart, three modes -----------------------------------------------

def test_catalogue_prices_in_five_currencies_with_local_images(paykka_page, shop) -> None:
    page = paykka_page
    page.goto(shop.url + "/")
    products = page.locator(".product")
    assert products.count() >= 6
    prices = " ".join(page.locator(".product .price").all_inner_texts())
    for currency, mark in CURRENCY_MARKS.items():
        assert mark in prices, f"no {currency} price in {prices!r}"
    images = page.locator(".product img")
    for i in range(images.count()):
        src = images.nth(i).get_attribute("src")
        assert src.startswith("/img/") and src.endswith(".svg")
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")


def test_cart_totals_and_refuses_a_second_currency(paykka_page, shop) -> None:
    page = paykka_page
    page.goto(shop.url + "/")
    page.get_by_role("button", name="Add Jade tea cup to cart").click()
    page.goto(shop.url + "/")
    page.get_by_role("button", name="Add Celadon teapot to cart").click()
    assert page.locator("#cart-total").inner_text() == "HK$276.00"
    page.goto(shop.url + "/")
    page.get_by_role("button", name="Add Matcha whisk to cart").click()
    assert "Your cart is in HKD" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Remove Jade tea cup").click()
    assert page.locator("#cart-total").inner_text() == "HK$268.00"


def test_components_pay_with_the_merchants_own_button(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page, "Gooseneck kettle", query="?mode=components")
    button = page.get_by_role("button", name=re.compile(r"^Place order"))
    button.wait_for()
    # The card component's own pay button is hidden: the shop's button pays.
    assert page.locator("section[aria-labelledby=card-heading] .pk-pay-button").count() == 0
    assert page.locator('[data-paykka-component="applepay"], .paykka-mount').count() >= 3
    fill_card(page, "4111111111111111")
    button.click()
    wait_order(page)


def test_components_page_offers_the_wallets_of_the_currency(paykka_page, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page, "Barako coffee beans", query="?mode=components")
    ready(page)
    wallets = page.locator(".wallets")
    wallets.get_by_text("GCash").first.wait_for()
    assert wallets.get_by_text("Maya").count() >= 1
    # Wallets the peso cannot use are left out rather than shown broken.
    assert page.get_by_role("alert").count() == 0


def test_hosted_mode_redirects_to_the_gateway_and_back(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page, "Jade tea cup", query="?mode=hosted")
    page.get_by_role("link", name="Continue to secure payment").click()
    page.wait_for_url(re.compile(re.escape(paykka_stub.url) + r"/hp/pay/CS"))
    ready(page)
    pay_with_card(page, "4111111111111111")
    wait_order(page)


def test_dropin_lists_the_methods_of_the_currency(paykka_page, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page, "Phin filter")
    ready(page)
    methods = page.locator(".pk-option")
    codes = {methods.nth(i).get_attribute("data-method") for i in range(methods.count())}
    assert {"BANKCARD", "ZALOPAY", "VIETQR"} <= codes
    assert "GCASH" not in codes


# 2. locale switcher ------------------------------------------------------------------------

def choose_locale(page, shop_url: str, tag: str) -> None:
    page.goto(shop_url + "/")
    with page.expect_navigation():
        page.select_option("#locale-select", tag)
    assert page.locator("#locale-select").input_value() == tag


def test_locale_switcher_translates_the_checkout(paykka_page, shop) -> None:
    page = paykka_page
    choose_locale(page, shop.url, "ja-JP")
    shop.browser_checkout(page)
    ready(page)
    assert "支払う" in page.locator(".pk-pay-button").first.inner_text()


def test_arabic_checkout_is_right_to_left(paykka_page, shop) -> None:
    page = paykka_page
    choose_locale(page, shop.url, "ar")
    shop.browser_checkout(page)
    ready(page)
    payment = page.locator("section.payment")
    assert payment.get_attribute("dir") == "rtl"
    direction = page.locator(".pk-dropin").first.evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"
    label = card_frame(page).locator("label").first.inner_text()
    assert re.search(r"[\u0600-\u06FF]", label), label


# 3. the signed-in shopper's saved cards --------------------------------------------------

def sign_in(page, shop_url: str) -> None:
    page.goto(shop_url + "/account")
    page.get_by_role("button", name="Sign in as demo shopper").click()
    page.get_by_text("Signed in as the demo shopper").first.wait_for()


def test_saved_card_pays_with_cvv_only_and_can_be_removed(paykka_page, shop) -> None:
    page = paykka_page
    sign_in(page, shop.url)
    shop.browser_checkout(page)
    ready(page)
    page.get_by_label("Save this card for future payments").check()
    pay_with_card(page, "5555555555554444")
    wait_order(page)

    page.goto(shop.url + "/account")
    card = page.locator(".saved-card")
    card.first.wait_for()
    assert "4444" in card.first.inner_text()

    shop.browser_checkout(page, "Celadon teapot")
    ready(page)
    first = page.locator(".pk-option").first
    assert first.get_attribute("data-stored") == "true"
    frame = card_frame(page)
    frame.get_by_label("Security code").fill("321")
    assert not frame.get_by_label("Card number").is_visible()
    pay(page)
    wait_order(page)

    page.goto(shop.url + "/account")
    page.get_by_role("button", name="Remove card ending 4444").click()
    page.get_by_text("Card removed.").wait_for()
    assert page.locator(".saved-card").count() == 0


# 4. the membership: first payment, merchant-initiated charge, cancel ----------------------

def test_membership_first_payment_next_charge_and_cancel(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    sign_in(page, shop.url)
    page.goto(shop.url + "/")
    page.get_by_role("button", name="Join Tea Club membership").click()
    ready(page)
    pay_with_card(page, "4111111111111111")
    ref = wait_order(page)
    first = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")
    assert first["event"]["token"].startswith("TK")
    assert first["event"]["recurring_agreement_id"].startswith("RA")

    page.goto(f"{shop.url}/admin/orders/{ref}")
    assert page.locator("#agreement-id").inner_text() == first["event"]["recurring_agreement_id"]
    page.get_by_role("button", name="Charge month 2").click()
    message = page.get_by_text(re.compile(r"Charged month 2 as order ORD[0-9A-F]+-M02: SUCCESS"))
    message.wait_for()
    renewal = re.search(r"order (ORD[0-9A-F]+-M02)", message.inner_text()).group(1)
    mit = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"].startswith(renewal))
    assert mit["notify_type"] == "PAYMENT.SUCCESS"

    page.get_by_role("button", name="Cancel membership").click()
    page.get_by_text("Membership cancelled").wait_for()
    assert page.get_by_role("button", name=re.compile("Charge month")).count() == 0


def test_membership_with_a_saved_card_creates_an_agreement(paykka_page, paykka_stub: StubHandle, shop) -> None:
    """Fault: a shopper with a saved CARD_ON_FILE card joined the membership, the Drop-in pre-selected that
    card, the payment succeeded, and no recurring agreement was made: charged once, never billable again.
    A RECURRING checkout now offers no saved card; the card typed for it is stored as SUBSCRIPTION."""
    page = paykka_page
    sign_in(page, shop.url)
    shop.browser_checkout(page)
    ready(page)
    page.get_by_label("Save this card for future payments").check()
    pay_with_card(page, "5555555555554444")
    wait_order(page)

    page.goto(shop.url + "/")
    page.get_by_role("button", name="Join Tea Club membership").click()
    ready(page)
    assert page.locator(".pk-option[data-stored=true]").count() == 0
    pay_with_card(page, "4111111111111111")
    ref = wait_order(page)
    first = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == f"{ref}-1")
    assert first["event"]["recurring_agreement_id"].startswith("RA")
    page.goto(f"{shop.url}/admin/orders/{ref}")
    assert page.locator("#agreement-id").inner_text() == first["event"]["recurring_agreement_id"]


# 5. the order page updates itself when the webhook arrives ------------------------------

def test_order_page_updates_when_a_late_webhook_arrives(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    # The shop is "down" for the first delivery; the emulator retries 15 s later on its clock.
    httpx.post(paykka_stub.url + "/_stub/faults",
               json={"path": "webhook", "kind": "fail", "count": 1}).raise_for_status()
    shop.browser_checkout(page)
    ready(page)
    pay_with_card(page, "4111111111111111")
    page.wait_for_url(re.compile(r"/orders/ORD"))
    assert page.get_attribute("#order-state", "data-query-status") == "SUCCESS"
    paykka_stub.wait_for_webhook(lambda d: len(d["attempts"]) >= 1, delivered=False)
    assert page.get_attribute("#order-state", "data-webhook-status") == ""
    paykka_stub.advance_clock(16)
    page.wait_for_function("() => document.getElementById('order-state').dataset.webhookStatus === 'SUCCESS'",
                           timeout=15_000)


def test_the_order_page_speaks_to_the_shopper(paykka_page, paykka_stub: StubHandle, shop) -> None:
    """Fault: the order page listed "Payment SUCCESS / Confirmed by query SUCCESS / Confirmed by webhook
    SUCCESS" and no thank-you; the technical view belongs to the back office."""
    page = paykka_page
    shop.browser_checkout(page)
    ready(page)
    pay_with_card(page, "4111111111111111")
    wait_order(page)
    assert page.locator("h1").inner_text() == "Thank you for your order"
    assert "Your payment was received" in page.inner_text("#payment-message")
    text = page.locator("main").inner_text()
    assert "SUCCESS" not in text and "webhook" not in text.lower() and "GW" not in text
    assert page.locator("#pay-again").is_hidden()


def test_leaving_the_hosted_page_says_not_paid_and_offers_to_pay(paykka_page, paykka_stub: StubHandle, shop) -> None:
    """Fault: "Back to Tea & Clay" from the hosted page landed on "PROCESSING / not yet / waiting…"."""
    page = paykka_page
    shop.browser_checkout(page, query="?mode=hosted")
    page.get_by_role("link", name="Continue to secure payment").click()
    page.get_by_role("link", name="Back to Tea & Clay").first.click()
    page.wait_for_url(re.compile(r"/orders/ORD[0-9A-F]+$"))
    assert page.inner_text("#payment-message") == "This order is not paid yet."
    assert page.get_attribute("#order-state", "data-state") == "unpaid"
    page.get_by_role("link", name="Pay for this order").click()
    page.wait_for_url(re.compile(r"/checkout/ORD"))


def test_back_from_the_checkout_finds_the_order_waiting_for_payment(paykka_page, shop) -> None:
    """Fault: checking out emptied the cart, so Back from the checkout showed "Your cart is empty". The cart
    becomes the order (so nothing is bought twice by two orders); the cart page shows it waiting."""
    page = paykka_page
    first = shop.browser_checkout(page)
    page.go_back()
    page.goto(shop.url + "/cart")
    waiting = page.locator(".waiting-order")
    assert first in waiting.inner_text() and "Jade tea cup" in waiting.inner_text()
    waiting.get_by_role("link", name="Continue to payment").click()
    page.wait_for_url(re.compile(r"/checkout/ORD[0-9A-F]+$"))
    assert page.url.rsplit("/", 1)[-1] == first
    ready(page)
    pay_with_card(page, "4111111111111111")
    wait_order(page)
    page.goto(shop.url + "/cart")
    assert page.locator(".waiting-order").count() == 0
    assert "Your cart is empty" in page.locator("main").inner_text()


# 6. the back office --------------------------------------------------------------------

def test_admin_captures_partially_then_refunds_in_full(paykka_page, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page, "Commissioned vase")
    ready(page)
    pay_with_card(page, "4111111111111111")
    ref = wait_order(page, "AUTHORIZED")

    page.goto(f"{shop.url}/admin/")
    page.locator(f'tr[data-order="{ref}"]').get_by_role("link").click()
    assert page.inner_text("#bal-able-capture") == "HK$880.00"  # major units with the currency, not 88000
    # Before a partial capture, the form says what happens to the rest.
    assert "releases the rest to the shopper" in page.inner_text("#capture-note")
    page.get_by_label(re.compile("Capture amount")).fill("500.00")
    page.get_by_role("button", name="Capture").click()
    page.get_by_text("Captured HK$500.00. The other HK$380.00 was released to the shopper").wait_for()
    assert page.locator(".flash-ok").count() == 1
    assert page.inner_text("#bal-captured") == "HK$500.00"

    page.get_by_label(re.compile("Refund amount")).fill("9999")
    page.get_by_role("button", name="Refund").click()
    refused = page.locator(".flash-error")
    refused.wait_for()
    assert "HK$9,999.00 is more than the HK$500.00 that can still be refunded" in refused.inner_text()

    page.get_by_label(re.compile("Refund amount")).fill("100")
    page.get_by_role("button", name="Refund").click()
    page.get_by_text(re.compile(r"Refund RG\w+ of HK\$100\.00: refunded")).wait_for()
    assert page.inner_text("#bal-refunded") == "HK$100.00"
    # A partial capture releases the rest of the authorisation: 400.00 is left to refund.
    page.get_by_role("button", name="Refund").click()
    page.get_by_text(re.compile(r"Refund RG\w+ of HK\$400\.00: refunded")).wait_for()
    assert page.inner_text("#admin-status") == "REFUNDED"


def test_admin_voids_an_authorisation(paykka_page, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page, "Commissioned vase")
    ready(page)
    pay_with_card(page, "4111111111111111")
    ref = wait_order(page, "AUTHORIZED")
    page.goto(f"{shop.url}/admin/orders/{ref}")
    page.get_by_role("button", name="Void the authorisation").click()
    page.get_by_text("Authorisation of HK$880.00 voided (CANCELED).").wait_for()
    assert page.inner_text("#admin-status") == "CANCELED"
    assert page.inner_text("#bal-voided") == "HK$880.00"


def test_admin_shows_a_declined_refund_as_a_failure(paykka_page, paykka_stub: StubHandle, shop) -> None:
    """Fault: "Refund RG… of 8.00 HKD: FAILURE." was flashed green, as a success."""
    page = paykka_page
    shop.browser_checkout(page)
    ready(page)
    pay_with_card(page, "4000000000005126")  # its refunds are declined
    ref = wait_order(page)
    page.goto(f"{shop.url}/admin/orders/{ref}")
    page.get_by_role("button", name="Refund").click()
    declined = page.locator(".flash-error")
    declined.wait_for()
    assert "declined by the issuer" in declined.inner_text()
    assert page.locator(".flash-ok").count() == 0
    assert "Declined" in page.locator("#refunds").inner_text()


def test_admin_follows_a_refund_held_for_review(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page)
    ready(page)
    pay_with_card(page, "4000000000007726")  # its refunds wait in REVIEWING for an hour
    ref = wait_order(page)
    page.goto(f"{shop.url}/admin/orders/{ref}")
    page.get_by_role("button", name="Refund").click()
    page.locator(".flash-pending").get_by_text(re.compile("held by PayKKa for review")).wait_for()
    assert page.locator("#refunds tr[data-status=REVIEWING]").count() == 1
    assert page.inner_text("#bal-refunded") == "HK$0.00"  # not refunded yet
    paykka_stub.advance_clock(3601)
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "REFUND.SUCCESS")
    page.reload()
    assert page.locator("#refunds tr[data-status=SUCCESS]").count() == 1
    assert page.inner_text("#admin-status") == "REFUNDED"


def test_admin_follows_a_dispute_through_its_stages(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page)
    ready(page)
    pay_with_card(page, "4111111111111111")
    ref = wait_order(page)
    page.goto(f"{shop.url}/admin/orders/{ref}")
    with page.expect_navigation():  # the form's POST and its redirect back, before reloading
        page.get_by_role("button", name="Open a test dispute").click()
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "DISPUTE")
    page.reload()
    row = page.locator("#disputes tr[data-stage=DISPUTE_CREATED]")
    assert "opened: send your evidence" in row.inner_text() and "HK$" in row.inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Decide dispute: won").click()
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "DISPUTE" and d["event"]["dispute_stage"] == "DISPUTE_WON")
    page.reload()
    assert "won: the money stays with you" in page.locator("#disputes tr[data-stage=DISPUTE_WON]").inner_text()


def test_admin_webhook_log_cheat_sheet_and_gateway_links(paykka_page, paykka_stub: StubHandle, shop) -> None:
    page = paykka_page
    shop.browser_checkout(page)
    ready(page)
    pay_with_card(page, "4000000000000002")
    page.locator(".pk-component [role=alert]").filter(has_text="declined").wait_for()
    paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "PAYMENT.FAILURE")
    page.goto(shop.url + "/admin/")
    sheet = page.locator(".cards-sheet")
    for number in ("4111111111111111", "4000000000000002", "4000000000003220"):
        assert number in sheet.inner_text()
    assert page.get_by_role("link", name="Emulator delivery log").get_attribute("href") == \
        paykka_stub.url + "/_stub/webhooks"
    page.get_by_role("link", name="Webhook log").click()
    assert "PAYMENT.FAILURE" in page.locator("#webhook-log").inner_text()


# 7. strict CSP, no violations ---------------------------------------------------------

def test_pages_send_a_strict_csp_and_raise_no_violations(paykka_page, shop) -> None:
    page = paykka_page
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(shop.url + "/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'nonce-" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    for mode in ("?mode=components", ""):  # the Drop-in last: it is paid below
        shop.browser_checkout(page, query=mode)
        ready(page)
    pay_with_card(page, "4111111111111111")
    wait_order(page)
    page.goto(shop.url + "/admin/")
    page.goto(shop.url + "/account")
    assert violations == []
