"""Where the browser code, templates and demo live, in a source checkout and in an installed wheel.

The wheel carries ``static/``, ``templates/`` and ``demo/`` inside the package; a source
checkout keeps them at the top of the repository. Everything asks here, so both work.
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
