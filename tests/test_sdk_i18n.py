"""The locale rule shared by the SDK, the card frame and the stub's pages."""

from __future__ import annotations

import pytest

from paykka_embed.stub import i18n


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
