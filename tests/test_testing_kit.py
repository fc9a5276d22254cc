"""The pytest plugin's judgement of browser problems: a checkout's errors fail a merchant's test
(saying which request failed), the merchant's own page's do not (unless asked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paykka_embed.testing.plugin import ConsoleProblems

EMULATOR = "http://127.0.0.1:8480"
SHOP = "http://127.0.0.1:5000"


@dataclass
class Message:
    text: str
    url: str = ""
    type: str = "error"

    @property
    def location(self) -> dict[str, Any]:
        return {"url": self.url}


@dataclass
class Request:
    url: str
    method: str = "GET"
    resource_type: str = "fetch"
    failure: str = "net::ERR_CONNECTION_REFUSED"


@dataclass
class Response:
    request: Request
    status: int
    url: str = field(init=False)

    def __post_init__(self) -> None:
        self.url = self.request.url


def judge(everything: bool = False) -> ConsoleProblems:
    return ConsoleProblems(EMULATOR, everything)


def test_the_merchants_own_page_problems_are_not_the_checkouts() -> None:
    problems = judge()
    problems.console(Message("Failed to load resource: the server responded with a status of 404 (NOT FOUND)",
                             SHOP + "/favicon.ico"))
    problems.console(Message("analytics.js: ad blocked", SHOP + "/static/analytics.js"))
    problems.console(Message("a warning", EMULATOR + "/cp/card-checkout-ui.js", type="warning"))
    problems.response(Response(Request(SHOP + "/api/cart", "POST"), 500))
    problems.response(Response(Request(EMULATOR + "/cp/api/pay", "POST"), 400))  # a refused card: 4xx by design
    problems.failed(Request(EMULATOR + "/cp/frames/card.html", failure="net::ERR_ABORTED"))  # navigated away
    assert list(problems) == []


def test_the_checkouts_errors_fail_and_say_which_request() -> None:
    problems = judge()
    problems.console(Message("TypeError: x is undefined", EMULATOR + "/cp/card-checkout-ui.js"))
    problems.console(Message("CSP violation: style-src-elem inline in " + EMULATOR + "/cp/frames/card.html"))
    problems.console(Message("boom", SHOP + "/paykka/static/js/paykka-embed.js"))
    problems.response(Response(Request(EMULATOR + "/cp/api/pay", "POST"), 503))
    problems.response(Response(Request(SHOP + "/paykka/sessions", "POST"), 502))
    problems.failed(Request(SHOP + "/paykka/csrf-token"))
    assert len(problems) == 6
    assert "HTTP 503 from POST http://127.0.0.1:8480/cp/api/pay" in problems
    assert "HTTP 502 from POST http://127.0.0.1:5000/paykka/sessions" in problems
    assert any(p.startswith("GET http://127.0.0.1:5000/paykka/csrf-token failed") for p in problems)


def test_all_mode_fails_on_every_console_error() -> None:
    problems = judge(everything=True)
    problems.console(Message("Failed to load resource: 404", SHOP + "/favicon.ico"))
    assert len(problems) == 1


def test_nothing_counts_once_the_test_body_returned() -> None:
    problems = judge()
    problems.closed = True
    problems.response(Response(Request(EMULATOR + "/cp/api/status"), 500))
    assert list(problems) == []
