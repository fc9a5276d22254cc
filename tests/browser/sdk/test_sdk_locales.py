"""Item 8: the 14 locales with parent-language fallback and right-to-left Arabic, and
theming: CSS custom properties, and the validated `styles` option inside the frame."""

from __future__ import annotations


import pytest
from playwright.sync_api import expect

from test_sdk_kit import events, new_session, open_dropin, wait_event  # noqa: F401

from paykka_embed.testing.browser import card_frame  # noqa: E402

pytestmark = pytest.mark.browser

CASES = [  # requested tag, the card number label, the pay button (the amount as CLDR lays it out, by Babel)
    ("fr-CH", "Numéro de carte", "Payer 8,00\u00a0HKD"),  # French words, the Swiss layout of the amount
    ("zh-HK", "卡號", "支付 HK$8.00"),
    ("zh-CN", "卡号", "支付 HK$8.00"),
    ("pt-BR", "Card number", "Pay HK$8.00"),  # English words: the amount as English writes it
    ("ar", "رقم البطاقة", None),
    ("th-TH", "หมายเลขบัตร", None),
    ("fil-PH", "Numero ng card", None),
]


@pytest.mark.parametrize("tag, label, button", CASES)
def test_locale_of_the_checkout_option(paykka_page, paykka_merchant, shop, tag, label, button) -> None:
    page = paykka_page
    cfg = new_session(paykka_merchant, shop)
    cfg["options"] = {"locale": tag}
    open_dropin(page, shop, cfg)
    frame = card_frame(page)
    frame.get_by_label(label).wait_for()
    if button:
        assert page.locator(".pk-pay-button").inner_text().replace("\u202f", "\u00a0") == button
    rtl = tag == "ar"
    assert page.locator(".pk-dropin").get_attribute("dir") == ("rtl" if rtl else "ltr")
    assert frame.locator("html").get_attribute("dir") == ("rtl" if rtl else "ltr")
    if rtl:
        # Right to left: the method's radio sits at the right edge of its row.
        radio = page.locator(".pk-radio").first.bounding_box()
        row = page.locator(".pk-option-label").first.bounding_box()
        assert radio["x"] > row["x"] + row["width"] / 2
        page.screenshot(path="/tmp/dropin-ar.png")


def test_session_display_locale_applies_without_the_option(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop, display_locale="ko-KR"))
    card_frame(page).get_by_label("카드 번호").wait_for()


def test_theme_variables_and_styles_reach_the_frame(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    cfg = new_session(paykka_merchant, shop)
    cfg["dropin"] = {"styles": {"base": {"color": "rgb(10, 20, 30)", "fontSize": "18px"},
                                "focus": {"borderColor": "#ff00aa"}}}
    head = '<style nonce="__NONCE__">#checkout { --pk-accent: rgb(120, 40, 200); --pk-radius: 2px; }</style>'
    page.goto(shop.page("""
      var ui = window.PayKKaCardCheckoutUI;
      new ui.PayKKaCheckout(callbacks()).create(ui.DropIn, CFG.dropin).mount("#checkout");""", cfg=cfg, head=head))
    page.locator(".pk-pay-button:enabled").wait_for()
    assert page.locator(".pk-pay-button").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(120, 40, 200)"
    number = card_frame(page).get_by_label("Card number")
    style = number.evaluate("i => { const s = getComputedStyle(i); return [s.color, s.fontSize, s.borderRadius]; }")
    assert style == ["rgb(10, 20, 30)", "18px", "2px"]
    number.focus()
    expect(number).to_have_css("border-color", "rgb(255, 0, 170)")  # after the short transition
    page.screenshot(path="/tmp/dropin-themed.png")


def test_styles_with_url_or_unknown_properties_are_refused(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    cfg = new_session(paykka_merchant, shop)
    cfg["dropin"] = {"styles": {"base": {"background": "url(https://evil.example/x.png)"}}}
    open_dropin(page, shop, cfg, """
      var ui = window.PayKKaCardCheckoutUI;
      new ui.PayKKaCheckout(callbacks()).create(ui.Card, CFG.dropin).mount("#checkout");""")
    error = wait_event(page, "error")
    assert error["code"] == "INVALID_STYLES" and "background" in error["message"]
    cfg = new_session(paykka_merchant, shop)
    cfg["dropin"] = {"styles": {"base": {"color": "red; background-image: url(x)"}}}
    open_dropin(page, shop, cfg, """
      var ui = window.PayKKaCardCheckoutUI;
      new ui.PayKKaCheckout(callbacks()).create(ui.Card, CFG.dropin).mount("#checkout");""")
    assert wait_event(page, "error")["code"] == "INVALID_STYLES"
