"""What the SQLite and PostgreSQL stores share: the column lists, taken from the record
dataclasses (a row is read back with ``Record(*row)``, so the order must be theirs), and
the statements that are the same SQL on both but for the parameter placeholder."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime, timezone
from typing import Any, Optional

from .base import AttemptRecord, EventRecord, TokenRecord, attempt_values


def _columns(record_type: type) -> str:
    return ", ".join(f.name for f in fields(record_type))


ATTEMPT_COLUMNS = _columns(AttemptRecord)
EVENT_COLUMNS = _columns(EventRecord)
TOKEN_COLUMNS = _columns(TokenRecord)


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class SharedStatements:
    """Mixed into each store; ``placeholder`` is ``?`` (sqlite3) or ``%s`` (psycopg)."""

    placeholder = "?"

    def _conn(self) -> Any:
        raise NotImplementedError

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._conn().execute(sql.replace("?", self.placeholder), params)

    def add_attempt(self, record: AttemptRecord) -> None:
        now = now_text()
        record = replace(record, created_at=record.created_at or now, updated_at=now)
        marks = ", ".join("?" * len(fields(AttemptRecord)))
        self._run(f"INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES ({marks})", attempt_values(record))

    def attempt(self, trans_id: str) -> Optional[AttemptRecord]:
        row = self._run(f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE trans_id = ?", (trans_id,)).fetchone()
        return AttemptRecord(*row) if row else None

    def attempts(self, order_ref: str) -> list[AttemptRecord]:
        rows = self._run(f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE order_ref = ? ORDER BY attempt",
                         (order_ref,)).fetchall()
        return [AttemptRecord(*row) for row in rows]

    def events(self, trans_id: Optional[str] = None) -> list[EventRecord]:
        if trans_id is None:
            rows = self._run(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY id").fetchall()
        else:
            rows = self._run(f"SELECT {EVENT_COLUMNS} FROM events WHERE trans_id = ? ORDER BY id",
                             (trans_id,)).fetchall()
        return [EventRecord(*row) for row in rows]

    def token(self, token: str) -> Optional[TokenRecord]:
        row = self._run(f"SELECT {TOKEN_COLUMNS} FROM tokens WHERE token = ?", (token,)).fetchone()
        return TokenRecord(*row) if row else None
