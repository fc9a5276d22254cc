"""Card data as it reaches the emulator: the emulator's documented "encryption", and fingerprints.

PayKKa's encrypted-card script encrypts each field in the browser with a cipher it
has not published. The emulator accepts instead a deliberately trivial, documented form
so tests and API-only integrations can produce it without any SDK::

    "stub:" + base64(clear value)        e.g.  stub:NDExMTExMTExMTExMTExMQ==

Anything else is refused with ``206020`` (decryption failed), as PayKKa refuses data
it cannot decrypt. A card is remembered only by a keyed fingerprint (HMAC-SHA256 of
the number under a per-installation secret), so tokens map to a fingerprint and
never to the number.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

PREFIX = "stub:"


def stub_encrypt(clear: str) -> str:
    """What the emulator's encrypted-card fields look like (for tests and docs)."""
    return PREFIX + base64.b64encode(clear.encode("utf-8")).decode("ascii")


def stub_decrypt(value: str, field: str) -> str:
    """The clear value of an encrypted field, or ``ValueError("{field}: ...")``."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        raise ValueError(f"{field}: cannot be decrypted (the stub takes \"stub:\" + base64 of the value)")
    try:
        clear = base64.b64decode(value[len(PREFIX):], validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError(f"{field}: cannot be decrypted (not base64 of UTF-8 text after \"stub:\")") from None
    if not clear or len(clear) > 64:
        raise ValueError(f"{field}: cannot be decrypted (empty or too long)")
    return clear


def fingerprint(secret: bytes, merchant_id: str, number: str) -> str:
    """A stable, non-reversible id of one card for one merchant."""
    return hmac.new(secret, f"{merchant_id}:{number}".encode("ascii"), hashlib.sha256).hexdigest()
