"""What an order and its checkout session look like to the extension, the macros and the mount layer.

:class:`OrderInfo` is what the merchant's order resolver returns; :class:`CheckoutSession` is one
attempt's session as the macros render it. Neither holds a secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping, Optional

from .. import money

#: An attempt with one of these statuses paid its order (the return page sends the shopper to
#: ``PAYKKA_SUCCESS_URL``).
SUCCESS_STATUSES = frozenset({"SUCCESS", "AUTHORIZED", "PARTIALLY_REFUNDED", "REFUNDED", "PARTIALLY_REVERSED"})
#: Session modes and the name the mount layer uses for each.
MODES = {"DROP_IN": "dropin", "COMPONENT": "component", "HOSTED": "hosted"}
#: Component names are passed through to the SDK (``card`` → ``Card``, ``applepay`` → ``ApplePay``...);
#: the mount layer reports a clear error for one the SDK does not have.
COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
#: A merchant's order reference: it prefixes every attempt's ``trans_id`` (``{order_ref}-{n}``).
ORDER_REF = re.compile(r"^[A-Za-z0-9_-]{1,48}$")


@dataclass(frozen=True)
class OrderInfo:
    """What the merchant's order resolver returns: the server's word on what is owed.

    ``amount`` is a ``Decimal`` in major units (``Decimal("8.00")`` HKD) or an ``int`` in
    minor units (800); never a float. ``goods`` are wire ``Goods`` mappings (``price`` in
    minor units). ``shopper_reference`` with ``store_payment_method`` saves the card;
    ``payment_type="RECURRING"`` makes the first payment of a recurring agreement.
    """

    amount: Decimal | int
    currency: str
    goods: list[Mapping[str, Any]] = field(default_factory=list)
    shopper_reference: Optional[str] = None
    store_payment_method: Optional[bool] = None
    token_usage: Optional[str] = None
    payment_type: str = "PURCHASE"
    capture_method: str = "AUTOMATIC"
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutSession:
    """One attempt's session, as the macros and the mount layer need it. Holds no secret:
    ``client_key`` is PayKKa's public browser key."""

    order_ref: str
    attempt: int
    trans_id: str
    session_id: str
    session_url: str
    mode: str
    client_key: str
    env: str
    checkout_base: str
    amount: int
    currency: str
    expire_time: str
    locale: Optional[str] = None
    component: Optional[str] = None
    merchant_name: Optional[str] = None
    theme: Optional[str] = None

    @property
    def element_id(self) -> str:
        """The id the macros give this session's mount element (``pay_button`` targets it)."""
        return f"paykka-{self.session_id}" + (f"-{self.component}" if self.component else "")

    @property
    def display_amount(self) -> str:
        return money.format_minor(self.amount, self.currency, self.locale or "en-US")

    def mount_options(self, **overrides: Any) -> dict[str, Any]:
        """The JSON the mount layer reads (see ``static/js/paykka-embed.d.ts``, ``MountOptions``)."""
        options: dict[str, Any] = {
            "sessionId": self.session_id,
            "clientKey": self.client_key,
            "env": self.env,
            "checkoutBase": self.checkout_base,
            "mode": MODES[self.mode],
            "order": self.order_ref,
            "locale": self.locale,
            "theme": self.theme,
            "component": self.component,
        }
        options.update(overrides)
        return {k: v for k, v in options.items() if v is not None}
