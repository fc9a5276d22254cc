"""Payment method marks: small SVG badges, drawn here once and used three ways: inlined
into the SDK bundle (the merchant page needs no image request, so its CSP needs no
img-src for us), as ``<symbol>``s inside the card frame and the emulator's own pages, and
as a sprite at ``/cp/icons.svg``.

:data:`ICONS` holds the drawings by name; each row of :mod:`paykka_embed.catalogue` names
its own (``mark``: its ``icon``, else its code), so a new method is a row there and, unless
it reuses one, a drawing here.

They are plain labelled badges in each scheme's colours, not the schemes' artwork:
enough for a shopper to recognise the method in a test checkout. Only presentation
attributes are used (no ``style``), so a strict style-src never blocks them.
"""

from __future__ import annotations

from html import escape
from typing import Optional

from .. import catalogue

VIEWBOX = "0 0 38 24"
_FONT = 'font-family="Arial,Helvetica,sans-serif" font-weight="700" text-anchor="middle"'


def badge(bg: str, label: str, fg: str = "#fff", size: float = 8, border: bool = False, italic: bool = False) -> str:
    """A plain mark: ``label`` in bold on a rounded ``bg`` card (``size`` in viewBox units)."""
    stroke = ' stroke="#d0d5dd"' if border else ""
    style = ' font-style="italic"' if italic else ""
    return (f'<rect x=".5" y=".5" width="37" height="23" rx="3.5" fill="{bg}"{stroke}/>'
            f'<text x="19" y="{12 + size * 0.36:.1f}" font-size="{size}" fill="{fg}" {_FONT}{style}>{escape(label)}</text>')


ICONS: dict[str, str] = {
    "VISA": badge("#fff", "VISA", "#1a1f71", 10, border=True, italic=True),
    "MASTERCARD": ('<rect x=".5" y=".5" width="37" height="23" rx="3.5" fill="#fff" stroke="#d0d5dd"/>'
                   '<circle cx="15" cy="12" r="7" fill="#eb001b"/><circle cx="23" cy="12" r="7" fill="#f79e1b"'
                   ' fill-opacity=".85"/>'),
    "AMEX": badge("#1f72cd", "AMEX", size=9),
    "JCB": ('<rect x=".5" y=".5" width="37" height="23" rx="3.5" fill="#fff" stroke="#d0d5dd"/>'
            '<rect x="7" y="5" width="8" height="14" rx="2" fill="#0e4c96"/>'
            '<rect x="15" y="5" width="8" height="14" rx="2" fill="#e2232a"/>'
            '<rect x="23" y="5" width="8" height="14" rx="2" fill="#009b4d"/>'
            f'<text x="19" y="15" font-size="6.5" fill="#fff" {_FONT}>J C B</text>'),
    "DISCOVER": (badge("#fff", "DISC VER", "#231f20", 6, border=True)
                 + '<circle cx="22.6" cy="11.8" r="2.4" fill="#f58220"/>'),
    "DINERS": ('<rect x=".5" y=".5" width="37" height="23" rx="3.5" fill="#fff" stroke="#d0d5dd"/>'
               '<circle cx="19" cy="12" r="7.5" fill="#0079be"/><circle cx="19" cy="12" r="5" fill="#fff"/>'
               '<rect x="18" y="7" width="2" height="10" fill="#0079be"/>'),
    "BANKCARD": ('<rect x=".5" y=".5" width="37" height="23" rx="3.5" fill="#f2f4f7" stroke="#98a2b3"/>'
                 '<rect x="1" y="6" width="36" height="4" fill="#667085"/>'
                 '<rect x="5" y="15" width="12" height="3" rx="1" fill="#98a2b3"/>'),
    "APPLE_PAY": badge("#000", "Apple Pay", size=7),
    "GOOGLE_PAY": ('<rect x=".5" y=".5" width="37" height="23" rx="3.5" fill="#fff" stroke="#d0d5dd"/>'
                   f'<text x="11" y="15.5" font-size="10" fill="#4285f4" {_FONT}>G</text>'
                   f'<text x="24" y="15" font-size="8" fill="#5f6368" {_FONT}>Pay</text>'),
    "WECHAT_PAY": ('<rect x=".5" y=".5" width="37" height="23" rx="3.5" fill="#1aad19"/>'
                   '<ellipse cx="16" cy="10.5" rx="6.5" ry="5" fill="#fff"/>'
                   '<ellipse cx="22.5" cy="14" rx="5.5" ry="4.3" fill="#fff" stroke="#1aad19" stroke-width="1"/>'),
    "ALIPAY_PLUS": badge("#1677ff", "Alipay+", size=7.5),
    "GCASH": badge("#007dfe", "GCash", size=8),
    "MAYA": badge("#00d26a", "maya", "#000", 9),
    "SHOPEEPAY": badge("#ee4d2d", "ShopeePay", size=6),
    "GRABPAY": badge("#00b14f", "GrabPay", size=7),
    "ZALOPAY": badge("#0068ff", "ZaloPay", size=7),
    "VIETQR": ('<rect x=".5" y=".5" width="37" height="23" rx="3.5" fill="#fff" stroke="#d0d5dd"/>'
               f'<text x="14" y="15" font-size="8" fill="#da251d" {_FONT}>Viet</text>'
               f'<text x="28" y="15" font-size="8" fill="#005bac" {_FONT}>QR</text>'),
}


def mark(code: str) -> str:
    """The drawing of a method or brand code (the generic card's for an unknown code)."""
    row = catalogue.method(code) or catalogue.brand(code)
    return ICONS.get(row.mark if row else code, ICONS[catalogue.BANKCARD])


def marks() -> dict[str, str]:
    """Every method's and brand's drawing, by code: what the SDK bundle inlines as ``ICONS``."""
    return {code: mark(code) for code in catalogue.method_codes() + catalogue.brand_codes()}


def symbols(codes: Optional[list[str]] = None) -> str:
    """``<symbol>`` elements for ``codes`` (every method and brand when None), ids ``pk-icon-<code>``."""
    return "".join(f'<symbol id="pk-icon-{code}" viewBox="{VIEWBOX}">{mark(code)}</symbol>'
                   for code in (codes if codes is not None else marks()))


def sprite() -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg">{symbols()}</svg>'


def inline(code: str, label: str = "") -> str:
    """One icon as an inline ``<svg>``; decorative unless ``label`` names it."""
    a11y = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true" focusable="false"'
    return (f'<svg class="pk-icon" viewBox="{VIEWBOX}" width="38" height="24" direction="ltr" {a11y}>'
            f'{mark(code)}</svg>')
