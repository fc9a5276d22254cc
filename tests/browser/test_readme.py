"""The README is a contract: its examples run exactly as printed, from the built wheel, in a fresh
virtualenv and a fresh folder (no access to this checkout).

- "A minimal integration": the ``app.py`` block served by ``flask --app app run`` against an
  emulator, paid in Chromium, landing on a 200 page; then Back and reload cannot pay it twice.
- "Testing your checkout": ``myshop.py`` and ``test_checkout.py`` copied into an empty folder,
  the wheel installed with its ``testing`` extra only, and ``pytest`` run there twice in a row.
"""

from __future__ import annotations

import fcntl
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


def readme_block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```python\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)
    assert match, f"README lost its {marker} block"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a new terminal: none of this checkout's Python or PAYKKA_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PAYKKA_", "VIRTUAL_ENV", "PYTEST"))}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain virtualenv with the wheel and its ``testing`` extra, built once for all test workers
    (the first to get the lock builds it; the others wait and reuse it). Returns its ``bin``."""
    shared = tmp_path_factory.getbasetemp().parent / "readme-venv"
    shared.mkdir(exist_ok=True)
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        bin_dir = shared / "venv" / "bin"
        if not (shared / "ready").exists():
            subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(shared / "dist"), str(ROOT)],
                           check=True, capture_output=True, text=True, timeout=600)
            (wheel,) = (shared / "dist").glob("paykka_embed-*.whl")
            subprocess.run([sys.executable, "-m", "venv", str(shared / "venv")], check=True, timeout=120)
            subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[testing]"],
                           check=True, capture_output=True, text=True, timeout=900)
            (shared / "ready").touch()
    return bin_dir


def wait_until_up(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"did not start:\n{proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.1)


@pytest.fixture
def minimal_app(installed: Path, paykka_stub: StubHandle, tmp_path: Path) -> Iterator[str]:
    """``flask --app app run`` on the README's block, in a fresh folder, as the README says (with the
    port override it documents)."""
    (tmp_path / "app.py").write_text(readme_block("minimal-integration"), "utf-8")
    port = free_port()
    proc = subprocess.Popen([str(installed / "flask"), "--app", "app", "run", "--port", str(port)], cwd=tmp_path,
                            env=clean_env(PAYKKA_API_BASE=paykka_stub.url), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/paykka/static/js/paykka-embed.js", proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_minimal_integration_is_at_most_15_lines() -> None:
    lines = [line for line in readme_block("minimal-integration").splitlines() if line.strip()]
    assert len(lines) <= 15, lines


def test_the_minimal_integration_pays_once_and_lands_on_a_result_page(minimal_app: str, paykka_browser: Any,
                                                                       paykka_stub: StubHandle,
                                                                       installed: Path) -> None:
    where = subprocess.run([str(installed / "python"), "-c", "import paykka_embed; print(paykka_embed.__file__)"],
                           capture_output=True, text=True, check=True, cwd=installed).stdout
    assert str(ROOT) not in where  # the wheel, not this checkout
    context = paykka_browser.new_context()
    page = context.new_page()
    try:
        page.goto(minimal_app + "/pay/ORDER1")
        page.locator(".pk-pay-button:enabled").wait_for()
        pay_with_card(page, "4111111111111111")
        # No PAYKKA_SUCCESS_URL: the return page, having confirmed by query, sends the shopper to the
        # extension's own result page, a 200 that says the payment was received.
        page.wait_for_url("**/paykka/result/**")
        assert page.locator("[data-paykka-result]").get_attribute("data-paykka-result") == "received"
        assert "Payment received" in page.locator("h1").inner_text()
        result_url = page.url
        # Back and reload of /pay/ORDER1 (what a shopper does after paying): the order's page again,
        # no second payable session.
        response = page.goto(minimal_app + "/pay/ORDER1")
        assert response is not None and response.ok
        assert page.url == result_url
        assert page.locator(".pk-pay-button").count() == 0
    finally:
        context.close()
    delivery = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == "ORDER1-1")
    assert delivery["notify_type"] == "PAYMENT.SUCCESS"
    assert delivery["attempts"][-1]["status"] == 200  # the app's pipeline verified, stored and acknowledged it
    gw = paykka_stub.context.gateway
    paid = [tx for tx in gw.transactions.values() if tx.trans_id.startswith("ORDER1-") and tx.status == "SUCCESS"]
    assert [tx.trans_id for tx in paid] == ["ORDER1-1"]
    assert [t for (_, t) in gw.sessions_by_trans if t.startswith("ORDER1-")] == ["ORDER1-1"]


def test_the_testing_example_passes_twice_in_a_fresh_folder(installed: Path, tmp_path: Path) -> None:
    example = readme_block("testing-your-checkout")
    assert len([line for line in example.splitlines() if line.strip()]) < 20
    (tmp_path / "myshop.py").write_text(readme_block("testing-myshop"), "utf-8")
    (tmp_path / "test_checkout.py").write_text(example, "utf-8")
    for run in (1, 2):
        result = subprocess.run([str(installed / "python"), "-m", "pytest", "-q"], cwd=tmp_path, env=clean_env(),
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"run {run}:\n{result.stdout}\n{result.stderr}"
        assert "1 passed" in result.stdout, result.stdout
