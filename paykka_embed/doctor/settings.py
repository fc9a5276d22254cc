"""Where the doctor finds the configuration to check, and which source gave each value.

Three sources, the strongest first: the command's flags; the Flask app's configuration
(``--app module:app`` or ``--app module:create_app()``, read exactly as ``flask --app``
reads it); the ``PAYKKA_*`` environment variables (the extension falls back to them too,
see :mod:`paykka_embed.flask.config`). The report names the source of every value, so a
stale variable that shadows the intended one is visible.

With ``--app``, the URLs the shop will send are asked of the app itself: ``PAYKKA_NOTIFY_URL``
when set, else the extension's own routes built with ``url_for`` on ``--public-url`` (or the
app's ``SERVER_NAME``), exactly as the extension builds them while serving a request.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from ..errors import PayKKaError

#: The configuration keys the doctor reads (the same names the Flask extension uses).
KEYS = ("PAYKKA_ENV", "PAYKKA_MERCHANT_ID", "PAYKKA_APP_ID", "PAYKKA_PRIVATE_KEY", "PAYKKA_PLATFORM_PUBLIC_KEY",
        "PAYKKA_CLIENT_KEY", "PAYKKA_API_BASE", "PAYKKA_CHECKOUT_BASE", "PAYKKA_NOTIFY_URL")

#: A trans_id for the sample return URL: the extension appends the attempt's own.
SAMPLE_TRANS_ID = "ORDER-1"


@dataclass(frozen=True)
class Value:
    """A configured value and where it came from (``--merchant-id``, ``PAYKKA_MERCHANT_ID in the environment``…)."""

    value: Any
    source: str

    @property
    def present(self) -> bool:
        return self.value is not None and self.value != ""


UNSET = Value(None, "not set")


@dataclass
class Settings:
    """Everything to check. ``app_error`` is set when ``--app`` could not be loaded."""

    env: Value = UNSET
    merchant_id: Value = UNSET
    app_id: Value = UNSET
    private_key: Value = UNSET
    platform_public_key: Value = UNSET
    client_key: Value = UNSET
    public_key: Value = UNSET
    api_base: Value = UNSET
    checkout_base: Value = UNSET
    notify_url: Value = UNSET
    return_url: Value = UNSET
    #: Why a URL could not be determined (shown when its check is skipped).
    url_notes: dict[str, str] = field(default_factory=dict)
    app_spec: Optional[str] = None
    app_error: Optional[str] = None
    #: The app did not start because the PayKKa extension refused its configuration.
    app_refused: bool = False
    #: The app loaded, but the test merchant it uses (no credentials, stub mode) could not be registered.
    app_emulator_unreachable: bool = False
    app_has_extension: bool = False

    def sources(self) -> dict[str, str]:
        names = ("env", "merchant_id", "app_id", "private_key", "platform_public_key", "client_key", "public_key",
                 "api_base", "notify_url", "return_url")
        return {name: getattr(self, name).source for name in names if getattr(self, name).present}


def _from_environment(environ: Mapping[str, str]) -> dict[str, Value]:
    return {key: Value(environ[key], f"{key} in the environment") for key in KEYS if environ.get(key)}


def _from_app(app: Any, environ: Mapping[str, str]) -> dict[str, Value]:
    """The app's value for each key; where the app has none, the environment's (as the extension does),
    and for an app with no credentials in stub mode, its test merchant's."""
    found = _from_environment(environ)
    for key in KEYS:
        value = app.config.get(key)
        if value is not None and value != "":
            found[key] = Value(value, f"{key} in the app config")
    state = app.extensions.get("paykka")
    if state is not None and getattr(state, "test_merchant", False):
        _test_merchant(app, state, found)
    return found


def _test_merchant(app: Any, state: Any, found: dict[str, Value]) -> None:
    """An app with no credentials in stub mode registers a test merchant with the emulator and keeps it
    in its instance folder: check that one, as the app uses it (registering it, as the app would on its
    first payment, when the emulator does not know it). Raises :class:`PayKKaError` when the emulator
    cannot be reached."""
    from ..flask.config import TEST_MERCHANT_FILE

    creds = state.credentials
    source = f"the test merchant the app registered with the emulator ({Path(app.instance_path) / TEST_MERCHANT_FILE})"
    for key, value in (("PAYKKA_ENV", "stub"), ("PAYKKA_API_BASE", state.environment.api_base),
                       ("PAYKKA_MERCHANT_ID", creds.merchant_id), ("PAYKKA_APP_ID", creds.app_id),
                       ("PAYKKA_PRIVATE_KEY", creds.private_key), ("PAYKKA_PLATFORM_PUBLIC_KEY", creds.platform_public_key),
                       ("PAYKKA_CLIENT_KEY", creds.client_key)):
        found.setdefault(key, Value(value, source))


def load_app(spec: str) -> Any:
    """Load a Flask app the way ``flask --app`` does (``module``, ``module:app``, ``module:create_app()``,
    ``path/to/file.py:app``), with the ``.env``/``.flaskenv`` files ``flask`` would load."""
    from flask.cli import ScriptInfo, load_dotenv

    load_dotenv()
    return ScriptInfo(app_import_path=spec, set_debug_flag=False, load_dotenv_defaults=False).load_app()


def _app_urls(app: Any, public_url: Optional[str], settings: Settings) -> None:
    """The notify and return URLs the extension would send, built by the app's own routes."""
    from flask import url_for
    from werkzeug.routing import BuildError

    settings.app_has_extension = "paykka" in app.extensions
    if not settings.app_has_extension:
        note = "the app has no PayKKa extension: pass --notify-url and --return-url to check the URLs it sends"
        settings.url_notes.setdefault("notify_url", note)
        settings.url_notes.setdefault("return_url", note)
        return
    if public_url:
        context = app.test_request_context("/", base_url=public_url)
        origin = f"--public-url {public_url}"
    elif app.config.get("SERVER_NAME"):
        context = app.app_context()
        origin = f"SERVER_NAME {app.config['SERVER_NAME']}"
    else:
        note = ("the extension builds it from each request's host: pass --public-url https://your.shop "
                "(or set SERVER_NAME or PAYKKA_NOTIFY_URL) to check it")
        settings.url_notes.setdefault("notify_url", note)
        settings.url_notes.setdefault("return_url", note)
        return
    with context:
        try:
            if not settings.notify_url.present:
                settings.notify_url = Value(url_for("paykka.webhook", _external=True),
                                            f"the app's webhook route on {origin}")
            if not settings.return_url.present:
                settings.return_url = Value(url_for("paykka.return_", trans_id=SAMPLE_TRANS_ID, _external=True),
                                            f"the app's return route on {origin}")
        except (BuildError, RuntimeError) as exc:
            settings.url_notes.setdefault("notify_url", f"the app could not build it: {exc}")
            settings.url_notes.setdefault("return_url", f"the app could not build it: {exc}")


def gather(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    """The settings to check, from the flags, then ``--app``'s config, then the environment."""
    settings = Settings(app_spec=args.app)
    app: Any = None
    if args.app:
        try:
            app = load_app(args.app)
        except Exception as exc:  # an app factory may raise anything; the report says what and stops
            settings.app_error = f"{type(exc).__name__}: {exc}"
            settings.app_refused = isinstance(exc, PayKKaError)
            return settings
        try:
            found = _from_app(app, environ)
        except PayKKaError as exc:  # its test merchant could not be registered: the emulator is not there
            settings.app_error = str(exc)
            settings.app_emulator_unreachable = True
            return settings
    else:
        found = _from_environment(environ)

    def pick(flag: Optional[str], flag_name: str, key: Optional[str]) -> Value:
        if flag is not None and flag != "":
            return Value(flag, flag_name)
        if key is not None and key in found:
            return found[key]
        return UNSET

    settings.env = pick(args.env, "--env", "PAYKKA_ENV")
    settings.merchant_id = pick(args.merchant_id, "--merchant-id", "PAYKKA_MERCHANT_ID")
    settings.app_id = pick(args.app_id, "--app-id", "PAYKKA_APP_ID")
    settings.private_key = pick(args.private_key, "--private-key", "PAYKKA_PRIVATE_KEY")
    settings.platform_public_key = pick(args.platform_public_key, "--platform-public-key",
                                        "PAYKKA_PLATFORM_PUBLIC_KEY")
    settings.client_key = pick(args.client_key, "--client-key", "PAYKKA_CLIENT_KEY")
    settings.public_key = pick(args.public_key, "--public-key", None)
    settings.api_base = pick(args.api_base, "--api-base", "PAYKKA_API_BASE")
    settings.checkout_base = pick(None, "", "PAYKKA_CHECKOUT_BASE")
    settings.notify_url = pick(args.notify_url, "--notify-url", "PAYKKA_NOTIFY_URL")
    settings.return_url = pick(args.return_url, "--return-url", None)
    if app is not None:
        _app_urls(app, args.public_url, settings)
    else:
        settings.url_notes.setdefault("notify_url", "pass --notify-url (or set PAYKKA_NOTIFY_URL) to check it")
        settings.url_notes.setdefault("return_url", "pass --return-url (or --app with --public-url) to check it")
    return settings
