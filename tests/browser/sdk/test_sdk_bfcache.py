"""Back from a redirect wallet with Chromium's back/forward cache on (its default; Playwright
turns it off, so these tests launch their own browser): the checkout page comes back as it was
left (``pageshow`` with ``persisted``), and asks the gateway what became of the pending attempt.
Paid in the meantime → the success path; still open → usable again, and a new attempt replaces
the pending one; session expired → a fresh attempt. Both with the SDK alone and through the
toolkit's mount layer."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from paykka_embed.testing import MerchantAccount, StubHandle
from paykka_embed.testing.plugin import assert_no_problems, watch_page
from paykka_embed.testing.browser import approve_wallet, chromium_launch_options, choose_method, fill_card, pay, pay_with_card

from test_sdk_kit import DROPIN, events, new_session, open_dropin, wait_event  # noqa: F401

pytestmark = pytest.mark.browser

# Every pageshow of every page, with its `persisted`: the proof that the cache, not a reload,
# brought the checkout back (reported to the test, since a restored page may move on at once).
SHOWS = "addEventListener('pageshow', e => window.__shown(location.pathname, e.persisted));"


@pytest.fixture(scope="module")
def cached_browser(paykka_browser: Any) -> Iterator[Any]:
    browser = paykka_browser.browser_type.launch(**chromium_launch_options(back_forward_cache=True))
    yield browser
    browser.close()


@pytest.fixture
def page(cached_browser: Any, paykka_stub: StubHandle, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = cached_browser.new_context()
    shows: list[tuple[str, bool]] = []
    page = context.new_page()
    context.expose_binding("__shown", lambda source, path, persisted:
                           shows.append((path, persisted)) if source["page"] == page else None)
    context.add_init_script(SHOWS)
    page.shows = shows
    problems = watch_page(page, request, paykka_stub.url)  # judged as the kit's paykka_page is
    yield page
    context.close()
    assert_no_problems(problems, getattr(request.node, "allowed_console", ()))


def to_the_wallet(page: Any) -> str:
    """Pay with GCash: the shopper is taken to the provider's page; returns its URL."""
    choose_method(page, "GCASH")
    pay(page)
    page.wait_for_url(re.compile(r"/cp/wallet/GW"))
    return str(page.url)


def back(page: Any) -> None:
    """Press Back, and check the checkout came back from the back/forward cache: shown again
    with ``persisted``, never loaded a second time."""
    checkout = page.shows[0][0]
    page.go_back(wait_until="commit")
    for _ in range(200):  # the binding's calls are delivered while Playwright waits
        if (checkout, True) in page.shows:
            break
        page.wait_for_timeout(50)
    assert (checkout, True) in page.shows, f"not restored from the back/forward cache: {page.shows}"
    assert page.shows.count((checkout, False)) == 1, page.shows


def approve_elsewhere(page: Any, wallet_url: str) -> None:
    """The shopper approves the payment in another tab (or on their phone) before going Back."""
    other = page.context.new_page()
    other.goto(wallet_url)
    approve_wallet(other)
    other.wait_for_load_state()
    other.close()


def php_session(merchant: MerchantAccount, shop: Any, **fields: Any) -> dict[str, Any]:
    return new_session(merchant, shop, currency="PHP", amount=150000,
                       allowed_payment_methods=["VISA", "MASTERCARD", "GCASH"], **fields)


def usable(page: Any, root: str = "body") -> None:
    """Buttons and radios enabled, not busy, no "You will be taken to GCash" left."""
    page.locator(f"{root} .pk-pay-button:enabled").wait_for()
    assert page.locator(f"{root} .pk-pay-button").get_attribute("aria-busy") != "true"
    assert page.locator(f"{root} .pk-radio:disabled").count() == 0
    live = page.locator(f"{root} [role=status], {root} [role=alert]").all_inner_texts()
    assert not any("You will be taken to" in t for t in live), live


# --- the SDK alone ---------------------------------------------------------------------------


def test_sdk_paid_elsewhere_then_back_goes_on_to_success(page: Any, paykka_merchant: MerchantAccount, shop: Any) -> None:
    open_dropin(page, shop, php_session(paykka_merchant, shop))
    wallet = to_the_wallet(page)
    approve_elsewhere(page, wallet)
    back(page)
    success = wait_event(page, "success")
    assert success["status"] == "SUCCESS" and success["orderId"] == wallet.rsplit("/", 1)[-1].split("?")[0]
    page.get_by_role("status").filter(has_text="Payment successful").wait_for()


def test_sdk_still_open_is_usable_again_and_a_new_attempt_replaces_it(page: Any, paykka_merchant: MerchantAccount,
                                                                      shop: Any) -> None:
    open_dropin(page, shop, php_session(paykka_merchant, shop))
    first = to_the_wallet(page)
    back(page)
    usable(page)
    assert events(page, "success") == [] and events(page, "error") == []
    second = to_the_wallet(page)  # the shopper tries again: a new attempt of the same session
    assert second != first
    approve_wallet(page)  # on the provider's page: back to the shop's return URL
    page.wait_for_url(f"{shop.url}/return**")
    with paykka_merchant.client() as client:
        old = client.query_transaction(order_id=first.rsplit("/", 1)[-1].split("?")[0])
        new = client.query_transaction(order_id=second.rsplit("/", 1)[-1].split("?")[0])
    assert (old.status, old.error_code) == ("FAILURE", "5007")  # abandoned for the new attempt
    assert new.status == "SUCCESS"


def test_sdk_session_expired_meanwhile_reports_expiry(page: Any, paykka_merchant: MerchantAccount, shop: Any,
                                                      paykka_stub: StubHandle) -> None:
    open_dropin(page, shop, php_session(paykka_merchant, shop))
    to_the_wallet(page)
    paykka_stub.advance_clock(2 * 3600)  # the session lives one hour
    back(page)
    assert wait_event(page, "expired")["code"] == "SESSION_EXPIRED"
    page.get_by_role("alert").filter(has_text="This checkout has expired.").wait_for()
    assert events(page, "success") == []


# --- through the mount layer ------------------------------------------------------------------

# The shop of the order-state tests: PHP orders through the macros (GCash is offered).
from test_toolkit_order_states import open_toolkit, toolkit_events, toolkit_shop  # noqa: E402,F401


def test_mount_layer_paid_elsewhere_then_back_goes_to_the_order(page: Any, toolkit_shop: Any) -> None:
    url, paykka = toolkit_shop
    open_toolkit(page, url + "/pay/ORDB1")
    wallet = to_the_wallet(page)
    approve_elsewhere(page, wallet)
    back(page)
    page.wait_for_url(re.compile(r"/paid/ORDB1$"))
    assert paykka.store.attempt("ORDB1-1") is not None


def test_mount_layer_paid_then_back_goes_on_to_the_order_not_a_used_checkout(page: Any, toolkit_shop: Any) -> None:
    """Paid by card, on the shop's page for the order, Back: the restored checkout goes on to the
    order's page again, and no second session is made."""
    url, paykka = toolkit_shop
    open_toolkit(page, url + "/pay/ORDB4")
    pay_with_card(page, "4111111111111111")
    page.wait_for_url(re.compile(r"/paid/ORDB4$"))
    back(page)
    page.wait_for_url(re.compile(r"/paid/ORDB4$"))
    assert [(a.trans_id, a.status) for a in paykka.store.attempts("ORDB4")] == [("ORDB4-1", "SUCCESS")]


def test_mount_layer_still_open_is_usable_again(page: Any, toolkit_shop: Any) -> None:
    url, _ = toolkit_shop
    open_toolkit(page, url + "/pay/ORDB2")
    to_the_wallet(page)
    back(page)
    usable(page)
    assert page.locator(".paykka-message").count() == 0
    assert toolkit_events(page, "error") == [] and toolkit_events(page, "expired") == []
    to_the_wallet(page)  # and pays from there
    approve_wallet(page)
    page.wait_for_url(re.compile(r"/paid/ORDB2$"))


def test_mount_layer_session_expired_meanwhile_mounts_a_fresh_attempt(page: Any, toolkit_shop: Any,
                                                                      paykka_stub: StubHandle) -> None:
    url, paykka = toolkit_shop
    open_toolkit(page, url + "/pay/ORDB3?short=1")
    first = toolkit_events(page, "ready")[0]["sessionId"]
    to_the_wallet(page)
    paykka_stub.advance_clock(120)
    back(page)
    page.wait_for_function("() => window.__events.filter(e => e.name === 'ready').length === 2")
    assert toolkit_events(page, "expired")[0]["sessionId"] == first
    assert toolkit_events(page, "ready")[1]["sessionId"] != first
    assert page.get_by_role("alert").filter(has_text="Your checkout session expired.").is_visible()
    assert [a.trans_id for a in paykka.store.attempts("ORDB3")] == ["ORDB3-1", "ORDB3-2"]
    usable(page)


def test_the_kit_fills_the_card_frame_of_a_restored_checkout(page: Any, toolkit_shop: Any) -> None:
    """Back from a wallet to a checkout the cache restored (Playwright then no longer lists its card
    frame): the kit's helpers still type into the frame the shopper sees, replacing what was typed
    before, and pay with it."""
    url, paykka = toolkit_shop
    open_toolkit(page, url + "/pay/ORDB5")
    fill_card(page, "4000000000000002", "01/30", "999")  # typed, then the shopper picks GCash instead
    to_the_wallet(page)
    back(page)
    usable(page)
    with pytest.raises(AssertionError, match=r"shows GCASH, which has no card form; call choose_method"):
        fill_card(page, "4111111111111111")  # the shopper's choice is kept: GCash, no card form
    choose_method(page, "BANKCARD")
    pay_with_card(page, "4111111111111111")
    page.wait_for_url(re.compile(r"/paid/ORDB5$"))
    assert [(a.trans_id, a.status) for a in paykka.store.attempts("ORDB5")][-1][1] == "SUCCESS"
