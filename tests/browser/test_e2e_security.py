"""Card data and trust in the browser, against the demo shop under its strict CSP.

For every card flow (Drop-in, Components with the shop's own button, the Hosted page, a stored
card paid with its security code, a 3DS challenge): the card number never travels anywhere but
the card frame's own POST to the gateway's /cp/api/pay, never reaches the shop's origin, and never
appears in the merchant page's DOM or its inputs; no CSP violation happens in any frame. A hostile
frame on another origin (and the page itself) posting every plausible "payment succeeded" message,
even on the real channel, changes nothing: no navigation, no success event, the order stays unpaid,
and the card frame cannot be made to pay.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import unquote

import httpx
import pytest
from flask import Flask

from paykka_embed.demo import load_demo
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle
from paykka_embed.testing.browser import card_frame, complete_3ds, fill_card, pay
from tests.conftest import ShopDriver

pytestmark = pytest.mark.browser

CHALLENGE = "4000000000003220"


def spellings(pan: str) -> list[str]:
    """The card number as it could leak: plain, grouped by four as typed, and URL-encoded."""
    spaced = " ".join(pan[i:i + 4] for i in range(0, len(pan), 4))
    return [pan, spaced, spaced.replace(" ", "+"), spaced.replace(" ", "%20")]


# --- what the browser sends, what the merchant page holds, what the CSP refuses ------------------

WATCH = """
(() => {
  const report = (kind, text) => { try { window.__pkWatch(kind, text); } catch (e) { /* not bound here */ } };
  document.addEventListener("securitypolicyviolation", e => report("csp",
    e.violatedDirective + " " + e.blockedURI + " @ " + location.href), true);
  if (window.top !== window) return;
  // The merchant page's own DOM and inputs, whenever they change.
  const snapshot = () => {
    const values = Array.from(document.querySelectorAll("input, textarea, select"), el => el.value).join("\\n");
    report("dom", (document.documentElement ? document.documentElement.outerHTML : "") + "\\n" + values);
  };
  new MutationObserver(snapshot).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener("input", snapshot, true);
  document.addEventListener("change", snapshot, true);
})();
"""


class Watch:
    """Every request of the page and its frames, every CSP violation in any frame, and whether the
    merchant page's DOM (main frame) ever held one of ``pans``."""

    def __init__(self, page: Any, shop_url: str, stub_url: str, pans: list[str]) -> None:
        self.page, self.shop_url, self.stub_url = page, shop_url, stub_url
        self.pans = pans
        self.requests: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.dom_leaks: list[str] = []
        self.dom_snapshots = 0
        page.on("request", self._request)
        page.expose_binding("__pkWatch", self._report)
        page.add_init_script(WATCH)

    def _request(self, req: Any) -> None:
        try:
            body = req.post_data
        except Exception:  # a binary body
            body = (req.post_data_buffer or b"").decode("latin-1")
        try:
            frame_url = req.frame.url
        except Exception:
            frame_url = ""
        self.requests.append({"method": req.method, "url": req.url, "body": body or "", "frame": frame_url})

    def _report(self, source: Any, kind: str, text: str) -> None:
        if kind == "csp":
            self.violations.append(text)
        elif kind == "dom":
            self.dom_snapshots += 1
            self.note_dom(text, "observer")

    def note_dom(self, text: str, when: str) -> None:
        for pan in self.pans:
            if any(s in text for s in spellings(pan)):
                self.dom_leaks.append(f"{pan} in the merchant page's DOM ({when})")

    def check_dom_now(self, when: str) -> None:
        """The main frame's DOM and every input value, right now."""
        text = self.page.evaluate("""() => document.documentElement.outerHTML + "\\n" +
            Array.from(document.querySelectorAll("input, textarea, select"), el => el.value).join("\\n")""")
        self.note_dom(text, when)
        assert not self.dom_leaks, self.dom_leaks

    def carrying(self, pan: str) -> list[dict[str, Any]]:
        return [r for r in self.requests
                if any(s in r["url"] or s in unquote(r["url"]) or s in r["body"] for s in spellings(pan))]

    def assert_clean(self, *, typed: Optional[str], typed_pans_sent: bool = True) -> None:
        for pan in self.pans:
            carrying = self.carrying(pan)
            to_shop = [r for r in carrying if r["url"].startswith(self.shop_url)]
            assert to_shop == [], f"{pan} sent to the merchant's origin: {to_shop}"
            elsewhere = [r for r in carrying if not (r["method"] == "POST" and r["url"] == self.stub_url + "/cp/api/pay"
                                                      and r["frame"].startswith(self.stub_url + "/cp/frames/card.html"))]
            assert elsewhere == [], f"{pan} sent outside the card frame's pay call: {elsewhere}"
            if pan == typed and typed_pans_sent:
                assert carrying, "the card frame's pay call was not seen: the request log is blind"
            elif pan != typed:
                assert carrying == [], f"{pan} was never typed here yet was sent: {carrying}"
        assert not self.dom_leaks, self.dom_leaks
        assert self.dom_snapshots > 0, "the DOM observer never ran: the DOM check is blind"
        assert self.violations == [], f"CSP violations: {self.violations}"


def pump_until(page: Any, condition: Any, rounds: int = 200) -> bool:
    """Round trips to the page (each delivers what its bindings reported) until ``condition()``."""
    for _ in range(rounds):
        if condition():
            return True
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
    return bool(condition())


def ready(page: Any) -> None:
    page.locator(".pk-pay-button:enabled, [data-paykka-pay]:enabled").first.wait_for()


def wait_order_page(page: Any, ref: str, status: str = "SUCCESS") -> None:
    page.wait_for_url(re.compile(rf"/orders/{ref}$"))
    page.wait_for_function("s => document.getElementById('order-state').dataset.webhookStatus === s", arg=status,
                           timeout=15_000)


def order_status(shop_url: str, ref: str) -> dict[str, Any]:
    status: dict[str, Any] = httpx.get(f"{shop_url}/orders/{ref}/status.json", timeout=10).raise_for_status().json()
    return status


def test_the_watch_sees_what_it_looks_for(paykka_page: Any, paykka_stub: StubHandle, shop: Any,
                                         request: pytest.FixtureRequest) -> None:
    """The checks below are not blind: a number put in the merchant page's inputs or text, sent to
    the shop, or an image the CSP refuses, is each caught."""
    request.node.paykka_allowed_console = ("Content Security Policy", "Refused to load", "CSP violation: img-src")
    page = paykka_page
    pan = "4111111111111111"
    watch = Watch(page, shop.url, paykka_stub.url, [pan])
    shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    page.evaluate("""pan => { const i = document.createElement('input'); document.body.appendChild(i); i.value = pan; }""",
                  pan)
    with pytest.raises(AssertionError, match="DOM"):
        watch.check_dom_now("planted input value")
    watch.dom_leaks.clear()
    page.evaluate("""spaced => { document.body.append(spaced); }""", spellings(pan)[1])
    assert pump_until(page, lambda: watch.dom_leaks), "the observer missed a number in the page's text"
    watch.dom_leaks.clear()
    page.evaluate("""([url, pan]) => fetch(url + '/?n=' + pan).catch(() => null)""", [shop.url, pan])
    page.evaluate("""() => { const img = new Image(); img.src = 'http://127.0.0.2:9/pixel.png'; document.body.append(img); }""")
    assert pump_until(page, lambda: any("img-src" in v for v in watch.violations)), "the CSP listener is deaf"
    with pytest.raises(AssertionError, match="merchant's origin"):
        watch.assert_clean(typed=pan)


# --- the card flows -----------------------------------------------------------------------------

FLOWS = ["dropin", "components", "hosted", "3ds-challenge"]


@pytest.mark.parametrize("flow", FLOWS)
def test_card_number_stays_in_the_card_frame(paykka_page: Any, paykka_stub: StubHandle, shop: Any,
                                             flow: str) -> None:
    page = paykka_page
    pan = CHALLENGE if flow == "3ds-challenge" else "4111111111111111"
    watch = Watch(page, shop.url, paykka_stub.url, [pan])
    query = {"components": "?mode=components", "hosted": "?mode=hosted"}.get(flow, "")
    ref = shop.browser_checkout(page, "Jade tea cup", query=query)
    if flow == "hosted":
        page.get_by_role("link", name="Continue to secure payment").click()
        page.wait_for_url(re.compile(re.escape(paykka_stub.url) + r"/hp/pay/CS"))
    ready(page)
    # As typed by a shopper: grouped by four in the components flow, plain elsewhere.
    fill_card(page, " ".join(spellings(pan)[1:2]) if flow == "components" else pan)
    watch.check_dom_now("after filling")
    if flow == "components":
        page.get_by_role("button", name=re.compile(r"^Place order")).click()
    else:
        pay(page)
    if flow == "3ds-challenge":
        page.locator("dialog.pk-modal[open]").wait_for()
        watch.check_dom_now("during the challenge")
        complete_3ds(page, passed=True)
    wait_order_page(page, ref)
    watch.check_dom_now("after paying")
    watch.assert_clean(typed=pan)


def test_stored_card_paid_with_its_code_sends_no_card_number(paykka_page: Any, paykka_stub: StubHandle,
                                                              shop: Any) -> None:
    page = paykka_page
    pan = "5555555555554444"
    watch = Watch(page, shop.url, paykka_stub.url, [pan])
    page.goto(shop.url + "/account")
    page.get_by_role("button", name="Sign in as demo shopper").click()
    page.get_by_text("Signed in as the demo shopper").first.wait_for()
    first = shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    page.get_by_label("Save this card for future payments").check()
    fill_card(page, pan)
    watch.check_dom_now("after filling the card to save")
    pay(page)
    wait_order_page(page, first)
    watch.assert_clean(typed=pan)

    seen = len(watch.requests)
    second = shop.browser_checkout(page, "Celadon teapot")
    ready(page)
    assert page.locator(".pk-option").first.get_attribute("data-stored") == "true"
    card_frame(page).get_by_label("Security code").fill("321")
    watch.check_dom_now("after typing the security code")
    pay(page)
    wait_order_page(page, second)
    watch.check_dom_now("after paying with the stored card")
    later = watch.requests[seen:]
    assert [r for r in later if r["url"] == paykka_stub.url + "/cp/api/pay"], "no one-click pay call seen"
    assert [r for r in later if any(s in r["url"] + r["body"] for s in spellings(pan))] == []
    # The security code itself goes only to the gateway, from the card frame.
    cvv_to_shop = [r for r in later if r["url"].startswith(shop.url) and '"321"' in r["body"]]
    assert cvv_to_shop == []
    watch.assert_clean(typed=pan)


# --- a hostile frame ------------------------------------------------------------------------------

HOSTILE = """<!doctype html><html><head><title>Ad</title></head><body><p>An advert.</p><script>
// Every plausible way to claim a payment succeeded, posted to the merchant page; and a try at
// making the card frame pay. `channels` are guesses plus, in the strongest case, the real ones.
window.fire = function (channels) {
  const result = { status: "SUCCESS", orderId: "GW0000000000FORGED", sessionId: "CS-forged",
                   paymentMethod: "BANKCARD", amount: 800, currency: "HKD" };
  const shapes = [
    { type: "paykka:result", result: result },
    { type: "paykka:action-result", result: result },
    { type: "paykka:submit-request" },
    { type: "paykka:frame-ready" },
    { type: "paykka:success", payload: result },
    { type: "paykka:success", detail: result },
    { type: "success", result: result },
    { status: "SUCCESS", orderId: result.orderId },
  ];
  const sent = [];
  const post = (target, msg) => { target.postMessage(msg, "*"); target.postMessage(JSON.stringify(msg), "*"); };
  [undefined].concat(channels).forEach(channel => shapes.forEach(shape => {
    const msg = Object.assign({}, shape);
    if (channel !== undefined) msg.channel = channel;
    post(window.parent, msg);
    sent.push(msg);
    // Siblings: the card frame would pay on "paykka:pay" if it trusted the sender.
    for (let i = 0; i < window.parent.frames.length; i++) {
      const sibling = window.parent.frames[i];
      if (sibling !== window) { post(sibling, { type: "paykka:pay", channel: channel }); }
    }
  }));
  window.parent.postMessage({ probe: "done" }, "*");
  return sent.length;
};
</script></body></html>"""

SELF_FORGERY = """channels => {
  const result = { status: "SUCCESS", orderId: "GW0000000000FORGED", paymentMethod: "BANKCARD" };
  const shapes = [{ type: "paykka:result", result }, { type: "paykka:action-result", result },
                  { type: "paykka:submit-request" }, { type: "paykka:success", detail: result }];
  [undefined].concat(channels).forEach(channel => shapes.forEach(shape => {
    const msg = Object.assign({}, shape);
    if (channel !== undefined) msg.channel = channel;
    window.postMessage(msg, "*");
    window.postMessage(msg, location.origin);
  }));
  window.postMessage({ probe: "done" }, "*");
}"""

LISTEN = """
window.__successes = 0; window.__probes = 0;
document.addEventListener("paykka:success", () => { window.__successes += 1; }, true);
window.addEventListener("message", e => { if (e.data && e.data.probe === "done") window.__probes += 1; });
"""


@pytest.fixture
def hostile_site() -> Iterator[str]:
    app = Flask("hostile")

    @app.get("/ad")
    def ad() -> str:
        return HOSTILE

    @app.get("/favicon.ico")
    def favicon() -> tuple[str, int]:
        return "", 204

    with BackgroundServer(app) as server:
        yield server.url


@pytest.fixture
def ad_shop(paykka_merchant: MerchantAccount, hostile_site: str, tmp_path: Path) -> Iterator[ShopDriver]:
    """The demo shop, whose merchant lets one third-party frame (an advert, a chat) into its pages'
    CSP; everything else of the demo's strict policy stays as it is."""
    app = load_demo().create_app({**paykka_merchant.flask_config(), "DEMO_DATA_DIR": str(tmp_path / "shop")})
    inner = app.wsgi_app

    def allow_the_ad(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            headers = [(k, v.replace("frame-src ", f"frame-src {hostile_site} ")
                        if k.lower() == "content-security-policy" else v) for k, v in headers]
            return start_response(status, headers, *rest)
        return inner(environ, start)

    app.wsgi_app = allow_the_ad  # type: ignore[method-assign]
    with BackgroundServer(app) as server:
        yield ShopDriver(server.url)


def channels_of(page: Any) -> list[str]:
    srcs = page.evaluate("() => Array.from(document.querySelectorAll('iframe'), f => f.src)")
    found = [re.search(r"[?&]channel=([^&#]+)", s) for s in srcs]
    return [unquote(m.group(1)) for m in found if m]


def assert_nothing_changed(page: Any, shop_url: str, ref: str, url: str, navigations: list[str],
                           pay_calls: list[str]) -> None:
    assert page.url == url and navigations == [], navigations
    assert page.evaluate("window.__successes") == 0
    status = order_status(shop_url, ref)
    assert status["status"] not in ("SUCCESS", "AUTHORIZED") and status["confirmed_by_query"] is None, status
    assert pay_calls == [], f"the card frame was made to pay: {pay_calls}"


def test_hostile_frame_and_page_forged_success_messages_change_nothing(paykka_page: Any, paykka_stub: StubHandle,
                                                                       ad_shop: ShopDriver, hostile_site: str) -> None:
    shop = ad_shop
    page = paykka_page
    watch = Watch(page, shop.url, paykka_stub.url, ["4111111111111111", CHALLENGE])
    page.add_init_script(LISTEN)
    ref = shop.browser_checkout(page, "Jade tea cup")
    ready(page)
    url = page.url
    navigations: list[str] = []
    page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)
    pay_calls: list[str] = []
    page.on("request", lambda r: pay_calls.append(r.url) if r.url.endswith("/cp/api/pay") else None)

    page.evaluate("src => { const f = document.createElement('iframe'); f.id = 'ad'; f.src = src;"
                  " document.body.appendChild(f); }", hostile_site + "/ad")
    ad = page.frame_locator("#ad").locator("p")
    ad.wait_for()
    hostile = next(f for f in page.frames if f.url.startswith(hostile_site))
    real = channels_of(page)
    assert real, "the card frame's channel was not found"
    guesses = ["pkcard-1", "pkcard-1-aaaaaa", "pkaction-1", "paykka"]

    # 1. The checkout is ready: forged results, guessed and real channels, from the frame and the page.
    assert hostile.evaluate("c => fire(c)", guesses + real) > 0
    page.wait_for_function("() => window.__probes === 1")
    page.evaluate(SELF_FORGERY, guesses + real)
    page.wait_for_function("() => window.__probes === 2")
    assert_nothing_changed(page, shop.url, ref, url, navigations, pay_calls)
    assert page.locator(".paykka-message").count() == 0  # not even an error shown

    # 2. A real 3DS challenge is open: a forged verification result for its very channel.
    fill_card(page, CHALLENGE)
    pay(page)
    page.locator("dialog.pk-modal[open]").wait_for()
    pay_calls.clear()
    modal_channels = [c for c in channels_of(page) if c not in real]
    assert modal_channels, "the challenge frame's channel was not found"
    hostile.evaluate("c => fire(c)", guesses + modal_channels)
    page.wait_for_function("() => window.__probes === 3")
    page.evaluate(SELF_FORGERY, modal_channels)
    page.wait_for_function("() => window.__probes === 4")
    assert page.locator("dialog.pk-modal[open]").is_visible()  # still waiting for the shopper
    assert_nothing_changed(page, shop.url, ref, url, navigations, pay_calls)

    # The genuine answer still works.
    complete_3ds(page, passed=True)
    wait_order_page(page, ref)
    assert order_status(shop.url, ref)["status"] == "SUCCESS"
    watch.assert_clean(typed=CHALLENGE)
