"""Item 4 — webhook ingestion at the merchant endpoint.

Method: events are signed with the emulator's platform key through the same function the
emulator's webhook sender uses (``paykka_embed.signing.signed_headers`` over ``POST``, the
notify path, a timestamp, a nonce and the raw body), all before the clock starts, so the
figure is the merchant side alone: verify the signature, refuse replayed nonces, parse,
store deduplicated, move the attempt forward, acknowledge. Concurrent clients post them to
``POST {prefix}/webhook``; a request counts when it is acknowledged with 200.

Two kinds of round: new events (each a ``PAYMENT.SUCCESS`` for a distinct attempt created
by the session rounds, so the attempt update does real work), and redeliveries (the same
events again, re-signed with fresh nonces as PayKKa would, which the dedupe answers).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

from paykka_embed import signing

from . import load, stats
from .servers import Stack

GOAL_EPS = 1500.0
PATH = "/paykka/webhook"


@dataclass
class Ingestion:
    concurrency: int
    fresh: list[load.Result] = field(default_factory=list)
    redelivered: list[load.Result] = field(default_factory=list)

    @property
    def fresh_rate(self) -> float:
        return stats.median([r.rate for r in self.fresh])

    @property
    def redelivered_rate(self) -> float:
        return stats.median([r.rate for r in self.redelivered])

    @property
    def failures(self) -> int:
        return sum(r.failed for r in self.fresh + self.redelivered)

    @property
    def errors(self) -> list[str]:
        return [e for r in self.fresh + self.redelivered for e in r.errors][:5]


def _event(merchant_id: str, trans_id: str) -> bytes:
    return json.dumps({
        "notify_type": "PAYMENT.SUCCESS", "merchant_id": merchant_id, "trans_id": trans_id,
        "order_id": "PO" + secrets.token_hex(8), "status": "SUCCESS", "amount": 8800, "currency": "HKD",
        "pay_finish_time": "2026-01-01T00:00:00Z", "payment": {"payment_method": "BANKCARD"},
    }, separators=(",", ":")).encode()


def _signed(stack: Stack, bodies: list[bytes]) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    for body in bodies:
        headers = signing.signed_headers(stack.platform_key, stack.account["app_id"], PATH, body)
        headers["content-type"] = "application/json"
        out.append((body, headers))
    return out


def _round(stack: Stack, signed: list[tuple[bytes, dict[str, str]]], concurrency: int, seconds: float) -> load.Result:
    assert stack.merchant is not None

    def job(client: httpx.Client, n: int) -> bool:
        body, headers = signed[n]
        return client.post(PATH, content=body, headers=headers).status_code == 200

    return load.run(stack.merchant.url, job, concurrency=concurrency, count=len(signed), seconds=seconds)


def measure(stack: Stack, trans_ids: list[str], *, rounds: int, concurrency: int, count: int, seconds: float,
            progress: Any = print) -> Ingestion:
    out = Ingestion(concurrency)
    ids = list(trans_ids)
    needed = count * (rounds + 1)
    ids += [f"wh-{secrets.token_hex(3)}-{i}-1" for i in range(max(0, needed - len(ids)))]
    merchant_id = stack.account["merchant_id"]
    _round(stack, _signed(stack, [_event(merchant_id, t) for t in ids[:count // 4]]), concurrency, seconds)  # warm
    ids = ids[count // 4:]
    for r in range(rounds):
        bodies = [_event(merchant_id, t) for t in ids[r * count:(r + 1) * count]]
        out.fresh.append(_round(stack, _signed(stack, bodies), concurrency, seconds))
        out.redelivered.append(_round(stack, _signed(stack, bodies), concurrency, seconds))
        progress(f"  webhooks round {r + 1}/{rounds}: new {out.fresh[-1].rate:.0f}/s, "
                 f"redelivered {out.redelivered[-1].rate:.0f}/s")
    return out
