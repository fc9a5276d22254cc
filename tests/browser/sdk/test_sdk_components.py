"""Item 6: Card, ApplePay, GooglePay and one component per wallet, several on one page
sharing one checkout (one init), each paying on its own."""

from __future__ import annotations


import pytest

from test_sdk_kit import events, new_session, wait_event  # noqa: F401

from paykka_embed.testing.browser import pay_with_card  # noqa: E402

pytestmark = pytest.mark.browser

SEVERAL = """
var ui = window.PayKKaCardCheckoutUI;
var checkout = new ui.PayKKaCheckout(callbacks());
var props = { showCardBrands: true, onSubmit: function (e) { log("ownSubmit", e); },
              onSuccess: function (p) { log("ownSuccess", p); }, onExpired: function () { log("ownExpired"); } };
CFG.components.forEach(function (name) {
  var host = document.createElement("section");
  host.id = "c-" + name;
  document.getElementById("checkout").appendChild(host);
  checkout.create(ui[name], props).mount(host);
});
"""

EXPORTS = ["Card", "ApplePay", "GooglePay", "WechatPay", "AlipayPlus", "GCash", "Maya", "ShopeePay", "GrabPay",
           "ZaloPay", "VietQR", "DropIn", "PayKKaCheckout", "setApiUrl", "setCDNUrl", "setFraudDetectionEnv"]


def test_every_component_is_exported(paykka_page, shop) -> None:
    page = paykka_page
    page.goto(shop.page(""))
    exported = page.evaluate("Object.keys(window.PayKKaCardCheckoutUI)")
    assert set(EXPORTS) <= set(exported)
    assert page.evaluate("window.PaykkaCardCheckoutUI === window.PayKKaCardCheckoutUI")


def test_card_apple_pay_and_wechat_pay_share_one_checkout(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    init_calls = []
    page.on("request", lambda r: init_calls.append(r.url) if r.url.endswith("/cp/api/init") and r.method == "POST" else None)
    cfg = new_session(paykka_merchant, shop)
    cfg["components"] = ["Card", "ApplePay", "WechatPay"]
    page.goto(shop.page(SEVERAL, cfg=cfg))
    page.locator("#c-Card .pk-pay-button:enabled").wait_for()
    page.locator("#c-ApplePay .pk-pay-button:enabled").wait_for()
    page.locator("#c-WechatPay .pk-pay-button:enabled").wait_for()
    assert len(init_calls) == 1
    assert "Simulated Apple Pay" in page.locator("#c-ApplePay").inner_text()
    # Pay with the Apple Pay component; its own onSuccess and the checkout's both fire.
    page.locator("#c-ApplePay .pk-pay-button").click()
    page.frame_locator("dialog.pk-modal iframe").get_by_role("button", name="Approve payment").click()
    success = wait_event(page, "success")
    assert success["paymentMethod"] == "APPLE_PAY"
    assert events(page, "ownSuccess") == [success]
    assert events(page, "ownSubmit") == [{}]


@pytest.mark.parametrize("name, currency", [("GooglePay", "HKD"), ("Card", "HKD"), ("GCash", "PHP"), ("VietQR", "VND")])
def test_single_component_pays(paykka_page, paykka_merchant, shop, name, currency) -> None:
    page = paykka_page
    cfg = new_session(paykka_merchant, shop, currency=currency, amount=100000, session_mode="COMPONENT")
    cfg["components"] = [name]
    page.goto(shop.page(SEVERAL, cfg=cfg))
    root = f"#c-{name}"
    page.locator(f"{root} .pk-pay-button:enabled").wait_for()
    if name == "Card":
        pay_with_card(page, "6011111111111117", root=root)
        assert wait_event(page, "success")["paymentMethod"] == "BANKCARD"
    elif name == "GooglePay":
        page.locator(f"{root} .pk-pay-button").click()
        page.frame_locator("dialog.pk-modal iframe").get_by_role("button", name="Approve payment").click()
        assert wait_event(page, "success")["paymentMethod"] == "GOOGLE_PAY"
    elif name == "GCash":
        page.locator(f"{root} .pk-pay-button").click()
        page.get_by_role("button", name="Approve payment").click()
        page.wait_for_url(shop.url + "/return?*")
    else:
        page.locator(f"{root} .pk-pay-button").click()
        href = page.locator(f"{root} .pk-qr-link").get_attribute("href")
        phone = page.context.new_page()
        phone.goto(href)
        phone.get_by_role("button", name="Approve payment").click()
        assert wait_event(page, "success")["paymentMethod"] == "VIETQR"


def test_component_for_a_method_the_session_does_not_offer(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    cfg = new_session(paykka_merchant, shop, currency="HKD")
    cfg["components"] = ["GCash"]
    page.goto(shop.page(SEVERAL, cfg=cfg))
    assert wait_event(page, "error")["code"] == "METHOD_NOT_AVAILABLE"
    page.locator("#c-GCash").get_by_role("alert").wait_for()
