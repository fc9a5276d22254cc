"""The emulator's test cards: the industry's usual numbers, each with a fixed outcome.

Any number that passes the Luhn check and is not listed here is approved, so a
shopper typing a real-looking card in the demo is not surprised; listed numbers give
the outcome below. CVV ``000`` fails the CVV check on any card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import catalogue


@dataclass(frozen=True)
class TestCard:
    """A test card number, its brand and outcome (approve, decline, challenge,
    refund_fails, refund_reviewing), the decline's code and text, and a label for people.
    """

    number: str
    brand: str
    outcome: str  # "approve" | "decline" | "challenge" | "refund_fails" | "refund_reviewing"
    error_code: str = "0000"
    error_description: str = "Approved"
    label: str = ""


TEST_CARDS: dict[str, TestCard] = {c.number: c for c in [
    TestCard("4111111111111111", "VISA", "approve", label="Visa approved (3DS frictionless)"),
    TestCard("5555555555554444", "MASTERCARD", "approve", label="Mastercard approved"),
    TestCard("378282246310005", "AMEX", "approve", label="American Express approved"),
    TestCard("3566002020360505", "JCB", "approve", label="JCB approved"),
    TestCard("6011111111111117", "DISCOVER", "approve", label="Discover approved"),
    TestCard("36227206271667", "DINERS", "approve", label="Diners Club approved"),
    TestCard("4000000000000002", "VISA", "decline", "5001", "Do not honour", "Declined: do not honour"),
    TestCard("4000000000009995", "VISA", "decline", "5002", "Insufficient funds", "Declined: insufficient funds"),
    TestCard("4000000000003220", "VISA", "challenge", label="3DS challenge (pass or fail on the challenge page)"),
    TestCard("4000000000000069", "VISA", "decline", "5003", "Expired card", "Declined: expired card"),
    TestCard("4000000000005126", "VISA", "refund_fails", label="Visa approved; every refund of it fails (REFUND.FAILURE)"),
    TestCard("4000000000007726", "VISA", "refund_reviewing",
             label="Visa approved; its refunds wait in REVIEWING for 1 hour, then succeed"),
]}

CVV_FAILURE = TestCard("", "", "decline", "5004", "CVV check failed", "CVV 000 on any card")
THREE_DS_FAILURE = ("5005", "3DS authentication failed")
WALLET_DECLINED = ("5006", "Declined by the shopper in the wallet")
ABANDONED = ("5007", "Abandoned: the shopper started a new attempt")
SESSION_EXPIRED = ("5008", "Expired: the session expired before the shopper finished")
REFUND_DECLINED = ("6001", "Refund declined by the issuer")

#: Each brand's number prefix, compiled once from the catalogue (the same patterns the SDK stand-in uses).
_BRAND_PATTERNS = tuple((row.code, re.compile(row.pattern)) for row in catalogue.BRANDS)


def detect_brand(number: str) -> str | None:
    """The card brand of ``number`` by its prefix (VISA, MASTERCARD, ...), or None."""
    for brand, pattern in _BRAND_PATTERNS:
        if pattern.match(number):
            return brand
    return None


def luhn_ok(number: str) -> bool:
    """True when ``number`` is 12 to 19 digits and passes the Luhn check."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def outcome_for(number: str, cvv: str) -> TestCard:
    """The test card behind ``number`` (CVV ``000`` fails on any card; unknown numbers approve)."""
    if cvv == "000":
        return CVV_FAILURE
    known = TEST_CARDS.get(number)
    if known:
        return known
    return TestCard(number, detect_brand(number) or "UNKNOWN", "approve")
