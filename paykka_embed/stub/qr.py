"""Real QR codes for the QR wallets (WeChat Pay, Alipay+, VietQR), drawn by segno.

The SVG has no XML declaration, no style attribute and no script, so the SDK can
place it in a merchant page under a strict CSP; it scales with its box (no fixed size).
"""

from __future__ import annotations

import io

import segno


def svg(content: str) -> str:
    """``content`` as a QR code in SVG (text)."""
    code = segno.make(content, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=2,
              dark="#101828", light="#fff", svgclass="pk-qr-code", lineclass=None, title=None)
    return out.getvalue().decode("utf-8")


def png(content: str, scale: int = 6) -> bytes:
    """``content`` as a QR code in PNG, ``scale`` pixels per module."""
    out = io.BytesIO()
    segno.make(content, error="m", micro=False).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
