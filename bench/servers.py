"""Start the emulator and the bench merchant app as separate processes on loopback.

:class:`Stack` owns them: the platform key (so webhook events can be signed exactly as
the emulator signs them), one registered merchant, the merchant app's URL and its
process id (for profiling). Everything stops when the stack is closed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import httpx

from paykka_embed import signing

ROOT = Path(__file__).absolute().parent.parent


@dataclass
class Process:
    popen: subprocess.Popen[str]
    url: str
    pid: int

    def stop(self) -> None:
        if self.popen.poll() is None:
            assert self.popen.stdin is not None
            self.popen.stdin.close()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.terminate()
                self.popen.wait(timeout=5)


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
            stub = spawn("stub", "--platform-key", str(key_file))
        else:
            self.platform_key = platform_key
        self.stub = stub
        self.merchant_key = signing.generate_private_key()
        data = httpx.post(f"{stub.url}/_stub/merchants", timeout=10,
                          json={"public_key": signing.public_pem(self.merchant_key), "name": "Bench shop"})
        self.account = data.raise_for_status().json()["data"]
        config = {
            "PAYKKA_ENV": "stub",
            "PAYKKA_API_BASE": stub.url,
            "PAYKKA_MERCHANT_ID": self.account["merchant_id"],
            "PAYKKA_APP_ID": self.account["app_id"],
            "PAYKKA_PRIVATE_KEY": signing.private_pem(self.merchant_key),
            "PAYKKA_PLATFORM_PUBLIC_KEY": self.account["platform_public_key"],
            "PAYKKA_CLIENT_KEY": self.account["client_key"],
            "PAYKKA_DATABASE": str(self.workdir / f"merchant-{self.server}.sqlite3"),
        }
        self._config_file = self.workdir / f"merchant-{self.server}.json"
        self._config_file.write_text(json.dumps(config))
        self.merchant = spawn("merchant", "--config", str(self._config_file), "--server", self.server)
        return self

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
