"""Create-session throughput of the local emulator over real HTTP on loopback.

Starts an in-process emulator on 127.0.0.1 (threaded werkzeug server, as the CLI and
the test fixtures run it), registers a merchant, then sends signed Create Session
requests from N client threads (one keep-alive httpx connection each) for a fixed
number of requests, and prints requests per second. Each request is signed by the
merchant (RSA-2048) and each answer verified with the platform key, as a real
integration would, so the figure includes both sides' signature work.

    python bench/stub_throughput.py [--requests 2000] [--threads 4] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from paykka_embed import signing, wire
from paykka_embed.stub import BackgroundServer, StubContext, create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--data", action="store_true", help="persist to SQLite in a temporary directory")
    args = parser.parse_args()
    requests = max(1, min(args.requests, 100_000))

    tmp = tempfile.TemporaryDirectory() if args.data else None
    context = StubContext(data_dir=Path(tmp.name) if tmp else None)
    server = BackgroundServer(create_app(context)).start()
    key = signing.generate_private_key()
    platform = signing.load_public_key(signing.public_pem(context.platform_key))
    merchant = context.gateway.register_merchant(signing.public_pem(key))
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                body = json.dumps({"merchant_id": merchant.merchant_id, "trans_id": f"bench-{n}", "amount": 800,
                                   "currency": "HKD", "session_mode": "DROP_IN"}).encode()
                headers = signing.signed_headers(key, merchant.app_id, wire.PATH_CREATE_SESSION, body)
                headers["content-type"] = "application/json"
                started = time.perf_counter()
                resp = http.post(wire.PATH_CREATE_SESSION, content=body, headers=headers)
                signing.verify_headers(platform, wire.PATH_CREATE_SESSION, resp.headers, resp.content)
                assert resp.json()["ret_code"] == "000000", resp.text
                with lock:
                    latencies.append(time.perf_counter() - started)

    cpu_started = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    server.stop()
    context.close()
    if tmp:
        tmp.cleanup()
    latencies.sort()
    print(f"create-session over loopback HTTP: {requests} requests, {args.threads} threads, "
          f"{'SQLite' if args.data else 'in memory'}")
    print(f"  {requests / elapsed:.0f} requests/s; latency median {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.1f} ms")
    # Wall-clock figures depend on what else the machine runs; CPU time per request does not
    # (it covers both sides here: the client's signing and checking, and the whole server).
    print(f"  CPU {cpu / requests * 1000:.2f} ms per request (client and server together, one process); "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
