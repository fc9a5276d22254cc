"""Regenerate the README's screenshots of the demo shop and the emulator's dashboard, desktop and mobile,
with Playwright.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts the emulator and the demo shop on free ports with a throwaway data directory,
walks a shopper through the main pages, looks at the emulator's dashboard afterwards, and writes one
PNG per page and viewport.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from paykka_embed.demo import load_demo
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import StubHandle
from paykka_embed.testing.browser import card_field, chromium_launch_options, choose_method, fill_card, pay

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}


def shoot(page: Any, out: Path, name: str, viewport: str) -> None:
    path = out / f"{name}-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"wrote {path}")


def walk(page: Any, shop_url: str, stub: StubHandle, out: Path, viewport: str) -> None:
    page.goto(shop_url + "/")
    shoot(page, out, "catalogue", viewport)
    page.get_by_role("button", name="Add Celadon teapot to cart").click()
    shoot(page, out, "cart", viewport)
    page.get_by_role("button", name="Check out").click()
    page.wait_for_url(re.compile(r"/checkout/ORD"))
    card_field(page, "number").wait_for()
    shoot(page, out, "checkout-dropin", viewport)
    ref = page.url.rsplit("/", 1)[-1]
    page.goto(f"{shop_url}/checkout/{ref}?mode=components")
    card_field(page, "number").wait_for()
    page.locator(".pk-pay-button:enabled").first.wait_for()
    shoot(page, out, "checkout-components", viewport)
    page.goto(f"{shop_url}/checkout/{ref}")
    page.locator(".pk-pay-button:enabled").first.wait_for()
    fill_card(page, "4111111111111111")
    pay(page)
    page.wait_for_url(re.compile(r"/orders/ORD"))
    page.wait_for_function("() => document.getElementById('order-state').dataset.webhookStatus === 'SUCCESS'")
    shoot(page, out, "order", viewport)
    page.goto(shop_url + "/admin/")
    shoot(page, out, "admin", viewport)
    arabic(page, shop_url, out, viewport)
    dashboard(page, stub, out, viewport)


def dashboard(page: Any, stub: StubHandle, out: Path, viewport: str) -> None:
    """The emulator's dashboard after the walk: the shop's sessions, orders and balances (on a phone,
    filtered to what belongs with the paid order, which keeps the page short enough to read)."""
    page.goto(stub.url + "/")
    page.locator("#db-transactions table").wait_for()
    page.locator("#db-schedule li").first.wait_for()
    if viewport == "mobile":
        page.locator("#db-transactions a.db-id").first.click()
        page.locator("#db-filter").wait_for()
        page.evaluate("window.scrollTo(0, 0)")
    shoot(page, out, "dashboard", viewport)


def arabic(page: Any, shop_url: str, out: Path, viewport: str) -> None:
    """The checkout in Arabic, right to left: amounts and method names keep their own order."""
    page.goto(shop_url + "/")
    with page.expect_navigation():
        page.select_option("#locale-select", "ar")
    page.get_by_role("button", name="Add Jade tea cup to cart").click()
    page.get_by_role("button", name="Check out").click()
    page.wait_for_url(re.compile(r"/checkout/ORD"))
    ref = page.url.rsplit("/", 1)[-1]
    card_field(page, "number").wait_for()
    if page.locator('.pk-option[data-method="ALIPAY_PLUS"]').count():
        choose_method(page, "ALIPAY_PLUS")
    page.locator(".pk-pay-button:enabled").first.wait_for()
    shoot(page, out, "checkout-dropin-ar", viewport)
    page.goto(f"{shop_url}/checkout/{ref}?mode=hosted")
    page.locator("a[href*='/hp/pay/']").click()
    page.locator(".hp-amount").wait_for()
    page.locator(".pk-pay-button:enabled").first.wait_for()
    shoot(page, out, "hosted-ar", viewport)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stub = StubHandle.start()
    merchant = stub.register_merchant(name="Tea & Clay")
    with tempfile.TemporaryDirectory() as data:
        app = load_demo().create_app({**merchant.flask_config(), "DEMO_DATA_DIR": data})
        with BackgroundServer(app) as shop, sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_options())
            for viewport, size in VIEWPORTS.items():
                context = browser.new_context(viewport=size, device_scale_factor=1,
                                              is_mobile=viewport == "mobile", has_touch=viewport == "mobile")
                walk(context.new_page(), shop.url, stub, out, viewport)
                context.close()
            browser.close()
    stub.stop()


if __name__ == "__main__":
    main()
