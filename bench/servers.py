"""Start the emulator and the bench merchant app as separate processes on loopback.

:class:`Stack` owns them: the platform key (so webhook events can be signed exactly as
the emulator signs them), one registered merchant, the merchant app's URL and its
process id (for profiling). Everything stops when the stack is closed.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import httpx

from paykka_embed import signing

from . import load

ROOT = Path(__file__).absolute().parent.parent


@dataclass
class Process:
    popen: subprocess.Popen[str]
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the process and its children (Linux /proc),
        so a multi-process server's workers count too."""
        return _tree_cpu(self.pid)

    def stop(self) -> None:
        if self.popen.poll() is None:
            assert self.popen.stdin is not None
            self.popen.stdin.close()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.terminate()
                self.popen.wait(timeout=5)


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _tree_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return total + sum(_tree_cpu(child) for child in children)


def spawn(*args: str) -> Process:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    popen = subprocess.Popen([sys.executable, "-m", "bench.serve", *args], cwd=ROOT, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert popen.stdout is not None
    line = popen.stdout.readline()
    if not line:
        raise RuntimeError(f"bench.serve {' '.join(args)} did not start (exit {popen.wait()})")
    info = json.loads(line)
    return Process(popen, info["url"], info["pid"])


@dataclass
class Stack:
    """The emulator plus one merchant app that talks to it."""

    server: str = "werkzeug"
    #: Flask config added to the merchant app's (e.g. ``PAYKKA_DATABASE_SYNCHRONOUS``).
    merchant_config: dict[str, Any] = field(default_factory=dict)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="paykka-bench-")))
    stub: Optional[Process] = None
    merchant: Optional[Process] = None
    platform_key: Any = None
    account: dict[str, Any] = field(default_factory=dict)
    merchant_key: Any = None

    def start(self, *, stub: Optional[Process] = None, platform_key: Any = None) -> "Stack":
        """Start (or share) an emulator, register a merchant, start the merchant app."""
        if stub is None:
            self.platform_key = signing.generate_private_key()
            key_file = self.workdir / "platform.pem"
            key_file.write_text(signing.private_pem(self.platform_key))
            stub = spawn("stub", "--platform-key", str(key_file), "--server", self.stub_server)
        else:
            self.platform_key = platform_key
        self.stub = stub
        self.merchant_key = signing.generate_private_key()
        data = httpx.post(f"{stub.url}/_stub/merchants", timeout=10,
                          json={"public_key": signing.public_pem(self.merchant_key), "name": "Bench shop"})
        self.account = data.raise_for_status().json()["data"]
        config = {
            "SECRET_KEY": secrets.token_hex(16),  # one for every worker process, so their CSRF tokens agree
            "PAYKKA_ENV": "stub",
            "PAYKKA_API_BASE": stub.url,
            "PAYKKA_MERCHANT_ID": self.account["merchant_id"],
            "PAYKKA_APP_ID": self.account["app_id"],
            "PAYKKA_PRIVATE_KEY": signing.private_pem(self.merchant_key),
            "PAYKKA_PLATFORM_PUBLIC_KEY": self.account["platform_public_key"],
            "PAYKKA_CLIENT_KEY": self.account["client_key"],
            "PAYKKA_DATABASE": str(self.workdir / f"merchant-{self.server}.sqlite3"),
            **self.merchant_config,
        }
        self._config_file = self.workdir / f"merchant-{self.server}.json"
        self._config_file.write_text(json.dumps(config))
        self.merchant = spawn("merchant", "--config", str(self._config_file), "--server", self.server)
        return self

    @property
    def label(self) -> str:
        """How the two apps are served, in words, for the report."""
        text = {"werkzeug": "werkzeug threaded (both apps)", "waitress": "waitress (both apps)",
                "gunicorn": "gunicorn, 2 gthread workers (emulator: waitress)"}.get(self.server, self.server)
        level = self.merchant_config.get("PAYKKA_DATABASE_SYNCHRONOUS")
        return f"{text}, PAYKKA_DATABASE_SYNCHRONOUS={level}" if level else text

    def merchant_settings(self) -> dict[str, Any]:
        """The merchant app's Flask config, as its process was started with."""
        settings: dict[str, Any] = json.loads(self._config_file.read_text())
        return settings

    @property
    def stub_server(self) -> str:
        """The emulator keeps its state in one process: with a multi-process merchant it runs on waitress."""
        return "waitress" if self.server == "gunicorn" else self.server

    def cpu_snapshot(self) -> dict[str, float]:
        """CPU seconds used so far by the load generator (this process), the merchant app and the emulator."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"load generator": usage.ru_utime + usage.ru_stime,
                "merchant app": self.merchant.cpu_seconds() if self.merchant else 0.0,
                "emulator": self.stub.cpu_seconds() if self.stub else 0.0}

    def timed(self, round_: Callable[[], load.Result]) -> load.Result:
        """Run one load round and note each process's CPU milliseconds per request on its result."""
        before = self.cpu_snapshot()
        result = round_()
        after = self.cpu_snapshot()
        sent = max(1, result.ok + result.failed)
        result.cpu_ms = {name: 1000 * (after[name] - before[name]) / sent for name in after}
        return result

    def restart_merchant(self) -> None:
        """A fresh merchant process on the same database (the same merchant, attempts and events)."""
        if self.merchant:
            self.merchant.stop()
        self.merchant = spawn("merchant", "--config", str(self._config_file), "--server", self.server)

    def open_files(self, which: str = "merchant") -> int | None:
        """How many file descriptors the process holds (Linux), to show resources that grow with load."""
        proc = self.merchant if which == "merchant" else self.stub
        try:
            return len(os.listdir(f"/proc/{proc.pid}/fd")) if proc else None
        except OSError:
            return None

    def close(self, *, keep_stub: bool = False) -> None:
        if self.merchant:
            self.merchant.stop()
        if self.stub and not keep_stub:
            self.stub.stop()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
