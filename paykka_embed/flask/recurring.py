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
   :meth:`StoredPayments.charge_recurring`;
4. the agreement is cancelled (:meth:`StoredPayments.cancel_recurring`) or the card forgotten
   (:meth:`StoredPayments.remove_token`), at PayKKa first, then in the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from flask import url_for

from .. import money, wire
from ..errors import DeclinedError, ValidationError
from ..store import AGREEMENT_CANCELED, TOKEN_ACTIVE, TOKEN_REMOVED, AttemptRecord, TokenRecord

if TYPE_CHECKING:
    from .extension import CheckoutSession, OrderInfo, PayKKaState

MIT_MODE = "MIT"


class StoredPayments:
    """Mixed into :class:`~paykka_embed.flask.extension.PayKKa`; every method needs an app context."""

    if TYPE_CHECKING:
        def _own_state(self) -> PayKKaState: ...
        def resolve_order(self, order_ref: str) -> OrderInfo: ...
        def create_session(self, order_ref: str, mode: str = ..., **kwargs: Any) -> CheckoutSession: ...

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

    def stored_tokens(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        """The shopper's saved cards, newest first (brand and last four only)."""
        return self._own_state().store.tokens(shopper_reference, active_only=active_only)

    def charge_recurring(self, order_ref: str, *, shopper_reference: Optional[str] = None,
                         token: Optional[str] = None,
                         recurring_agreement_id: Optional[str] = None) -> wire.TransactionData:
        """Charge ``order_ref`` (amount from the order resolver) to the shopper's recurring agreement.

        A merchant-initiated transaction, sent once. Raises :class:`DeclinedError` when
        declined (the attempt is recorded as ``FAILURE``), :class:`ValidationError` when the
        shopper has no active agreement (or none matching ``token`` / ``recurring_agreement_id``:
        nothing is recorded), and
        :class:`~paykka_embed.errors.NetworkError` when the outcome is unknown (the attempt
        stays ``PROCESSING``; :meth:`confirm` it before charging again).
        """
        info = self.resolve_order(order_ref)
        shopper = shopper_reference or info.shopper_reference
        if not shopper:
            raise ValidationError("shopper_reference", "is required to charge a recurring agreement")
        state = self._own_state()
        stored = _agreement_token(state.store.tokens(shopper), token, recurring_agreement_id)
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
        # Validate first: a refused request spends no attempt number and records nothing.
        state.client.core.initiate_transaction({**request, "trans_id": f"{order_ref}-1"})
        attempt = state.store.next_attempt(order_ref)
        trans_id = f"{order_ref}-{attempt}"
        state.store.add_attempt(AttemptRecord(
            trans_id=trans_id, order_ref=order_ref, attempt=attempt, session_id=None, mode=MIT_MODE,
            amount=minor, currency=info.currency, payment_type="RECURRING", shopper_reference=shopper,
            token_usage=stored.token_usage))
        try:
            tx = state.client.initiate_transaction({**request, "trans_id": trans_id})
        except DeclinedError as exc:
            declined = exc.data if isinstance(exc.data, wire.TransactionData) else None
            state.store.update_status(trans_id, "FAILURE", order_id=declined.order_id if declined else None,
                                      source="query")
            raise
        state.store.update_status(trans_id, tx.status, order_id=tx.order_id, source="query")
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
