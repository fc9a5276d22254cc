"""The WooCommerce plugin's v3 requests, byte for byte as the plugin builds and signs them, are
accepted by the emulator exactly as sent; the genuinely invalid variants are still refused
with 010000 naming the field and the rule.

The bodies come from :mod:`woocommerce_plugin` (PHP's json_encode rebuilt: nulls inside nested
objects, integer WooCommerce ids, ``Y-m-d\\TH:i:sO`` expiry, ``\\/`` and ``\\uXXXX`` escapes,
pretty-printed session bodies) and are signed the plugin's way, with its private key setting
as bare Base64 PKCS#8 and its separate App ID setting.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any, Callable

import pytest

from paykka_embed import signing
from paykka_embed.stub.gateway import Gateway
from paykka_embed.testing import MerchantAccount, StubHandle
from paykka_embed.testing.stub import shared_test_key

import woocommerce_plugin as wp
from stub_helpers import WebhookReceiver

CARD = {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"}
MODES = ("HOSTED", "DROP_IN", "COMPONENT")


@pytest.fixture
def shop(paykka_stub: StubHandle, receiver: WebhookReceiver) -> tuple[wp.Plugin, MerchantAccount]:
    """A WooCommerce shop: the plugin configured with its own App ID, its key pasted as bare
    Base64, and a WordPress site whose home URL has a non-ASCII path (so PHP's \\uXXXX escapes
    show up in the bodies encoded with default flags)."""
    app_id = "wc-app-" + secrets.token_hex(4)
    merchant = paykka_stub.register_merchant(name="Woo Tea Shop", app_id=app_id)
    assert merchant.app_id == app_id != merchant.merchant_id
    site = receiver.server.url + "/茶舖"
    plugin = wp.Plugin(paykka_stub.url, merchant.merchant_id, app_id, wp.bare_base64_pkcs8(shared_test_key()), site)
    return plugin, merchant


def new_order(**changes: Any) -> wp.WooOrder:
    return wp.WooOrder(id=secrets.randbelow(10**6) + 1000, **changes)


def paid_order(paykka_stub: StubHandle, plugin: wp.Plugin, merchant: MerchantAccount) -> tuple[wp.WooOrder, str, str]:
    order = new_order()
    created = plugin.create_session(order, "DROP_IN")
    assert created.accepted, created.body
    session_id = created.body["data"]["session_id"]
    gw: Gateway = paykka_stub.context.gateway
    return order, session_id, gw.pay_with_card(session_id, merchant.client_key, CARD).order_id


def no_leniency_needed_beyond_nulls(sent: wp.Sent) -> None:
    """Every name the plugin sends is a documented field: nothing is reported as ignored."""
    assert "x-paykka-stub-ignored-fields" not in sent.headers, sent.headers.get("x-paykka-stub-ignored-fields")


# --- what the plugin sends really has the shapes under test ------------------------------------


def test_the_bodies_have_the_plugins_shapes(shop: tuple[wp.Plugin, MerchantAccount]) -> None:
    plugin, _ = shop
    order = new_order()
    raw = wp.session_body(wp.session_request(order, plugin.merchant_id, "DROP_IN", site=plugin.site))
    text = raw.decode()
    assert '\n    "payment": {\n        "payment_method": null,' in text  # pretty-printed, nulls kept
    assert '"token_data": null' in text and '"card_no": null' in text
    assert '"id": 11,' in text and f'"id": {order.user_id},' in text  # integer ids
    assert '"country": "",' in text  # a virtual order's blank shipping address
    assert '"delivery_date": ""' in text
    assert "陳" in text and "https://" in text and "\\/" not in text  # unescaped unicode and slashes
    expire = json.loads(raw)["expire_time"]
    assert expire.endswith("+0800") and "T" in expire and len(expire) == len("2025-03-08T10:00:00+0800")
    refund = wp.php_json_encode(wp.refund_request(order, plugin.merchant_id, "GW1", "5.50", "R1", site=plugin.site))
    assert b"http:\\/\\/" in refund and b"\\u8336\\u8216" in refund  # PHP's default escapes
    key = wp.bare_base64_pkcs8(shared_test_key())
    assert "\n" not in key and "BEGIN" not in key
    headers = wp.plugin_headers(wp.PATH_QUERY, b"{}", key, "app")
    assert headers["x-paykka-sign"].endswith("%3D%3D") and len(headers["x-paykka-nonce"]) == 16


# --- acceptance ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("manual_capture", [False, True], ids=["automatic", "manual"])
def test_create_session_in_every_mode_is_accepted_as_sent(shop: tuple[wp.Plugin, MerchantAccount],
                                                          paykka_stub: StubHandle, mode: str,
                                                          manual_capture: bool) -> None:
    plugin, merchant = shop
    order = new_order()
    sent = plugin.create_session(order, mode, manual_capture=manual_capture)
    assert sent.accepted, sent.body
    no_leniency_needed_beyond_nulls(sent)
    data = sent.body["data"]
    assert (data["trans_id"], data["session_mode"], data["amount"], data["currency"]) == (
        str(order.id), mode, "2550", "HKD")
    assert data["capture_method"] == ("MANUAL" if manual_capture else "AUTOMATIC")
    assert data["session_url"].endswith("/hp/pay/" + data["session_id"])
    # The expiry the plugin wrote (+0800, five minutes ahead) is the session's.
    gw: Gateway = paykka_stub.context.gateway
    session = gw.sessions[data["session_id"]]
    assert session.request.expire_time is not None
    assert session.request.expire_time.utcoffset() == timedelta(hours=8)
    # The integer ids were read as their text; blank shipping fields as absent.
    assert session.request.goods is not None and [g.id for g in session.request.goods] == ["11", "12"]
    assert session.request.customer is not None and session.request.customer.id == str(order.user_id)
    assert session.request.shipping is not None and session.request.shipping.country is None
    assert session.request.bill is not None and session.request.bill.area_code == "+852"
    assert session.request.notify_url == plugin.site + "/wp-json/paykka/v1/webhook"
    # Its answer verifies with the platform key, as the plugin's PayKKa answers would.
    signing.verify_headers(signing.load_public_key(merchant.platform_public_key), wp.PATH_SESSION,
                           sent.headers, sent.raw)


def test_query_by_each_key_refund_and_refund_query_are_accepted_as_sent(
        shop: tuple[wp.Plugin, MerchantAccount], paykka_stub: StubHandle, receiver: WebhookReceiver) -> None:
    plugin, merchant = shop
    order, session_id, order_id = paid_order(paykka_stub, plugin, merchant)
    for key, value in (("trans_id", str(order.id)), ("order_id", order_id), ("session_id", session_id)):
        sent = plugin.query(key, value)
        assert sent.accepted, (key, sent.body)
        no_leniency_needed_beyond_nulls(sent)
        assert (sent.body["data"]["order_id"], sent.body["data"]["status"]) == (order_id, "SUCCESS")
    refund_id = wp.refund_trans_id(order)
    refunded = plugin.refund(order, order_id, "5.50", refund_id)
    assert refunded.accepted, refunded.body
    assert b"\\/" in refunded.request_body and b"\\u" in refunded.request_body
    assert (refunded.body["data"]["status"], refunded.body["data"]["amount"]) == ("SUCCESS", "550")
    refund_order_id = refunded.body["data"]["refund_order_id"]
    for key, value in (("refund_trans_id", refund_id), ("refund_order_id", refund_order_id)):
        sent = plugin.query_refund(key, value)
        assert sent.accepted, (key, sent.body)
        assert (sent.body["data"]["refund_trans_id"], sent.body["data"]["status"]) == (refund_id, "SUCCESS")
    # The refund's webhook reaches the plugin's notify_url (its escaped, non-ASCII path decoded),
    # carrying the shop's app id.
    delivery = paykka_stub.wait_for_webhook(lambda d: d["notify_type"] == "REFUND.SUCCESS")
    assert delivery["url"] == plugin.site + "/wp-json/paykka/v1/webhook"
    path, headers, _ = next(r for r in receiver.received if b"REFUND.SUCCESS" in r[2])
    assert {k.lower(): v for k, v in headers.items()}["x-paykka-appid"] == plugin.app_id


def test_every_shape_counts(shop: tuple[wp.Plugin, MerchantAccount], paykka_stub: StubHandle) -> None:
    """The replay the before/after figures come from: all nine shapes accepted."""
    plugin, merchant = shop
    gw: Gateway = paykka_stub.context.gateway

    def pay(session_id: str) -> str:
        return gw.pay_with_card(session_id, merchant.client_key, CARD).order_id

    def unused(order: wp.WooOrder) -> tuple[str, str]:
        raise AssertionError("the plugin's own session was refused")

    sent = wp.replay_every_shape(plugin, pay, unused)
    assert [s.shape for s in sent if not s.accepted] == []
    assert len(sent) == 9


# --- what is genuinely invalid is still refused ---------------------------------------------------


def _session_with(change: Callable[[dict[str, Any]], None]) -> Callable[[wp.Plugin], bytes]:
    def build(plugin: wp.Plugin) -> bytes:
        request = wp.session_request(new_order(), plugin.merchant_id, "DROP_IN", site=plugin.site)
        change(request)
        return wp.session_body(request)
    return build


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(request: dict[str, Any]) -> None:
        target: Any = request
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        target[parts[-1]] = value
    return change


INVALID_SESSIONS = [
    ("amount as decimal text", _set("amount", "25.50"), "amount", "minor units"),
    ("amount as a decimal number", _set("amount", 25.5), "amount", "not a decimal number"),
    ("amount zero", _set("amount", 0), "amount", "positive"),
    ("11-character area code", _set("bill.area_code", "+8521234567"), "bill.area_code", "at most 10"),
    ("expire_time without an offset", _set("expire_time", "2030-03-08T10:00:00"), "expire_time", "UTC offset"),
    ("expire_time as PHP 'Y-m-d H:i:s'", _set("expire_time", "2030-03-08 10:00:00"), "expire_time", "UTC offset"),
    ("over-long trans_id", _set("trans_id", "9" * 65), "trans_id", "at most 64"),
    ("over-long goods name", _set("goods.0.name", "茶" * 257), "goods[0].name", "at most 256"),
    ("over-long billing email", _set("bill.email", "a" * 120 + "@example.com"), "bill.email", "at most 128"),
    ("lower-case currency", _set("currency", "hkd"), "currency", "ISO 4217"),
    ("unknown session mode", _set("session_mode", "HOST"), "session_mode", "one of"),
    ("two-letter country, lower case", _set("bill.country", "hk"), "bill.country", "ISO 3166"),
    ("goods price as decimal text", _set("goods.0.price", "15.50"), "goods[0].price", "minor units"),
]


@pytest.mark.parametrize(("name", "change", "field", "rule"), INVALID_SESSIONS, ids=[c[0] for c in INVALID_SESSIONS])
def test_genuinely_invalid_sessions_are_refused_naming_the_field(shop: tuple[wp.Plugin, MerchantAccount],
                                                                 name: str, change: Callable[[dict[str, Any]], None],
                                                                 field: str, rule: str) -> None:
    plugin, _ = shop
    sent = plugin.post(name, wp.PATH_SESSION, _session_with(change)(plugin))
    assert (sent.status, sent.body["ret_code"]) == (400, "010000"), sent.body
    assert sent.body["ret_msg"].startswith(f"{field}:"), sent.body["ret_msg"]
    assert rule in sent.body["ret_msg"], sent.body["ret_msg"]
    assert "paykka_embed" not in sent.body["ret_msg"] and "Input should" not in sent.body["ret_msg"]


def test_genuinely_invalid_refunds_are_refused_naming_the_field(shop: tuple[wp.Plugin, MerchantAccount],
                                                                paykka_stub: StubHandle) -> None:
    plugin, merchant = shop
    order, _, order_id = paid_order(paykka_stub, plugin, merchant)
    for field, value, rule in (("refund_amount", "5.50", "minor units"), ("refund_amount", 5.5, "decimal"),
                               ("refund_trans_id", "R" * 65, "at most 64"), ("reason", "CHANGED_MIND", "one of"),
                               ("currency", "USD", "HKD")):
        request = wp.refund_request(order, plugin.merchant_id, order_id, "5.50", wp.refund_trans_id(order),
                                    site=plugin.site)
        request[field] = value
        sent = plugin.post("refund", wp.PATH_REFUND, wp.php_json_encode(request))
        assert (sent.status, sent.body["ret_code"]) == (400, "010000"), (field, sent.body)
        assert sent.body["ret_msg"].startswith(f"{field}:") and rule in sent.body["ret_msg"], sent.body["ret_msg"]
    # None of them refunded anything.
    assert plugin.query("order_id", order_id).body["data"]["balances"]["refunded_amount"] == 0


def test_an_app_id_of_no_merchant_or_another_merchant_is_refused(shop: tuple[wp.Plugin, MerchantAccount],
                                                                 paykka_stub: StubHandle) -> None:
    plugin, _ = shop
    order = new_order()
    unknown = wp.Plugin(plugin.base_url, plugin.merchant_id, "no-such-app", plugin.private_key, plugin.site)
    sent = unknown.create_session(order, "HOSTED")
    assert (sent.status, sent.body["ret_code"]) == (401, "206005")
    other = paykka_stub.register_merchant(name="Another shop")
    mismatched = wp.Plugin(plugin.base_url, other.merchant_id, plugin.app_id, plugin.private_key, plugin.site)
    sent = mismatched.create_session(order, "HOSTED")
    assert (sent.status, sent.body["ret_code"]) == (403, "206005")
    assert sent.body["ret_msg"].startswith(f"merchant_id: {other.merchant_id} is not the merchant of x-paykka-appid")
    # The merchant id in place of the app id (the plugin's fallback when no App ID is set) is unknown
    # once the merchant has a separate app id.
    fallback = wp.Plugin(plugin.base_url, plugin.merchant_id, plugin.merchant_id, plugin.private_key, plugin.site)
    assert fallback.create_session(order, "HOSTED").body["ret_code"] == "206005"


def test_the_plugins_fallback_app_id_works_for_a_merchant_without_one(paykka_stub: StubHandle) -> None:
    merchant = paykka_stub.register_merchant(name="Woo shop without an App ID")
    plugin = wp.Plugin(paykka_stub.url, merchant.merchant_id, merchant.merchant_id,
                       wp.bare_base64_pkcs8(shared_test_key()))
    assert plugin.create_session(new_order(), "HOSTED").accepted
