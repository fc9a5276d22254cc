"""The SDK tests' shared fixture: the merchant site their checkout pages are served from.

Defined here once (not imported into each test module) so it overrides the demo shop's
``shop`` of ``tests/conftest.py`` for this folder only; the helpers of the kit
(``new_session``, ``open_dropin``, ``events``...) stay in ``test_sdk_kit``.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from paykka_embed.testing import StubHandle

from test_sdk_kit import MerchantSite


@pytest.fixture
def shop(paykka_stub: StubHandle) -> Iterator[MerchantSite]:
    """A throwaway merchant site on its own origin and port, serving the checkout pages."""
    site = MerchantSite(paykka_stub.url)
    site.server.start()
    yield site
    site.server.stop()
