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


def chromium_launch_options(*, back_forward_cache: bool = False) -> dict[str, Any]:
    """Playwright's ``launch()`` options. ``back_forward_cache=True`` keeps Chromium's default
    back/forward cache on (Playwright turns it off), to test what shoppers' browsers do on Back."""
    options: dict[str, Any] = {"headless": os.environ.get("PAYKKA_HEADED") != "1", "args": list(CHROMIUM_ARGS)}
    if back_forward_cache:
        options["ignore_default_args"] = ["--disable-back-forward-cache"]
    executable = os.environ.get("PAYKKA_CHROMIUM")
    if executable is None and Path("/usr/bin/chromium").exists():
        executable = "/usr/bin/chromium"
    if executable:
        options["executable_path"] = executable
    return options


#: The card fields, by their standard ``autocomplete`` tokens: the same in every language.
FIELDS = {"number": "cc-number", "expiry": "cc-exp", "cvv": "cc-csc", "holder": "cc-name"}


def _visible(locator: Any) -> Any:
    """The first of ``locator``'s elements the shopper can see (a Drop-in keeps a stored card's
    frame, hidden, beside the new card's; a parked component waits hidden)."""
    return locator.filter(visible=True).first


def card_frame(page: Any, root: str = "body") -> Any:
    """The card iframe the shopper sees inside ``root`` (the active one of the Drop-in, of a
    card component, or of the hosted page), as a Playwright FrameLocator."""
    return _visible(page.locator(f"{root} iframe.pk-card-frame")).content_frame


def card_field(page: Any, name: str, *, root: str = "body") -> Any:
    """One field of the visible card frame, by its ``autocomplete`` token: ``number``,
    ``expiry``, ``cvv`` or ``holder``."""
    return card_frame(page, root).locator(f'input[autocomplete~="{FIELDS[name]}"]')


def fill_card(page: Any, number: str, expiry: str = "12/34", cvv: str = "123", *, root: str = "body",
              holder: Optional[str] = None) -> None:
    """Type a card into the checkout's visible card frame, as a shopper would, whatever the
    checkout's language (also in a checkout the back/forward cache restored: see :func:`_type_card`)."""
    chosen = page.locator(f"{root} .pk-radio:checked")
    if chosen.count() and chosen.first.get_attribute("value") not in ("BANKCARD", None):
        method = chosen.first.get_attribute("value")
        if not str(method).startswith("stored:"):
            raise AssertionError(f"fill_card: the checkout shows {method}, which has no card form; call "
                                 "choose_method(page, 'BANKCARD') first")
    frame = _visible(page.locator(f"{root} iframe.pk-card-frame"))
    if frame.element_handle().content_frame() is None:
        _type_card(page, frame, [number, expiry, cvv] + ([holder] if holder is not None else []))
        return
    card_field(page, "number", root=root).fill(number)
    card_field(page, "expiry", root=root).fill(expiry)
    card_field(page, "cvv", root=root).fill(cvv)
    if holder is not None:
        card_field(page, "holder", root=root).fill(holder)


#: Ask the card frame to focus its first field, on its own channel (the SDK's ``card.focus()``).
_FOCUS_FIRST_FIELD = """(el) => {
  const src = new URL(el.src), channel = new URLSearchParams(src.hash.slice(1)).get("channel");
  el.contentWindow.postMessage({ type: "paykka:focus", channel }, src.origin);
}"""


def _type_card(page: Any, frame: Any, values: list[str]) -> None:
    """Chromium brings a page back from the back/forward cache with its cross-origin card frame, but
    Playwright no longer lists that frame, so its fields cannot be reached as elements. Type as a
    shopper does instead: the frame focuses its first field, then each value replaces what the field
    holds and Tab moves on (number, expiry, security code, then the holder's name when asked for)."""
    frame.evaluate(_FOCUS_FIRST_FIELD)
    page.wait_for_function("(el) => document.activeElement === el", arg=frame.element_handle())
    for index, value in enumerate(values):
        if index:
            page.keyboard.press("Tab")
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.type(value)


def pay(page: Any, *, root: str = "body") -> None:
    """Press the checkout's own pay button (the visible one)."""
    _visible(page.locator(f"{root} .pk-pay-button")).click()


def pay_with_card(page: Any, number: str, expiry: str = "12/34", cvv: str = "123", *, root: str = "body") -> None:
    fill_card(page, number, expiry, cvv, root=root)
    pay(page, root=root)


def choose_method(page: Any, code: str, *, root: str = "body") -> None:
    """Pick a payment method in the Drop-in by its code (``BANKCARD``, ``APPLE_PAY``, ``GCASH`` ...);
    ``BANKCARD`` is a new card, beside any stored card listed."""
    page.locator(f'{root} .pk-option[data-method="{code}"]:not([data-stored]) .pk-option-label').first.click()
    page.locator(f'{root} .pk-option[data-method="{code}"]:not([data-stored]).pk-selected').first.wait_for()


def pay_with_stored_card(page: Any, cvv: str = "123", *, root: str = "body") -> None:
    """One-click: the stored card the Drop-in lists first, paid with its security code only."""
    page.locator(f'{root} .pk-option[data-stored="true"] .pk-option-label').first.click()
    card_field(page, "cvv", root=root).fill(cvv)
    pay(page, root=root)


def _decision(where: Any, approve: bool) -> Any:
    """The approve / decline button of the emulator's 3DS and wallet pages, in any language."""
    return where.locator(f'main[data-post] button[data-approve="{"true" if approve else "false"}"]')


def complete_3ds(page: Any, passed: bool = True, timeout: float = 15_000) -> None:
    """Answer the 3DS challenge the checkout shows in its modal: pass or fail verification."""
    page.locator("dialog.pk-modal[open]").wait_for(timeout=timeout)
    _decision(page.frame_locator("dialog.pk-modal iframe"), passed).click()
    page.locator("dialog.pk-modal[open]").wait_for(state="detached", timeout=timeout)


def approve_wallet(page: Any, approve: bool = True, timeout: float = 15_000) -> None:
    """Approve (or decline) a wallet payment the checkout has started, whichever way it asks:
    a simulated payment sheet in a modal (Apple Pay, Google Pay), a QR code whose link the
    shopper's phone opens (WeChat Pay, Alipay+, VietQR), or a redirect to the provider's page
    (GCash, Maya, ShopeePay, GrabPay, ZaloPay)."""
    sheet = page.locator("dialog.pk-modal[open]")
    qr = page.locator(".pk-qr-link")
    redirected = _decision(page, approve)
    sheet.or_(qr).or_(redirected).first.wait_for(timeout=timeout)
    if sheet.count():
        _decision(page.frame_locator("dialog.pk-modal iframe"), approve).click()
        sheet.wait_for(state="detached", timeout=timeout)
    elif qr.count():
        phone = page.context.new_page()
        try:
            phone.goto(qr.first.get_attribute("href"))
            _decision(phone, approve).click()
            phone.locator("#state:not(:empty)").wait_for(timeout=timeout)
        finally:
            phone.close()
    else:
        redirected.first.click()
