"""Items 2, 3 and 5: the Drop-in lists exactly the session's methods and pays with each
of the 16 of PayKKa's checkout: six card brands through the cross-origin card frame,
Apple Pay and Google Pay through the simulated sheet, the QR wallets by a real QR code
and the wallet simulator, the redirect wallets by the provider simulator and back."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from test_sdk_kit import choose, events, new_session, open_dropin, wait_event  # noqa: F401

from paykka_embed import catalogue
from paykka_embed.stub import icons
from paykka_embed.testing.browser import card_frame, fill_card, pay, pay_with_card

pytestmark = pytest.mark.browser

CARDS = {"VISA": "4111111111111111", "MASTERCARD": "5555555555554444", "AMEX": "378282246310005",
         "JCB": "3566002020360505", "DISCOVER": "6011111111111117", "DINERS": "36227206271667"}


@pytest.mark.parametrize("brand", list(CARDS))
def test_each_card_brand_pays(paykka_page, paykka_merchant, shop, brand) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop))
    number = CARDS[brand]
    fill_card(page, number, cvv="1234" if brand == "AMEX" else "123")
    # The brand is detected as the number is typed, and shown in the field.
    frame = card_frame(page)
    frame.locator("#brand-icon").wait_for()
    assert frame.locator("#brand-icon use").get_attribute("href") == f"#pk-icon-{brand}"
    pay(page)
    assert wait_event(page, "success")["status"] == "SUCCESS"


def test_declined_card_reports_the_gateway_code_and_the_session_stays_payable(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop))
    pay_with_card(page, "4000000000000002")
    error = wait_event(page, "error")
    assert error["type"] == "PAYMENT_FAILED" and error["code"] == "5001"
    page.get_by_role("alert").filter(has_text="Your bank declined this card. Try another card or payment method.").wait_for()
    assert "Do not honour" not in page.inner_text("body")  # the code and its jargon are the merchant's
    fill_card(page, "4111111111111111")
    pay(page)
    assert wait_event(page, "success")["status"] == "SUCCESS"


def test_lists_exactly_the_allowed_methods_with_their_marks(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    cfg = new_session(paykka_merchant, shop, currency="PHP", amount=150000,
                      allowed_payment_methods=["VISA", "MASTERCARD", "GCASH", "APPLE_PAY", "WECHAT_PAY"])
    open_dropin(page, shop, cfg)
    # WeChat Pay does not take PHP, so it is not offered.
    codes = page.locator(".pk-option").evaluate_all("els => els.map(e => e.dataset.method)")
    assert codes == ["BANKCARD", "APPLE_PAY", "GCASH"]
    assert [m["code"] for m in wait_event(page, "methods")] == codes
    card_marks = page.locator('.pk-option[data-method="BANKCARD"] .pk-option-icons svg').count()
    assert card_marks == 2
    assert page.locator(".pk-pay-button").inner_text() == "Pay ₱1,500.00"


def test_pay_button_amount_in_the_shoppers_locale(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop, currency="EUR", amount=1234, display_locale="de-DE"))
    assert page.locator(".pk-pay-button").inner_text() == "12,34\u00a0€ bezahlen"
    open_dropin(page, shop, new_session(paykka_merchant, shop, currency="JPY", amount=800, display_locale="ja-JP"))
    assert page.locator(".pk-pay-button").inner_text() in ("￥800 を支払う", "¥800 を支払う")


def _store_a_card(page, merchant, shop, shopper: str) -> None:
    open_dropin(page, shop, new_session(merchant, shop, payment={
        "store_payment_method": True, "token_usage": "CARD_ON_FILE", "shopper_reference": shopper}))
    page.get_by_label("Save this card for future payments").check()
    pay_with_card(page, "5555555555554444")
    wait_event(page, "success")


def test_stored_card_first_and_pays_with_security_code_only(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    _store_a_card(page, paykka_merchant, shop, "shopper-42")
    open_dropin(page, shop, new_session(paykka_merchant, shop, payment={"shopper_reference": "shopper-42"}))
    first = page.locator(".pk-option").first
    assert first.get_attribute("data-stored") == "true"
    assert "Mastercard ending in 4444" in first.inner_text()
    frame = card_frame(page)
    # Said once: the option names the card, the frame under it does not repeat it.
    frame.get_by_label("Security code").wait_for()
    assert frame.get_by_text("ending in").count() == 0 and frame.locator("#stored-card").is_hidden()
    frame.get_by_label("Security code").fill("123")
    assert not frame.get_by_label("Card number").is_visible()
    pay(page)
    assert wait_event(page, "success")["status"] == "SUCCESS"


def test_no_save_choice_unless_the_session_asks(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop))
    assert page.get_by_label("Save this card for future payments").count() == 0


@pytest.mark.parametrize("code, approve", [("APPLE_PAY", True), ("GOOGLE_PAY", True), ("GOOGLE_PAY", False)])
def test_sheet_wallets(paykka_page, paykka_merchant, shop, code, approve) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop))
    choose(page, code)
    assert "Simulated" in page.locator(f'.pk-option[data-method="{code}"] .pk-option-body').inner_text()
    pay(page)
    dialog = page.locator("dialog.pk-modal[open]")
    dialog.wait_for()
    sheet = page.frame_locator("dialog.pk-modal iframe")
    sheet.get_by_text("Simulated").wait_for()
    sheet.get_by_role("button", name="Approve payment" if approve else "Decline").click()
    dialog.wait_for(state="detached")
    if approve:
        assert wait_event(page, "success")["paymentMethod"] == code
    else:
        assert wait_event(page, "error")["type"] == "PAYMENT_FAILED"


@pytest.mark.parametrize("code, currency, amount", [("WECHAT_PAY", "HKD", 800), ("ALIPAY_PLUS", "HKD", 800),
                                                    ("VIETQR", "VND", 250000)])
def test_qr_wallets_poll_until_paid(paykka_page, paykka_merchant, shop, code, currency, amount) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop, currency=currency, amount=amount))
    choose(page, code)
    pay(page)
    qr = page.locator(".pk-qr-image svg path")
    qr.first.wait_for()
    link = page.locator(".pk-qr-link")
    href = link.get_attribute("href")
    assert href.startswith(shop.stub_url + "/cp/wallet/GW")
    # The shopper's phone: the QR's link opens the wallet simulator.
    phone = page.context.new_page()
    phone.goto(href)
    phone.get_by_text("Simulated").first.wait_for()
    phone.get_by_role("button", name="Approve payment").click()
    phone.get_by_role("status").filter(has_text="Done").wait_for()
    phone.close()
    assert wait_event(page, "success")["paymentMethod"] == code
    assert page.locator(".pk-qr").count() == 0


def test_qr_code_image_is_served_by_the_stub(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop))
    choose(page, "WECHAT_PAY")
    pay(page)
    order = page.locator(".pk-qr-link").get_attribute("href").rsplit("/", 1)[-1].split("?")[0]
    png = page.request.get(f"{shop.stub_url}/cp/qr/{order}.png")
    assert png.ok and png.body()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = page.request.get(f"{shop.stub_url}/cp/qr/{order}.svg")
    assert svg.ok and b"<svg" in svg.body()


@pytest.mark.parametrize("code, currency, approve", [("GCASH", "PHP", True), ("MAYA", "PHP", True),
                                                     ("SHOPEEPAY", "PHP", True), ("GRABPAY", "PHP", True),
                                                     ("ZALOPAY", "VND", True), ("GCASH", "PHP", False)])
def test_redirect_wallets_return_to_the_merchant(paykka_page, paykka_merchant, shop, code, currency, approve) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop, currency=currency, amount=100000))
    choose(page, code)
    pay(page)
    page.wait_for_url(re.compile(re.escape(shop.stub_url) + r"/cp/wallet/GW"))
    page.get_by_text("Simulated").first.wait_for()
    page.get_by_role("button", name="Approve payment" if approve else "Decline").click()
    page.wait_for_url(re.compile(re.escape(shop.url) + r"/return\?"))
    assert ("status=SUCCESS" if approve else "status=FAILURE") in page.url


def test_a_wallet_added_to_the_catalogue_is_offered_rendered_and_paid(paykka_page, paykka_merchant, shop,
                                                                      monkeypatch) -> None:
    """docs/adding-a-payment-method.md, done: one row in the catalogue and a mark, nothing else."""
    gcash = catalogue.method("GCASH")
    assert gcash is not None
    row = replace(gcash, code="TESTPAY", component="TestPay", key="testPay", name="TestPay",
                  currencies=frozenset({"HKD"}), aliases=("TEST_PAY_GLOBAL",))
    monkeypatch.setattr(catalogue, "METHODS", (*catalogue.METHODS, row))
    monkeypatch.setitem(icons.ICONS, "TESTPAY", icons.badge("#5b21b6", "TestPay", size=7))
    page = paykka_page
    cfg = new_session(paykka_merchant, shop, currency="HKD", allowed_payment_methods=["card", "test-pay-global"])
    open_dropin(page, shop, cfg)
    # The emulator's init answer offers it, as the catalogue describes it ...
    offered = wait_event(page, "methods")
    assert [(m["code"], m["name"], m["type"]) for m in offered] == [("BANKCARD", "Card", "card"),
                                                                    ("TESTPAY", "TestPay", "redirect")]
    # ... the SDK exports its component and the Drop-in renders its option with its mark ...
    assert page.evaluate("typeof PayKKaCardCheckoutUI.TestPay") == "function"
    option = page.locator('.pk-option[data-method="TESTPAY"]')
    assert option.locator(".pk-option-name").inner_text() == "TestPay"
    assert option.locator(".pk-option-icons svg text").text_content() == "TestPay"
    # ... and it is paid through the redirect flow's simulator, back to the shop.
    choose(page, "TESTPAY")
    assert page.locator(".pk-pay-button").inner_text() == "Continue with TestPay"
    pay(page)
    page.wait_for_url(re.compile(re.escape(shop.stub_url) + r"/cp/wallet/GW"))
    page.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(re.escape(shop.url) + r"/return\?"))
    assert "status=SUCCESS" in page.url
