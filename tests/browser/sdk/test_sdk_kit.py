"""The merchant side of the SDK tests: a throwaway shop on its own origin (so the card
iframe really is cross-origin) whose pages call the stand-in exactly as pages written
for PayKKa's SDK do, under a strict CSP (scripts and styles by nonce only, frames,
connections and styles from the stub only). Test modules import from here."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any, Optional

from flask import Flask, Response

from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop checkout</title>
{head}
<style nonce="{nonce}">body {{ font-family: system-ui, sans-serif; max-width: 520px; margin: 24px auto; padding: 0 12px; }}</style>
</head><body><main><h1>Checkout</h1>{body}</main>
<script src="{stub}/cp/card-checkout-ui.js" nonce="{nonce}"></script>
<script nonce="{nonce}">
window.events = [];
function log(name, payload) {{ events.push({{ name: name, payload: JSON.parse(JSON.stringify(payload === undefined ? null : payload)) }}); }}
document.addEventListener("securitypolicyviolation", function (e) {{ console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI); }});
var CFG = {cfg};
function callbacks(extra) {{
  var base = {{ sessionId: CFG.sessionId, clientKey: CFG.clientKey,
    onPaymentMethodsReady: function (m) {{ log("methods", m); }},
    onSubmit: function (e) {{ log("submit", e); }},
    onSuccess: function (p) {{ log("success", p); }},
    onExpired: function (e) {{ log("expired", {{ code: e && e.code }}); }},
    onError: function (e) {{ log("error", {{ code: e.code, type: e.type, message: e.message }}); }},
    onInitError: function (e) {{ log("initError", {{ code: e.code, type: e.type, message: e.message }}); }},
    onTimeout: function (i) {{ log("timeout", i); }} }};
  Object.keys(extra || {{}}).forEach(function (k) {{ base[k] = extra[k]; }});
  return base;
}}
{script}
</script></body></html>"""


class MerchantSite:
    """Pages registered by tests, each served once at its own path."""

    def __init__(self, stub_url: str) -> None:
        self.stub_url = stub_url
        self.pages: dict[str, str] = {}
        self.app = Flask("sdk_test_shop")

        @self.app.get("/p/<key>")
        def page(key: str) -> Response:
            nonce = secrets.token_urlsafe(12)
            html = self.pages[key].replace("__NONCE__", nonce)
            resp = Response(html, mimetype="text/html")
            resp.headers["content-security-policy"] = (
                f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                f"frame-src {stub_url}; connect-src {stub_url}; img-src 'self'; base-uri 'none'; form-action 'self'"
            )
            return resp

        @self.app.get("/favicon.ico")
        def favicon() -> Response:
            return Response(status=204)

        @self.app.get("/return")
        def returned() -> Response:
            return Response("<!doctype html><title>Back at the shop</title><h1>Thank you</h1>", mimetype="text/html")

        @self.app.get("/cancel")
        def cancelled() -> Response:
            return Response("<!doctype html><title>Cart</title><h1>Your cart</h1>", mimetype="text/html")

        self.server = BackgroundServer(self.app)
        self.url = self.server.url

    def page(self, script: str, *, cfg: Optional[dict[str, Any]] = None, body: str = '<div id="checkout"></div>',
             head: str = "", stylesheet: bool = True) -> str:
        key = uuid.uuid4().hex
        link = f'<link rel="stylesheet" href="{self.stub_url}/cp/style.css" nonce="__NONCE__">' if stylesheet else ""
        self.pages[key] = PAGE.format(head=link + head, body=body, stub=self.stub_url, nonce="__NONCE__",
                                      cfg=json.dumps(cfg or {}), script=script)
        return f"{self.url}/p/{key}"


def new_session(merchant: MerchantAccount, shop: MerchantSite, **fields: Any) -> dict[str, Any]:
    """A session created through the real signed API; returns what the page needs."""
    request: dict[str, Any] = {
        "merchant_id": merchant.merchant_id, "trans_id": "T" + uuid.uuid4().hex[:20], "session_mode": "DROP_IN",
        "currency": "HKD", "amount": 800, "return_url": shop.url + "/return", "cancel_url": shop.url + "/cancel",
    }
    request.update(fields)
    with merchant.client() as client:
        data = client.create_session(request)
    return {"sessionId": data.session_id, "clientKey": merchant.client_key, "sessionUrl": data.session_url}


DROPIN = """
var ui = window.PayKKaCardCheckoutUI;
var checkout = new ui.PayKKaCheckout(callbacks(CFG.options || {}));
var dropin = checkout.create(ui.DropIn, CFG.dropin || {});
dropin.mount("#checkout");
"""


def open_dropin(page: Any, shop: MerchantSite, cfg: dict[str, Any], script: str = DROPIN) -> None:
    page.goto(shop.page(script, cfg=cfg))
    page.locator("#checkout .pk-pay-button:enabled").wait_for()


def wait_event(page: Any, name: str, timeout: float = 10_000) -> Any:
    page.wait_for_function("n => events.some(e => e.name === n)", arg=name, timeout=timeout)
    return events(page, name)[-1]


def events(page: Any, name: str) -> list[Any]:
    return [e["payload"] for e in page.evaluate("events") if e["name"] == name]


def choose(page: Any, code: str) -> None:
    """Pick a method in the Drop-in by its code, as a shopper clicks its row."""
    page.locator(f'.pk-option[data-method="{code}"]:not([data-stored]) .pk-option-label').click()
    page.locator(f'.pk-option[data-method="{code}"].pk-selected').wait_for()
