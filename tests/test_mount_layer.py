"""The mount layer's budget and hygiene: what merchants' apps serve is at most 4 KB after gzip -9;
the source reads like the rest of the code (no one-letter names, no line over 100 columns,
messages looked up by name); no eval or HTML string injection; and a TypeScript declaration
that matches what it dispatches and the messages the server sends."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from paykka_embed import PayKKa
from paykka_embed.flask.templating import MOUNT_MESSAGES
from paykka_embed.flask.views import mount_layer_script
from paykka_embed.resources import compact_script, merchant_static_dir

JS = merchant_static_dir() / "paykka-embed.js"
DTS = merchant_static_dir() / "paykka-embed.d.ts"
BUDGET = 4096


def _code(source: str) -> str:
    """The source with each string reduced to "" and without its comments."""
    return re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|/\*.*?\*/|//[^\n]*',
                  lambda found: " " if found.group().startswith("/") else '""', source, flags=re.S)


def test_what_merchants_download_fits_in_4_kb_gzipped(tmp_path: Path) -> None:
    app = Flask("merchant", root_path=str(tmp_path))
    app.config.update(SECRET_KEY="k", PAYKKA_DATABASE=":memory:")
    PayKKa(app)
    served = app.test_client().get("/paykka/static/js/paykka-embed.js")
    assert served.status_code == 200 and served.data == mount_layer_script()
    size = len(gzip.compress(served.data, compresslevel=9))
    print(f"paykka-embed.js: source {len(gzip.compress(JS.read_bytes(), 9))} B, served {size} B gzip -9")
    assert size <= BUDGET, f"the served paykka-embed.js is {size} bytes after gzip -9 (budget {BUDGET})"


def test_the_served_copy_is_the_source_without_comments_blank_lines_or_indentation() -> None:
    source = JS.read_text()
    served = mount_layer_script().decode()
    assert served == compact_script(source, indentation=False) + "\n"
    assert _code(served).split() == _code(source).split()  # the same code, token for token
    assert not re.search(r"^(\s|/\*|//|\*)", served, re.M), "a comment line, a blank line or indentation"


def test_the_source_reads_like_the_rest_of_the_code() -> None:
    source = JS.read_text()
    long_lines = [n for n, line in enumerate(source.splitlines(), 1) if len(line) > 100]
    assert not long_lines, f"lines over 100 columns: {long_lines}"
    one_letter = set(re.findall(r"(?<![\w$.])([A-Za-z_$])(?![\w$])", _code(source)))
    assert not one_letter, f"one-letter names: {sorted(one_letter)}"
    # Words by name: message(options, "retry"), never messages[0].
    assert not re.search(r"messages\)?\s*\[\s*\d", source)
    used = set(re.findall(r'message\([\w.]+, (?:\w+ \? )?"(\w+)"(?: : "(\w+)")?', source))
    names = {name for pair in used for name in pair if name}
    assert names == set(MOUNT_MESSAGES)


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


def test_the_declaration_names_every_message() -> None:
    types = DTS.read_text()
    block = re.search(r"export interface MountMessages \{(.*?)\n\}", types, re.S)
    assert block, "MountMessages is not an interface"
    assert set(re.findall(r"^\s+(\w+): string;", block.group(1), re.M)) == set(MOUNT_MESSAGES)


def test_the_declaration_ships_beside_the_script() -> None:
    assert DTS.parent == JS.parent and DTS.stat().st_size > 0


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("which", ["source", "served"])
def test_the_script_parses(tmp_path: Path, which: str) -> None:
    script = JS
    if which == "served":
        script = tmp_path / "paykka-embed.js"
        script.write_bytes(mount_layer_script())
    check = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
