"""The README's screenshots can be regenerated: the script walks the demo in Chromium and
writes a PNG per page and viewport."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_screenshot_script_writes_every_page_in_both_viewports(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, text=True, timeout=300)
    pages = ["catalogue", "cart", "checkout-dropin", "checkout-components", "order", "admin",
             "checkout-dropin-ar", "hosted-ar"]  # Arabic, right to left
    for page in pages:
        for viewport in ("desktop", "mobile"):
            png = tmp_path / f"{page}-{viewport}.png"
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
            assert png.stat().st_size > 10_000
    committed = {p.name for p in (ROOT / "docs" / "screenshots").glob("*.png")}
    assert committed == {p.name for p in tmp_path.glob("*.png")}, "docs/screenshots is out of step with the script"
