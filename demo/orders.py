"""The shop's own orders: what was bought, by whom, for how much. paykka-embed keeps the
payment side (attempts, transactions, webhooks) in its own store; the shop keeps this."""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Optional

from .catalogue import PRODUCTS, Product


@dataclass(frozen=True)
class Line:
    product: Product
    quantity: int

    @property
    def total(self) -> Decimal:
        return self.product.price * self.quantity


@dataclass(frozen=True)
class Order:
    ref: str
    lines: tuple[Line, ...]
    currency: str
    shopper: Optional[str]
    created_at: str

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))

    @property
    def kind(self) -> str:
        kinds = {line.product.kind for line in self.lines}
        return kinds.pop() if len(kinds) == 1 else "purchase"

    @property
    def is_renewal(self) -> bool:
        """A later month of a membership (``{membership}-M02``…, see :meth:`Orders.renewal`), not its first."""
        return RENEWAL_MARK in self.ref

    @property
    def items(self) -> dict[str, int]:
        """Product id → quantity, as the cart holds them."""
        return {line.product.id: line.quantity for line in self.lines}

    @property
    def title(self) -> str:
        first = self.lines[0]
        more = len(self.lines) - 1
        return first.product.name + (f" and {more} more" if more else "")


#: Between a membership's reference and a renewal's month (order references are letters and digits).
RENEWAL_MARK = "-M"

#: A refund's state in the shop's records: sent and not answered yet (its outcome unknown), known to PayKKa
#: (whatever its status there), or refused by PayKKa outright.
REFUND_SENT, REFUND_KNOWN, REFUND_REFUSED = 0, 1, 2


class Orders:
    def __init__(self, path: str) -> None:
        self.path = path
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS orders (ref TEXT PRIMARY KEY, lines TEXT NOT NULL, "
                       "currency TEXT NOT NULL, shopper TEXT, created_at TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS refunds (refund_trans_id TEXT PRIMARY KEY, ref TEXT NOT NULL, "
                       f"created_at TEXT NOT NULL, amount INTEGER, state INTEGER NOT NULL DEFAULT {REFUND_SENT})")
            present = {row[1] for row in db.execute("PRAGMA table_info(refunds)")}
            if "amount" not in present:
                db.execute("ALTER TABLE refunds ADD COLUMN amount INTEGER")
            if "state" not in present:  # older rows: not known whether answered; the order page asks PayKKa once
                db.execute(f"ALTER TABLE refunds ADD COLUMN state INTEGER NOT NULL DEFAULT {REFUND_SENT}")

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def create(self, items: dict[str, int], shopper: Optional[str]) -> Order:
        """An order from cart items (product id → quantity), all in one currency."""
        lines = tuple(Line(PRODUCTS[pid], qty) for pid, qty in items.items() if pid in PRODUCTS and qty > 0)
        if not lines:
            raise ValueError("cart: is empty")
        currencies = {line.product.currency for line in lines}
        if len(currencies) != 1:
            raise ValueError("cart: holds more than one currency")
        if any(line.product.is_subscription for line in lines) and (len(lines) > 1 or lines[0].quantity != 1):
            raise ValueError("cart: a membership is bought on its own")
        order = Order("ORD" + secrets.token_hex(6).upper(), lines, currencies.pop(), shopper,
                      datetime.now(timezone.utc).isoformat(timespec="seconds"))
        with self._db() as db:
            db.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?)",
                       (order.ref, json.dumps({line.product.id: line.quantity for line in lines}),
                        order.currency, shopper, order.created_at))
        return order

    def renewal(self, membership: Order, month: int) -> Order:
        """The order for ``month`` (2, 3, ...) of a membership: the same order however often it is asked
        for, so a second click on "Charge next month" names the same charge."""
        ref = f"{membership.ref}{RENEWAL_MARK}{month:02d}"
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO orders VALUES (?, ?, ?, ?, ?)",
                       (ref, json.dumps({line.product.id: line.quantity for line in membership.lines}),
                        membership.currency, membership.shopper, datetime.now(timezone.utc).isoformat(timespec="seconds")))
        found = self.get(ref)
        assert found is not None
        return found

    def renewals(self, membership: Order) -> list[Order]:
        with self._db() as db:
            rows = db.execute("SELECT ref, lines, currency, shopper, created_at FROM orders WHERE ref LIKE ? "
                              "ORDER BY ref", (membership.ref + RENEWAL_MARK + "%",)).fetchall()
        return [self._order(row) for row in rows]

    def begin_refund(self, ref: str, refund_trans_id: str, amount: int) -> None:
        """Remember a refund before asking PayKKa for it, so one whose answer is lost or slow is still
        found (and offered again under the same id, never a new one). Sent again, it keeps its record."""
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO refunds (refund_trans_id, ref, created_at, amount, state) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (refund_trans_id, ref, datetime.now(timezone.utc).isoformat(timespec="seconds"), amount,
                        REFUND_SENT))

    def refund_answered(self, refund_trans_id: str, state: int) -> None:
        """PayKKa answered about the refund: it knows it (REFUND_KNOWN), or refused it (REFUND_REFUSED)."""
        with self._db() as db:
            db.execute("UPDATE refunds SET state = ? WHERE refund_trans_id = ?", (state, refund_trans_id))

    def refunds(self, ref: str) -> list[tuple[str, Optional[int], int]]:
        """The refunds asked for the order, oldest first: id, the amount sent (minor units), and state."""
        with self._db() as db:
            rows = db.execute("SELECT refund_trans_id, amount, state FROM refunds WHERE ref = ? "
                              "ORDER BY created_at, rowid", (ref,)).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def get(self, ref: str) -> Optional[Order]:
        with self._db() as db:
            row = db.execute("SELECT ref, lines, currency, shopper, created_at FROM orders WHERE ref = ?",
                             (ref,)).fetchone()
        return self._order(row) if row else None

    def for_shopper(self, shopper: str) -> list[Order]:
        """The shopper's orders, newest first."""
        with self._db() as db:
            rows = db.execute("SELECT ref, lines, currency, shopper, created_at FROM orders WHERE shopper = ? "
                              "ORDER BY created_at DESC, rowid DESC", (shopper,)).fetchall()
        return [self._order(row) for row in rows]

    def recent(self, limit: int = 50) -> list[Order]:
        with self._db() as db:
            rows = db.execute("SELECT ref, lines, currency, shopper, created_at FROM orders "
                              "ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [self._order(row) for row in rows]

    @staticmethod
    def _order(row: tuple[str, str, str, Optional[str], str]) -> Order:
        items = json.loads(row[1])
        lines = tuple(Line(PRODUCTS[pid], qty) for pid, qty in items.items() if pid in PRODUCTS)
        return Order(row[0], lines, row[2], row[3], row[4])
