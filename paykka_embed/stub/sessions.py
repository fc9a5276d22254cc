"""Checkout sessions: creation (idempotent on ``trans_id``), lookup, status, expiry,
and what the browser may do with one (init once, list methods and stored cards).

A session is ``PROCESSING`` while it can be paid (a failed attempt leaves it open for
another), takes its paid order's status once paid, and reads ``EXPIRED`` once the
emulator's clock passes ``expire_time`` unpaid. Expiry of a session without an attempt
sends no webhook: nothing happened. An attempt still waiting for the shopper (3DS, wallet)
when the session expires ends ``FAILURE`` with its ``PAYMENT.FAILURE`` (see
:meth:`payments.Payments.expire_pending`).

PayKKa's sources: Create Session and its idempotency on ``trans_id`` (notes §2.3, the
WooCommerce plugin's ``paykka-id-session-design.md``); Query Session (HOSTED page).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Optional
from urllib.parse import urlsplit

from .. import money, wire
from ..errors import ValidationError
from . import methods
from .ledger import Ledger
from .errors import NO_SESSION, StubError, no_session, param_error
from .records import Merchant, Session, Transaction

MAX_SESSION_LIFETIME = timedelta(hours=24)
DEFAULT_SESSION_LIFETIME = timedelta(hours=1)
#: Statuses after which a session takes no more payments.
PAID_STATUSES: frozenset[wire.TransactionStatus] = frozenset({
    "SUCCESS", "AUTHORIZED", "REFUNDED", "PARTIALLY_REFUNDED", "CANCELED", "PARTIALLY_REVERSED"})
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def check_url(value: Optional[str], field: str) -> None:
    """Refuse (``010000`` naming ``field``) a URL that is not absolute http(s); None passes."""
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise param_error(f"{field}: must be an absolute http(s) URL")


def check_currency(currency: str, field: str = "currency") -> None:
    """Refuse (``010000`` naming ``field``) a code that is not an ISO 4217 currency."""
    try:
        money.check_currency(currency, field)
    except ValidationError as exc:
        raise param_error(str(exc)) from None


class Sessions:
    """Checkout sessions: the Create/Query Session operations and the browser's view of a session."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    # --- creation ------------------------------------------------------------------------

    def validate(self, req: wire.CreateSessionRequest) -> None:
        """The rules the wire model cannot check alone (they need the clock or a table).

        Raises :class:`StubError` ``010000`` naming the field: a currency that is not ISO
        4217, ``expire_time`` past or more than 24 hours ahead, a URL that is not absolute
        http(s), a ``display_locale`` that is not a BCP 47 tag, ``mit`` on a session, a
        token usage that does not fit ``payment_type``, or no payment method left for the
        currency.
        """
        check_currency(req.currency)
        now = self.ledger.clock.now()
        if req.expire_time is not None:
            if req.expire_time <= now:
                raise param_error("expire_time: must be in the future")
            if req.expire_time - now > MAX_SESSION_LIFETIME:
                raise param_error("expire_time: must be at most 24 hours ahead")
        for name in ("notify_url", "return_url", "cancel_url"):
            check_url(getattr(req, name), name)
        if req.display_locale is not None and not _LOCALE.match(req.display_locale):
            raise param_error("display_locale: must be a BCP 47 language tag, e.g. zh-HK")
        pay = req.payment
        if req.payment_type == "RECURRING":
            if req.mit:
                raise param_error("mit: must be false for a session (the shopper is present)")
            if pay is not None and pay.token_usage == "CARD_ON_FILE":
                raise param_error("payment.token_usage: must be SUBSCRIPTION for a RECURRING session")
        elif pay is not None and pay.token_usage == "SUBSCRIPTION":
            raise param_error("payment.token_usage: SUBSCRIPTION needs payment_type RECURRING")
        if req.mit:
            raise param_error("mit: must be false for a session (the shopper is present)")
        try:
            offered = methods.methods_for(req.allowed_payment_methods, req.currency,
                                          recurring=req.payment_type == "RECURRING")
        except ValueError as exc:
            raise param_error(str(exc)) from None
        if not offered:
            raise param_error(f"allowed_payment_methods: none of them is available in {req.currency}"
                              + (" for a RECURRING session (cards only)" if req.payment_type == "RECURRING" else ""))

    def create(self, merchant: Merchant, req: wire.CreateSessionRequest) -> Session:
        """Create Session: a new session, or the one already made for this ``trans_id``.

        The same ``trans_id`` with the same amount and currency returns the existing
        session (a retried request makes no second checkout). Raises :class:`StubError`
        ``010000``: the body's merchant is not the caller, the rules of :meth:`validate`,
        or a ``trans_id`` already used for another amount or currency, or by an Initiate
        Transaction order.
        """
        if req.merchant_id != merchant.merchant_id:
            raise param_error("merchant_id: does not match x-paykka-appid")
        self.validate(req)
        ledger = self.ledger
        now = ledger.clock.now()
        with ledger.lock:
            existing_id = ledger.sessions_by_trans.get((merchant.merchant_id, req.trans_id))
            if existing_id:
                existing = ledger.sessions[existing_id]
                if (existing.request.amount, existing.request.currency) != (req.amount, req.currency):
                    raise param_error(
                        f"trans_id: already used for a session of {existing.request.amount} "
                        f"{existing.request.currency}; use a new trans_id for a different amount or currency"
                    )
                return existing
            if (merchant.merchant_id, req.trans_id) in ledger.orders_by_trans:
                raise param_error("trans_id: already used by an Initiate Transaction order; use a new trans_id")
            session = Session(
                session_id=ledger.new_id("CS", ledger.sessions),
                merchant_id=merchant.merchant_id,
                request=req,
                created_at=now,
                expire_time=req.expire_time or (now + DEFAULT_SESSION_LIFETIME),
                client_key=merchant.client_key,
            )
            ledger.sessions[session.session_id] = session
            ledger.sessions_by_trans[(merchant.merchant_id, req.trans_id)] = session.session_id
            ledger.save(session)
            return session

    # --- lookup and status ---------------------------------------------------------------

    def find(self, merchant_id: str, session_id: Optional[str], trans_id: Optional[str]) -> Session:
        """Query Session's lookup: by ``session_id`` (checked against ``trans_id`` when both
        are given) or by ``trans_id``. Raises :class:`StubError` 404 ``206011`` when the
        merchant has no such session, ``010000`` when the two ids disagree."""
        ledger = self.ledger
        with ledger.lock:
            if session_id:
                session = ledger.sessions.get(session_id)
            else:
                found = ledger.sessions_by_trans.get((merchant_id, trans_id or ""))
                session = ledger.sessions.get(found) if found else None
        if session is None or session.merchant_id != merchant_id:
            raise no_session()
        if session_id and trans_id and session.trans_id != trans_id:
            raise param_error("trans_id: does not belong to session_id")
        return session

    def get(self, session_id: str) -> Optional[Session]:
        """The session ``CS…`` for the emulator's own pages (no client key), or None."""
        return self.ledger.session(session_id)

    def latest_transaction(self, session: Session) -> Optional[Transaction]:
        """The session's latest attempt (order), or None before the first."""
        ledger = self.ledger
        with ledger.lock:
            return ledger.transactions[session.order_ids[-1]] if session.order_ids else None

    def status(self, session: Session) -> wire.SessionStatus:
        """``PROCESSING`` while payable, the paid order's status once paid, ``EXPIRED`` after
        ``expire_time`` unpaid (emulator clock)."""
        tx = self.latest_transaction(session)
        if tx is not None and tx.status not in ("FAILURE", "PROCESSING"):
            return tx.status
        if self.ledger.clock.now() >= session.expire_time:
            return "EXPIRED"
        return "PROCESSING"

    def data(self, session: Session, base_url: str) -> dict[str, Any]:
        """The session as Create/Query Session answer it (:class:`wire.SessionData` JSON);
        ``session_url`` is the hosted page under ``base_url``."""
        tx = self.latest_transaction(session)
        req = session.request
        shown_tz = req.expire_time.tzinfo if req.expire_time else None
        data = wire.SessionData(
            merchant_id=session.merchant_id,
            trans_id=session.trans_id,
            session_id=session.session_id,
            session_mode=req.session_mode,
            status=self.status(session),
            amount=req.amount,
            currency=req.currency,
            expire_time=session.expire_time.astimezone(shown_tz) if shown_tz else session.expire_time,
            authorisation_type=req.authorisation_type,
            capture_method=req.capture_method,
            session_url=f"{base_url.rstrip('/')}/hp/pay/{session.session_id}",
            order_id=tx.order_id if tx and tx.status not in ("FAILURE", "PROCESSING") else None,
        )
        return data.to_wire()

    def merchant_name(self, session: Session) -> str:
        """The name the shopper sees: ``display_merchant_name``, else the merchant's."""
        return session.request.display_merchant_name or self.ledger.merchant(session.merchant_id).name

    # --- the browser side ----------------------------------------------------------------

    def open_for_browser(self, session_id: str, client_key: str) -> Session:
        """The session the browser names, once its ``client_key`` is the merchant's.

        Raises :class:`StubError` 404 ``206011`` (no such session), 401 ``1017`` (the
        client key is another merchant's). Does the clock's due work first.
        """
        ledger = self.ledger
        ledger.tick()
        session = ledger.session(session_id)
        if session is None:
            raise StubError(404, NO_SESSION, "the session does not exist")
        if client_key != ledger.merchant(session.merchant_id).client_key:
            raise StubError(401, "1017", "client key does not belong to this session's merchant")
        return session

    def browser_init(self, session_id: str, client_key: str) -> Session:
        """The SDK's ``init()``: allowed once per session, as at PayKKa.

        Raises what :meth:`open_for_browser` raises, 409 ``SESSION_ALREADY_INITIALISED`` on
        a second call, and what :meth:`check_payable` raises.
        """
        session = self.open_for_browser(session_id, client_key)
        ledger = self.ledger
        with ledger.lock:
            if session.initialised:
                raise StubError(409, "SESSION_ALREADY_INITIALISED",
                                "this session was already initialised; create a new session for a new attempt")
            self.check_payable(session)
            session.initialised = True
            ledger.save(session)
        return session

    def check_payable(self, session: Session) -> None:
        """Raise :class:`StubError` 410 ``SESSION_EXPIRED`` or 409 ``SESSION_COMPLETED``
        unless the session can take a payment."""
        status = self.status(session)
        if status == "EXPIRED":
            raise StubError(410, "SESSION_EXPIRED", "the session has expired")
        if status != "PROCESSING":
            raise StubError(409, "SESSION_COMPLETED", "the session is already paid")

    def payment_methods(self, session: Session) -> list[str]:
        """The method codes the session offers (its ``allowed_payment_methods`` that exist in
        its currency; cards only for RECURRING)."""
        req = session.request
        return methods.methods_for(req.allowed_payment_methods, req.currency,
                                   recurring=req.payment_type == "RECURRING")

    def card_brands(self, session: Session) -> list[str]:
        """The card brands the session accepts (none when it offers no cards)."""
        if methods.BANKCARD not in self.payment_methods(session):
            return []
        return methods.brands_for(session.request.allowed_payment_methods)

    def stored_cards(self, session: Session) -> list[dict[str, Any]]:
        """The shopper's CARD_ON_FILE cards, for one-click payment (none without a shopper_reference).

        Each is ``{"token", "brand", "last4", "exp_month", "exp_year"}``. A RECURRING
        session offers none: its payment must leave a SUBSCRIPTION token and a recurring
        agreement behind, which only a card typed by the shopper does. Paying it with a
        one-click card would charge the shopper once and leave nothing to bill later.
        """
        shopper = session.shopper_reference
        if (not shopper or session.request.payment_type == "RECURRING"
                or methods.BANKCARD not in self.payment_methods(session)):
            return []
        brands = set(self.card_brands(session))
        ledger = self.ledger
        with ledger.lock:
            found = [t for t in ledger.tokens.values()
                     if t.active and t.merchant_id == session.merchant_id and t.shopper_reference == shopper
                     and t.usage == "CARD_ON_FILE" and t.brand in brands]
        return [{"token": t.token, "brand": t.brand, "last4": t.last4, "exp_month": t.exp_month,
                 "exp_year": t.exp_year} for t in found]
