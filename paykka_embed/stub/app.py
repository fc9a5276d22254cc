"""The stub application: one Flask app holding the gateway state, the webhook sender and
the platform key, with the v3 API, the browser side and the test controls mounted."""

from __future__ import annotations

import logging
from typing import Any, Optional

from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from .. import signing
from ..resources import templates_dir
from . import api, browser, controls
from .clock import Clock
from .gateway import Gateway
from .records import Merchant
from .webhooks import WebhookSender

log = logging.getLogger("paykka_embed.stub")

MAX_BODY_BYTES = 1024 * 1024


class StubContext:
    """Everything one running stub holds."""

    def __init__(self, platform_key: Optional[rsa.RSAPrivateKey] = None, clock: Optional[Clock] = None) -> None:
        self.clock = clock or Clock()
        self.platform_key = platform_key or signing.generate_private_key()
        self.gateway = Gateway(self.clock, self.platform_key)
        self.sender = WebhookSender(self.clock, self.platform_key)
        self.gateway.notify = self._notify

    def _notify(self, merchant: Merchant, url: Optional[str], event: dict[str, Any]) -> None:
        target = url or merchant.notify_url
        if target:
            self.sender.enqueue(target, merchant.app_id, event)
        else:
            log.warning("no notify_url for merchant %s: %s not sent", merchant.merchant_id, event.get("notify_type"))

    def merchant_credentials(self, merchant: Merchant) -> dict[str, str]:
        return {
            "merchant_id": merchant.merchant_id,
            "app_id": merchant.app_id,
            "client_key": merchant.client_key,
            "platform_public_key": signing.public_pem(self.platform_key),
        }

    def reset(self) -> None:
        self.gateway.reset()
        self.sender.reset()
        self.clock.reset()

    def close(self) -> None:
        self.sender.stop()


def create_app(context: Optional[StubContext] = None, *, public_url: Optional[str] = None) -> Flask:
    app = Flask("paykka_embed.stub", static_folder=None, template_folder=str(templates_dir()))
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["STUB_PUBLIC_URL"] = public_url
    app.extensions["paykka_stub"] = context or StubContext()
    app.register_blueprint(api.bp)
    app.register_blueprint(browser.bp)
    app.register_blueprint(controls.bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if request.path.startswith("/v3/"):
            return api.handle_http_error(exc)
        return exc

    @app.after_request
    def security_headers(resp: Response) -> Response:
        resp.headers.setdefault("x-content-type-options", "nosniff")
        return resp

    return app
