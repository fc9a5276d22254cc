"""PayKKa v3 request, response and webhook signatures.

Every v3 message is signed with SHA256withRSA over five lines::

    POST\\n{path}\\n{timestamp}\\n{nonce}\\n{raw body}

The signature is Base64-encoded, then URL-encoded, and travels in ``x-paykka-sign``
beside ``x-paykka-appid``, ``x-paykka-timestamp`` (milliseconds), ``x-paykka-nonce``
and ``x-paykka-sign-alg: SHA256_WITH_RSA``. Merchants sign requests with their own
private key; PayKKa (and the local stub) signs responses and webhooks with the
platform key. The same code serves all three directions so they cannot drift.

Verification works on the raw bytes as received: parse JSON only after this
module has accepted them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import SignatureError

SIGN_ALG = "SHA256_WITH_RSA"
WINDOW_SECONDS = 300

H_APPID = "x-paykka-appid"
H_TIMESTAMP = "x-paykka-timestamp"
H_NONCE = "x-paykka-nonce"
H_SIGN = "x-paykka-sign"
H_SIGN_ALG = "x-paykka-sign-alg"

# PayKKa's ret_codes for the three ways a signature can be refused.
CODE_MISSING = "206002"
CODE_INVALID = "206003"
CODE_EXPIRED = "206004"

_TIMESTAMP = re.compile(r"[0-9]{1,16}")


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes PayKKa signs. ``path`` is the URL path only: no host, no query."""
    head = "\n".join([method.upper(), path, timestamp, nonce]).encode("utf-8")
    return head + b"\n" + body


def _pem_text(value: str | bytes | Path, what: str) -> bytes:
    """Accept PEM text, a path to a PEM file, or bare Base64 DER (as PayKKa's portal hands keys out)."""
    if isinstance(value, Path):
        return _read_key_file(value, what)
    if isinstance(value, str):
        raw = value.encode("utf-8")  # a path may well be non-ASCII; PEM and Base64 are ASCII anyway
    elif isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
    else:
        # None (an unset setting) or a wrong object: a ValueError, which callers already turn into messages.
        raise ValueError(f"{what}: expected PEM text, a file path or Base64 DER, not {type(value).__name__}")
    if b"-----BEGIN" in raw:
        return raw
    stripped = raw.strip()
    if stripped and len(stripped) < 4096 and b"\n" not in stripped:
        candidate = Path(os.fsdecode(stripped))
        try:
            is_file = candidate.is_file()
        except (OSError, ValueError):
            is_file = False
        if is_file:
            return _read_key_file(candidate, what)
    return stripped


def _read_key_file(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{what}: cannot read {path}: {exc.strerror or exc}") from exc


def load_private_key(value: str | bytes | Path | rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    """Load an RSA private key from PEM (PKCS#8 or PKCS#1), a file path, or bare Base64 PKCS#8."""
    if isinstance(value, rsa.RSAPrivateKey):
        return value
    data = _pem_text(value, "private key")
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password=None)
        else:
            key = serialization.load_der_private_key(base64.b64decode(data), password=None)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValueError("private key: not a readable RSA private key (PEM, file path or Base64 PKCS#8)") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("private key: must be an RSA key")
    return key


def load_public_key(value: str | bytes | Path | rsa.RSAPublicKey) -> rsa.RSAPublicKey:
    """Load an RSA public key from PEM (SubjectPublicKeyInfo), a file path, or bare Base64 DER."""
    if isinstance(value, rsa.RSAPublicKey):
        return value
    data = _pem_text(value, "public key")
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_der_public_key(base64.b64decode(data))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValueError("public key: not a readable RSA public key (PEM, file path or Base64 DER)") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("public key: must be an RSA key")
    return key


def generate_private_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def public_pem(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> str:
    pub = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return pub.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def fingerprint(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> str:
    """The key's fingerprint as OpenSSH writes one: ``SHA256:`` and the unpadded Base64 of the SHA-256 of
    the public half's DER SubjectPublicKeyInfo (what ``openssl pkey -pubin -outform DER | openssl dgst
    -sha256 -binary | base64`` prints, without the ``=``). It names a key without showing it: the doctor
    and the emulator's dashboard both describe keys this way, so the two can be compared by eye."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode("ascii").rstrip("=")


def sign(key: rsa.RSAPrivateKey, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Return the header value: URL-encoded Base64 of the SHA256withRSA signature."""
    raw = key.sign(string_to_sign(method, path, timestamp, nonce, body), padding.PKCS1v15(), hashes.SHA256())
    return encode_signature(raw)


# Base64 has three characters a URL must escape; translating them is what ``quote(..., safe="")``
# does to Base64 text, without its per-character loop (it ran on every signed message).
_URL_ESCAPES = str.maketrans({"+": "%2B", "/": "%2F", "=": "%3D"})


def encode_signature(raw: bytes) -> str:
    """The header form of a raw signature: Base64, then URL-encoded."""
    return base64.b64encode(raw).decode("ascii").translate(_URL_ESCAPES)


def decode_signature(value: str) -> bytes:
    """The raw signature from its header form; ``ValueError`` (or ``binascii.Error``) when not Base64.

    The upper-case escapes this module writes are undone directly; anything else (lower-case
    escapes, other characters escaped) goes through :func:`urllib.parse.unquote`.
    """
    text = value.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=") if "%" in value else value
    if "%" in text:
        text = unquote(value)
    return base64.b64decode(text, validate=True)


def verify(
    key: rsa.RSAPublicKey, method: str, path: str, timestamp: str, nonce: str, body: bytes, signature: str
) -> None:
    """Raise :class:`SignatureError` unless ``signature`` (as found in the header) is valid."""
    try:
        raw = decode_signature(signature)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("x-paykka-sign: not Base64", ret_code=CODE_INVALID) from exc
    try:
        key.verify(raw, string_to_sign(method, path, timestamp, nonce, body), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureError("x-paykka-sign: signature does not match", ret_code=CODE_INVALID) from exc


def now_ms() -> int:
    return int(time.time() * 1000)


def new_nonce() -> str:
    """A 19-digit random nonce, the shape PayKKa's own examples use (the rule is 10–100 characters)."""
    return str(secrets.randbelow(9 * 10**18) + 10**18)


def signed_headers(
    key: rsa.RSAPrivateKey,
    app_id: str,
    path: str,
    body: bytes,
    *,
    timestamp_ms: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """All ``x-paykka-*`` headers for one POST of ``body`` to ``path``."""
    ts = str(now_ms() if timestamp_ms is None else timestamp_ms)
    nonce = nonce or new_nonce()
    return {
        H_APPID: app_id,
        H_TIMESTAMP: ts,
        H_NONCE: nonce,
        H_SIGN_ALG: SIGN_ALG,
        H_SIGN: sign(key, "POST", path, ts, nonce, body),
    }


@dataclass(frozen=True)
class VerifiedHeaders:
    """What a verified message was signed with: callers remember ``nonce`` to refuse replays."""

    app_id: str | None
    timestamp_ms: int
    nonce: str


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        # Mappings from some servers are case-sensitive; PayKKa's names are lower case.
        for key, val in headers.items():
            if key.lower() == name:
                return val
    return value


def verify_headers(
    key: rsa.RSAPublicKey,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now_ms_value: int | None = None,
    window_seconds: int = WINDOW_SECONDS,
) -> VerifiedHeaders:
    """Check the ``x-paykka-*`` headers of a message against its raw body.

    Raises :class:`SignatureError` with PayKKa's ret_code: ``206002`` when a header is
    missing, ``206004`` when the timestamp is outside the window, ``206003`` otherwise.
    """
    signature = _header(headers, H_SIGN)
    timestamp = _header(headers, H_TIMESTAMP)
    nonce = _header(headers, H_NONCE)
    for name, value in ((H_SIGN, signature), (H_TIMESTAMP, timestamp), (H_NONCE, nonce)):
        if not value:
            raise SignatureError(f"{name}: header is required", ret_code=CODE_MISSING)
    assert signature is not None and timestamp is not None and nonce is not None
    alg = _header(headers, H_SIGN_ALG)
    if alg is not None and alg != SIGN_ALG:
        raise SignatureError(f"{H_SIGN_ALG}: must be {SIGN_ALG}", ret_code=CODE_INVALID)
    # ASCII digits only: str.isdigit() also accepts "²" or "١٢٣", which int() rejects or reads.
    if not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureError(f"{H_TIMESTAMP}: must be milliseconds since the epoch", ret_code=CODE_INVALID)
    if not 10 <= len(nonce) <= 100:
        raise SignatureError(f"{H_NONCE}: must be 10 to 100 characters", ret_code=CODE_INVALID)
    current = now_ms() if now_ms_value is None else now_ms_value
    if abs(current - int(timestamp)) > window_seconds * 1000:
        raise SignatureError(
            f"{H_TIMESTAMP}: outside the {window_seconds // 60}-minute window", ret_code=CODE_EXPIRED
        )
    verify(key, "POST", path, timestamp, nonce, body, signature)
    return VerifiedHeaders(app_id=_header(headers, H_APPID), timestamp_ms=int(timestamp), nonce=nonce)
