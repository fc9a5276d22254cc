"""The mount layer's budget and hygiene, checked on the file itself: at most 4 KB after gzip -9,
no eval or HTML string injection, and a TypeScript declaration that matches what it dispatches."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from paykka_embed.resources import merchant_static_dir

JS = merchant_static_dir() / "paykka-embed.js"
DTS = merchant_static_dir() / "paykka-embed.d.ts"
BUDGET = 4096


def test_the_mount_layer_fits_in_4_kb_gzipped() -> None:
    size = len(gzip.compress(JS.read_bytes(), compresslevel=9))
    assert size <= BUDGET, f"paykka-embed.js is {size} bytes after gzip -9 (budget {BUDGET})"


def test_no_eval_no_html_strings_no_inline_handlers() -> None:
    source = JS.read_text()
    for pattern in (r"\beval\(", r"new Function", r"innerHTML", r"outerHTML", r"insertAdjacentHTML",
                    r"document\.write", r"setAttribute\(\"on", r"setTimeout\(\""):
        assert not re.search(pattern, source), pattern


def test_the_declaration_names_every_event_the_script_dispatches() -> None:
    source, types = JS.read_text(), DTS.read_text()
    emitted = set(re.findall(r'emit\([^,]+, "(\w+)"', source))
    assert emitted == {"ready", "success", "failure", "expired", "error"}
    for name in emitted:
        assert f'"paykka:{name}": CustomEvent<' in types
    for member in ("mount(", "autoMount(", "pay(", "unmount(", "refresh("):
        assert member in types


def test_the_declaration_ships_beside_the_script() -> None:
    assert DTS.parent == JS.parent and DTS.stat().st_size > 0


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_script_parses(tmp_path: Path) -> None:
    check = subprocess.run(["node", "--check", str(JS)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
