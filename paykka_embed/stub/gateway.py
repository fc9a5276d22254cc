"""The stub's payment rules, stacked into one :class:`Gateway`.

Everything here is transport-free: the HTTP layers (:mod:`api` for merchants'
servers, :mod:`browser` for the checkout in the shopper's browser) turn requests into
calls and :class:`StubError` into PayKKa's envelope. Each concern has its module:

- :mod:`core` — state, lock, persistence, merchants, notifications
- :mod:`sessions` — checkout sessions, expiry, what the browser may offer
- :mod:`vault` — tokens and recurring agreements, Apple Pay sessions
- :mod:`payments` — cards, 3DS, one-click, wallets (browser side)
- :mod:`transactions` — Initiate Transaction and Query Transaction
- :mod:`modifications` — capture, void, refund (and refunds under review)
- :mod:`disputes` — disputes opened and moved by the test controls
"""

from __future__ import annotations

import logging
from typing import Any

from .errors import StubError, param_error
from .disputes import DisputeOps
from .payments import CardFacts, PaymentResult
from .sessions import DEFAULT_SESSION_LIFETIME, MAX_SESSION_LIFETIME
from .methods import CARD_BRANDS

log = logging.getLogger("paykka_embed.stub.gateway")


class Gateway(DisputeOps):
    """All the stub's state and the operations on it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Advancing the clock does at once what it made due (expiries, settlements).
        self.clock.on_advance(self._tick_after_advance)

    def _tick_after_advance(self) -> None:
        try:
            self.tick()
        except Exception:  # a bug here must not turn the clock control into a 500
            log.exception("due work after a clock advance failed")


__all__ = ["Gateway", "StubError", "param_error", "PaymentResult", "CardFacts", "CARD_BRANDS",
           "DEFAULT_SESSION_LIFETIME", "MAX_SESSION_LIFETIME"]
