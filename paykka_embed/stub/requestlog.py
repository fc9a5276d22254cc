"""The request log: every v3 call the emulator answered, newest first, at ``GET /_stub/requests``.

Made for the person whose integration does not work yet: what arrived, under which app
id, what the emulator said (accepted, or refused with ``ret_code`` and ``ret_msg``), which
names it ignored, and, for a refused signature, the exact string it verified the
signature against. Kept in memory, the last :data:`MAX_ENTRIES` calls, cleared by
``POST /_stub/reset``.

No card data and no key material ever enters it. Bodies are masked as text before they
are stored (so what is shown is still the bytes that arrived, minus the secrets): the
values of card fields (``card_no``, ``cvv``, ``exp_month``/``exp_year``, every
``encrypted_*``, ``token_data``, ``holder_name``) become ``"***"``; any other run of 12 to
19 digits that passes the Luhn check keeps only its last four digits; a PEM block is
replaced whole. Then the body is cut to :data:`BODY_LIMIT` characters.

Entry shape (``data`` of ``GET /_stub/requests``, a list, newest first)::

    {"id": 42, "at": "2025-03-08T02:00:00+00:00", "at_ms": 1741399200000,
     "method": "POST", "path": "/v3/payment/acq/session", "operation": "Create Session",
     "app_id": "app-shop-7", "merchant_id": "10000000000001",
     "http_status": 200, "verdict": "accepted", "ret_code": "000000", "ret_msg": "Success",
     "ignored_fields": ["version", "payment.colour"],
     "body": "{\\"merchant_id\\": ...}", "body_bytes": 1834,
     "signature": null}

``verdict`` is ``accepted`` or ``refused``; ``merchant_id`` is the merchant the app id
resolved to (``null`` when it resolved to none). ``signature`` is set only when the
signature was refused (``206003``, ``206004``)::

    {"problem": "x-paykka-sign: signature does not match", "timestamp": "1741399200000",
     "nonce": "1234567890123456", "string_to_sign": "POST\\n/v3/payment/acq/session\\n"
     "1741399200000\\n1234567890123456\\n{...masked, truncated body...}",
     "comparison": {...}}

``comparison`` (:mod:`signatures`) sets what was verified beside what the signer signed, line by
line, when the emulator can tell::

    {"key": "registered", "registered_key": "SHA256:…", "matches": false,
     "verified": {"method": "POST", "path": "/v3/payment/acq/session/query", "timestamp": "…",
                  "nonce": "…", "body": "{…}"},
     "signed": {"method": "POST", "path": "/v3/payment/acq/session", …} | null,
     "differs": ["path"], "suspect": null,
     "mistake": "the path of another operation (Query Session)", "explanation": "…"}
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Optional

from cryptography.hazmat.primitives.asymmetric import rsa

from .. import signing
from .cards import luhn_ok
from .signatures import LINE_NAMES, Comparison, Signed, compare

MAX_ENTRIES = 500
BODY_LIMIT = 4000

#: Fields whose values are card data: masked whatever they hold.
CARD_FIELDS = ("card_no", "cvv", "exp_month", "exp_year", "encrypted_card_no", "encrypted_exp_month",
               "encrypted_exp_year", "encrypted_cvv", "token_data", "holder_name", "number", "public_key",
               "private_key")
#: Fields holding PayKKa's or the merchant's ids and times: long digit runs there are not cards.
ID_FIELDS = frozenset({"merchant_id", "trans_id", "order_id", "session_id", "ori_order_id", "refund_trans_id",
                       "refund_order_id", "capture_trans_id", "timestamp", "token", "recurring_agreement_id",
                       "shopper_reference", "id"})
_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)')
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){11,18}(?![0-9])")
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----.*?(?:-----END [A-Z ]+-----|$)", re.S)


def _mask_number(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"[ -]", "", text)
    if 12 <= len(digits) <= 19 and luhn_ok(digits):
        return "*" * (len(digits) - 4) + digits[-4:]
    return text


def mask_body(raw: bytes, limit: int = BODY_LIMIT) -> str:
    """The body as text, card data and keys masked, cut to ``limit`` characters."""
    text = _PEM.sub("-----KEY REMOVED-----", raw.decode("utf-8", errors="replace"))
    parts: list[str] = []
    done = 0
    for pair in _PAIR.finditer(text):
        parts.append(_DIGIT_RUN.sub(_mask_number, text[done:pair.start()]))
        key, colon, value = pair.groups()
        if key in CARD_FIELDS:
            value = '"***"'
        elif key not in ID_FIELDS:
            value = _DIGIT_RUN.sub(_mask_number, value)
        parts.append(f'"{key}"{colon}{value}')
        done = pair.end()
    parts.append(_DIGIT_RUN.sub(_mask_number, text[done:]))
    text = "".join(parts)
    if len(text) > limit:
        text = text[:limit] + f"…[{len(text) - limit} more characters]"
    return text


@dataclass
class RequestEntry:
    """One answered v3 call; filled in as the call goes, recorded once answered."""

    method: str
    path: str
    app_id: Optional[str]
    body: bytes = field(repr=False)
    at: str = ""
    at_ms: int = 0
    operation: Optional[str] = None
    merchant_id: Optional[str] = None
    http_status: int = 0
    ret_code: str = ""
    ret_msg: str = ""
    ignored_fields: list[str] = field(default_factory=list)
    signature: Optional[dict[str, Any]] = None

    def signature_refused(self, problem: str, timestamp: str, nonce: str, *, key: Optional[rsa.RSAPublicKey] = None,
                          signature: str = "", query: str = "", host_url: str = "") -> None:
        """Keep the five lines the signature was checked against (body masked and cut) and, given the
        registered ``key`` and the ``x-paykka-sign`` value, what the signer signed instead when it can
        be told (see :mod:`signatures`)."""
        self.signature = {
            "problem": problem,
            "timestamp": timestamp,
            "nonce": nonce,
            "string_to_sign": "\n".join(["POST", self.path, timestamp, nonce, mask_body(self.body)]),
        }
        if key is not None and signature:
            found = compare(key, signature, path=self.path, timestamp=timestamp, nonce=nonce, body=self.body,
                            query=query, host_url=host_url)
            self.signature["comparison"] = _comparison_json(found, key,
                                                            Signed("POST", self.path, timestamp, nonce, self.body))

    def to_json(self, entry_id: int) -> dict[str, Any]:
        """The entry as ``GET /_stub/requests`` shows it, numbered ``entry_id``."""
        return {
            "id": entry_id,
            "at": self.at,
            "at_ms": self.at_ms,
            "method": self.method,
            "path": self.path,
            "operation": self.operation,
            "app_id": self.app_id,
            "merchant_id": self.merchant_id,
            "http_status": self.http_status,
            "verdict": "accepted" if self.ret_code == "000000" else "refused",
            "ret_code": self.ret_code,
            "ret_msg": self.ret_msg,
            "ignored_fields": list(self.ignored_fields),
            "body": mask_body(self.body),
            "body_bytes": len(self.body),
            "signature": self.signature,
        }


def _lines(signed: Signed) -> dict[str, Optional[str]]:
    shown: dict[str, Optional[str]] = {name: getattr(signed, name) for name in LINE_NAMES[:4]}
    shown["body"] = None if signed.body is None else mask_body(signed.body)
    return shown


def _comparison_json(found: Comparison, key: rsa.RSAPublicKey, verified: Signed) -> dict[str, Any]:
    """The comparison as the log keeps it: bodies masked and cut like every body here."""
    return {
        "key": found.key,
        "registered_key": signing.fingerprint(key),
        "matches": found.matches,
        "verified": _lines(verified),
        "signed": _lines(found.signed) if found.signed is not None else None,
        "differs": list(found.differs),
        "suspect": found.suspect,
        "mistake": found.signed.mistake if found.signed is not None and not found.matches else None,
        "explanation": found.explanation,
    }


class RequestLog:
    """The last :data:`MAX_ENTRIES` answered calls, as JSON-ready dicts (masked when recorded)."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, entry: RequestEntry) -> dict[str, Any]:
        """Keep ``entry`` (the oldest goes past the log's size); returns it as shown."""
        with self._lock:
            shown = entry.to_json(next(self._ids))
            self._entries.append(shown)
        return shown

    def entries(self, limit: Optional[int] = None) -> list[dict[str, Any]]:
        """Newest first."""
        with self._lock:
            newest = list(reversed(self._entries))
        return newest if limit is None else newest[:limit]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._ids = itertools.count(1)
