"""Item 2 — time to interactive in headless Chromium.

Method: each run opens the page in a fresh browser context (empty cache, a first visit)
and takes, from the page's navigation start, the time of the ``paykka:interactive``
performance mark the SDK sets in the merchant page once the Drop-in or a component can
take a payment (payment methods listed, card iframe ready). A page with several mounts
(the components page) is interactive when the last of them has marked. Every page load
creates a new PayKKa session on the merchant server, as a real checkout page does, so
the figure includes that server round trip (reported beside it as "HTML served").
The pages are loaded alternately, so background load on the machine hits both alike.

Beside it, as a like-for-like reference for the peers (whose checkouts cannot run
offline), "SDK evaluated": a blank page whose only content is the SDK's script and
stylesheet, both answered from memory by Playwright (no network, no server), timed from
navigation start to a mark placed right after the script — download, parse and run,
for our stand-in, Adyen Web and Braintree Drop-in in the same browser, interleaved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional

from . import stats
from .browser import PageLoad, load
from .peers import Peer

GOAL_MS = 300.0
WALLETS = {"ApplePay": "applepay", "GooglePay": "googlepay"}


@dataclass
class Series:
    name: str
    url: str
    expected_marks: int
    tti: list[float] = field(default_factory=list)
    html: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return stats.median(self.tti)

    @property
    def p95(self) -> float:
        return stats.percentile(self.tti, 95)


def pages(base: str, sdk_names: list[str], methods: Optional[str]) -> list[Series]:
    query = f"&methods={methods}" if methods else ""
    components = ["card"] + [WALLETS[n] for n in WALLETS if n in sdk_names]
    return [
        Series("Drop-in page", f"{base}/dropin?{query.lstrip('&')}", 1),
        Series(f"Components page ({', '.join(components)})", f"{base}/components?names={','.join(components)}{query}",
               len(components)),
    ]


def measure(browser: Any, series: list[Series], runs: int, *, warmup: int = 2,
            progress: Any = print) -> list[Series]:
    for i in range(warmup + runs):
        for s in series:
            result: PageLoad = load(browser, s.url, expected_marks=s.expected_marks, timeout_ms=10000)
            if i < warmup:
                continue
            if result.tti_ms is None:
                s.failures.append(result.error or f"{len(result.marks_ms)} of {s.expected_marks} marks")
            else:
                s.tti.append(result.tti_ms)
                s.html.append(result.response_end_ms)
        if i >= warmup and (i - warmup + 1) % 5 == 0:
            progress(f"  time to interactive: {i - warmup + 1}/{runs} runs")
    return series


@dataclass
class Evaluation:
    name: str
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return stats.median(self.times)

    @property
    def p95(self) -> float:
        return stats.percentile(self.times, 95)


def sdk_evaluation(browser: Any, libs: list[tuple[str, bytes, bytes, str, str]], runs: int) -> list[Evaluation]:
    """``libs``: (name, script, stylesheet, prelude, readiness expression) for each SDK."""
    results = [Evaluation(name) for name, *_ in libs]
    for _ in range(runs):
        for (name, script, css, prelude, ready), result in zip(libs, results):
            html = (f"<!doctype html><html><head><link rel=stylesheet href=/sdk.css>"
                    f"<script>{prelude}</script><script src=/sdk.js></script>"
                    f"<script>if ({ready}) performance.mark('sdk:evaluated');</script></head><body></body></html>")
            bodies = {"/": (html.encode(), "text/html"), "/sdk.js": (script, "application/javascript"),
                      "/sdk.css": (css, "text/css")}
            context = browser.new_context()
            try:
                page = context.new_page()

                def answer(route: Any, request: Any) -> None:
                    path = "/" + request.url.split("/", 3)[3]
                    body, ctype = bodies.get(path, (b"", "text/plain"))
                    route.fulfill(status=200 if path in bodies else 404, body=body, content_type=ctype)

                page.route("http://sdk.bench.test/**", answer)
                page.goto("http://sdk.bench.test/", wait_until="load")
                marks = page.evaluate("performance.getEntriesByName('sdk:evaluated').map(e => e.startTime)")
                if marks:
                    result.times.append(float(marks[0]))
            finally:
                context.close()
    return results


def now() -> float:
    return time.perf_counter()
