"""The mount layer when the merchant's server refuses a fresh attempt, and when its CSRF token
went stale: an order paid in another tab ("This order has already been paid.", a link to it, no
retry), a payment still in flight elsewhere ("still being processed", "Check again"), and a page
left open past its token's life (a fresh token, the request sent once more)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from flask import Flask, render_template_string, request

from paykka_embed import OrderInfo, PayKKa
from paykka_embed.expiry import expire_in
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle
from paykka_embed.testing.browser import approve_wallet, choose_method, fill_card, pay, pay_with_card

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="{{ locale or 'en' }}"><head>{% import "paykka/macros.html" as paykka %}
{{ paykka.scripts(locale=locale) }}</head><body>{{ paykka.drop_in(session, locale=locale) }}</body></html>"""

EVENTS = """
window.__events = [];
["ready", "success", "failure", "expired", "error"].forEach(function (name) {
  document.addEventListener("paykka:" + name, function (e) { window.__events.push({ name: name, detail: e.detail }); });
});
"""


@pytest.fixture
def toolkit_shop(paykka_merchant: MerchantAccount, tmp_path: Path) -> Iterator[tuple[str, PayKKa]]:
    """A shop selling PHP orders (so GCash, a redirect wallet, is offered) through the macros."""
    app = Flask("order_states_shop", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY="s", PAYKKA_DATABASE=str(tmp_path / "p.sqlite3"), PAYKKA_SUCCESS_URL="/paid/{order}",
                      **paykka_merchant.flask_config())
    paykka = PayKKa(app)

    @paykka.order_resolver
    def resolve(ref: str) -> Optional[OrderInfo]:
        return OrderInfo(amount=Decimal("1500.00"), currency="PHP")

    @app.get("/pay/<ref>")
    def pay_page(ref: str) -> str:
        # A short session where the test lets it expire (the emulator's clock runs ahead then).
        short = {"expire_time": expire_in(timedelta(seconds=60))} if request.args.get("short") else {}
        locale = request.args.get("l")
        return render_template_string(PAGE, session=paykka.create_session(ref, "DROP_IN", locale=locale, **short),
                                      locale=locale)

    @app.get("/paid/<ref>")
    def paid(ref: str) -> str:
        return f"paid {ref}"

    @app.get("/favicon.ico")
    def favicon() -> tuple[str, int]:
        return "", 204

    with BackgroundServer(app) as server:
        yield server.url, paykka


@pytest.fixture(autouse=True)
def expected_answers(request: pytest.FixtureRequest) -> None:
    """The browser logs each refusal these tests bring about: the payment on an expired session
    (410), and the shop's 409s and 400s that the tests are about."""
    request.node.paykka_allowed_console = ("410 (GONE)", "409 (CONFLICT)", "400 (BAD REQUEST)")


def toolkit_events(page: Any, name: str) -> list[dict[str, Any]]:
    return [e["detail"] for e in page.evaluate("window.__events") if e["name"] == name]


def open_toolkit(page: Any, url: str) -> None:
    page.add_init_script(EVENTS)
    page.goto(url)
    page.locator(".pk-pay-button:enabled").wait_for()


def expire_and_pay(page: Any, stub: StubHandle) -> None:
    """The shopper of a stale tab pays after its session expired: the checkout asks the shop for
    a fresh attempt of the order."""
    stub.advance_clock(120)
    pay_with_card(page, "4111111111111111")
    page.wait_for_function("() => window.__events.some(e => e.name === 'expired')")


def test_an_order_paid_in_another_tab_is_said_paid_with_a_link_and_no_retry(
        paykka_page: Any, toolkit_shop: Any, paykka_stub: StubHandle) -> None:
    url, paykka = toolkit_shop
    stale = paykka_page
    open_toolkit(stale, url + "/pay/ORDP1?short=1")
    other = stale.context.new_page()
    other.goto(url + "/pay/ORDP1")
    other.locator(".pk-pay-button:enabled").wait_for()
    pay_with_card(other, "5555555555554444")
    other.wait_for_url(re.compile(r"/paid/ORDP1$"))

    expire_and_pay(stale, paykka_stub)
    message = stale.locator(".paykka-message[role=alert]").filter(has_text="This order has already been paid.")
    message.wait_for()
    assert message.get_by_role("link", name="View your order").get_attribute("href") == "/paid/ORDP1"
    assert message.get_by_role("button").count() == 0  # nothing to retry: it is paid
    (error,) = toolkit_events(stale, "error")
    assert error["code"] == "ALREADY_PAID" and error["orderUrl"] == "/paid/ORDP1"
    assert stale.locator("iframe.pk-card-frame").count() == 0  # no form to pay twice with
    assert [a.status for a in paykka.store.attempts("ORDP1")].count("SUCCESS") == 1


def test_a_payment_in_flight_elsewhere_is_said_so_and_check_again_asks_again(
        paykka_page: Any, toolkit_shop: Any, paykka_stub: StubHandle) -> None:
    url, _ = toolkit_shop
    stale = paykka_page
    open_toolkit(stale, url + "/pay/ORDP2?short=1&l=fr-FR")
    other = stale.context.new_page()
    other.goto(url + "/pay/ORDP2")
    other.locator(".pk-pay-button:enabled").wait_for()
    choose_method(other, "GCASH")
    pay(other)
    other.wait_for_url(re.compile(r"/cp/wallet/GW"))  # waiting for the shopper in GCash

    expire_and_pay(stale, paykka_stub)
    message = stale.locator(".paykka-message[role=alert]")
    message.filter(has_text="Un paiement pour cette commande est encore en cours de traitement.").wait_for()
    assert toolkit_events(stale, "error")[-1]["code"] == "PAYMENT_IN_PROGRESS"
    check = message.get_by_role("button", name="Vérifier à nouveau")

    approve_wallet(other)  # ... which goes through
    other.wait_for_url(re.compile(r"/paid/ORDP2$"))
    check.click()
    message.filter(has_text="Cette commande a déjà été payée.").wait_for()
    assert message.get_by_role("link", name="Voir la commande").get_attribute("href") == "/paid/ORDP2"
    assert [e["code"] for e in toolkit_events(stale, "error")] == ["PAYMENT_IN_PROGRESS", "ALREADY_PAID"]


def test_a_stale_csrf_token_is_renewed_once(paykka_page: Any, toolkit_shop: Any, paykka_stub: StubHandle) -> None:
    url, paykka = toolkit_shop
    page = paykka_page
    asked: list[str] = []
    page.on("request", lambda r: asked.append(f"{r.method} {r.url.split('/paykka/', 1)[-1]}")
            if "/paykka/" in r.url and "/static/" not in r.url else None)
    open_toolkit(page, url + "/pay/ORDP3?short=1")
    page.evaluate("PayKKaEmbed.config.csrfToken = 'left-open-too-long'")  # as an expired token is refused
    expire_and_pay(page, paykka_stub)
    page.wait_for_function("() => window.__events.filter(e => e.name === 'ready').length === 2")
    assert asked == ["POST sessions", "GET csrf-token", "POST sessions"]
    assert toolkit_events(page, "error") == []
    fill_card(page, "4111111111111111")
    pay(page)
    page.wait_for_url(re.compile(r"/paid/ORDP3$"))
    assert [a.trans_id for a in paykka.store.attempts("ORDP3")] == ["ORDP3-1", "ORDP3-2"]


def test_a_csrf_token_refused_twice_is_an_error(paykka_page: Any, toolkit_shop: Any, paykka_stub: StubHandle) -> None:
    url, paykka = toolkit_shop
    page = paykka_page
    page.route("**/paykka/csrf-token", lambda route: route.fulfill(json={"csrfToken": "still-not-it"}))
    open_toolkit(page, url + "/pay/ORDP4?short=1")
    page.evaluate("PayKKaEmbed.config.csrfToken = 'left-open-too-long'")
    expire_and_pay(page, paykka_stub)
    page.locator(".paykka-message[role=alert]").filter(has_text="The payment form could not be loaded").wait_for()
    (error,) = toolkit_events(page, "error")
    assert error["code"] == "csrf"
    assert [a.trans_id for a in paykka.store.attempts("ORDP4")] == ["ORDP4-1"]
