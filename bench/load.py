"""A bounded closed-loop load generator: ``concurrency`` threads, each with its own
keep-alive HTTP connection, send requests back to back until ``count`` requests have been
sent or ``seconds`` have passed, whichever comes first. Loopback only."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

import httpx

from . import stats

T = TypeVar("T")

# One request: given the thread's client and a sequence number, send it and say whether it succeeded.
Job = Callable[[httpx.Client, int], bool]


@dataclass
class Result:
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0  # connections the server closed and the client opened again
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU ms per request, by process (Stack.timed)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def median_cpu_ms(results: list[Result]) -> dict[str, float]:
    """Median over rounds of each process's CPU milliseconds per request (empty without rounds)."""
    names = results[0].cpu_ms.keys() if results else ()
    return {name: stats.median([r.cpu_ms[name] for r in results]) for name in names}


#: Send request ``n`` on one thread's connection: whether it succeeded, and what went wrong if not.
Send = Callable[[T, int], "tuple[bool, str | None]"]


def drive(connections: list[T], send: Send[T], *, count: int, seconds: float) -> Result:
    """The closed loop both load generators share: one thread per connection takes the next
    sequence number until ``count`` are taken or ``seconds`` have passed, and the results are
    counted under one lock (the first five errors kept)."""
    result = Result()
    lock = threading.Lock()
    counter = iter(range(count))
    start = threading.Event()
    deadline = [0.0]

    def worker(conn: T) -> None:
        start.wait()
        while time.perf_counter() < deadline[0]:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            ok, error = send(conn, n)
            with lock:
                if ok:
                    result.ok += 1
                else:
                    result.failed += 1
                    if error and len(result.errors) < 5:
                        result.errors.append(error)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in connections]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    deadline[0] = t0 + seconds
    start.set()
    for t in threads:
        t.join(timeout=seconds + 60)
    result.seconds = time.perf_counter() - t0
    return result


def run(base_url: str, job: Job, *, concurrency: int, count: int, seconds: float,
        setup: Callable[[httpx.Client], None] | None = None) -> Result:
    assert base_url.startswith(("http://127.", "http://localhost", "http://[::1]")), "load stays on loopback"
    clients = [httpx.Client(base_url=base_url, timeout=30) for _ in range(concurrency)]
    for client in clients:
        if setup:
            setup(client)

    def send(client: httpx.Client, n: int) -> tuple[bool, str | None]:
        try:
            return job(client, n), None
        except Exception as exc:  # noqa: BLE001 — a failed request is counted, not fatal
            return False, f"{type(exc).__name__}: {exc}"

    try:
        return drive(clients, send, count=count, seconds=seconds)
    finally:
        for client in clients:
            client.close()
