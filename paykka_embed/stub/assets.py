"""The emulator's static answers: its browser code and styles (from ``static/js/emulator/``
and ``static/css/emulator/``, see :mod:`paykka_embed.resources`), the SDK stand-in's bundle
and the payment method marks' sprite, each served gzipped with an ETag.

The SDK bundle (``/cp/card-checkout-ui.js``) is every file of ``static/js/emulator/sdk/`` in
name order, in one function scope, after two data blocks from the server:
``CATALOGUE`` (:func:`paykka_embed.catalogue.sdk_data`) and ``ICONS``
(:func:`paykka_embed.stub.icons.marks`). Comment lines are left out of every script the
shopper downloads (:func:`paykka_embed.resources.compact_script`); the sources keep them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Response, request

from .. import catalogue
from ..resources import compact_script, emulator_asset
from . import icons


@dataclass(frozen=True)
class Asset:
    body: bytes
    gz: bytes
    etag: str
    mimetype: str


def asset(body: bytes, mimetype: str) -> Asset:
    return Asset(body, gzip.compress(body, 9, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"', mimetype)


@lru_cache(maxsize=None)
def static_asset(kind: str, relative: str, mimetype: str) -> Asset:
    """One of the emulator's files (``static_asset("css", "sdk.css", "text/css")``); a script
    goes out without its comment lines, as the SDK bundle does."""
    path = emulator_asset(kind, relative)
    if kind == "js":
        return asset((compact_script(path.read_text("utf-8")) + "\n").encode("utf-8"), mimetype)
    return asset(path.read_bytes(), mimetype)


def sdk_bundle() -> Asset:
    return _sdk_bundle(catalogue.METHODS, catalogue.BRANDS)


@lru_cache(maxsize=4)
def _sdk_bundle(methods: tuple[catalogue.PaymentMethod, ...], brands: tuple[catalogue.CardBrand, ...]) -> Asset:
    # Keyed by the catalogue's rows: a row added (by a test) makes a new bundle.
    parts = sorted(emulator_asset("js", "sdk").glob("*.js"))
    source = "\n".join(compact_script(p.read_text("utf-8")) for p in parts)
    data = f"var CATALOGUE = {js_data(catalogue.sdk_data())};\nvar ICONS = {js_data(icons.marks())};\n"
    body = (f'/* PayKKa checkout SDK stand-in (paykka-embed emulator) */\n(function () {{\n"use strict";\n'
            f'{data}{source}\n}})();\n')
    return asset(body.encode("utf-8"), "application/javascript")


def js_data(value: Any) -> str:
    """``value`` as JSON fit for a script or a JSON ``<script>`` block ("</" escaped)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def sprite_asset() -> Asset:
    return _sprite_asset(catalogue.METHODS, catalogue.BRANDS)


@lru_cache(maxsize=4)
def _sprite_asset(methods: tuple[catalogue.PaymentMethod, ...], brands: tuple[catalogue.CardBrand, ...]) -> Asset:
    return asset(icons.sprite().encode("utf-8"), "image/svg+xml")


def serve(found: Asset, *, cors: bool = True) -> Response:
    """``found`` as the answer: 304 when the browser has it, gzipped when it takes gzip."""
    if request.if_none_match.contains_weak(found.etag.strip('"')):
        resp = Response(status=304)
    elif "gzip" in request.headers.get("accept-encoding", ""):
        resp = Response(found.gz, mimetype=found.mimetype)
        resp.headers["content-encoding"] = "gzip"
    else:
        resp = Response(found.body, mimetype=found.mimetype)
    resp.headers["etag"] = found.etag
    resp.headers["vary"] = "accept-encoding"
    resp.headers["cache-control"] = "no-cache"
    if cors:
        resp.headers["access-control-allow-origin"] = "*"
    resp.headers["x-content-type-options"] = "nosniff"
    return resp
