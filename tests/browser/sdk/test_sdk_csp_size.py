"""Items 10 and 12: the checkout runs under a strict CSP (the kit's pages allow scripts
and styles only by nonce, frames and connections only to the stub, and fail on any
violation), and everything a Drop-in shopper downloads from the gateway stays small."""

from __future__ import annotations

import gzip

import pytest

from test_sdk_kit import DROPIN, new_session, open_dropin, wait_event  # noqa: F401

pytestmark = pytest.mark.browser
BUDGET = 30 * 1024


def test_no_inline_handlers_or_styles_and_the_stylesheet_carries_the_nonce(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    page.goto(shop.page(DROPIN, cfg=new_session(paykka_merchant, shop), stylesheet=False))
    page.locator(".pk-pay-button:enabled").wait_for()
    link = page.locator('link[href$="/cp/style.css"]')
    assert link.count() == 1 and link.evaluate("l => !!l.nonce")
    assert page.locator(".pk-pay-button").evaluate("b => getComputedStyle(b).borderRadius") == "8px"
    handlers = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e =>
        [...e.attributes].some(a => a.name.startsWith('on'))).length""")
    assert handlers == 0
    # The frames too: no inline handlers; their styles come from files or the CSSOM.
    for frame in page.frames[1:]:
        assert frame.evaluate("() => document.querySelectorAll('style, [onclick], [onload]').length") == 0


def test_dropin_payload_is_under_30_kb_gzipped(paykka_page, paykka_merchant, shop) -> None:
    page = paykka_page
    loaded = {}

    def record(response) -> None:
        if response.url.startswith(shop.stub_url) and response.status == 200:
            loaded[response.url] = response

    page.on("response", record)
    open_dropin(page, shop, new_session(paykka_merchant, shop))
    page.wait_for_function("() => performance.getEntriesByName('paykka:interactive').length === 1")
    sizes = {url: len(gzip.compress(resp.body(), 9)) for url, resp in loaded.items()}
    total = sum(sizes.values())
    paths = sorted(u[len(shop.stub_url):].split("#")[0] for u in sizes)
    assert "/cp/card-checkout-ui.js" in paths and "/cp/style.css" in paths and "/cp/api/init" in paths
    assert any(p.startswith("/cp/frames/card.html") for p in paths)
    assert "/cp/frames/card-frame.js" in paths and "/cp/frames/frame.css" in paths
    report = ", ".join(f"{u[len(shop.stub_url):]}={n}" for u, n in sorted(sizes.items()))
    print(f"Drop-in payload gzip -9: {total} bytes ({report})")
    assert total <= BUDGET, report
