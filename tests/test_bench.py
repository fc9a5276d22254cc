"""The benchmark harness's own parts that decide its figures: the low-cost load generator
(keep-alive framing, reconnects, failures counted), the per-process CPU reading, and the
report's verdicts and findings. The benchmarks themselves are not run here (not timed tests)."""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask, request

ROOT = Path(__file__).absolute().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, rawload, report, servers, throughput, webhooks  # noqa: E402
from paykka_embed.stub import BackgroundServer  # noqa: E402


def _keep_alive_server(answers: list[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    """A one-connection server that reads requests and writes the given answers in order,
    two of them in a single write so the client must keep the bytes past the first."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    seen: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while len(seen) < 1:
                data += conn.recv(65536)
                if b"\r\n\r\n" in data:
                    seen.append(data)
            conn.sendall(answers[0] + answers[1])  # the second answer arrives early
            while len(seen) < 2:
                more = conn.recv(65536)
                if not more:
                    return
                seen.append(more)
            conn.sendall(answers[2])
            conn.recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", seen
    listener.close()


def test_rawload_reads_back_to_back_answers_on_one_connection() -> None:
    answers = [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
               b"HTTP/1.1 201 Created\r\ncontent-length: 5\r\nX-A: b\r\n\r\nhello",
               b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"]
    for url, seen in _keep_alive_server(answers):
        conn = rawload.Connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        first = rawload.request("POST", "/a", "h", b"{}", {"X-Test": "1"})
        assert conn.exchange(first) == (200, {"content-length": "2"}, b"ok")
        assert conn.exchange(rawload.request("GET", "/b", "h")) == (
            201, {"content-length": "5", "x-a": "b"}, b"hello")
        status, _, body = conn.exchange(rawload.request("GET", "/c", "h"))
        assert (status, body, conn.reconnects) == (503, b"", 1)
        conn.close()
        assert seen[0].startswith(b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nX-Test: 1\r\n\r\n{}")


def test_rawload_counts_successes_failures_and_reconnects_against_a_closing_server() -> None:
    app = Flask("load")

    @app.post("/n/<int:n>")
    def echo(n: int) -> tuple[str, int]:
        request.get_data()
        return str(n), 200 if n % 5 else 500

    with BackgroundServer(app) as server:  # werkzeug closes every connection
        host = server.url.split("//", 1)[1]
        result = rawload.run(server.url, lambda n: rawload.request("POST", f"/n/{n}", host, b"x"),
                             lambda n, status, headers, body: status == 200 and body == str(n).encode(),
                             concurrency=3, count=40, seconds=60)
    assert (result.ok, result.failed) == (32, 8)
    assert result.errors and result.errors[0].startswith("HTTP 500")
    assert result.reconnects >= 37  # every answer said "Connection: close"


def test_rawload_stays_on_loopback() -> None:
    with pytest.raises(AssertionError, match="loopback"):
        rawload.run("http://example.com", lambda n: b"", lambda *a: True, concurrency=1, count=1, seconds=1)


def test_cpu_of_a_process_tree_includes_its_children() -> None:
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time\nt=time.process_time()\n"
                              "while time.process_time() - t < 0.3: pass\nimport sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        deadline = __import__("time").monotonic() + 30
        while servers._tree_cpu(os.getpid()) - servers._tree_cpu(child.pid) >= 0 and \
                servers._tree_cpu(child.pid) < 0.25 and __import__("time").monotonic() < deadline:
            __import__("time").sleep(0.05)
        assert servers._tree_cpu(child.pid) >= 0.25
        assert servers._tree_cpu(os.getpid()) >= servers._tree_cpu(child.pid)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)
    assert servers._tree_cpu(2**22 + 12345) == 0.0  # no such process


def _result(rate: float, cpu: dict[str, float]) -> load.Result:
    return load.Result(ok=int(rate), seconds=1.0, cpu_ms=cpu)


def test_report_gives_verdicts_and_explains_each_missed_goal() -> None:
    sessions = throughput.Rounds("waitress (both apps)", 8)
    sessions.e2e = [_result(300, {"load generator": 0.1, "merchant app": 3.0, "emulator": 1.2})]
    sessions.bare = [_result(690, {"load generator": 2.0, "merchant app": 0.0, "emulator": 1.2})]
    hooks = webhooks.Ingestion(8, "waitress (both apps)")
    hooks.fresh = [_result(1000, {"load generator": 0.1, "merchant app": 0.9, "emulator": 0.0})]
    hooks.redelivered = [_result(1200, {"load generator": 0.1, "merchant app": 0.8, "emulator": 0.0})]
    hooks.floor = [_result(2500, {"load generator": 0.1, "merchant app": 0.4, "emulator": 0.0})]
    fast = webhooks.Ingestion(8, "somewhere faster")
    fast.fresh, fast.redelivered, fast.floor = [_result(1600, {})], [_result(2000, {})], [_result(3200, {})]
    text = report.render(report.Results(when="now", machine="2 cores", source="commit x", args="(defaults)",
                                        sessions=[sessions], webhooks=[hooks, fast]))
    assert "| Sessions end to end, waitress (both apps), 8 clients | 300/s | ≥ 250/s | **pass** |" in text
    assert "| Bare signed call ÷ end to end, waitress (both apps) | 2.30× | ≤ 1.2× | **miss** |" in text
    assert "| Webhook ingestion, new events, waitress (both apps), 8 connections | 1000/s | ≥ 1,500/s | **miss** |" in text
    assert "| Webhook ingestion, new events, somewhere faster, 8 connections | 1600/s | ≥ 1,500/s | **pass** |" in text
    assert "| waitress (both apps) | end to end | 0.10 | 3.00 | 1.20 | 4.30 |" in text
    assert "40%" in text  # 1,000 new events/s of the empty view's 2,500
    findings = text.split("## 7. What misses its goal, and why", 1)[1]
    assert "ratio of the sums 1.34×" in findings and "empty Flask view on the same server costs 0.40 ms" in findings
    assert "the difference, 0.50 ms" in findings
    assert "somewhere faster" not in findings  # a goal met needs no explanation


def test_the_hand_written_comparator_does_the_same_work(paykka_stub: Any, paykka_merchant: Any, tmp_path: Any) -> None:
    """The comparator's views are real: a session is created at the emulator and recorded; a signed event is
    stored once (a replay is refused, a forgery is refused, the attempt moves)."""
    import sqlite3

    from paykka_embed import signing
    from bench.merchant import create_app

    config = {**paykka_merchant.flask_config(), "PAYKKA_DATABASE": str(tmp_path / "m.sqlite3")}
    app = create_app(config)
    client = app.test_client()
    token = client.get("/bench/csrf").get_data(as_text=True)
    made = client.post("/hand/sessions", json={"order": "H1"}, headers={"X-CSRFToken": token})
    assert made.status_code == 200 and made.get_json()["sessionId"].startswith("CS")
    assert client.post("/hand/sessions", json={"order": "H1"}).status_code == 400  # no CSRF token
    body = (b'{"notify_type":"PAYMENT.SUCCESS","merchant_id":"%s","trans_id":"H1-1","order_id":"GW1",'
            b'"status":"SUCCESS","amount":8800,"currency":"HKD"}' % paykka_merchant.merchant_id.encode())
    headers = {**signing.signed_headers(paykka_stub.context.platform_key, paykka_merchant.app_id, "/hand/webhook",
                                        body), "content-type": "application/json"}
    assert client.post("/hand/webhook", data=body, headers=headers).status_code == 200
    assert client.post("/hand/webhook", data=body, headers=headers).status_code == 401  # the same nonce again
    forged = {**headers, "x-paykka-sign": headers["x-paykka-sign"][:-8] + "AAAAAAAA"}
    assert client.post("/hand/webhook", data=body, headers=forged).status_code == 401
    with sqlite3.connect(str(tmp_path / "m.sqlite3") + ".hand") as db:
        assert db.execute("SELECT status FROM hand_attempts WHERE trans_id = 'H1-1'").fetchone() == ("SUCCESS",)
        assert db.execute("SELECT COUNT(*) FROM hand_events").fetchone() == (1,)
