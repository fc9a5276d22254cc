"""The emulator's dashboard in Chromium: it follows a payment, a failed webhook delivery, a resend that
then succeeds and a clock advance without a reload; it is usable by keyboard alone with the focus
visible; axe finds no serious or critical violation in any tab, at desktop and phone widths; text in
the 14 locales' scripts wraps and right-to-left text is isolated; nothing breaks the page's CSP
(``paykka_page`` fails on any console error or CSP violation)."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

import pytest

from paykka_embed import signing, wire
from paykka_embed.stub.faults import WEBHOOK, Fault
from paykka_embed.stub.gateway import Gateway
from paykka_embed.testing import MerchantAccount, StubHandle

from stub_helpers import SignedCaller, WebhookReceiver, trans_id
from test_sdk_a11y import serious_violations

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

CARD = {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"}
WAIT = 15_000  # ms: the page asks every second; a loaded machine may take a few


def open_dashboard(page: Any, stub: StubHandle, merchant: MerchantAccount) -> None:
    page.goto(f"{stub.url}/#merchant={merchant.merchant_id}")
    expect(page.locator("#db-merchant-details")).to_contain_text(merchant.client_key, timeout=WAIT)
    page.evaluate("window.dashboardTestMarker = 1")  # gone if the page ever reloads


def still_the_same_page(page: Any) -> None:
    assert page.evaluate("window.dashboardTestMarker") == 1, "the page reloaded"


def new_session(caller: SignedCaller, **changes: Any) -> dict[str, Any]:
    made: dict[str, Any] = caller.ok(wire.PATH_CREATE_SESSION, {
        "trans_id": trans_id(), "amount": 2500, "currency": "HKD", "return_url": "https://shop.example/back",
        **changes})
    return made


def tab(page: Any, name: str) -> None:
    page.locator(f"#db-tab-{name}").click()
    expect(page.locator(f"#db-panel-{name}")).to_be_visible()


def test_the_page_follows_a_payment_a_failed_webhook_a_resend_and_a_clock_advance(
        paykka_page: Any, paykka_stub: StubHandle, paykka_merchant: MerchantAccount, caller: SignedCaller,
        gw: Gateway, receiver: WebhookReceiver) -> None:
    page = paykka_page
    open_dashboard(page, paykka_stub, paykka_merchant)
    expect(page.locator("#db-sessions")).to_contain_text("No session yet")

    # A payment, made through the emulator's API and the testing kit's gateway.
    receiver.statuses = [500]  # the shop's webhook endpoint fails the first delivery
    session = new_session(caller, notify_url=receiver.url)
    row = page.locator(f'tr[data-key="session-{session["session_id"]}"]')
    expect(row).to_contain_text("PROCESSING", timeout=WAIT)
    order_id = gw.pay_with_card(session["session_id"], paykka_merchant.client_key, CARD).order_id
    expect(row).to_contain_text("SUCCESS", timeout=WAIT)
    order = page.locator(f'tr[data-key="order-{order_id}"]')
    expect(order).to_contain_text("25.00 HKD", timeout=WAIT)
    expect(order).to_contain_text("can refund 25.00 HKD")
    expect(page.locator("#db-count-payments")).to_have_text("(1)")

    # The failed delivery, then a resend that succeeds.
    tab(page, "webhooks")
    delivery = page.locator("article.db-delivery").first
    expect(delivery.locator(".db-badge").first).to_have_text("pending", timeout=WAIT)
    expect(delivery).to_contain_text("HTTP 500")
    expect(delivery).to_contain_text("PAYMENT.SUCCESS")
    delivery.get_by_role("button", name=re.compile("^Resend now")).click()
    expect(delivery.locator(".db-badge").first).to_have_text("delivered", timeout=WAIT)
    expect(delivery).to_contain_text("resent by hand")
    expect(delivery).to_contain_text("HTTP 200")
    expect(delivery.get_by_role("button", name=re.compile("Deliver the next retry now"))).to_have_count(0)
    assert len(receiver.received) >= 2  # the shop's endpoint saw the failed attempt and the resend

    # A clock advance: an unpaid session waits on the clock, then expires.
    unpaid = new_session(caller)
    schedule = page.locator("#db-schedule")
    expect(schedule).to_contain_text(f"session {unpaid['session_id']}", timeout=WAIT)
    expect(schedule).to_contain_text("expires unpaid")
    page.locator("#db-advance-amount").fill("2")
    page.locator("#db-advance-unit").select_option("3600")
    page.locator("#db-advance").click()
    expect(page.locator("#db-offset")).to_contain_text("runs 2 h ahead of real time", timeout=WAIT)
    expect(schedule).not_to_contain_text(unpaid["session_id"])
    tab(page, "payments")
    expect(page.locator(f'tr[data-key="session-{unpaid["session_id"]}"]')).to_contain_text("EXPIRED", timeout=WAIT)

    # And back to real time.
    page.locator("#db-real-time").click()
    expect(page.locator("#db-offset")).to_have_text("Business time is real time.", timeout=WAIT)
    expect(page.locator("#db-real-time")).to_be_disabled()
    assert paykka_stub.context.clock.offset_seconds == 0
    still_the_same_page(page)


def test_ids_filter_every_list_to_what_belongs_together(paykka_page: Any, paykka_stub: StubHandle,
                                                        paykka_merchant: MerchantAccount, caller: SignedCaller,
                                                        gw: Gateway) -> None:
    page = paykka_page
    first = new_session(caller)
    first_order = gw.pay_with_card(first["session_id"], paykka_merchant.client_key, CARD).order_id
    second = new_session(caller)
    gw.pay_with_card(second["session_id"], paykka_merchant.client_key, CARD)
    refund = caller.ok(wire.PATH_REFUND, {"ori_order_id": first_order, "refund_trans_id": "rf-1",
                                          "refund_amount": 500, "currency": "HKD"})
    open_dashboard(page, paykka_stub, paykka_merchant)
    expect(page.locator("#db-transactions tbody tr")).to_have_count(2, timeout=WAIT)

    page.locator(f'#db-refunds a.db-id:text-is("{first_order}")').click()
    expect(page.locator("#db-filter")).to_be_visible()
    expect(page.locator("#db-filter-id")).to_have_text(first_order)
    expect(page.locator("#db-transactions tbody tr")).to_have_count(1)
    expect(page.locator("#db-sessions tbody tr")).to_have_count(1)
    expect(page.locator("#db-sessions")).to_contain_text(first["session_id"])
    expect(page.locator("#db-refunds")).to_contain_text(refund["refund_order_id"])
    assert f"related={first_order}" in page.url
    page.go_back()  # the filter is in the address: Back undoes it
    expect(page.locator("#db-filter")).to_be_hidden()
    expect(page.locator("#db-transactions tbody tr")).to_have_count(2)
    still_the_same_page(page)


def test_the_request_log_shows_verdicts_ignored_names_and_what_was_signed(
        paykka_page: Any, paykka_stub: StubHandle, paykka_merchant: MerchantAccount, caller: SignedCaller) -> None:
    page = paykka_page
    new_session(caller, colour="blue")
    body = json.dumps({"merchant_id": paykka_merchant.merchant_id, "trans_id": "ORD-1"}).encode()
    headers = signing.signed_headers(caller.key, paykka_merchant.app_id, wire.PATH_QUERY_SESSION, body)
    caller.http.post(wire.PATH_QUERY, content=body, headers={**headers, "content-type": "application/json"})
    open_dashboard(page, paykka_stub, paykka_merchant)
    tab(page, "requests")
    calls = page.locator("article.db-request")
    expect(calls).to_have_count(2, timeout=WAIT)
    refused = calls.first
    expect(refused).to_contain_text("refused 206003")
    expect(refused).to_contain_text("the path of another operation (Query Session)")
    differs = refused.locator("tr.db-differs")
    expect(differs).to_have_count(1)
    expect(differs.locator("th")).to_contain_text("path")
    expect(differs.locator("th")).to_contain_text("differs")
    expect(differs).to_contain_text(wire.PATH_QUERY_SESSION)
    accepted = calls.nth(1)
    expect(accepted).to_contain_text("accepted 000000")
    expect(accepted.locator(".db-warn")).to_contain_text("colour")

    page.locator("#db-verdict").select_option("refused")
    expect(calls).to_have_count(1, timeout=WAIT)
    expect(calls.first).to_contain_text("refused 206003")


def test_faults_and_reset_from_the_page(paykka_page: Any, paykka_stub: StubHandle, paykka_merchant: MerchantAccount,
                                        caller: SignedCaller) -> None:
    page = paykka_page
    new_session(caller)
    open_dashboard(page, paykka_stub, paykka_merchant)
    tab(page, "tools")
    page.locator("#db-fault-path").select_option(wire.PATH_CREATE_SESSION)
    page.locator("#db-fault-kind").select_option("status")
    expect(page.locator("#db-fault-status")).to_be_visible()
    page.locator("#db-fault-status").fill("502")
    page.locator("#db-fault-count").fill("2")
    page.locator("#db-fault-add").click()
    expect(page.locator("#db-faults li")).to_have_text(
        f"{wire.PATH_CREATE_SESSION}: answered HTTP 502 — 2 more", timeout=WAIT)
    expect(page.locator("#db-count-tools")).to_have_text("(1)")
    assert [(f["path"], f["status"], f["count"]) for f in paykka_stub.context.faults.list()] == [
        (wire.PATH_CREATE_SESSION, 502, 2)]
    page.locator("#db-fault-count").fill("0")
    page.locator("#db-fault-add").click()  # refused on the page, before anything is sent
    expect(page.locator("#db-fault-error")).to_contain_text("How many times")
    page.locator("#db-faults-clear").click()
    expect(page.locator("#db-faults li")).to_have_count(0, timeout=WAIT)

    page.locator("#db-reset").click()
    expect(page.locator("#db-reset-no")).to_be_focused()
    page.locator("#db-reset-yes").click()
    tab(page, "payments")
    expect(page.locator("#db-sessions")).to_contain_text("No session yet", timeout=WAIT)
    expect(page.locator("#db-merchant-details")).to_contain_text(paykka_merchant.merchant_id)  # merchants stay


def _focused(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return { id: e.id, text: (e.textContent || '').trim(), role: e.getAttribute('role'), tag: e.tagName,
                 focus: e.getAttribute('data-focus'), outline: s.outlineStyle, width: parseFloat(s.outlineWidth) }; }""")
    return found


def tab_to(page: Any, wanted: Any, limit: int = 80) -> dict[str, Any]:
    """Press Tab until ``wanted(focused)`` holds; the control must be reachable by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if wanted(focused):
            assert focused["outline"] != "none" and focused["width"] >= 2, f"focus not visible on {focused}"
            return focused
    raise AssertionError("not reachable with the Tab key")


def test_the_main_controls_work_from_the_keyboard_alone(paykka_page: Any, paykka_stub: StubHandle,
                                                        paykka_merchant: MerchantAccount, caller: SignedCaller,
                                                        gw: Gateway, receiver: WebhookReceiver) -> None:
    page = paykka_page
    receiver.statuses = [500]
    session = new_session(caller, notify_url=receiver.url)
    order_id = gw.pay_with_card(session["session_id"], paykka_merchant.client_key, CARD).order_id
    paykka_stub.wait_for_webhook(delivered=False, predicate=lambda d: bool(d["attempts"]))
    open_dashboard(page, paykka_stub, paykka_merchant)
    expect(page.locator(f'tr[data-key="order-{order_id}"]')).to_be_visible(timeout=WAIT)

    # The skip link, then the tabs: arrow keys, Home and End move and select.
    skip = tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Skip to the records")
    assert skip
    tab_to(page, lambda f: f["id"] == "db-merchant-select")
    tab_to(page, lambda f: f["id"] == "db-tab-payments")
    page.keyboard.press("ArrowRight")
    assert _focused(page)["id"] == "db-tab-cards"
    expect(page.locator("#db-panel-cards")).to_be_visible()
    page.keyboard.press("End")
    assert _focused(page)["id"] == "db-tab-tools"
    page.keyboard.press("Home")
    assert _focused(page)["id"] == "db-tab-payments"

    # An id filters, from the keyboard; "Show everything" undoes it.
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == order_id)
    page.keyboard.press("Enter")
    expect(page.locator("#db-filter")).to_be_visible()
    assert _focused(page)["text"] == order_id  # the place is kept through the redraw
    page.keyboard.press("Shift+Tab")
    for _ in range(60):
        if _focused(page)["id"] == "db-filter-clear":
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#db-filter")).to_be_hidden()

    # The webhooks tab, and Resend now.
    page.locator("#db-tab-payments").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert _focused(page)["id"] == "db-tab-webhooks"
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"].startswith("Resend now"))
    page.keyboard.press("Enter")
    delivery = page.locator("article.db-delivery").first
    expect(delivery.locator(".db-badge").first).to_have_text("delivered", timeout=WAIT)
    expect(delivery).to_contain_text("resent by hand")
    assert (_focused(page)["focus"] or "").endswith("|resend")  # still on the button after the redraw

    # The clock, typed and chosen with the keyboard.
    page.locator("#db-merchant-select").focus()
    tab_to(page, lambda f: f["id"] == "db-advance-amount")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    tab_to(page, lambda f: f["id"] == "db-advance-unit")
    page.keyboard.press("ArrowDown")  # minutes → hours
    assert page.locator("#db-advance-unit").input_value() == "3600"
    tab_to(page, lambda f: f["id"] == "db-advance")
    page.keyboard.press("Enter")
    expect(page.locator("#db-offset")).to_contain_text("runs 3 h ahead of real time", timeout=WAIT)
    tab_to(page, lambda f: f["id"] == "db-real-time")
    page.keyboard.press("Enter")
    expect(page.locator("#db-offset")).to_have_text("Business time is real time.", timeout=WAIT)
    assert _focused(page)["id"] == "db-advance"  # the disabled button handed the focus on
    still_the_same_page(page)


# --- axe, and text in every script ---------------------------------------------------------------------

#: Long words with no break opportunity, and right-to-left text, in the scripts of the 14 locales.
SCRIPTS = {
    "ar": "ابريقشايمنالسيلادونالمصنوعيدويامعغطاءوصينيةكبيرةجدا",
    "zh-CN": "青瓷茶壶手工制作非常长的商品名称需要在任何地方换行才不会撑破页面布局",
    "zh-HK": "青瓷茶壺手工製作非常長的商品名稱需要在任何地方換行",
    "ja-JP": "手作りの青磁急須とても長い商品名がここに入ります",
    "ko-KR": "수제청자찻주전자매우긴상품이름이여기에들어갑니다",
    "th-TH": "กาน้ำชาเซลาดอนทำมือชื่อสินค้ายาวมากที่ไม่มีช่องว่างเลย",
    "vi-VN": "Ấmtràmenngọcthủcôngtênsảnphẩmrấtdàikhôngcókhoảngtrắng",
    "de-DE": "Seladonteekannenhandwerksbetriebsgenossenschaftsvorsitzende",
    "fil-PH": "Pinakamahabangpangalanngproduktonawalangpuwang",
}


@pytest.fixture
def _axe_styles(request: pytest.FixtureRequest) -> Iterator[None]:
    # axe adds a <style> element while it runs, which the page's CSP refuses and reports; the
    # dashboard's own CSP behaviour is held by the tests above, which allow nothing.
    request.node.paykka_allowed_console = ("Applying inline style violates", "CSP violation: style-src-elem inline")
    yield


def populate(paykka_stub: StubHandle, merchant: MerchantAccount, caller: SignedCaller, gw: Gateway,
             receiver: WebhookReceiver) -> str:
    """A payment with goods in every script, a refund under review, a dispute, a stored card, a failed
    and a delivered webhook, an ignored field, a refused signature, and a fault."""
    receiver.statuses = [500]
    session = new_session(caller, notify_url=receiver.url, display_merchant_name="متجر الشاي والفخار",
                          goods=[{"name": name, "price": 100, "quantity": 1} for name in SCRIPTS.values()],
                          payment={"store_payment_method": True, "shopper_reference": SCRIPTS["ar"][:20]})
    order = gw.pay_with_card(session["session_id"], merchant.client_key,
                             {**CARD, "number": "4000000000007726"}).order_id
    caller.ok(wire.PATH_REFUND, {"ori_order_id": order, "refund_trans_id": "rf-1", "refund_amount": 500,
                                 "currency": "HKD"})
    paykka_stub.open_dispute(order, amount=300)
    new_session(caller, colour="blue")
    body = json.dumps({"merchant_id": merchant.merchant_id, "trans_id": "ORD-1"}).encode()
    headers = signing.signed_headers(caller.key, merchant.app_id, wire.PATH_QUERY_SESSION, body)
    caller.http.post(wire.PATH_QUERY, content=body, headers={**headers, "content-type": "application/json"})
    paykka_stub.context.faults.add(Fault(WEBHOOK, "fail", 1))
    paykka_stub.wait_for_webhook(delivered=False, predicate=lambda d: len(d["attempts"]) > 0)
    return order


@pytest.mark.parametrize("width", [1280, 390])
def test_every_tab_has_no_serious_axe_violation_and_nothing_overflows(
        paykka_page: Any, paykka_stub: StubHandle, paykka_merchant: MerchantAccount, caller: SignedCaller,
        gw: Gateway, receiver: WebhookReceiver, _axe_styles: None, width: int) -> None:
    page = paykka_page
    page.set_viewport_size({"width": width, "height": 900})
    order = populate(paykka_stub, paykka_merchant, caller, gw, receiver)
    open_dashboard(page, paykka_stub, paykka_merchant)
    expect(page.locator(f'tr[data-key="order-{order}"]')).to_be_visible(timeout=WAIT)
    for name in ("payments", "cards", "webhooks", "requests", "tools"):
        tab(page, name)
        page.locator(f"#db-panel-{name} details").evaluate_all("all => all.forEach(d => { d.open = true; })")
        assert serious_violations(page) == [], name
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name}: the page is {overflow}px wider than the window at {width}px"

    # Text someone else wrote is isolated, whatever its direction.
    tab(page, "payments")
    for text in SCRIPTS.values():
        goods = page.locator("#db-sessions bdi", has_text=text)
        expect(goods).to_have_count(1)
        box = goods.bounding_box()
        assert box is not None and box["width"] <= width, text
    assert page.locator("#db-merchant-details bdi").first.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    expect(page.locator("#db-sessions bdi", has_text="متجر الشاي والفخار")).to_have_count(1)
