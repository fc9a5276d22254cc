"""Every verdict `paykka-embed doctor` can give, each produced on purpose: its JSON (status and
code of the check, the other checks unaffected) and its exit code.

Offline verdicts need no server; the API's answers come from a stand-in that signs like PayKKa
and answers the probe with any of PayKKa's codes; transport failures come from real sockets
(a closed port, a server that never answers, one that hangs up, TLS to a plain-HTTP port and a
certificate nobody trusts)."""

from __future__ import annotations

import base64
import datetime
import socket
import ssl
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server

from paykka_embed import cli, signing
from paykka_embed.doctor import probe
from paykka_embed.doctor.credentials import fingerprint
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing.stub import shared_test_key

sys.path.insert(0, str(Path(__file__).parent))
from doctor_helpers import FakeAPI, Run, run_doctor, write  # noqa: E402

MERCHANT = "10000000000001"
CLIENT_KEY = "ck_" + "0123456789abcdef" * 2


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Key material in every shape the checks must recognise, written once for the module."""
    folder = tmp_path_factory.mktemp("keys")
    key = shared_test_key()
    platform = signing.generate_private_key()
    short = signing.generate_private_key(1024)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    pem = signing.private_pem(key)
    pkcs1 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()).decode()
    der8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    der1 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"secret")).decode()
    files = {
        "private": pem,
        "pkcs1": pkcs1,
        "public": signing.public_pem(key),
        "platform": signing.public_pem(platform),
        "encrypted": encrypted,
        "short": signing.private_pem(short),
        "ec_private": ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()).decode(),
        "ec_public": ec_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
        "cert": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }
    paths: dict[str, Any] = {name: write(folder / f"{name}.pem", text) for name, text in files.items()}
    paths.update(
        texts=files, folder=folder, platform_key=platform,
        b64_pkcs8=base64.b64encode(der8).decode(), b64_pkcs1=base64.b64encode(der1).decode(),
        escaped=pem.replace("\n", "\\n"), cert_key=key,
    )
    return paths


def base_flags(keys: dict[str, Any], **replace: str | None) -> list[str]:
    """A good offline configuration; ``replace`` swaps (or, with None, drops) one flag."""
    flags: dict[str, str | None] = {
        "--env": "stub", "--merchant-id": MERCHANT, "--private-key": keys["private"],
        "--platform-public-key": keys["platform"], "--client-key": CLIENT_KEY,
    }
    flags.update({("--" + k.replace("_", "-")): v for k, v in replace.items()})
    return [part for flag, value in flags.items() if value is not None for part in (flag, value)]


def assert_only_failure(run: Run, check_id: str, code: str) -> None:
    assert run.code == 1, run.report
    assert run.verdict(check_id) == ("fail", code), run.check(check_id)
    assert run.failed() == [check_id], run.report
    check = run.check(check_id)
    assert check["message"] and check["fix"], check
    assert run.report["ok"] is False
    assert run.report["summary"]["failed"] == 1


def test_the_good_offline_configuration_passes(keys: dict[str, Any]) -> None:
    run = run_doctor(*base_flags(keys), "--offline")
    assert run.code == 0 and run.report["ok"] is True, run.report
    assert [c["status"] for c in run.report["checks"]] == ["pass"] * 5 + ["skip"] * 5
    assert set(run.report) == {"version", "ok", "env", "api_base", "sources", "summary", "checks"}
    assert run.report["summary"] == {"passed": 5, "failed": 0, "skipped": 5}
    for check in run.report["checks"]:
        assert set(check) == {"id", "title", "status", "code", "message", "fix", "details"}


@pytest.mark.parametrize("fmt,flag,expected", [
    ("PKCS#8 PEM", "private", "PKCS#8 PEM"),
    ("PKCS#1 PEM", "pkcs1", "PKCS#1 PEM"),
    ("bare Base64 PKCS#8", "b64_pkcs8", "bare Base64 PKCS#8"),
    ("bare Base64 PKCS#1", "b64_pkcs1", "bare Base64 PKCS#1"),
])
def test_private_key_formats_that_parse(keys: dict[str, Any], fmt: str, flag: str, expected: str) -> None:
    run = run_doctor(*base_flags(keys, private_key=keys[flag]), "--offline")
    assert run.code == 0, run.report
    assert run.check("private_key")["details"] == {"bits": 2048, "format": expected,
                                                   "fingerprint": fingerprint(shared_test_key())}


def test_key_objects_from_a_flask_configuration_are_read_as_they_are() -> None:
    """A Flask app may configure key objects rather than text; both keys are read and described the same way."""
    from paykka_embed.doctor.credentials import check_platform_key, check_private_key
    from paykka_embed.doctor.settings import Value

    private = shared_test_key()
    check, key = check_private_key(Value(private, "PAYKKA_PRIVATE_KEY in the app's configuration"))
    assert key is private and check.status == "pass", check
    assert check.details == {"bits": 2048, "format": "key object", "fingerprint": fingerprint(private)}
    platform = signing.generate_private_key().public_key()
    pcheck, pkey = check_platform_key(Value(platform, "PAYKKA_PLATFORM_PUBLIC_KEY in the app's configuration"), key)
    assert pkey is platform and pcheck.status == "pass", pcheck
    assert pcheck.details["format"] == "key object"
    own, _ = check_platform_key(Value(private.public_key(), "PAYKKA_PLATFORM_PUBLIC_KEY"), key)
    assert own.status == "fail" and own.code == "own_key", own
    broken, none = check_private_key(Value(b"not a key", "PAYKKA_PRIVATE_KEY"))
    assert none is None and broken.status == "fail" and broken.message.startswith("PAYKKA_PRIVATE_KEY"), broken


def test_private_key_inline_pem_text(keys: dict[str, Any]) -> None:
    run = run_doctor(*base_flags(keys, private_key=None), "--offline",
                     environ={"PAYKKA_PRIVATE_KEY": keys["texts"]["private"]})
    assert run.code == 0
    assert "PAYKKA_PRIVATE_KEY in the environment" in run.check("private_key")["message"]


OFFLINE_CASES: list[tuple[str, str, Callable[[dict[str, Any]], dict[str, str | None]]]] = [
    ("ids", "missing", lambda k: {"merchant_id": None}),
    ("ids", "whitespace", lambda k: {"merchant_id": MERCHANT + "\n"}),
    ("ids", "bad_characters", lambda k: {"merchant_id": "1000 0001"}),
    ("ids", "too_long", lambda k: {"merchant_id": "1" * 33}),
    ("private_key", "missing", lambda k: {"private_key": None}),
    ("private_key", "file_not_found", lambda k: {"private_key": "/no/such/dir/merchant-private-key.pem"}),
    ("private_key", "escaped_newlines", lambda k: {"private_key": k["escaped"]}),
    ("private_key", "encrypted", lambda k: {"private_key": k["encrypted"]}),
    ("private_key", "public_not_private", lambda k: {"private_key": k["public"]}),
    ("private_key", "certificate", lambda k: {"private_key": k["cert"]}),
    ("private_key", "not_rsa", lambda k: {"private_key": k["ec_private"]}),
    ("private_key", "unreadable", lambda k: {"private_key": "hello, this is not a key"}),
    ("private_key", "too_short", lambda k: {"private_key": k["short"]}),
    ("platform_key", "missing", lambda k: {"platform_public_key": None}),
    ("platform_key", "private_not_public", lambda k: {"platform_public_key": k["short"]}),
    ("platform_key", "certificate", lambda k: {"platform_public_key": k["cert"]}),
    ("platform_key", "not_rsa", lambda k: {"platform_public_key": k["ec_public"]}),
    ("platform_key", "unreadable", lambda k: {"platform_public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n"
                                                                    "-----END PUBLIC KEY-----"}),
    ("platform_key", "own_key", lambda k: {"platform_public_key": k["public"]}),
    ("client_key", "missing", lambda k: {"client_key": None}),
    ("client_key", "looks_like_key", lambda k: {"client_key": k["texts"]["short"]}),
    ("client_key", "whitespace", lambda k: {"client_key": CLIENT_KEY + " "}),
    ("client_key", "is_merchant_id", lambda k: {"client_key": MERCHANT}),
    ("client_key", "bad_format", lambda k: {"client_key": "ck_12345"}),
    ("environment", "bad_api_base", lambda k: {"api_base": "openapi-sandbox.paykka.com"}),
    ("environment", "bad_api_base", lambda k: {"api_base": "https://openapi sandbox.paykka.com"}),
    ("environment", "api_not_https", lambda k: {"env": "sandbox", "api_base": "http://openapi-sandbox.paykka.com"}),
    ("environment", "env_mismatch", lambda k: {"env": "production", "api_base": "https://openapi-sandbox.paykka.com"}),
]


@pytest.mark.parametrize("check_id,code,change", OFFLINE_CASES, ids=[f"{c[0]}-{c[1]}" for c in OFFLINE_CASES])
def test_offline_verdict(keys: dict[str, Any], check_id: str, code: str,
                         change: Callable[[dict[str, Any]], dict[str, str | None]]) -> None:
    run = run_doctor(*base_flags(keys, **change(keys)), "--offline")
    assert_only_failure(run, check_id, code)


def test_unknown_environment_from_the_environment_variables(keys: dict[str, Any]) -> None:
    run = run_doctor(*base_flags(keys, env=None), "--offline", environ={"PAYKKA_ENV": "staging"})
    assert_only_failure(run, "environment", "unknown_env")
    assert "PAYKKA_ENV in the environment" in run.check("environment")["message"]


def test_unreadable_key_file(keys: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    original = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if str(self) == keys["private"]:
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert_only_failure(run_doctor(*base_flags(keys), "--offline"), "private_key", "file_unreadable")


def test_key_pair_verdicts(keys: dict[str, Any]) -> None:
    assert run_doctor(*base_flags(keys), "--public-key", keys["public"], "--offline").verdict("key_pair") == (
        "pass", "ok")
    assert_only_failure(run_doctor(*base_flags(keys), "--public-key", keys["platform"], "--offline"),
                        "key_pair", "mismatch")
    assert_only_failure(run_doctor(*base_flags(keys), "--public-key", "garbage", "--offline"),
                        "key_pair", "unreadable")
    run = run_doctor(*base_flags(keys, private_key="garbage"), "--public-key", keys["public"], "--offline")
    assert run.verdict("key_pair") == ("fail", "no_private_key") and run.code == 1


URL_CASES = [
    ("notify_url", "stub", "/paykka/webhook", "not_absolute"),
    ("notify_url", "stub", "ftp://shop.teaandclay.com/paykka/webhook", "bad_scheme"),
    ("return_url", "production", "http://shop.teaandclay.com/paykka/return", "not_https"),
    ("notify_url", "sandbox", "http://localhost:5000/paykka/webhook", "not_public"),
    ("notify_url", "production", "https://10.0.0.5/paykka/webhook", "not_public"),
    ("notify_url", "hk", "https://[::1]/paykka/webhook", "not_public"),
    ("notify_url", "eu", "https://shop/paykka/webhook", "not_public"),
    ("return_url", "production", "https://shop.local/paykka/return", "not_public"),
    ("notify_url", "production", "https://shop.example.com/paykka/webhook", "placeholder"),
]


@pytest.mark.parametrize("check_id,env,url,code", URL_CASES, ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in URL_CASES])
def test_url_verdict(keys: dict[str, Any], check_id: str, env: str, url: str, code: str) -> None:
    flag = "--" + check_id.replace("_", "-")
    run = run_doctor(*base_flags(keys, env=env), "--offline", flag, url)
    assert_only_failure(run, check_id, code)
    assert run.check(check_id)["details"]["url"] == url


@pytest.mark.parametrize("check_id,env,url", [
    ("notify_url", "stub", "http://localhost:5000/paykka/webhook"),
    ("return_url", "sandbox", "http://localhost:5000/paykka/return"),  # the developer's browser reaches it
    ("notify_url", "sandbox", "http://dev-shop.teaandclay.com/paykka/webhook"),
    ("notify_url", "production", "https://shop.teaandclay.com/paykka/webhook"),
    ("return_url", "production", "https://203.0.113.9.nip.io/paykka/return"),
])
def test_url_passes(keys: dict[str, Any], check_id: str, env: str, url: str) -> None:
    run = run_doctor(*base_flags(keys, env=env), "--offline", "--" + check_id.replace("_", "-"), url)
    assert run.code == 0, run.report
    assert run.verdict(check_id) == ("pass", "ok")


# --- PayKKa's answers, from a stand-in API -------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[tuple[FakeAPI, str]]:
    api = FakeAPI()
    with BackgroundServer(api.app()) as server:
        yield api, server.url


def live_flags(keys: dict[str, Any], url: str, platform: str | None = None) -> list[str]:
    platform_path = write(keys["folder"] / "fake-platform.pem", platform or FakeAPI().platform_pem)
    return base_flags(keys, api_base=url, platform_public_key=platform_path)


ANSWER_CASES = [
    ("206003", "x-paykka-sign: signature does not match", 401, "signature_mismatch"),
    ("206005", "merchant does not exist", 401, "unknown_merchant"),
    ("206006", "merchant public key not configured", 401, "public_key_not_registered"),
    ("206007", "merchant disabled", 403, "merchant_disabled"),
    ("206008", "member disabled", 403, "merchant_disabled"),
    ("206002", "x-paykka-sign: header is required", 401, "signature_headers_missing"),
    ("206001", "invalid API version", 400, "api_version"),
    ("010000", "merchant_id: does not match x-paykka-appid", 400, "parameter_error"),
    ("999999", "system exception", 500, "unavailable"),
    ("000429", "too many requests", 429, "unavailable"),
    ("210001", "payment method not supported", 400, "unexpected"),
]


@pytest.mark.parametrize("ret_code,ret_msg,status,code", ANSWER_CASES, ids=[c[3] + "-" + c[0] for c in ANSWER_CASES])
def test_answer_verdict(keys: dict[str, Any], fake: tuple[FakeAPI, str], ret_code: str, ret_msg: str, status: int,
                        code: str) -> None:
    api, url = fake
    api.answer = (ret_code, ret_msg, status)
    run = run_doctor(*live_flags(keys, url))
    assert_only_failure(run, "api", code)
    details = run.check("api")["details"]
    assert (details["ret_code"], details["http_status"]) == (ret_code, status)
    assert ret_msg in run.check("api")["message"]
    assert run.verdict("response_signature") == ("pass", "ok")
    # The probe was signed, for the configured app id, on the path the client uses.
    headers = {k.lower(): v for k, v in api.seen[-1].items()}
    assert headers["x-paykka-appid"] == MERCHANT and headers["x-paykka-sign-alg"] == "SHA256_WITH_RSA"


@pytest.mark.parametrize("ret_code", ["206024", "000000"])
def test_answers_that_mean_the_credentials_work(keys: dict[str, Any], fake: tuple[FakeAPI, str],
                                                ret_code: str) -> None:
    api, url = fake
    api.answer = (ret_code, "fine", 200 if ret_code == "000000" else 404)
    run = run_doctor(*live_flags(keys, url))
    assert run.code == 0, run.report
    assert run.verdict("api") == ("pass", "ok")
    assert run.report["summary"] == {"passed": 8, "failed": 0, "skipped": 2}


def test_expired_signature_names_the_clock_offset(keys: dict[str, Any], fake: tuple[FakeAPI, str]) -> None:
    api, url = fake
    api.answer = ("206004", "x-paykka-timestamp: outside the 5-minute window", 401)
    api.skew_ms = 600_000
    run = run_doctor(*live_flags(keys, url))
    assert run.code == 1
    check = run.check("api")
    assert (check["status"], check["code"]) == ("fail", "clock_skew")
    assert 590 < check["details"]["skew_seconds"] < 610
    assert "clock is 600 seconds behind" in check["message"]
    assert run.verdict("clock") == ("fail", "skewed")
    assert run.failed() == ["api", "clock"]


def test_clock_ahead_but_inside_the_window_is_drifting(keys: dict[str, Any], fake: tuple[FakeAPI, str]) -> None:
    api, url = fake
    api.skew_ms = -120_000
    run = run_doctor(*live_flags(keys, url))
    assert_only_failure(run, "clock", "drifting")
    assert "120 seconds ahead of" in run.check("clock")["message"]
    assert -125 < run.check("clock")["details"]["skew_seconds"] < -115


def test_unsigned_answer(keys: dict[str, Any], fake: tuple[FakeAPI, str]) -> None:
    api, url = fake
    api.signed = False
    run = run_doctor(*live_flags(keys, url))
    assert_only_failure(run, "response_signature", "unsigned")
    assert run.status("clock") == "skip"  # no timestamp to compare


def test_answer_signed_by_another_key(keys: dict[str, Any], fake: tuple[FakeAPI, str]) -> None:
    api, url = fake
    run = run_doctor(*live_flags(keys, url, platform=keys["texts"]["platform"]))
    assert_only_failure(run, "response_signature", "platform_key_mismatch")
    check = run.check("response_signature")
    assert check["details"] == {"configured": fingerprint(keys["platform_key"])}  # no emulator to ask
    assert "another environment" in check["message"]
    assert "(from an answer whose signature did not verify)" in run.check("clock")["message"]


@pytest.mark.parametrize("raw,needle", [
    ((200, "text/html", b"<html>Welcome to nginx</html>"), "text/html"),
    ((502, "text/plain", b"Bad Gateway"), "HTTP 502"),
    ((301, "text/html", b""), "redirecting"),
])
def test_something_else_answers(keys: dict[str, Any], fake: tuple[FakeAPI, str], raw: tuple[int, str, bytes],
                                needle: str) -> None:
    api, url = fake
    api.raw = raw
    run = run_doctor(*live_flags(keys, url))
    assert_only_failure(run, "api", "not_paykka")
    assert needle in run.check("api")["message"]
    assert run.status("response_signature") == "skip"


# --- transport failures ------------------------------------------------------------------------------


def test_timeout(keys: dict[str, Any]) -> None:
    with socket.socket() as listener:  # accepts connections (the kernel's backlog) and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        run = run_doctor(*live_flags(keys, url), "--timeout", "0.3")
    assert_only_failure(run, "api", "timeout")
    assert "waited 0.3 s for an answer" in run.check("api")["message"]


def test_connection_closed_without_an_answer(keys: dict[str, Any]) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def hang_up() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        run = run_doctor(*live_flags(keys, f"http://127.0.0.1:{listener.getsockname()[1]}"))
    finally:
        thread.join(timeout=10)
        listener.close()
    assert_only_failure(run, "api", "connection")


def test_tls_to_a_plain_http_port(keys: dict[str, Any], fake: tuple[FakeAPI, str]) -> None:
    _, url = fake
    run = run_doctor(*live_flags(keys, url.replace("http://", "https://")))
    assert_only_failure(run, "api", "tls")
    assert "plain HTTP" in run.check("api")["message"]


def test_tls_certificate_nobody_trusts(keys: dict[str, Any], tmp_path: Path) -> None:
    key_file = write(tmp_path / "tls-key.pem", keys["texts"]["private"])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(keys["cert"], key_file)
    server = make_server("127.0.0.1", 0, FakeAPI().app(), threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        run = run_doctor(*live_flags(keys, f"https://localhost:{server.server_port}"))
    finally:
        server.shutdown()
        server.server_close()
    assert_only_failure(run, "api", "tls")
    assert "could not be verified" in run.check("api")["message"]
    assert "SSL_CERT_FILE" in run.check("api")["fix"]


@pytest.mark.parametrize("exc,code", [
    (httpx.ConnectError("[Errno -2] Name or service not known"), "dns"),
    (httpx.ProxyError("407 Proxy Authentication Required"), "proxy"),
    (httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'"), "bad_api_base"),
    (httpx.ConnectError("[Errno 101] Network is unreachable"), "connection"),
])
def test_other_transport_failures_are_named(exc: httpx.TransportError, code: str) -> None:
    # Raised the way httpx raises them: chained to the socket error underneath.
    cause: BaseException = (socket.gaierror(-2, "Name or service not known") if code == "dns"
                            else OSError(101, "Network is unreachable"))
    exc.__cause__ = cause
    check = probe.transport_failure(exc, "https://openapi-sandbox.paykka.com/v3/payment/acq/query", "sandbox", 10)
    assert (check.status, check.code) == ("fail", code)
    assert check.fix
    if code == "dns":
        assert "openapi-sandbox.paykka.com could not be resolved" in check.message


def test_the_sub_command_of_the_cli(keys: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["doctor", *base_flags(keys), "--offline"]) == 0
    out = capsys.readouterr().out
    assert "PASS  Private key" in out and "SKIP  Signed request: not checked: --offline" in out
    assert cli.main(["doctor", *base_flags(keys, client_key="nope"), "--offline"]) == 1
    assert "FAIL  Client key" in capsys.readouterr().out


def test_every_verdict_is_explained_in_the_going_live_page() -> None:
    page = (Path(__file__).parent.parent / "docs" / "going-live.md").read_text()
    codes = {code for _, code, _ in OFFLINE_CASES} | {code for *_, code in URL_CASES} | {
        code for *_, code in ANSWER_CASES}
    codes |= {"app_not_loaded", "app_config_refused", "unknown_env", "file_unreadable", "mismatch", "ok",
              "clock_skew", "not_paykka", "dns", "refused", "tls", "timeout", "proxy", "connection",
              "platform_key_mismatch", "unsigned", "skewed", "drifting", "not_configured", "wrong_key",
              "other_merchants_key", "altered_in_transit", "not_sent"}
    missing = sorted(code for code in codes if f"`{code}`" not in page)
    assert missing == [], f"verdicts not explained in docs/going-live.md: {missing}"


def test_a_probe_that_cannot_be_built_is_reported(keys: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from paykka_embed.errors import ValidationError

    def refuse(**kwargs: Any) -> Any:
        raise ValidationError("merchant_id", "must be 1 to 32 characters")

    monkeypatch.setattr(probe, "prepare", refuse)
    run = run_doctor(*base_flags(keys, api_base="http://127.0.0.1:9"))
    assert run.code == 1
    assert run.verdict("api") == ("fail", "not_sent")
    assert "merchant_id: must be 1 to 32 characters" in run.check("api")["message"]
    assert run.status("response_signature") == "skip" and run.status("clock") == "skip"


@pytest.mark.parametrize("value", ["0", "-1", "soon", "601"])
def test_timeout_must_be_a_sensible_number_of_seconds(keys: dict[str, Any], value: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["doctor", *base_flags(keys), "--timeout", value])
    assert stopped.value.code == 2
    assert "--timeout: must be a number of seconds above 0 and at most 600" in capsys.readouterr().err
