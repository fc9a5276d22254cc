"""Items 3 and 5 — session creation throughput.

End to end: load clients post ``{"order": ...}`` with the CSRF token (and its session
cookie) to the merchant app's ``POST {prefix}/sessions`` over kept-alive connections, with
the low-cost client of :mod:`bench.rawload` (they stand for shoppers' browsers, which are
not on the merchant's machine); the toolkit resolves the order, signs a Create Session
call, the emulator verifies it and answers signed, the toolkit verifies that answer and
stores the attempt, and the client receives the mount options. Every request uses a fresh
order reference.

Hand-written: the same requests to ``POST /hand/sessions`` of the same app on the same server, a
view doing the same work without the toolkit (:mod:`bench.handwritten`): the toolkit's own
overhead is end to end ÷ hand-written, in the same run (goal ≤ 1.3×).

Bare: the same concurrency sends the same signed Create Session call straight to the
emulator, written with httpx and cryptography alone (no paykka_embed code): build the JSON,
sign ``POST\\n{path}\\n{ts}\\n{nonce}\\n{body}`` with SHA256withRSA, post, verify the
response's signature with the platform key, parse it. This is also the emulator's own
create-session throughput (item 5).

The merchant app and the emulator each run in their own process, served by a real
server: werkzeug's threaded server (as ``BackgroundServer`` uses; it closes every
connection), waitress, and gunicorn with two gthread worker processes for the merchant app
(the emulator on waitress: it keeps its state in one process), one row each. The load
generator is a third process. On a 2-core machine
the three share the cores: that is the point of the ratio, measured in the same run with
the two kinds of round alternating, so a noisy neighbour hits both.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, unquote

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from . import load, rawload, stats
from .servers import Stack

GOAL_RPS = 250.0
GOAL_RATIO = 1.2
#: The toolkit's overhead over a hand-written view doing the same work (issue 15's comparator).
GOAL_HAND_RATIO = 1.3
SESSION_PATH = "/v3/payment/acq/session"
HAND_PATH = "/hand/sessions"


@dataclass
class Rounds:
    server: str
    concurrency: int
    e2e: list[load.Result] = field(default_factory=list)
    bare: list[load.Result] = field(default_factory=list)
    hand: list[load.Result] = field(default_factory=list)
    trans_ids: list[str] = field(default_factory=list)
    hand_trans_ids: list[str] = field(default_factory=list)

    @property
    def e2e_rate(self) -> float:
        return stats.median([r.rate for r in self.e2e])

    @property
    def bare_rate(self) -> float:
        return stats.median([r.rate for r in self.bare])

    @property
    def hand_rate(self) -> float:
        return stats.median([r.rate for r in self.hand])

    @property
    def hand_ratio(self) -> float:
        """Hand-written ÷ toolkit requests per second, round by round: how much the toolkit costs."""
        return stats.median([h.rate / e.rate for e, h in zip(self.e2e, self.hand) if e.rate])

    @property
    def ratios(self) -> list[float]:
        return [b.rate / e.rate for e, b in zip(self.e2e, self.bare) if e.rate]

    @property
    def ratio(self) -> float:
        return stats.median(self.ratios)

    def cpu_ms(self, kind: str) -> dict[str, float]:
        """Median CPU milliseconds per request of each process over the rounds of ``kind`` (e2e or bare)."""
        return load.median_cpu_ms({"e2e": self.e2e, "bare": self.bare, "hand": self.hand}[kind])

    @property
    def failures(self) -> int:
        return sum(r.failed for r in self.e2e + self.bare + self.hand)

    @property
    def errors(self) -> list[str]:
        return [e for r in self.e2e + self.bare + self.hand for e in r.errors][:5]


def e2e_round(stack: Stack, *, concurrency: int, count: int, seconds: float, tag: str,
              trans_ids: list[str] | None = None, path: str = "/paykka/sessions") -> load.Result:
    """One end-to-end round (``path``: the toolkit's route, or the hand-written one); the browsers'
    requests come from :mod:`bench.rawload`."""
    assert stack.merchant is not None
    with httpx.Client(base_url=stack.merchant.url, timeout=30) as browser:
        token = browser.get("/bench/csrf").raise_for_status().text
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    host = stack.merchant.url.split("//", 1)[1]

    def build(n: int) -> bytes:
        body = json.dumps({"order": f"{tag}-{n}", "mode": "dropin"}).encode()
        return rawload.request("POST", path, host, body, {
            "Content-Type": "application/json", "X-CSRFToken": token, "Cookie": cookie})

    def check(n: int, status: int, headers: dict[str, str], body: bytes) -> bool:
        ok = status == 200 and b'"sessionId":"CS' in body
        if ok and trans_ids is not None:
            trans_ids.append(f"{tag}-{n}-1")
        return ok

    return rawload.run(stack.merchant.url, build, check, concurrency=concurrency, count=count, seconds=seconds)


def bare_round(stack: Stack, *, concurrency: int, count: int, seconds: float, tag: str) -> load.Result:
    """The same signed call without the toolkit: httpx + cryptography only."""
    assert stack.stub is not None
    pem = stack.merchant_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
    private_key = serialization.load_pem_private_key(pem, password=None)
    platform = serialization.load_pem_public_key(stack.account["platform_public_key"].encode())
    merchant_id, app_id = stack.account["merchant_id"], stack.account["app_id"]
    base = stack.merchant.url if stack.merchant else "http://127.0.0.1"
    expire = (datetime.now(timezone.utc) + timedelta(minutes=30)).replace(microsecond=0).isoformat()

    def job(client: httpx.Client, n: int) -> bool:
        trans_id = f"{tag}-{n}-1"
        body = json.dumps({
            "merchant_id": merchant_id, "trans_id": trans_id, "session_mode": "DROP_IN",
            "payment_type": "PURCHASE", "authorisation_type": "FINAL_AUTH", "capture_method": "AUTOMATIC",
            "amount": 8800, "currency": "HKD", "expire_time": expire,
            "return_url": f"{base}/paykka/return?trans_id={trans_id}",
            "cancel_url": f"{base}/paykka/return?trans_id={trans_id}",
            "notify_url": f"{base}/paykka/webhook", "display_merchant_name": "Bench shop",
            "goods": [{"id": "tea", "name": "Oolong tea", "quantity": 1, "price": 8800}],
        }, separators=(",", ":")).encode()
        ts, nonce = str(int(time.time() * 1000)), str(secrets.randbelow(9 * 10**18) + 10**18)
        message = f"POST\n{SESSION_PATH}\n{ts}\n{nonce}\n".encode() + body
        signature = base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
        resp = client.post(SESSION_PATH, content=body, headers={
            "content-type": "application/json", "x-paykka-appid": app_id, "x-paykka-timestamp": ts,
            "x-paykka-nonce": nonce, "x-paykka-sign-alg": "SHA256_WITH_RSA", "x-paykka-sign": quote(signature, safe=""),
        })
        h = resp.headers
        signed = f"POST\n{SESSION_PATH}\n{h['x-paykka-timestamp']}\n{h['x-paykka-nonce']}\n".encode() + resp.content
        platform.verify(base64.b64decode(unquote(h["x-paykka-sign"])), signed, padding.PKCS1v15(), hashes.SHA256())
        data: dict[str, Any] = json.loads(resp.content)
        return resp.status_code == 200 and data.get("ret_code") == "000000" and bool(data["data"].get("session_id"))

    return load.run(stack.stub.url, job, concurrency=concurrency, count=count, seconds=seconds)


def measure(stack: Stack, *, rounds: int, concurrency: int, count: int, seconds: float,
            progress: Any = print) -> Rounds:
    out = Rounds(stack.label, concurrency)
    run_id = secrets.token_hex(2)
    # Warm both paths (imports, connection pools, SQLite pages) before anything is timed.
    e2e_round(stack, concurrency=concurrency, count=concurrency * 5, seconds=seconds, tag=f"w{run_id}")
    bare_round(stack, concurrency=concurrency, count=concurrency * 5, seconds=seconds, tag=f"w{run_id}")
    e2e_round(stack, concurrency=concurrency, count=concurrency * 5, seconds=seconds, tag=f"wh{run_id}",
              path=HAND_PATH)
    for r in range(rounds):
        kinds = ["e2e", "hand", "bare"] if r % 2 == 0 else ["bare", "hand", "e2e"]
        for kind in kinds:
            tag = f"{kind[0]}{run_id}r{r}"
            if kind == "e2e":
                out.e2e.append(stack.timed(lambda: e2e_round(stack, concurrency=concurrency, count=count,
                                                             seconds=seconds, tag=tag, trans_ids=out.trans_ids)))
            elif kind == "hand":
                out.hand.append(stack.timed(lambda: e2e_round(stack, concurrency=concurrency, count=count,
                                                              seconds=seconds, tag=tag, path=HAND_PATH,
                                                              trans_ids=out.hand_trans_ids)))
            else:
                out.bare.append(stack.timed(lambda: bare_round(stack, concurrency=concurrency, count=count,
                                                               seconds=seconds, tag=tag)))
        progress(f"  sessions ({stack.server}) round {r + 1}/{rounds}: end to end {out.e2e[-1].rate:.0f}/s, "
                 f"hand-written {out.hand[-1].rate:.0f}/s, bare {out.bare[-1].rate:.0f}/s")
    return out
