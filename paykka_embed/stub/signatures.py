"""Why the emulator refused a signature: what a correct signer signs for the request, what this
signer signed when it can be found, and which of the five lines differ.

A correct signer signs ``POST``, the request's path, ``x-paykka-timestamp``, ``x-paykka-nonce`` and
the raw body, one per line; that string is what the emulator verified. What the signer signed
instead is not sent, but a PKCS #1 v1.5 signature carries it in a recoverable form: the merchant's
registered public key turns the signature back into the SHA-256 digest that was signed (or shows
it was made with another key). The digest then tells which string was signed, among the usual
mistakes tried one line at a time: the path with its query string or host, another operation's
path, a lower-case method, a timestamp in seconds, the body written another way (spacing, key
order, escapes, a trailing newline), the body without one of its fields (a field set after
signing), or no body at all. When none of them is it, but the key is right, the body most likely
changed after signing, and the comparison says so as a suspicion rather than a finding.

Everything here works on the raw request; :mod:`requestlog` masks what it keeps.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Iterator, Optional
from urllib.parse import quote, unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .. import signing
from ..envs import ENVIRONMENTS
from ..operations import OPERATIONS

LINE_NAMES = ("method", "path", "timestamp", "nonce", "body")
#: A top-level body with more names than this is not searched for a field added after signing.
MAX_FIELDS_TRIED = 40


@dataclass(frozen=True)
class Signed:
    """One string a signer may have signed: the five lines (``body`` None: only four lines were signed)."""

    method: str
    path: str
    timestamp: str
    nonce: str
    body: Optional[bytes]
    #: What the signer did, in a sentence to show beside the comparison.
    mistake: str = ""

    def encoded(self) -> bytes:
        """The bytes signed."""
        head = "\n".join([self.method, self.path, self.timestamp, self.nonce]).encode("utf-8")
        return head if self.body is None else head + b"\n" + self.body


@dataclass
class Comparison:
    """What the emulator can tell about a refused signature.

    ``key``: ``registered`` (made with the merchant's registered key), ``other`` (made with some other
    key, or not SHA256withRSA) or ``unreadable`` (``x-paykka-sign`` is not a signature at all).
    ``matches``: the signature is right for exactly what was sent (the refusal is about the
    timestamp, the nonce or a header). ``signed``: what was signed, when found; ``differs``: the
    lines that differ from what was verified; ``suspect``: the line that most likely differs when
    the key is right but no usual mistake explains it.
    """

    key: str
    matches: bool = False
    signed: Optional[Signed] = None
    differs: list[str] = field(default_factory=list)
    suspect: Optional[str] = None
    explanation: str = ""


def _recovered_digest(key: rsa.RSAPublicKey, signature: str) -> Optional[bytes]:
    """The SHA-256 digest the signature was made over, or None when it was not made with ``key``.
    Raises ``ValueError`` when ``signature`` is not Base64."""
    raw = signing.decode_signature(signature)
    try:
        return key.recover_data_from_signature(raw, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return None


def _json_variants(body: bytes) -> Iterator[tuple[bytes, str]]:
    """The body written the other ways a JSON library writes the same value, and the body without each
    of its top-level fields (compact and spaced)."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return
    rewritten = "the same JSON written another way (spacing, key order or escapes) than the bytes sent"
    for sort_keys in (False, True):
        for ensure_ascii in (False, True):
            for separators in ((",", ":"), (", ", ": ")):
                text = json.dumps(value, separators=separators, ensure_ascii=ensure_ascii, sort_keys=sort_keys)
                yield text.encode("utf-8"), rewritten
        for indent in (2, 4):
            yield json.dumps(value, indent=indent, ensure_ascii=False, sort_keys=sort_keys).encode("utf-8"), rewritten
    php = json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
    yield php.encode("utf-8"), rewritten
    if isinstance(value, dict) and len(value) <= MAX_FIELDS_TRIED:
        for name in value:
            rest = {k: v for k, v in value.items() if k != name}
            for separators in ((",", ":"), (", ", ": ")):
                for ensure_ascii in (False, True):
                    text = json.dumps(rest, separators=separators, ensure_ascii=ensure_ascii)
                    yield text.encode("utf-8"), f'the body without "{name}" (the field was set after signing)'


def _candidates(sent: Signed, query: str, host_url: str) -> Iterator[Signed]:
    """The strings a signer may have signed instead, each one line away from ``sent``."""
    yield replace(sent, method=sent.method.lower(), mistake="the method in lower case")
    yield replace(sent, method="", mistake="no method line")
    path = sent.path
    paths: list[tuple[str, str]] = []
    if query:
        paths.append((f"{path}?{query}", "the path with its query string"))
    hosts = {host_url.rstrip("/")} | {env.api_base.rstrip("/") for env in ENVIRONMENTS.values()}
    for host in sorted(hosts):
        paths.append((host + path, "the whole URL instead of the path"))
        if query:
            paths.append((f"{host}{path}?{query}", "the whole URL instead of the path"))
    paths.append((path[:-1] if path.endswith("/") and len(path) > 1 else path + "/", "the path with a different "
                  "trailing slash"))
    paths.append((path.lstrip("/"), "the path without its leading slash"))
    if path.startswith("/v3/"):
        paths.append((path[3:], "the path without /v3"))
    for other in (unquote(path), quote(path, safe="/")):
        if other != path:
            paths.append((other, "the path escaped differently"))
    for op in OPERATIONS.values():
        if op.path != path:
            paths.append((op.path, f"the path of another operation ({op.title})"))
    paths.append(("", "an empty path"))
    for other, mistake in paths:
        yield replace(sent, path=other, mistake=mistake)
    if len(sent.timestamp) > 3 and sent.timestamp.isdigit():
        yield replace(sent, timestamp=sent.timestamp[:-3], mistake="the timestamp in seconds (it is sent in milliseconds)")
    yield replace(sent, timestamp="", mistake="an empty timestamp")
    yield replace(sent, nonce="", mistake="an empty nonce")
    body = sent.body or b""
    bodies: list[tuple[bytes, str]] = list(_json_variants(body))
    bodies += [(body.strip(), "the body without its surrounding whitespace"),
               (body + b"\n", "the body with a trailing newline"),
               (body.replace(b"\r\n", b"\n"), "the body with other line endings"),
               (b"", "an empty body")]
    seen = {body}
    for variant, why in bodies:
        if variant not in seen:
            seen.add(variant)
            yield replace(sent, body=variant, mistake=why)
    yield replace(sent, body=None, mistake="four lines, without the body")


def _differs(expected: Signed, found: Signed) -> list[str]:
    return [name for name in LINE_NAMES if getattr(expected, name) != getattr(found, name)]


def compare(key: rsa.RSAPublicKey, signature: str, *, path: str, timestamp: str, nonce: str, body: bytes,
            query: str = "", host_url: str = "") -> Comparison:
    """What can be told about ``signature`` (as found in ``x-paykka-sign``) on a request to ``path`` with
    those headers and raw ``body``, checked against the merchant's registered ``key``."""
    expected = Signed("POST", path, timestamp, nonce, body)
    try:
        digest = _recovered_digest(key, signature)
    except ValueError:
        return Comparison("unreadable", explanation="x-paykka-sign is not the Base64 (URL-encoded) of a signature, "
                          "so there is nothing to compare: send the signature as signing produced it.")
    if digest is None:
        return Comparison("other", explanation=(
            f"The signature was not made with the key registered for this merchant ({signing.fingerprint(key)}), "
            "or not with SHA256withRSA: sign with the private key whose public half is registered, or register "
            "the public half of the key you sign with."))
    if hashlib.sha256(expected.encoded()).digest() == digest:
        return Comparison("registered", matches=True, signed=expected, explanation=(
            "The signature is right for exactly what was sent: the request was refused for its timestamp, its "
            "nonce or a header, as the problem says."))
    for candidate in _candidates(expected, query, host_url):
        if hashlib.sha256(candidate.encoded()).digest() == digest:
            differs = _differs(expected, candidate)
            return Comparison("registered", signed=candidate, differs=differs, explanation=(
                f"The signature was made with this merchant's key, over {candidate.mistake}: "
                f"the {' and '.join(differs)} line differs from what the emulator verified. Sign exactly the "
                "five lines of the request as it is sent."))
    return Comparison("registered", suspect="body", explanation=(
        "The signature was made with this merchant's key, but over another string than the one verified. The "
        "method, path, timestamp and nonce as sent, and their usual mistakes, do not explain it, so the body "
        "most likely changed after it was signed (re-encoded by a library or a proxy, or a field set after "
        "signing): sign the exact bytes you send."))
