"""Sessions for orders: each call is a new *attempt* with its own ``trans_id``
(``{order_ref}-{attempt}``), because PayKKa returns the old session for a reused ``trans_id``
and a session can be initialised in a browser only once — so a reload, a retry or an expired
session each need a fresh attempt. Before any attempt, :class:`~.integrity.Integrity` makes sure
the order is not paid and has no payment in flight.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Callable, Optional

from flask import g, has_request_context, request, url_for

from .. import locales, money, wire
from ..errors import APIError, PayKKaError, UnknownOrderError, ValidationError
from ..expiry import expire_in
from ..store import AttemptRecord
from ..store.base import FLAG_MISMATCH
from .orders import COMPONENT_NAME, MODES, ORDER_REF, CheckoutSession, OrderInfo
from .signals import payment_mismatch
from .state import PayKKaState

#: How many attempt numbers ``create_session`` may skip when PayKKa answers with a session it
#: already had for that ``trans_id`` (the store was reset, or two instances keep separate ones).
MAX_REUSED_TRANS_IDS = 5

Resolver = Callable[[str], Optional[OrderInfo]]


def shopper_locale() -> Optional[str]:
    """The checkout language for the browser asking, from its Accept-Language (None outside a request,
    or when it asks for none of the languages the checkout speaks)."""
    if not has_request_context():
        return None
    return locales.first_supported(tag for tag, _ in request.accept_languages)


class Sessions:
    """Create, confirm and look up an order's attempts. ``state`` gives the app's state when called;
    ``resolver`` is the merchant's order resolver (or None until one is registered)."""

    def __init__(self, state: Callable[[], PayKKaState], resolver: Callable[[], Optional[Resolver]]) -> None:
        self._state = state
        self._resolver = resolver

    def resolve_order(self, order_ref: str) -> OrderInfo:
        """The resolver's :class:`OrderInfo`; :class:`UnknownOrderError` (a ``LookupError``) when it knows
        no such order."""
        if not isinstance(order_ref, str) or not ORDER_REF.match(order_ref):
            raise ValidationError("order", "must be 1 to 48 letters, digits, '-' or '_'")
        resolver = self._resolver()
        if resolver is None:
            raise RuntimeError("no order resolver: decorate a function with @paykka.order_resolver")
        info = resolver(order_ref)
        if info is None:
            raise UnknownOrderError(order_ref)
        return info

    def create_session(self, order_ref: str, mode: str = "DROP_IN", *, component: Optional[str] = None,
                       locale: Optional[str] = None, theme: Optional[str] = None,
                       shopper_reference: Optional[str] = None, store_payment_method: Optional[bool] = None,
                       token_usage: Optional[str] = None, payment_type: Optional[str] = None,
                       **fields: Any) -> CheckoutSession:
        """Create a new attempt's session for ``order_ref``; the amount comes from the order resolver.

        ``mode`` is ``DROP_IN``, ``COMPONENT`` (the macros name the components, several may
        share the session) or ``HOSTED`` (use ``session.session_url``). Keyword arguments override the
        resolver's stored-card fields; other ``fields`` go to PayKKa as they are (wire names).
        Nothing is recorded unless PayKKa created the session.
        """
        mode = mode.upper()
        if mode not in MODES:
            raise ValidationError("mode", f"must be one of {', '.join(MODES)}")
        if component is not None and (mode != "COMPONENT" or not COMPONENT_NAME.match(component)):
            raise ValidationError("component", "is for COMPONENT mode, a lower-case name such as card or applepay")
        info = self.resolve_order(order_ref)
        minor = money.as_minor(info.amount, info.currency)
        state = self._state()
        cfg = state.app.config
        payment: dict[str, Any] = {k: v for k, v in {
            "store_payment_method": info.store_payment_method if store_payment_method is None else store_payment_method,
            "token_usage": token_usage or info.token_usage,
            "shopper_reference": shopper_reference or info.shopper_reference,
        }.items() if v is not None}
        # The checkout speaks the shopper's language unless the page says otherwise: the browser's
        # Accept-Language (as the result page does), else PAYKKA_LOCALE.
        locale = locale or cfg["PAYKKA_LOCALE"] or shopper_locale()
        theme = theme or cfg["PAYKKA_THEME_ID"]
        request: dict[str, Any] = {
            "session_mode": mode,
            "payment_type": payment_type or info.payment_type,
            "capture_method": info.capture_method,
            "amount": minor,
            "currency": info.currency,
            "expire_time": expire_in(timedelta(seconds=int(cfg["PAYKKA_SESSION_LIFETIME"]))),
            "notify_url": cfg["PAYKKA_NOTIFY_URL"] or url_for("paykka.webhook", _external=True),
            "display_locale": locale,
            "display_merchant_name": cfg["PAYKKA_MERCHANT_NAME"],
            "theme_id": theme,
            "goods": list(info.goods) or None,
            "payment": payment or None,
            **dict(info.extra),
            **fields,
        }
        expire = request["expire_time"]
        # Validated once, before an attempt number is spent, so a refused request changes nothing;
        # each attempt then sends the same payload under its own trans_id and return URL.
        call = state.client.core.create_session({**request, "trans_id": f"{order_ref}-1",
                                                 "return_url": request.get("return_url") or "https://return.invalid/",
                                                 "cancel_url": request.get("cancel_url") or "https://return.invalid/"})
        state.integrity.ensure_payable(order_ref)
        for _ in range(MAX_REUSED_TRANS_IDS):
            attempt = state.store.next_attempt(order_ref)
            trans_id = f"{order_ref}-{attempt}"
            back = url_for("paykka.return_", trans_id=trans_id, _external=True)
            payload = {**call.payload, "trans_id": trans_id, "return_url": request.get("return_url") or back,
                       "cancel_url": request.get("cancel_url") or back}
            try:
                session = state.client.run(replace(call, payload=payload))
            except APIError as exc:
                if exc.ret_code == "010000" and exc.ret_msg.startswith("trans_id:"):
                    # PayKKa kept this trans_id for another session than ours (the store lost its counter).
                    state.app.logger.error("PayKKa refused %s as a reused trans_id (%s); trying the next attempt "
                                           "number", trans_id, exc.ret_msg)
                    continue
                raise
            record = AttemptRecord(
                trans_id=trans_id, order_ref=order_ref, attempt=attempt, session_id=session.session_id,
                mode=mode, amount=minor, currency=info.currency, payment_type=request["payment_type"],
                shopper_reference=payment.get("shopper_reference"), token_usage=payment.get("token_usage"),
                valid_until=session.expire_time.isoformat(),
            )
            state.store.add_attempt(record)
            if (int(session.amount), session.currency) != (minor, info.currency):
                # PayKKa answered with the session it already had for this trans_id, for another sum.
                state.store.flag_attempt(trans_id, FLAG_MISMATCH, reported_amount=int(session.amount),
                                         reported_currency=session.currency)
                state.app.logger.error(
                    "PayKKa returned session %s of %s %s for %s, which is for %s %s: an old session for a reused "
                    "trans_id; it is recorded as a mismatch and not used", session.session_id, session.amount,
                    session.currency, trans_id, minor, info.currency)
                payment_mismatch.send(state.app, attempt=state.store.attempt(trans_id), source="create_session")
                continue
            if session.status != "PROCESSING" or not _same_instant(session.expire_time, expire):
                # An old session of ours (same sum): it may have been paid, or shown in a browser already.
                state.integrity.ensure_payable(order_ref)
                continue
            break
        else:
            raise PayKKaError(f"trans_id: PayKKa already holds sessions for the next {MAX_REUSED_TRANS_IDS} "
                              f"attempts of order {order_ref}; the store has lost track of this order")
        if has_request_context():
            g.paykka_session_created = True  # the page that carries it must not be cached (see extension)
        return CheckoutSession(
            order_ref=order_ref, attempt=attempt, trans_id=trans_id, session_id=session.session_id,
            session_url=session.session_url, mode=mode, client_key=state.credentials.client_key,
            env=state.environment.sdk_env, checkout_base=state.environment.checkout_base,
            amount=minor, currency=info.currency, expire_time=wire.format_datetime(session.expire_time),
            locale=locale, component=component, merchant_name=cfg["PAYKKA_MERCHANT_NAME"], theme=theme,
        )

    def confirm(self, trans_id: str) -> Optional[AttemptRecord]:
        """Ask PayKKa for the attempt's transaction and record what it says (see :mod:`paykka_embed.outcomes`):
        the status, a stored card, and whether the amount matches and which attempt paid the order.

        Returns the attempt as recorded (unchanged when the shopper has not paid yet), or None for an
        unknown ``trans_id``."""
        state = self._state()
        attempt = state.store.attempt(trans_id)
        if attempt is None:
            return None
        outcome, _ = state.integrity.settle(attempt)
        return outcome.attempt or state.store.attempt(trans_id)

    def paid_attempt(self, order_ref: str) -> Optional[AttemptRecord]:
        """The attempt that paid ``order_ref`` (at most one ever does), or None."""
        store = self._state().store
        paid = store.paid_trans_id(order_ref)
        return store.attempt(paid) if paid else None


def _same_instant(a: datetime, b: Any) -> bool:
    other = b if isinstance(b, datetime) else datetime.fromisoformat(str(b))
    return abs((a - other).total_seconds()) < 1
