"""The emulator application: one Flask app holding the emulator's services, the webhook
sender and the platform key, with the v3 API, the browser side, the test controls and the
dashboard (at ``/``) mounted."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from .. import signing
from ..wire import envelope
from ..resources import emulator_templates_dir
from . import api, browser, controls, dashboard
from .clock import Clock
from .faults import FaultMiddleware, Faults
from .gateway import Gateway
from .persistence import Persistence, open_persistence
from .records import Merchant
from .requestlog import RequestLog
from .services import Services
from .web import EXTENSION
from .webhooks import WebhookSender

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger("paykka_embed.stub")

MAX_BODY_BYTES = 1024 * 1024


PLATFORM_KEY_FILE = "platform-private-key.pem"


def platform_key_in(data_dir: Path) -> rsa.RSAPrivateKey:
    """The platform key kept in ``data_dir`` (made on first use), so merchants' copies of
    the platform public key stay valid across restarts."""
    path = data_dir / PLATFORM_KEY_FILE
    if path.exists():
        return signing.load_private_key(path.read_text("ascii"))
    key = signing.generate_private_key()
    path.write_text(signing.private_pem(key), "ascii")
    path.chmod(0o600)
    return key


class StubContext:
    """Everything one running emulator holds: its services (``services``, and ``gateway``,
    their compatibility face), the webhook sender, the clock, the platform key, the
    request log and the faults.

    ``data_dir``: keep the state in SQLite there (``stub-state.sqlite3``) so a restart
    finds its merchants, sessions, orders, refunds, tokens, agreements, disputes and
    undelivered webhooks; without it, everything lives in memory. Without
    ``platform_key``, the key is read from (or made in)
    ``data_dir/platform-private-key.pem``, or made afresh.

    ``strict``: refuse names the v3 models do not know (``010000`` naming the field),
    instead of ignoring and reporting them as PayKKa's backend does. Useful to catch typos
    in merchant code; ``paykka-embed stub --strict`` sets it.
    """

    def __init__(self, platform_key: Optional[rsa.RSAPrivateKey] = None, clock: Optional[Clock] = None,
                 *, data_dir: Union[str, "os.PathLike[str]", None] = None, strict: bool = False) -> None:
        self.strict = strict
        self.requests = RequestLog()
        self.data_dir = Path(data_dir) if data_dir is not None else None
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock or Clock()
        if platform_key is None:
            platform_key = platform_key_in(self.data_dir) if self.data_dir else signing.generate_private_key()
        self.platform_key = platform_key
        self.persistence: Persistence = open_persistence(self.data_dir)
        self.faults = Faults()
        self.sender = WebhookSender(self.clock, self.platform_key, self.persistence, self.faults)
        self.services = Services(self.clock, self.persistence, notify=self._notify)
        self.gateway = Gateway(self.services)

    def _notify(self, merchant: Merchant, url: Optional[str], event: dict[str, Any]) -> None:
        target = url or merchant.notify_url
        if target:
            self.sender.enqueue(target, merchant.app_id, event)
        else:
            log.warning("no notify_url for merchant %s: %s not sent", merchant.merchant_id, event.get("notify_type"))

    def merchant_credentials(self, merchant: Merchant) -> dict[str, str]:
        """What a registered merchant configures: ids, client key and the platform public key."""
        return {
            "merchant_id": merchant.merchant_id,
            "app_id": merchant.app_id,
            "client_key": merchant.client_key,
            "platform_public_key": signing.public_pem(self.platform_key),
        }

    def reset(self) -> None:
        """Forget everything but the merchants: records, request and webhook logs, faults, clock."""
        self.requests.clear()
        self.faults.clear()
        self.services.reset()
        self.sender.reset()
        self.clock.reset()

    def close(self) -> None:
        """Stop the webhook sender and close the persistence."""
        self.sender.stop()
        self.persistence.close()


class EmulatorApp(Flask):
    """The emulator's Flask app: injected HTTP faults (:mod:`faults`) apply before any view."""

    def __init__(self, faults: Faults, **options: Any) -> None:
        super().__init__("paykka_embed.stub", **options)
        self._with_faults = FaultMiddleware(super().wsgi_app, faults)

    def wsgi_app(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        """Every request through the fault injector first, then Flask."""
        result: Iterable[bytes] = self._with_faults(environ, start_response)
        return result


def create_app(context: Optional[StubContext] = None, *, public_url: Optional[str] = None,
               strict: Optional[bool] = None) -> Flask:
    """The emulator as a WSGI app. ``strict`` (when given) overrides ``context.strict``."""
    context = context or StubContext()
    app = EmulatorApp(context.faults, static_folder=None, template_folder=str(emulator_templates_dir()))
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["STUB_PUBLIC_URL"] = public_url
    if strict is not None:
        context.strict = strict
    app.extensions[EXTENSION] = context
    app.register_blueprint(api.bp)
    app.register_blueprint(browser.bp)
    app.register_blueprint(controls.bp)
    app.register_blueprint(dashboard.bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if request.path.startswith("/v3/"):
            return api.refused_outside_an_operation(exc)
        if request.path.startswith("/_stub/"):  # the controls answer in the envelope too
            resp = jsonify(envelope(ret_code="010000", ret_msg=f"{exc.code} {exc.name}: {exc.description}"))
            resp.status_code = exc.code or 400
            return resp
        return exc

    @app.after_request
    def security_headers(resp: Response) -> Response:
        resp.headers.setdefault("x-content-type-options", "nosniff")
        return resp

    return app
