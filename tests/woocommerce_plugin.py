"""The v3 requests of the public WooCommerce plugin for PayKKa, rebuilt byte for byte in Python.

The plugin (``classes/lib/Paykka/Request/PaykkaRequestHandler.php`` and the ``Api/*.php``
classes) runs against the real PayKKa, so what it sends is evidence of what PayKKa accepts.
This module rebuilds its bodies the way PHP does and signs them the way the plugin does, so
the emulator can be tested against them without PHP:

- ``PaymentRequest::toJson()`` drops top-level ``null`` and ``""`` values, but every nested
  object (``payment``, ``bill``, ``shipping``, ``customer``, each of ``goods``) carries all of
  its declared properties, the unset ones as ``null``, in declaration order;
- the session body is ``json_encode(..., JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES |
  JSON_PRETTY_PRINT)``; query, refund and refund query bodies are ``wp_json_encode`` with
  PHP's default escapes (``\\/`` and ``\\uXXXX``);
- WooCommerce ids are PHP integers (``goods[].id``, ``customer.id``), amounts are
  ``intval(round(total * 10^decimals))``, ``expire_time`` is Hong Kong time + 5 minutes as
  ``Y-m-d\\TH:i:sO`` (``2025-03-08T10:00:00+0800``);
- the signature is SHA256withRSA over ``POST\\n{path}\\n{timestamp}\\n{nonce}\\n{body}`` with the
  private key as the plugin's settings hold it (bare Base64 PKCS#8, wrapped into PEM the
  plugin's way), Base64 then ``rawurlencode``; the nonce is 16 digits.

Nothing here imports the emulator: the module only speaks HTTP, so the same replay can be
pointed at any emulator build.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PATH_SESSION = "/v3/payment/acq/session"
PATH_QUERY = "/v3/payment/acq/query"
PATH_REFUND = "/v3/payment/acq/refund"
PATH_REFUND_QUERY = "/v3/payment/acq/refund/query"

HONG_KONG = timezone(timedelta(hours=8))

# Declared properties of the plugin's Api classes, in declaration order (get_object_vars order).
PAYMENT_INFO = ("payment_method", "token_data", "encrypted_card_no", "encrypted_exp_year", "encrypted_exp_month",
                "encrypted_cvv", "holder_name", "store_payment_method", "token_usage", "shopper_reference", "token",
                "card_no")
BILL = ("first_name", "middle_name", "last_name", "address_line1", "address_line2", "country", "state", "city",
        "postal_code", "email", "area_code", "phone_number", "descriptor")
SHIPPING = BILL[:-1]
PAY_CUSTOMER = ("id", "registration_time", "past_transactions", "area_code", "phone_number", "date_of_birth",
                "gender", "first_shopping_time", "last_shopping_time", "level", "email", "pay_ip", "order_ip")
GOODS = ("id", "name", "description", "category", "brand", "link", "price", "quantity", "delivery_date",
         "picture_url")


def php_object(declared: tuple[str, ...], **values: Any) -> dict[str, Any]:
    """``get_object_vars`` of a plugin object: every declared property, unset ones null."""
    return {name: values.get(name) for name in declared}


def php_json_encode(value: Any, *, unescaped_unicode: bool = False, unescaped_slashes: bool = False,
                    pretty: bool = False) -> bytes:
    """PHP's ``json_encode`` with the given flags (Python's encoder writes the same text
    for these inputs: lower-case ``\\u`` escapes, 4-space indent, ``": "`` when pretty)."""
    if pretty:
        text = json.dumps(value, ensure_ascii=not unescaped_unicode, indent=4, separators=(",", ": "))
    else:
        text = json.dumps(value, ensure_ascii=not unescaped_unicode, separators=(",", ":"))
    if not unescaped_slashes:
        text = text.replace("/", "\\/")  # a "/" can only stand inside a JSON string
    return text.encode("utf-8")


def bare_base64_pkcs8(key: rsa.RSAPrivateKey) -> str:
    """The private key as the plugin's settings page holds it: PKCS#8 DER in Base64, one line."""
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return base64.b64encode(der).decode("ascii")


def plugin_pem(private_key: str) -> bytes:
    """``normalizePrivateKeyPem``: bare Base64 wrapped in 64-character lines and PEM armour."""
    key = private_key.strip()
    if key.startswith("-----BEGIN"):
        return key.encode("ascii")
    flat = key.replace("\r", "").replace("\n", "").replace(" ", "")
    lines = "".join(flat[i:i + 64] + "\n" for i in range(0, len(flat), 64))
    return f"-----BEGIN PRIVATE KEY-----\n{lines}-----END PRIVATE KEY-----\n".encode("ascii")


def plugin_sign(path: str, timestamp: str, nonce: str, body: bytes, private_key: str) -> str:
    """``paykkaSignV3``: the five lines, SHA256withRSA, Base64, then ``rawurlencode``."""
    key = serialization.load_pem_private_key(plugin_pem(private_key), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    content = b"\n".join([b"POST", path.encode(), timestamp.encode(), nonce.encode(), body or b" "])
    signature = key.sign(content, padding.PKCS1v15(), hashes.SHA256())
    return quote(base64.b64encode(signature).decode("ascii"), safe="-_.~")


def plugin_headers(path: str, body: bytes, private_key: str, app_id: str) -> dict[str, str]:
    """``buildV3Headers``: millisecond timestamp, 16-digit nonce, the signature."""
    timestamp = str(round(time.time() * 1000))
    nonce = str(secrets.randbelow(9 * 10**15) + 10**15)
    return {
        "Content-Type": "application/json",
        "x-paykka-appid": app_id,
        "x-paykka-timestamp": timestamp,
        "x-paykka-nonce": nonce,
        "x-paykka-sign-alg": "SHA256_WITH_RSA",
        "x-paykka-sign": plugin_sign(path, timestamp, nonce, body, private_key),
    }


# --- a WooCommerce order, as the plugin reads it -------------------------------------------------


@dataclass
class WooOrder:
    """The parts of a ``WC_Order`` the plugin reads. Ids are PHP integers."""

    id: int
    currency: str = "HKD"
    total: str = "25.50"
    decimals: int = 2
    user_id: int = 7
    customer_ip: str = "203.0.113.9"
    billing: dict[str, str] = field(default_factory=lambda: {
        "first_name": "大文", "last_name": "陳", "address_1": "Flat 3, 12/F, 88 Queen's Road Central",
        "address_2": "", "country": "HK", "state": "", "city": "Hong Kong", "postcode": "",
        "email": "tai.man@example.com", "phone": "+852 9123 4567"})
    #: A virtual order ships nothing: WooCommerce returns "" for every shipping field.
    shipping: dict[str, str] = field(default_factory=lambda: {
        "first_name": "", "last_name": "", "address_1": "", "address_2": "", "country": "", "state": "",
        "city": "", "postcode": "", "phone": ""})
    items: list[dict[str, Any]] = field(default_factory=lambda: [
        {"id": 11, "name": "Jade tea cup 玉杯", "description": "<p>Hand-thrown, 200 ml/6.8 oz</p>",
         "permalink": "https://shop.example/product/jade-tea-cup/", "price": "15.50", "quantity": 1},
        {"id": 12, "name": "Oolong, 50 g", "description": "Roasted oolong — 烏龍",
         "permalink": "https://shop.example/product/oolong/", "price": "10.00", "quantity": 1},
    ])

    def minor(self, amount: str) -> int:
        # intval(round($amount * pow(10, $decimal_places))): exact here, the inputs have 2 decimals.
        whole, _, frac = amount.partition(".")
        return int(whole) * 10**self.decimals + int((frac + "0" * self.decimals)[: self.decimals] or 0)


SITE = "https://shop.example"


def notify_url(site: str) -> str:
    """``rest_url('/paykka/v1/webhook')``."""
    return f"{site}/wp-json/paykka/v1/webhook"


def callback_url(site: str, order: WooOrder) -> str:
    return f"{site}/?wc-api=paykka_callback&order_id={order.id}"


def _phone(raw: str) -> tuple[str, str]:
    """buildBill/buildShipping: "+852 9123 4567" → area code "+852" (at most 10) and the rest."""
    raw = raw.strip()
    if not raw:
        return "", ""
    parts = raw.split(None, 1)
    if len(parts) == 2 and parts[1]:
        return parts[0][:10], parts[1]
    return "", raw


def _address(declared: tuple[str, ...], source: dict[str, str], **extra: Any) -> dict[str, Any]:
    area_code, phone_number = _phone(source.get("phone", ""))
    return php_object(declared, first_name=source["first_name"], last_name=source["last_name"],
                      address_line1=source["address_1"], address_line2=source["address_2"],
                      country=source["country"], state=source["state"], city=source["city"],
                      postal_code=source["postcode"], area_code=area_code, phone_number=phone_number, **extra)


def expire_time(now: Optional[datetime] = None) -> str:
    """Hong Kong time + 5 minutes, PHP ``Y-m-d\\TH:i:sO`` (offset without a colon)."""
    moment = (now or datetime.now(timezone.utc)).astimezone(HONG_KONG) + timedelta(minutes=5)
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def session_request(order: WooOrder, merchant_id: str, session_mode: str, *, manual_capture: bool = False,
                    now: Optional[datetime] = None, site: str = SITE) -> dict[str, Any]:
    """``handlerSession``'s PaymentRequest, as ``toArray`` leaves it (before json_encode)."""
    goods = [php_object(GOODS, id=item["id"], name=item["name"], description=item["description"],
                        link=item["permalink"], price=order.minor(item["price"]), quantity=item["quantity"],
                        delivery_date="", picture_url="")  # get_meta / get_post_meta give "" when unset
             for item in order.items]
    top: dict[str, Any] = {
        "merchant_id": merchant_id,
        "payment_type": "PURCHASE",
        "trans_id": str(order.id),
        "currency": order.currency,
        "amount": order.minor(order.total),
        "notify_url": notify_url(site),
        "return_url": callback_url(site, order),
        "cancel_url": callback_url(site, order),
        "expire_time": expire_time(now),
        "session_mode": session_mode,
        "display_merchant_name": None,
        "display_locale": None,
        "theme_id": None,
        "allowed_payment_methods": None,
        "capture_method": "MANUAL" if manual_capture else "AUTOMATIC",
        "goods": goods,
        "bill": _address(BILL, order.billing, email=order.billing["email"]),
        "browser": None,
        "shipping": _address(SHIPPING, order.shipping),
        "customer": php_object(PAY_CUSTOMER, id=order.user_id, order_ip=order.customer_ip,
                               pay_ip=order.customer_ip or "127.0.0.1"),
        "payment": php_object(PAYMENT_INFO),  # new PaymentInfo(): every property null
        "authentication": None,
    }
    return {k: v for k, v in top.items() if v is not None and v != ""}  # array_filter at the top level only


def session_body(request: dict[str, Any]) -> bytes:
    return php_json_encode(request, unescaped_unicode=True, unescaped_slashes=True, pretty=True)


def query_body(merchant_id: str, trans_id: str = "", order_id: str = "", session_id: str = "") -> bytes:
    payload: dict[str, Any] = {"merchant_id": merchant_id}
    for name, value in (("trans_id", trans_id), ("order_id", order_id), ("session_id", session_id)):
        if value.strip():
            payload[name] = value.strip()
    return php_json_encode(payload)  # wp_json_encode: PHP's default escapes


def refund_request(order: WooOrder, merchant_id: str, paykka_order_id: str, amount: str,
                   refund_trans_id: str, site: str = SITE) -> dict[str, Any]:
    return {
        "merchant_id": merchant_id,
        "refund_trans_id": refund_trans_id,
        "ori_order_id": paykka_order_id,
        "reason": "REQUESTED_BY_CUSTOMER",
        "refund_amount": order.minor(amount),
        "currency": order.currency,
        "notify_url": notify_url(site),
    }


def refund_trans_id(order: WooOrder) -> str:
    """``'R' . $order_id . '-' . gmdate('YmdHis') . '-' . wp_rand(1000, 9999)``."""
    return f"R{order.id}-{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{secrets.randbelow(9000) + 1000}"


def refund_query_body(merchant_id: str, refund_trans_id: str = "", refund_order_id: str = "") -> bytes:
    payload: dict[str, Any] = {"merchant_id": merchant_id}
    if refund_trans_id:
        payload["refund_trans_id"] = refund_trans_id
    if refund_order_id:
        payload["refund_order_id"] = refund_order_id
    return php_json_encode(payload)


# --- sending, as postApi does ------------------------------------------------------------------


@dataclass
class Sent:
    shape: str
    status: int
    body: dict[str, Any]
    headers: httpx.Headers
    request_body: bytes = b""
    request_headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""  # the answer's bytes, as signed

    @property
    def accepted(self) -> bool:
        return self.status == 200 and self.body.get("ret_code") == "000000"


@dataclass
class Plugin:
    """One installation of the plugin: its settings (merchant id, app id, private key) and site."""

    base_url: str
    merchant_id: str
    app_id: str
    private_key: str  # bare Base64 PKCS#8, as pasted into the settings page
    site: str = SITE  # the WordPress site's home URL (notify and return URLs hang off it)

    def post(self, shape: str, path: str, body: bytes) -> Sent:
        headers = plugin_headers(path, body, self.private_key, self.app_id)
        resp = httpx.post(self.base_url + path, content=body, headers=headers, timeout=10)
        try:
            decoded = resp.json()
        except ValueError:
            decoded = {"ret_code": str(resp.status_code), "ret_msg": resp.text}
        return Sent(shape, resp.status_code, decoded, resp.headers, body, headers, resp.content)

    def create_session(self, order: WooOrder, mode: str, **options: Any) -> Sent:
        return self.post(f"create session {mode}", PATH_SESSION,
                         session_body(session_request(order, self.merchant_id, mode, site=self.site, **options)))

    def query(self, key: str, value: str) -> Sent:
        return self.post(f"query by {key}", PATH_QUERY, query_body(self.merchant_id, **{key: value}))

    def refund(self, order: WooOrder, paykka_order_id: str, amount: str, trans_id: str) -> Sent:
        body = php_json_encode(refund_request(order, self.merchant_id, paykka_order_id, amount, trans_id,
                                              site=self.site))
        return self.post("refund", PATH_REFUND, body)

    def query_refund(self, key: str, value: str) -> Sent:
        return self.post(f"refund query by {key}", PATH_REFUND_QUERY,
                         refund_query_body(self.merchant_id, **{key: value}))


def replay_every_shape(plugin: Plugin, pay: Callable[[str], str],
                       open_order: Callable[[WooOrder], tuple[str, str]]) -> list[Sent]:
    """Every request shape of the plugin's current PaykkaRequestHandler, once each.

    ``pay(session_id) -> order_id`` pays a session in the emulator's browser side;
    ``open_order(order) -> (session_id, order_id)`` makes a paid order for the query and
    refund shapes when the plugin's own Create Session is refused (so each shape counts
    on its own).
    """
    sent: list[Sent] = []
    paid: Optional[tuple[WooOrder, str, str]] = None
    for mode in ("HOSTED", "DROP_IN", "COMPONENT"):
        order = WooOrder(id=secrets.randbelow(10**6) + 1000)
        created = plugin.create_session(order, mode)
        sent.append(created)
        if created.accepted and paid is None:
            session_id = created.body["data"]["session_id"]
            paid = (order, session_id, pay(session_id))
    if paid is None:
        order = WooOrder(id=secrets.randbelow(10**6) + 1000)
        paid = (order, *open_order(order))
    order, session_id, order_id = paid
    sent.append(plugin.query("trans_id", str(order.id)))
    sent.append(plugin.query("order_id", order_id))
    sent.append(plugin.query("session_id", session_id))
    refund_id = refund_trans_id(order)
    refunded = plugin.refund(order, order_id, "5.50", refund_id)
    sent.append(refunded)
    refund_order_id = refunded.body.get("data", {}).get("refund_order_id", "RG0") if refunded.accepted else "RG0"
    sent.append(plugin.query_refund("refund_trans_id", refund_id))
    sent.append(plugin.query_refund("refund_order_id", refund_order_id))
    return sent
