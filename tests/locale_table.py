"""The locale table every side of the checkout must agree on: a requested BCP 47 tag and the one
of the 14 languages it gets. Script subtags win over regions; deprecated and alias codes map to
their current ones; then the parent language; then en-US. Shared by the Python, stand-in and
mount-layer tests, so all three pass the same table."""

from __future__ import annotations

TABLE: list[tuple[object, str]] = [
    # the 14, as written
    ("en-US", "en-US"), ("zh-CN", "zh-CN"), ("zh-HK", "zh-HK"), ("ja-JP", "ja-JP"), ("ko-KR", "ko-KR"),
    ("th-TH", "th-TH"), ("vi-VN", "vi-VN"), ("id-ID", "id-ID"), ("ms-MY", "ms-MY"), ("fil-PH", "fil-PH"),
    ("fr-FR", "fr-FR"), ("de-DE", "de-DE"), ("es-ES", "es-ES"), ("ar", "ar"),
    # Chinese: the script decides, else the region's likely script
    ("zh", "zh-CN"), ("zh-Hans", "zh-CN"), ("zh-Hant", "zh-HK"), ("zh-TW", "zh-HK"), ("zh-MO", "zh-HK"),
    ("zh-SG", "zh-CN"), ("zh-Hans-HK", "zh-CN"), ("zh-Hant-CN", "zh-HK"), ("zh-Hans-TW", "zh-CN"),
    ("zh-Hant-SG", "zh-HK"), ("ZH-hant-hk", "zh-HK"), ("zh_TW", "zh-HK"), ("und-TW", "zh-HK"),
    ("cmn-Hans-CN", "zh-CN"),
    # regions of a spoken language: the parent
    ("fr-CH", "fr-FR"), ("fr-CA", "fr-FR"), ("de-AT", "de-DE"), ("de-CH", "de-DE"), ("es-MX", "es-ES"),
    ("es-419", "es-ES"), ("en-GB", "en-US"), ("en-IN", "en-US"), ("ar-EG", "ar"), ("ar-SA", "ar"),
    ("ms-SG", "ms-MY"), ("ja", "ja-JP"), ("ko", "ko-KR"), ("th", "th-TH"), ("vi", "vi-VN"),
    # deprecated and alias codes
    ("tl", "fil-PH"), ("tl-PH", "fil-PH"), ("in", "id-ID"), ("in-ID", "id-ID"), ("zsm", "ms-MY"),
    ("iw", "en-US"), ("ji", "en-US"), ("jw", "en-US"), ("mo", "en-US"),
    # extensions and variants do not change the language
    ("de-DE-1996", "de-DE"), ("en-US-u-nu-arab", "en-US"), ("ja-JP-x-test", "ja-JP"),
    # a language or script the checkout does not speak
    ("pt-BR", "en-US"), ("ru", "en-US"), ("he", "en-US"), ("yue", "en-US"), ("ar-Latn", "en-US"),
    ("sr-Latn", "en-US"), ("xx", "en-US"), ("qaa", "en-US"), ("und", "en-US"),
    # malformed or absent
    ("", "en-US"), ("<script>", "en-US"), ("zh-", "en-US"), ("-zh", "en-US"), ("en--US", "en-US"),
    ("e", "en-US"), ("toolongtag", "en-US"), ("x-private", "en-US"), ("i-klingon", "en-US"),
    ("a" * 70, "en-US"), (None, "en-US"), (42, "en-US"),
]

#: The tags a browser can be handed (strings the merchant could write in a template).
BROWSER_TABLE = [(tag, want) for tag, want in TABLE if isinstance(tag, str) and tag and len(tag) <= 64]
