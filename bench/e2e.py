"""Item 5 — the browser end-to-end suite's wall time (``--no-e2e`` skips it: it takes minutes).

Method: run ``python -m pytest tests -q -n 2 -m browser`` once and time it with a
monotonic clock; the closing line of pytest (passed/failed counts) is kept beside it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

COMMAND = [sys.executable, "-m", "pytest", "tests", "-q", "-n", "2", "-m", "browser"]


@dataclass(frozen=True)
class SuiteRun:
    seconds: float
    summary: str
    exit_code: int


def run(root: Path, timeout: float = 1800) -> SuiteRun:
    t0 = time.monotonic()
    proc = subprocess.run(COMMAND, cwd=root, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - t0
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return SuiteRun(seconds, lines[-1] if lines else "(no output)", proc.returncode)
