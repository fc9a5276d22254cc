"""Right-to-left: in Arabic, amounts, brands and method names inside translated text keep their own
order ("HK$" never reads "$HK", "Alipay+" never "+Alipay"), on the Drop-in, a component and the
hosted page; the amount is laid out as CLDR says for Arabic (number, then symbol, read right to
left). Checked where the glyphs land on screen, not only in the DOM."""

from __future__ import annotations

from typing import Any

import pytest

from test_sdk_kit import new_session, open_dropin  # noqa: F401

from paykka_embed import locales  # noqa: E402
from paykka_embed.testing.browser import choose_method  # noqa: E402

pytestmark = pytest.mark.browser

# The screen x (centre) of the first glyph of each wanted character inside an element.
GLYPHS = """([el, chars]) => {
  const out = {}, walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (let i = 0; i < n.data.length; i++) {
      const c = n.data[i];
      if (!chars.includes(c) || c in out) continue;
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
      const b = r.getBoundingClientRect(); out[c] = b.left + b.width / 2;
    }
  }
  return out;
}"""

AMOUNT = locales.amount_text(88000, "HKD", "ar")


def glyphs(locator: Any, chars: str) -> dict[str, float]:
    handle = locator.element_handle()
    return handle.evaluate(GLYPHS.replace("([el, chars])", "(el, chars)"), chars)  # type: ignore[no-any-return]


def assert_amount_reads_right(locator: Any) -> None:
    """HK$ left to right, and (Arabic layout) on the left of the number, whose digits read 880.00."""
    bdi = locator.locator("bdi").filter(has_text="880")
    assert bdi.inner_text().replace("\u2066", "").replace("\u2069", "") == AMOUNT.replace("\u2066", "").replace("\u2069", "")
    x = glyphs(bdi, "HK$80.")
    assert x["H"] < x["K"] < x["$"] < x["8"] < x["0"], x
    assert x["8"] < x["."], x  # "880.00" keeps its own order too


def arabic_session(merchant: Any, shop: Any, **fields: Any) -> dict[str, Any]:
    return new_session(merchant, shop, amount=88000, display_locale="ar",
                       allowed_payment_methods=["VISA", "MASTERCARD", "ALIPAY_PLUS", "APPLE_PAY"], **fields)


def test_dropin_amount_and_method_names_keep_their_order(paykka_page: Any, paykka_merchant: Any, shop: Any) -> None:
    page = paykka_page
    open_dropin(page, shop, arabic_session(paykka_merchant, shop))
    assert page.locator(".pk-component").first.get_attribute("dir") == "rtl"
    button = page.locator(".pk-pay-button")
    assert_amount_reads_right(button)
    name = page.locator('.pk-option[data-method="ALIPAY_PLUS"] .pk-option-name')
    assert name.evaluate("e => e.tagName") == "BDI"
    x = glyphs(name, "Ap+")
    assert x["A"] < x["p"] < x["+"], x  # "Alipay+", not "+Alipay"
    choose_method(page, "ALIPAY_PLUS")
    method = button.locator("bdi")
    assert method.inner_text() == "Alipay+"
    x = glyphs(method, "Ap+")
    assert x["A"] < x["p"] < x["+"], x
    # The notes that embed the name isolate it too.
    note = page.locator('.pk-option[data-method="ALIPAY_PLUS"] .pk-simulated bdi')
    assert note.inner_text() == "Alipay+"


def test_a_card_component_and_the_apple_pay_sheet_button(paykka_page: Any, paykka_merchant: Any, shop: Any) -> None:
    page = paykka_page
    cfg = arabic_session(paykka_merchant, shop, session_mode="COMPONENT")
    script = """
    var ui = window.PayKKaCardCheckoutUI;
    var checkout = new ui.PayKKaCheckout(callbacks());
    checkout.create(ui.Card, {}).mount("#card");
    checkout.create(ui.ApplePay, {}).mount("#wallet");
    """
    page.goto(shop.page(script, cfg=cfg, body='<div id="card"></div><div id="wallet"></div>'))
    page.locator("#card .pk-pay-button:enabled").wait_for()
    page.locator("#wallet .pk-pay-button:enabled").wait_for()
    assert_amount_reads_right(page.locator("#card .pk-pay-button"))
    assert_amount_reads_right(page.locator("#wallet .pk-pay-button"))
    wallet_name = page.locator("#wallet .pk-wallet-name")
    assert wallet_name.evaluate("e => e.tagName") == "BDI" and wallet_name.inner_text() == "Apple Pay"


def test_hosted_page_amount_and_merchant(paykka_page: Any, paykka_merchant: Any, shop: Any) -> None:
    page = paykka_page
    cfg = arabic_session(paykka_merchant, shop, session_mode="HOSTED", display_merchant_name="Tea & Clay")
    page.goto(cfg["sessionUrl"])
    page.locator(".pk-pay-button:enabled").wait_for()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_amount_reads_right(page.locator(".hp-amount"))
    assert_amount_reads_right(page.locator(".pk-pay-button"))
    back = page.locator(".hp-back bdi")
    assert back.inner_text() == "Tea & Clay"
    x = glyphs(back, "T&C")
    assert x["T"] < x["&"] < x["C"], x
