"""Stored cards and recurring payments, on top of sessions and the store.

The flow PayKKa supports, and the one these methods follow:

1. the shopper pays once in the browser with a session that asks to store the card:
   :meth:`StoredPayments.stored_card_session` (``token_usage=CARD_ON_FILE``: the shopper
   picks the saved card next time) or :meth:`StoredPayments.recurring_session`
   (``payment_type=RECURRING``, ``token_usage=SUBSCRIPTION``: the merchant may charge later);
2. PayKKa's webhook (and the return page's query) carries ``token``,
   ``recurring_agreement_id`` and ``shopper_reference``; the pipeline records them in the
   store's tokens table, with the card brand and last four digits and nothing more;
3. the merchant charges later without the shopper, through ``initiate_transaction``
   (``mit=true``, ``payment_type=RECURRING``, the token and the agreement):
   :meth:`StoredPayments.charge_recurring`, idempotent on a key (the billing period), so a
   double-clicked button, a cron job run twice or twenty workers at once charge once;
4. the agreement is cancelled (:meth:`StoredPayments.cancel_recurring`) or the card forgotten
   (:meth:`StoredPayments.remove_token`), at PayKKa first, then in the store.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Optional

from flask import url_for

from .. import money, wire
from ..errors import DeclinedError, ValidationError
from ..outcomes import Reported, record_outcome
from ..store import AGREEMENT_CANCELED, TOKEN_ACTIVE, TOKEN_REMOVED, AttemptRecord, TokenRecord
from .charges import ChargeLedger, _declined_or
from .orders import CheckoutSession, OrderInfo
from .sessions import Sessions
from .state import PayKKaState

if TYPE_CHECKING:
    from ..client import Call

MIT_MODE = "MIT"


class StoredPayments:
    """Held by :class:`~paykka_embed.flask.extension.PayKKa` (which offers these methods too); every
    method needs an app context. ``state`` gives the app's state when called."""

    def __init__(self, state: Callable[[], PayKKaState], sessions: Sessions) -> None:
        self._own_state = state
        self.sessions = sessions

    def resolve_order(self, order_ref: str) -> OrderInfo:
        return self.sessions.resolve_order(order_ref)

    def create_session(self, order_ref: str, mode: str = "DROP_IN", **kwargs: Any) -> CheckoutSession:
        return self.sessions.create_session(order_ref, mode, **kwargs)

    def stored_card_session(self, order_ref: str, shopper_reference: str, mode: str = "DROP_IN",
                            **kwargs: Any) -> CheckoutSession:
        """A session that offers the shopper's saved cards and saves the new one (``CARD_ON_FILE``)."""
        _check_shopper(shopper_reference)
        return self.create_session(order_ref, mode, shopper_reference=shopper_reference, store_payment_method=True,
                                   token_usage="CARD_ON_FILE", **kwargs)

    def recurring_session(self, order_ref: str, shopper_reference: str, mode: str = "DROP_IN",
                          **kwargs: Any) -> CheckoutSession:
        """The first payment of a recurring agreement (``RECURRING`` / ``SUBSCRIPTION``), paid in the browser."""
        _check_shopper(shopper_reference)
        return self.create_session(order_ref, mode, shopper_reference=shopper_reference, store_payment_method=True,
                                   token_usage="SUBSCRIPTION", payment_type="RECURRING", **kwargs)

    def agreement_for(self, order_ref: str) -> Optional[TokenRecord]:
        """The recurring agreement the order's first payment set up (its token, agreement id, card, and
        status: ``ACTIVE``, ``CANCELED`` or ``REMOVED``), or None. A shopper may hold several: charge the
        one of the membership, not any of the shopper's."""
        store = self._own_state().store
        paid = store.paid_trans_id(order_ref)
        return store.agreement_of(paid) if paid else None

    def stored_tokens(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        """The shopper's saved cards, newest first (brand and last four only)."""
        return self._own_state().store.tokens(shopper_reference, active_only=active_only)

    def charge_recurring(self, order_ref: str, *, shopper_reference: Optional[str] = None,
                         token: Optional[str] = None, recurring_agreement_id: Optional[str] = None,
                         idempotency_key: Optional[str] = None) -> wire.TransactionData:
        """Charge ``order_ref`` (amount from the order resolver) to the shopper's recurring agreement, once.

        ``idempotency_key`` (default: ``order_ref``) names the charge, e.g. the billing period
        ``"2026-11"``; keys are per shopper. The first call with a key charges; every later call with
        it — at the same time in another thread or process, or a year later — gets the first call's
        result (the same transaction, or the same :class:`DeclinedError`) without a new charge. A key
        used for another order, amount or agreement is refused (:class:`ValidationError`). To try a
        declined period again, use a new key (``"2026-11#2"``).

        Raises :class:`DeclinedError` when declined (the attempt is recorded as ``FAILURE``),
        :class:`ValidationError` when the shopper has no active agreement (or none matching ``token`` /
        ``recurring_agreement_id``: nothing is recorded), :class:`~paykka_embed.errors.OrderPaidError`
        when the order is already paid, :class:`~paykka_embed.errors.PaymentInProgressError` when
        another charge of it is still open, and :class:`~paykka_embed.errors.NetworkError` when the
        outcome is unknown: calling again with the same key then asks PayKKa what happened to that
        transaction and never sends a second one.
        """
        info = self.resolve_order(order_ref)
        shopper = shopper_reference or info.shopper_reference
        if not shopper:
            raise ValidationError("shopper_reference", "is required to charge a recurring agreement")
        key = order_ref if idempotency_key is None else idempotency_key
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise ValidationError("idempotency_key", "must be 1 to 128 characters")
        state = self._own_state()
        stored = _agreement_token(state.store.agreements(shopper), token, recurring_agreement_id)
        minor = money.as_minor(info.amount, info.currency)
        request: dict[str, Any] = {
            "payment_type": "RECURRING",
            "mit": True,
            "recurring_agreement_id": stored.recurring_agreement_id,
            "capture_method": info.capture_method,
            "amount": minor,
            "currency": info.currency,
            "notify_url": state.app.config["PAYKKA_NOTIFY_URL"] or url_for("paykka.webhook", _external=True),
            "payment": {"payment_method": "BANKCARD", "token": stored.token, "shopper_reference": shopper},
            "goods": list(info.goods) or None,
        }
        # Validated once, before a key or an attempt number is spent: a refused request records nothing.
        call = state.client.core.initiate_transaction({**request, "trans_id": f"{order_ref}-1"})
        charges = ChargeLedger(state.store, f"recurring:{shopper}", key, lease_seconds=_lease(state))
        fingerprint = f"{order_ref}|{minor}|{info.currency}|{stored.recurring_agreement_id}"
        return charges.run(order_ref, fingerprint, lambda: self._send_charge(state, order_ref, call, stored,
                                                                             minor, info.currency, shopper, charges))

    def _send_charge(self, state: PayKKaState, order_ref: str, call: "Call[wire.TransactionData]", stored: TokenRecord, minor: int,
                     currency: str, shopper: str, charges: "ChargeLedger") -> wire.TransactionData:
        """The owner's part of a charge: resume one begun before (by trans_id), or begin one."""
        begun = charges.record().trans_id
        if begun is not None:
            attempt = state.store.attempt(begun)
            outcome, tx = state.integrity.settle(attempt) if attempt else (None, None)
            if tx is not None:  # it reached PayKKa: that is the charge
                return _declined_or(tx)
            trans_id = begun  # it never reached PayKKa: send it now, under the same trans_id
        else:
            state.integrity.ensure_payable(order_ref)
            attempt_no = state.store.next_attempt(order_ref)
            trans_id = f"{order_ref}-{attempt_no}"
            state.store.add_attempt(AttemptRecord(
                trans_id=trans_id, order_ref=order_ref, attempt=attempt_no, session_id=None, mode=MIT_MODE,
                amount=minor, currency=currency, payment_type="RECURRING", shopper_reference=shopper,
                token_usage=stored.token_usage))
            charges.begin(trans_id)
        try:
            tx = state.client.run(replace(call, payload={**call.payload, "trans_id": trans_id}))
        except DeclinedError as exc:
            if isinstance(exc.data, wire.TransactionData):
                state.integrity.alarm(record_outcome(state.store, Reported.of(exc.data), "query"), "query")
            raise
        state.integrity.alarm(record_outcome(state.store, Reported.of(tx), "query"), "query")
        return tx

    def cancel_recurring(self, recurring_agreement_id: str, *,
                         shopper_reference: Optional[str] = None) -> wire.RecurringCancelData:
        """Cancel the agreement at PayKKa, then mark its tokens ``CANCELED`` in the store."""
        state = self._own_state()
        params: dict[str, Any] = {"recurring_agreement_id": recurring_agreement_id}
        if shopper_reference:
            params["shopper_reference"] = shopper_reference
        result = state.client.cancel_recurring(**params)
        state.store.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id=recurring_agreement_id)
        return result

    def remove_token(self, token: str, shopper_reference: str) -> wire.TokenRemoveData:
        """Delete the saved card at PayKKa, then mark it ``REMOVED`` in the store."""
        state = self._own_state()
        result = state.client.remove_token(token=token, shopper_reference=shopper_reference)
        state.store.set_token_status(TOKEN_REMOVED, token=token)
        return result


def _lease(state: PayKKaState) -> float:
    """How long a charge's owner may take before another caller resumes it: a request and its answer."""
    return max(30.0, float(state.app.config["PAYKKA_TIMEOUT"]) * 2 + 10)


def _check_shopper(shopper_reference: str) -> None:
    if not isinstance(shopper_reference, str) or not 1 <= len(shopper_reference) <= 64:
        raise ValidationError("shopper_reference", "must be 1 to 64 characters")


def _agreement_token(tokens: list[TokenRecord], token: Optional[str], agreement: Optional[str]) -> TokenRecord:
    usable = [t for t in tokens if t.status == TOKEN_ACTIVE and t.recurring_agreement_id
              and token in (None, t.token) and agreement in (None, t.recurring_agreement_id)]
    if not usable:
        which = " matching that token or agreement" if token or agreement else ""
        raise ValidationError("shopper_reference", f"has no active recurring agreement{which}: take a first "
                              "payment with recurring_session() and wait for its webhook")
    return usable[0]
