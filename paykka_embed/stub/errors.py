"""How the emulator refuses: PayKKa's envelope codes, in one table.

A refusal is a :class:`StubError` carrying the HTTP status, the ``ret_code`` and a
``ret_msg`` that names the field (or the record) and the rule. Codes PayKKa has
published are used as PayKKa uses them; where PayKKa has published none (the state
machine's refusals), the emulator uses its own ``2990xx`` range so that a merchant's code
cannot mistake them for a real PayKKa code it has not seen yet.
"""

from __future__ import annotations

from .. import money
from ..errors import ValidationError

# PayKKa's published ret_codes.
PARAM = "010000"            # invalid request / parameter error
SIGN_MISSING = "206002"
SIGN_INVALID = "206003"
SIGN_EXPIRED = "206004"
NO_MERCHANT = "206005"
NO_SESSION = "206011"
PCI_REQUIRED = "206017"
DECRYPT_FAILED = "206020"
CARD_NOT_SUPPORTED = "206022"
NO_ORDER = "206024"
METHOD_NOT_SUPPORTED = "210001"
SHOPPER_REFERENCE_REQUIRED = "210002"

# The emulator's own codes for refusals PayKKa has no published code for.
ILLEGAL_STATE = "299001"     # the order's status does not allow this operation
OVER_BALANCE = "299002"      # amount larger than what is left to capture / refund
NO_TOKEN = "299003"          # token unknown, removed, or not this shopper's
NO_AGREEMENT = "299004"      # recurring agreement unknown or canceled
NO_REFUND = "299005"         # refund unknown
NO_DISPUTE = "299006"        # dispute unknown (test controls)
FAULT = "299099"             # injected by POST /_stub/faults

NO_ORDER_MSG = "the order doesn't exist"  # the seed's own wording


class StubError(Exception):
    """A refusal, as PayKKa would send it: HTTP status, ret_code, ret_msg."""

    def __init__(self, http_status: int, ret_code: str, ret_msg: str) -> None:
        super().__init__(f"{ret_code}: {ret_msg}")
        self.http_status = http_status
        self.ret_code = ret_code
        self.ret_msg = ret_msg


def param_error(message: str) -> StubError:
    """``message`` is ``field: rule``, the form of every 010000 the emulator sends."""
    return StubError(400, PARAM, message)


def no_order() -> StubError:
    """404 ``206024`` "the order doesn't exist" (PayKKa's wording)."""
    return StubError(404, NO_ORDER, NO_ORDER_MSG)


def no_session() -> StubError:
    """404 ``206011``: the session does not exist."""
    return StubError(404, NO_SESSION, "the session does not exist")


def illegal(message: str) -> StubError:
    """409 ``299001``: the order's status does not allow the operation; ``message`` says why."""
    return StubError(409, ILLEGAL_STATE, message)


def amount_text(minor: int, currency: str) -> str:
    """``800, "HKD"`` → ``"8.00 HKD"`` (major units, as a developer reads a log or a refusal)."""
    try:
        return f"{money.from_minor(minor, currency)} {currency}"
    except (ValidationError, ValueError):
        return f"{minor} {currency} (minor units)"


def amounts(minor: int, currency: str) -> str:
    """A wire amount as a refusal names it: in minor units as sent, then what that is in the
    currency (``200 (2.00 HKD)``), so neither unit is mistaken for the other."""
    return f"{minor} ({amount_text(minor, currency)})"

