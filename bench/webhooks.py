"""Item 4 — webhook ingestion at the merchant endpoint.

Method: events are signed with the emulator's platform key through the same function the
emulator's webhook sender uses (``paykka_embed.signing.signed_headers`` over ``POST``, the
notify path, a timestamp, a nonce and the raw body), all before the clock starts, so the
figure is the merchant side alone: verify the signature, refuse replayed nonces, parse,
store deduplicated, move the attempt forward, acknowledge. Concurrent kept-alive connections
post them to ``POST {prefix}/webhook`` with the low-cost client of :mod:`bench.rawload` (in
production PayKKa sends them, not the merchant's machine); a request counts when it is
acknowledged with 200.

Beside them, the same requests go to ``POST /bench/empty`` of the same app on the same
server: a Flask view that only reads the body. That is the floor for any Flask endpoint on
this machine and server, and the webhook figure is also given as a share of it.

And the same new events, signed for ``POST /hand/webhook``, go to the hand-written view of the
same app (:mod:`bench.handwritten`: verify, refuse a replayed nonce, store deduplicated, move the
attempt, in one transaction): the toolkit's overhead is hand-written ÷ toolkit events per second
(goal ≤ 1.3×).

Two kinds of round: new events (each a ``PAYMENT.SUCCESS`` for a distinct attempt created
by the session rounds, so the attempt update does real work), and redeliveries (the same
events again, re-signed with fresh nonces as PayKKa would, which the dedupe answers).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from paykka_embed import signing

from . import load, rawload, stats
from .servers import Stack

GOAL_EPS = 1500.0
GOAL_HAND_RATIO = 1.3
PATH = "/paykka/webhook"
HAND_PATH = "/hand/webhook"
FLOOR_PATH = "/bench/empty"


@dataclass
class Ingestion:
    concurrency: int
    label: str = ""  # the server and settings these rounds ran on
    fresh: list[load.Result] = field(default_factory=list)
    redelivered: list[load.Result] = field(default_factory=list)
    floor: list[load.Result] = field(default_factory=list)  # the same requests to an empty Flask view
    hand: list[load.Result] = field(default_factory=list)  # the same events to the hand-written view

    @property
    def fresh_rate(self) -> float:
        return stats.median([r.rate for r in self.fresh])

    @property
    def redelivered_rate(self) -> float:
        return stats.median([r.rate for r in self.redelivered])

    @property
    def floor_rate(self) -> float:
        return stats.median([r.rate for r in self.floor])

    @property
    def hand_rate(self) -> float:
        return stats.median([r.rate for r in self.hand])

    @property
    def hand_ratio(self) -> float:
        """Hand-written ÷ toolkit new events per second, round by round: what the toolkit costs."""
        return stats.median([h.rate / f.rate for f, h in zip(self.fresh, self.hand) if f.rate])

    @property
    def share_of_floor(self) -> float:
        """New events/s as a fraction of the empty view's requests/s, each round against its own floor."""
        return stats.median([f.rate / e.rate for f, e in zip(self.fresh, self.floor) if e.rate])

    def cpu_ms(self, which: str = "fresh") -> dict[str, float]:
        """Median CPU milliseconds per request of each process over the rounds of ``which``."""
        results: list[load.Result] = getattr(self, which)
        return load.median_cpu_ms(results)

    @property
    def failures(self) -> int:
        return sum(r.failed for r in self.fresh + self.redelivered + self.floor + self.hand)

    @property
    def errors(self) -> list[str]:
        return [e for r in self.fresh + self.redelivered + self.floor + self.hand for e in r.errors][:5]


def event(merchant_id: str, trans_id: str) -> bytes:
    return json.dumps({
        "notify_type": "PAYMENT.SUCCESS", "merchant_id": merchant_id, "trans_id": trans_id,
        "order_id": "PO" + secrets.token_hex(8), "status": "SUCCESS", "amount": 8800, "currency": "HKD",
        "pay_finish_time": "2026-01-01T00:00:00Z", "payment": {"payment_method": "BANKCARD"},
    }, separators=(",", ":")).encode()


def signed(stack: Stack, bodies: list[bytes], path: str = PATH) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    for body in bodies:
        headers = signing.signed_headers(stack.platform_key, stack.account["app_id"], path, body)
        headers["content-type"] = "application/json"
        out.append((body, headers))
    return out


def _round(stack: Stack, signed: list[tuple[bytes, dict[str, str]]], concurrency: int, seconds: float,
           path: str = PATH) -> load.Result:
    assert stack.merchant is not None
    host = stack.merchant.url.split("//", 1)[1]

    def build(n: int) -> bytes:
        body, headers = signed[n]
        return rawload.request("POST", path, host, body, headers)

    return rawload.run(stack.merchant.url, build, lambda n, status, headers, body: status == 200,
                       concurrency=concurrency, count=len(signed), seconds=seconds)


def measure(stack: Stack, trans_ids: list[str], *, rounds: int, concurrency: int, count: int, seconds: float,
            progress: Any = print, label: str = "", hand_trans_ids: list[str] | None = None) -> Ingestion:
    out = Ingestion(concurrency, label or stack.label)
    ids = list(trans_ids)
    hand_ids = list(hand_trans_ids or [])
    hand_ids += [f"hh-{secrets.token_hex(3)}-{i}-1" for i in range(max(0, count * rounds - len(hand_ids)))]
    needed = count * (rounds + 1)
    ids += [f"wh-{secrets.token_hex(3)}-{i}-1" for i in range(max(0, needed - len(ids)))]
    merchant_id = stack.account["merchant_id"]
    _round(stack, signed(stack, [event(merchant_id, t) for t in ids[:count // 4]]), concurrency, seconds)  # warm
    ids = ids[count // 4:]
    for r in range(rounds):
        bodies = [event(merchant_id, t) for t in ids[r * count:(r + 1) * count]]
        for results, path in ((out.fresh, PATH), (out.redelivered, PATH), (out.floor, FLOOR_PATH)):
            requests = signed(stack, bodies)
            results.append(stack.timed(lambda: _round(stack, requests, concurrency, seconds, path=path)))
        hand = signed(stack, [event(merchant_id, t) for t in hand_ids[r * count:(r + 1) * count]], HAND_PATH)
        out.hand.append(stack.timed(lambda: _round(stack, hand, concurrency, seconds, path=HAND_PATH)))
        progress(f"  webhooks ({out.label}) round {r + 1}/{rounds}: new {out.fresh[-1].rate:.0f}/s, "
                 f"hand-written {out.hand[-1].rate:.0f}/s, redelivered {out.redelivered[-1].rate:.0f}/s, "
                 f"empty view {out.floor[-1].rate:.0f}/s")
    return out
