"""paykka-embed: take payments through PayKKa's checkout from a Flask site, and run it all offline.

Public names: :class:`PayKKa` (the Flask extension), :class:`PayKKaClient` and
:class:`AsyncPayKKaClient` (the signed v3 client), :class:`PayKKaError` (base of
every error raised on purpose).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .client import AsyncPayKKaClient, PayKKaClient
from .errors import (
    APIError,
    DeclinedError,
    NetworkError,
    PayKKaError,
    SignatureError,
    ValidationError,
)

if TYPE_CHECKING:
    from .flask.extension import PayKKa
    from .flask.orders import CheckoutSession, OrderInfo

__version__ = "0.1.0"

__all__ = [
    "PayKKa", "CheckoutSession", "OrderInfo", "PayKKaClient", "AsyncPayKKaClient", "PayKKaError",
    "APIError", "DeclinedError", "NetworkError", "SignatureError", "ValidationError",
]


def __getattr__(name: str) -> Any:
    # The Flask side is imported on first use, so client-only code does not pay for it.
    if name in {"PayKKa", "CheckoutSession", "OrderInfo"}:
        from . import flask

        return getattr(flask, name)
    raise AttributeError(name)
