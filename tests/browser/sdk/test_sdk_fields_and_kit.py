"""The card frame renders only the fields the shopper sees (nothing hidden for autofill to fill
and send), and the testing kit finds the visible, active card frame in every layout (a stored
card listed beside a new one, components, the hosted page) and its fields by their
``autocomplete`` tokens, so it works in any language."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from test_sdk_kit import DROPIN, events, new_session, open_dropin, wait_event  # noqa: F401

from paykka_embed.testing.browser import (approve_wallet, card_field, card_frame, choose_method,  # noqa: E402
                                          complete_3ds, fill_card, pay, pay_with_card, pay_with_stored_card)

pytestmark = pytest.mark.browser

CARD = """
var ui = window.PayKKaCardCheckoutUI;
var checkout = new ui.PayKKaCheckout(callbacks());
checkout.create(ui.Card, CFG.card || {}).mount("#checkout");
"""


def test_no_holder_field_unless_asked_and_nothing_unseen_is_sent(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    sent: list[dict] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data or "{}")) if r.url.endswith("/cp/api/pay") else None)
    cfg = new_session(paykka_merchant, shop)
    page.goto(shop.page(CARD, cfg=cfg))
    page.locator(".pk-pay-button:enabled").wait_for()
    frame = card_frame(page)
    frame.locator("input[autocomplete~=cc-number]").wait_for()
    # Not hidden: absent. No browser autofill can fill it, no script can read it.
    assert frame.locator("input[autocomplete~=cc-name]").count() == 0
    assert frame.locator("input").evaluate_all("els => els.filter(e => !e.checkVisibility()).length") == 0
    fill_card(page, "4111111111111111")
    pay(page)
    wait_event(page, "success")
    assert sent and sent[-1]["card"]["holder_name"] is None

    # Asked for: shown, and what the shopper typed is sent.
    cfg = new_session(paykka_merchant, shop)
    cfg["card"] = {"showHolderName": True}
    page.goto(shop.page(CARD, cfg=cfg))
    page.locator(".pk-pay-button:enabled").wait_for()
    holder = card_field(page, "holder")
    assert holder.is_visible()
    fill_card(page, "4111111111111111", holder="Ada Lovelace")
    pay(page)
    wait_event(page, "success")
    assert sent[-1]["card"]["holder_name"] == "Ada Lovelace"


def _store_a_card(page, merchant, shop, shopper: str) -> None:
    open_dropin(page, shop, new_session(merchant, shop, payment={
        "store_payment_method": True, "token_usage": "CARD_ON_FILE", "shopper_reference": shopper}))
    page.locator(".pk-save-input").check()
    pay_with_card(page, "5555555555554444")
    wait_event(page, "success")


def test_a_stored_card_frame_has_only_the_security_code(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    _store_a_card(page, paykka_merchant, shop, "shopper-7")
    open_dropin(page, shop, new_session(paykka_merchant, shop, payment={"shopper_reference": "shopper-7"}))
    frame = card_frame(page)
    frame.locator("input[autocomplete~=cc-csc]").wait_for()
    assert frame.locator("input").evaluate_all("els => els.map(e => e.autocomplete)") == ["cc-csc"]


def test_choose_card_then_fill_with_a_stored_card_listed(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    _store_a_card(page, paykka_merchant, shop, "shopper-8")
    open_dropin(page, shop, new_session(paykka_merchant, shop, payment={"shopper_reference": "shopper-8"}))
    assert page.locator(".pk-option").first.get_attribute("data-stored") == "true"
    choose_method(page, "BANKCARD")
    assert page.locator("iframe.pk-card-frame").count() == 2  # the stored card's, hidden, and the new card's
    fill_card(page, "4111111111111111")
    pay(page)
    assert wait_event(page, "success")["status"] == "SUCCESS"
    # ... and back to the stored card: its own frame is the visible one again.
    open_dropin(page, shop, new_session(paykka_merchant, shop, payment={"shopper_reference": "shopper-8"}))
    choose_method(page, "BANKCARD")
    card_field(page, "number").wait_for()
    pay_with_stored_card(page, "123")
    assert wait_event(page, "success")["status"] == "SUCCESS"


@pytest.mark.parametrize("locale", ["ja-JP", "ar", "de-DE"])
def test_the_kit_works_in_a_checkout_in_another_language(paykka_page, paykka_merchant, shop, locale) -> None:
    page = paykka_page
    cfg = new_session(paykka_merchant, shop, display_locale=locale)
    open_dropin(page, shop, cfg)
    assert page.locator(".pk-component").first.get_attribute("lang") == locale
    fill_card(page, "4000000000003220")  # a 3DS challenge, answered in that language too
    pay(page)
    complete_3ds(page, passed=True)
    assert wait_event(page, "success")["status"] == "SUCCESS"


def test_the_kit_approves_a_wallet_in_another_language(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop, display_locale="zh-HK"))
    choose_method(page, "APPLE_PAY")
    pay(page)
    approve_wallet(page)
    assert wait_event(page, "success")["status"] == "SUCCESS"


def test_the_kit_finds_the_card_of_components_and_of_the_hosted_page(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    cfg = new_session(paykka_merchant, shop, session_mode="COMPONENT")
    script = """
    var ui = window.PayKKaCardCheckoutUI;
    var checkout = new ui.PayKKaCheckout(callbacks());
    checkout.create(ui.ApplePay, {}).mount("#wallet");
    checkout.create(ui.Card, {}).mount("#card");
    """
    page.goto(shop.page(script, cfg=cfg, body='<div id="wallet"></div><div id="card"></div>'))
    page.locator("#card .pk-pay-button:enabled").wait_for()
    fill_card(page, "4111111111111111")
    pay(page, root="#card")
    assert wait_event(page, "success")["status"] == "SUCCESS"

    hosted = new_session(paykka_merchant, shop, session_mode="HOSTED", display_locale="fr-FR")
    page.goto(hosted["sessionUrl"])
    pay_with_card(page, "5555555555554444")
    page.wait_for_url(f"{shop.url}/return**")


@pytest.mark.parametrize("locale, number, words", [
    ("de-DE", "4000000000009995", "Diese Karte ist nicht ausreichend gedeckt."),
    ("ja-JP", "4000000000000002", "カード会社がこのカードでのお支払いを承認しませんでした。"),
])
def test_a_decline_is_said_once_in_the_shoppers_language(paykka_page, paykka_merchant, shop, locale, number,
                                                         words) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop, display_locale=locale))
    pay_with_card(page, number)
    error = wait_event(page, "error")
    assert error["type"] == "PAYMENT_FAILED" and error["code"] in ("5001", "5002")  # the merchant's detail
    page.get_by_role("alert").filter(has_text=words).wait_for()
    assert [t for t in page.get_by_role("alert").all_inner_texts() if t.strip()] == [
        page.get_by_role("alert").filter(has_text=words).inner_text()]


def test_a_wallet_declined_names_the_wallet(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop, display_locale="zh-HK"))
    choose_method(page, "GOOGLE_PAY")
    pay(page)
    approve_wallet(page, approve=False)
    assert wait_event(page, "error")["code"] == "5006"
    alert = page.get_by_role("alert").filter(has_text="付款在 Google Pay 中被拒絕。")
    alert.wait_for()
    assert alert.locator("bdi").inner_text() == "Google Pay"
