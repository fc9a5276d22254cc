"""Where the browser code, templates and demo live, in a source checkout and in an installed wheel.

The wheel carries ``static/``, ``templates/`` and ``demo/`` inside the package; a source
checkout keeps them at the top of the repository. Everything asks here, so both work.

Inside them, each file belongs to one owner, and each owner serves only its own folders:

- merchants' apps (the ``paykka`` blueprint of :class:`paykka_embed.PayKKa`):
  ``static/js/paykka/`` (the mount layer and its TypeScript declarations) and
  ``templates/paykka/`` (the macros and the result page);
- the emulator: ``static/js/emulator/`` (the SDK stand-in's sources, the card frame's and
  its pages' scripts), ``static/css/emulator/`` and ``templates/emulator/`` (its pages).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_PACKAGED_NAMES = {"static": "static", "templates": "templates", "demo": "_demo"}


@lru_cache(maxsize=None)
def resource_dir(name: str) -> Path:
    packaged = _PACKAGE / _PACKAGED_NAMES[name]
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"paykka-embed resource folder {name!r} is missing from this installation")


def static_dir() -> Path:
    return resource_dir("static")


def templates_dir() -> Path:
    return resource_dir("templates")


def merchant_static_dir() -> Path:
    """What a merchant's app serves under ``{prefix}/static/js/``: ``paykka-embed.js`` and ``.d.ts``."""
    return static_dir() / "js" / "paykka"


def merchant_templates_dir() -> Path:
    """The merchants' templates, rendered as ``paykka/<name>`` (``paykka/macros.html``)."""
    return templates_dir() / "paykka"


def emulator_asset(kind: str, relative: str) -> Path:
    """One of the emulator's files: ``emulator_asset("js", "frame/card-frame.js")``,
    ``emulator_asset("css", "sdk.css")``."""
    if kind not in ("js", "css"):
        raise ValueError(f"kind: must be 'js' or 'css', not {kind!r}")
    return static_dir() / kind / "emulator" / relative


def emulator_templates_dir() -> Path:
    """The emulator's page templates (the hosted page, card frame, 3DS and wallet pages)."""
    return templates_dir() / "emulator"
