"""Shared fixtures: the demo shop served on a real port against the live emulator, and
what the emulator's own tests share (a signed caller, the emulator's state, a webhook
receiver).

The emulator fixtures (paykka_stub, paykka_merchant, paykka_browser, paykka_page) come
from paykka-embed's own pytest plugin, the same one merchants use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from paykka_embed.demo import load_demo
from paykka_embed.stub import BackgroundServer
from paykka_embed.stub.gateway import Gateway
from paykka_embed.testing import MerchantAccount, StubHandle

from stub_helpers import SignedCaller, WebhookReceiver


# --- the emulator's tests ----------------------------------------------------------------------


@pytest.fixture
def caller(paykka_merchant: MerchantAccount) -> SignedCaller:
    """Signed v3 calls as the test's merchant, each answer's signature checked."""
    return SignedCaller(paykka_merchant)


@pytest.fixture
def gw(paykka_stub: StubHandle) -> Gateway:
    """The running emulator's state and operations (its tables and services' methods)."""
    gateway: Gateway = paykka_stub.context.gateway
    return gateway


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A merchant's webhook endpoint on a free port, recording what it is sent."""
    hooks = WebhookReceiver()
    yield hooks
    hooks.close()


# --- the demo shop -----------------------------------------------------------------------------


@pytest.fixture
def demo_shop(paykka_merchant: MerchantAccount, tmp_path: Path) -> Iterator[BackgroundServer]:
    """The demo storefront, configured for a fresh merchant, serving on a free port."""
    app = load_demo().create_app({**paykka_merchant.flask_config(), "DEMO_DATA_DIR": str(tmp_path / "shop")})
    with BackgroundServer(app) as server:
        yield server


class ShopDriver:
    """How a shopper gets from the catalogue to a checkout page, in a browser or over HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url

    def browser_checkout(self, page, product: str = "Jade tea cup", query: str = "") -> str:
        """Add ``product`` to the cart, check out, and wait for the checkout; returns the order ref."""
        import re

        page.goto(self.url + "/")
        page.get_by_role("button", name=f"Add {product} to cart").click()
        page.get_by_role("button", name="Check out").click()
        page.wait_for_url(re.compile(r"/checkout/ORD[0-9A-F]+$"))
        ref = page.url.rsplit("/", 1)[-1]
        if query:
            page.goto(page.url + query)
        return ref

    def http_checkout(self, product_id: str = "jade-cup") -> tuple["httpx.Client", str, str]:
        """The same over HTTP: a cookie-keeping client, the order ref and the page's CSRF token."""
        import re

        import httpx

        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        assert client.post(f"/cart/add/{product_id}", data={"csrf_token": token}).status_code == 303
        checkout = client.post("/checkout", data={"csrf_token": token})
        assert checkout.status_code == 303, checkout.text
        page = client.get(checkout.headers["location"]).text
        config = re.search(r"data-paykka-config='([^']+)'", page).group(1)
        csrf = re.search(r'"csrfToken": "([^"]+)"', config).group(1)
        return client, checkout.headers["location"].rsplit("/", 1)[-1], csrf


@pytest.fixture
def shop(demo_shop: BackgroundServer) -> ShopDriver:
    return ShopDriver(demo_shop.url)
