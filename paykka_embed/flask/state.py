"""Per-app state, kept in ``app.extensions["paykka"]``: environment, credentials, client, store,
webhook pipeline, and where a shopper is sent for an order.

Everything is built on first use, so an app starts without reaching PayKKa (or the emulator).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from flask import Flask, current_app

from ..client import Call, ClientCore, PayKKaClient, R, RetryPolicy
from ..errors import APIError, SignatureError
from ..envs import Environment
from ..store import AttemptRecord, SQLiteStore, Store
from ..store.base import FLAG_MISMATCH
from .. import wire
from ..outcomes import Verdict
from ..store import EventRecord
from ..webhooks import Notification, WebhookPipeline
from . import config
from .integrity import Integrity
from .orders import SUCCESS_STATUSES
from .results import result_page_url
from .signals import webhook_received

if TYPE_CHECKING:
    from .extension import PayKKa

EXTENSION_KEY = "paykka"
#: What an emulator restarted without ``--data`` answers a merchant it no longer knows: no such
#: merchant, or (signed with its new platform key) an answer the old key cannot verify.
FORGOTTEN = ("206005",)

log = logging.getLogger("paykka_embed")


class TestMerchantClient(PayKKaClient):
    """The client of a test merchant the app registered with the emulator itself: when the emulator
    has forgotten it (restarted without ``--data``), it registers again and — for an operation that is
    safe to repeat — sends the call once more. An operation that could act twice is not repeated:
    the next call works, this one raises as it did."""

    recover: Callable[[], object] = staticmethod(lambda: None)

    def run(self, call: Call[R]) -> R:
        try:
            return super().run(call)
        except (SignatureError, APIError) as exc:
            if isinstance(exc, APIError) and exc.ret_code not in FORGOTTEN:
                raise
            log.warning("PAYKKA_ENV=stub: the emulator no longer knows this app's test merchant (was it "
                        "restarted?): registering again")
            self.recover()
            if not call.operation.retry_safe:
                raise
            return super().run(call)


def state_of(app: Optional[Flask] = None) -> "PayKKaState":
    """The extension's state of ``app`` (the current app by default)."""
    target = app or current_app
    try:
        st: PayKKaState = target.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("PayKKa is not registered on this app: call PayKKa(app) or init_app(app)") from None
    return st


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
        #: Whether the credentials are a test merchant this app registers with the emulator itself.
        self.test_merchant = self.environment.name == "stub" and self._credentials is None
        self._lock = threading.Lock()
        self.integrity = Integrity(self)

    @property
    def credentials(self) -> config.Credentials:
        """The configured credentials; with none in stub mode, a test merchant registered with the emulator
        (kept in the app's instance folder, so every worker process is the same merchant)."""
        if self._credentials is None:
            self._credentials = self._register_test_merchant()
        return self._credentials


    def _register_test_merchant(self) -> config.Credentials:
        return config.register_with_stub(self.environment, self.app.config["PAYKKA_MERCHANT_NAME"] or self.app.name,
                                         keep_in=Path(self.app.instance_path))

    def register_again(self) -> config.Credentials:
        """The emulator forgot this app's test merchant (it was restarted without ``--data``): register it
        again, and use the emulator's new platform key for responses and webhooks from now on."""
        with self._lock:
            self._credentials = self._register_test_merchant()
            if self._client is not None:
                self._client.core = self._core(self._credentials)
            self._pipeline = None
            return self._credentials

    def _core(self, creds: config.Credentials) -> ClientCore:
        return ClientCore(merchant_id=creds.merchant_id, app_id=creds.app_id, private_key=creds.private_key,
                          platform_public_key=creds.platform_public_key, env=self.environment,
                          retry=RetryPolicy(max_retries=int(self.app.config["PAYKKA_MAX_RETRIES"])))

    @property
    def client(self) -> PayKKaClient:
        """The app's signed v3 client (timeout and retries from ``PAYKKA_TIMEOUT`` / ``PAYKKA_MAX_RETRIES``)."""
        if self._client is None:
            creds = self.credentials
            kind = TestMerchantClient if self.test_merchant else PayKKaClient
            client = kind(merchant_id=creds.merchant_id, app_id=creds.app_id, private_key=creds.private_key,
                          platform_public_key=creds.platform_public_key, env=self.environment,
                          timeout=float(self.app.config["PAYKKA_TIMEOUT"]),
                          retry=RetryPolicy(max_retries=int(self.app.config["PAYKKA_MAX_RETRIES"])))
            if isinstance(client, TestMerchantClient):
                client.recover = self.register_again
            self._client = client
        return self._client

    @property
    def pipeline(self) -> WebhookPipeline:
        """The app's webhook pipeline, its hooks connected to the integrity checks and the signals."""
        if self._pipeline is None:
            creds = self.credentials
            self._pipeline = WebhookPipeline(
                self.store, creds.platform_public_key, self.ext.handlers,
                merchant_id=creds.merchant_id, app_id=creds.app_id,
                lease_seconds=float(self.app.config["PAYKKA_WEBHOOK_LEASE"]),
                on_outcome=lambda outcome: self.integrity.alarm(outcome, "webhook"),
                on_event=self._after_event,
            )
        return self._pipeline

    def _after_event(self, event: Notification, record: EventRecord, verdict: Optional[Verdict]) -> None:
        """After a notification's handlers: a refund's outcome changes its payment's status, which the
        refund event does not carry, so the payment is asked about (a failure makes PayKKa deliver again);
        then the signal."""
        if isinstance(event, wire.NotifyEvent) and event.notify_type.startswith("REFUND."):
            refunded = self.store.attempt_by_order_id(event.ori_order_id or event.order_id or "")
            if refunded is not None:
                self.integrity.settle(refunded)
        webhook_received.send(self.app, event=event, record=record, verdict=verdict)

    def order_url(self, order_ref: str) -> Optional[str]:
        """Where a shopper sees a paid order: ``PAYKKA_SUCCESS_URL`` for the paying attempt, else
        the extension's own result page for it; None while the order is unpaid."""
        paid = self.store.paid_trans_id(order_ref)
        attempt = self.store.attempt(paid) if paid else None
        return self.result_url(attempt) if attempt else None

    def result_url(self, attempt: AttemptRecord) -> str:
        """Where ``{prefix}/return`` sends the shopper for this attempt (see ``PAYKKA_SUCCESS_URL``)."""
        cfg = self.app.config
        paid = attempt.status in SUCCESS_STATUSES and attempt.flag != FLAG_MISMATCH
        template = cfg["PAYKKA_SUCCESS_URL"] if paid else cfg["PAYKKA_FAILURE_URL"]
        if template is None:
            return result_page_url(attempt)
        if callable(template):
            return str(template(attempt))
        return str(template).format(order=attempt.order_ref, trans_id=attempt.trans_id, status=attempt.status)
