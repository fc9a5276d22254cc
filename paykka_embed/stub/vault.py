"""Stored cards (tokens, ``TK…``) and recurring agreements (``RA…``).

A token belongs to one shopper (``shopper_reference``) of one merchant and remembers a
card by fingerprint, BIN, last four digits, brand and expiry. Storing the same card
again for the same shopper and usage gives back the same token. A SUBSCRIPTION token
comes with a recurring agreement; merchant-initiated (``mit``) charges need both, and
cancelling the agreement (or removing the token) ends them.

PayKKa's sources: Token remove, Recurring agreement cancel and the Apple Pay merchant
session are v3 operations of the transaction API (notes §2.3, OAPI).
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any, Optional

from .. import wire
from .errors import NO_AGREEMENT, NO_TOKEN, StubError
from .ledger import Ledger
from .records import Agreement, Record, Token, Transaction


class Vault:
    """Stored cards and recurring agreements: keeping, checking and ending them."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def store_card(self, tx: Transaction, card: dict[str, Any], usage: wire.TokenUsage) -> Token:
        """Keep the card of an approved order for its shopper; link token (and agreement) to it.

        ``card`` is :meth:`payments.CardFacts.stored` (brand, bin, last4, expiry,
        fingerprint, profile: never the number). The same card of the same shopper and
        usage keeps its token (a renewed card gets the new expiry). A SUBSCRIPTION token
        comes with a new recurring agreement (``RA…``). Sets ``tx.token`` and
        ``tx.recurring_agreement_id``; the caller saves ``tx``.
        """
        shopper = tx.shopper_reference
        assert shopper, "a card is stored only for a shopper_reference"
        ledger = self.ledger
        with ledger.lock:
            token = next((t for t in ledger.tokens.values()
                          if t.active and t.merchant_id == tx.merchant_id and t.shopper_reference == shopper
                          and t.usage == usage and t.fingerprint == card["fingerprint"]), None)
            if token is None:
                token = Token(token=ledger.new_id("TK", ledger.tokens), merchant_id=tx.merchant_id,
                              shopper_reference=shopper, usage=usage, fingerprint=card["fingerprint"],
                              brand=card["brand"], bin=card["bin"], last4=card["last4"],
                              exp_month=card["exp_month"], exp_year=card["exp_year"],
                              created_at=ledger.clock.now(), profile=card.get("profile", "approve"))
            else:  # a renewed card: same number, new expiry
                token.exp_month, token.exp_year = card["exp_month"], card["exp_year"]
            ledger.tokens[token.token] = token
            tx.token = token.token
            saved: list[Record] = [token]
            if usage == "SUBSCRIPTION":
                agreement = Agreement(recurring_agreement_id=ledger.new_id("RA", ledger.agreements),
                                      merchant_id=tx.merchant_id, shopper_reference=shopper, token=token.token,
                                      first_order_id=tx.order_id, created_at=ledger.clock.now())
                ledger.agreements[agreement.recurring_agreement_id] = agreement
                tx.recurring_agreement_id = agreement.recurring_agreement_id
                saved.append(agreement)
            ledger.save(*saved)
            return token

    def usable_token(self, merchant_id: str, token_id: str, shopper_reference: Optional[str],
                     field: str = "payment.token") -> Token:
        """The active token ``token_id`` of this merchant (and shopper, when one is given).

        Raises :class:`StubError` ``299003`` naming ``field``: 404 unknown or another
        shopper's, 410 removed.
        """
        token = self._token(token_id)
        if token is None or token.merchant_id != merchant_id:
            raise StubError(404, NO_TOKEN, f"{field}: no such token")
        if shopper_reference is not None and token.shopper_reference != shopper_reference:
            raise StubError(404, NO_TOKEN, f"{field}: does not belong to this shopper_reference")
        if not token.active:
            raise StubError(410, NO_TOKEN, f"{field}: was removed; the shopper must enter the card again")
        return token

    def _token(self, token_id: str) -> Optional[Token]:
        with self.ledger.lock:
            return self.ledger.tokens.get(token_id)

    def usable_agreement(self, merchant_id: str, agreement_id: str, token: Token) -> Agreement:
        """The active agreement ``agreement_id`` that goes with ``token``.

        Raises :class:`StubError` ``299004``: 404 unknown, 410 canceled, 400 another token's.
        """
        with self.ledger.lock:
            agreement = self.ledger.agreements.get(agreement_id)
        if agreement is None or agreement.merchant_id != merchant_id:
            raise StubError(404, NO_AGREEMENT, "recurring_agreement_id: no such recurring agreement")
        if not agreement.active:
            raise StubError(410, NO_AGREEMENT, "recurring_agreement_id: the agreement was canceled; "
                            "the shopper must set up a new one")
        if agreement.token != token.token or agreement.shopper_reference != token.shopper_reference:
            raise StubError(400, NO_AGREEMENT, "recurring_agreement_id: does not belong to payment.token")
        return agreement

    # --- the v3 operations ---------------------------------------------------------------

    def remove_token(self, merchant_id: str, req: wire.TokenRemoveRequest) -> dict[str, Any]:
        """Remove a stored card: :class:`wire.TokenRemoveData` JSON. Raises as :meth:`usable_token`
        (a removed token is 410)."""
        ledger = self.ledger
        with ledger.lock:
            token = self.usable_token(merchant_id, req.token, req.shopper_reference, field="token")
            token.removed_at = ledger.clock.now()
            ledger.save(token)
        return wire.TokenRemoveData(token=token.token, shopper_reference=token.shopper_reference).to_wire()

    def cancel_recurring(self, merchant_id: str, req: wire.RecurringCancelRequest) -> dict[str, Any]:
        """Cancel a recurring agreement: :class:`wire.RecurringCancelData` JSON.

        Idempotent: cancelling a canceled agreement answers the same. Raises
        :class:`StubError` 404 ``299004`` for an unknown agreement or another shopper's.
        """
        ledger = self.ledger
        with ledger.lock:
            agreement = ledger.agreements.get(req.recurring_agreement_id)
            if agreement is None or agreement.merchant_id != merchant_id:
                raise StubError(404, NO_AGREEMENT, "recurring_agreement_id: no such recurring agreement")
            if req.shopper_reference and req.shopper_reference != agreement.shopper_reference:
                raise StubError(404, NO_AGREEMENT, "shopper_reference: does not own this recurring agreement")
            if agreement.canceled_at is None:
                agreement.canceled_at = ledger.clock.now()
                ledger.save(agreement)
        return wire.RecurringCancelData(recurring_agreement_id=agreement.recurring_agreement_id).to_wire()

    def apple_pay_session(self, merchant_id: str, req: wire.ApplePaySessionRequest) -> str:
        """An opaque merchant-session string, shaped like Apple's (a JSON object as text),
        valid one hour (``expiresAt``, ms on the emulator's clock)."""
        now_ms = self.ledger.clock.now_ms()
        merchant = self.ledger.merchant(merchant_id)
        session = {
            "epochTimestamp": now_ms,
            "expiresAt": now_ms + 60 * 60 * 1000,
            "merchantSessionIdentifier": "SSH" + secrets.token_hex(16).upper(),
            "nonce": secrets.token_hex(4),
            "merchantIdentifier": secrets.token_hex(32).upper(),
            "domainName": req.domain_name,
            "displayName": req.display_name or merchant.name,
            "signature": base64.b64encode(secrets.token_bytes(48)).decode("ascii"),
            "operationalAnalyticsIdentifier": f"{merchant.name}:stub",
            "retries": 0,
            "pspId": "paykka-stub",
        }
        return json.dumps(session, separators=(",", ":"))
