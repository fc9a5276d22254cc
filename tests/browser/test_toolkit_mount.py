"""The mount layer in Chromium against the live emulator: several components sharing one session,
the merchant's own pay button, typed events, a clear translated error for a component the SDK does
not have, an expired session replaced by a fresh attempt, and idempotent unmount/remount."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Optional

import httpx
import pytest
from flask import Flask, render_template_string, request

from paykka_embed import OrderInfo, PayKKa
from paykka_embed.expiry import expire_in
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle
from paykka_embed.testing.browser import fill_card

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="{{ locale or 'en' }}"><head>{% import "paykka/macros.html" as paykka %}
{{ paykka.scripts(locale=locale) }}</head><body>
{% for name in components %}{{ paykka.component(session, name, hide_payment_button=(name == "card"), locale=locale) }}{% endfor %}
{% if "card" in components %}{{ paykka.pay_button(session, label="Place order") }}{% endif %}
</body></html>"""

EVENTS = """
window.__events = [];
["ready", "success", "failure", "expired", "error"].forEach(function (name) {
  document.addEventListener("paykka:" + name, function (e) {
    var id = e.target.id || "";
    window.__events.push({ name: name, id: id, detail: JSON.parse(JSON.stringify(e.detail)) });
    if (name === "success" && window.__stay) e.preventDefault();
  });
});
"""


@pytest.fixture
def shop(paykka_merchant: MerchantAccount, tmp_path: Path) -> Iterator[tuple[BackgroundServer, PayKKa]]:
    app = Flask("shop", instance_path=str(tmp_path))
    app.config.update(paykka_merchant.flask_config())
    app.config.update(SECRET_KEY="s", PAYKKA_DATABASE=str(tmp_path / "p.sqlite3"), PAYKKA_SUCCESS_URL="/paid/{order}")
    paykka = PayKKa(app)

    @paykka.order_resolver
    def resolve(ref: str) -> Optional[OrderInfo]:
        return OrderInfo(amount=Decimal("8.00"), currency="HKD")

    made: dict[str, Any] = {}

    @app.get("/make/<ref>")
    def make(ref: str) -> str:
        made[ref] = paykka.create_session(ref, "COMPONENT", expire_time=expire_in(timedelta(seconds=60)))
        return "ok"

    @app.get("/pay/<ref>")
    def pay(ref: str) -> str:
        components = request.args.get("c", "card").split(",")
        session = made[ref] if request.args.get("stored") else paykka.create_session(ref, "COMPONENT")
        return render_template_string(PAGE, session=session, components=components, locale=request.args.get("l"))

    @app.get("/favicon.ico")
    def favicon() -> tuple[str, int]:
        return "", 204

    @app.get("/paid/<ref>")
    def paid(ref: str) -> str:
        return f"paid {ref}"

    with BackgroundServer(app) as server:
        yield server, paykka


def events(page: Any, name: Optional[str] = None) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = page.evaluate("window.__events")
    return [e for e in got if name is None or e["name"] == name]


def wait_event(page: Any, name: str, count: int = 1) -> None:
    page.wait_for_function("([n, c]) => window.__events.filter(e => e.name === n).length >= c", arg=[name, count])


def inits(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.url.endswith("/cp/api/init") else None)
    return seen


def test_components_share_one_session_and_the_merchants_button_pays(shop: Any, paykka_page: Any,
                                                                    paykka_stub: StubHandle) -> None:
    server, paykka = shop
    page = paykka_page
    page.add_init_script(EVENTS)
    init_calls = inits(page)
    page.goto(server.url + "/pay/ORD1?c=card,applepay,googlepay")
    wait_event(page, "ready", 3)
    assert len(init_calls) == 1  # one checkout for the session, shared by its three components
    ready = {e["detail"]["component"] for e in events(page, "ready")}
    assert ready == {"card", "applepay", "googlepay"}
    assert page.locator("#paykka-" + events(page, "ready")[0]["detail"]["sessionId"] + "-card .pk-pay-button").count() == 0
    page.locator(".paykka-card .pk-pay-button, .paykka-card iframe.pk-card-frame").first.wait_for()
    fill_card(page, "4111111111111111", root=".paykka-card")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/paid/ORD1$"))
    success = paykka.store.attempt("ORD1-1")
    assert success is not None and success.query_status == "SUCCESS"


def test_success_event_is_typed_and_cancelable(shop: Any, paykka_page: Any) -> None:
    server, _ = shop
    page = paykka_page
    page.add_init_script(EVENTS + "window.__stay = true;")
    page.goto(server.url + "/pay/ORD2")
    wait_event(page, "ready")
    fill_card(page, "5555555555554444")
    page.get_by_role("button", name="Place order").click()
    wait_event(page, "success")
    (success,) = events(page, "success")
    assert success["id"].endswith("-card")
    detail = success["detail"]
    assert detail["status"] == "SUCCESS" and detail["orderId"].startswith("GW") and detail["sessionId"].startswith("CS")
    assert page.url.endswith("/pay/ORD2")  # cancelled: the shopper stays


def test_a_decline_is_a_failure_event_and_is_said_once(shop: Any, paykka_page: Any) -> None:
    server, _ = shop
    page = paykka_page
    page.add_init_script(EVENTS)
    page.goto(server.url + "/pay/ORD3")
    wait_event(page, "ready")
    fill_card(page, "4000000000000002")
    page.get_by_role("button", name="Place order").click()
    wait_event(page, "failure")
    (failure,) = events(page, "failure")
    # The merchant gets PayKKa's code; the shopper reads one message, in plain words.
    assert failure["detail"]["type"] == "PAYMENT_FAILED" and failure["detail"]["code"] == "5001"
    page.get_by_role("alert").filter(has_text="Your bank declined this card.").wait_for()
    assert [t for t in page.get_by_role("alert").all_inner_texts() if t.strip()] == [
        "Your bank declined this card. Try another card or payment method."]
    assert page.locator(".paykka-message").count() == 0
    # ... and tries another card in the same form.
    fill_card(page, "4111111111111111")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/paid/ORD3$"))


@pytest.mark.parametrize("locale,words", [(None, "could not be loaded"), ("ja-JP", "読み込めませんでした"),
                                          ("zh-HK", "無法載入"), ("zh-Hans-HK", "无法加载"), ("zh-Hant-CN", "無法載入"),
                                          ("tl", "Hindi ma-load")])
def test_a_component_the_sdk_lacks_is_a_clear_translated_error(shop: Any, paykka_page: Any, locale: Optional[str],
                                                               words: str) -> None:
    server, _ = shop
    page = paykka_page
    page.add_init_script(EVENTS)
    page.goto(server.url + "/pay/ORD4?c=card,teleport" + (f"&l={locale}" if locale else ""))
    wait_event(page, "error")
    (error,) = events(page, "error")
    assert error["id"].endswith("-teleport")
    assert error["detail"]["code"] == "UNKNOWN_COMPONENT" and error["detail"]["type"] == "IMPLEMENTATION_ERROR"
    message = page.locator(".paykka-teleport .paykka-message")
    assert words in message.inner_text() and message.get_attribute("role") == "alert"
    wait_event(page, "ready")  # the card beside it is unaffected


def test_an_expired_session_is_replaced_by_a_fresh_attempt(shop: Any, paykka_page: Any, paykka_stub: StubHandle,
                                                           request: pytest.FixtureRequest) -> None:
    request.node.paykka_allowed_console = ("410 (GONE)",)  # the SDK's init of the expired session
    server, paykka = shop
    page = paykka_page
    page.add_init_script(EVENTS)
    init_calls = inits(page)
    assert httpx.get(server.url + "/make/ORD5").status_code == 200  # a 60-second session
    paykka_stub.advance_clock(120)  # ... and the shopper comes back two minutes later
    page.goto(server.url + "/pay/ORD5?stored=1")
    wait_event(page, "expired")
    wait_event(page, "ready")
    expired, ready = events(page, "expired")[0], events(page, "ready")[0]
    assert ready["detail"]["sessionId"] != expired["detail"]["sessionId"]
    assert [a.trans_id for a in paykka.store.attempts("ORD5")] == ["ORD5-1", "ORD5-2"]
    assert len(init_calls) == 2
    # The shopper still sees why the form is empty again, above the fresh one.
    assert page.get_by_role("alert").filter(has_text="Your checkout session expired.").is_visible()
    fill_card(page, "4111111111111111")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/paid/ORD5$"))


def test_unmount_and_remount_are_idempotent(shop: Any, paykka_page: Any) -> None:
    server, _ = shop
    page = paykka_page
    page.add_init_script(EVENTS)
    init_calls = inits(page)
    page.goto(server.url + "/pay/ORD6")
    wait_event(page, "ready")
    same = page.evaluate("""() => {
      const el = document.querySelector('.paykka-card');
      const a = PayKKaEmbed.mount(el), b = PayKKaEmbed.mount(el);
      a.unmount(); a.unmount(); b.unmount();
      const empty = el.children.length === 0;
      const c = PayKKaEmbed.mount(el);
      return a === b && empty && c !== a;
    }""")
    assert same
    page.locator(".paykka-card iframe.pk-card-frame").wait_for()
    assert page.locator(".paykka-card iframe.pk-card-frame").count() == 1
    assert len(init_calls) == 1  # the remount reused the session's checkout
    fill_card(page, "4111111111111111")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/paid/ORD6$"))
