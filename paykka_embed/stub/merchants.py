"""Merchants and what authenticates their requests: registration (key, app id, client key,
settings), the merchant behind an ``x-paykka-appid``, and replay protection of nonces.

PayKKa issues each merchant an app id apart from its merchant id (notes §1.1); a
merchant registered without one gets its merchant id as app id, as the WooCommerce
plugin assumes when none is configured.
"""

from __future__ import annotations

import re
from typing import Optional

from .. import signing
from .errors import NO_MERCHANT, StubError, param_error
from .ledger import Ledger
from .records import Merchant

_APP_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: Nonces remembered before old ones (outside twice the signature window) are dropped.
NONCE_MEMORY = 50_000


class Merchants:
    """Registers merchants and checks who is calling; records live in the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def register(self, public_key_pem: str, merchant_id: Optional[str] = None, name: Optional[str] = None,
                 notify_url: Optional[str] = None, pci: Optional[bool] = None,
                 app_id: Optional[str] = None) -> Merchant:
        """Register a merchant, or rotate its key (its client key and settings stay).

        ``public_key_pem``: the merchant's RSA public key (PEM). ``merchant_id``: 1 to 32
        letters or digits (a fresh 14-digit id when None). ``app_id``: what its requests
        carry in ``x-paykka-appid``, 1 to 64 of ``[A-Za-z0-9_-]``; without one, a new
        merchant's app id is its merchant id and an existing merchant keeps its own.
        ``pci``: may send plain ``card_no`` to Initiate Transaction.

        Raises :class:`StubError` ``010000`` naming the field for a bad key or id, or an
        app id another merchant already has.
        """
        ledger = self.ledger
        try:
            key = signing.load_public_key(public_key_pem)
        except ValueError as exc:
            raise param_error(f"public_key: {exc}") from None
        if merchant_id is not None and not (merchant_id.isascii() and merchant_id.isalnum()
                                            and 1 <= len(merchant_id) <= 32):
            raise param_error("merchant_id: must be 1 to 32 letters or digits")
        if app_id is not None and not _APP_ID.fullmatch(app_id):
            raise param_error("app_id: must be 1 to 64 letters, digits, '-' or '_'")
        with ledger.lock:
            existing = ledger.merchants.get(merchant_id) if merchant_id else None
            mid = merchant_id or ledger.ids.merchant_id()
            aid = app_id or (existing.app_id if existing else mid)
            owner = ledger.merchants_by_app.get(aid)
            if owner is not None and owner != mid:
                raise param_error(f"app_id: {aid} already belongs to merchant {owner}")
            merchant = Merchant(
                merchant_id=mid,
                app_id=aid,
                public_key_pem=signing.public_pem(key),
                client_key=existing.client_key if existing else ledger.ids.client_key(),
                name=name or (existing.name if existing else "Demo Merchant"),
                notify_url=notify_url or (existing.notify_url if existing else None),
                pci=pci if pci is not None else (existing.pci if existing else False),
                public_key=key,
            )
            if existing is not None and existing.app_id != aid:
                ledger.merchants_by_app.pop(existing.app_id, None)
            ledger.merchants[mid] = merchant
            ledger.merchants_by_app[aid] = mid
            ledger.save(merchant)
            return merchant

    def for_app(self, app_id: Optional[str]) -> Merchant:
        """The merchant whose app id ``x-paykka-appid`` carries.

        Raises :class:`StubError` 401 ``206005`` when no merchant has it (PayKKa's "merchant
        does not exist").
        """
        ledger = self.ledger
        with ledger.lock:
            mid = ledger.merchants_by_app.get(app_id or "")
            merchant = ledger.merchants.get(mid) if mid else None
        if merchant is None:
            raise StubError(401, NO_MERCHANT, f"{signing.H_APPID}: merchant does not exist "
                            "(no merchant has this app id)")
        return merchant

    def remember_nonce(self, nonce: str, timestamp_ms: int) -> bool:
        """False when ``nonce`` was already used inside the signature window (a replay).

        Signature timestamps are wall-clock time (the merchant's side checks them against
        its own clock), so the replay window is too, whatever the emulator's clock says
        (only the signature skew shifts it).
        """
        ledger = self.ledger
        horizon = ledger.clock.signature_now_ms() - signing.WINDOW_SECONDS * 1000 * 2
        with ledger.lock:
            if nonce in ledger.seen_nonces:
                return False
            if len(ledger.seen_nonces) > NONCE_MEMORY:
                kept = {n: t for n, t in ledger.seen_nonces.items() if t > horizon}
                ledger.seen_nonces.clear()
                ledger.seen_nonces.update(kept)
            ledger.seen_nonces[nonce] = timestamp_ms
            return True
