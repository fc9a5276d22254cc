"""The Flask extension: per-app state, the order resolver, sessions for orders, confirmation.

    paykka = PayKKa(app)                    # or PayKKa() then paykka.init_app(app)

    @paykka.order_resolver
    def resolve(order_ref):                 # the server decides what an order costs
        order = Order.query.get(order_ref)
        return OrderInfo(amount=order.total, currency=order.currency)

    @paykka.on("PAYMENT.SUCCESS")
    def paid(event): ...

Each call to :meth:`PayKKa.create_session` is a new *attempt* with its own ``trans_id``
(``{order_ref}-{attempt}``): PayKKa returns the old session for a reused ``trans_id``,
and a session can be initialised in a browser only once, so a reload, a retry or an
expired session each need a fresh attempt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping, Optional

from flask import Flask, current_app, has_app_context, url_for

from .. import money, wire
from ..client import PayKKaClient, RetryPolicy
from ..envs import Environment
from ..errors import APIError, OrderStateError, PayKKaError, ValidationError
from ..expiry import expire_in
from ..outcomes import Verdict
from ..store import AttemptRecord, SQLiteStore, Store
from ..store.base import FLAG_MISMATCH
from . import config
from .integrity import Integrity
from .recurring import StoredPayments
from .webhooks import Handler, WebhookPipeline, payment_mismatch

EXTENSION_KEY = "paykka"
#: An attempt with one of these statuses paid its order (the return page sends the shopper to
#: ``PAYKKA_SUCCESS_URL``).
SUCCESS_STATUSES = frozenset({"SUCCESS", "AUTHORIZED", "PARTIALLY_REFUNDED", "REFUNDED", "PARTIALLY_REVERSED"})
#: Session modes and the name the mount layer uses for each.
MODES = {"DROP_IN": "dropin", "COMPONENT": "component", "HOSTED": "hosted"}
#: Component names are passed through to the SDK (``card`` → ``Card``, ``applepay`` → ``ApplePay``...);
#: the mount layer reports a clear error for one the SDK does not have.
COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
ORDER_REF = re.compile(r"^[A-Za-z0-9_-]{1,48}$")
#: How many attempt numbers ``create_session`` may skip when PayKKa answers with a session it
#: already had for that ``trans_id`` (the store was reset, or two instances keep separate ones).
MAX_REUSED_TRANS_IDS = 5


@dataclass(frozen=True)
class OrderInfo:
    """What the merchant's order resolver returns: the server's word on what is owed.

    ``amount`` is a ``Decimal`` in major units (``Decimal("8.00")`` HKD) or an ``int`` in
    minor units (800); never a float. ``goods`` are wire ``Goods`` mappings (``price`` in
    minor units). ``shopper_reference`` with ``store_payment_method`` saves the card;
    ``payment_type="RECURRING"`` makes the first payment of a recurring agreement.
    """

    amount: Decimal | int
    currency: str
    goods: list[Mapping[str, Any]] = field(default_factory=list)
    shopper_reference: Optional[str] = None
    store_payment_method: Optional[bool] = None
    token_usage: Optional[str] = None
    payment_type: str = "PURCHASE"
    capture_method: str = "AUTOMATIC"
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutSession:
    """One attempt's session, as the macros and the mount layer need it. Holds no secret:
    ``client_key`` is PayKKa's public browser key."""

    order_ref: str
    attempt: int
    trans_id: str
    session_id: str
    session_url: str
    mode: str
    client_key: str
    env: str
    checkout_base: str
    amount: int
    currency: str
    expire_time: str
    locale: Optional[str] = None
    component: Optional[str] = None
    merchant_name: Optional[str] = None
    theme: Optional[str] = None

    @property
    def element_id(self) -> str:
        """The id the macros give this session's mount element (``pay_button`` targets it)."""
        return f"paykka-{self.session_id}" + (f"-{self.component}" if self.component else "")

    @property
    def display_amount(self) -> str:
        return money.format_minor(self.amount, self.currency, self.locale or "en-US")

    def mount_options(self, **overrides: Any) -> dict[str, Any]:
        """The JSON the mount layer reads (see ``static/js/paykka-embed.d.ts``, ``MountOptions``)."""
        options: dict[str, Any] = {
            "sessionId": self.session_id,
            "clientKey": self.client_key,
            "env": self.env,
            "checkoutBase": self.checkout_base,
            "mode": MODES[self.mode],
            "order": self.order_ref,
            "locale": self.locale,
            "theme": self.theme,
            "component": self.component,
        }
        options.update(overrides)
        return {k: v for k, v in options.items() if v is not None}


class PayKKaState:
    """Per-app state, kept in ``app.extensions["paykka"]``: env, credentials, client, store, webhooks."""

    def __init__(self, ext: "PayKKa", app: Flask) -> None:
        self.ext = ext
        self.app = app
        self.environment: Environment = config.environment(app)
        self._credentials: Optional[config.Credentials] = config.configured_credentials(app)
        self._client: Optional[PayKKaClient] = None
        database = config.database_path(app)
        self.store: Store = ext.store_factory(database) if ext.store_factory else SQLiteStore(
            database, synchronous=app.config["PAYKKA_DATABASE_SYNCHRONOUS"])
        self._pipeline: Optional[WebhookPipeline] = None
        self.integrity = Integrity(self)

    @property
    def credentials(self) -> config.Credentials:
        if self._credentials is None:
            self._credentials = config.register_with_stub(
                self.environment, self.app.config["PAYKKA_MERCHANT_NAME"] or self.app.name)
        return self._credentials

    @property
    def client(self) -> PayKKaClient:
        if self._client is None:
            creds = self.credentials
            cfg = self.app.config
            self._client = PayKKaClient(
                merchant_id=creds.merchant_id, app_id=creds.app_id, private_key=creds.private_key,
                platform_public_key=creds.platform_public_key, env=self.environment,
                timeout=float(cfg["PAYKKA_TIMEOUT"]), retry=RetryPolicy(max_retries=int(cfg["PAYKKA_MAX_RETRIES"])),
            )
        return self._client

    @property
    def pipeline(self) -> WebhookPipeline:
        if self._pipeline is None:
            creds = self.credentials
            self._pipeline = WebhookPipeline(
                self.store, creds.platform_public_key, self.ext.handlers, sender=self.app,
                merchant_id=creds.merchant_id, app_id=creds.app_id,
                lease_seconds=float(self.app.config["PAYKKA_WEBHOOK_LEASE"]),
                on_outcome=lambda outcome: self.integrity.alarm(outcome, "webhook"),
            )
        return self._pipeline

    def order_url(self, order_ref: str) -> Optional[str]:
        """Where a shopper sees a paid order: ``PAYKKA_SUCCESS_URL`` for the paying attempt, else
        the extension's own result page for it; None while the order is unpaid."""
        paid = self.store.paid_trans_id(order_ref)
        attempt = self.store.attempt(paid) if paid else None
        return self.result_url(attempt) if attempt else None

    def result_url(self, attempt: AttemptRecord) -> str:
        """Where ``{prefix}/return`` sends the shopper for this attempt (see ``PAYKKA_SUCCESS_URL``)."""
        from .results import result_page_url

        cfg = self.app.config
        paid = attempt.status in SUCCESS_STATUSES and attempt.flag != FLAG_MISMATCH
        template = cfg["PAYKKA_SUCCESS_URL"] if paid else cfg["PAYKKA_FAILURE_URL"]
        if template is None:
            return result_page_url(attempt)
        if callable(template):
            return str(template(attempt))
        return str(template).format(order=attempt.order_ref, trans_id=attempt.trans_id, status=attempt.status)


class PayKKa(StoredPayments):
    """The Flask extension. See the module docstring for the shape of an integration."""

    def __init__(self, app: Optional[Flask] = None, *, store_factory: Optional[Callable[[str], Store]] = None) -> None:
        self.handlers: dict[str, list[Handler]] = {}
        self._resolver: Optional[Callable[[str], Optional[OrderInfo]]] = None
        self.store_factory = store_factory
        self._apps: list[Flask] = []
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("PayKKa is already registered on this app")
        config.apply_defaults(app)
        config.check(app)
        app.extensions[EXTENSION_KEY] = PayKKaState(self, app)
        self._apps.append(app)
        from . import applepay, templating
        from .views import create_blueprint, order_state_page

        blueprint = create_blueprint(self)
        app.register_blueprint(blueprint, url_prefix=str(app.config["PAYKKA_URL_PREFIX"]).rstrip("/"))
        applepay.register(app)
        templating.register(app)
        app.register_error_handler(OrderStateError, order_state_page)

        # The webhook is signed, not CSRF-protected, and POST {prefix}/sessions checks the CSRF
        # token itself; so Flask-WTF's CSRFProtect, whenever it was set up, skips this blueprint.
        def exempt_from_csrfprotect() -> None:
            csrf = app.extensions.get("csrf")
            if csrf is not None:
                csrf.exempt(blueprint)

        exempt_from_csrfprotect()
        app.before_request_funcs.setdefault(None, []).insert(0, exempt_from_csrfprotect)

    # --- registration -------------------------------------------------------------------

    def order_resolver(self, fn: Callable[[str], Optional[OrderInfo]]) -> Callable[[str], Optional[OrderInfo]]:
        """Register the function that turns an order reference into an :class:`OrderInfo` (or None)."""
        self._resolver = fn
        return fn

    def on(self, notify_type: str) -> Callable[[Handler], Handler]:
        """Register a webhook handler for ``notify_type`` (``"*"`` for every event).

        A handler that raises makes the webhook answer 500, so PayKKa delivers the event
        again and the handler runs again; handlers should therefore be idempotent.
        """
        known = set(wire.NotifyType.__args__) | {"*"}  # type: ignore[attr-defined]
        if notify_type not in known:
            raise ValidationError("notify_type", f"must be one of {', '.join(sorted(known))}")

        def register(fn: Handler) -> Handler:
            self.handlers.setdefault(notify_type, []).append(fn)
            return fn

        return register

    # --- state --------------------------------------------------------------------------

    @staticmethod
    def state(app: Optional[Flask] = None) -> PayKKaState:
        target = app or current_app
        try:
            st: PayKKaState = target.extensions[EXTENSION_KEY]
        except KeyError:
            raise RuntimeError("PayKKa is not registered on this app: call PayKKa(app) or init_app(app)") from None
        return st

    def _own_state(self) -> PayKKaState:
        """The current app's state, or, outside an app context (a script, a worker), the one app's."""
        if has_app_context() or len(self._apps) != 1:
            return self.state()
        return self.state(self._apps[0])

    @property
    def client(self) -> PayKKaClient:
        """The signed v3 client of the current app (or of the only app, outside an app context)."""
        return self._own_state().client

    @property
    def store(self) -> Store:
        return self._own_state().store

    # --- sessions -----------------------------------------------------------------------

    def resolve_order(self, order_ref: str) -> OrderInfo:
        """The resolver's :class:`OrderInfo`; ``LookupError`` when it knows no such order."""
        if not isinstance(order_ref, str) or not ORDER_REF.match(order_ref):
            raise ValidationError("order", "must be 1 to 48 letters, digits, '-' or '_'")
        if self._resolver is None:
            raise RuntimeError("no order resolver: decorate a function with @paykka.order_resolver")
        info = self._resolver(order_ref)
        if info is None:
            raise LookupError(order_ref)
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
        state = self.state()
        cfg = state.app.config
        payment: dict[str, Any] = {k: v for k, v in {
            "store_payment_method": info.store_payment_method if store_payment_method is None else store_payment_method,
            "token_usage": token_usage or info.token_usage,
            "shopper_reference": shopper_reference or info.shopper_reference,
        }.items() if v is not None}
        locale = locale or cfg["PAYKKA_LOCALE"]
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
        state = self.state()
        attempt = state.store.attempt(trans_id)
        if attempt is None:
            return None
        outcome, _ = state.integrity.settle(attempt)
        return outcome.attempt or state.store.attempt(trans_id)

    def paid_attempt(self, order_ref: str) -> Optional[AttemptRecord]:
        """The attempt that paid ``order_ref`` (at most one ever does), or None."""
        store = self.state().store
        paid = store.paid_trans_id(order_ref)
        return store.attempt(paid) if paid else None


def _same_instant(a: datetime, b: Any) -> bool:
    other = b if isinstance(b, datetime) else datetime.fromisoformat(str(b))
    return abs((a - other).total_seconds()) < 1
