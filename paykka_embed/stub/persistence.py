"""Where the emulator's state lives: in memory (the default), or in SQLite under ``--data DIR``.

The gateway keeps every record in memory and writes each one through to this store
when it changes, so a restarted emulator (same ``--data DIR``) finds its merchants,
sessions, orders, refunds, tokens, agreements and its webhook deliveries (undelivered
ones resume on the retry schedule). Rows are the records' own JSON (see
:meth:`records.Record.to_row`); nothing in them is a card number.

One connection, guarded by a lock, in WAL mode: the emulator is one process, and writes
are small.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from pathlib import Path
from typing import Any, Optional, Protocol

from .records import Record

DB_NAME = "stub-state.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
                                    PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Persistence(Protocol):
    """What the ledger needs from a store: records by kind, webhook deliveries, secrets."""

    def save(self, record: Record) -> None:
        """Insert or replace ``record`` (by its kind and key)."""

    def rows(self, kind: str) -> list[dict[str, Any]]:
        """Every row of ``kind``, in the order first saved."""

    def save_delivery(self, delivery_id: int, row: dict[str, Any]) -> None:
        """Insert or replace webhook delivery ``delivery_id`` (its JSON row)."""

    def deliveries(self) -> list[dict[str, Any]]:
        """Every webhook delivery row, by id."""

    def secret(self, name: str) -> bytes:
        """The 32-byte secret ``name``, made on first use and kept from then on."""

    def clear(self, keep_kinds: tuple[str, ...] = ()) -> None:
        """Delete every record except those of ``keep_kinds``, and every delivery."""

    def close(self) -> None:
        """Release the store (the ledger writes nothing after)."""


class MemoryPersistence:
    """Nothing survives the process: the default, and the fastest."""

    def __init__(self) -> None:
        self._secrets: dict[str, bytes] = {}

    def save(self, record: Record) -> None:
        """Nothing to write: memory is the ledger's own."""

    def rows(self, kind: str) -> list[dict[str, Any]]:
        """None: nothing survives a restart."""
        return []

    def save_delivery(self, delivery_id: int, row: dict[str, Any]) -> None:
        """Nothing to write."""
        pass

    def deliveries(self) -> list[dict[str, Any]]:
        """None."""
        return []

    def secret(self, name: str) -> bytes:
        """A random 32-byte secret, the same for this process's lifetime."""
        return self._secrets.setdefault(name, secrets.token_bytes(32))

    def clear(self, keep_kinds: tuple[str, ...] = ()) -> None:
        """Nothing to clear."""
        pass

    def close(self) -> None:
        """Nothing to close."""
        pass


class SqlitePersistence:
    """Write-through SQLite file ``{data_dir}/stub-state.sqlite3``."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def save(self, record: Record) -> None:
        """Insert or replace ``record``'s JSON row."""
        body = json.dumps(record.to_row(), separators=(",", ":"))
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO records (kind, key, body) VALUES (?, ?, ?)",
                             (record.KIND, record.key, body))

    def rows(self, kind: str) -> list[dict[str, Any]]:
        """Every row of ``kind``, decoded, in insertion order."""
        with self._lock:
            found = self._db.execute("SELECT body FROM records WHERE kind = ? ORDER BY rowid", (kind,)).fetchall()
        return [json.loads(body) for (body,) in found]

    def save_delivery(self, delivery_id: int, row: dict[str, Any]) -> None:
        """Insert or replace the delivery's JSON row."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO deliveries (id, body) VALUES (?, ?)",
                             (delivery_id, json.dumps(row, separators=(",", ":"))))

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery row, decoded, by id."""
        with self._lock:
            found = self._db.execute("SELECT body FROM deliveries ORDER BY id").fetchall()
        return [json.loads(body) for (body,) in found]

    def secret(self, name: str) -> bytes:
        """The secret ``name`` from the ``meta`` table (made and stored on first use)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return bytes.fromhex(row[0])
            value = secrets.token_bytes(32)
            self._db.execute("INSERT INTO meta (name, value) VALUES (?, ?)", (name, value.hex()))
            return value

    def clear(self, keep_kinds: tuple[str, ...] = ()) -> None:
        """Delete records not of ``keep_kinds`` and every delivery."""
        marks = ",".join("?" for _ in keep_kinds) or "''"
        with self._lock:
            self._db.execute(f"DELETE FROM records WHERE kind NOT IN ({marks})", keep_kinds)
            self._db.execute("DELETE FROM deliveries")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()


def open_persistence(data_dir: Optional[Path]) -> Persistence:
    """SQLite under ``data_dir`` when one is given, else memory only."""
    return SqlitePersistence(Path(data_dir)) if data_dir is not None else MemoryPersistence()
