"""Item 7 — where the time goes when a throughput figure misses its goal.

Method: py-spy samples the merchant app's process (from outside, so the app runs
unmodified) while one more load round of the same kind runs; the collapsed stacks are
kept in ``bench/.cache/profiles/`` and summarised here as the functions holding the most
samples, inclusive (the function and what it calls) and self (the function's own lines).
Only threads doing work are sampled (py-spy leaves idle threads out). Where py-spy cannot
attach (containers without ptrace), pyinstrument profiles the same merchant app driven
in-process through Flask's test client, one request at a time against the same emulator:
the app's own code path without the HTTP server, wall time (waiting for the emulator
included, under the HTTP client's frames).
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .peers import CACHE

PROFILES = CACHE / "profiles"
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^)]*?)(?::\d+)?\)$")


@dataclass(frozen=True)
class Line:
    function: str
    share: float  # fraction of samples


@dataclass(frozen=True)
class Profile:
    name: str
    samples: int
    inclusive: tuple[Line, ...]
    own: tuple[Line, ...]
    layers: tuple[tuple[str, float], ...]
    raw_file: Path
    unit: str = "samples (py-spy)"


#: (layer, pattern found in a frame), checked from the top of each stack down.
LAYERS = (
    ("RSA sign/verify", re.compile(r"cryptography|\bsign \(|\bverify \(")),
    ("SQLite", re.compile(r"sqlite")),
    ("pydantic", re.compile(r"pydantic")),
    ("JSON", re.compile(r"json/")),
    ("HTTP client (httpx)", re.compile(r"httpx|httpcore|h11/")),
    ("Jinja", re.compile(r"jinja2")),
    ("WSGI server and sockets", re.compile(r"werkzeug/serving|socketserver|http/server|waitress|socket\.py|ssl\.py")),
    ("Flask/Werkzeug request handling", re.compile(r"flask|werkzeug|flask_wtf|itsdangerous")),
    ("paykka_embed", re.compile(r"paykka_embed/")),
)


def available() -> bool:
    return py_spy_available() or pyinstrument_available()


def py_spy_available() -> bool:
    return shutil.which("py-spy") is not None or Path(__import__("sys").executable).with_name("py-spy").exists()


def pyinstrument_available() -> bool:
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        return False
    return True


def record_inprocess(name: str, work: Callable[[], object]) -> Profile | None:
    """Profile ``work`` (run in this thread) with pyinstrument; its frame tree is written as
    collapsed stacks (``frame;frame;... microseconds``) so :func:`summarise` reads it as it
    reads py-spy's."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        work()
    finally:
        session = profiler.stop()
    lines: list[str] = []

    def walk(frame: Any, stack: list[str]) -> None:
        if frame.is_synthetic:  # pyinstrument's "[self]": time in the parent's own lines
            if stack and frame.time > 0:
                lines.append(f"{';'.join(stack)} {round(frame.time * 1e6)}")
            return
        here = stack + [f"{frame.function} ({frame.file_path}:{frame.line_no})"]
        for child in frame.children:
            walk(child, here)

    root = session.root_frame()
    if root is None:
        return None
    walk(root, [])
    PROFILES.mkdir(parents=True, exist_ok=True)
    raw = PROFILES / f"{_slug(name)}.txt"
    raw.write_text("\n".join(lines) + "\n")
    profile = summarise(name, raw)
    return Profile(profile.name, profile.samples, profile.inclusive, profile.own, profile.layers, raw,
                   unit="µs of wall time (pyinstrument, in-process)")


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()


def _py_spy() -> str:
    local = Path(__import__("sys").executable).with_name("py-spy")
    return str(local) if local.exists() else "py-spy"


def _short(frame: str) -> str:
    m = _FRAME.match(frame)
    if not m:
        return frame
    path = m.group("file")
    for marker in ("site-packages/", "paykka_embed/", "bench/", "lib/python3"):
        if marker in path:
            path = (marker if marker in ("paykka_embed/", "bench/") else "") + path.split(marker, 1)[1]
            break
    return f"{m.group('func')} ({path})"


def summarise(name: str, raw_file: Path, top: int = 14) -> Profile:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw_file.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short(f) for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
        layer = next((name for frame in reversed(frames) for name, pattern in LAYERS if pattern.search(frame)),
                     "other")
        layers[layer] += count
    # Leave out the thread and server plumbing every sample passes through.
    plumbing = [f for f, c in inclusive.items() if total and c / total > 0.9]
    inc = tuple(Line(f, c / total) for f, c in inclusive.most_common() if f not in plumbing)[:top]
    slf = tuple(Line(f, c / total) for f, c in own.most_common(top))
    shares = tuple((n, c / total) for n, c in layers.most_common()) if total else ()
    return Profile(name, total, inc, slf, shares, raw_file)


def record(name: str, pid: int, load_round: Callable[[], object], seconds: float) -> Profile | None:
    """Sample ``pid`` with py-spy while ``load_round`` runs; None if py-spy cannot attach."""
    PROFILES.mkdir(parents=True, exist_ok=True)
    raw = PROFILES / f"{_slug(name)}.txt"
    proc = subprocess.Popen([_py_spy(), "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
                             "--duration", str(int(seconds)), "--output", str(raw), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    worker = threading.Thread(target=load_round, daemon=True)
    worker.start()
    worker.join(timeout=seconds + 60)
    try:
        _, err = proc.communicate(timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        proc.terminate()
        return None
    if proc.returncode != 0 or not raw.exists():
        print(f"  py-spy could not profile {name}: {err.strip()[:200]}")
        return None
    return summarise(name, raw)
