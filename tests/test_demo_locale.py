"""The demo's checkout language: the shopper's choice in the switcher, else the browser's
Accept-Language (by the toolkit's rule, as the result pages and the mount layer follow it),
else English — so a shopper whose browser asks for Arabic gets a right-to-left checkout without
looking for the switcher."""

from __future__ import annotations

import re

import httpx

from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import StubHandle


def checkout_of(http: httpx.Client) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/").text).group(1)  # type: ignore[union-attr]
    http.post("/cart/add/jade-cup", data={"csrf_token": token})
    return str(http.post("/checkout", data={"csrf_token": token}).headers["location"])


def session_locale(stub: StubHandle, page: str) -> str:
    session_id = re.search(r'"sessionId": "([^"]+)"', page).group(1)  # type: ignore[union-attr]
    with stub.context.gateway.lock:
        return str(stub.context.gateway.sessions[session_id].request.display_locale)


def test_the_browsers_language_is_the_checkouts_until_the_shopper_chooses(demo_shop: BackgroundServer,
                                                                          paykka_stub: StubHandle) -> None:
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False,
                        headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
    page = http.get(checkout_of(http)).text
    assert '<section class="payment" aria-label="Payment" lang="ar" dir="rtl">' in page
    assert re.search(r'<option value="ar" lang="ar" selected>', page)
    assert session_locale(paykka_stub, page) == "ar"

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    http.post("/locale", data={"csrf_token": token, "locale": "fr-FR", "next": "/"})
    chosen = http.get(checkout_of(http)).text
    assert 'lang="fr-FR" dir="ltr"' in chosen and session_locale(paykka_stub, chosen) == "fr-FR"


def test_a_language_the_checkout_does_not_speak_is_english(demo_shop: BackgroundServer,
                                                            paykka_stub: StubHandle) -> None:
    http = httpx.Client(base_url=demo_shop.url, timeout=30, follow_redirects=False,
                        headers={"Accept-Language": "sw-KE,sw;q=0.9"})
    page = http.get(checkout_of(http)).text
    assert 'lang="en-US" dir="ltr"' in page and session_locale(paykka_stub, page) == "en-US"
