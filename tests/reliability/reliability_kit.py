"""What the reliability tests share: free ports, polling with a deadline, signed webhooks, a
merchant shop in this process or in its own, and the stub's records per trans_id."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Optional

import httpx

from paykka_embed import signing
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from stub_helpers import SignedCaller, enc, register, trans_id  # noqa: E402,F401

import merchant_proc  # noqa: E402

CARD = {"number": "4111111111111111", "exp_month": 12, "exp_year": 2034, "cvv": "123"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll(predicate: Callable[[], Any], *, timeout: float = 15.0, what: str = "condition") -> Any:
    """``predicate()``'s first truthy value, polling with backoff; TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def sign_webhook(platform_key: Any, path: str, body: bytes, app_id: str, **override: Optional[str]) -> dict[str, str]:
    """Headers PayKKa would send with ``body`` to ``path``; ``override`` replaces (or, with None, drops) some."""
    headers = signing.signed_headers(platform_key, app_id, path, body)
    headers["content-type"] = "application/json"
    for name, value in override.items():
        key = name.replace("_", "-")
        if value is None:
            headers.pop(key, None)
        else:
            headers[key] = value
    return headers


def shop_config(account: MerchantAccount, database: str, **extra: Any) -> dict[str, Any]:
    return {"paykka": account.flask_config(), "database": database, **extra}


class InProcessShop:
    """The shop served on a free port in this process (real HTTP, threaded)."""

    def __init__(self, config: dict[str, Any], port: int = 0) -> None:
        self.config = config
        self.app, self.paykka, self.runs = merchant_proc.build_app(config)
        self.server = BackgroundServer(self.app, port=port).start()
        self.url = self.server.url
        self.port = self.server.port

    @property
    def store(self) -> Any:
        return self.paykka.state(self.app).store

    @property
    def webhook_url(self) -> str:
        return self.url + "/paykka/webhook"

    def new_session(self, order: str) -> dict[str, Any]:
        resp = httpx.post(f"{self.url}/test/session/{order}", timeout=15)
        assert resp.status_code == 200, resp.text
        data: dict[str, Any] = resp.json()
        return data

    def stop(self) -> None:
        self.server.stop()

    def restart(self) -> None:
        """Serve the same app on the same port again."""
        self.server = BackgroundServer(self.app, port=self.port).start()


class ShopProcess:
    """The shop as its own process, which a test may SIGKILL and start again on the same port."""

    def __init__(self, config: dict[str, Any], workdir: Path, port: Optional[int] = None) -> None:
        self.config = {**config, "port": port or free_port()}
        self.port = int(self.config["port"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.config_path = workdir / f"shop-{self.port}.json"
        self.config_path.write_text(json.dumps(self.config), "utf-8")
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self, timeout: float = 20.0) -> "ShopProcess":
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
        out = open(self.workdir / f"shop-{self.port}.log", "ab")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "merchant_proc.py"), str(self.config_path)],
                                     stdout=out, stderr=subprocess.STDOUT, env=env)
        out.close()

        def up() -> bool:
            assert self.proc is not None and self.proc.poll() is None, \
                (self.workdir / f"shop-{self.port}.log").read_text(errors="replace")
            try:
                return httpx.get(self.url + "/healthz", timeout=2).json()["pid"] == self.proc.pid
            except (httpx.HTTPError, ValueError, KeyError):
                return False

        poll(up, timeout=timeout, what=f"shop process on {self.url}")
        return self

    @property
    def webhook_url(self) -> str:
        return self.url + "/paykka/webhook"

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, no goodbye."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def handler_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def handler_runs(path: Path) -> list[dict[str, Any]]:
    """Handler runs that finished (each run logs a "start" line, then a "done" one)."""
    return [line for line in handler_lines(path) if line.get("phase") == "done"]


def handler_in_flight(path: Path, pid: int) -> int:
    """Handler runs of process ``pid`` started and not finished."""
    lines = [x for x in handler_lines(path) if x.get("pid") == pid]
    return sum(1 for x in lines if x.get("phase") == "start") - sum(1 for x in lines if x.get("phase") == "done")


def stub_orders(stub: StubHandle, merchant_id: str) -> Counter[str]:
    """How many orders (GW...) the stub holds per trans_id of ``merchant_id``."""
    gw = stub.context.gateway
    with gw.lock:
        return Counter(tx.trans_id for tx in gw.transactions.values() if tx.merchant_id == merchant_id)


def stub_refunds(stub: StubHandle, merchant_id: str) -> Counter[str]:
    gw = stub.context.gateway
    with gw.lock:
        return Counter(r.refund_trans_id for r in gw.refunds.values() if r.merchant_id == merchant_id)


def webhook_counts(stub: StubHandle) -> Counter[tuple[str, str]]:
    """Distinct notifications the stub emitted, by (notify_type, trans_id)."""
    return Counter((d["notify_type"], d["event"]["trans_id"]) for d in stub.webhooks())


def settle_webhooks(stub: StubHandle, *, timeout: float = 20.0, step: float = 60.0) -> list[dict[str, Any]]:
    """Move the stub clock until no delivery is pending (every retry fired); the final log."""
    deadline = time.monotonic() + timeout
    while True:
        log = stub.webhooks()
        if all(d["state"] != "pending" for d in log):
            return log
        due = [d["next_attempt_ms"] for d in log if d["state"] == "pending"]
        now = stub._http.get("/_stub/clock").json()["data"]["now_ms"]
        ahead = max(0.0, (min(due) - now) / 1000) if due else step
        if ahead > 0:
            stub.advance_clock(ahead + 0.001)
        if time.monotonic() > deadline:
            raise TimeoutError(f"webhooks still pending after {timeout} s: {[d for d in log if d['state'] == 'pending']}")
        time.sleep(0.02)
