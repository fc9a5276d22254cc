"""PayKKa v3 signatures: the five-line string, SHA256withRSA, Base64, URL-encoding.

The interoperability tests run the real ``openssl`` command line, so a mistake that
our own sign/verify pair would share (wrong string, wrong padding, wrong encoding)
cannot hide behind a round trip through the same code.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from paykka_embed import signing
from paykka_embed.errors import SignatureError

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"

PATH = "/v3/payment/acq/session"
TS = "1757387467986"
NOW = int(TS)
NONCE = "1234567890123456789"
BODY = json.dumps(
    {"merchant_id": "18356675194960", "trans_id": "m3246749195217", "amount": 800, "currency": "HKD"},
    separators=(",", ":"),
).encode("utf-8")
UNICODE_BODY = json.dumps(
    {"display_merchant_name": "港式茶餐廳 Café №1 💳", "amount": 800}, ensure_ascii=False
).encode("utf-8")


def five_lines(path: str = PATH, ts: str = TS, nonce: str = NONCE, body: bytes = BODY) -> bytes:
    """The string to sign, written out independently of signing.string_to_sign."""
    return f"POST\n{path}\n{ts}\n{nonce}\n".encode("utf-8") + body


def url_encode_b64(b64: str) -> str:
    """The documented encoding of a Base64 signature, spelled out: + → %2B, / → %2F, = → %3D."""
    return b64.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def public_numbers(key: Any) -> Any:
    """What identifies an RSA key pair, for comparing keys loaded from different forms."""
    pub = key.public_key() if hasattr(key, "private_numbers") else key
    return pub.public_numbers()


@pytest.fixture(scope="module")
def key() -> RSAPrivateKey:
    return signing.generate_private_key()


@pytest.fixture(scope="module")
def other_key() -> RSAPrivateKey:
    return signing.generate_private_key()


def run_openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, timeout=30, check=False)


@pytest.fixture(scope="module")
def ossl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with an RSA 2048 key made by openssl: key.pem (PKCS#8), pub.pem, and PKCS#1 forms."""
    d = tmp_path_factory.mktemp("openssl")
    steps = [
        ("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"),
        ("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"),
        ("pkey", "-in", "key.pem", "-traditional", "-out", "key_pkcs1.pem"),
        ("rsa", "-in", "key.pem", "-RSAPublicKey_out", "-out", "pub_pkcs1.pem"),
    ]
    for step in steps:
        done = run_openssl(*step, cwd=d)
        assert done.returncode == 0, done.stderr.decode()
    assert (d / "key.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert (d / "key_pkcs1.pem").read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert (d / "pub_pkcs1.pem").read_text().startswith("-----BEGIN RSA PUBLIC KEY-----")
    return d


def openssl_sign(d: Path, message: bytes) -> str:
    """Sign with `openssl dgst -sha256 -sign`, Base64 with `openssl base64 -A`, URL-encode."""
    (d / "msg.bin").write_bytes(message)
    done = run_openssl("dgst", "-sha256", "-sign", "key.pem", "-out", "sig.bin", "msg.bin", cwd=d)
    assert done.returncode == 0, done.stderr.decode()
    done = run_openssl("base64", "-A", "-in", "sig.bin", cwd=d)
    assert done.returncode == 0, done.stderr.decode()
    return url_encode_b64(done.stdout.decode("ascii").strip())


def openssl_verify(d: Path, pubkey: str, message: bytes, header_value: str) -> subprocess.CompletedProcess[bytes]:
    (d / "check.bin").write_bytes(message)
    (d / "check.sig").write_bytes(base64.b64decode(unquote(header_value)))
    return run_openssl("dgst", "-sha256", "-verify", pubkey, "-signature", "check.sig", "check.bin", cwd=d)


def headers_for(key: RSAPrivateKey, *, path: str = PATH, body: bytes = BODY,
                ts: str = TS, nonce: str = NONCE) -> dict[str, str]:
    return signing.signed_headers(key, "978594372956732", path, body, timestamp_ms=int(ts), nonce=nonce)


# --- the string to sign ------------------------------------------------------------------------


def test_string_to_sign_is_the_five_lines_without_trailing_newline() -> None:
    assert signing.string_to_sign("POST", PATH, TS, NONCE, BODY) == (
        b"POST\n/v3/payment/acq/session\n1757387467986\n1234567890123456789\n" + BODY
    )


def test_string_to_sign_upper_cases_the_method() -> None:
    assert signing.string_to_sign("post", PATH, TS, NONCE, BODY) == five_lines()


def test_string_to_sign_keeps_body_bytes_as_they_are() -> None:
    """Non-ASCII bytes are signed as sent: no re-encoding, no JSON normalisation."""
    assert signing.string_to_sign("POST", PATH, TS, NONCE, UNICODE_BODY).endswith(b"\n" + UNICODE_BODY)
    assert signing.string_to_sign("POST", PATH, TS, NONCE, b"") == five_lines(body=b"")


# --- sign / verify -----------------------------------------------------------------------------


def test_sign_is_url_encoded_base64_of_a_2048_bit_signature(key: RSAPrivateKey) -> None:
    value = signing.sign(key, "POST", PATH, TS, NONCE, BODY)
    assert re.fullmatch(r"(?:[A-Za-z0-9]|%2B|%2F|%3D)+", value), value
    raw = base64.b64decode(unquote(value), validate=True)
    assert len(raw) == 256
    # 256 bytes always need two pad characters, and both must be encoded.
    assert value.endswith("%3D%3D")
    assert value == url_encode_b64(base64.b64encode(raw).decode("ascii"))


def test_sign_encodes_plus_and_slash(key: RSAPrivateKey) -> None:
    """PKCS#1 v1.5 is deterministic, so look for nonces whose signature holds '+' and '/'."""
    seen = set()
    for i in range(40):
        nonce = f"{10**18 + i}"
        value = signing.sign(key, "POST", PATH, TS, nonce, BODY)
        b64 = base64.b64encode(base64.b64decode(unquote(value))).decode()
        seen |= {c for c in "+/" if c in b64}
        assert "+" not in value and "/" not in value and "=" not in value
        assert value == url_encode_b64(b64)
        if seen == {"+", "/"}:
            break
    assert seen == {"+", "/"}


def test_sign_then_verify(key: RSAPrivateKey) -> None:
    value = signing.sign(key, "POST", PATH, TS, NONCE, BODY)
    signing.verify(key.public_key(), "POST", PATH, TS, NONCE, BODY, value)


def test_verify_also_takes_base64_that_was_not_url_encoded(key: RSAPrivateKey) -> None:
    value = signing.sign(key, "POST", PATH, TS, NONCE, BODY)
    signing.verify(key.public_key(), "POST", PATH, TS, NONCE, BODY, unquote(value))


def test_verify_refuses_another_key(key: RSAPrivateKey, other_key: RSAPrivateKey) -> None:
    value = signing.sign(other_key, "POST", PATH, TS, NONCE, BODY)
    with pytest.raises(SignatureError) as info:
        signing.verify(key.public_key(), "POST", PATH, TS, NONCE, BODY, value)
    assert info.value.ret_code == "206003"


@pytest.mark.parametrize("value", ["not base64!", "%ZZ", "QUJD%3", "é", ""])
def test_verify_refuses_what_is_not_base64_or_not_a_signature(key: RSAPrivateKey, value: str) -> None:
    with pytest.raises(SignatureError) as info:
        signing.verify(key.public_key(), "POST", PATH, TS, NONCE, BODY, value)
    assert info.value.ret_code == "206003"


def test_signature_header_form_matches_urllib_for_any_bytes() -> None:
    """encode/decode_signature are the fast forms of quote(b64, safe="") and b64decode(unquote(v))."""
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st
    from urllib.parse import quote

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.binary(max_size=300), st.booleans())
    def check(raw: bytes, lower: bool) -> None:
        b64 = base64.b64encode(raw).decode("ascii")
        value = signing.encode_signature(raw)
        assert value == quote(b64, safe="")
        assert signing.decode_signature(value) == raw
        assert signing.decode_signature(b64) == raw  # not URL-encoded at all
        # Escapes written in lower case, or of characters that need none, are still understood.
        if lower:
            head, *escapes = value.split("%")
            other = "%".join([head] + [e[:2].lower() + e[2:] for e in escapes])
        else:
            other = "".join(f"%{ord(c):02X}" for c in b64)
        assert signing.decode_signature(other) == raw

    check()


def test_decode_signature_refuses_what_is_not_base64() -> None:
    for value in ("not base64!", "%ZZ", "QUJD%3", "é", "QUJ%2"):
        with pytest.raises(ValueError):
            signing.decode_signature(value)


# --- interoperability with the openssl command line --------------------------------------------


@pytest.mark.parametrize("body", [BODY, UNICODE_BODY, b""], ids=["json", "unicode", "empty"])
def test_openssl_signature_is_accepted(ossl: Path, body: bytes) -> None:
    header = openssl_sign(ossl, five_lines(body=body))
    public = signing.load_public_key(ossl / "pub.pem")
    signing.verify(public, "POST", PATH, TS, NONCE, body, header)
    headers = {
        "x-paykka-appid": "978594372956732",
        "x-paykka-timestamp": TS,
        "x-paykka-nonce": NONCE,
        "x-paykka-sign": header,
        "x-paykka-sign-alg": "SHA256_WITH_RSA",
    }
    verified = signing.verify_headers(public, PATH, headers, body, now_ms_value=NOW)
    assert verified == signing.VerifiedHeaders("978594372956732", NOW, NONCE)
    with pytest.raises(SignatureError):
        signing.verify_headers(public, PATH, headers, body + b" ", now_ms_value=NOW)


def test_our_signature_equals_openssls(ossl: Path) -> None:
    """SHA256withRSA (PKCS#1 v1.5) is deterministic: same key, same bytes, same header value."""
    ours = signing.sign(signing.load_private_key(ossl / "key.pem"), "POST", PATH, TS, NONCE, UNICODE_BODY)
    assert ours == openssl_sign(ossl, five_lines(body=UNICODE_BODY))


@pytest.mark.parametrize("body", [BODY, UNICODE_BODY, b""], ids=["json", "unicode", "empty"])
def test_openssl_verifies_our_signature(ossl: Path, body: bytes) -> None:
    private = signing.load_private_key((ossl / "key.pem").read_text())
    header = signing.signed_headers(private, "app", PATH, body, timestamp_ms=NOW, nonce=NONCE)["x-paykka-sign"]
    done = openssl_verify(ossl, "pub.pem", five_lines(body=body), header)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Verified OK" in done.stdout
    tampered = openssl_verify(ossl, "pub.pem", five_lines(body=body + b"x"), header)
    assert tampered.returncode != 0


def test_openssl_reads_our_pem_and_verifies_with_it(ossl: Path, key: RSAPrivateKey) -> None:
    """Our exported PEM is what a merchant uploads to PayKKa: openssl must read and use it."""
    (ossl / "ours_pub.pem").write_text(signing.public_pem(key))
    header = signing.sign(key, "POST", PATH, TS, NONCE, BODY)
    done = openssl_verify(ossl, "ours_pub.pem", five_lines(), header)
    assert done.returncode == 0, done.stderr.decode()
    (ossl / "ours_key.pem").write_text(signing.private_pem(key))
    done = run_openssl("pkey", "-in", "ours_key.pem", "-check", "-noout", cwd=ossl)
    assert done.returncode == 0, done.stderr.decode()


# --- loading keys ------------------------------------------------------------------------------


def _bare_base64(pem: str, *, keep_newlines: bool = False) -> str:
    body = [line for line in pem.strip().splitlines() if not line.startswith("-----")]
    return ("\n" if keep_newlines else "").join(body)


@pytest.mark.parametrize(
    "form",
    ["pem-str", "pem-bytes", "path", "path-str", "bare-base64", "bare-base64-lines", "pkcs1-pem", "padded"],
)
def test_load_private_key_forms(ossl: Path, form: str) -> None:
    pem = (ossl / "key.pem").read_text()
    value: Any = {
        "pem-str": pem,
        "pem-bytes": pem.encode(),
        "path": ossl / "key.pem",
        "path-str": str(ossl / "key.pem"),
        "bare-base64": _bare_base64(pem),
        "bare-base64-lines": _bare_base64(pem, keep_newlines=True),
        "pkcs1-pem": (ossl / "key_pkcs1.pem").read_text(),
        "padded": "\n  " + _bare_base64(pem) + "  \n",
    }[form]
    expected = serialization.load_pem_private_key(pem.encode(), password=None)
    assert public_numbers(signing.load_private_key(value)) == public_numbers(expected)


@pytest.mark.parametrize("form", ["pem-str", "pem-bytes", "path", "path-str", "bare-base64", "pkcs1-pem"])
def test_load_public_key_forms(ossl: Path, form: str) -> None:
    pem = (ossl / "pub.pem").read_text()
    value: Any = {
        "pem-str": pem,
        "pem-bytes": pem.encode(),
        "path": ossl / "pub.pem",
        "path-str": str(ossl / "pub.pem"),
        "bare-base64": _bare_base64(pem),
        "pkcs1-pem": (ossl / "pub_pkcs1.pem").read_text(),
    }[form]
    expected = signing.load_private_key(ossl / "key.pem").public_key()
    assert public_numbers(signing.load_public_key(value)) == public_numbers(expected)


def test_key_objects_pass_through(key: RSAPrivateKey) -> None:
    assert signing.load_private_key(key) is key
    pub = key.public_key()
    assert signing.load_public_key(pub) is pub


def test_load_key_from_a_non_ascii_path(tmp_path: Path, key: RSAPrivateKey) -> None:
    """A path given as text may hold any character; it used to be encoded as ASCII and fail."""
    folder = tmp_path / "clés de José"
    folder.mkdir()
    (folder / "marchand.pem").write_text(signing.private_pem(key))
    (folder / "plateforme.pem").write_text(signing.public_pem(key))
    assert public_numbers(signing.load_private_key(str(folder / "marchand.pem"))) == public_numbers(key)
    assert public_numbers(signing.load_public_key(str(folder / "plateforme.pem"))) == public_numbers(key)


def test_pem_round_trip(key: RSAPrivateKey) -> None:
    pem = signing.private_pem(key)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as PayKKa asks
    assert signing.public_pem(key).startswith("-----BEGIN PUBLIC KEY-----")
    assert signing.public_pem(key) == signing.public_pem(key.public_key())
    assert public_numbers(signing.load_private_key(pem)) == public_numbers(key)


def _ec_pems() -> tuple[str, str]:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    private = ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


GARBAGE = ["not a key", "", "   ", b"\x00\xff\xfe", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
           "QUJDRA==", "/no/such/dir/key.pem", "clé", None, 42]


@pytest.mark.parametrize("value", GARBAGE)
def test_load_private_key_refuses_garbage_with_value_error(value: object) -> None:
    with pytest.raises(ValueError, match=r"^private key: "):
        signing.load_private_key(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", GARBAGE)
def test_load_public_key_refuses_garbage_with_value_error(value: object) -> None:
    with pytest.raises(ValueError, match=r"^public key: "):
        signing.load_public_key(value)  # type: ignore[arg-type]


def test_missing_key_file_is_a_value_error(tmp_path: Path) -> None:
    """Callers (client, Flask extension) turn ValueError into a config error; OSError escaped them."""
    with pytest.raises(ValueError, match=r"^private key: cannot read"):
        signing.load_private_key(tmp_path / "absent.pem")
    with pytest.raises(ValueError, match=r"^public key: cannot read"):
        signing.load_public_key(tmp_path / "absent.pem")


def test_wrong_kind_of_key_is_refused(key: RSAPrivateKey) -> None:
    ec_private, ec_public = _ec_pems()
    with pytest.raises(ValueError, match="must be an RSA key"):
        signing.load_private_key(ec_private)
    with pytest.raises(ValueError, match="must be an RSA key"):
        signing.load_public_key(ec_public)
    # A public key where the private one belongs, and the other way round.
    with pytest.raises(ValueError, match=r"^private key: "):
        signing.load_private_key(signing.public_pem(key))
    with pytest.raises(ValueError, match=r"^public key: "):
        signing.load_public_key(signing.private_pem(key))


def test_encrypted_private_key_is_refused(key: RSAPrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(ValueError, match=r"^private key: "):
        signing.load_private_key(pem)


# --- signed_headers ----------------------------------------------------------------------------


def test_signed_headers_carry_every_header(key: RSAPrivateKey) -> None:
    headers = headers_for(key)
    assert headers == {
        "x-paykka-appid": "978594372956732",
        "x-paykka-timestamp": TS,
        "x-paykka-nonce": NONCE,
        "x-paykka-sign-alg": "SHA256_WITH_RSA",
        "x-paykka-sign": signing.sign(key, "POST", PATH, TS, NONCE, BODY),
    }


def test_signed_headers_defaults_are_fresh_ms_timestamp_and_19_digit_nonce(key: RSAPrivateKey) -> None:
    first = signing.signed_headers(key, "app", PATH, BODY)
    second = signing.signed_headers(key, "app", PATH, BODY)
    for h in (first, second):
        assert re.fullmatch(r"[0-9]{13}", h["x-paykka-timestamp"])
        assert re.fullmatch(r"[1-9][0-9]{18}", h["x-paykka-nonce"])
        # Verifies against the real clock: the default timestamp is now, in milliseconds.
        signing.verify_headers(key.public_key(), PATH, h, BODY)
    assert first["x-paykka-nonce"] != second["x-paykka-nonce"]


def test_new_nonce_shape() -> None:
    nonces = {signing.new_nonce() for _ in range(200)}
    assert len(nonces) == 200
    assert all(re.fullmatch(r"[1-9][0-9]{18}", n) for n in nonces)


# --- verify_headers ----------------------------------------------------------------------------


def test_verify_headers_returns_what_was_signed(key: RSAPrivateKey) -> None:
    verified = signing.verify_headers(key.public_key(), PATH, headers_for(key), BODY, now_ms_value=NOW)
    assert verified == signing.VerifiedHeaders(app_id="978594372956732", timestamp_ms=NOW, nonce=NONCE)


def test_header_names_are_case_insensitive(key: RSAPrivateKey) -> None:
    items = enumerate(headers_for(key).items())
    shouted = {name.upper() if i % 2 else name.title(): value for i, (name, value) in items}
    assert "x-paykka-sign" not in shouted and "x-paykka-timestamp" not in shouted
    verified = signing.verify_headers(key.public_key(), PATH, shouted, BODY, now_ms_value=NOW)
    assert verified.nonce == NONCE and verified.app_id == "978594372956732"
    signing.verify_headers(key.public_key(), PATH, httpx.Headers(shouted), BODY, now_ms_value=NOW)


def test_sign_alg_header_may_be_absent(key: RSAPrivateKey) -> None:
    headers = headers_for(key)
    del headers["x-paykka-sign-alg"]
    del headers["x-paykka-appid"]
    assert signing.verify_headers(key.public_key(), PATH, headers, BODY, now_ms_value=NOW).app_id is None


@pytest.mark.parametrize("name", ["x-paykka-sign", "x-paykka-timestamp", "x-paykka-nonce"])
@pytest.mark.parametrize("how", ["absent", "empty"])
def test_missing_header_is_206002(key: RSAPrivateKey, name: str, how: str) -> None:
    headers = headers_for(key)
    if how == "absent":
        del headers[name]
    else:
        headers[name] = ""
    with pytest.raises(SignatureError, match=name) as info:
        signing.verify_headers(key.public_key(), PATH, headers, BODY, now_ms_value=NOW)
    assert info.value.ret_code == "206002"


@pytest.mark.parametrize("alg", ["SHA1_WITH_RSA", "sha256_with_rsa", "RSA256", "HMAC_SHA256", ""])
def test_wrong_sign_alg_is_206003(key: RSAPrivateKey, alg: str) -> None:
    headers = {**headers_for(key), "X-PayKKa-Sign-Alg": alg}
    del headers["x-paykka-sign-alg"]
    with pytest.raises(SignatureError, match="x-paykka-sign-alg") as info:
        signing.verify_headers(key.public_key(), PATH, headers, BODY, now_ms_value=NOW)
    assert info.value.ret_code == "206003"


WINDOW_MS = 5 * 60 * 1000


@pytest.mark.parametrize("offset", [0, 1, -1, WINDOW_MS, -WINDOW_MS], ids=str)
def test_inside_the_window_is_accepted(key: RSAPrivateKey, offset: int) -> None:
    """Exactly five minutes away, either side, is still inside: the rule is 'within 5 minutes'."""
    signing.verify_headers(key.public_key(), PATH, headers_for(key), BODY, now_ms_value=NOW + offset)


@pytest.mark.parametrize("offset", [WINDOW_MS + 1, -WINDOW_MS - 1, 3_600_000, -86_400_000], ids=str)
def test_outside_the_window_is_206004(key: RSAPrivateKey, offset: int) -> None:
    """Both an old message (clock ahead of it) and one from the future are refused."""
    with pytest.raises(SignatureError) as info:
        signing.verify_headers(key.public_key(), PATH, headers_for(key), BODY, now_ms_value=NOW + offset)
    assert info.value.ret_code == "206004"


def test_seconds_instead_of_milliseconds_is_206004(key: RSAPrivateKey) -> None:
    headers = headers_for(key, ts=str(NOW // 1000))
    with pytest.raises(SignatureError) as info:
        signing.verify_headers(key.public_key(), PATH, headers, BODY, now_ms_value=NOW)
    assert info.value.ret_code == "206004"


def test_custom_window(key: RSAPrivateKey) -> None:
    signing.verify_headers(key.public_key(), PATH, headers_for(key), BODY, now_ms_value=NOW + 10_000,
                           window_seconds=10)
    with pytest.raises(SignatureError) as info:
        signing.verify_headers(key.public_key(), PATH, headers_for(key), BODY, now_ms_value=NOW + 10_001,
                               window_seconds=10)
    assert info.value.ret_code == "206004"


def _tamper_sign(value: str) -> str:
    raw = bytearray(base64.b64decode(unquote(value)))
    raw[100] ^= 0x01
    return url_encode_b64(base64.b64encode(bytes(raw)).decode())


Tamper = Callable[[dict[str, str], str, bytes], tuple[dict[str, str], str, bytes]]
TAMPERS: dict[str, Tamper] = {
    "body": lambda h, p, b: (h, p, b.replace(b"800", b"900")),
    "body-trailing-newline": lambda h, p, b: (h, p, b + b"\n"),
    "body-empty": lambda h, p, b: (h, p, b""),
    "path": lambda h, p, b: (h, "/v3/payment/acq/query", b),
    "path-with-query": lambda h, p, b: (h, p + "?x=1", b),
    "timestamp": lambda h, p, b: ({**h, "x-paykka-timestamp": str(NOW + 1)}, p, b),
    "nonce": lambda h, p, b: ({**h, "x-paykka-nonce": NONCE[:-1] + "0"}, p, b),
    "signature-bit": lambda h, p, b: ({**h, "x-paykka-sign": _tamper_sign(h["x-paykka-sign"])}, p, b),
    "signature-truncated": lambda h, p, b: ({**h, "x-paykka-sign": h["x-paykka-sign"][:-12] + "%3D%3D"}, p, b),
    "signature-garbage": lambda h, p, b: ({**h, "x-paykka-sign": "!!!"}, p, b),
}


@pytest.mark.parametrize("what", list(TAMPERS))
def test_tampering_is_206003(key: RSAPrivateKey, what: str) -> None:
    headers, path, body = TAMPERS[what](headers_for(key), PATH, BODY)
    with pytest.raises(SignatureError) as info:
        signing.verify_headers(key.public_key(), path, headers, body, now_ms_value=NOW)
    assert info.value.ret_code == "206003"


def test_signature_by_another_key_is_206003(key: RSAPrivateKey,
                                            other_key: RSAPrivateKey) -> None:
    with pytest.raises(SignatureError) as info:
        signing.verify_headers(key.public_key(), PATH, headers_for(other_key), BODY, now_ms_value=NOW)
    assert info.value.ret_code == "206003"


@pytest.mark.parametrize("ts", ["abc", "1757387467986.5", "-1757387467986", " 1757387467986", "1" * 17,
                                "²", "１７５７３８７４６７９８６", "١٧٥٧٣٨٧٤٦٧٩٨٦"])
def test_malformed_timestamp_is_206003(key: RSAPrivateKey, ts: str) -> None:
    """Only ASCII digits: '²' passed str.isdigit() and then crashed int() with a bare ValueError."""
    headers = {**headers_for(key), "x-paykka-timestamp": ts}
    with pytest.raises(SignatureError, match="x-paykka-timestamp") as info:
        signing.verify_headers(key.public_key(), PATH, headers, BODY, now_ms_value=NOW)
    assert info.value.ret_code == "206003"


@pytest.mark.parametrize("length,ok", [(9, False), (10, True), (100, True), (101, False)])
def test_nonce_length_rule(key: RSAPrivateKey, length: int, ok: bool) -> None:
    nonce = "7" * length
    headers = headers_for(key, nonce=nonce)
    if ok:
        assert signing.verify_headers(key.public_key(), PATH, headers, BODY, now_ms_value=NOW).nonce == nonce
    else:
        with pytest.raises(SignatureError, match="x-paykka-nonce") as info:
            signing.verify_headers(key.public_key(), PATH, headers, BODY, now_ms_value=NOW)
        assert info.value.ret_code == "206003"


def test_unicode_body_is_verified_on_raw_bytes(key: RSAPrivateKey) -> None:
    """The same JSON re-encoded with \\u escapes is different bytes, so it must not verify."""
    headers = headers_for(key, body=UNICODE_BODY)
    signing.verify_headers(key.public_key(), PATH, headers, UNICODE_BODY, now_ms_value=NOW)
    escaped = json.dumps(json.loads(UNICODE_BODY)).encode("ascii")
    assert json.loads(escaped) == json.loads(UNICODE_BODY)
    with pytest.raises(SignatureError) as info:
        signing.verify_headers(key.public_key(), PATH, headers, escaped, now_ms_value=NOW)
    assert info.value.ret_code == "206003"


def test_empty_body(key: RSAPrivateKey) -> None:
    headers = headers_for(key, body=b"")
    signing.verify_headers(key.public_key(), PATH, headers, b"", now_ms_value=NOW)
    with pytest.raises(SignatureError):
        signing.verify_headers(key.public_key(), PATH, headers, b" ", now_ms_value=NOW)
