"""The minimal integration of docs/toolkit.md, exactly as printed there, from the built wheel in a
fresh virtualenv (no access to this checkout), in its own process, against the live emulator, paid
in Chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from paykka_embed.testing import StubHandle
from paykka_embed.testing.browser import pay_with_card

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- minimal-integration -->\n```python\n(.*?)```", re.S)


def minimal_integration() -> str:
    match = BLOCK.search((ROOT / "docs" / "toolkit.md").read_text())
    assert match, "docs/toolkit.md lost its minimal integration block"
    return match.group(1)


def test_the_minimal_integration_is_at_most_15_lines() -> None:
    lines = [line for line in minimal_integration().splitlines() if line.strip()]
    assert len(lines) <= 15, lines


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain virtualenv (no system site-packages) with only the wheel and its dependencies."""
    work = tmp_path_factory.mktemp("minimal")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    (wheel,) = (work / "dist").glob("paykka_embed-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True,
                   text=True, timeout=600)
    return python


@pytest.fixture
def app_url(installed: Path, paykka_stub: StubHandle, tmp_path: Path) -> Iterator[str]:
    (tmp_path / "app.py").write_text(minimal_integration())
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PAYKKA_", "VIRTUAL_ENV"))}
    env.update(PAYKKA_API_BASE=paykka_stub.url, PAYKKA_DATABASE=str(tmp_path / "paykka.sqlite3"))
    proc = subprocess.Popen([str(installed), "-m", "flask", "--app", "app", "run", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/paykka/static/js/paykka-embed.js", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the app did not start:\n{proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_installed_minimal_integration_pays_in_a_browser(app_url: str, paykka_browser: Any,
                                                            paykka_stub: StubHandle, installed: Path) -> None:
    where = subprocess.run([str(installed), "-c", "import paykka_embed; print(paykka_embed.__file__)"],
                           capture_output=True, text=True, check=True, cwd=installed.parent).stdout
    assert str(ROOT) not in where  # the wheel, not this checkout
    context = paykka_browser.new_context()
    page = context.new_page()
    try:
        page.goto(app_url + "/pay/ORD1")
        page.locator(".pk-pay-button:enabled").wait_for()
        pay_with_card(page, "4111111111111111")
        # No PAYKKA_SUCCESS_URL: the return page, having confirmed by query, sends the shopper to the
        # extension's own result page, a 200 that says the payment was received.
        page.wait_for_url("**/paykka/result/**")
        assert page.locator("[data-paykka-result]").get_attribute("data-paykka-result") == "received"
        assert "Payment received" in page.locator("h1").inner_text()
        result_url = page.url
        # Back and reload of /pay/ORD1 (what a shopper does after paying): no second payable session,
        # the order's page again instead.
        response = page.goto(app_url + "/pay/ORD1")
        assert response is not None and response.ok
        assert page.url == result_url
        assert page.locator(".pk-pay-button").count() == 0
    finally:
        context.close()
    delivery = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == "ORD1-1")
    assert delivery["notify_type"] == "PAYMENT.SUCCESS"
    assert delivery["attempts"][-1]["status"] == 200  # the app's pipeline verified, stored and acknowledged it
    gw = paykka_stub.context.gateway
    paid = [tx for tx in gw.transactions.values() if tx.trans_id.startswith("ORD1-") and tx.status == "SUCCESS"]
    assert [tx.trans_id for tx in paid] == ["ORD1-1"]
    assert [t for (_, t) in gw.sessions_by_trans if t.startswith("ORD1-")] == ["ORD1-1"]
