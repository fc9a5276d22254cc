"""What the SQLite and PostgreSQL stores share: the column lists, taken from the record
dataclasses (a row is read back with ``Record(*row)``, so the order must be theirs), and
the statements that are the same SQL on both but for the parameter placeholder."""

from __future__ import annotations

from dataclasses import fields, replace
import time
from datetime import datetime, timezone
from typing import Any, ContextManager, Optional

from .base import (
    AGREEMENT_CANCELED,
    CHARGE_DONE,
    CHARGE_PENDING,
    TOKEN_ACTIVE,
    TOKEN_REMOVED,
    AttemptRecord,
    ChargeRecord,
    DisputeRecord,
    EventRecord,
    TokenRecord,
    attempt_values,
    dispute_stage_may_follow,
)


def _columns(record_type: type) -> str:
    return ", ".join(f.name for f in fields(record_type))


ATTEMPT_COLUMNS = _columns(AttemptRecord)
EVENT_COLUMNS = _columns(EventRecord)
TOKEN_COLUMNS = _columns(TokenRecord)
CHARGE_COLUMNS = _columns(ChargeRecord)
DISPUTE_COLUMNS = _columns(DisputeRecord)

#: Columns added to ``attempts`` and ``order_counters`` after the first release, with their SQL
#: types (the same in SQLite and PostgreSQL): an older database gains them when it is opened.
ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "attempts": (("payment_type", "TEXT NOT NULL DEFAULT 'PURCHASE'"), ("shopper_reference", "TEXT"),
                 ("token_usage", "TEXT"), ("valid_until", "TEXT"), ("reported_amount", "BIGINT"),
                 ("reported_currency", "TEXT"), ("flag", "TEXT"), ("note", "TEXT"), ("settled_at", "TEXT")),
    "order_counters": (("paid_trans_id", "TEXT"),),
    "tokens": (("trans_id", "TEXT"),),
}

DISPUTES_TABLE = """CREATE TABLE IF NOT EXISTS disputes (
    dispute_id TEXT PRIMARY KEY,
    trans_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    order_ref TEXT,
    reason_code TEXT,
    reason_code_description TEXT,
    due_time TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)"""

#: Recurring agreements, one row each: a stored card (token) may carry several over time — a
#: shopper who cancels a membership and joins again with the same card keeps the token and gets
#: a new agreement. ``token`` and ``shopper_reference`` are empty for an agreement cancelled
#: before its first payment's webhook came (the webhook then completes the row, never revives it).
AGREEMENTS_TABLE = """CREATE TABLE IF NOT EXISTS agreements (
    recurring_agreement_id TEXT PRIMARY KEY,
    token TEXT,
    shopper_reference TEXT,
    trans_id TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)"""

#: An older database kept each token's one agreement on the token's row: copy those once.
AGREEMENTS_FROM_TOKENS = (
    "INSERT INTO agreements (recurring_agreement_id, token, shopper_reference, trans_id, status, created_at, "
    "updated_at) SELECT recurring_agreement_id, token, shopper_reference, trans_id, "
    f"CASE WHEN status = '{AGREEMENT_CANCELED}' THEN '{AGREEMENT_CANCELED}' ELSE '{TOKEN_ACTIVE}' END, "
    "created_at, updated_at FROM tokens WHERE recurring_agreement_id IS NOT NULL "
    "ON CONFLICT (recurring_agreement_id) DO NOTHING")

#: Indexes added after the first release (the same statement on both databases).
ADDED_INDEXES = ("CREATE INDEX IF NOT EXISTS attempts_order_id ON attempts (order_id)",
                 "CREATE INDEX IF NOT EXISTS agreements_trans ON agreements (trans_id)",
                 "CREATE INDEX IF NOT EXISTS agreements_shopper ON agreements (shopper_reference)",
                 "CREATE INDEX IF NOT EXISTS agreements_token ON agreements (token)")

#: An agreement read as the :class:`TokenRecord` of its card: the token's usage, brand and last
#: four; the agreement's id, payment and status (``REMOVED`` once its card was removed).
_AGREEMENT_VIEW = (
    "SELECT a.token, COALESCE(a.shopper_reference, t.shopper_reference), t.token_usage, a.recurring_agreement_id, "
    f"t.brand, t.last4, CASE WHEN t.status = '{TOKEN_REMOVED}' THEN '{TOKEN_REMOVED}' ELSE a.status END, "
    "a.created_at, a.updated_at, a.trans_id FROM agreements a LEFT JOIN tokens t ON t.token = a.token "
    "WHERE a.token IS NOT NULL")

CHARGES_TABLE = """CREATE TABLE IF NOT EXISTS charges (
    scope TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    order_ref TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    trans_id TEXT,
    result TEXT,
    locked_until_ms BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
)"""


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def now_ms() -> int:
    return int(time.time() * 1000)


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

    def attempt_by_order_id(self, order_id: str) -> Optional[AttemptRecord]:
        row = self._run(f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE order_id = ? ORDER BY attempt DESC",
                        (order_id,)).fetchone()
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

    def transaction(self) -> ContextManager[None]:
        raise NotImplementedError

    def save_token(self, record: TokenRecord) -> TokenRecord:
        now = now_text()
        marks = ", ".join("?" * len(fields(TokenRecord)))
        with self.transaction():
            self._run(
                f"INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES ({marks}) "
                "ON CONFLICT (token) DO UPDATE SET "
                "token_usage = COALESCE(tokens.token_usage, excluded.token_usage), "
                "recurring_agreement_id = COALESCE(tokens.recurring_agreement_id, excluded.recurring_agreement_id), "
                "brand = COALESCE(excluded.brand, tokens.brand), last4 = COALESCE(excluded.last4, tokens.last4), "
                "trans_id = COALESCE(tokens.trans_id, excluded.trans_id), updated_at = excluded.updated_at",
                tuple(getattr(replace(record, created_at=now, updated_at=now), f.name) for f in fields(TokenRecord)),
            )
            if record.recurring_agreement_id:
                self._save_agreement(record, now)
        saved = self.token(record.token)
        assert saved is not None
        return saved

    def _save_agreement(self, record: TokenRecord, now: str) -> None:
        """Record (or complete) the agreement a payment set up, then the card's status: a card whose
        agreement was cancelled is usable for merchant-initiated charges again once a new one is active."""
        self._run(
            "INSERT INTO agreements (recurring_agreement_id, token, shopper_reference, trans_id, status, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recurring_agreement_id) DO UPDATE SET "
            "token = COALESCE(agreements.token, excluded.token), "
            "shopper_reference = COALESCE(agreements.shopper_reference, excluded.shopper_reference), "
            "trans_id = COALESCE(agreements.trans_id, excluded.trans_id), updated_at = excluded.updated_at",
            (record.recurring_agreement_id, record.token, record.shopper_reference, record.trans_id, TOKEN_ACTIVE,
             now, now))
        self._sync_card("token = ?", (record.token,), now)

    def _sync_card(self, which: str, params: tuple[Any, ...], now: str) -> None:
        """A card that carries agreements is ACTIVE while one of them is, else CANCELED (a removed card
        stays removed; a card without agreements is left as it is)."""
        active = "EXISTS (SELECT 1 FROM agreements WHERE agreements.token = tokens.token AND agreements.status = ?)"
        self._run(f"UPDATE tokens SET status = ?, updated_at = ? WHERE ({which}) AND status = ? AND {active}",
                  (TOKEN_ACTIVE, now, *params, AGREEMENT_CANCELED, TOKEN_ACTIVE))
        self._run(f"UPDATE tokens SET status = ?, updated_at = ? WHERE ({which}) AND status = ? AND NOT {active} "
                  "AND EXISTS (SELECT 1 FROM agreements WHERE agreements.token = tokens.token)",
                  (AGREEMENT_CANCELED, now, *params, TOKEN_ACTIVE, TOKEN_ACTIVE))

    def agreement_of(self, trans_id: str) -> Optional[TokenRecord]:
        """The recurring agreement (its token) the payment ``trans_id`` set up, whatever its status now."""
        row = self._run(_AGREEMENT_VIEW + " AND a.trans_id = ?", (trans_id,)).fetchone()
        return TokenRecord(*row) if row else None

    def agreements(self, shopper_reference: str, *, active_only: bool = True) -> list[TokenRecord]:
        sql = _AGREEMENT_VIEW + " AND COALESCE(a.shopper_reference, t.shopper_reference) = ?"
        params: tuple[Any, ...] = (shopper_reference,)
        if active_only:
            sql += " AND a.status = ? AND (t.status IS NULL OR t.status != ?)"
            params += (TOKEN_ACTIVE, TOKEN_REMOVED)
        rows = self._run(sql + " ORDER BY a.created_at DESC, a.recurring_agreement_id DESC", params).fetchall()
        return [TokenRecord(*row) for row in rows]

    def set_token_status(self, status: str, *, token: Optional[str] = None,
                         recurring_agreement_id: Optional[str] = None) -> int:
        if status not in (TOKEN_REMOVED, AGREEMENT_CANCELED):
            raise ValueError(f"status: must be {TOKEN_REMOVED} or {AGREEMENT_CANCELED}")
        if (token is None) == (recurring_agreement_id is None):
            raise ValueError("token: give exactly one of token or recurring_agreement_id")
        now = now_text()
        with self.transaction():
            if recurring_agreement_id is not None:
                return self._cancel_agreement(recurring_agreement_id, now)
            # REMOVED is final; CANCELED only replaces ACTIVE.
            changed = int(self._run("UPDATE tokens SET status = ?, updated_at = ? WHERE token = ? AND status != ? "
                                    "AND status != ?", (status, now, token, TOKEN_REMOVED, status)).rowcount)
            if status == AGREEMENT_CANCELED:
                self._run("UPDATE agreements SET status = ?, updated_at = ? WHERE token = ? AND status = ?",
                          (AGREEMENT_CANCELED, now, token, TOKEN_ACTIVE))
            return changed

    def _cancel_agreement(self, agreement_id: str, now: str) -> int:
        """Cancel one agreement (known or not yet: a later webhook completes it, cancelled), then its
        card's status. Returns 1 when the agreement changed."""
        changed = int(self._run(
            "UPDATE agreements SET status = ?, updated_at = ? WHERE recurring_agreement_id = ? AND status = ? "
            "AND NOT EXISTS (SELECT 1 FROM tokens WHERE tokens.token = agreements.token AND tokens.status = ?)",
            (AGREEMENT_CANCELED, now, agreement_id, TOKEN_ACTIVE, TOKEN_REMOVED)).rowcount)
        self._run("INSERT INTO agreements (recurring_agreement_id, status, created_at, updated_at) "
                  "VALUES (?, ?, ?, ?) ON CONFLICT (recurring_agreement_id) DO NOTHING",
                  (agreement_id, AGREEMENT_CANCELED, now, now))
        self._sync_card("token IN (SELECT token FROM agreements WHERE recurring_agreement_id = ?)", (agreement_id,),
                        now)
        return changed

    def token(self, token: str) -> Optional[TokenRecord]:
        row = self._run(f"SELECT {TOKEN_COLUMNS} FROM tokens WHERE token = ?", (token,)).fetchone()
        return TokenRecord(*row) if row else None

    # --- what PayKKa reported, and who paid the order ------------------------------------

    def flag_attempt(self, trans_id: str, flag: str, *, reported_amount: Optional[int] = None,
                     reported_currency: Optional[str] = None, note: Optional[str] = None) -> bool:
        first = self._run("UPDATE attempts SET flag = ?, reported_amount = ?, reported_currency = ?, updated_at = ? "
                          "WHERE trans_id = ? AND flag IS NULL",
                          (flag, reported_amount, reported_currency, now_text(), trans_id)).rowcount == 1
        if note is not None:
            self._run("UPDATE attempts SET note = ?, updated_at = ? WHERE trans_id = ?", (note, now_text(), trans_id))
        return bool(first)

    def settle_attempt(self, trans_id: str) -> None:
        self._run("UPDATE attempts SET settled_at = ? WHERE trans_id = ? AND settled_at IS NULL",
                  (now_text(), trans_id))

    def claim_paid(self, order_ref: str, trans_id: str) -> str:
        # The counter row exists once an attempt number was given out; an attempt recorded
        # some other way (a migration, a test) gets one here. The conditional UPDATE is the claim:
        # of two writers, the second finds paid_trans_id already set and changes nothing.
        self._run("INSERT INTO order_counters (order_ref, last_attempt) VALUES (?, 0) "
                  "ON CONFLICT (order_ref) DO NOTHING", (order_ref,))
        self._run("UPDATE order_counters SET paid_trans_id = ? WHERE order_ref = ? AND paid_trans_id IS NULL",
                  (trans_id, order_ref))
        winner = self.paid_trans_id(order_ref)
        assert winner is not None
        return winner

    def paid_trans_id(self, order_ref: str) -> Optional[str]:
        row = self._run("SELECT paid_trans_id FROM order_counters WHERE order_ref = ?", (order_ref,)).fetchone()
        return row[0] if row else None

    # --- merchant-initiated charges by idempotency key -----------------------------------

    def begin_charge(self, scope: str, idempotency_key: str, order_ref: str, request_hash: str,
                     lease_seconds: float) -> tuple[ChargeRecord, bool]:
        now, text = now_ms(), now_text()
        until = now + int(lease_seconds * 1000)
        owner = self._run(
            "INSERT INTO charges (scope, idempotency_key, order_ref, request_hash, state, locked_until_ms, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, idempotency_key) DO NOTHING",
            (scope, idempotency_key, order_ref, request_hash, CHARGE_PENDING, until, text, text)).rowcount == 1
        if not owner:  # unfinished, and its owner gone: take it over
            owner = self._run(
                "UPDATE charges SET locked_until_ms = ?, updated_at = ? WHERE scope = ? AND idempotency_key = ? "
                "AND state = ? AND request_hash = ? AND (locked_until_ms IS NULL OR locked_until_ms < ?)",
                (until, text, scope, idempotency_key, CHARGE_PENDING, request_hash, now)).rowcount == 1
        record = self.charge(scope, idempotency_key)
        assert record is not None
        return record, bool(owner)

    def set_charge_trans_id(self, scope: str, idempotency_key: str, trans_id: str) -> None:
        self._run("UPDATE charges SET trans_id = ?, updated_at = ? WHERE scope = ? AND idempotency_key = ?",
                  (trans_id, now_text(), scope, idempotency_key))

    def finish_charge(self, scope: str, idempotency_key: str, result: str) -> None:
        self._run("UPDATE charges SET state = ?, result = ?, locked_until_ms = NULL, updated_at = ? "
                  "WHERE scope = ? AND idempotency_key = ?", (CHARGE_DONE, result, now_text(), scope, idempotency_key))

    def release_charge(self, scope: str, idempotency_key: str) -> None:
        self._run("UPDATE charges SET locked_until_ms = NULL, updated_at = ? WHERE scope = ? AND idempotency_key = ? "
                  "AND state = ?", (now_text(), scope, idempotency_key, CHARGE_PENDING))

    def charge(self, scope: str, idempotency_key: str) -> Optional[ChargeRecord]:
        row = self._run(f"SELECT {CHARGE_COLUMNS} FROM charges WHERE scope = ? AND idempotency_key = ?",
                        (scope, idempotency_key)).fetchone()
        return ChargeRecord(*row) if row else None

    # --- disputes ----------------------------------------------------------------------------

    def record_dispute(self, record: DisputeRecord) -> DisputeRecord:
        # Read, decide and write under the caller's transaction (the webhook pipeline's), which
        # serialises writers of one dispute: SQLite's one writer, PostgreSQL's row lock below.
        current = self.dispute(record.dispute_id, for_update=True)
        now = now_text()
        if current is None:
            stored = replace(record, created_at=now, updated_at=now)
            marks = ", ".join("?" * len(fields(DisputeRecord)))
            self._run(f"INSERT INTO disputes ({DISPUTE_COLUMNS}) VALUES ({marks})",
                      tuple(getattr(stored, f.name) for f in fields(DisputeRecord)))
            return stored
        if not dispute_stage_may_follow(current.stage, record.stage):
            return current
        self._run("UPDATE disputes SET stage = ?, amount = ?, currency = ?, reason_code = COALESCE(?, reason_code), "
                  "reason_code_description = COALESCE(?, reason_code_description), due_time = COALESCE(?, due_time), "
                  "updated_at = ? WHERE dispute_id = ?",
                  (record.stage, record.amount, record.currency, record.reason_code, record.reason_code_description,
                   record.due_time, now, record.dispute_id))
        found = self.dispute(record.dispute_id)
        assert found is not None
        return found

    def dispute(self, dispute_id: str, *, for_update: bool = False) -> Optional[DisputeRecord]:
        lock = " FOR UPDATE" if for_update and self.placeholder == "%s" else ""
        row = self._run(f"SELECT {DISPUTE_COLUMNS} FROM disputes WHERE dispute_id = ?{lock}", (dispute_id,)).fetchone()
        return DisputeRecord(*row) if row else None

    def disputes(self, order_ref: Optional[str] = None) -> list[DisputeRecord]:
        if order_ref is None:
            rows = self._run(f"SELECT {DISPUTE_COLUMNS} FROM disputes ORDER BY created_at DESC").fetchall()
        else:
            rows = self._run(f"SELECT {DISPUTE_COLUMNS} FROM disputes WHERE order_ref = ? ORDER BY created_at DESC",
                             (order_ref,)).fetchall()
        return [DisputeRecord(*row) for row in rows]
