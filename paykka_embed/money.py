"""Money as PayKKa carries it: integer minor units of an ISO 4217 currency.

The number of decimals of each currency comes from Babel's CLDR data (HKD 2, JPY 0,
VND 0, KWD 3, ...), never from a hand-kept table. Amounts enter as ``Decimal`` major
units or ``int`` minor units; a float is refused, and so is an amount with a fraction
of the minor unit (HKD 8.005) or more than the 18 digits of minor units PayKKa carries.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from .errors import ValidationError

#: PayKKa's wire format carries at most 18 digits of minor units (see ``wire``).
MAX_MINOR_DIGITS = 18


@lru_cache(maxsize=None)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(currency: str, field: str = "currency") -> str:
    if not isinstance(currency, str) or currency.upper() != currency or currency not in _known_currencies():
        raise ValidationError(field, f"{currency!r} is not an ISO 4217 currency code (upper case, e.g. HKD)")
    return currency


def exponent(currency: str) -> int:
    """Decimal places of the minor unit: HKD → 2, JPY → 0."""
    return _exponent(check_currency(currency))


@lru_cache(maxsize=None)
def _exponent(currency: str) -> int:
    return int(get_currency_precision(currency))


def to_minor(amount: Decimal | str, currency: str, field: str = "amount") -> int:
    """Major units (``Decimal("8.00")`` HKD, ``Decimal("800")`` JPY) to minor units (800)."""
    if isinstance(amount, (bool, float, int)):
        raise ValidationError(field, "major units must be a Decimal or a decimal string, never a float or an int")
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(field, f"{amount!r} is not a number") from None
    if not value.is_finite():
        raise ValidationError(field, "must be a finite number")
    exp = exponent(currency)
    # Exact arithmetic on the digit string. Decimal.scaleb rounds to the context's 28 digits
    # (1.00000000000000000000000000001 HKD became a whole 100 cents) and overflows on large
    # exponents; here the size is checked before any big number is built.
    sign, digits, digits_exp = value.as_tuple()
    assert isinstance(digits_exp, int)  # finite, checked above
    shift = digits_exp + exp  # the amount is coefficient * 10**shift minor units
    coefficient = "".join(map(str, digits)).lstrip("0")
    if not coefficient:
        return 0
    if shift < 0:
        coefficient, fraction = coefficient[:shift], coefficient[shift:]
        if fraction.strip("0"):
            raise ValidationError(
                field, f"{amount} {currency} has a fraction of the minor unit ({currency} has {exp} decimals)"
            )
        shift = 0
    if len(coefficient) + shift > MAX_MINOR_DIGITS:
        raise ValidationError(field, f"is too large (at most {MAX_MINOR_DIGITS} digits of minor units)")
    minor = int((coefficient or "0") + "0" * shift)
    return -minor if sign else minor


def as_minor(amount: Decimal | int, currency: str, field: str = "amount") -> int:
    """The package's rule for amounts: a ``Decimal`` is major units, an ``int`` is minor units."""
    if isinstance(amount, bool) or isinstance(amount, float):
        raise ValidationError(field, "must be a Decimal (major units) or an int (minor units), never a float")
    if isinstance(amount, int):
        check_currency(currency)
        minor = amount
    elif isinstance(amount, Decimal):
        minor = to_minor(amount, currency, field)
    else:
        raise ValidationError(field, "must be a Decimal (major units) or an int (minor units)")
    if minor <= 0:
        raise ValidationError(field, "must be positive")
    if minor >= 10**MAX_MINOR_DIGITS:
        raise ValidationError(field, f"is too large (at most {MAX_MINOR_DIGITS} digits of minor units)")
    return minor


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units (800) to major units (``Decimal("8.00")`` for HKD, ``Decimal("800")`` for JPY)."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise ValidationError("amount", "minor units must be an int")
    exp = exponent(currency)
    # Built from the digits, not with scaleb/quantize, so no 28-digit context can round or raise.
    sign, digits, _ = Decimal(minor).as_tuple()
    return Decimal((sign, digits, -exp))


def format_minor(minor: int, currency: str, locale: str = "en_US") -> str:
    """A shopper-facing string, e.g. ``HK$8.00``, in ``locale`` (BCP 47 or POSIX form)."""
    return format_currency(from_minor(minor, currency), currency, locale=locale.replace("-", "_"))
