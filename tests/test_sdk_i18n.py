"""The locale rule shared by the toolkit, the SDK, the card frame and the stub's pages, and the
checkout's words in its 14 languages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from paykka_embed import locales
from paykka_embed.flask.templating import MESSAGES as TOOLKIT_MESSAGES, messages_for
from paykka_embed.stub import i18n

sys.path.insert(0, str(Path(__file__).parent))
from locale_table import TABLE  # noqa: E402


@pytest.mark.parametrize("tag, locale", TABLE)
def test_one_rule_for_the_table(tag, locale) -> None:
    assert locales.resolve(tag) == locale
    assert i18n.resolve(tag) == locale  # the emulator's pages and the SDK's init answer
    assert messages_for(tag) == TOOLKIT_MESSAGES[locale]  # the macros and the mount layer


@pytest.mark.parametrize("tag, locale", [
    ("fr-CH", "fr-FR"), ("fr", "fr-FR"), ("zh-HK", "zh-HK"), ("zh-TW", "zh-HK"), ("zh-Hant", "zh-HK"),
    ("zh-Hans-HK", "zh-CN"), ("zh", "zh-CN"), ("ar-EG", "ar"), ("de-AT", "de-DE"), ("es-MX", "es-ES"),
    ("tl", "fil-PH"), ("in-ID", "id-ID"), ("ms", "ms-MY"), ("en-GB", "en-US"), ("pt-BR", "en-US"),
    ("", "en-US"), (None, "en-US"), ("<script>", "en-US"), ("ja_JP", "ja-JP"),
])
def test_parent_language_fallback(tag, locale) -> None:
    assert i18n.resolve(tag) == locale


def test_every_locale_has_every_message_with_the_same_placeholders() -> None:
    import re

    reference = i18n.MESSAGES["en-US"]
    assert len(i18n.MESSAGES) == 14
    for locale, table in i18n.MESSAGES.items():
        assert set(table) == set(reference), locale
        for key, text in table.items():
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", reference[key])), (locale, key)


def test_direction() -> None:
    assert i18n.direction("ar") == "rtl" and i18n.direction("fr-FR") == "ltr"


DECLINE_KEYS = ("declinedCard", "declinedFunds", "declinedExpired", "declinedCvv", "declined3ds", "declinedWallet",
                "declinedOther")


@pytest.mark.parametrize("code, key", [("5001", "declinedCard"), ("5002", "declinedFunds"), ("5003", "declinedExpired"),
                                       ("5004", "declinedCvv"), ("5005", "declined3ds"), ("5006", "declinedWallet"),
                                       ("9999", "declinedOther"), (None, "declinedOther")])
def test_each_decline_kind_has_its_message(code, key) -> None:
    assert i18n.decline_key(code) == key


def test_declines_are_translated_in_every_locale_and_say_what_to_do_next() -> None:
    english = i18n.MESSAGES["en-US"]
    for key in DECLINE_KEYS:
        texts = {locale: table[key] for locale, table in i18n.MESSAGES.items()}
        assert len(set(texts.values())) == 14, key  # each language its own words
    assert english["declinedCard"] == "Your bank declined this card. Try another card or payment method."
    for key in DECLINE_KEYS:  # never the gateway's jargon
        assert not any(word in english[key].lower() for word in ("honour", "cvv", "3ds", "5001"))


def test_values_are_isolated_in_text_and_markup() -> None:
    assert i18n.text("ar", "continueWith", method="Alipay+") == "المتابعة باستخدام \u2068Alipay+\u2069"
    assert str(i18n.markup("en-US", "back", merchant="<Tea & Clay>")) == "Back to <bdi>&lt;Tea &amp; Clay&gt;</bdi>"


@pytest.mark.parametrize("tag, text", [
    ("en-US", "HK$880.00"), ("de-DE", "880,00\u00a0HK$"), ("fr-CH", "880,00\u00a0HKD"), ("ja-JP", "HK$880.00"),
    ("ar", "\u200f880.00\u00a0\u2066HK$\u2069"), ("pt-BR", "HK$880.00"),
])
def test_amounts_are_laid_out_by_cldr_and_isolated_in_right_to_left(tag, text) -> None:
    assert locales.amount_text(88000, "HKD", tag) == text
