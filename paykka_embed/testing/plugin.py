"""pytest plugin (registered as ``paykka`` through the ``pytest11`` entry point).

Fixtures:

- ``paykka_stub`` — a live emulator on a free port, shared by the session and reset
  before each test (clock, sessions, webhook log); see :class:`StubHandle`.
- ``paykka_merchant`` — a freshly registered merchant; ``.flask_config()`` configures an
  app, ``.client()`` gives a signed client. Apps made during the test get a store of their own
  (``PAYKKA_DATABASE`` in the environment, unless the app sets it): a rerun never finds the last
  run's attempts.
- ``paykka_browser`` / ``paykka_page`` — Chromium through Playwright (only when
  Playwright is installed); ``paykka_page`` fails the test on errors of the checkout: a
  console error or an uncaught exception from the SDK, its frames or the mount layer, a CSP
  violation by any of them, a checkout API call that failed (the emulator's, or the mount
  layer's calls to your app's ``{prefix}/sessions`` and ``/csrf-token``) — and says which
  request it was. Your own page's problems (a missing favicon) are not the checkout's; set
  ``paykka_console = all`` in your pytest ini to fail on every console error.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import pytest

from .stub import MerchantAccount, StubHandle


@pytest.fixture(scope="session")
def _paykka_stub_server() -> Iterator[StubHandle]:
    """One live emulator for the whole test session (per xdist worker), on a free port."""
    handle = StubHandle.start()
    yield handle
    handle.stop()


@pytest.fixture
def paykka_stub(_paykka_stub_server: StubHandle) -> StubHandle:
    """The live emulator, reset for this test: clock, sessions, orders, webhooks, faults (merchants stay)."""
    _paykka_stub_server.reset()
    return _paykka_stub_server


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``paykka_console`` ini option (see the module docstring)."""
    parser.addini("paykka_console", "which browser console errors fail a test using paykka_page: 'checkout' "
                  "(the SDK, its frames, the mount layer, checkout API calls; default) or 'all'",
                  default="checkout")


@pytest.fixture
def paykka_merchant(paykka_stub: StubHandle, tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> MerchantAccount:
    """A merchant registered with the emulator for this test, and a store of this test's own for its apps."""
    # Each test's apps get a store of their own (a rerun never finds the last run's attempts): through
    # the environment, which the extension reads for keys the app's config does not set, so an app
    # that names its own PAYKKA_DATABASE keeps it.
    monkeypatch.setenv("PAYKKA_DATABASE", str(tmp_path_factory.mktemp("paykka-store") / "paykka.sqlite3"))
    return paykka_stub.register_merchant()


@pytest.fixture(scope="session")
def paykka_browser() -> Iterator[Any]:
    """Chromium through Playwright, launched once per session (``PAYKKA_CHROMIUM``, ``PAYKKA_HEADED``);
    the test is skipped when Playwright is not installed."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from .browser import chromium_launch_options

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium_launch_options())
        yield browser
        browser.close()


CSP_REPORTER = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' in ' + location.href); });"
)


class ConsoleProblems(list[str]):
    """Checkout errors a page showed while the test itself ran (see the module docstring).

    Once the test body has returned, servers the test started are being stopped while
    the page may still poll them; what the page logs then is not the test's concern."""

    closed = False

    def __init__(self, checkout_origin: str, everything: bool) -> None:
        super().__init__()
        self.checkout_origin = checkout_origin.rstrip("/")
        self.everything = everything

    def note(self, text: str) -> None:
        """Keep a problem, unless the test body has already returned."""
        if not self.closed:
            self.append(text)

    def is_checkout(self, url: str) -> bool:
        """A URL of the checkout: the emulator's (SDK, frames, API) or the mount layer's script."""
        return bool(url) and (url.startswith(self.checkout_origin + "/") or "/paykka-embed.js" in url)

    def console(self, msg: Any) -> None:
        """A console message (Playwright's ``ConsoleMessage``): an error of the checkout counts."""
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        mentions = self.checkout_origin + "/" in msg.text or "/paykka-embed.js" in msg.text
        if self.everything or self.is_checkout(where) or mentions:
            self.note(f"console error in {where or 'the page'}: {msg.text}")

    def uncaught(self, exc: Any) -> None:
        """An uncaught exception: counts when its stack runs through the checkout's scripts."""
        stack = str(getattr(exc, "stack", "") or "")
        if self.everything or self.checkout_origin in stack or "/paykka-embed.js" in stack:
            self.note(f"uncaught: {exc}")

    def response(self, resp: Any) -> None:
        """A response: a 5xx to one of the checkout's calls counts, naming the request."""
        if resp.status >= 500 and self._checkout_call(resp.request):
            self.note(f"HTTP {resp.status} from {resp.request.method} {resp.url}")

    def failed(self, request: Any) -> None:
        """A request that failed on the network: counts for the checkout's calls, naming the request."""
        # ERR_ABORTED: the page navigated away (to a 3DS page, the hosted page, the order) mid-load.
        if self._checkout_call(request) and "ERR_ABORTED" not in str(request.failure):
            self.note(f"{request.method} {request.url} failed: {request.failure}")

    def _checkout_call(self, request: Any) -> bool:
        if self.is_checkout(request.url):
            return True
        path = request.url.split("?", 1)[0]
        return request.resource_type in ("fetch", "xhr") and path.endswith(("/sessions", "/csrf-token"))


_PAGES_PROBLEMS = pytest.StashKey[list[ConsoleProblems]]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Once the test body returns, the pages it watched stop counting problems (servers are stopping)."""
    yield
    for problems in item.stash.get(_PAGES_PROBLEMS, []):
        problems.closed = True


def watch_page(page: Any, request: pytest.FixtureRequest, checkout_origin: str) -> ConsoleProblems:
    """Judge ``page`` (and its context's requests) as ``paykka_page`` does, for a test that opens its
    own browser or context; :func:`assert_no_problems` at the end. Counts only while the test body runs."""
    everything = str(request.config.getini("paykka_console")).strip().lower() == "all"
    problems = ConsoleProblems(checkout_origin, everything)
    request.node.stash.setdefault(_PAGES_PROBLEMS, []).append(problems)
    page.on("console", problems.console)
    page.on("pageerror", problems.uncaught)
    page.context.on("response", problems.response)
    page.context.on("requestfailed", problems.failed)
    page.paykka_console_problems = problems
    return problems


def assert_no_problems(problems: ConsoleProblems, allowed: Iterable[str] = ()) -> None:
    """Fail with every problem seen, except those containing one of ``allowed``."""
    unexpected = [p for p in problems if not any(a in p for a in allowed)]
    assert not unexpected, "checkout errors during the test:\n  " + "\n  ".join(unexpected)


@pytest.fixture
def paykka_page(paykka_browser: Any, _paykka_stub_server: StubHandle,
                request: pytest.FixtureRequest) -> Iterator[Any]:
    """A new Chromium page (its own context) that fails the test on the checkout's errors (module docstring)."""
    context = paykka_browser.new_context()
    # A CSP violation inside a frame (the card frame, a 3DS page) logs nothing by itself in the
    # page's console; this makes every frame report it, so the test fails on it.
    context.add_init_script(script=CSP_REPORTER)
    page = context.new_page()
    problems = watch_page(page, request, _paykka_stub_server.url)
    yield page
    context.close()
    assert_no_problems(problems, getattr(request.node, "paykka_allowed_console", ()))
