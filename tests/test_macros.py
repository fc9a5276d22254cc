"""The Jinja macros, rendered without any network: hostile names cannot inject an element or an
attribute, every tag carries the CSP nonce, and for every env the page loads the SDK from that
env's checkout host and passes the env value PayKKa's SDK expects."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string

from paykka_embed import PayKKa, signing
from paykka_embed.envs import ENVIRONMENTS
from paykka_embed.errors import ValidationError
from paykka_embed.flask import CheckoutSession
from paykka_embed.flask.templating import MOUNT_MESSAGES, messages_for, mount_messages

KEY = signing.generate_private_key()
HOSTILE = [
    "</script><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    '" onmouseover="alert(1)',
    "<img src=x onerror=alert(1)>",
    "]]></div><svg onload=alert(1)>",
    "{{ 7*7 }}",
]
PAGE = """{% import "paykka/macros.html" as paykka %}
{{ paykka.scripts() }}
{{ paykka.drop_in(session, locale=text, theme=text, success_url="/ok?x=" ~ text) }}
{{ paykka.component(session, "card", hide_payment_button=True, theme=text) }}
{{ paykka.component(session, "applepay") }}
{{ paykka.pay_button(session, label=text, component="card") }}
{{ paykka.pay_button(session) }}
{{ paykka.hosted_link(session, label=text, class_=text) }}"""

ALLOWED = {
    "link": {"rel", "href", "as", "nonce"},
    "script": {"src", "defer", "data-paykka-config", "nonce"},
    "div": {"id", "class", "lang", "dir", "data-paykka-mount", "aria-label", "nonce"},
    "p": {"class", "role", "nonce"},
    "noscript": {"nonce"},
    "button": {"type", "class", "data-paykka-pay", "data-paykka-component", "nonce"},
    "a": {"class", "href", "rel", "nonce"},
}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def make_app(tmp_path: Path, env: str = "sandbox", **config: Any) -> Flask:
    app = Flask("shop", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY="s", PAYKKA_ENV=env, PAYKKA_MERCHANT_ID="M1", PAYKKA_CLIENT_KEY="ck_test",
                      PAYKKA_PRIVATE_KEY=signing.private_pem(KEY), PAYKKA_PLATFORM_PUBLIC_KEY=signing.public_pem(KEY),
                      PAYKKA_DATABASE=str(tmp_path / "p.sqlite3"), **{"PAYKKA_CSP_NONCE": "n0nce", **config})
    PayKKa(app)
    return app


def session_for(app: Flask, text: str = "Shop", url: str = "https://checkout.example/hp/pay/CS1") -> CheckoutSession:
    state = PayKKa.state(app)
    return CheckoutSession(order_ref="ORD1", attempt=1, trans_id="ORD1-1", session_id="CS1", session_url=url,
                           mode="COMPONENT", client_key="ck_test", env=state.environment.sdk_env,
                           checkout_base=state.environment.checkout_base, amount=800, currency="HKD",
                           expire_time="2030-01-01T00:00:00+00:00", merchant_name=text)


def render(app: Flask, text: str, page: str = PAGE, **ctx: Any) -> str:
    with app.test_request_context("/"):
        return render_template_string(page, session=session_for(app, text), text=text, **ctx)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_inject_no_element_or_attribute(tmp_path: Path, text: str) -> None:
    html = render(make_app(tmp_path, PAYKKA_MERCHANT_NAME=text), text)
    parsed = Tags()
    parsed.feed(html)
    assert [t for t, _ in parsed.tags].count("script") == 1
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED, f"injected element <{tag}>"
        assert set(attrs) <= ALLOWED[tag], f"injected attribute on <{tag}>: {set(attrs) - ALLOWED[tag]}"
    # The hostile text survives as data, intact, where it was put.
    mounts = [json.loads(a["data-paykka-mount"]) for t, a in parsed.tags if "data-paykka-mount" in a]
    assert mounts[0]["theme"] == text and mounts[0]["successUrl"] == "/ok?x=" + text
    assert any(a.get("aria-label") == text for _, a in parsed.tags)
    assert text in "".join(parsed.text)  # labels are text, not markup
    assert "<script>alert" not in html and "<img" not in html and "<svg" not in html


def test_every_tag_carries_the_nonce(tmp_path: Path) -> None:
    parsed = Tags()
    parsed.feed(render(make_app(tmp_path), "Shop"))
    assert parsed.tags and all(attrs.get("nonce") == "n0nce" for _, attrs in parsed.tags)


def test_the_nonce_comes_from_g_when_not_configured(tmp_path: Path) -> None:
    app = make_app(tmp_path, PAYKKA_CSP_NONCE=None)
    from flask import g

    with app.test_request_context("/"):
        g.csp_nonce = "from-g"
        html = render_template_string(PAGE, session=session_for(app), text="x")
    parsed = Tags()
    parsed.feed(html)
    assert all(attrs.get("nonce") == "from-g" for _, attrs in parsed.tags)


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_each_env_loads_the_sdk_from_its_checkout_host_with_its_env_value(tmp_path: Path, env: str) -> None:
    preset = ENVIRONMENTS[env]
    app = make_app(tmp_path, env)
    parsed = Tags()
    parsed.feed(render(app, "Shop"))
    links = {a["rel"]: a["href"] for t, a in parsed.tags if t == "link"}
    assert links["preload"] == f"{preset.checkout_base}/cp/card-checkout-ui.js"
    assert links["stylesheet"] == f"{preset.checkout_base}/cp/style.css"
    assert links["preconnect"] == preset.checkout_base
    (script,) = [a for t, a in parsed.tags if t == "script"]
    config = json.loads(script["data-paykka-config"])
    assert (config["env"], config["sdkUrl"], config["checkoutBase"]) == (
        preset.sdk_env, links["preload"], preset.checkout_base)
    assert script["src"] == "/paykka/static/js/paykka-embed.js"
    for _, attrs in parsed.tags:
        if "data-paykka-mount" in attrs:
            assert json.loads(attrs["data-paykka-mount"])["env"] == preset.sdk_env


def test_sdk_env_values_are_what_paykkas_sdk_takes() -> None:
    assert {e.sdk_env for e in ENVIRONMENTS.values()} <= {"sandbox", "eu", "hk"}
    assert ENVIRONMENTS["hk"].checkout_base.startswith("https://") and ENVIRONMENTS["eu"].sdk_env == "eu"


def test_checkout_base_override_moves_the_sdk(tmp_path: Path) -> None:
    app = make_app(tmp_path, "eu", PAYKKA_CHECKOUT_BASE="https://cdn.shop.example/")
    assert 'href="https://cdn.shop.example/cp/card-checkout-ui.js"' in render(app, "x")


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:text/html,x", "//evil.example/x", "ok"])
def test_unsafe_urls_are_refused(tmp_path: Path, bad: str) -> None:
    app = make_app(tmp_path)
    with pytest.raises(ValidationError) as caught:
        render(app, "x", page='{% import "paykka/macros.html" as p %}{{ p.drop_in(session, success_url=u) }}', u=bad)
    assert caught.value.field == "success_url"
    with app.test_request_context("/"), pytest.raises(ValidationError) as caught:
        render_template_string('{% import "paykka/macros.html" as p %}{{ p.hosted_link(s) }}',
                               s=session_for(app, url=bad))
    assert caught.value.field == "session_url"


def test_options_reach_the_mount_element(tmp_path: Path) -> None:
    page = ('{% import "paykka/macros.html" as p %}{{ p.component(session, "googlepay", locale="ja-JP", '
            'theme="dark", hide_payment_button=True, success_url="/ok", failure_url="https://shop.example/no") }}'
            '{{ p.pay_button(session) }}')
    parsed = Tags()
    parsed.feed(render(make_app(tmp_path), "x", page=page))
    div = next(a for t, a in parsed.tags if t == "div")
    options = json.loads(div["data-paykka-mount"])
    assert options == {"sessionId": "CS1", "clientKey": "ck_test", "env": "sandbox", "mode": "component",
                       "checkoutBase": "https://checkout-fat.eu.paykka.com", "order": "ORD1",
                       "component": "googlepay", "locale": "ja-JP", "theme": "dark", "hidePaymentButton": True,
                       "successUrl": "/ok", "failureUrl": "https://shop.example/no",
                       "messages": mount_messages("ja-JP")}
    assert set(options["messages"]) == set(MOUNT_MESSAGES)
    assert div["id"] == "paykka-CS1-googlepay"
    button = next(a for t, a in parsed.tags if t == "button")
    assert button["data-paykka-pay"] == "CS1"
    assert "Pay HK$8.00" in "".join(parsed.text)


@pytest.mark.parametrize("locale,retry", [("zh-HK", "重試"), ("zh-TW", "重試"), ("zh-CN", "重试"), ("fr-CH", "Réessayer"),
                                          ("zh-Hans-HK", "重试"), ("zh-Hant-CN", "重試"), ("tl", "Subukan muli"),
                                          ("ar", "حاول مرة أخرى"), ("xx-YY", "Try again"), (None, "Try again")])
def test_messages_fall_back_to_the_parent_language_then_english(locale: str, retry: str) -> None:
    assert messages_for(locale)["retry"] == mount_messages(locale)["retry"] == retry


def test_every_locale_has_every_toolkit_message_with_the_same_placeholders() -> None:
    import re

    from paykka_embed import locales
    from paykka_embed.flask.templating import MESSAGES

    assert set(MESSAGES) == set(locales.SUPPORTED)
    english = MESSAGES["en-US"]
    assert set(MOUNT_MESSAGES) <= set(english)
    for locale, words in MESSAGES.items():
        assert set(words) == set(english), locale
        for key, mine in words.items():
            assert set(re.findall(r"\{\w+\}", mine)) == set(re.findall(r"\{\w+\}", english[key])), (locale, mine)
        if locale != "en-US":  # translated, not copied (but for brand-like words)
            assert sum(words[key] == english[key] for key in words) == 0, locale


def test_merchants_read_brands_as_the_checkout_shows_them(tmp_path: Path) -> None:
    page = '{{ paykka_brand_label("MASTERCARD") }} ending in 4444 · {{ paykka_brand_label("amex") }} · {{ paykka_brand_label(None) }}'
    assert render(make_app(tmp_path), "x", page=page) == "Mastercard ending in 4444 · American Express · Card"
