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

import re
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


_BLOCK_START = re.compile(r"^\s*/\*")
_LINE_COMMENT = re.compile(r"^\s*//")


def compact_script(source: str, *, indentation: bool = True) -> str:
    """A script as it is served: without blank lines, lines that are only a ``//`` comment, and
    ``/* ... */`` comments that begin a line (and the indentation too, unless ``indentation``).

    The sources stay commented for the people who read them; the shopper does not download
    the comments. A line holding code beside a comment is kept whole, and nothing is joined,
    so the code means what it meant. The browser code keeps strings and regular expressions
    off comment lines for this."""
    kept: list[str] = []
    in_block = False
    for line in source.splitlines():
        if in_block:
            if "*/" not in line:
                continue
            in_block = False
            line = line.split("*/", 1)[1]
        elif _BLOCK_START.match(line):
            if "*/" not in line:
                in_block = True
                continue
            if line.rstrip().endswith("*/") and line.count("*/") == 1:
                continue
        elif _LINE_COMMENT.match(line):
            continue
        if line.strip():
            kept.append(line if indentation else line.lstrip())
    return "\n".join(kept)
