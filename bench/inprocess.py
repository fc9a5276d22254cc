"""The bench merchant app driven in this process through Flask's test client, against the
stack's emulator: the app's own code path, one request at a time, without an HTTP server in
front of it. Used to profile where a request's time goes (:func:`bench.profile.record_inprocess`)."""

from __future__ import annotations

from typing import Callable

from .merchant import create_app
from .servers import Stack
from . import webhooks


def _app(stack: Stack, name: str):  # type: ignore[no-untyped-def]
    settings = stack.merchant_settings()
    settings["PAYKKA_DATABASE"] = str(stack.workdir / f"inprocess-{name}.sqlite3")
    return create_app(settings)


def sessions(stack: Stack, count: int, tag: str) -> Callable[[], None]:
    """Warm up, then return the work: ``count`` session requests, each checked."""
    client = _app(stack, f"sessions-{tag}").test_client()
    token = client.get("/bench/csrf").get_data(as_text=True)

    def post(order: str) -> None:
        resp = client.post("/paykka/sessions", json={"order": order, "mode": "dropin"}, headers={"X-CSRFToken": token})
        assert resp.status_code == 200, resp.get_data(as_text=True)

    for n in range(20):
        post(f"{tag}-warm-{n}")

    def work() -> None:
        for n in range(count):
            post(f"{tag}-{n}")

    return work


def webhook_events(stack: Stack, count: int, tag: str) -> Callable[[], None]:
    """Warm up, then return the work: ``count`` new signed events, each acknowledged."""
    client = _app(stack, f"webhooks-{tag}").test_client()
    merchant_id = stack.account["merchant_id"]
    warm = webhooks.signed(stack, [webhooks.event(merchant_id, f"{tag}-warm-{n}-1") for n in range(50)])
    events = webhooks.signed(stack, [webhooks.event(merchant_id, f"{tag}-{n}-1") for n in range(count)])

    def post(body: bytes, headers: dict[str, str]) -> None:
        resp = client.post(webhooks.PATH, data=body, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)

    for body, headers in warm:
        post(body, headers)

    def work() -> None:
        for body, headers in events:
            post(body, headers)

    return work
