"""The Flask extension: registration, and the public face of sessions and stored payments.

    paykka = PayKKa(app)                    # or PayKKa() then paykka.init_app(app)

    @paykka.order_resolver
    def resolve(order_ref):                 # the server decides what an order costs
        order = Order.query.get(order_ref)
        return OrderInfo(amount=order.total, currency=order.currency)

    @paykka.on("PAYMENT.SUCCESS")
    def paid(event): ...

The work is done by components this object holds: :class:`~.sessions.Sessions` (attempts and
their confirmation) and :class:`~.recurring.StoredPayments` (saved cards, recurring charges);
per-app state lives in ``app.extensions["paykka"]`` (:class:`~.state.PayKKaState`).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flask import Flask, Response, g, has_app_context

from .. import wire
from ..client import PayKKaClient
from ..errors import OrderStateError, PayKKaError, ValidationError
from ..store import AttemptRecord, Store, TokenRecord
from ..webhooks import HANDLED_TYPES, Handler
from . import applepay, config, templating
from .orders import CheckoutSession, OrderInfo
from .recurring import StoredPayments
from .sessions import Resolver, Sessions
from .state import EXTENSION_KEY, PayKKaState, state_of
from .views import create_blueprint, order_state_page, payment_error_page

__all__ = ["PayKKa", "PayKKaState", "OrderInfo", "CheckoutSession", "EXTENSION_KEY"]


def _no_store_when_a_session_was_created(response: Response) -> Response:
    """A page carrying a new session must not come back from the browser's cache: a session initialises
    in a browser once, so Back to a cached checkout would show a dead form (and its old session)."""
    if g.get("paykka_session_created"):
        response.headers["Cache-Control"] = "no-store"
    return response


class PayKKa:
    """The Flask extension. See the module docstring for the shape of an integration."""

    def __init__(self, app: Optional[Flask] = None, *, store_factory: Optional[Callable[[str], Store]] = None) -> None:
        self.handlers: dict[str, list[Handler]] = {}
        self._resolver: Optional[Resolver] = None
        self.store_factory = store_factory
        self._apps: list[Flask] = []
        self.sessions = Sessions(self._own_state, lambda: self._resolver)
        self.payments = StoredPayments(self._own_state, self.sessions)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Register on ``app``: check its ``PAYKKA_*`` config (a bad key raises ``ValidationError`` naming it),
        keep the state in ``app.extensions["paykka"]``, mount the routes under ``PAYKKA_URL_PREFIX``, the
        Jinja globals, the Apple Pay domain file and the order-state error pages. ``RuntimeError`` if already
        registered on ``app``."""
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("PayKKa is already registered on this app")
        config.apply_defaults(app)
        config.check(app)
        app.extensions[EXTENSION_KEY] = PayKKaState(self, app)
        self._apps.append(app)
        blueprint = create_blueprint(self)
        app.register_blueprint(blueprint, url_prefix=str(app.config["PAYKKA_URL_PREFIX"]).rstrip("/"))
        applepay.register(app)
        templating.register(app)
        app.register_error_handler(OrderStateError, order_state_page)
        app.register_error_handler(PayKKaError, payment_error_page)
        app.after_request(_no_store_when_a_session_was_created)

        # The webhook is signed, not CSRF-protected, and POST {prefix}/sessions checks the CSRF
        # token itself; so Flask-WTF's CSRFProtect, whenever it was set up, skips this blueprint.
        def exempt_from_csrfprotect() -> None:
            csrf = app.extensions.get("csrf")
            if csrf is not None:
                csrf.exempt(blueprint)

        exempt_from_csrfprotect()
        app.before_request_funcs.setdefault(None, []).insert(0, exempt_from_csrfprotect)

    # --- registration -------------------------------------------------------------------

    def order_resolver(self, fn: Resolver) -> Resolver:
        """Register the function that turns an order reference into an :class:`OrderInfo` (or None)."""
        self._resolver = fn
        return fn

    def on(self, notify_type: str) -> Callable[[Handler], Handler]:
        """Register a webhook handler for ``notify_type`` (``"PAYMENT.SUCCESS"``..., ``"DISPUTE"`` for a
        dispute's every stage, ``"*"`` for every event). A payment or refund handler receives a
        :class:`~paykka_embed.wire.NotifyEvent`; a dispute handler a
        :class:`~paykka_embed.wire.DisputeNotification` (its ``dispute_stage``, ``due_time``...).

        A handler runs once per event that changes the order (not for a stale event, a duplicate
        payment or an amount mismatch). A handler that raises makes the webhook answer 500, so
        PayKKa delivers the event again and the handler runs again; handlers should therefore be
        idempotent.
        """
        known = HANDLED_TYPES | {"*"}
        if notify_type not in known:
            raise ValidationError("notify_type", f"must be one of {', '.join(sorted(known))}")

        def register(fn: Handler) -> Handler:
            self.handlers.setdefault(notify_type, []).append(fn)
            return fn

        return register

    # --- state --------------------------------------------------------------------------

    @staticmethod
    def state(app: Optional[Flask] = None) -> PayKKaState:
        """The extension's state of ``app`` (the current app by default)."""
        return state_of(app)

    def _own_state(self) -> PayKKaState:
        """The current app's state, or, outside an app context (a script, a worker), the one app's."""
        if has_app_context() or len(self._apps) != 1:
            return state_of()
        return state_of(self._apps[0])

    @property
    def client(self) -> PayKKaClient:
        """The signed v3 client of the current app (or of the only app, outside an app context)."""
        return self._own_state().client

    @property
    def store(self) -> Store:
        """The store of the current app (or of the only app, outside an app context)."""
        return self._own_state().store

    # --- sessions (see .sessions) ----------------------------------------------------------

    def resolve_order(self, order_ref: str) -> OrderInfo:
        """The resolver's :class:`OrderInfo`; ``LookupError`` when it knows no such order."""
        return self.sessions.resolve_order(order_ref)

    def create_session(self, order_ref: str, mode: str = "DROP_IN", *, component: Optional[str] = None,
                       locale: Optional[str] = None, theme: Optional[str] = None,
                       shopper_reference: Optional[str] = None, store_payment_method: Optional[bool] = None,
                       token_usage: Optional[str] = None, payment_type: Optional[str] = None,
                       **fields: Any) -> CheckoutSession:
        """A new attempt's session for ``order_ref``; see :meth:`.sessions.Sessions.create_session`."""
        return self.sessions.create_session(
            order_ref, mode, component=component, locale=locale, theme=theme, shopper_reference=shopper_reference,
            store_payment_method=store_payment_method, token_usage=token_usage, payment_type=payment_type, **fields)

    def confirm(self, trans_id: str) -> Optional[AttemptRecord]:
        """Query the attempt's transaction and record it; see :meth:`.sessions.Sessions.confirm`."""
        return self.sessions.confirm(trans_id)

    def paid_attempt(self, order_ref: str) -> Optional[AttemptRecord]:
        """The one attempt that paid ``order_ref``, or None."""
        return self.sessions.paid_attempt(order_ref)

    # --- stored cards and recurring payments (see .recurring) ------------------------------

    def stored_card_session(self, order_ref: str, shopper_reference: str, mode: str = "DROP_IN",
                            **kwargs: Any) -> CheckoutSession:
        """A session offering the shopper's saved cards and saving the new one (``CARD_ON_FILE``)."""
        return self.payments.stored_card_session(order_ref, shopper_reference, mode, **kwargs)

    def recurring_session(self, order_ref: str, shopper_reference: str, mode: str = "DROP_IN",
                          **kwargs: Any) -> CheckoutSession:
        """The first payment of a recurring agreement (``RECURRING`` / ``SUBSCRIPTION``), in the browser."""
        return self.payments.recurring_session(order_ref, shopper_reference, mode, **kwargs)

    def agreement_for(self, order_ref: str) -> Optional[TokenRecord]:
        """The recurring agreement the order's first payment set up, or None (see :mod:`.recurring`)."""
        return self.payments.agreement_for(order_ref)

    def stored_tokens(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        """The shopper's saved cards and agreements, newest first (brand and last four only)."""
        return self.payments.stored_tokens(shopper_reference, active_only=active_only)

    def charge_recurring(self, order_ref: str, *, shopper_reference: Optional[str] = None,
                         token: Optional[str] = None, recurring_agreement_id: Optional[str] = None,
                         idempotency_key: Optional[str] = None) -> wire.TransactionData:
        """Charge the order to the shopper's agreement, once per ``idempotency_key``; see
        :meth:`.recurring.StoredPayments.charge_recurring`."""
        return self.payments.charge_recurring(order_ref, shopper_reference=shopper_reference, token=token,
                                              recurring_agreement_id=recurring_agreement_id,
                                              idempotency_key=idempotency_key)

    def cancel_recurring(self, recurring_agreement_id: str, *,
                         shopper_reference: Optional[str] = None) -> wire.RecurringCancelData:
        """Cancel the agreement at PayKKa, then mark its tokens ``CANCELED``; ``APIError`` if PayKKa refuses."""
        return self.payments.cancel_recurring(recurring_agreement_id, shopper_reference=shopper_reference)

    def remove_token(self, token: str, shopper_reference: str) -> wire.TokenRemoveData:
        """Delete the saved card at PayKKa, then mark it ``REMOVED``; ``APIError`` if PayKKa refuses."""
        return self.payments.remove_token(token, shopper_reference)
