"""Testing kit: a live emulator for pytest, and browser helpers that work through the card iframe."""

from .stub import MerchantAccount, StubHandle

__all__ = ["MerchantAccount", "StubHandle"]
