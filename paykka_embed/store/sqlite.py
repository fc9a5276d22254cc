"""The default store: one SQLite file in WAL mode, one connection per thread.

Every write is committed before the caller goes on (on its own, or with the others of a
``transaction()`` block), with ``synchronous=FULL`` by default so a commit survives a power cut
too: a webhook is on disk before PayKKa's ack is returned. ``synchronous="NORMAL"`` trades that
for speed (in WAL mode a commit then survives the process crashing, not the machine losing
power); see :data:`SYNCHRONOUS_LEVELS`.

One write is always committed without waiting for the disk: the mark that an event's handlers
have run. Losing it to a power cut only makes the event look unhandled (handlers are at least
once anyway), and the next commit's flush writes it too.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Iterator

from .base import (
    TOKEN_ACTIVE,
    AttemptRecord,
    EventRecord,
    TokenRecord,
    advance,
    source_column,
)
from .sql import (
    ADDED_COLUMNS,
    ADDED_INDEXES,
    AGREEMENTS_FROM_TOKENS,
    AGREEMENTS_TABLE,
    ATTEMPT_COLUMNS,
    CHARGES_TABLE,
    DISPUTES_TABLE,
    EVENT_COLUMNS,
    TOKEN_COLUMNS,
    SharedStatements,
    now_text,
)
from .threads import ThreadConnections

SCHEMA = """
CREATE TABLE IF NOT EXISTS order_counters (
    order_ref TEXT PRIMARY KEY,
    last_attempt INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    trans_id TEXT PRIMARY KEY,
    order_ref TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    session_id TEXT,
    mode TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    order_id TEXT,
    query_status TEXT,
    webhook_status TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (order_ref, attempt)
);
CREATE TABLE IF NOT EXISTS webhook_nonces (
    nonce TEXT PRIMARY KEY,
    timestamp_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    notify_type TEXT NOT NULL,
    trans_id TEXT NOT NULL,
    order_id TEXT,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    claimed_until_ms INTEGER,
    handled_at TEXT
);
CREATE INDEX IF NOT EXISTS events_trans ON events (trans_id);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    shopper_reference TEXT NOT NULL,
    token_usage TEXT,
    recurring_agreement_id TEXT,
    brand TEXT,
    last4 TEXT CHECK (last4 IS NULL OR (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*')),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_shopper ON tokens (shopper_reference);
CREATE INDEX IF NOT EXISTS tokens_agreement ON tokens (recurring_agreement_id);
"""

#: The values of SQLite's ``PRAGMA synchronous`` the store accepts: FULL flushes every commit to
#: disk; NORMAL (with WAL) flushes at checkpoints only. OFF is not offered for payment records.
SYNCHRONOUS_LEVELS = ("FULL", "NORMAL")


class SQLiteStore(SharedStatements):
    """The :class:`~paykka_embed.store.base.Store` on one SQLite file (``:memory:`` for a throwaway)."""

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        level = synchronous.upper() if isinstance(synchronous, str) else synchronous
        if level not in SYNCHRONOUS_LEVELS:
            raise ValueError(f"synchronous: must be one of {', '.join(SYNCHRONOUS_LEVELS)}, not {synchronous!r}")
        self.synchronous = level
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._connections = ThreadConnections(self._connect, sqlite3.Connection.close)
        conn = self._conn()
        conn.executescript(SCHEMA)
        conn.execute(CHARGES_TABLE)
        conn.execute(DISPUTES_TABLE)
        new_agreements = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'agreements'"
                                      ).fetchone() is None
        conn.execute(AGREEMENTS_TABLE)
        for table, columns in ADDED_COLUMNS.items():
            present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for name, sql_type in columns:
                if name not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}")
        for statement in ADDED_INDEXES:
            conn.execute(statement)
        if new_agreements:  # once, when the table is made: later, every agreement is written to it
            conn.execute(AGREEMENTS_FROM_TOKENS)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def _conn(self) -> sqlite3.Connection:
        return self._connections.get()

    def close(self) -> None:
        self._connections.close_all()

    # --- attempts ------------------------------------------------------------------------

    def next_attempt(self, order_ref: str) -> int:
        conn = self._conn()
        with self.transaction():
            conn.execute(
                "INSERT INTO order_counters (order_ref, last_attempt) VALUES (?, 1) "
                "ON CONFLICT (order_ref) DO UPDATE SET last_attempt = last_attempt + 1",
                (order_ref,),
            )
            (value,) = conn.execute("SELECT last_attempt FROM order_counters WHERE order_ref = ?",
                                    (order_ref,)).fetchone()
        return int(value)

    def update_status(self, trans_id: str, status: str, *, order_id: Optional[str] = None,
                      source: str = "query") -> Optional[AttemptRecord]:
        column = source_column(source)
        conn = self._conn()
        with self.transaction():
            row = conn.execute(f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE trans_id = ?", (trans_id,)).fetchone()
            if row is None:
                return None
            new_status, new_source = advance(AttemptRecord(*row), status, source)
            conn.execute(
                f"UPDATE attempts SET status = ?, order_id = COALESCE(?, order_id), {column} = ?, "
                "updated_at = ? WHERE trans_id = ?",
                (new_status, order_id, new_source, now_text(), trans_id),
            )
        return self.attempt(trans_id)

    # --- webhooks ------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self._conn()
        if conn.in_transaction:  # already inside one: join it
            yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def remember_nonce(self, nonce: str, timestamp_ms: int) -> bool:
        cur = self._conn().execute(
            "INSERT OR IGNORE INTO webhook_nonces (nonce, timestamp_ms) VALUES (?, ?)", (nonce, timestamp_ms)
        )
        return cur.rowcount == 1

    def record_event(self, dedupe_key: str, notify_type: str, trans_id: str, order_id: Optional[str],
                     status: str, body: str) -> tuple[EventRecord, bool]:
        conn = self._conn()
        cur = conn.execute(
            "INSERT OR IGNORE INTO events (dedupe_key, notify_type, trans_id, order_id, status, body, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (dedupe_key, notify_type, trans_id, order_id, status, body, now_text()),
        )
        row = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE dedupe_key = ?", (dedupe_key,)).fetchone()
        return EventRecord(*row), cur.rowcount == 1

    def claim_event(self, event_id: int, lease_seconds: float = 60.0) -> bool:
        now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
        cur = self._conn().execute(
            "UPDATE events SET claimed_until_ms = ? WHERE id = ? AND handled_at IS NULL "
            "AND (claimed_until_ms IS NULL OR claimed_until_ms < ?)",
            (now_ms + int(lease_seconds * 1000), event_id, now_ms),
        )
        return cur.rowcount == 1

    def release_event(self, event_id: int) -> None:
        self._conn().execute("UPDATE events SET claimed_until_ms = NULL WHERE id = ? AND handled_at IS NULL",
                             (event_id,))

    def mark_handled(self, event_id: int) -> None:
        conn = self._conn()
        sql = "UPDATE events SET handled_at = ?, claimed_until_ms = NULL WHERE id = ? AND handled_at IS NULL"
        if conn.in_transaction:  # part of the caller's transaction, flushed with it
            conn.execute(sql, (now_text(), event_id))
            return
        # Committed without a flush of its own (see the module docstring): one flush per event, not two.
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            conn.execute(sql, (now_text(), event_id))
        finally:
            conn.execute(f"PRAGMA synchronous={self.synchronous}")

    # --- tokens and recurring agreements -------------------------------------------------

    def tokens(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        sql = f"SELECT {TOKEN_COLUMNS} FROM tokens WHERE shopper_reference = ?"
        if active_only:
            sql += f" AND status = '{TOKEN_ACTIVE}'"
        rows = self._conn().execute(sql + " ORDER BY created_at DESC, rowid DESC", (shopper_reference,)).fetchall()
        return [TokenRecord(*row) for row in rows]
