"""Which of the checkout's 14 languages a BCP 47 tag asks for: one rule for the whole toolkit.

The macros, the mount layer's own messages, the emulator's SDK stand-in, its card frame and
its pages all resolve a shopper's tag here, in Python, and hand the browser the resolved tag;
no JavaScript repeats the rule. The rule follows BCP 47 lookup with CLDR's data (Babel):

1. a tag that is not well formed (or not a string) gets ``en-US``;
2. deprecated and alias language codes become their current ones (``iw`` → ``he``,
   ``in`` → ``id``, ``tl`` → ``fil``, ``ji`` → ``yi``, ``cmn`` → ``zh``, ``zsm`` → ``ms``);
3. the tag is maximised with CLDR's likely subtags, so a region implies a script only
   when the tag names none (``zh-HK`` → Traditional, ``zh-Hans-HK`` stays Simplified,
   ``zh-Hant-CN`` stays Traditional, ``und-TW`` → Traditional Chinese);
4. the supported locale of the same language and script wins, the one of the same region
   first (``fr-CH`` → ``fr-FR``, the parent language); a language or script the checkout
   does not speak gets ``en-US``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping, NamedTuple, Optional

from babel.core import get_global

DEFAULT = "en-US"

#: The checkout's languages, as tags the browser receives.
SUPPORTED = ("en-US", "zh-CN", "zh-HK", "ja-JP", "ko-KR", "th-TH", "vi-VN", "id-ID", "ms-MY", "fil-PH",
             "fr-FR", "de-DE", "es-ES", "ar")

RTL = frozenset({"ar"})

# RFC 5646 "langtag" (language, extlang, script, region, variants, extensions, private use),
# or a private-use-only tag; "_" is accepted for "-" as POSIX locales write it.
_SUBTAGS = (r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?"
            r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?")
_LANGTAG = re.compile(rf"^{_SUBTAGS}$")
_MAX_LENGTH = 64


class Subtags(NamedTuple):
    language: str
    script: Optional[str]
    region: Optional[str]


def parse(tag: Any) -> Optional[Subtags]:
    """Language, script and region of a well-formed tag (aliases not yet applied), else None."""
    if not isinstance(tag, str) or not tag.strip() or len(tag) > _MAX_LENGTH:
        return None
    text = tag.strip().replace("_", "-").lower()
    if not _LANGTAG.match(text):
        return None
    parts = text.split("-")
    language, script, region = parts[0], None, None
    for part in parts[1:]:
        if len(part) == 1:  # an extension or private use: the rest says nothing of the language
            break
        if len(part) == 3 and part.isalpha() and script is None and region is None:
            continue  # an extlang (zh-yue): its prefix language is kept
        if len(part) == 4 and part.isalpha() and script is None and region is None:
            script = part.title()
        elif (len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit()) and region is None:
            region = part.upper()
        else:
            break  # variants
    if len(language) > 3:  # a 4-8 letter language subtag is reserved: nothing to match
        return None
    return Subtags(language, script, region)


def _canonical(tags: Subtags) -> Subtags:
    """Alias codes replaced by CLDR's current ones (a replacement may bring a script or region)."""
    language, script, region = tags
    aliases: Mapping[str, str] = get_global("language_aliases")
    replacement = aliases.get(f"{language}_{region}") if region else None
    if replacement:
        region = None
    replacement = replacement or aliases.get(language)
    if replacement:
        bits = replacement.split("_")
        language = bits[0]
        for bit in bits[1:]:
            if len(bit) == 4 and script is None:
                script = bit
            elif len(bit) in (2, 3) and region is None:
                region = bit
    territories: Mapping[str, Any] = get_global("territory_aliases")  # e.g. UK → [GB], SU → [RU, ...]
    if region and territories.get(region):
        replaced = territories[region]
        region = str(replaced[0] if isinstance(replaced, (list, tuple)) else replaced)
    return Subtags(language, script, region)


def _maximise(tags: Subtags) -> Subtags:
    """CLDR's likely subtags fill what the tag leaves out (never override what it says)."""
    likely: Mapping[str, str] = get_global("likely_subtags")
    language, script, region = tags
    for key in (f"{language}_{script}_{region}", f"{language}_{region}", f"{language}_{script}", language,
                f"und_{script}_{region}", f"und_{region}", f"und_{script}"):
        if "None" in key:
            continue
        found = likely.get(key)
        if found:
            bits = found.split("_")
            language = bits[0] if language == "und" else language
            script = script or next((b for b in bits[1:] if len(b) == 4), None)
            region = region or next((b for b in bits[1:] if len(b) in (2, 3)), None)
            break
    return Subtags(language, script, region)


@lru_cache(maxsize=None)
def _supported() -> tuple[tuple[str, Subtags], ...]:
    out = []
    for tag in SUPPORTED:
        parsed = parse(tag)
        assert parsed is not None
        out.append((tag, _maximise(_canonical(parsed))))
    return tuple(out)


def canonical(tag: Any) -> Optional[Subtags]:
    """The tag's current language, its script and region (likely ones filled in), or None."""
    parsed = parse(tag)
    return _maximise(_canonical(parsed)) if parsed else None


@lru_cache(maxsize=1024)
def _resolve(tag: str) -> str:
    wanted = canonical(tag)
    if wanted is None:
        return DEFAULT
    same = [(supported, max_) for supported, max_ in _supported()
            if max_.language == wanted.language and max_.script == wanted.script]
    for supported, max_ in same:
        if max_.region == wanted.region:
            return supported
    return same[0][0] if same else DEFAULT


def resolve(tag: Any) -> str:
    """The supported locale for a BCP 47 tag; see the module's docstring for the rule."""
    return _resolve(tag) if isinstance(tag, str) else DEFAULT


def first_supported(tags: Any) -> Optional[str]:
    """The supported locale of the first of ``tags`` (e.g. a browser's Accept-Language, best first) in a
    language the checkout speaks; None when none is (an unknown language does not fall back to English
    here, so the caller can try its own default)."""
    for tag in tags:
        resolved = resolve(tag)
        parsed = canonical(tag)
        if resolved != DEFAULT or (parsed is not None and parsed.language == "en"):
            return resolved
    return None


def format_locale(tag: Any, resolved: Optional[str] = None) -> str:
    """The locale to format amounts and dates with, in Babel's form: the shopper's own
    language and region when the checkout speaks that language (``fr-CH`` reads French
    text with Swiss separators), else the resolved locale's."""
    resolved = resolved or resolve(tag)
    wanted, chosen = canonical(tag), canonical(resolved)
    assert chosen is not None
    if wanted is not None and wanted.region and (wanted.language, wanted.script) == (chosen.language, chosen.script):
        from babel.core import Locale, UnknownLocaleError

        name = f"{wanted.language}_{wanted.script}_{wanted.region}"
        try:
            Locale.parse(name)
            return name
        except (UnknownLocaleError, ValueError):
            pass
    return resolved.replace("-", "_")


_LRI, _PDI = "\u2066", "\u2069"
# A run of the formatted amount that is neither digits, separators nor marks: the currency symbol.
_SYMBOL = re.compile(r"[^\s\d.,\u066b\u066c\u200e\u200f\u061c\u00a0\u202f+\-\u2212\u0660-\u0669]+")


def amount_text(minor: int, currency: str, tag: Any, resolved: Optional[str] = None) -> str:
    """An amount as CLDR lays it out for the shopper's language (Babel): ``HK$8.00`` (en),
    ``8,00 HK$`` (de), ``8,00 HKD`` (fr-CH), ``\u200f8.00 HK$`` (ar). In a right-to-left
    locale a Latin currency symbol is isolated left-to-right, so "HK$" never reads "$HK"."""
    from . import money

    resolved = resolved or resolve(tag)
    try:
        shown = money.format_minor(minor, currency, format_locale(tag, resolved))
    except Exception:  # an odd locale never costs the shopper the amount
        shown = money.format_minor(minor, currency, resolved)
    if direction(resolved) == "rtl":
        shown = _SYMBOL.sub(lambda m: _LRI + m.group(0) + _PDI if re.search("[A-Za-z$]", m.group(0)) else m.group(0),
                            shown)
    return shown


def direction(locale: str) -> str:
    """``rtl`` for a right-to-left resolved locale, else ``ltr``."""
    return "rtl" if locale.split("-")[0] in RTL else "ltr"
