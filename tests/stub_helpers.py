"""Talking to the emulator as a merchant's server does, for operations the client may not
have yet: sign each request with the merchant key, verify each answer with the platform
key, and return the decoded envelope."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Optional

import httpx

from paykka_embed import signing
from paykka_embed.testing.stub import shared_test_key
from paykka_embed.testing import MerchantAccount, StubHandle


@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def ret_code(self) -> str:
        return str(self.body.get("ret_code"))

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def ret_msg(self) -> str:
        return str(self.body.get("ret_msg"))


class SignedCaller:
    """POSTs signed v3 requests for one merchant and checks the stub signed the answer."""

    def __init__(self, merchant: MerchantAccount) -> None:
        self.merchant = merchant
        self.key = signing.load_private_key(merchant.private_key_pem)
        self.platform = signing.load_public_key(merchant.platform_public_key)
        self.http = httpx.Client(base_url=merchant.api_base, timeout=10)

    def raw(self, path: str, body: bytes, headers: Optional[dict[str, str]] = None,
            content_type: str = "application/json", verify: bool = True) -> Answer:
        sent = {**signing.signed_headers(self.key, self.merchant.app_id, path, body), "content-type": content_type}
        sent.update(headers or {})
        resp = self.http.post(path, content=body, headers=sent)
        if verify:
            signing.verify_headers(self.platform, path, resp.headers, resp.content)
        return Answer(resp.status_code, resp.json())

    def call(self, path: str, payload: dict[str, Any], **kwargs: Any) -> Answer:
        payload = {"merchant_id": self.merchant.merchant_id, **payload}
        return self.raw(path, json.dumps(payload).encode(), **kwargs)

    def ok(self, path: str, payload: dict[str, Any]) -> Any:
        answer = self.call(path, payload)
        assert answer.status == 200 and answer.ret_code == "000000", answer
        return answer.data


def merchant_key() -> Any:
    """The test merchants' shared key (see StubHandle.register_merchant)."""
    return shared_test_key()


def register(stub: StubHandle, *, pci: bool = False, notify_url: Optional[str] = None) -> MerchantAccount:
    """A merchant registered over the control API, optionally PCI-registered (plain card numbers)."""
    return stub.register_merchant(name="Stub test shop", pci=pci, notify_url=notify_url)


def trans_id(prefix: str = "t") -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def enc(clear: str) -> str:
    return "stub:" + base64.b64encode(clear.encode()).decode()


class WebhookReceiver:
    """A real HTTP endpoint that records what the stub posts, and answers ``statuses`` in
    turn (then 200): a merchant's webhook endpoint for tests."""

    def __init__(self) -> None:
        from werkzeug.wrappers import Request, Response

        from paykka_embed.stub import BackgroundServer

        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        lock = threading.Lock()

        @Request.application
        def app(request: Request) -> Response:
            with lock:
                self.received.append((request.path, dict(request.headers), request.get_data()))
                status = self.statuses.pop(0) if self.statuses else 200
            return Response('{"ret_code":"000000","ret_msg":"Success"}', status=status,
                            mimetype="application/json")

        self.server = BackgroundServer(app).start()
        self.url = self.server.url + "/hooks/paykka"

    def close(self) -> None:
        self.server.stop()
