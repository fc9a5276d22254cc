"""Testing kit: a live emulator for pytest, a server for the merchant's app, and browser helpers
that work through the card iframe (:mod:`paykka_embed.testing.browser`)."""

from ..serving import BackgroundServer
from .stub import MerchantAccount, StubHandle

__all__ = ["BackgroundServer", "MerchantAccount", "StubHandle"]
