"""The emulator's payment-method rules, derived from :mod:`paykka_embed.catalogue`.

The checkout shows the methods a session allows (``allowed_payment_methods``) that are
available in the session's currency. Cards are one method, ``BANKCARD``, whatever
brands are allowed; :func:`brands_for` says which brands.

Nothing here is a table of its own: a row added to the catalogue (even by a test) is
accepted, offered and payable at once.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from .. import catalogue

BANKCARD = catalogue.BANKCARD


# The tables below are computed from the catalogue each time they are read (through the
# module's __getattr__), so they never disagree with it. Each is a fresh, plain value.

#: Every card brand code, in the order a checkout shows them.
CARD_BRANDS: tuple[str, ...]
#: Every method code, in the order a checkout lists them.
METHOD_CODES: tuple[str, ...]
#: How the shopper approves each wallet: the ``action.type`` its attempts wait on
#: (``WALLET_SHEET``, ``QR`` or ``REDIRECT``).
WALLET_FLOW: dict[str, str]
#: Currencies each wallet takes (None: any currency). Cards take any currency.
WALLET_CURRENCIES: dict[str, Optional[frozenset[str]]]


def __getattr__(name: str) -> Any:
    wallets = [row for row in catalogue.METHODS if row.flow != "card"]
    if name == "CARD_BRANDS":
        return tuple(catalogue.brand_codes())
    if name == "METHOD_CODES":
        return tuple(catalogue.method_codes())
    if name == "WALLET_FLOW":
        return {row.code: catalogue.ACTION_TYPES[row.flow] for row in wallets}
    if name == "WALLET_CURRENCIES":
        return {row.code: row.currencies for row in wallets}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def canonical(name: str) -> Optional[str]:
    """A method code (``APPLE_PAY``) or a card brand (``MASTERCARD``) for any known spelling."""
    return catalogue.canonical(name)


def available_in(method: str, currency: str) -> bool:
    row = catalogue.method(method)
    return row is not None and row.takes(currency)


def resolve_allowed(names: Optional[Iterable[str]]) -> tuple[set[str], set[str]]:
    """(method codes, card brands) a session's ``allowed_payment_methods`` names.

    Raises ``ValueError("allowed_payment_methods[i]: ...")`` for a name no spelling maps.
    """
    brands_known = catalogue.brand_codes()
    if names is None:
        return set(catalogue.method_codes()), set(brands_known)
    methods: set[str] = set()
    brands: set[str] = set()
    for i, name in enumerate(names):
        code = canonical(name)
        if code is None:
            raise ValueError(f"allowed_payment_methods[{i}]: {name!r} is not a payment method "
                             f"(known: {', '.join(catalogue.method_codes())} or a card brand)")
        if code in brands_known:
            methods.add(BANKCARD)
            brands.add(code)
        elif code == BANKCARD:
            methods.add(BANKCARD)
            brands.update(brands_known)
        else:
            methods.add(code)
    return methods, brands


def methods_for(names: Optional[Iterable[str]], currency: str, *, recurring: bool = False) -> list[str]:
    """The method codes a checkout offers, in the catalogue's order; a RECURRING session
    offers only the methods that can be stored for merchant-initiated charges."""
    allowed, _ = resolve_allowed(names)
    return [row.code for row in catalogue.METHODS
            if row.code in allowed and row.takes(currency) and (row.recurring or not recurring)]


def brands_for(names: Optional[Iterable[str]]) -> list[str]:
    _, brands = resolve_allowed(names)
    return [b for b in catalogue.brand_codes() if b in brands]
