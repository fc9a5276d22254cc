"""Headless Chromium for the benchmarks, launched the way the project's browser tests
launch it (``paykka_embed.testing.browser.chromium_launch_options``).

:func:`load` opens a page in a fresh browser context (an empty cache: a shopper's first
visit), records every response the page and its iframes receive, and waits for the
SDK's ``paykka:interactive`` performance mark(s).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

from paykka_embed.testing.browser import chromium_launch_options

MARK = "paykka:interactive"


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium_launch_options())
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Download:
    url: str
    status: int
    resource_type: str
    body: bytes
    transfer_encoding: Optional[str]

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@dataclass
class PageLoad:
    marks_ms: list[float]
    expected_marks: int
    response_end_ms: float
    dom_content_loaded_ms: float
    downloads: list[Download] = field(default_factory=list)
    error: Optional[str] = None

    @property
    def tti_ms(self) -> Optional[float]:
        """Navigation start → the last expected mark (every mount on the page ready)."""
        if len(self.marks_ms) < self.expected_marks:
            return None
        return max(self.marks_ms)


def load(browser: Any, url: str, *, expected_marks: int = 1, record: bool = False,
         timeout_ms: int = 15000) -> PageLoad:
    context = browser.new_context()
    downloads: list[Download] = []
    pending: list[Any] = []
    if record:
        context.on("response", lambda resp: pending.append(resp))
    page = context.new_page()
    error = None
    try:
        page.goto(url, wait_until="commit")
        try:
            page.wait_for_function(f"performance.getEntriesByName({MARK!r}).length >= {expected_marks}",
                                   timeout=timeout_ms, polling=5)
        except Exception as exc:  # noqa: BLE001 — a page that never gets ready is a result, not a crash
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        timing = page.evaluate(
            """(mark) => {
                const nav = performance.getEntriesByType('navigation')[0] || {};
                return {marks: performance.getEntriesByName(mark).map(e => e.startTime),
                        responseEnd: nav.responseEnd || 0, dcl: nav.domContentLoadedEventEnd || 0};
            }""", MARK)
        if record:
            page.wait_for_load_state("networkidle", timeout=timeout_ms)
            for resp in pending:
                try:
                    body = resp.body()
                except Exception:  # noqa: BLE001 — redirects and aborted loads have no body
                    body = b""
                downloads.append(Download(resp.url, resp.status, resp.request.resource_type, body,
                                          resp.headers.get("content-encoding")))
    finally:
        context.close()
    return PageLoad(timing["marks"], expected_marks, timing["responseEnd"], timing["dcl"], downloads, error)


def sdk_globals(browser: Any, url: str) -> list[str]:
    """The names ``window.PayKKaCardCheckoutUI`` exposes once ``url`` has loaded the SDK."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("window.PayKKaCardCheckoutUI", timeout=15000)
        names: list[str] = page.evaluate("Object.keys(window.PayKKaCardCheckoutUI)")
        return names
    finally:
        context.close()
