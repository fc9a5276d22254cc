"""The command line: `paykka-embed demo` and `paykka-embed stub` start real servers, say
where they are and which cards to use, and stop cleanly on Ctrl-C; `keys` makes a pair."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from paykka_embed import signing


def read_until(stream: IO[str], marker: str, timeout: float = 30.0) -> str:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} not printed; got:\n{''.join(seen)}")


def run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "paykka_embed.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    return out


def test_demo_command_starts_shop_and_emulator_and_keeps_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = run("demo", "--port", "0", "--stub-port", "0", "--data", str(data))
    try:
        banner = read_until(proc.stdout, "Press Ctrl-C")
        shop_url = re.search(r"Demo shop:\s+(http://\S+)", banner).group(1)
        stub_url = re.search(r"PayKKa emulator:\s+(http://\S+)", banner).group(1)
        assert "4111111111111111" in banner and "4000000000000002" in banner
        assert httpx.get(shop_url).status_code == 200
        assert httpx.get(stub_url + "/cp/card-checkout-ui.js").status_code == 200
    finally:
        tail = stop(proc)
    assert "Stopping" in tail
    assert (data / "stub" / "merchant-private-key.pem").exists()
    assert (data / "shop" / "paykka.sqlite3").exists()
    merchant_key = (data / "stub" / "merchant-private-key.pem").read_text()

    # A second run finds the same data: the same merchant key.
    proc = run("demo", "--port", "0", "--stub-port", "0", "--data", str(data))
    try:
        read_until(proc.stdout, "Press Ctrl-C")
    finally:
        stop(proc)
    assert (data / "stub" / "merchant-private-key.pem").read_text() == merchant_key


def test_stub_command_prints_credentials_and_serves_the_api(tmp_path: Path) -> None:
    proc = run("stub", "--port", "0", "--data", str(tmp_path))
    try:
        banner = read_until(proc.stdout, "Press Ctrl-C")
        url = re.search(r"running at (http://\S+)", banner).group(1)
        merchant_id = re.search(r"merchant_id=(\d+)", banner).group(1)
        client_key = re.search(r"client_key=(ck_[0-9a-f]{32})", banner).group(1)
        assert client_key
        platform = httpx.get(url + "/_stub/platform-public-key").text
        key = signing.load_private_key((tmp_path / "merchant-private-key.pem").read_text())
        from paykka_embed import PayKKaClient

        with PayKKaClient(merchant_id=merchant_id, private_key=key, platform_public_key=platform,
                          env="stub", api_base=url) as client:
            session = client.create_session({"trans_id": "cli-1", "amount": 800, "currency": "HKD"})
        assert session.session_url.endswith(f"/hp/pay/{session.session_id}")
    finally:
        stop(proc)


def test_keys_command_writes_a_usable_pair(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "paykka_embed.cli", "keys", "--out", str(tmp_path)],
                            capture_output=True, text=True, check=True)
    assert "keep it secret" in result.stdout
    private = signing.load_private_key((tmp_path / "merchant-private-key.pem").read_text())
    public = signing.load_public_key((tmp_path / "merchant-public-key.pem").read_text())
    sig = signing.sign(private, "POST", "/p", "1", "n", b"{}")
    signing.verify(public, "POST", "/p", "1", "n", b"{}", sig)
    assert (tmp_path / "merchant-private-key.pem").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("argv", [["demo", "--port", "x"], ["nope"]])
def test_bad_arguments_are_refused_clearly(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "paykka_embed.cli", *argv], capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_stub_with_data_keeps_sessions_across_a_restart(tmp_path: Path) -> None:
    from paykka_embed import PayKKaClient

    def client_for(banner: str) -> PayKKaClient:
        url = re.search(r"running at (http://\S+)", banner).group(1)
        merchant_id = re.search(r"merchant_id=(\d+)", banner).group(1)
        return PayKKaClient(merchant_id=merchant_id,
                            private_key=(tmp_path / "merchant-private-key.pem").read_text(),
                            platform_public_key=httpx.get(url + "/_stub/platform-public-key").text,
                            env="stub", api_base=url)

    proc = run("stub", "--port", "0", "--data", str(tmp_path))
    try:
        with client_for(read_until(proc.stdout, "Press Ctrl-C")) as client:
            created = client.create_session({"trans_id": "keep-1", "amount": 800, "currency": "HKD"})
    finally:
        stop(proc)
    proc = run("stub", "--port", "0", "--data", str(tmp_path))
    try:
        with client_for(read_until(proc.stdout, "Press Ctrl-C")) as client:
            found = client.query_session(trans_id="keep-1")
    finally:
        stop(proc)
    assert found.session_id == created.session_id


def test_a_taken_port_names_the_flag_that_chooses_another(tmp_path: Path) -> None:
    import socket
    import subprocess

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        for args, flag in ((["stub", "--port", str(port)], "--port"),
                           (["demo", "--stub-port", str(port), "--port", "0", "--data", str(tmp_path)], "--stub-port")):
            done = subprocess.run([sys.executable, "-m", "paykka_embed.cli", *args], capture_output=True, text=True,
                                  timeout=60)
            assert done.returncode == 1, done.stderr
            assert f"port {port} on 127.0.0.1 is in use" in done.stderr and f"{flag} PORT" in done.stderr
