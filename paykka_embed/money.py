"""Money as PayKKa carries it: integer minor units of an ISO 4217 currency.

The number of decimals of each currency comes from Babel's CLDR data (HKD 2, JPY 0,
VND 0, KWD 3, ...), never from a hand-kept table. Amounts enter as ``Decimal`` major
units or ``int`` minor units; a float is refused, and so is an amount with a fraction
of the minor unit (HKD 8.005).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from .errors import ValidationError


@lru_cache(maxsize=None)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(currency: str, field: str = "currency") -> str:
    if not isinstance(currency, str) or currency.upper() != currency or currency not in _known_currencies():
        raise ValidationError(field, f"{currency!r} is not an ISO 4217 currency code (upper case, e.g. HKD)")
    return currency


@lru_cache(maxsize=None)
def exponent(currency: str) -> int:
    """Decimal places of the minor unit: HKD → 2, JPY → 0."""
    return int(get_currency_precision(check_currency(currency)))


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
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValidationError(
            field, f"{amount} {currency} has a fraction of the minor unit ({currency} has {exponent(currency)} decimals)"
        )
    return int(scaled)


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
    return minor


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units (800) to major units (``Decimal("8.00")`` for HKD, ``Decimal("800")`` for JPY)."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise ValidationError("amount", "minor units must be an int")
    exp = exponent(currency)
    return Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def format_minor(minor: int, currency: str, locale: str = "en_US") -> str:
    """A shopper-facing string, e.g. ``HK$8.00``, in ``locale`` (BCP 47 or POSIX form)."""
    return format_currency(from_minor(minor, currency), currency, locale=locale.replace("-", "_"))
