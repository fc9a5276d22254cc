"""The package and the demo (the code merchants copy) type-check under ``mypy --strict``, with no
``type: ignore`` in the package: a typing slip is a failing test, not a note in a review."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_passes_on_the_package_and_the_demo(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
                           "paykka_embed", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^Success: no issues found in \d+ source files$", done.stdout, re.M), done.stdout


def test_the_package_silences_no_type_error() -> None:
    silenced = [f"{path.relative_to(ROOT)}:{number}" for path in sorted((ROOT / "paykka_embed").rglob("*.py"))
                for number, line in enumerate(path.read_text("utf-8").splitlines(), 1) if "type: ignore" in line]
    assert silenced == []
