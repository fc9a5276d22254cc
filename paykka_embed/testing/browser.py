"""Playwright helpers that reach into the checkout's card iframe, its 3DS modal and its
wallet simulators, so merchants' tests read like what a shopper does: fill a card, pay,
pass 3DS, approve a wallet.

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


def choose_method(page: Any, code: str, *, root: str = "body") -> None:
    """Pick a payment method in the Drop-in by its code (``BANKCARD``, ``APPLE_PAY``, ``GCASH`` ...)."""
    page.locator(f'{root} .pk-option[data-method="{code}"]:not([data-stored]) .pk-option-label').first.click()
    page.locator(f'{root} .pk-option[data-method="{code}"].pk-selected').first.wait_for()


def pay_with_stored_card(page: Any, cvv: str = "123", *, root: str = "body") -> None:
    """One-click: the stored card the Drop-in lists first, paid with its security code only."""
    page.locator(f'{root} .pk-option[data-stored="true"] .pk-option-label').first.click()
    card_frame(page, root).get_by_label("Security code").fill(cvv)
    pay(page, root=root)


def complete_3ds(page: Any, passed: bool = True, timeout: float = 15_000) -> None:
    """Answer the 3DS challenge the checkout shows in its modal: pass or fail verification."""
    page.locator("dialog.pk-modal[open]").wait_for(timeout=timeout)
    challenge = page.frame_locator("dialog.pk-modal iframe")
    challenge.get_by_role("button", name="Pass verification" if passed else "Fail verification").click()
    page.locator("dialog.pk-modal[open]").wait_for(state="detached", timeout=timeout)


def approve_wallet(page: Any, approve: bool = True, timeout: float = 15_000) -> None:
    """Approve (or decline) a wallet payment the checkout has started, whichever way it asks:
    a simulated payment sheet in a modal (Apple Pay, Google Pay), a QR code whose link the
    shopper's phone opens (WeChat Pay, Alipay+, VietQR), or a redirect to the provider's page
    (GCash, Maya, ShopeePay, GrabPay, ZaloPay)."""
    button = "Approve payment" if approve else "Decline"
    sheet = page.locator("dialog.pk-modal[open]")
    qr = page.locator(".pk-qr-link")
    redirected = page.get_by_role("button", name=button)
    sheet.or_(qr).or_(redirected).first.wait_for(timeout=timeout)
    if sheet.count():
        page.frame_locator("dialog.pk-modal iframe").get_by_role("button", name=button).click()
        sheet.wait_for(state="detached", timeout=timeout)
    elif qr.count():
        phone = page.context.new_page()
        try:
            phone.goto(qr.first.get_attribute("href"))
            phone.get_by_role("button", name=button).click()
            phone.get_by_role("status").first.wait_for(timeout=timeout)
        finally:
            phone.close()
    else:
        redirected.first.click()
