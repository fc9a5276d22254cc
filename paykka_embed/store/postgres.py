"""The :class:`~paykka_embed.store.base.Store` on PostgreSQL, for merchants running several app
instances (processes or hosts) against one database.

    from paykka_embed.store.postgres import PostgresStore
    paykka = PayKKa(app, store_factory=PostgresStore)
    app.config["PAYKKA_DATABASE"] = "postgresql://shop@db/shop"

Built on psycopg 3 directly rather than SQLAlchemy: the protocol is a dozen statements whose
correctness across processes rests on PostgreSQL's own primitives (``INSERT ... ON CONFLICT``,
``UPDATE ... RETURNING``, row locks under ``READ COMMITTED``), and writing them as SQL keeps
those guarantees in plain sight with one small dependency.

What holds across processes:

- ``next_attempt`` is one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: two instances
  asking for the same order get different numbers, never the same one twice;
- ``remember_nonce`` and ``record_event`` rely on primary/unique keys, so a nonce or an event
  is new for exactly one caller;
- ``claim_event`` is a conditional ``UPDATE`` on the event's row with the lease measured on the
  database's clock (not each host's): of two instances racing for one event, one wins, the
  other re-reads the row after the winner commits and loses;
- ``update_status`` locks the attempt's row (``SELECT ... FOR UPDATE``) so two webhooks for one
  attempt never interleave, and a status never moves back (see ``status_may_follow``).

Every call commits before it returns (autocommit, or one explicit transaction), so an event is
durable before PayKKa's ack is sent. One connection per thread, reopened after a broken one
(a database restart costs the calls in flight, not the process).

``schema`` keeps the tables in a PostgreSQL schema of that name (created when missing), so
several shops, or several test runs, can share one database.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Optional, Iterator

import psycopg

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

SCHEMA_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS order_counters (
        order_ref TEXT PRIMARY KEY,
        last_attempt INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS attempts (
        trans_id TEXT PRIMARY KEY,
        order_ref TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        session_id TEXT,
        mode TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        order_id TEXT,
        query_status TEXT,
        webhook_status TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (order_ref, attempt)
    )""",
    """CREATE TABLE IF NOT EXISTS webhook_nonces (
        nonce TEXT PRIMARY KEY,
        timestamp_ms BIGINT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS events (
        id BIGSERIAL PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        notify_type TEXT NOT NULL,
        trans_id TEXT NOT NULL,
        order_id TEXT,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        received_at TEXT NOT NULL,
        claimed_until TIMESTAMPTZ,
        handled_at TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS events_trans ON events (trans_id)",
    """CREATE TABLE IF NOT EXISTS tokens (
        seq BIGSERIAL UNIQUE,
        token TEXT PRIMARY KEY,
        shopper_reference TEXT NOT NULL,
        token_usage TEXT,
        recurring_agreement_id TEXT,
        brand TEXT,
        last4 TEXT CHECK (last4 IS NULL OR last4 ~ '^[0-9]{4}$'),
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS tokens_shopper ON tokens (shopper_reference)",
    "CREATE INDEX IF NOT EXISTS tokens_agreement ON tokens (recurring_agreement_id)",
    CHARGES_TABLE,
    DISPUTES_TABLE,
    AGREEMENTS_TABLE,
) + tuple(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {sql_type}"
          for table, columns in ADDED_COLUMNS.items() for name, sql_type in columns) + ADDED_INDEXES

#: Any constant works; it only has to be the same in every instance creating the tables.
_SCHEMA_LOCK = 0x7061796B6B61

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")



class PostgresStore(SharedStatements):
    """The :class:`~paykka_embed.store.base.Store` on PostgreSQL (``dsn``: a libpq URL or key=value string)."""

    placeholder = "%s"

    def __init__(self, dsn: str, *, schema: Optional[str] = None, connect_timeout: int = 10) -> None:
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise ValueError("schema: must be a lower-case SQL identifier (letters, digits, _)")
        self.dsn = dsn
        self.schema = schema
        self.connect_timeout = connect_timeout
        self._connections: ThreadConnections[psycopg.Connection[Any]] = ThreadConnections(
            self._connect, lambda conn: conn.close(), lambda conn: not (conn.closed or conn.broken))
        conn = self._conn()
        with conn.transaction():
            # Two instances starting at once would race on CREATE TABLE IF NOT EXISTS (it is
            # not atomic in PostgreSQL): serialise schema creation on an advisory lock.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            if schema is not None:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            found = conn.execute("SELECT to_regclass('agreements') IS NULL").fetchone()
            new_agreements = bool(found and found[0])
            for statement in SCHEMA_STATEMENTS:
                conn.execute(statement)
            if new_agreements:  # once, when the table is made: later, every agreement is written to it
                conn.execute(AGREEMENTS_FROM_TOKENS)

    def __repr__(self) -> str:  # the DSN may hold a password
        return f"<PostgresStore schema={self.schema!r}>"

    def _connect(self) -> psycopg.Connection[Any]:
        kwargs: dict[str, Any] = {"autocommit": True, "connect_timeout": self.connect_timeout,
                                  "application_name": "paykka-embed"}
        if self.schema:
            kwargs["options"] = f"-c search_path={self.schema}"
        return psycopg.connect(self.dsn, **kwargs)

    def _conn(self) -> psycopg.Connection[Any]:
        return self._connections.get()

    def close(self) -> None:
        self._connections.close_all()

    # --- attempts ------------------------------------------------------------------------

    def next_attempt(self, order_ref: str) -> int:
        row = self._conn().execute(
            "INSERT INTO order_counters (order_ref, last_attempt) VALUES (%s, 1) "
            "ON CONFLICT (order_ref) DO UPDATE SET last_attempt = order_counters.last_attempt + 1 "
            "RETURNING last_attempt",
            (order_ref,),
        ).fetchone()
        assert row is not None
        return int(row[0])

    def update_status(self, trans_id: str, status: str, *, order_id: Optional[str] = None,
                      source: str = "query") -> Optional[AttemptRecord]:
        column = source_column(source)
        conn = self._conn()
        with conn.transaction():
            row = conn.execute(f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE trans_id = %s FOR UPDATE",
                               (trans_id,)).fetchone()
            if row is None:
                return None
            current = AttemptRecord(*row)
            new_status, new_source = advance(current, status, source)
            updated = conn.execute(
                f"UPDATE attempts SET status = %s, order_id = COALESCE(%s, order_id), {column} = %s, "
                f"updated_at = %s WHERE trans_id = %s RETURNING {ATTEMPT_COLUMNS}",
                (new_status, order_id, new_source, now_text(), trans_id),
            ).fetchone()
        return AttemptRecord(*updated) if updated else None

    # --- webhooks ------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._conn().transaction():
            yield

    def remember_nonce(self, nonce: str, timestamp_ms: int) -> bool:
        cur = self._conn().execute(
            "INSERT INTO webhook_nonces (nonce, timestamp_ms) VALUES (%s, %s) ON CONFLICT (nonce) DO NOTHING",
            (nonce, timestamp_ms),
        )
        return cur.rowcount == 1

    def record_event(self, dedupe_key: str, notify_type: str, trans_id: str, order_id: Optional[str],
                     status: str, body: str) -> tuple[EventRecord, bool]:
        conn = self._conn()
        inserted = conn.execute(
            "INSERT INTO events (dedupe_key, notify_type, trans_id, order_id, status, body, received_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (dedupe_key) DO NOTHING "
            f"RETURNING {EVENT_COLUMNS}",
            (dedupe_key, notify_type, trans_id, order_id, status, body, now_text()),
        ).fetchone()
        if inserted is not None:
            return EventRecord(*inserted), True
        # ON CONFLICT waited for the other inserter to commit, so the row is visible now.
        row = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE dedupe_key = %s", (dedupe_key,)).fetchone()
        assert row is not None
        return EventRecord(*row), False

    def claim_event(self, event_id: int, lease_seconds: float = 60.0) -> bool:
        cur = self._conn().execute(
            "UPDATE events SET claimed_until = clock_timestamp() + make_interval(secs => %s) "
            "WHERE id = %s AND handled_at IS NULL AND (claimed_until IS NULL OR claimed_until < clock_timestamp())",
            (float(lease_seconds), event_id),
        )
        return cur.rowcount == 1

    def release_event(self, event_id: int) -> None:
        self._conn().execute("UPDATE events SET claimed_until = NULL WHERE id = %s AND handled_at IS NULL",
                             (event_id,))

    def mark_handled(self, event_id: int) -> None:
        # Like the SQLite store, the handled mark does not wait for its own WAL flush: losing it
        # to a crash of the database server only makes the event look unhandled.
        conn = self._conn()
        sql = "UPDATE events SET handled_at = %s, claimed_until = NULL WHERE id = %s AND handled_at IS NULL"
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:  # the caller's transaction
            conn.execute(sql, (now_text(), event_id))
            return
        with conn.transaction():
            conn.execute("SET LOCAL synchronous_commit = off")
            conn.execute(sql, (now_text(), event_id))

    # --- tokens and recurring agreements -------------------------------------------------

    def tokens(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        sql = f"SELECT {TOKEN_COLUMNS} FROM tokens WHERE shopper_reference = %s"
        params: tuple[Any, ...] = (shopper_reference,)
        if active_only:
            sql += " AND status = %s"
            params += (TOKEN_ACTIVE,)
        rows = self._conn().execute(sql + " ORDER BY created_at DESC, seq DESC", params).fetchall()
        return [TokenRecord(*row) for row in rows]
