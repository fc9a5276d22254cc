"""Configuration of the extension: the ``PAYKKA_*`` keys, their defaults, and credentials.

Each key is read from ``app.config``; when absent there, from the process environment
(``PAYKKA_API_BASE=... flask run`` works); otherwise its default below applies. With no
credentials at all the extension runs against the local emulator (``PAYKKA_ENV=stub``)
and says so loudly in the log, registering a throwaway merchant with the emulator on
first use, so a new project pays end to end before anyone has a PayKKa account.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping, Optional

import httpx
from flask import Flask

from .. import money, signing
from ..envs import Environment, resolve_environment
from ..errors import PayKKaError, ValidationError
from ..store.sqlite import SYNCHRONOUS_LEVELS
from ..expiry import MAX_LIFETIME

DUPLICATE_MODES = ("reverse", "record")

log = logging.getLogger("paykka_embed")

#: Every key, its default, and what it is for (docs/toolkit.md renders the same table).
DEFAULTS: dict[str, Any] = {
    "PAYKKA_ENV": None,                 # stub | sandbox | eu | hk | production; None: stub without credentials, else sandbox
    "PAYKKA_MERCHANT_ID": None,
    "PAYKKA_APP_ID": None,              # defaults to the merchant id, as PayKKa does
    "PAYKKA_PRIVATE_KEY": None,         # PEM text, a file path, or bare Base64 PKCS#8
    "PAYKKA_PLATFORM_PUBLIC_KEY": None,  # verifies responses and webhooks
    "PAYKKA_CLIENT_KEY": None,          # the browser SDK's key (ck_...)
    "PAYKKA_API_BASE": None,            # overrides the env's API host
    "PAYKKA_CHECKOUT_BASE": None,       # overrides the env's checkout (SDK) host
    "PAYKKA_URL_PREFIX": "/paykka",
    "PAYKKA_DATABASE": None,            # SQLite file; default {instance_path}/paykka.sqlite3
    "PAYKKA_DATABASE_SYNCHRONOUS": "FULL",  # FULL: every commit flushed to disk; NORMAL: survives crashes, not power cuts
    "PAYKKA_SUCCESS_URL": None,         # after a confirmed payment; str.format(order=, trans_id=, status=), a callable,
    "PAYKKA_FAILURE_URL": None,         # or None: the extension's own result page, {prefix}/result/<token>
    "PAYKKA_SHOP_URL": None,            # the result page links back here when set
    "PAYKKA_DUPLICATE_PAYMENTS": "reverse",  # a second payment of a paid order: reverse (void/refund) or record
    "PAYKKA_NOTIFY_URL": None,          # default: the extension's own webhook URL
    "PAYKKA_SESSION_LIFETIME": 1800,    # seconds, at most 24 h
    "PAYKKA_MERCHANT_NAME": None,       # display_merchant_name
    "PAYKKA_LOCALE": None,              # BCP 47, e.g. en-US; the SDK falls back to the parent language
    "PAYKKA_THEME_ID": None,            # PayKKa checkout theme
    "PAYKKA_CSP_NONCE": None,           # str or callable; default g.csp_nonce
    "PAYKKA_TIMEOUT": 15.0,             # seconds per HTTP request to PayKKa
    "PAYKKA_MAX_RETRIES": 2,            # for retry-safe operations only
    "PAYKKA_WEBHOOK_LEASE": 60,         # seconds a delivery holds an event while its handlers run
    "PAYKKA_APPLE_PAY_DOMAIN_ASSOCIATION": None,  # the file's text, or a path to it
    "PAYKKA_CURRENCY_EXPONENTS": None,  # {"HUF": 0}: minor units other than ISO 4217's, if PayKKa says so
}

CREDENTIAL_KEYS = ("PAYKKA_MERCHANT_ID", "PAYKKA_PRIVATE_KEY", "PAYKKA_PLATFORM_PUBLIC_KEY", "PAYKKA_CLIENT_KEY")


def apply_defaults(app: Flask, environ: Mapping[str, str] = os.environ) -> None:
    """Fill every missing key from the environment, else from :data:`DEFAULTS`."""
    for key, default in DEFAULTS.items():
        if key not in app.config:
            app.config[key] = environ.get(key, default)


def check(app: Flask) -> None:
    """Refuse a bad configuration at start-up, naming the key and the rule."""
    cfg = app.config
    prefix = str(cfg["PAYKKA_URL_PREFIX"] or "")
    if prefix and not prefix.startswith("/"):
        raise ValidationError("PAYKKA_URL_PREFIX", "must start with /")
    try:
        lifetime = timedelta(seconds=int(cfg["PAYKKA_SESSION_LIFETIME"]))
    except (TypeError, ValueError):
        raise ValidationError("PAYKKA_SESSION_LIFETIME", "must be a number of seconds") from None
    if not timedelta(seconds=60) <= lifetime <= MAX_LIFETIME:
        raise ValidationError("PAYKKA_SESSION_LIFETIME", "must be between 60 seconds and 24 hours")
    for key in ("PAYKKA_TIMEOUT", "PAYKKA_MAX_RETRIES", "PAYKKA_WEBHOOK_LEASE"):
        try:
            if float(cfg[key]) < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError(key, "must be a number, zero or more") from None
    exponents = cfg["PAYKKA_CURRENCY_EXPONENTS"]
    if isinstance(exponents, str):  # from the process environment: JSON text
        try:
            exponents = json.loads(exponents)
        except ValueError:
            raise ValidationError("PAYKKA_CURRENCY_EXPONENTS", 'must be JSON such as {"HUF": 0}') from None
    if exponents:
        money.override_exponents(exponents)
    if cfg["PAYKKA_DUPLICATE_PAYMENTS"] not in DUPLICATE_MODES:
        raise ValidationError("PAYKKA_DUPLICATE_PAYMENTS", f"must be one of {', '.join(DUPLICATE_MODES)}")
    csrf_limit = cfg.get("WTF_CSRF_TIME_LIMIT", 3600)
    if csrf_limit is not None and int(csrf_limit) < lifetime.total_seconds():
        raise ValidationError(
            "PAYKKA_SESSION_LIFETIME",
            f"is {int(lifetime.total_seconds())} seconds, longer than WTF_CSRF_TIME_LIMIT ({int(csrf_limit)}): the "
            "CSRF token in the page would expire before the session it renews; make the session shorter or the "
            "token last longer (or None)")
    level = cfg["PAYKKA_DATABASE_SYNCHRONOUS"]
    if not isinstance(level, str) or level.upper() not in SYNCHRONOUS_LEVELS:
        raise ValidationError("PAYKKA_DATABASE_SYNCHRONOUS", f"must be one of {', '.join(SYNCHRONOUS_LEVELS)}")


def database_path(app: Flask) -> str:
    """``PAYKKA_DATABASE``, or ``{instance_path}/paykka.sqlite3``."""
    return str(app.config["PAYKKA_DATABASE"] or Path(app.instance_path) / "paykka.sqlite3")


def environment(app: Flask) -> Environment:
    """The env to talk to; says loudly in the log when it is the emulator."""
    cfg = app.config
    has_credentials = bool(cfg["PAYKKA_MERCHANT_ID"] and cfg["PAYKKA_PRIVATE_KEY"])
    env_name = cfg["PAYKKA_ENV"] or ("sandbox" if has_credentials else "stub")
    env = resolve_environment(env_name, api_base=cfg["PAYKKA_API_BASE"], checkout_base=cfg["PAYKKA_CHECKOUT_BASE"])
    if env.name == "stub":
        log.warning(
            "PAYKKA_ENV=stub: payments go to the local PayKKa emulator at %s; no real money moves%s",
            env.api_base,
            "" if has_credentials else " (no PayKKa credentials configured: a test merchant will be "
                                       "registered with the emulator on first use)",
        )
    elif not has_credentials:
        raise ValidationError("PAYKKA_MERCHANT_ID", f"and PAYKKA_PRIVATE_KEY are required for PAYKKA_ENV={env_name}")
    else:
        log.info("PAYKKA_ENV=%s: API %s, checkout %s", env.name, env.api_base, env.checkout_base)
    return env


@dataclass(frozen=True)
class Credentials:
    """What the client and the browser need. ``repr`` names the merchant only."""

    merchant_id: str
    app_id: str
    private_key: Any
    platform_public_key: Any
    client_key: str

    def __repr__(self) -> str:
        return f"Credentials(merchant_id={self.merchant_id!r}, app_id={self.app_id!r})"


def configured_credentials(app: Flask) -> Optional[Credentials]:
    """The credentials in the config, checked; None when none are configured."""
    cfg = app.config
    if not (cfg["PAYKKA_MERCHANT_ID"] and cfg["PAYKKA_PRIVATE_KEY"]):
        return None
    for name in CREDENTIAL_KEYS:
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


TEST_MERCHANT_FILE = "paykka-test-merchant.json"


def register_with_stub(env: Environment, name: str, keep_in: Optional[Path] = None) -> Credentials:
    """With no credentials in stub mode: register a test merchant with the emulator.

    With ``keep_in`` (the app's instance folder) the test merchant's id and key are kept in
    ``paykka-test-merchant.json`` there (readable by its owner only; a key for the emulator, never for
    PayKKa) and registered again each time: every worker process of the app is the same merchant, and
    an emulator restarted without ``--data`` learns it again instead of refusing the app's signatures."""
    url = f"{env.api_base}/_stub/merchants"
    if keep_in is None:
        key, merchant_id = signing.generate_private_key(), None
        data = _register(url, key, merchant_id, name)
    else:
        keep_in.mkdir(parents=True, exist_ok=True)
        path = keep_in / TEST_MERCHANT_FILE
        with open(keep_in / (TEST_MERCHANT_FILE + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one registration at a time among the app's processes
            kept = _read_kept(path, env.api_base)
            key = signing.load_private_key(kept["private_key"]) if kept else signing.generate_private_key()
            data = _register(url, key, kept["merchant_id"] if kept else None, name)
            if not kept:
                path.write_text(json.dumps({"api_base": env.api_base, "merchant_id": data["merchant_id"],
                                            "private_key": signing.private_pem(key)}), "utf-8")
                path.chmod(0o600)
    log.warning("PAYKKA_ENV=stub: registered test merchant %s with the emulator at %s", data["merchant_id"],
                env.api_base)
    return Credentials(data["merchant_id"], data["app_id"], key, data["platform_public_key"], data["client_key"])


def _read_kept(path: Path, api_base: str) -> Optional[dict[str, str]]:
    try:
        kept = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(kept, dict) and kept.get("api_base") == api_base and kept.get("merchant_id") and kept.get("private_key")
    return kept if ok else None


def _register(url: str, key: Any, merchant_id: Optional[str], name: str) -> dict[str, str]:
    body: dict[str, Any] = {"public_key": signing.public_pem(key), "name": name}
    if merchant_id:
        body["merchant_id"] = merchant_id
    try:
        data: dict[str, str] = httpx.post(url, json=body, timeout=10).json()["data"]
        return data
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise PayKKaError(f"PAYKKA_ENV=stub: could not register with the emulator at {url} "
                          f"(is `paykka-embed stub` running?): {exc}") from None
