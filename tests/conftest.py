"""Shared fixtures: the demo shop served on a real port against the live emulator.

The emulator fixtures (paykka_stub, paykka_merchant, paykka_browser, paykka_page) come
from paykka-embed's own pytest plugin, the same one merchants use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from paykka_embed.demo import load_demo
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount


@pytest.fixture
def demo_shop(paykka_merchant: MerchantAccount, tmp_path: Path) -> Iterator[BackgroundServer]:
    """The demo storefront, configured for a fresh merchant, serving on a free port."""
    app = load_demo().create_app({**paykka_merchant.flask_config(), "DEMO_DATA_DIR": str(tmp_path / "shop")})
    with BackgroundServer(app) as server:
        yield server
