"""A running emulator as tests see it: its URL, its clock, its webhook log, its merchants."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import httpx

from .. import signing
from ..client import PayKKaClient
from ..serving import BackgroundServer
from ..stub import StubContext, create_app


@dataclass(frozen=True)
class MerchantAccount:
    """A merchant registered with the emulator: everything an app or a client needs."""

    merchant_id: str
    app_id: str
    client_key: str
    private_key_pem: str
    platform_public_key: str
    api_base: str
    #: The store's SQLite file for an app of this merchant (None: the app's own default).
    database: Optional[str] = None

    def flask_config(self) -> dict[str, Any]:
        """The ``PAYKKA_*`` configuration of an app paying as this merchant (with its own store, when
        ``database`` is set, as the pytest fixture does: each test starts with no attempts)."""
        config: dict[str, Any] = {
            "PAYKKA_ENV": "stub",
            "PAYKKA_API_BASE": self.api_base,
            "PAYKKA_MERCHANT_ID": self.merchant_id,
            "PAYKKA_APP_ID": self.app_id,
            "PAYKKA_PRIVATE_KEY": self.private_key_pem,
            "PAYKKA_PLATFORM_PUBLIC_KEY": self.platform_public_key,
            "PAYKKA_CLIENT_KEY": self.client_key,
        }
        if self.database:
            config["PAYKKA_DATABASE"] = self.database
        return config

    def client(self, **kwargs: Any) -> PayKKaClient:
        """A signed v3 client of this merchant (``kwargs``: timeout, retry, transport)."""
        return PayKKaClient(merchant_id=self.merchant_id, app_id=self.app_id, private_key=self.private_key_pem,
                            platform_public_key=self.platform_public_key, env="stub", api_base=self.api_base,
                            **kwargs)


_TEST_KEYS: list[Any] = []
_TEST_KEYS_LOCK = threading.Lock()


def shared_test_key() -> Any:
    """One merchant RSA key per test process, made on first use."""
    with _TEST_KEYS_LOCK:
        if not _TEST_KEYS:
            _TEST_KEYS.append(signing.generate_private_key())
        return _TEST_KEYS[0]


class StubHandle:
    """Control of one live emulator over its real HTTP controls."""

    def __init__(self, server: BackgroundServer, context: StubContext) -> None:
        self.server = server
        self.context = context
        self.url = server.url
        self._http = httpx.Client(base_url=self.url, timeout=10)

    @classmethod
    def start(cls, host: str = "127.0.0.1", port: int = 0, *, strict: bool = False) -> "StubHandle":
        """A new emulator on ``port`` (0: a free one). ``strict``: refuse unknown field names
        instead of ignoring and reporting them."""
        context = StubContext(strict=strict)
        server = BackgroundServer(create_app(context), host, port).start()
        return cls(server, context)

    def stop(self) -> None:
        """Stop the emulator's server and its webhook sender."""
        self._http.close()
        self.server.stop()
        self.context.close()

    def reset(self) -> None:
        """``POST /_stub/reset``: forget everything but the merchants; the clock back to real time."""
        self._http.post("/_stub/reset").raise_for_status()

    def register_merchant(self, *, name: str = "Test merchant", notify_url: Optional[str] = None,
                          pci: bool = False, private_key: Any = None,
                          app_id: Optional[str] = None, database: Optional[str] = None) -> MerchantAccount:
        """A new merchant (its own merchant id and client key). Unless ``private_key`` is given it
        signs with the process's one test key: making an RSA key costs more than most tests.
        ``app_id``: the ``x-paykka-appid`` its requests carry (default: its merchant id);
        ``database``: the store file its apps use (see :meth:`MerchantAccount.flask_config`)."""
        key = signing.load_private_key(private_key) if private_key is not None else shared_test_key()
        body: dict[str, Any] = {"public_key": signing.public_pem(key), "name": name, "pci": pci}
        if notify_url:
            body["notify_url"] = notify_url
        if app_id:
            body["app_id"] = app_id
        data = self._http.post("/_stub/merchants", json=body).raise_for_status().json()["data"]
        return MerchantAccount(data["merchant_id"], data["app_id"], data["client_key"], signing.private_pem(key),
                               data["platform_public_key"], self.url, database)

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the emulator's clock ``seconds`` ahead: sessions expire, reviews end, webhook retries fall due."""
        resp = self._http.post("/_stub/clock", json={"advance_seconds": seconds}).raise_for_status()
        data: dict[str, Any] = resp.json()["data"]
        return data

    def reset_clock(self) -> dict[str, Any]:
        """Put the emulator's clock back on real time (and undo any signature skew), keeping its records."""
        resp = self._http.post("/_stub/clock", json={"reset": True}).raise_for_status()
        data: dict[str, Any] = resp.json()["data"]
        return data

    def skew_signature_clock(self, seconds: int) -> dict[str, Any]:
        """Check and stamp signature timestamps as if now were real time + ``seconds`` (0 undoes
        it; a reset does too): how a merchant server whose clock is off sees PayKKa."""
        resp = self._http.post("/_stub/clock", json={"signature_skew_seconds": seconds}).raise_for_status()
        data: dict[str, Any] = resp.json()["data"]
        return data

    def requests(self, limit: Optional[int] = None) -> list[dict[str, Any]]:
        """The request log, newest first: every v3 call answered since the last reset."""
        params = {"limit": str(limit)} if limit else None
        data: list[dict[str, Any]] = self._http.get("/_stub/requests", params=params).raise_for_status().json()["data"]
        return data

    def open_dispute(self, order_id: str, *, amount: Optional[int] = None, reason_code: Optional[str] = None,
                     reason_code_description: Optional[str] = None,
                     due_days: Optional[int] = None) -> dict[str, Any]:
        """The shopper's bank disputes ``order_id`` (all that is captured and not refunded unless
        ``amount``, minor units): a signed DISPUTE_CREATED notification goes to the order's
        notify_url. Returns the dispute (its current notification plus ``history``)."""
        body: dict[str, Any] = {"order_id": order_id}
        for name, value in (("amount", amount), ("reason_code", reason_code),
                            ("reason_code_description", reason_code_description), ("due_days", due_days)):
            if value is not None:
                body[name] = value
        data: dict[str, Any] = self._http.post("/_stub/disputes", json=body).raise_for_status().json()["data"]
        return data

    def advance_dispute(self, dispute_id: str, outcome: Optional[str] = None) -> dict[str, Any]:
        """The dispute's next stage (DISPUTE_CREATED → UNDER_REVIEW); ``outcome`` ``"WON"`` or
        ``"LOST"`` closes it. Each stage is sent as a signed DISPUTE notification."""
        body = {"outcome": outcome} if outcome is not None else {}
        resp = self._http.post(f"/_stub/disputes/{dispute_id}/advance", json=body).raise_for_status()
        data: dict[str, Any] = resp.json()["data"]
        return data

    def disputes(self) -> list[dict[str, Any]]:
        """Every dispute, newest first: its current notification plus its ``history``."""
        data: list[dict[str, Any]] = self._http.get("/_stub/disputes").raise_for_status().json()["data"]
        return data

    def webhooks(self) -> list[dict[str, Any]]:
        """Every webhook delivery with its attempts (``GET /_stub/webhooks``)."""
        data: list[dict[str, Any]] = self._http.get("/_stub/webhooks").raise_for_status().json()["data"]
        return data

    def wait_for_webhook(self, predicate: Callable[[dict[str, Any]], bool] = lambda d: True, *,
                         delivered: bool = True, timeout: float = 15.0) -> dict[str, Any]:
        """Wait (polling the log, no fixed sleep) for a delivery matching ``predicate``."""
        deadline = time.monotonic() + timeout
        pause = 0.02
        while True:
            for delivery in self.webhooks():
                if predicate(delivery) and (not delivered or delivery["state"] == "delivered"):
                    return delivery
            if time.monotonic() > deadline:
                raise TimeoutError(f"no matching webhook within {timeout} s; log: {self.webhooks()}")
            time.sleep(pause)
            pause = min(pause * 2, 0.25)
