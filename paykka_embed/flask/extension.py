"""The Flask extension: configuration, the client, the store, sessions for orders, and
the handlers merchants register.

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

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import httpx
from flask import Flask, current_app, g, url_for

from .. import money, signing, wire
from ..client import PayKKaClient
from ..envs import Environment, resolve_environment
from ..errors import PayKKaError, ValidationError
from ..store import AttemptRecord, SQLiteStore, Store
from .webhooks import Handler, WebhookPipeline

log = logging.getLogger("paykka_embed")

EXTENSION_KEY = "paykka"
MODES = {"DROP_IN": "dropin", "COMPONENT": "component", "HOSTED": "hosted"}
COMPONENTS = {"card"}

DEFAULTS: dict[str, Any] = {
    "PAYKKA_ENV": None,
    "PAYKKA_MERCHANT_ID": None,
    "PAYKKA_APP_ID": None,
    "PAYKKA_PRIVATE_KEY": None,
    "PAYKKA_PLATFORM_PUBLIC_KEY": None,
    "PAYKKA_CLIENT_KEY": None,
    "PAYKKA_API_BASE": None,
    "PAYKKA_CHECKOUT_BASE": None,
    "PAYKKA_URL_PREFIX": "/paykka",
    "PAYKKA_DATABASE": None,
    "PAYKKA_SUCCESS_URL": "/",
    "PAYKKA_FAILURE_URL": "/",
    "PAYKKA_NOTIFY_URL": None,
    "PAYKKA_SESSION_LIFETIME": 1800,
    "PAYKKA_MERCHANT_NAME": None,
    "PAYKKA_LOCALE": None,
    "PAYKKA_CSP_NONCE": None,
}


@dataclass(frozen=True)
class OrderInfo:
    """What the merchant's order resolver returns: the server's word on what is owed.

    ``amount`` is a ``Decimal`` in major units (``Decimal("8.00")`` HKD) or an ``int`` in
    minor units (800).
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
    """One attempt's session, as the macros and the mount layer need it."""

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

    def mount_options(self, **overrides: Any) -> dict[str, Any]:
        options: dict[str, Any] = {
            "sessionId": self.session_id,
            "clientKey": self.client_key,
            "env": self.env,
            "mode": MODES[self.mode],
            "order": self.order_ref,
            "locale": self.locale,
        }
        if self.component:
            options["component"] = self.component
        options.update({k: v for k, v in overrides.items() if v is not None})
        return options


@dataclass
class Credentials:
    merchant_id: str
    app_id: str
    private_key: Any
    platform_public_key: Any
    client_key: str


class PayKKaState:
    """Per-app state, kept in ``app.extensions["paykka"]``."""

    def __init__(self, ext: "PayKKa", app: Flask) -> None:
        self.ext = ext
        self.app = app
        cfg = app.config
        has_credentials = bool(cfg["PAYKKA_MERCHANT_ID"] and cfg["PAYKKA_PRIVATE_KEY"])
        env_name = cfg["PAYKKA_ENV"] or ("sandbox" if has_credentials else "stub")
        self.environment: Environment = resolve_environment(
            env_name, api_base=cfg["PAYKKA_API_BASE"], checkout_base=cfg["PAYKKA_CHECKOUT_BASE"]
        )
        if self.environment.name == "stub":
            log.warning(
                "PAYKKA_ENV=stub: payments go to the local PayKKa emulator at %s — no real money moves%s",
                self.environment.api_base, "" if has_credentials else " (no credentials configured)",
            )
        elif not has_credentials:
            raise ValidationError("PAYKKA_MERCHANT_ID", f"and PAYKKA_PRIVATE_KEY are required for PAYKKA_ENV={env_name}")
        self._credentials: Optional[Credentials] = None
        if has_credentials:
            self._credentials = self._configured_credentials()
        self._client: Optional[PayKKaClient] = None
        database = cfg["PAYKKA_DATABASE"] or str(Path(app.instance_path) / "paykka.sqlite3")
        self.store: Store = ext.store_factory(database) if ext.store_factory else SQLiteStore(database)
        self._pipeline: Optional[WebhookPipeline] = None

    def _configured_credentials(self) -> Credentials:
        cfg = self.app.config
        for name in ("PAYKKA_PLATFORM_PUBLIC_KEY", "PAYKKA_CLIENT_KEY"):
            if not cfg[name]:
                raise ValidationError(name, "is required when PAYKKA_MERCHANT_ID is set")
        try:
            private_key = signing.load_private_key(cfg["PAYKKA_PRIVATE_KEY"])
        except ValueError as exc:
            raise ValidationError("PAYKKA_PRIVATE_KEY", str(exc)) from None
        try:
            platform_key = signing.load_public_key(cfg["PAYKKA_PLATFORM_PUBLIC_KEY"])
        except ValueError as exc:
            raise ValidationError("PAYKKA_PLATFORM_PUBLIC_KEY", str(exc)) from None
        return Credentials(cfg["PAYKKA_MERCHANT_ID"], cfg["PAYKKA_APP_ID"] or cfg["PAYKKA_MERCHANT_ID"],
                           private_key, platform_key, cfg["PAYKKA_CLIENT_KEY"])

    @property
    def credentials(self) -> Credentials:
        if self._credentials is None:
            self._credentials = self._register_with_stub()
        return self._credentials

    def _register_with_stub(self) -> Credentials:
        """With no credentials in stub mode, make a key pair and register it with the emulator."""
        key = signing.generate_private_key()
        url = f"{self.environment.api_base}/_stub/merchants"
        try:
            resp = httpx.post(url, json={"public_key": signing.public_pem(key),
                                         "name": self.app.config["PAYKKA_MERCHANT_NAME"] or self.app.name})
            data = resp.json()["data"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise PayKKaError(f"PAYKKA_ENV=stub: could not register with the emulator at {url} "
                              f"(is `paykka-embed stub` running?): {exc}") from None
        log.warning("PAYKKA_ENV=stub: registered merchant %s with the emulator", data["merchant_id"])
        return Credentials(data["merchant_id"], data["app_id"], key, data["platform_public_key"], data["client_key"])

    @property
    def client(self) -> PayKKaClient:
        if self._client is None:
            creds = self.credentials
            self._client = PayKKaClient(
                merchant_id=creds.merchant_id, app_id=creds.app_id, private_key=creds.private_key,
                platform_public_key=creds.platform_public_key, env=self.environment,
            )
        return self._client

    @property
    def pipeline(self) -> WebhookPipeline:
        if self._pipeline is None:
            self._pipeline = WebhookPipeline(self.store, self.credentials.platform_public_key, self.ext.handlers,
                                             sender=self.app)
        return self._pipeline


class PayKKa:
    """The Flask extension. See the module docstring for the shape of an integration."""

    def __init__(self, app: Optional[Flask] = None, *, store_factory: Optional[Callable[[str], Store]] = None) -> None:
        self.handlers: dict[str, list[Handler]] = {}
        self._resolver: Optional[Callable[[str], Optional[OrderInfo]]] = None
        self.store_factory = store_factory
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("PayKKa is already registered on this app")
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        prefix = app.config["PAYKKA_URL_PREFIX"].rstrip("/")
        if prefix and not prefix.startswith("/"):
            raise ValidationError("PAYKKA_URL_PREFIX", "must start with /")
        app.extensions[EXTENSION_KEY] = PayKKaState(self, app)
        from .views import create_blueprint

        blueprint = create_blueprint(self)
        app.register_blueprint(blueprint, url_prefix=prefix)
        app.jinja_env.globals["paykka_csp_nonce"] = csp_nonce
        app.jinja_env.globals["paykka_config"] = script_config

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
        """Register a webhook handler for ``notify_type`` (``"*"`` for every event)."""
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

    @property
    def client(self) -> PayKKaClient:
        return self.state().client

    @property
    def store(self) -> Store:
        return self.state().store

    # --- sessions -----------------------------------------------------------------------

    def resolve_order(self, order_ref: str) -> OrderInfo:
        if not isinstance(order_ref, str) or not order_ref or len(order_ref) > 48 or not all(
                c.isalnum() or c in "-_" for c in order_ref):
            raise ValidationError("order", "must be 1 to 48 letters, digits, '-' or '_'")
        if self._resolver is None:
            raise RuntimeError("no order resolver: decorate a function with @paykka.order_resolver")
        info = self._resolver(order_ref)
        if info is None:
            raise LookupError(order_ref)
        return info

    def create_session(self, order_ref: str, mode: str = "DROP_IN", *, component: Optional[str] = None,
                       locale: Optional[str] = None, **fields: Any) -> CheckoutSession:
        """Create a new attempt's session for ``order_ref``; the amount comes from the order resolver."""
        mode = mode.upper()
        if mode not in MODES:
            raise ValidationError("mode", f"must be one of {', '.join(MODES)}")
        if component is not None and component not in COMPONENTS:
            raise ValidationError("component", f"must be one of {', '.join(sorted(COMPONENTS))}")
        info = self.resolve_order(order_ref)
        minor = money.as_minor(info.amount, info.currency)
        state = self.state()
        cfg = state.app.config
        attempt = state.store.next_attempt(order_ref)
        trans_id = f"{order_ref}-{attempt}"
        expire = _utcnow() + timedelta(seconds=int(cfg["PAYKKA_SESSION_LIFETIME"]))
        payment = {k: v for k, v in {
            "store_payment_method": info.store_payment_method,
            "token_usage": info.token_usage,
            "shopper_reference": info.shopper_reference,
        }.items() if v is not None}
        request: dict[str, Any] = {
            "trans_id": trans_id,
            "session_mode": mode,
            "payment_type": info.payment_type,
            "capture_method": info.capture_method,
            "amount": minor,
            "currency": info.currency,
            "expire_time": expire,
            "return_url": url_for("paykka.return_", trans_id=trans_id, _external=True),
            "cancel_url": url_for("paykka.return_", trans_id=trans_id, _external=True),
            "notify_url": cfg["PAYKKA_NOTIFY_URL"] or url_for("paykka.webhook", _external=True),
            "display_locale": locale or cfg["PAYKKA_LOCALE"],
            "display_merchant_name": cfg["PAYKKA_MERCHANT_NAME"],
            "goods": list(info.goods) or None,
            "payment": payment or None,
            **dict(info.extra),
            **fields,
        }
        session = state.client.create_session(request)
        state.store.add_attempt(AttemptRecord(
            trans_id=trans_id, order_ref=order_ref, attempt=attempt, session_id=session.session_id,
            mode=mode, amount=minor, currency=info.currency,
        ))
        return CheckoutSession(
            order_ref=order_ref, attempt=attempt, trans_id=trans_id, session_id=session.session_id,
            session_url=session.session_url, mode=mode, client_key=state.credentials.client_key,
            env=state.environment.sdk_env, checkout_base=state.environment.checkout_base,
            amount=minor, currency=info.currency, expire_time=wire.format_datetime(session.expire_time),
            locale=request["display_locale"], component=component,
        )

    def confirm(self, trans_id: str) -> Optional[AttemptRecord]:
        """Ask PayKKa for the attempt's transaction and record what it says."""
        state = self.state()
        try:
            tx = state.client.query_transaction(trans_id=trans_id)
        except PayKKaError as exc:
            if exc.ret_code == "206024":  # no transaction yet: the shopper has not paid
                return state.store.attempt(trans_id)
            raise
        return state.store.update_status(trans_id, tx.status, order_id=tx.order_id, source="query")


def _utcnow() -> Any:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0)


def csp_nonce() -> Optional[str]:
    """The page's CSP nonce: ``PAYKKA_CSP_NONCE`` (a callable or a string) or ``g.csp_nonce``."""
    configured = current_app.config.get("PAYKKA_CSP_NONCE")
    if callable(configured):
        value = configured()
        return str(value) if value else None
    if configured:
        return str(configured)
    nonce = g.get("csp_nonce")
    return str(nonce) if nonce else None


def script_config() -> dict[str, Any]:
    """What the mount layer needs from the server, rendered on its script tag by ``paykka.scripts()``."""
    from flask_wtf.csrf import generate_csrf

    state = PayKKa.state()
    return {
        "checkoutBase": state.environment.checkout_base,
        "env": state.environment.sdk_env,
        "sessionsUrl": url_for("paykka.sessions"),
        "csrfToken": generate_csrf(),
        "locale": current_app.config["PAYKKA_LOCALE"],
    }
