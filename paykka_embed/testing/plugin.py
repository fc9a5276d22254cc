"""pytest plugin (registered as ``paykka`` through the ``pytest11`` entry point).

Fixtures:

- ``paykka_stub`` — a live emulator on a free port, shared by the session and reset
  before each test (clock, sessions, webhook log); see :class:`StubHandle`.
- ``paykka_merchant`` — a freshly registered merchant; ``.flask_config()`` configures an
  app, ``.client()`` gives a signed client.
- ``paykka_browser`` / ``paykka_page`` — Chromium through Playwright (only when
  Playwright is installed); ``paykka_page`` fails the test on any console error, and on
  any CSP violation in the page or in any of its frames.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from .stub import MerchantAccount, StubHandle


@pytest.fixture(scope="session")
def _paykka_stub_server() -> Iterator[StubHandle]:
    handle = StubHandle.start()
    yield handle
    handle.stop()


@pytest.fixture
def paykka_stub(_paykka_stub_server: StubHandle) -> StubHandle:
    _paykka_stub_server.reset()
    return _paykka_stub_server


@pytest.fixture
def paykka_merchant(paykka_stub: StubHandle) -> MerchantAccount:
    return paykka_stub.register_merchant()


@pytest.fixture(scope="session")
def paykka_browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    from .browser import chromium_launch_options

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium_launch_options())
        yield browser
        browser.close()


CSP_REPORTER = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI); });"
)


class ConsoleProblems(list):  # type: ignore[type-arg]
    """Console errors and CSP violations seen by a page while the test itself runs.

    Once the test body has returned, servers the test started are being stopped while
    the page may still poll them; what the page logs then is not the test's concern."""

    closed = False

    def note(self, text: str) -> None:
        if not self.closed:
            self.append(text)


_PAGES_PROBLEMS = pytest.StashKey[list]()  # type: ignore[type-arg]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    yield
    for problems in item.stash.get(_PAGES_PROBLEMS, []):
        problems.closed = True


@pytest.fixture
def paykka_page(paykka_browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = paykka_browser.new_context()
    # A CSP violation inside a frame (the card frame, a 3DS page) logs nothing by itself in the
    # page's console; this makes every frame report it, so the test fails on it.
    context.add_init_script(script=CSP_REPORTER)
    page = context.new_page()
    problems = ConsoleProblems()
    request.node.stash.setdefault(_PAGES_PROBLEMS, []).append(problems)
    page.on("console", lambda msg: problems.note(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.note(f"uncaught: {exc}"))
    page.paykka_console_problems = problems
    yield page
    context.close()
    allowed = getattr(request.node, "paykka_allowed_console", ())
    unexpected = [p for p in problems if not any(a in p for a in allowed)]
    assert not unexpected, f"console errors during the test: {unexpected}"
