"""The shop's browser security: a fresh CSP nonce per request and a strict policy that lets
scripts and styles run only by that nonce or from the payment gateway's origin."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(nonce: str, gateway: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'nonce-{nonce}' {gateway}",
        f"style-src 'self' 'nonce-{nonce}' {gateway}",
        f"frame-src {gateway}",
        f"connect-src 'self' {gateway}",
        f"img-src 'self' data: {gateway}",
        f"form-action 'self' {gateway}",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ])


def install(app: Flask, gateway_url: str) -> None:
    gateway = origin_of(gateway_url)

    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def headers(resp: Any) -> Any:
        resp.headers["Content-Security-Policy"] = content_security_policy(g.get("csp_nonce", ""), gateway)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(self)"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
        return resp
