"""Figures the reliability tests measure: printed as they are measured, and merged into one JSON
file (``PAYKKA_RELIABILITY_FIGURES``, default ``<tmp>/paykka-reliability-figures.json``) that
``python tests/reliability/figures.py`` renders as the Markdown table in docs/reliability.md.

Safe under pytest-xdist: every write takes an exclusive lock on the file.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def figures_path() -> Path:
    default = Path(tempfile.gettempdir()) / "paykka-reliability-figures.json"
    return Path(os.environ.get("PAYKKA_RELIABILITY_FIGURES", default))


def record(item: int, name: str, value: Any) -> None:
    """Keep ``value`` as figure ``name`` of issue item ``item`` (1 to 7) and print it."""
    print(f"[reliability item {item}] {name}: {json.dumps(value, sort_keys=True)}")
    path = figures_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        text = fh.read()
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError:
            data = {}
        data.setdefault(str(item), {})[name] = value
        fh.seek(0)
        fh.truncate()
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.flush()
        fcntl.flock(fh, fcntl.LOCK_UN)


def render(path: Path) -> str:
    data = json.loads(path.read_text("utf-8"))
    lines = ["| item | figure | value |", "|---|---|---|"]
    for item in sorted(data, key=int):
        for name, value in sorted(data[item].items()):
            shown = json.dumps(value, sort_keys=True).replace("|", "\\|")
            lines.append(f"| {item} | {name} | `{shown}` |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(Path(sys.argv[1]) if len(sys.argv) > 1 else figures_path()))
