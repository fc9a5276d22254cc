"""Item 7: the hosted page /hp/pay/{session_id}: a full page on the stub, responsive
from 320 px, merchant name and logo, theme, a back link, redirect to return_url with
the result, an expired state."""

from __future__ import annotations

import re

import pytest

from test_sdk_kit import new_session  # noqa: F401

from paykka_embed.testing.browser import pay_with_card  # noqa: E402

pytestmark = pytest.mark.browser


def _hosted(merchant, shop, **fields):
    return new_session(merchant, shop, session_mode="HOSTED", display_merchant_name="Jade Tea House", **fields)


def test_hosted_page_pays_and_returns_with_the_result(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    cfg = _hosted(paykka_merchant, shop)
    page.goto(cfg["sessionUrl"])
    assert page.get_by_role("heading", name="Jade Tea House").is_visible()
    assert page.locator(".hp-amount").inner_text() == "HK$8.00"
    assert page.locator(".hp-logo").inner_text() == "J"
    assert page.get_by_role("link", name="Back to Jade Tea House").get_attribute("href") == shop.url + "/cancel"
    page.locator(".pk-pay-button:enabled").wait_for()
    pay_with_card(page, "4111111111111111")
    page.wait_for_url(re.compile(re.escape(shop.url) + r"/return\?"))
    assert f"session_id={cfg['sessionId']}" in page.url and "status=SUCCESS" in page.url
    # Coming back to a paid session shows it is complete, not a form.
    page.goto(cfg["sessionUrl"])
    assert page.locator('[data-state="done"]').is_visible()


def test_hosted_page_reload_keeps_working(paykka_page, paykka_merchant, shop) -> None:
    """The hosted page renders its session itself, so a reload is not a second init."""
    page = paykka_page
    cfg = _hosted(paykka_merchant, shop)
    page.goto(cfg["sessionUrl"])
    page.locator(".pk-pay-button:enabled").wait_for()
    page.reload()
    page.locator(".pk-pay-button:enabled").wait_for()


def test_expired_hosted_page(paykka_page, paykka_merchant, paykka_stub, shop) -> None:
    page = paykka_page
    cfg = _hosted(paykka_merchant, shop)
    paykka_stub.advance_clock(2 * 3600)
    page.goto(cfg["sessionUrl"])
    expired = page.locator('[data-state="expired"]')
    assert "expired" in expired.inner_text()
    assert expired.get_by_role("link").get_attribute("href") == shop.url + "/cancel"
    assert page.locator(".pk-pay-button").count() == 0


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_hosted_page_fits_every_width(paykka_browser, paykka_merchant, shop, width) -> None:
    context = paykka_browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(_hosted(paykka_merchant, shop, theme_id="ocean")["sessionUrl"])
        page.locator(".pk-pay-button:enabled").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator("body").get_attribute("class") == "hosted theme-ocean"
        accent = page.locator(".pk-pay-button").evaluate("b => getComputedStyle(b).backgroundColor")
        assert accent == "rgb(14, 116, 144)"
        summary = page.locator(".hp-summary").bounding_box()
        form = page.locator(".hp-pay").bounding_box()
        side_by_side = form["x"] > summary["x"] + summary["width"] - 1
        assert side_by_side == (width >= 760)
        page.screenshot(path=f"/tmp/hosted-{width}.png", full_page=True)
    finally:
        context.close()


def test_hosted_page_in_arabic_is_right_to_left(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    page.goto(_hosted(paykka_merchant, shop, display_locale="ar-AE")["sessionUrl"])
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    page.locator(".pk-pay-button:enabled").wait_for()
    assert page.locator(".pk-pay-button").inner_text().startswith("ادفع")
