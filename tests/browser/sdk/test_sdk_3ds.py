"""Item 4: 3DS frictionless, and the challenge in a modal iframe: pass or fail by the
shopper's choice, focus kept inside, Escape cancels, a challenge left open times out."""

from __future__ import annotations


import pytest

from test_sdk_kit import events, new_session, open_dropin, wait_event  # noqa: F401

from paykka_embed.testing.browser import pay_with_card  # noqa: E402

pytestmark = pytest.mark.browser
CHALLENGE = "4000000000003220"


def _challenge(page, shop, merchant, options=None):
    cfg = new_session(merchant, shop)
    if options:
        cfg["options"] = options
    open_dropin(page, shop, cfg)
    pay_with_card(page, CHALLENGE)
    page.locator("dialog.pk-modal[open]").wait_for()
    challenge = page.frame_locator("dialog.pk-modal iframe")
    challenge.get_by_role("button", name="Pass verification").wait_for()
    return challenge


def test_frictionless_card_needs_no_challenge(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop))
    pay_with_card(page, "4111111111111111")
    assert wait_event(page, "success")["status"] == "SUCCESS"
    assert page.locator("dialog").count() == 0


def test_challenge_passed(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    challenge = _challenge(page, shop, paykka_merchant)
    assert "HK$8.00" in challenge.locator("main").inner_text()
    challenge.get_by_role("button", name="Pass verification").click()
    assert wait_event(page, "success")["status"] == "SUCCESS"
    assert page.locator("dialog").count() == 0


def test_challenge_failed(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    challenge = _challenge(page, shop, paykka_merchant)
    challenge.get_by_role("button", name="Fail verification").click()
    error = wait_event(page, "error")
    assert error["type"] == "PAYMENT_FAILED" and error["code"] == "5005"
    assert page.locator("dialog").count() == 0
    page.get_by_role("alert").filter(has_text="Your bank couldn't verify this payment.").wait_for()


def test_escape_cancels_and_focus_stays_in_the_dialog(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    _challenge(page, shop, paykka_merchant)
    for _ in range(6):
        page.keyboard.press("Tab")
        inside = page.evaluate("() => !!document.activeElement.closest('dialog.pk-modal')")
        assert inside, "focus left the 3DS dialog"
    page.keyboard.press("Escape")
    error = wait_event(page, "error")
    assert error["type"] == "CANCEL"
    page.locator("dialog").wait_for(state="detached")
    page.get_by_role("alert").filter(has_text="Payment cancelled").wait_for()
    # The session is still payable after a cancelled challenge.
    pay_with_card(page, "4111111111111111")
    assert wait_event(page, "success")["status"] == "SUCCESS"


def test_close_button_cancels(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    _challenge(page, shop, paykka_merchant)
    page.get_by_role("button", name="Close").click()
    assert wait_event(page, "error")["type"] == "CANCEL"


def test_challenge_left_open_times_out(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    _challenge(page, shop, paykka_merchant, options={"actionTimeout": 1500})
    timeout = wait_event(page, "timeout")
    assert timeout["orderId"].startswith("GW") and timeout["paymentMethod"] == "BANKCARD"
    assert page.locator("dialog").count() == 0
    assert not events(page, "success")
