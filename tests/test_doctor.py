"""`paykka-embed doctor` against the local emulator: a working configuration passes, and each
broken configuration, produced on purpose, fails with its own verdict and fix."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from flask import jsonify, request

from paykka_embed import signing, wire
from paykka_embed.doctor.credentials import fingerprint
from paykka_embed.stub import BackgroundServer, StubContext, create_app
from paykka_embed.testing import MerchantAccount, StubHandle
from paykka_embed.testing.stub import shared_test_key

sys.path.insert(0, str(Path(__file__).parent))
from doctor_helpers import closed_port, merchant_flags, run_doctor, run_text, write  # noqa: E402


@pytest.fixture(scope="module")
def other_key() -> Any:
    """A key no merchant of the emulator is registered with."""
    return signing.generate_private_key()


def test_a_working_configuration_passes_every_check(paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path), "--notify-url", "http://127.0.0.1:5000/paykka/webhook",
                     "--return-url", "http://127.0.0.1:5000/paykka/return")
    assert run.code == 0, run.report
    assert run.report["ok"] is True
    assert run.failed() == []
    assert run.verdict("api") == ("pass", "ok")
    assert run.check("api")["details"]["ret_code"] == "206024"
    assert run.verdict("response_signature") == ("pass", "ok")
    assert run.verdict("clock") == ("pass", "ok")
    assert abs(run.check("clock")["details"]["skew_seconds"]) < 5
    assert run.check("private_key")["details"] == {
        "bits": 2048, "format": "PKCS#8 PEM", "fingerprint": fingerprint(shared_test_key())}
    assert run.report["env"] == "stub" and run.report["api_base"] == paykka_merchant.api_base
    assert run.report["sources"]["merchant_id"] == "--merchant-id"
    # It said what it was doing, on stderr, while stdout held only the JSON.
    assert "Sending a signed Query Transaction" in run.said and paykka_merchant.api_base in run.said


def test_credentials_from_the_environment_and_flags_winning_over_it(paykka_merchant: MerchantAccount) -> None:
    environ = {k: str(v) for k, v in paykka_merchant.flask_config().items()}
    environ["PAYKKA_NOTIFY_URL"] = "http://127.0.0.1:5000/paykka/webhook"
    run = run_doctor(environ=environ)
    assert run.code == 0, run.report
    assert run.report["sources"]["private_key"] == "PAYKKA_PRIVATE_KEY in the environment"
    assert run.check("private_key")["details"]["format"] == "PKCS#8 PEM"
    assert run.verdict("notify_url") == ("pass", "ok")

    broken = dict(environ, PAYKKA_MERCHANT_ID="12345678901234", PAYKKA_APP_ID="12345678901234")
    assert run_doctor(environ=broken).verdict("api") == ("fail", "unknown_merchant")
    fixed = run_doctor("--merchant-id", paykka_merchant.merchant_id, "--app-id", paykka_merchant.app_id,
                       environ=broken)
    assert fixed.code == 0 and fixed.report["sources"]["merchant_id"] == "--merchant-id"


def test_wrong_key_pair_is_a_signature_mismatch(paykka_merchant: MerchantAccount, tmp_path: Path,
                                                other_key: Any) -> None:
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, private_key_pem=signing.private_pem(other_key)))
    assert run.code == 1
    check = run.check("api")
    assert (check["status"], check["code"]) == ("fail", "signature_mismatch")
    assert check["details"]["ret_code"] == "206003"
    # The emulator's request log shows it verified exactly the string signed here: the key is the problem.
    assert check["details"]["cause"] == "wrong_key"
    assert check["details"]["emulator_sources"] == ["GET /_stub/requests"]
    assert fingerprint(other_key) in check["message"]
    assert "public key" in check["fix"]
    # The answer, even a refusal, is still signed by the platform key.
    assert run.verdict("response_signature") == ("pass", "ok")


def test_wrong_key_pair_is_seen_offline_against_the_registered_public_key(paykka_merchant: MerchantAccount,
                                                                         tmp_path: Path, other_key: Any) -> None:
    registered = write(tmp_path / "registered.pem", signing.public_pem(shared_test_key()))
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, private_key_pem=signing.private_pem(other_key)),
                     "--public-key", registered, "--offline")
    assert run.code == 1
    check = run.check("key_pair")
    assert (check["status"], check["code"]) == ("fail", "mismatch")
    assert check["details"] == {"private": fingerprint(other_key), "registered": fingerprint(shared_test_key())}
    good = run_doctor(*merchant_flags(paykka_merchant, tmp_path), "--public-key", registered, "--offline")
    assert good.verdict("key_pair") == ("pass", "ok") and good.code == 0


def test_another_merchants_key(paykka_stub: StubHandle, paykka_merchant: MerchantAccount, tmp_path: Path,
                               other_key: Any) -> None:
    other = paykka_stub.register_merchant(name="Another shop", private_key=other_key)
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, private_key_pem=other.private_key_pem))
    assert run.code == 1
    assert run.verdict("api") == ("fail", "signature_mismatch")
    # The other way round, the other merchant's id with this merchant's key, fails the same way.
    swapped = run_doctor(*merchant_flags(other, tmp_path, private_key_pem=paykka_merchant.private_key_pem))
    assert swapped.verdict("api") == ("fail", "signature_mismatch")


def test_wrong_platform_key(paykka_merchant: MerchantAccount, tmp_path: Path, other_key: Any) -> None:
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, platform_pem=signing.public_pem(other_key)))
    assert run.code == 1
    assert run.verdict("api") == ("pass", "ok")  # the credentials themselves work
    check = run.check("response_signature")
    assert (check["status"], check["code"]) == ("fail", "platform_key_mismatch")
    served = fingerprint(signing.load_public_key(paykka_merchant.platform_public_key))
    assert check["details"] == {"configured": fingerprint(other_key), "served": served}
    assert "/_stub/platform-public-key" in check["fix"]
    assert run.failed() == ["response_signature"]


def test_own_public_key_as_the_platform_key(paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, platform_pem=signing.public_pem(shared_test_key())))
    assert run.code == 1
    assert run.verdict("platform_key") == ("fail", "own_key")
    assert run.verdict("api") == ("pass", "ok")
    assert run.status("response_signature") == "skip"


def test_unknown_merchant_or_app_id(paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, merchant_id="98765432109876",
                                     app_id="98765432109876"))
    assert run.code == 1
    check = run.check("api")
    assert (check["status"], check["code"]) == ("fail", "unknown_merchant")
    assert check["details"]["ret_code"] == "206005"
    assert "98765432109876" in check["message"]


def test_app_id_of_another_merchant(paykka_stub: StubHandle, paykka_merchant: MerchantAccount,
                                   tmp_path: Path) -> None:
    other = paykka_stub.register_merchant(name="Another shop")  # same key, so only the ids disagree
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, app_id=other.app_id))
    assert run.code == 1
    status, code = run.verdict("api")
    assert status == "fail"
    if code == "parameter_error":  # this emulator names the field that disagrees
        assert "another merchant" in run.check("api")["fix"]
    else:
        assert code == "unknown_merchant"


def test_http_notify_url_in_production_needs_no_network(paykka_merchant: MerchantAccount, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the URL checks must not use the network")

    monkeypatch.setattr(httpx.Client, "send", no_network)
    flags = merchant_flags(paykka_merchant, tmp_path)
    flags[flags.index("--env") + 1] = "production"
    del flags[flags.index("--api-base"):flags.index("--api-base") + 2]
    run = run_doctor(*flags, "--offline", "--notify-url", "http://shop.teaandclay.com/paykka/webhook",
                     "--return-url", "https://shop.teaandclay.com/paykka/return")
    assert run.code == 1
    check = run.check("notify_url")
    assert (check["status"], check["code"]) == ("fail", "not_https")
    assert "HTTPS" in check["message"] and check["details"]["url"].startswith("http://")
    assert run.verdict("return_url") == ("pass", "ok")
    assert [run.status(c) for c in ("api", "response_signature", "clock")] == ["skip"] * 3
    assert run.failed() == ["notify_url"]


def test_key_too_short_fails_even_when_the_api_accepts_it(paykka_stub: StubHandle, tmp_path: Path) -> None:
    short = signing.generate_private_key(1024)
    merchant = paykka_stub.register_merchant(private_key=short)
    run = run_doctor(*merchant_flags(merchant, tmp_path))
    assert run.verdict("api") == ("pass", "ok")
    check = run.check("private_key")
    assert (check["status"], check["code"]) == ("fail", "too_short")
    assert check["details"]["bits"] == 1024
    assert run.code == 1 and run.failed() == ["private_key"]


def test_garbage_key_is_refused_and_nothing_is_sent(paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, private_key_pem="-----BEGIN PRIVATE KEY-----\n"
                                     "bm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n"))
    assert run.code == 1
    assert run.verdict("private_key") == ("fail", "unreadable")
    assert run.verdict("api") == ("skip", "not_run")
    assert "Sending" not in run.said


def test_unreachable_host_is_a_refused_connection(paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    run = run_doctor(*merchant_flags(paykka_merchant, tmp_path, api_base=f"http://127.0.0.1:{closed_port()}"))
    assert run.code == 1
    check = run.check("api")
    assert (check["status"], check["code"]) == ("fail", "refused")
    assert "paykka-embed stub" in check["fix"]
    assert run.status("response_signature") == "skip" and run.status("clock") == "skip"


# --- what an emulator with a request log and a merchant list lets the doctor tell --------------------


class LoggingEmulator:
    """An emulator with a request log (``GET /_stub/requests``: newest first; for a refused signature, the
    string the emulator verified) and, when ``list_merchants`` is set, a merchant list with key fingerprints
    (``GET /_stub/merchants``), behind an optional proxy that re-encodes JSON bodies."""

    def __init__(self) -> None:
        self.context = StubContext()
        self.rewrite_bodies = False
        self.list_merchants = True
        app = create_app(self.context)
        log: list[dict[str, Any]] = []
        gateway = self.context.gateway

        @app.after_request
        def record(resp: Any) -> Any:
            if request.path.startswith("/v3/"):
                headers = request.headers
                merchant = gateway.merchants.get(headers.get(signing.H_APPID, ""))
                answer = json.loads(resp.get_data())
                entry: dict[str, Any] = {
                    "id": len(log) + 1, "path": request.path, "app_id": headers.get(signing.H_APPID),
                    "merchant_id": merchant.merchant_id if merchant else None, "ret_code": answer["ret_code"],
                    "ret_msg": answer["ret_msg"], "signature": None}
                if answer["ret_code"] in ("206003", "206004"):
                    stamp, nonce = headers.get(signing.H_TIMESTAMP, ""), headers.get(signing.H_NONCE, "")
                    entry["signature"] = {"problem": answer["ret_msg"], "timestamp": stamp, "nonce": nonce,
                                          "string_to_sign": signing.string_to_sign(
                                              "POST", request.path, stamp, nonce, request.get_data()).decode()}
                log.insert(0, entry)
            return resp

        def merchants() -> Any:
            if not self.list_merchants:
                return jsonify(wire.envelope(ret_code="010000", ret_msg="405 Method Not Allowed")), 405
            return jsonify(wire.envelope([
                {"merchant_id": m.merchant_id, "app_id": m.app_id, "client_key": m.client_key,
                 "public_key_fingerprint": fingerprint(m.public_key)}
                for m in gateway.merchants.values() if m.public_key is not None]))

        app.add_url_rule("/_stub/requests", "request_log", lambda: jsonify(wire.envelope(log)))
        app.add_url_rule("/_stub/merchants", "merchant_list", merchants, methods=["GET"])
        inner = app.wsgi_app

        def proxy(environ: dict[str, Any], start_response: Any) -> Any:
            if self.rewrite_bodies and environ["PATH_INFO"].startswith("/v3/"):
                import io

                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.dumps(json.loads(environ["wsgi.input"].read(length))).encode()  # ", " and ": "
                environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
            return inner(environ, start_response)

        app.wsgi_app = proxy  # type: ignore[method-assign]
        self.handle = StubHandle(BackgroundServer(app).start(), self.context)


@pytest.fixture(scope="module")
def logging_emulator() -> Iterator[LoggingEmulator]:
    emulator = LoggingEmulator()
    yield emulator
    emulator.handle.stop()


def test_request_log_names_the_merchant_a_key_belongs_to(logging_emulator: LoggingEmulator, tmp_path: Path,
                                                         other_key: Any) -> None:
    mine = logging_emulator.handle.register_merchant()
    theirs = logging_emulator.handle.register_merchant(name="Another shop", private_key=other_key)
    run = run_doctor(*merchant_flags(mine, tmp_path, private_key_pem=theirs.private_key_pem))
    check = run.check("api")
    assert (check["status"], check["code"]) == ("fail", "signature_mismatch")
    assert check["details"]["cause"] == "other_merchants_key"
    assert check["details"]["key_owners"] == [theirs.merchant_id]
    assert f"registered for merchant {theirs.merchant_id}" in check["message"]


def test_request_log_shows_the_registered_key_differs(logging_emulator: LoggingEmulator, tmp_path: Path,
                                                      other_key: Any) -> None:
    mine = logging_emulator.handle.register_merchant()
    stray = signing.generate_private_key()
    run = run_doctor(*merchant_flags(mine, tmp_path, private_key_pem=signing.private_pem(stray)))
    check = run.check("api")
    assert check["code"] == "signature_mismatch" and check["details"]["cause"] == "wrong_key"
    assert check["details"]["registered_fingerprint"] == fingerprint(shared_test_key())
    assert fingerprint(stray) in check["message"] and fingerprint(shared_test_key()) in check["message"]
    assert check["details"]["emulator_sources"] == ["GET /_stub/requests", "GET /_stub/merchants"]

    # Without the merchant list, the log alone shows the request arrived intact: the key is the problem.
    logging_emulator.list_merchants = False
    try:
        run = run_doctor(*merchant_flags(mine, tmp_path, private_key_pem=signing.private_pem(other_key)))
    finally:
        logging_emulator.list_merchants = True
    check = run.check("api")
    assert check["code"] == "signature_mismatch" and check["details"]["cause"] == "wrong_key"
    assert "registered_fingerprint" not in check["details"]
    assert "arrived intact" in check["message"]
    assert check["details"]["emulator_sources"] == ["GET /_stub/requests"]


def test_request_log_shows_a_body_changed_after_signing(logging_emulator: LoggingEmulator, tmp_path: Path) -> None:
    mine = logging_emulator.handle.register_merchant()
    logging_emulator.rewrite_bodies = True
    try:
        run = run_doctor(*merchant_flags(mine, tmp_path))
    finally:
        logging_emulator.rewrite_bodies = False
    check = run.check("api")
    assert check["code"] == "signature_mismatch" and check["details"]["cause"] == "altered_in_transit"
    assert check["details"]["altered"] == ["body"]
    assert "changed after it was signed" in check["message"]
    assert run_doctor(*merchant_flags(mine, tmp_path)).code == 0


# --- the Flask app's own configuration -----------------------------------------------------------------


APP_SOURCE = '''
from flask import Flask
from paykka_embed import PayKKa


def create_app():
    print("Starting the shop")  # with --json, this must not reach stdout
    app = Flask(__name__)
    app.config.update({config!r})
    if {extension!r}:
        PayKKa(app)
    return app
'''


def write_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: dict[str, Any], *,
              extension: bool = True) -> str:
    monkeypatch.setattr(sys, "path", list(sys.path))  # flask --app puts the app's folder first; undo it after
    name = f"shop_{uuid.uuid4().hex[:12]}"
    config = {"PAYKKA_DATABASE": str(tmp_path / "shop.sqlite3"), **config}
    (tmp_path / f"{name}.py").write_text(APP_SOURCE.format(config=config, extension=extension))
    return f"{tmp_path / name}.py:create_app()"


def test_app_configuration_and_the_urls_it_sends(paykka_merchant: MerchantAccount, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    spec = write_app(tmp_path, monkeypatch, paykka_merchant.flask_config())
    run = run_doctor("--app", spec, "--public-url", "http://127.0.0.1:5000")
    assert run.code == 0, run.report
    assert run.verdict("app") == ("pass", "ok")
    assert run.report["sources"]["merchant_id"] == "PAYKKA_MERCHANT_ID in the app config"
    assert run.check("notify_url")["details"]["url"] == "http://127.0.0.1:5000/paykka/webhook"
    assert run.check("return_url")["details"]["url"].startswith("http://127.0.0.1:5000/paykka/return?trans_id=")

    live = run_doctor("--app", spec, "--env", "production", "--offline", "--public-url", "http://127.0.0.1:5000")
    assert live.code == 1
    assert live.verdict("notify_url") == ("fail", "not_https")
    public = run_doctor("--app", spec, "--env", "production", "--offline", "--public-url", "https://127.0.0.1")
    assert public.verdict("notify_url") == ("fail", "not_public")
    assert public.verdict("return_url") == ("fail", "not_public")
    without = run_doctor("--app", spec, "--offline")
    assert without.verdict("notify_url") == ("skip", "not_configured")
    assert "--public-url" in without.check("notify_url")["message"]


def test_app_with_the_test_merchant_it_registers_itself(paykka_stub: StubHandle, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's minimal app has no credentials: in stub mode it registers a test merchant and
    keeps it in its instance folder. The doctor checks that merchant, not "missing" four times."""
    spec = write_app(tmp_path, monkeypatch, {"PAYKKA_ENV": "stub", "PAYKKA_API_BASE": paykka_stub.url})
    run = run_doctor("--app", spec, "--public-url", "http://127.0.0.1:5000")
    assert run.code == 0, run.report
    assert run.report["sources"]["merchant_id"].startswith("the test merchant the app registered with the emulator")
    assert "paykka-test-merchant.json" in run.report["sources"]["private_key"]
    assert run.verdict("api") == ("pass", "ok") and run.verdict("response_signature")[0] == "pass"
    again = run_doctor("--app", spec, "--public-url", "http://127.0.0.1:5000")  # the same merchant, kept
    assert again.check("ids")["details"]["merchant_id"] == run.check("ids")["details"]["merchant_id"]

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    (tmp_path / "gone").mkdir()
    gone = run_doctor("--app", write_app(tmp_path / "gone", monkeypatch, {"PAYKKA_ENV": "stub",
                                                                          "PAYKKA_API_BASE": closed}))
    assert gone.code == 1 and gone.verdict("app") == ("fail", "emulator_unreachable")
    assert "is `paykka-embed stub` running?" in gone.check("app")["message"], gone.check("app")
    assert gone.check("app")["fix"].startswith("start the emulator (`paykka-embed stub`")
    assert "routes" not in gone.check("app")["fix"]


def test_app_that_does_not_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_doctor("--app", f"no_such_module_{uuid.uuid4().hex[:8]}:app")
    assert run.code == 1
    assert run.verdict("app") == ("fail", "app_not_loaded")
    assert [c["id"] for c in run.report["checks"]] == ["app"]

    spec = write_app(tmp_path, monkeypatch, {"PAYKKA_ENV": "sandbox", "PAYKKA_MERCHANT_ID": "10000000000001",
                                             "PAYKKA_PRIVATE_KEY": "not a key", "PAYKKA_PLATFORM_PUBLIC_KEY": "x",
                                             "PAYKKA_CLIENT_KEY": "ck_0"})
    refused = run_doctor("--app", spec)
    assert refused.verdict("app") == ("fail", "app_config_refused")
    assert "PAYKKA_PRIVATE_KEY" in refused.check("app")["message"]
    assert "Starting the shop" in refused.said


def test_app_without_the_extension(paykka_merchant: MerchantAccount, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config: dict[str, Any] = dict(paykka_merchant.flask_config(), PAYKKA_PLATFORM_PUBLIC_KEY=12345)
    spec = write_app(tmp_path, monkeypatch, config, extension=False)
    run = run_doctor("--app", spec, "--public-url", "https://shop.teaandclay.com")
    assert run.verdict("app") == ("pass", "ok")
    assert "no PayKKa extension" in run.check("app")["message"]
    assert run.verdict("platform_key") == ("fail", "unreadable")
    assert "holds a int" in run.check("platform_key")["message"]
    assert run.verdict("api") == ("pass", "ok")  # the probe needs no platform key
    assert run.verdict("notify_url") == ("skip", "not_configured")
    assert "no PayKKa extension" in run.check("notify_url")["message"]


# --- what is printed ---------------------------------------------------------------------------------


def _secrets_in(text: str, pem: str) -> list[str]:
    body_lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    found = [line for line in body_lines if line in text]
    found += re.findall(r"[A-Za-z0-9+/%=]{100,}", text)  # a signature is 344 characters of Base64
    return found


def test_text_output_never_shows_a_private_key_or_a_signature(paykka_merchant: MerchantAccount, tmp_path: Path,
                                                              other_key: Any) -> None:
    environ = {k: str(v) for k, v in paykka_merchant.flask_config().items()}
    code, text = run_text(environ=environ)
    assert code == 0, text
    assert "PASS  Signed request" in text and "All " in text and "checks passed" in text
    assert _secrets_in(text, paykka_merchant.private_key_pem) == []

    wrong = dict(environ, PAYKKA_PRIVATE_KEY=signing.private_pem(other_key))
    code, text = run_text(environ=wrong)
    assert code == 1
    assert "FAIL  Signed request" in text and "Fix:" in text
    assert _secrets_in(text, wrong["PAYKKA_PRIVATE_KEY"]) == []

    # A private key pasted where the client key belongs is described, not echoed.
    pasted = dict(environ, PAYKKA_CLIENT_KEY=signing.private_pem(other_key))
    code, text = run_text("--offline", environ=pasted)
    assert code == 1 and "looks like a key" in " ".join(text.split())
    assert _secrets_in(text, pasted["PAYKKA_CLIENT_KEY"]) == []


def _cli() -> str:
    script = Path(sys.executable).parent / "paykka-embed"
    assert script.exists(), f"the console script is not installed beside {sys.executable}"
    return str(script)


def test_the_installed_command(paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PAYKKA_")}
    flags = merchant_flags(paykka_merchant, tmp_path)
    done = subprocess.run([_cli(), "doctor", *flags], capture_output=True, text=True, env=environ, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  Signed request" in done.stdout and "checks passed" in done.stdout

    bad = merchant_flags(paykka_merchant, tmp_path, merchant_id="98765432109876", app_id="98765432109876")
    done = subprocess.run([_cli(), "doctor", *bad, "--json"], capture_output=True, text=True, env=environ,
                          timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is False
    assert [c["code"] for c in report["checks"] if c["status"] == "fail"] == ["unknown_merchant"]
    assert "Sending a signed Query Transaction" in done.stderr

    usage = subprocess.run([_cli(), "doctor", "--public-url", "https://shop.teaandclay.com"], capture_output=True,
                           text=True, env=environ, timeout=60)
    assert usage.returncode == 2 and "--public-url needs --app" in usage.stderr


def test_skewed_clock(paykka_stub: StubHandle, paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    # The emulator takes real time + 900 s as "now": this machine's clock is 15 minutes behind it.
    try:
        paykka_stub.skew_signature_clock(900)
        run = run_doctor(*merchant_flags(paykka_merchant, tmp_path))
        paykka_stub.skew_signature_clock(-120)
        drifting = run_doctor(*merchant_flags(paykka_merchant, tmp_path))
    finally:
        paykka_stub.skew_signature_clock(0)
    assert run.code == 1
    check = run.check("api")
    assert (check["status"], check["code"]) == ("fail", "clock_skew")
    assert check["details"]["ret_code"] == "206004"
    assert 890 < check["details"]["skew_seconds"] < 910
    assert "clock is 900 seconds behind" in check["message"]
    assert "NTP" in check["fix"]
    assert run.verdict("clock") == ("fail", "skewed")
    assert run.verdict("response_signature") == ("pass", "ok")  # the refusal is signed, at the emulator's time
    assert run.failed() == ["api", "clock"]

    # Two minutes ahead: requests still pass, but the clock fails.
    assert drifting.verdict("api") == ("pass", "ok")
    assert drifting.verdict("clock") == ("fail", "drifting")
    assert "120 seconds ahead of" in drifting.check("clock")["message"]
    assert drifting.code == 1
