"""Amounts in integer minor units, with each currency's decimals taken from ISO 4217 (the ``iso4217``
package), and formatted for shoppers with Babel (CLDR)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from paykka_embed import money
from paykka_embed.errors import ValidationError

# --- decimals per currency ---------------------------------------------------------------------


@pytest.mark.parametrize("currency,decimals", [("HKD", 2), ("USD", 2), ("JPY", 0), ("VND", 0), ("KRW", 0),
                                               ("KWD", 3), ("BHD", 3), ("HUF", 2), ("IDR", 2), ("CLF", 4)])
def test_exponent(currency: str, decimals: int) -> None:
    assert money.exponent(currency) == decimals


def _active_iso_codes() -> list[tuple[str, int | None]]:
    from iso4217 import Currency

    return sorted((c.code, c.exponent) for c in Currency)


def test_the_whole_active_iso_list_matches_the_package() -> None:
    codes = _active_iso_codes()
    assert len(codes) > 150
    for code, iso_exponent in codes:
        if iso_exponent is None:  # funds, metals, test codes: no minor unit, nothing to pay in
            with pytest.raises(ValidationError) as info:
                money.exponent(code)
            assert "no minor unit" in info.value.rule
            continue
        assert money.exponent(code) == iso_exponent, code
        one_major = Decimal(1)
        assert money.to_minor(one_major, code) == 10**iso_exponent, code
        assert money.from_minor(10**iso_exponent, code) == one_major, code
        if iso_exponent:
            smallest = Decimal(1).scaleb(-iso_exponent)
            assert money.to_minor(smallest, code) == 1, code
            with pytest.raises(ValidationError):
                money.to_minor(smallest / 10, code)


@pytest.mark.parametrize("amount,currency,minor", [
    (Decimal("5000"), "HUF", 500000),  # CLDR shows HUF without decimals; ISO 4217 has two
    (Decimal("150000"), "IDR", 15000000),
    (Decimal("1200.50"), "HUF", 120050),  # a fraction CLDR would not display is still a valid amount
    (Decimal("0.0001"), "CLF", 1),
])
def test_minor_units_follow_iso_4217_not_cldr_display_digits(amount: Decimal, currency: str, minor: int) -> None:
    assert money.as_minor(amount, currency) == minor
    assert money.from_minor(minor, currency) == amount


def test_formatting_never_rounds_away_what_was_charged() -> None:
    assert money.format_minor(500000, "HUF") == "HUF5,000"  # CLDR's usual layout when nothing is lost
    assert money.format_minor(120050, "HUF") == "HUF1,200.50"  # not CLDR's rounded "HUF1,200"
    assert money.format_minor(120050, "HUF", "de-DE") == "1.200,50\xa0HUF"
    assert money.format_minor(800, "HKD") == "HK$8.00"


class TestExponentOverrides:
    def teardown_method(self) -> None:
        money.clear_overrides()

    def test_an_override_changes_minor_units(self) -> None:
        money.override_exponents({"HUF": 0})
        assert money.exponent("HUF") == 0
        assert money.as_minor(Decimal("5000"), "HUF") == 5000
        money.override_exponents({"HUF": 0})  # the same override again (a second app) is fine
        money.clear_overrides()
        assert money.as_minor(Decimal("5000"), "HUF") == 500000

    def test_a_conflicting_override_is_refused(self) -> None:
        money.override_exponents({"HUF": 0})
        with pytest.raises(ValidationError) as info:
            money.override_exponents({"HUF": 2})
        assert info.value.field == "PAYKKA_CURRENCY_EXPONENTS"
        assert money.exponent("HUF") == 0

    @pytest.mark.parametrize("bad", [{"ZZZ": 2}, {"HUF": 5}, {"HUF": -1}, {"HUF": "2"}, {"HUF": True},
                                     {"HUF": 2.0}, ["HUF"]])
    def test_bad_overrides_name_the_key_and_change_nothing(self, bad: object) -> None:
        with pytest.raises(ValidationError) as info:
            money.override_exponents(bad)  # type: ignore[arg-type]
        assert info.value.field == "PAYKKA_CURRENCY_EXPONENTS"
        assert money.exponent("HUF") == 2


@pytest.mark.parametrize("currency", ["hkd", "Hkd", "ZZZ", "", "HK", "HKDX", " HKD", "HKD ", None, 344, ["HKD"]])
def test_exponent_refuses_what_is_not_an_upper_case_iso_code(currency: object) -> None:
    with pytest.raises(ValidationError) as info:
        money.exponent(currency)  # type: ignore[arg-type]
    assert info.value.field == "currency"


# --- currency codes ----------------------------------------------------------------------------


@pytest.mark.parametrize("currency", ["HKD", "USD", "EUR", "JPY", "CNY", "KWD", "VND", "GBP", "AUD", "INR"])
def test_check_currency_accepts_iso_codes(currency: str) -> None:
    assert money.check_currency(currency) == currency


@pytest.mark.parametrize("currency", ["hkd", "usd", "ZZZ", "", "HKDD", None])
def test_check_currency_names_the_field(currency: object) -> None:
    with pytest.raises(ValidationError) as info:
        money.check_currency(currency, "order.currency")  # type: ignore[arg-type]
    assert info.value.field == "order.currency"
    assert str(info.value).startswith("order.currency: ")
    assert "ISO 4217" in info.value.rule
    assert info.value.ret_code == "010000"


# --- to_minor: major units in, minor units out -------------------------------------------------


@pytest.mark.parametrize(
    "amount,currency,minor",
    [
        (Decimal("8.00"), "HKD", 800),
        (Decimal("8"), "HKD", 800),
        (Decimal("8.0"), "HKD", 800),
        (Decimal("8.000"), "HKD", 800),  # trailing zeros beyond the exponent are not a fraction
        (Decimal("0.01"), "USD", 1),
        (Decimal("80E-1"), "HKD", 800),
        (Decimal("1E+2"), "HKD", 10000),
        (Decimal("800"), "JPY", 800),
        (Decimal("800.00"), "JPY", 800),
        (Decimal("1.234"), "KWD", 1234),
        (Decimal("8"), "KWD", 8000),
        (Decimal("25000"), "VND", 25000),
        ("8.00", "HKD", 800),
        (" 8.00 ", "HKD", 800),
        (Decimal("9999999999999999.99"), "HKD", 999_999_999_999_999_999),  # 18 digits, the most PayKKa carries
    ],
)
def test_to_minor(amount: Decimal | str, currency: str, minor: int) -> None:
    result = money.to_minor(amount, currency)
    assert result == minor
    assert type(result) is int


@pytest.mark.parametrize(
    "amount,currency",
    [
        (Decimal("8.005"), "HKD"),
        (Decimal("0.001"), "HKD"),
        (Decimal("1.5"), "JPY"),
        (Decimal("800.01"), "JPY"),
        (Decimal("1.2345"), "KWD"),
        (Decimal("0.5"), "VND"),
        ("8.005", "HKD"),
        # More than 28 significant digits: Decimal's default context used to round this to
        # a whole 100 cents instead of refusing the fraction.
        (Decimal("1.00000000000000000000000000001"), "HKD"),
        (Decimal("1E-999999999"), "HKD"),
    ],
)
def test_fraction_of_the_minor_unit_is_refused(amount: Decimal | str, currency: str) -> None:
    with pytest.raises(ValidationError) as info:
        money.to_minor(amount, currency, field="order.total")
    assert info.value.field == "order.total"
    assert str(info.value).startswith("order.total: ")
    assert "fraction of the minor unit" in info.value.rule
    assert currency in info.value.rule


def test_default_field_is_amount() -> None:
    with pytest.raises(ValidationError) as info:
        money.to_minor(Decimal("8.005"), "HKD")
    assert info.value.field == "amount"


@pytest.mark.parametrize("amount", [8.0, 8.005, 800, 0, True, False])
def test_to_minor_refuses_float_int_and_bool(amount: object) -> None:
    """A float is never exact, and an int already means minor units: both are ambiguous here."""
    with pytest.raises(ValidationError) as info:
        money.to_minor(amount, "HKD", field="price")  # type: ignore[arg-type]
    assert info.value.field == "price"


@pytest.mark.parametrize("amount", ["abc", "", "8,00", "8.00 HKD", None, object(), "NaN", "sNaN", "Infinity",
                                    Decimal("NaN"), Decimal("-Infinity")])
def test_to_minor_refuses_non_numbers(amount: object) -> None:
    with pytest.raises(ValidationError) as info:
        money.to_minor(amount, "HKD")  # type: ignore[arg-type]
    assert info.value.field == "amount"


@pytest.mark.parametrize("amount", ["1E+16", "10000000000000000", "1E+999999999", "9" * 5000])
def test_to_minor_refuses_more_than_18_digits_quickly(amount: str) -> None:
    """A huge exponent once overflowed Decimal (or could build a billion-digit integer)."""
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="too large"):
        money.to_minor(amount, "HKD")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("currency", ["hkd", "XYZ", ""])
def test_to_minor_refuses_a_bad_currency_naming_it(currency: str) -> None:
    with pytest.raises(ValidationError) as info:
        money.to_minor(Decimal("8.00"), currency)
    assert info.value.field == "currency"
    assert repr(currency) in str(info.value)


def test_zero_is_zero() -> None:
    assert money.to_minor(Decimal("0.00"), "HKD") == 0
    assert money.to_minor(Decimal("0E+999999999"), "HKD") == 0


# --- as_minor: the package's rule (Decimal = major, int = minor) -------------------------------


@pytest.mark.parametrize(
    "amount,currency,minor",
    [
        (Decimal("8.00"), "HKD", 800),
        (800, "HKD", 800),
        (Decimal("800"), "JPY", 800),
        (800, "JPY", 800),
        (Decimal("1.234"), "KWD", 1234),
        (1234, "KWD", 1234),
        (1, "HKD", 1),
        (10**18 - 1, "HKD", 10**18 - 1),
    ],
)
def test_as_minor(amount: Decimal | int, currency: str, minor: int) -> None:
    assert money.as_minor(amount, currency) == minor


def test_as_minor_decimal_and_int_differ_by_the_exponent() -> None:
    """800 (int) is HK$8.00; Decimal(800) is HK$800.00."""
    assert money.as_minor(800, "HKD") == 800
    assert money.as_minor(Decimal(800), "HKD") == 80000


@pytest.mark.parametrize("amount", [0, -1, -800, Decimal("0"), Decimal("0.00"), Decimal("-8.00")])
def test_as_minor_refuses_non_positive(amount: Decimal | int) -> None:
    with pytest.raises(ValidationError, match="must be positive") as info:
        money.as_minor(amount, "HKD", field="order.amount")
    assert info.value.field == "order.amount"


@pytest.mark.parametrize("amount", [8.0, True, False, "8.00", "800", None])
def test_as_minor_refuses_other_types(amount: object) -> None:
    with pytest.raises(ValidationError) as info:
        money.as_minor(amount, "HKD")  # type: ignore[arg-type]
    assert info.value.field == "amount"


def test_as_minor_refuses_a_fraction_with_the_field() -> None:
    with pytest.raises(ValidationError, match="fraction") as info:
        money.as_minor(Decimal("1.5"), "JPY", field="total")
    assert info.value.field == "total"


@pytest.mark.parametrize("amount", [800, Decimal("8.00")])
@pytest.mark.parametrize("currency", ["hkd", "ZZZ"])
def test_as_minor_refuses_a_bad_currency_for_both_kinds(amount: Decimal | int, currency: str) -> None:
    with pytest.raises(ValidationError) as info:
        money.as_minor(amount, currency)
    assert info.value.field == "currency"


def test_as_minor_refuses_more_than_18_digits() -> None:
    with pytest.raises(ValidationError, match="too large"):
        money.as_minor(10**18, "HKD")


# --- from_minor and the round trip -------------------------------------------------------------


@pytest.mark.parametrize(
    "minor,currency,text",
    [(800, "HKD", "8.00"), (1, "HKD", "0.01"), (0, "HKD", "0.00"), (800, "JPY", "800"), (1234, "KWD", "1.234"),
     (25000, "VND", "25000"), (10**30 + 1, "HKD", "10000000000000000000000000000.01"), (-5, "KWD", "-0.005")],
)
def test_from_minor(minor: int, currency: str, text: str) -> None:
    """The result carries exactly the currency's decimals, even past Decimal's 28-digit context."""
    result = money.from_minor(minor, currency)
    assert isinstance(result, Decimal)
    assert str(result) == text


@pytest.mark.parametrize("minor", [8.0, True, "800", Decimal("800"), None])
def test_from_minor_refuses_non_int(minor: object) -> None:
    with pytest.raises(ValidationError):
        money.from_minor(minor, "HKD")  # type: ignore[arg-type]


def test_from_minor_refuses_a_bad_currency() -> None:
    with pytest.raises(ValidationError) as info:
        money.from_minor(800, "hkd")
    assert info.value.field == "currency"


ROUND_TRIP_CURRENCIES = ["HKD", "JPY", "KWD", "VND", "USD", "BHD", "EUR", "CLP"]


@pytest.mark.parametrize("currency", ROUND_TRIP_CURRENCIES)
@pytest.mark.parametrize("minor", [1, 5, 99, 100, 800, 123_456_789, 10**18 - 1])
def test_round_trip(currency: str, minor: int) -> None:
    major = money.from_minor(minor, currency)
    assert money.to_minor(major, currency) == minor
    assert money.as_minor(major, currency) == minor


def test_round_trip_property() -> None:
    """to_minor(from_minor(n)) == n for any amount PayKKa can carry (runs only with hypothesis)."""
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    @hypothesis.settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @hypothesis.given(minor=st.integers(min_value=0, max_value=10**18 - 1),
                      currency=st.sampled_from(ROUND_TRIP_CURRENCIES))
    def check(minor: int, currency: str) -> None:
        assert money.to_minor(money.from_minor(minor, currency), currency) == minor

    check()


# --- format_minor ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "minor,currency,locale,expected",
    [
        (800, "HKD", "en_US", "HK$8.00"),
        (800, "USD", "en_US", "$8.00"),
        (800, "JPY", "en_US", "¥800"),
        (123456, "HKD", "en_US", "HK$1,234.56"),
    ],
)
def test_format_minor(minor: int, currency: str, locale: str, expected: str) -> None:
    assert money.format_minor(minor, currency, locale) == expected


def test_format_minor_defaults_to_en_us_and_takes_bcp47() -> None:
    assert money.format_minor(800, "HKD") == "HK$8.00"
    assert money.format_minor(123456, "EUR", "de-DE") == money.format_minor(123456, "EUR", "de_DE")
    german = money.format_minor(123456, "EUR", "de-DE")
    assert "1.234,56" in german and "€" in german


def test_format_minor_uses_the_currency_decimals() -> None:
    assert "1.234" in money.format_minor(1234, "KWD", "en_US")
    assert money.format_minor(25000, "VND", "en_US").endswith("25,000")
