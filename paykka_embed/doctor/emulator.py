"""What the local emulator can tell the doctor that a real PayKKa will not.

Only used with ``--env stub``. Each source is optional and read defensively, so the doctor
works with any version of the emulator and says less when it knows less:

- ``GET /_stub/platform-public-key`` — the key the emulator signs with (it makes a new one
  each time it starts without ``--data``), to compare with the configured platform key;
- ``GET /_stub/requests`` — the request log: for the probe's request (found by its nonce),
  the string the emulator verified and the key it verified it with;
- ``GET /_stub/merchants`` — the registered merchants and their keys, to name the merchant
  a key belongs to.

The log and the merchant list are read by meaning rather than by a fixed schema: the
doctor looks for the entry holding its own nonce, a string beginning ``POST\\n`` in it, and
fingerprints or PEM public keys beside merchant ids.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import httpx

from .. import signing
from ..signing import fingerprint

LINE_NAMES = ("method", "path", "timestamp", "nonce", "body")


def _get_json(client: httpx.Client, url: str) -> Any:
    try:
        resp = client.get(url)
    except httpx.HTTPError:
        return None
    if resp.status_code != 200:
        return None
    try:
        decoded = json.loads(resp.content)
    except ValueError:
        return None
    if isinstance(decoded, dict) and "ret_code" in decoded and "data" in decoded:
        return decoded["data"]
    return decoded


def platform_key_fingerprint(client: httpx.Client, api_base: str) -> Optional[str]:
    """The fingerprint of the key the emulator signs with, or None when it does not say."""
    try:
        resp = client.get(f"{api_base}/_stub/platform-public-key")
        if resp.status_code != 200:
            return None
        return fingerprint(signing.load_public_key(resp.content))
    except (httpx.HTTPError, ValueError):
        return None


def _digest(text: str) -> Optional[bytes]:
    """The 32-byte digest in a fingerprint written as ``SHA256:`` + Base64, or as hex with or without colons."""
    value = text.strip()
    if value[:7].upper() == "SHA256:":
        value = value[7:]
    compact = value.replace(":", "")
    if len(compact) == 64:
        try:
            return bytes.fromhex(compact)
        except ValueError:
            pass
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def _key_digests(node: Any) -> Iterator[bytes]:
    """Digests of the keys named in one JSON object: fingerprint fields, or PEM public keys."""
    if not isinstance(node, dict):
        return
    for name, value in node.items():
        if not isinstance(value, str) or "platform" in name.lower():
            continue
        lowered = name.lower()
        if "fingerprint" in lowered:
            digest = _digest(value)
            if digest is not None:
                yield digest
        elif "public_key" in lowered and "BEGIN" in value:
            try:
                yield _digest(fingerprint(signing.load_public_key(value))) or b""
            except ValueError:
                continue


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _holds(node: Any, text: str) -> bool:
    return any(isinstance(value, str) and text in value for value in _walk(node))


@dataclass
class SignatureClues:
    """What the emulator's records say about a refused signature."""

    #: The request log has the probe's entry.
    logged: bool = False
    #: The log shows the string the emulator verified, and it is the one signed here.
    intact: bool = False
    #: Lines of the signed string that differ between what was signed here and what the emulator verified.
    altered: list[str] = field(default_factory=list)
    #: The fingerprint of the key registered for the probe's app id, when the emulator says.
    registered: Optional[str] = None
    #: Merchants whose registered key is the configured private key's public half.
    key_owners: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _fp(digest: bytes) -> str:
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def _items(data: Any, *names: str) -> list[Any]:
    """The list in an answer: the answer itself, or the first of ``names`` holding one."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for name in names:
            if isinstance(data.get(name), list):
                return list(data[name])
    return []


def signature_clues(client: httpx.Client, api_base: str, *, path: str, headers: dict[str, str], body: bytes,
                    key_fingerprint: str, merchant_id: str, app_id: str) -> SignatureClues:
    clues = SignatureClues()
    mine = _digest(key_fingerprint)
    nonce = headers.get(signing.H_NONCE, "")
    entries = _items(_get_json(client, f"{api_base}/_stub/requests"), "requests", "entries", "items")
    entry = next((e for e in entries if nonce and _holds(e, nonce)), None)
    if entry is not None:
        clues.logged = True
        clues.sources.append("GET /_stub/requests")
        signed_here = signing.string_to_sign("POST", path, headers.get(signing.H_TIMESTAMP, ""), nonce, body)
        verified = next((v for v in _walk(entry) if isinstance(v, str) and v.startswith("POST\n")), None)
        if verified is not None:
            ours = signed_here.decode("utf-8", "replace").split("\n", 4)
            theirs = verified.split("\n", 4)
            theirs += [""] * (5 - len(theirs))
            clues.altered = [name for name, a, b in zip(LINE_NAMES, ours, theirs) if a != b]
            clues.intact = not clues.altered
        registered = next(iter(_key_digests_deep(entry)), None)
        if registered is not None:
            clues.registered = _fp(registered)
    merchants = _items(_get_json(client, f"{api_base}/_stub/merchants"), "merchants", "items")
    if merchants and mine is not None:
        clues.sources.append("GET /_stub/merchants")
        for item in merchants:
            if not isinstance(item, dict):
                continue
            digests = set(_key_digests(item))
            ids = {str(item.get(name)) for name in ("merchant_id", "app_id") if item.get(name) is not None}
            if app_id in ids and clues.registered is None and digests:
                clues.registered = _fp(next(iter(digests)))
            if mine in digests:
                owner = str(item.get("merchant_id") or item.get("app_id") or "")
                if owner and owner != merchant_id and app_id not in ids:
                    clues.key_owners.append(owner)
    return clues


def _key_digests_deep(node: Any) -> Iterator[bytes]:
    for part in _walk(node):
        yield from _key_digests(part)
