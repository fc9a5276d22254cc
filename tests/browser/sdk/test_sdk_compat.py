"""Item 1: pages written for PayKKa's SDK (as the WooCommerce plugin writes them) work
against the stand-in unchanged but for the script URL, and every callback fires with
its documented payload."""

from __future__ import annotations


import pytest

from test_sdk_kit import DROPIN, events, new_session, open_dropin, wait_event  # noqa: F401

from paykka_embed.testing.browser import card_frame, fill_card, pay, pay_with_card  # noqa: E402

pytestmark = pytest.mark.browser


def test_dropin_template_create_and_mount_without_init(paykka_page, paykka_merchant, shop) -> None:
    """The plugin's Drop-in template: old global name, setApiUrl/setCDNUrl after the
    checkout exists, setFraudDetectionEnv, no init(), per-method onSuccess."""
    cfg = new_session(paykka_merchant, shop)
    cfg["stub"] = shop.stub_url
    script = """
    var ui = window.PaykkaCardCheckoutUI;
    var checkout = new ui.PayKKaCheckout(callbacks({ env: "sandbox", hidePaymentButton: false }));
    ui.setApiUrl(CFG.stub);
    ui.setCDNUrl(CFG.stub + "/cp");
    ui.setFraudDetectionEnv({ SR: "pk_test_x" });
    checkout.create(ui.DropIn, { paymentMethods: {
      card: { showCardBrands: true, onSuccess: function (p) { log("cardSuccess", p); } },
      aliPay: { onSuccess: function (p) { log("alipaySuccess", p); } },
      wechatPay: { onSuccess: function (p) { log("wechatSuccess", p); } } } }).mount("#checkout");
    """
    page = paykka_page
    open_dropin(page, shop, cfg, script)
    methods = wait_event(page, "methods")
    assert [m["code"] for m in methods][:3] == ["BANKCARD", "APPLE_PAY", "GOOGLE_PAY"]
    assert methods[0]["brands"] == ["VISA", "MASTERCARD", "AMEX", "JCB", "DISCOVER", "DINERS"]
    pay_with_card(page, "4111111111111111")
    success = wait_event(page, "success")
    assert success["status"] == "SUCCESS"
    assert success["returnUrl"] == shop.url + "/return"
    assert success["orderId"].startswith("GW") and success["paymentMethod"] == "BANKCARD"
    assert events(page, "cardSuccess") == [success]
    assert events(page, "submit") == [{}]
    assert not events(page, "alipaySuccess")
    page.get_by_role("status").filter(has_text="Payment successful").wait_for()


def test_block_checkout_awaits_init_and_pays_from_its_own_button(paykka_page, paykka_merchant, shop) -> None:
    """The block checkout: await init(), mount by selector, hidePaymentButton, and the
    merchant's button calls ref.payment(), whose promise resolves with the result."""
    cfg = new_session(paykka_merchant, shop)
    script = """
    (async function () {
      var ui = window.PayKKaCardCheckoutUI;
      var checkout = new ui.PayKKaCheckout(callbacks({ hidePaymentButton: true }));
      var session = await checkout.init();
      log("init", { amount: session.amount });
      var card = checkout.create(ui.Card, { showCardBrands: true, cardInfoLayout: "combine", showHolderName: true });
      card.mount("#checkout");
      var button = document.getElementById("place-order");
      button.addEventListener("click", function () {
        card.ref.payment().then(function (r) { log("paymentResolved", r); });
      });
      log("mounted");
    })();
    """
    page = paykka_page
    page.goto(shop.page(script, cfg=cfg, body='<div id="checkout"></div><button id="place-order">Place order</button>'))
    wait_event(page, "mounted")
    assert page.locator(".pk-pay-button").count() == 0
    frame = card_frame(page)
    frame.get_by_label("Name on card").wait_for()
    fill_card(page, "5555555555554444", holder="Ada Lovelace")
    page.get_by_role("button", name="Place order").click()
    resolved = wait_event(page, "paymentResolved")
    assert resolved["status"] == "SUCCESS" and resolved["orderId"] == wait_event(page, "success")["orderId"]


def test_validation_errors_reach_on_submit_and_show_inline(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    open_dropin(page, shop, new_session(paykka_merchant, shop))
    pay_with_card(page, "4111111111111112", expiry="01/20", cvv="12")
    errors = wait_event(page, "submit")
    assert errors["cardNumber"][0]["code"] == "invalid"
    assert errors["expiryDate"][0]["code"] == "expired"
    assert errors["securityCode"][0]["code"] == "invalid"
    assert errors["cardNumber"][0]["message"] == "This card number is not valid"
    frame = card_frame(page)
    assert frame.get_by_label("Card number").get_attribute("aria-invalid") == "true"
    assert frame.get_by_role("alert").filter(has_text="This card number is not valid").count() == 1
    assert not events(page, "success") and not events(page, "error")


def test_a_session_initialises_once(paykka_page, paykka_merchant, shop, request) -> None:
    """As at PayKKa: a second checkout on the same session fails with a clear code."""
    request.node.paykka_allowed_console = ("409 (CONFLICT)",)  # the refused init, logged by Chromium
    cfg = new_session(paykka_merchant, shop)
    script = """
    var ui = window.PayKKaCardCheckoutUI;
    var first = new ui.PayKKaCheckout(callbacks());
    first.init().then(function () {
      log("first");
      var again = first.init();  // the same checkout: the same promise, no second call
      return again.then(function () {
        var second = new ui.PayKKaCheckout(callbacks());
        return second.init().catch(function (e) { log("rejected", { code: e.code }); });
      });
    });
    """
    page = paykka_page
    page.goto(shop.page(script, cfg=cfg))
    assert wait_event(page, "rejected") == {"code": "SESSION_ALREADY_INITIALISED"}
    assert wait_event(page, "initError")["code"] == "SESSION_ALREADY_INITIALISED"
    assert events(page, "error")[0]["code"] == "SESSION_ALREADY_INITIALISED"
    assert len(events(page, "methods")) == 1


def test_mount_into_a_detached_element_then_attach(paykka_page, paykka_merchant, shop) -> None:
    cfg = new_session(paykka_merchant, shop)
    script = """
    var ui = window.PayKKaCardCheckoutUI;
    var checkout = new ui.PayKKaCheckout(callbacks());
    var holder = document.createElement("div");
    checkout.create(ui.Card, {}).mount(holder);
    setTimeout(function () { document.getElementById("checkout").appendChild(holder); log("attached"); }, 50);
    """
    page = paykka_page
    page.goto(shop.page(script, cfg=cfg))
    wait_event(page, "attached")
    page.locator(".pk-pay-button:enabled").wait_for()
    pay_with_card(page, "378282246310005", cvv="1234")
    assert wait_event(page, "success")["status"] == "SUCCESS"


def test_set_api_url_before_construction_and_unknown_mount_target(paykka_page, paykka_merchant, shop) -> None:
    cfg = new_session(paykka_merchant, shop)
    cfg["stub"] = shop.stub_url
    script = """
    var ui = window.PayKKaCardCheckoutUI;
    ui.setApiUrl(CFG.stub);
    ui.setCDNUrl(CFG.stub + "/cp");
    var checkout = new ui.PayKKaCheckout(callbacks());
    try { checkout.create(ui.Card, {}).mount("#nowhere"); } catch (e) { log("thrown", { code: e.code }); }
    try { checkout.create(function () {}, {}); } catch (e) { log("thrown", { code: e.code }); }
    checkout.create(ui.DropIn, {}).mount("#checkout");
    """
    page = paykka_page
    open_dropin(page, shop, cfg, script)
    assert events(page, "thrown") == [{"code": "MOUNT_TARGET_NOT_FOUND"}, {"code": "UNKNOWN_COMPONENT"}]
