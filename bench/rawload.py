"""A load generator that costs as little CPU as a Python client can: each thread keeps one
HTTP/1.1 connection open on a plain socket and writes requests whose bytes were built before
the clock started, then reads the status line, the headers and ``content-length`` bytes.

Why: on a 2-core machine the load generator shares the cores with what it measures. For
requests that, in production, come from elsewhere (shoppers' browsers, PayKKa's webhook
sender) the client's own cost is not the merchant's, so it is kept as small as possible;
httpx costs several times more per request than the servers' cheapest endpoint. Loopback
only; a server that closes the connection is reconnected to (and the close is counted).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from . import load

#: Given a sequence number: the request's bytes (from the request line to the end of the body).
Build = Callable[[int], bytes]
#: Given the sequence number, the status, the lower-cased headers and the body: whether it succeeded.
Check = Callable[[int, int, dict[str, str], bytes], bool]


def request(method: str, path: str, host: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    """The bytes of one keep-alive HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Connection:
    """One kept-alive connection and the bytes read past the last response."""

    address: tuple[str, int]
    sock: socket.socket | None = None
    pending: bytes = b""
    reconnects: int = 0

    def open(self) -> socket.socket:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.pending = b""
            self.reconnects += 1
        return self.sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        sock = self.open()
        sock.sendall(data)
        buf = self.pending
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                self.close()
                raise ConnectionError("the server closed the connection before answering")
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            self.close()
            raise ConnectionError("response without content-length (chunked answers are not supported here)")
        length = int(headers["content-length"])
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                self.close()
                raise ConnectionError("the server closed the connection mid-body")
            rest += chunk
        body, self.pending = rest[:length], rest[length:]
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body


def run(base_url: str, build: Build, check: Check, *, concurrency: int, count: int, seconds: float) -> load.Result:
    """Send ``count`` requests (``build(0)`` .. ``build(count - 1)``, built before the clock
    starts) over ``concurrency`` kept-alive connections, stopping early after ``seconds``."""
    parts = urlsplit(base_url)
    assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "load stays on loopback"
    address = (parts.hostname, parts.port or 80)
    payloads = [build(n) for n in range(count)]
    connections = [Connection(address) for _ in range(concurrency)]
    for conn in connections:
        conn.open()

    def send(conn: Connection, n: int) -> tuple[bool, str | None]:
        try:
            status, headers, body = conn.exchange(payloads[n])
        except (OSError, ValueError) as exc:
            conn.close()
            return False, f"{type(exc).__name__}: {exc}"
        if check(n, status, headers, body):
            return True, None
        return False, f"HTTP {status}: {body[:200]!r}"

    try:
        result = load.drive(connections, send, count=count, seconds=seconds)
    finally:
        for conn in connections:
            conn.close()
    result.reconnects = sum(c.reconnects for c in connections) - concurrency
    return result
