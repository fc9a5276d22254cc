"""Money as PayKKa carries it: integer minor units of an ISO 4217 currency.

The number of decimals of each currency's minor unit is ISO 4217's own exponent, taken
from the maintained ``iso4217`` package (HKD 2, JPY 0, HUF 2, IDR 2, KWD 3, CLF 4), never
from a hand-kept table and never from CLDR's *display* digits, which differ for some
currencies (CLDR shows HUF and IDR without decimals, yet their ISO minor unit, in which
PayKKa counts, is the hundredth). A merchant whose PayKKa contract says otherwise for a currency can override its
exponent (:func:`override_exponents`, or ``PAYKKA_CURRENCY_EXPONENTS`` in the Flask app).

Amounts enter as ``Decimal`` major units or ``int`` minor units; a float is refused, and
so is an amount with a fraction of the minor unit (HKD 8.005) or more than the 18 digits
of minor units PayKKa carries. Babel (CLDR) formats amounts for shoppers.
"""

from __future__ import annotations

import threading
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Mapping

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, parse_pattern
from iso4217 import Currency

from .errors import ValidationError

#: PayKKa's wire format carries at most 18 digits of minor units (see ``wire``).
MAX_MINOR_DIGITS = 18
#: ISO 4217 exponents run from 0 (JPY) to 4 (CLF, UYW); an override must stay in that range.
MAX_EXPONENT = 4

_overrides: dict[str, int] = {}
_overrides_lock = threading.Lock()


@lru_cache(maxsize=1)
def iso_exponents() -> Mapping[str, int | None]:
    """Every active ISO 4217 code and its exponent (``None`` where ISO says N.A.: gold, SDR, ...)."""
    return {c.code: c.exponent for c in Currency}


def override_exponents(exponents: Mapping[str, int]) -> None:
    """Use ``exponents`` instead of ISO 4217's for these currencies, for the whole process.

    For a PayKKa contract that carries a currency in other units than ISO's. The same
    override may be set twice (two apps of one process); a conflicting one is refused, since
    two exponents for one currency in one process would misread amounts by a factor of ten.
    """
    if not isinstance(exponents, Mapping):
        raise ValidationError("PAYKKA_CURRENCY_EXPONENTS", "must be a mapping of currency code to exponent")
    checked: dict[str, int] = {}
    for code, value in exponents.items():
        if not isinstance(code, str) or code not in iso_exponents():
            raise ValidationError("PAYKKA_CURRENCY_EXPONENTS", f"{code!r} is not an ISO 4217 currency code")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXPONENT:
            raise ValidationError("PAYKKA_CURRENCY_EXPONENTS",
                                  f"{code}: the exponent must be an integer from 0 to {MAX_EXPONENT}")
        checked[code] = value
    with _overrides_lock:
        for code, value in checked.items():
            if _overrides.get(code, value) != value:
                raise ValidationError("PAYKKA_CURRENCY_EXPONENTS",
                                      f"{code}: already overridden to {_overrides[code]} in this process")
        _overrides.update(checked)


def clear_overrides() -> None:
    """Forget every override (for tests)."""
    with _overrides_lock:
        _overrides.clear()


def check_currency(currency: str, field: str = "currency") -> str:
    """``currency`` if it is an active ISO 4217 code that has a minor unit; raise otherwise."""
    if not isinstance(currency, str) or currency not in iso_exponents():
        raise ValidationError(field, f"{currency!r} is not an ISO 4217 currency code (upper case, e.g. HKD)")
    if iso_exponents()[currency] is None and currency not in _overrides:
        raise ValidationError(field, f"{currency} has no minor unit in ISO 4217 (a fund, metal or test code); "
                                     "it cannot be paid")
    return currency


def exponent(currency: str) -> int:
    """Decimal places of the minor unit, ISO 4217's (or the configured override): HKD → 2, JPY → 0."""
    check_currency(currency)
    override = _overrides.get(currency)
    if override is not None:
        return override
    value = iso_exponents()[currency]
    assert value is not None  # check_currency refused the others
    return value


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
    """A shopper-facing string, e.g. ``HK$8.00``, in ``locale`` (BCP 47 or POSIX form).

    The layout, symbol and usual decimals are CLDR's (``HUF 5,000``); an amount that CLDR's
    display digits would round (HUF 1,200.50) keeps every ISO decimal, so a receipt never shows
    another sum than the one charged.
    """
    value = from_minor(minor, currency)
    tag = locale.replace("-", "_")
    shown = _display_digits(currency)
    if value == value.quantize(Decimal(1).scaleb(-shown)):
        return format_currency(value, currency, locale=tag)
    try:
        loc = Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        loc = Locale.parse("en_US")
    pattern = parse_pattern(loc.currency_formats["standard"])
    digits = exponent(currency)
    pattern.frac_prec = (digits, digits)
    return str(pattern.apply(value, loc, currency=currency, currency_digits=False))


@lru_cache(maxsize=None)
def _display_digits(currency: str) -> int:
    return int(get_currency_precision(currency))
