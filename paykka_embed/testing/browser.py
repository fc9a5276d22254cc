"""Playwright helpers that reach into the checkout's card iframe, so merchants' tests read
like what a shopper does: fill a card, pay, see the result.

Chromium is chosen by ``PAYKKA_CHROMIUM`` (an executable path; default
``/usr/bin/chromium`` when present, else Playwright's own browser).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]


def chromium_launch_options() -> dict[str, Any]:
    options: dict[str, Any] = {"headless": os.environ.get("PAYKKA_HEADED") != "1", "args": list(CHROMIUM_ARGS)}
    executable = os.environ.get("PAYKKA_CHROMIUM")
    if executable is None and Path("/usr/bin/chromium").exists():
        executable = "/usr/bin/chromium"
    if executable:
        options["executable_path"] = executable
    return options


def card_frame(page: Any, root: str = "body") -> Any:
    """The card iframe inside ``root`` as a Playwright FrameLocator."""
    return page.frame_locator(f"{root} iframe.pk-card-frame").first


def fill_card(page: Any, number: str, expiry: str = "12/34", cvv: str = "123", *, root: str = "body",
              holder: Optional[str] = None) -> None:
    """Type a card into the checkout's iframe, as a shopper would."""
    frame = card_frame(page, root)
    frame.get_by_label("Card number").fill(number)
    frame.get_by_label("Expiry date").fill(expiry)
    frame.get_by_label("Security code").fill(cvv)
    if holder is not None:
        frame.get_by_label("Name on card").fill(holder)


def pay(page: Any, *, root: str = "body") -> None:
    """Press the checkout's own pay button."""
    page.locator(f"{root} .pk-pay-button").first.click()


def pay_with_card(page: Any, number: str, expiry: str = "12/34", cvv: str = "123", *, root: str = "body") -> None:
    fill_card(page, number, expiry, cvv, root=root)
    pay(page, root=root)
