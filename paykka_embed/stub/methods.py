"""Payment methods: the codes the stub speaks, PayKKa's many spellings of them, and
which currencies each wallet takes.

The checkout shows the methods a session allows (``allowed_payment_methods``) that are
available in the session's currency. Cards are one method, ``BANKCARD``, whatever
brands are allowed; :func:`card_brands` says which brands.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

BANKCARD = "BANKCARD"
CARD_BRANDS = ("VISA", "MASTERCARD", "AMEX", "JCB", "DISCOVER", "DINERS")

#: Every method code, in the order a checkout lists them.
METHOD_CODES = ("BANKCARD", "APPLE_PAY", "GOOGLE_PAY", "WECHAT_PAY", "ALIPAY_PLUS", "GCASH", "MAYA",
                "SHOPEEPAY", "GRABPAY", "ZALOPAY", "VIETQR")

#: How the shopper approves each wallet: a payment sheet, a QR code, or a redirect.
WALLET_FLOW = {
    "APPLE_PAY": "WALLET_SHEET", "GOOGLE_PAY": "WALLET_SHEET",
    "WECHAT_PAY": "QR", "ALIPAY_PLUS": "QR", "VIETQR": "QR",
    "GCASH": "REDIRECT", "MAYA": "REDIRECT", "SHOPEEPAY": "REDIRECT", "GRABPAY": "REDIRECT", "ZALOPAY": "REDIRECT",
}

#: Currencies each wallet takes (None: any currency). Cards take any currency.
WALLET_CURRENCIES: dict[str, Optional[frozenset[str]]] = {
    "APPLE_PAY": None,
    "GOOGLE_PAY": None,
    "WECHAT_PAY": frozenset({"CNY", "HKD", "USD", "EUR", "GBP", "JPY", "SGD", "AUD", "CAD", "NZD", "CHF",
                             "MYR", "THB", "KRW"}),
    "ALIPAY_PLUS": frozenset({"CNY", "HKD", "USD", "EUR", "GBP", "JPY", "SGD", "AUD", "MYR", "THB", "PHP",
                              "KRW", "IDR"}),
    "GCASH": frozenset({"PHP"}),
    "MAYA": frozenset({"PHP"}),
    "SHOPEEPAY": frozenset({"PHP", "MYR", "SGD", "THB", "VND", "IDR"}),
    "GRABPAY": frozenset({"SGD", "MYR", "PHP"}),
    "ZALOPAY": frozenset({"VND"}),
    "VIETQR": frozenset({"VND"}),
}

# Spellings seen in PayKKa's docs, its SDK and merchants' code, normalised by _norm().
_ALIASES = {
    "BANKCARD": BANKCARD, "CARD": BANKCARD, "CARDS": BANKCARD, "CREDITCARD": BANKCARD, "DEBITCARD": BANKCARD,
    "VISA": "VISA", "MASTERCARD": "MASTERCARD", "MASTER": "MASTERCARD", "MC": "MASTERCARD",
    "AMEX": "AMEX", "AMERICANEXPRESS": "AMEX", "JCB": "JCB", "DISCOVER": "DISCOVER",
    "DINERS": "DINERS", "DINERSCLUB": "DINERS",
    "APPLEPAY": "APPLE_PAY", "GOOGLEPAY": "GOOGLE_PAY", "GPAY": "GOOGLE_PAY",
    "WECHATPAY": "WECHAT_PAY", "WECHATPAYGLOBAL": "WECHAT_PAY", "WECHAT": "WECHAT_PAY", "WXPAY": "WECHAT_PAY",
    "ALIPAYPLUS": "ALIPAY_PLUS", "ALIPAY": "ALIPAY_PLUS",
    "GCASH": "GCASH", "MAYA": "MAYA", "PAYMAYA": "MAYA",
    "SHOPEEPAY": "SHOPEEPAY", "GRABPAY": "GRABPAY", "ZALOPAY": "ZALOPAY", "VIETQR": "VIETQR",
}


def _norm(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper().replace("+", "PLUS"))


def canonical(name: str) -> Optional[str]:
    """A method code (``APPLE_PAY``) or a card brand (``MASTERCARD``) for any known spelling."""
    return _ALIASES.get(_norm(name)) if isinstance(name, str) else None


def available_in(method: str, currency: str) -> bool:
    if method == BANKCARD:
        return True
    allowed = WALLET_CURRENCIES.get(method)
    return allowed is None or currency in allowed


def resolve_allowed(names: Optional[Iterable[str]]) -> tuple[set[str], set[str]]:
    """(method codes, card brands) a session's ``allowed_payment_methods`` names.

    Raises ``ValueError("allowed_payment_methods[i]: ...")`` for a name no spelling maps.
    """
    if names is None:
        return set(METHOD_CODES), set(CARD_BRANDS)
    methods: set[str] = set()
    brands: set[str] = set()
    for i, name in enumerate(names):
        code = canonical(name)
        if code is None:
            raise ValueError(f"allowed_payment_methods[{i}]: {name!r} is not a payment method "
                             f"(known: {', '.join(METHOD_CODES)} or a card brand)")
        if code in CARD_BRANDS:
            methods.add(BANKCARD)
            brands.add(code)
        elif code == BANKCARD:
            methods.add(BANKCARD)
            brands.update(CARD_BRANDS)
        else:
            methods.add(code)
    return methods, brands


def methods_for(names: Optional[Iterable[str]], currency: str, *, recurring: bool = False) -> list[str]:
    """The method codes a checkout offers, in :data:`METHOD_CODES` order."""
    allowed, _ = resolve_allowed(names)
    if recurring:  # only cards can be stored for merchant-initiated charges here
        allowed &= {BANKCARD}
    return [m for m in METHOD_CODES if m in allowed and available_in(m, currency)]


def brands_for(names: Optional[Iterable[str]]) -> list[str]:
    _, brands = resolve_allowed(names)
    return [b for b in CARD_BRANDS if b in brands]
