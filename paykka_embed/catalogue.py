"""The payment-method catalogue: every method and card brand PayKKa's checkout offers, written once.

Each row holds everything the code needs to know about a method: its code on the wire, the
name under which the browser SDK exports its component and takes its Drop-in options, the
name a shopper reads, how the shopper approves it (its *flow*), the currencies it takes,
whether it can be stored for later charges, the other spellings PayKKa's docs, SDK and
merchants use, and the name of its mark. Card brands add the label a shopper reads
("Mastercard"), the card-number prefixes that identify them, and their security code's
length.

Every other table is derived from these rows, so adding a wallet is one row here plus a mark
in :mod:`paykka_embed.stub.icons` (``docs/adding-a-payment-method.md``):

- the emulator's method rules (:mod:`paykka_embed.stub.methods`: the codes and spellings
  ``allowed_payment_methods`` accepts, currencies, recurring, each wallet's action type);
- its browser answers (the method list of ``/cp/api/init``, the wallet pages);
- the SDK stand-in, which receives :func:`sdk_data` as data with its bundle and builds its
  wallet components, its Drop-in option keys and its brand labels from it;
- the card frame (brand detection, labels, security-code length);
- what merchants show: :func:`brand_label`, also the ``paykka_brand_label`` Jinja global.

Nothing here imports Flask or the emulator: the toolkit and the emulator both read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Optional, Union

#: How the shopper approves a payment: the card form (with 3-D Secure when the issuer asks),
#: a wallet's payment sheet, a QR code scanned with the wallet's app, or a visit to the
#: wallet's site that ends back at the merchant.
Flow = Literal["card", "sheet", "qr", "redirect"]

#: The ``action.type`` an attempt of each wallet flow waits on at the gateway.
ACTION_TYPES: dict[str, str] = {"sheet": "WALLET_SHEET", "qr": "QR", "redirect": "REDIRECT"}


@dataclass(frozen=True)
class PaymentMethod:
    """One payment method of PayKKa's checkout.

    ``code`` is PayKKa's (``GCASH``); ``component`` the SDK's export (``GCash``), which is
    also the name merchants give the toolkit's ``component`` macro, case-insensitively;
    ``key`` the Drop-in's ``paymentMethods`` option key (``gcash``); ``name`` what the
    shopper reads. ``currencies`` is None for any currency. ``recurring``: the method can
    be stored for merchant-initiated charges (a RECURRING session offers only those).
    ``aliases`` are other spellings (any case and punctuation; the code, component, key
    and name are spellings already). ``icon`` names its mark in the emulator's icon set
    (default: the code).
    """

    code: str
    component: str
    key: str
    name: str
    flow: Flow
    currencies: Optional[frozenset[str]] = None
    recurring: bool = False
    aliases: tuple[str, ...] = ()
    icon: str = ""

    @property
    def mark(self) -> str:
        """The name of its mark (:attr:`icon`, else the code)."""
        return self.icon or self.code

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.code, self.component, self.key, self.name, *self.aliases)

    def takes(self, currency: str) -> bool:
        return self.currencies is None or currency in self.currencies


@dataclass(frozen=True)
class CardBrand:
    """A card scheme taken under ``BANKCARD``.

    ``label`` is what a shopper reads everywhere ("Mastercard ending in 4444");
    ``pattern`` a regular expression (Python and JavaScript alike) matching the start of
    the brand's card numbers; ``security_code_length`` its CVV/CID digits.
    """

    code: str
    label: str
    pattern: str
    security_code_length: int = 3
    aliases: tuple[str, ...] = ()
    icon: str = ""

    @property
    def mark(self) -> str:
        return self.icon or self.code

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.code, self.label, *self.aliases)


BANKCARD = "BANKCARD"

_WECHAT_CURRENCIES = frozenset({"CNY", "HKD", "USD", "EUR", "GBP", "JPY", "SGD", "AUD", "CAD", "NZD", "CHF",
                                "MYR", "THB", "KRW"})
_ALIPAY_CURRENCIES = frozenset({"CNY", "HKD", "USD", "EUR", "GBP", "JPY", "SGD", "AUD", "MYR", "THB", "PHP",
                                "KRW", "IDR"})

#: Every method, in the order a checkout lists them.
METHODS: tuple[PaymentMethod, ...] = (
    PaymentMethod(BANKCARD, "Card", "card", "Card", "card", recurring=True,
                  aliases=("CARDS", "CREDIT_CARD", "DEBIT_CARD", "SCHEME")),
    PaymentMethod("APPLE_PAY", "ApplePay", "applePay", "Apple Pay", "sheet"),
    PaymentMethod("GOOGLE_PAY", "GooglePay", "googlePay", "Google Pay", "sheet", aliases=("GPAY",)),
    PaymentMethod("WECHAT_PAY", "WechatPay", "wechatPay", "WeChat Pay", "qr", _WECHAT_CURRENCIES,
                  aliases=("WECHAT", "WECHAT_PAY_GLOBAL", "WXPAY")),
    PaymentMethod("ALIPAY_PLUS", "AlipayPlus", "alipayPlus", "Alipay+", "qr", _ALIPAY_CURRENCIES,
                  aliases=("ALIPAY",)),
    PaymentMethod("GCASH", "GCash", "gcash", "GCash", "redirect", frozenset({"PHP"})),
    PaymentMethod("MAYA", "Maya", "maya", "Maya", "redirect", frozenset({"PHP"}), aliases=("PAYMAYA",)),
    PaymentMethod("SHOPEEPAY", "ShopeePay", "shopeePay", "ShopeePay", "redirect",
                  frozenset({"PHP", "MYR", "SGD", "THB", "VND", "IDR"})),
    PaymentMethod("GRABPAY", "GrabPay", "grabPay", "GrabPay", "redirect", frozenset({"SGD", "MYR", "PHP"})),
    PaymentMethod("ZALOPAY", "ZaloPay", "zaloPay", "ZaloPay", "redirect", frozenset({"VND"})),
    PaymentMethod("VIETQR", "VietQR", "vietQR", "VietQR", "qr", frozenset({"VND"})),
)

#: Every card brand, in the order a checkout shows their marks.
BRANDS: tuple[CardBrand, ...] = (
    CardBrand("VISA", "Visa", r"^4"),
    CardBrand("MASTERCARD", "Mastercard", r"^(?:5[1-5]|2(?:2[2-9]|[3-6]|7[01]|720))", aliases=("MASTER", "MC")),
    CardBrand("AMEX", "American Express", r"^3[47]", security_code_length=4),
    CardBrand("JCB", "JCB", r"^35(?:2[89]|[3-8])"),
    CardBrand("DISCOVER", "Discover", r"^6(?:011|5|4[4-9])"),
    CardBrand("DINERS", "Diners Club", r"^3(?:0[0-5]|[689])"),
)


def normalise(name: str) -> str:
    """A spelling reduced to compare: upper case, ``+`` read as PLUS, only letters and digits
    (``Alipay+`` → ``ALIPAYPLUS``, ``master_card`` → ``MASTERCARD``). The SDK stand-in
    applies the same rule to Drop-in option keys."""
    return re.sub(r"[^A-Z0-9]", "", name.upper().replace("+", "PLUS"))


@lru_cache(maxsize=8)
def _spellings(methods: tuple[PaymentMethod, ...], brands: tuple[CardBrand, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    rows: tuple[Union[PaymentMethod, CardBrand], ...] = (*methods, *brands)
    for row in rows:
        for spelling in row.spellings:
            key = normalise(spelling)
            if table.setdefault(key, row.code) != row.code:
                raise ValueError(f"catalogue: the spelling {spelling!r} names both {table[key]} and {row.code}")
    return table


def spellings() -> dict[str, str]:
    """Every known spelling (normalised) → the method or brand code it names.

    Raises ``ValueError`` when two rows claim one spelling (a catalogue mistake)."""
    return dict(_spellings(METHODS, BRANDS))


def canonical(name: object) -> Optional[str]:
    """A method code (``APPLE_PAY``) or a card brand (``MASTERCARD``) for any known spelling, else None."""
    return _spellings(METHODS, BRANDS).get(normalise(name)) if isinstance(name, str) else None


def method(code: str) -> Optional[PaymentMethod]:
    """The row of a method code, or None."""
    return next((row for row in METHODS if row.code == code), None)


def brand(code: str) -> Optional[CardBrand]:
    """The row of a brand code, or None."""
    return next((row for row in BRANDS if row.code == code), None)


def brand_label(code: Optional[str]) -> str:
    """What a shopper reads for a card brand, whatever spelling it comes in (``MASTERCARD``,
    ``mastercard``, ``MC`` → ``Mastercard``). An unknown brand is returned as given; None → "Card"."""
    if not code:
        return "Card"
    known = canonical(code)
    row = brand(known) if known else None
    return row.label if row else code


def method_codes() -> list[str]:
    return [row.code for row in METHODS]


def brand_codes() -> list[str]:
    return [row.code for row in BRANDS]


def sdk_data() -> dict[str, Any]:
    """What the SDK stand-in's bundle receives as ``CATALOGUE``: the methods (code, component,
    Drop-in key, name, flow), the brands' labels, and every spelling (normalised) of each."""
    methods: list[dict[str, Union[str, bool]]] = [
        {"code": row.code, "component": row.component, "key": row.key, "name": row.name, "flow": row.flow}
        for row in METHODS]
    return {"methods": methods, "brands": {row.code: row.label for row in BRANDS}, "spellings": spellings()}


def frame_data(codes: Optional[list[str]] = None) -> list[dict[str, Union[str, int]]]:
    """What the card frame receives about brands: label, number prefix and security-code length."""
    return [{"code": row.code, "label": row.label, "pattern": row.pattern, "cvcLength": row.security_code_length}
            for row in BRANDS if codes is None or row.code in codes]
