"""Running ``paykka-embed doctor`` in tests: its JSON report and exit code, key files, and a
stand-in API that answers the probe with any of PayKKa's codes, signed like PayKKa."""

from __future__ import annotations

import io
import json
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional

from flask import Flask, Response, request

from paykka_embed import doctor, signing, wire
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount
from paykka_embed.testing.stub import shared_test_key


@dataclass
class Run:
    """One doctor run: its exit code, its JSON report, and everything it said on stderr."""

    code: int
    report: dict[str, Any]
    said: str

    def check(self, check_id: str) -> dict[str, Any]:
        for check in self.report["checks"]:
            if check["id"] == check_id:
                return check
        raise AssertionError(f"no check {check_id!r} in {[c['id'] for c in self.report['checks']]}")

    def status(self, check_id: str) -> str:
        return str(self.check(check_id)["status"])

    def verdict(self, check_id: str) -> tuple[str, str]:
        check = self.check(check_id)
        return check["status"], check["code"]

    def failed(self) -> list[str]:
        return [c["id"] for c in self.report["checks"] if c["status"] == "fail"]


def run_doctor(*argv: str, environ: Optional[Mapping[str, str]] = None) -> Run:
    """``paykka-embed doctor --json ARGV`` in this process, with ``environ`` (default: empty) as the environment."""
    out, err = io.StringIO(), io.StringIO()
    code = doctor.main([*argv, "--json"], out=out, err=err, environ=environ or {})
    run = Run(code, json.loads(out.getvalue()), err.getvalue())
    ids = [check["id"] for check in run.report["checks"]]
    assert len(ids) == len(set(ids)), f"a check reported twice: {ids}"
    assert code == (0 if run.report["ok"] else 1)
    return run


def run_text(*argv: str, environ: Optional[Mapping[str, str]] = None) -> tuple[int, str]:
    """The same without ``--json``: the exit code and the text printed."""
    out, err = io.StringIO(), io.StringIO()
    code = doctor.main(list(argv), out=out, err=err, environ=environ or {})
    return code, out.getvalue() + err.getvalue()


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def merchant_flags(merchant: MerchantAccount, tmp_path: Path, *, private_key_pem: Optional[str] = None,
                   platform_pem: Optional[str] = None, merchant_id: Optional[str] = None,
                   app_id: Optional[str] = None, api_base: Optional[str] = None) -> list[str]:
    """Flags that configure the doctor for ``merchant`` on the emulator, with any part replaced."""
    return [
        "--env", "stub", "--api-base", api_base or merchant.api_base,
        "--merchant-id", merchant_id or merchant.merchant_id,
        "--app-id", app_id or merchant.app_id,
        "--private-key", write(tmp_path / "merchant.pem", private_key_pem or merchant.private_key_pem),
        "--platform-public-key", write(tmp_path / "platform.pem", platform_pem or merchant.platform_public_key),
        "--client-key", merchant.client_key,
    ]


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


_FAKE_PLATFORM: list[Any] = []


def fake_platform_key() -> Any:
    """The stand-in API's platform key: one per test process, not the merchants' shared test key."""
    if not _FAKE_PLATFORM:
        _FAKE_PLATFORM.append(signing.generate_private_key())
    return _FAKE_PLATFORM[0]


@dataclass
class FakeAPI:
    """Answers the probe's path with ``answer`` (ret_code, ret_msg, HTTP status), signed with ``platform_key``
    unless ``signed`` is False; ``raw`` replaces the answer with a non-PayKKa one (status, content type, body)."""

    answer: tuple[str, str, int] = ("206024", "the order doesn't exist", 404)
    signed: bool = True
    #: Added to the answer's x-paykka-timestamp: a gateway whose clock is ahead (or, negative, behind).
    skew_ms: int = 0
    raw: Optional[tuple[int, str, bytes]] = None
    platform_key: Any = field(default_factory=lambda: fake_platform_key())
    seen: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Flask:
        app = Flask("fake_paykka_api")

        @app.post(wire.PATH_QUERY)
        def query() -> Response:
            self.seen.append(dict(request.headers))
            if self.raw is not None:
                status, kind, body = self.raw
                return Response(body, status=status, content_type=kind)
            code, msg, status = self.answer
            raw = json.dumps(wire.envelope(ret_code=code, ret_msg=msg), separators=(",", ":")).encode()
            headers = signing.signed_headers(self.platform_key, "", request.path, raw,
                                             timestamp_ms=signing.now_ms() + self.skew_ms) if self.signed else {}
            headers.pop(signing.H_APPID, None)
            return Response(raw, status=status, mimetype="application/json", headers=headers)

        return app

    def serve(self) -> Iterator[BackgroundServer]:
        with BackgroundServer(self.app()) as server:
            yield server

    @property
    def platform_pem(self) -> str:
        return signing.public_pem(self.platform_key)
