"""One locale rule, in the browser: the SDK stand-in (told a tag, it gets the resolved locale in the
emulator's init answer) and the mount layer (the macros hand it the resolved locale and its words)
give every tag of the shared table the same language, and everything the toolkit renders itself
(the placeholder, the noscript text, the pay button, its own messages) is in that language."""

from __future__ import annotations

import uuid
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator, Optional

import httpx
import pytest
from flask import Flask, render_template_string

from paykka_embed import OrderInfo, PayKKa, locales
from paykka_embed.flask.templating import messages_for, mount_messages
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount

from locale_table import BROWSER_TABLE
from test_sdk_kit import new_session  # noqa: F401

pytestmark = pytest.mark.browser

TAGS = [tag for tag, _ in BROWSER_TABLE]
EXPECTED = [want for _, want in BROWSER_TABLE]


def test_the_table_is_broad() -> None:
    assert len(BROWSER_TABLE) >= 40
    assert set(EXPECTED) == set(locales.SUPPORTED)


def test_the_stand_in_resolves_the_table(paykka_page: Any, paykka_merchant: MerchantAccount, shop: Any) -> None:
    page = paykka_page
    sessions = [new_session(paykka_merchant, shop)["sessionId"] for _ in TAGS]
    script = """
    window.resolved = Promise.all(CFG.tags.map(function (tag, i) {
      var checkout = new PayKKaCardCheckoutUI.PayKKaCheckout({ sessionId: CFG.sessions[i], clientKey: CFG.clientKey, locale: tag });
      return checkout.init().then(function (s) { return [s.locale, s.dir, s.messages.pay]; });
    }));
    """
    page.goto(shop.page(script, cfg={"tags": TAGS, "sessions": sessions, "clientKey": paykka_merchant.client_key}))
    got = page.evaluate("window.resolved")
    assert [g[0] for g in got] == EXPECTED, [(t, g[0], w) for t, g, w in zip(TAGS, got, EXPECTED) if g[0] != w]
    from paykka_embed.stub import i18n

    for (locale, direction, pay), want in zip(got, EXPECTED):
        assert direction == locales.direction(want) and pay == i18n.messages(want)["pay"]


PAGE = """<!doctype html><html lang="en"><head>{% import "paykka/macros.html" as paykka %}
{{ paykka.scripts() }}</head><body>
{% for session, tag in mounts %}{{ paykka.component(session, "applepay", locale=tag, id="m" ~ loop.index0) }}
{% endfor %}
</body></html>"""


@pytest.fixture
def locale_shop(paykka_merchant: MerchantAccount, tmp_path: Path) -> Iterator[str]:
    app = Flask("locale_shop", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY="s", PAYKKA_DATABASE=str(tmp_path / "p.sqlite3"), **paykka_merchant.flask_config())
    paykka = PayKKa(app)

    @paykka.order_resolver
    def resolve(ref: str) -> Optional[OrderInfo]:
        return OrderInfo(amount=Decimal("8.00"), currency="HKD")

    @app.get("/locales")
    def page() -> str:
        run = uuid.uuid4().hex[:8]
        mounts = [(paykka.create_session(f"L{run}{i}", "COMPONENT"), tag) for i, tag in enumerate(TAGS)]
        return render_template_string(PAGE, mounts=mounts)

    @app.get("/favicon.ico")
    def favicon() -> tuple[str, int]:
        return "", 204

    with BackgroundServer(app) as server:
        yield server.url


class Mounts(HTMLParser):
    """Each mount element's lang, its placeholder and its noscript text, as the server rendered them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, str]] = {}
        self.current: Optional[str] = None
        self.inside = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        a = dict(attrs)
        if tag == "div" and "data-paykka-mount" in a:
            self.current = str(a["id"])
            self.found[self.current] = {"lang": str(a["lang"]), "dir": str(a["dir"])}
        elif self.current and tag in ("p", "noscript"):
            self.inside = tag

    def handle_data(self, data: str) -> None:
        if self.current and self.inside:
            self.found[self.current][self.inside] = data.strip()
            self.inside = ""


def test_the_macros_render_each_mount_in_its_resolved_language(locale_shop: str) -> None:
    parsed = Mounts()
    parsed.feed(httpx.get(locale_shop + "/locales", timeout=30).text)
    for i, want in enumerate(EXPECTED):
        mount = parsed.found[f"m{i}"]
        words = messages_for(want)
        assert (mount["lang"], mount["dir"]) == (want, locales.direction(want)), TAGS[i]
        assert mount["p"] == words["loading"] and mount["noscript"] == words["noscript"], TAGS[i]


def test_the_mount_layer_and_the_sdk_agree_on_the_table(paykka_page: Any, locale_shop: str) -> None:
    page = paykka_page
    page.goto(locale_shop + "/locales")
    page.wait_for_function("n => document.querySelectorAll('.paykka-mount .pk-component[lang]').length === n",
                           arg=len(TAGS), timeout=60_000)
    got = page.evaluate("""() => [...document.querySelectorAll('.paykka-mount')].map(el => [
        el.lang, el.querySelector('.pk-component').lang,
        JSON.parse(el.dataset.paykkaMount).messages])""")
    for tag, want, (mount_lang, sdk_lang, messages) in zip(TAGS, EXPECTED, got):
        assert (mount_lang, sdk_lang) == (want, want), tag
        assert messages == mount_messages(want), tag
