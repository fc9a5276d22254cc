"""Offline checks of the credentials: the ids, the merchant's private key, the platform key, the client key.

Keys are read with :mod:`paykka_embed.signing` — the very code that signs requests — so a
key that passes here is a key the client can use. When one cannot be read, the doctor looks
at what it was given to say why (a public key where the private one belongs, an encrypted
key, ``\\n`` typed as two characters in an environment variable, a certificate…).

Keys are described by type, size, format, source and the fingerprint of their public half
(:func:`paykka_embed.signing.fingerprint`: ``SHA256:`` + Base64 of the SHA-256 of its DER
SubjectPublicKeyInfo, the form the emulator's dashboard shows too), never by their content.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar, Union

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from .. import signing
from ..signing import fingerprint
from .report import Check, failed, passed
from .settings import Value

MIN_BITS = 2048
#: ``ck_`` and 32 hexadecimal digits: every client key PayKKa has published, and what the emulator issues.
CLIENT_KEY = re.compile(r"ck_[0-9a-fA-F]{32}")
#: Lengths PayKKa documents: merchant_id String ≤ 32, x-paykka-appid String[1,64].
MAX_MERCHANT_ID = 32
MAX_APP_ID = 64
#: The DER of the rsaEncryption algorithm identifier, present near the start of a PKCS#8 RSA key.
_RSA_OID = bytes.fromhex("06092a864886f70d010101")

KEYGEN_FIX = ("`paykka-embed keys --out DIR` writes a new 2048-bit pair: configure the private key and register "
              "the public one with PayKKa for this merchant (and environment)")

AnyPublicKey = Union[rsa.RSAPublicKey, rsa.RSAPrivateKey]


@dataclass(frozen=True)
class KeyText:
    """The bytes of a configured key, and where they came from: ``file PATH (SOURCE)`` or the source itself."""

    data: bytes
    origin: str


def key_text(value: Value, what: str) -> KeyText:
    """The key's bytes as :mod:`signing` reads them (PEM, a file path, or bare Base64); ``ValueError`` when a
    named file cannot be read."""
    raw = value.value
    data = signing._pem_text(raw, what)
    given = raw.encode("utf-8").strip() if isinstance(raw, str) else bytes(raw) if isinstance(raw, bytes) else b""
    if isinstance(raw, Path) or (data != given and data.strip() != given):
        return KeyText(data, f"file {raw} ({value.source})")
    return KeyText(data, value.source)


def _looks_like_missing_file(raw: Any) -> Optional[str]:
    if not isinstance(raw, (str, Path)):
        return None
    text = str(raw).strip()
    if "\n" in text or "BEGIN" in text or len(text) > 4096:
        return None
    if ("/" in text or "\\" in text or text.endswith((".pem", ".key", ".txt", ".der"))) and not Path(text).exists():
        return text
    return None


def _b64(data: bytes) -> Optional[bytes]:
    try:
        return base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _format(data: bytes) -> str:
    if b"-----BEGIN RSA PRIVATE KEY-----" in data:
        return "PKCS#1 PEM"
    if b"-----BEGIN PRIVATE KEY-----" in data:
        return "PKCS#8 PEM"
    if b"-----BEGIN RSA PUBLIC KEY-----" in data:
        return "PKCS#1 PEM"
    if b"-----BEGIN PUBLIC KEY-----" in data:
        return "X.509 SubjectPublicKeyInfo PEM"
    der = _b64(data) or b""
    return "bare Base64 PKCS#8" if _RSA_OID in der[:32] else "bare Base64 PKCS#1"


def _public_format(data: bytes) -> str:
    if b"-----BEGIN" in data:
        return _format(data)
    return "bare Base64 DER"


def _why_unreadable(data: bytes, raw: Any, *, want_private: bool) -> tuple[str, str, str]:
    """(code, what is wrong, fix) for key text :mod:`signing` could not load."""
    missing = _looks_like_missing_file(raw)
    if missing is not None:
        return ("file_not_found", f"names a file that does not exist: {missing}",
                "give the path of the key file as seen from where the app runs, or the PEM text itself")
    if b"\\n" in data and b"\n" not in data.strip():
        return ("escaped_newlines", "contains \\n typed as two characters instead of line breaks (a common "
                "result of pasting a PEM key into a one-line environment variable or .env file)",
                "store real line breaks (quote the value over several lines), point the setting at a .pem file "
                "instead, or use the bare Base64 body of the key without its BEGIN/END lines")
    if b"ENCRYPTED" in data:
        return ("encrypted", "is encrypted with a passphrase; the toolkit signs with an unencrypted key",
                "decrypt it once: `openssl pkcs8 -topk8 -nocrypt -in encrypted.pem -out merchant-private-key.pem`, "
                "and keep the result as secret as the passphrase was")
    if b"CERTIFICATE" in data:
        return ("certificate", "is an X.509 certificate, not a bare key",
                "extract its public key: `openssl x509 -in cert.pem -pubkey -noout > platform-public-key.pem`"
                if not want_private else "configure the private key itself, not a certificate")
    if want_private and (b"PUBLIC KEY" in data or _loads_as_public(data)):
        return ("public_not_private", "is a public key; this setting needs the private half of your key pair",
                "configure the private key (the public key is the one you registered with PayKKa)")
    if not want_private and (b"PRIVATE KEY" in data or _loads_as_private(data)):
        return ("private_not_public", "is a private key; the platform key is PayKKa's public key (and a private "
                "key does not belong in this setting: treat this one as exposed if it was shared)",
                "configure the platform public key PayKKa gives you for this environment")
    other = _other_key_type(data, want_private)
    if other:
        return ("not_rsa", f"is {other} key; PayKKa signs with RSA (SHA256withRSA)",
                KEYGEN_FIX if want_private else "configure the RSA platform public key PayKKa gives you")
    if b"-----BEGIN" in data:
        return ("unreadable", "has PEM markers but its content is damaged or truncated",
                "copy the key again, whole, from its BEGIN line to its END line")
    return ("unreadable", "is neither PEM, nor Base64 DER of a key, nor the path of a key file",
            "give the PEM text, the bare Base64 body, or the path of the key file")


def _loads_as_public(data: bytes) -> bool:
    der = _b64(data)
    if der is None:
        return False
    try:
        serialization.load_der_public_key(der)
        return True
    except (ValueError, TypeError):
        return False


def _loads_as_private(data: bytes) -> bool:
    der = _b64(data)
    if der is None:
        return False
    try:
        serialization.load_der_private_key(der, password=None)
        return True
    except (ValueError, TypeError):
        return False


def _other_key_type(data: bytes, want_private: bool) -> str:
    """``an EC``, ``an Ed25519``… when the text is a readable key of another type than RSA; empty otherwise."""
    key: Any = None
    try:
        if b"-----BEGIN" in data:
            key = (serialization.load_pem_private_key(data, password=None) if want_private
                   else serialization.load_pem_public_key(data))
        else:
            der = _b64(data)
            if der is not None:
                key = (serialization.load_der_private_key(der, password=None) if want_private
                       else serialization.load_der_public_key(der))
    except (ValueError, TypeError):
        return ""
    if key is None or isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return ""
    kinds = ((ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey, "an EC"),
             (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey, "an Ed25519"),
             (ed448.Ed448PrivateKey, ed448.Ed448PublicKey, "an Ed448"),
             (dsa.DSAPrivateKey, dsa.DSAPublicKey, "a DSA"))
    return next((name for private, public, name in kinds if isinstance(key, (private, public))), "a non-RSA")


def _not_text(check_id: str, title: str, value: Value, exc: ValueError) -> Check:
    """A key setting that is neither text nor a readable file."""
    if isinstance(value.value, (str, bytes, Path)):
        return failed(check_id, title, "file_unreadable", f"{value.source}: {exc}",
                      "make the file readable by the user the app runs as")
    return failed(check_id, title, "unreadable", f"{value.source} holds a {type(value.value).__name__}, "
                  "not key text", "give the PEM text, the bare Base64 body, or the path of the key file")


# --- the checks ------------------------------------------------------------------------------------

K = TypeVar("K", rsa.RSAPrivateKey, rsa.RSAPublicKey)


def _read_key(check_id: str, title: str, value: Value, kind: type[object], load: Callable[[Any], K], *,
              private: bool) -> Union[Check, tuple[K, str, str]]:
    """The configured key with its format and origin, or the failed check that says why it cannot be read.

    One path for both keys a merchant configures, so a private key and the platform key are
    read, and their failures explained, the same way.
    """
    if isinstance(value.value, kind):  # a key object: the loader hands it back as it is
        return load(value.value), "key object", value.source
    label = "private key" if private else "platform public key"
    try:
        text = key_text(value, label)
    except ValueError as exc:
        return _not_text(check_id, title, value, exc)
    try:
        key = load(text.data)
    except ValueError:
        code, what, fix = _why_unreadable(text.data, value.value, want_private=private)
        return failed(check_id, title, code, f"{text.origin} {what}", fix)
    return key, (_format if private else _public_format)(text.data), text.origin



def check_ids(merchant_id: Value, app_id: Value) -> Check:
    title = "Merchant and app id"
    if not merchant_id.present:
        return failed("ids", title, "missing", "no merchant id is configured",
                      "set PAYKKA_MERCHANT_ID (or --merchant-id) to the merchant id PayKKa gave you")
    for name, value, limit in (("merchant id", merchant_id, MAX_MERCHANT_ID), ("app id", app_id, MAX_APP_ID)):
        if not value.present:
            continue
        text = str(value.value)
        if text != text.strip():
            return failed("ids", title, "whitespace", f"the {name} ({value.source}) has spaces or a line break "
                          "around it", "remove them: the id travels in a header and must match exactly")
        if not text.isascii() or not text.isprintable() or " " in text:
            return failed("ids", title, "bad_characters", f"the {name} ({value.source}) has characters an id "
                          "cannot have (spaces, control or non-ASCII characters)",
                          f"copy the {name} again from PayKKa's portal")
        if len(text) > limit:
            return failed("ids", title, "too_long", f"the {name} ({value.source}) is {len(text)} characters; "
                          f"PayKKa's limit is {limit}", f"copy the {name} again: this is not one")
    app = str(app_id.value) if app_id.present else str(merchant_id.value)
    note = "" if app_id.present else " (no app id configured: the merchant id is sent as x-paykka-appid)"
    return passed("ids", title, f"merchant {merchant_id.value}, app id {app}{note}",
                  merchant_id=str(merchant_id.value), app_id=app)


def check_private_key(value: Value) -> tuple[Check, Optional[rsa.RSAPrivateKey]]:
    title = "Private key"
    if not value.present:
        return failed("private_key", title, "missing", "no merchant private key is configured",
                      "set PAYKKA_PRIVATE_KEY (or --private-key) to the PEM text or the path of your private key; "
                      + KEYGEN_FIX), None
    read = _read_key("private_key", title, value, rsa.RSAPrivateKey, signing.load_private_key, private=True)
    if isinstance(read, Check):
        return read, None
    key, fmt, origin = read
    details: dict[str, Any] = {"bits": key.key_size, "format": fmt, "fingerprint": fingerprint(key)}
    if key.key_size < MIN_BITS:
        return failed("private_key", title, "too_short",
                      f"RSA {key.key_size}-bit key ({fmt}, from {origin}): shorter than {MIN_BITS} bits, which can be "
                      "factored and which current guidance (NIST SP 800-131A) no longer accepts for signatures",
                      KEYGEN_FIX, **details), key
    return passed("private_key", title, f"RSA {key.key_size}-bit, {fmt}, from {origin}; public half "
                  f"{details['fingerprint']}", **details), key


def check_key_pair(value: Value, private_key: Optional[rsa.RSAPrivateKey]) -> Optional[Check]:
    """With ``--public-key`` (the key registered with PayKKa): is it the public half of the private key?"""
    if not value.present:
        return None
    title = "Key pair"
    try:
        text = key_text(value, "public key")
        public = signing.load_public_key(text.data)
    except ValueError:
        return failed("key_pair", title, "unreadable", f"the public key ({value.source}) cannot be read",
                      "give the PEM file of the public key you registered with PayKKa")
    if private_key is None:
        return failed("key_pair", title, "no_private_key", "there is no readable private key to compare it with",
                      "fix the private key first")
    mine, theirs = fingerprint(private_key), fingerprint(public)
    if mine != theirs:
        return failed("key_pair", title, "mismatch",
                      f"the private key's public half is {mine}, but the public key given ({value.source}) is "
                      f"{theirs}: they are not one pair, so PayKKa cannot verify what this key signs",
                      "configure the private key that belongs to the registered public key, or register the public "
                      "half of this private key (`openssl pkey -in private.pem -pubout`) with PayKKa",
                      private=mine, registered=theirs)
    return passed("key_pair", title, f"the public key given is the public half of the private key ({mine})",
                  fingerprint=mine)


def check_platform_key(value: Value, private_key: Optional[rsa.RSAPrivateKey]
                       ) -> tuple[Check, Optional[rsa.RSAPublicKey]]:
    title = "Platform public key"
    if not value.present:
        return failed("platform_key", title, "missing", "no platform public key is configured: responses and "
                      "webhooks cannot be verified",
                      "set PAYKKA_PLATFORM_PUBLIC_KEY (or --platform-public-key) to the platform public key PayKKa "
                      "gives you for this environment (the emulator serves its own at /_stub/platform-public-key)"
                      ), None
    read = _read_key("platform_key", title, value, rsa.RSAPublicKey, signing.load_public_key, private=False)
    if isinstance(read, Check):
        return read, None
    key, fmt, origin = read
    details: dict[str, Any] = {"bits": key.key_size, "format": fmt, "fingerprint": fingerprint(key)}
    if private_key is not None and fingerprint(private_key) == details["fingerprint"]:
        return failed("platform_key", title, "own_key",
                      f"this is the public half of your own private key ({details['fingerprint']}), not PayKKa's "
                      "platform key", "configure the platform public key PayKKa gives you for this environment",
                      **details), None
    return passed("platform_key", title, f"RSA {key.key_size}-bit, {fmt}, from {origin}; {details['fingerprint']}",
                  **details), key


def check_client_key(value: Value, merchant_id: Value) -> Check:
    title = "Client key"
    if not value.present:
        return failed("client_key", title, "missing", "no client key is configured: Drop-in and Components "
                      "cannot start in the browser",
                      "set PAYKKA_CLIENT_KEY (or --client-key) to the client key (ck_…) PayKKa gives you")
    text = str(value.value)
    # The value may be anything pasted in the wrong place, a private key included: describe it, never echo it.
    if "BEGIN" in text or len(text) > 200:
        return failed("client_key", title, "looks_like_key", f"the value ({value.source}) is {len(text)} "
                      "characters long and looks like a key, not a client key (which is short and public)",
                      "set the client key (ck_…) here; if a private key was pasted, treat it as exposed")
    if text != text.strip():
        return failed("client_key", title, "whitespace", f"the client key ({value.source}) has spaces or a line "
                      "break around it", "remove them")
    if merchant_id.present and text == str(merchant_id.value):
        return failed("client_key", title, "is_merchant_id", "the client key is the merchant id",
                      "set the client key (ck_…) PayKKa gives you beside the merchant id")
    if not CLIENT_KEY.fullmatch(text):
        start = text[:3] if len(text) > 6 else ""
        shape = f"{len(text)} characters" + (f" starting {start!r}" if start else "")
        return failed("client_key", title, "bad_format",
                      f"the value ({value.source}) is {shape}; PayKKa's client keys are ck_ followed by 32 "
                      "hexadecimal digits (the form of every published example and of the emulator's keys)",
                      "copy the client key again from PayKKa's portal (not the merchant id, app id or a key)")
    return passed("client_key", title, f"{text} has PayKKa's form (ck_ + 32 hex digits)", client_key=text)
