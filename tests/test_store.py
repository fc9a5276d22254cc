"""The default SQLite store: WAL, attempt numbers under concurrency, statuses that never move
back, tokens that are never revived, no column that could hold card data, and upgrade of an
older file."""

from __future__ import annotations

import inspect
import sqlite3
import threading
from pathlib import Path

import pytest

from paykka_embed.store import (
    AGREEMENT_CANCELED,
    TOKEN_REMOVED,
    AttemptRecord,
    SQLiteStore,
    Store,
    TokenRecord,
    status_may_follow,
)


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    s = SQLiteStore(tmp_path / "sub" / "paykka.sqlite3")
    yield s
    s.close()


def attempt(trans_id: str = "ORD1-1", **kw: object) -> AttemptRecord:
    fields = dict(trans_id=trans_id, order_ref="ORD1", attempt=int(trans_id.rsplit("-", 1)[1]), session_id="CS1",
                  mode="DROP_IN", amount=800, currency="HKD")
    fields.update(kw)
    return AttemptRecord(**fields)  # type: ignore[arg-type]


def test_the_file_is_in_wal_mode_and_created_with_its_folder(store: SQLiteStore, tmp_path: Path) -> None:
    assert (tmp_path / "sub" / "paykka.sqlite3").exists()
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _synchronous(store: SQLiteStore) -> int:
    return int(store._conn().execute("PRAGMA synchronous").fetchone()[0])


def test_every_commit_is_flushed_unless_normal_is_chosen(tmp_path: Path) -> None:
    full = SQLiteStore(tmp_path / "full.sqlite3")
    normal = SQLiteStore(tmp_path / "normal.sqlite3", synchronous="normal")
    try:
        assert (full.synchronous, _synchronous(full)) == ("FULL", 2)
        assert (normal.synchronous, _synchronous(normal)) == ("NORMAL", 1)
    finally:
        full.close()
        normal.close()


@pytest.mark.parametrize("level", ["OFF", "EXTRA", "", 2, None])
def test_synchronous_refuses_levels_that_are_not_offered(tmp_path: Path, level: object) -> None:
    with pytest.raises(ValueError, match=r"synchronous: must be one of FULL, NORMAL"):
        SQLiteStore(tmp_path / "x.sqlite3", synchronous=level)  # type: ignore[arg-type]
    assert not (tmp_path / "x.sqlite3").exists()


def test_the_handled_mark_is_committed_and_the_connection_keeps_its_level(store: SQLiteStore) -> None:
    record, _ = store.record_event("k1", "PAYMENT.SUCCESS", "ORD1-1", None, "SUCCESS", "{}")
    assert store.claim_event(record.id)
    store.mark_handled(record.id)
    assert _synchronous(store) == 2  # back to FULL for every later commit
    with sqlite3.connect(store.path) as other:  # committed: another connection sees it
        assert other.execute("SELECT handled_at IS NOT NULL FROM events WHERE id = ?", (record.id,)).fetchone() == (1,)
    assert not store.claim_event(record.id)


def test_a_handled_mark_inside_a_transaction_is_rolled_back_with_it(store: SQLiteStore) -> None:
    record, _ = store.record_event("k2", "PAYMENT.SUCCESS", "ORD1-1", None, "SUCCESS", "{}")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.mark_handled(record.id)
            raise RuntimeError("handler failed")
    assert store.claim_event(record.id)  # still unhandled


def test_attempt_numbers_are_unique_under_concurrency(store: SQLiteStore) -> None:
    got: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(10):
            n = store.next_attempt("ORD1")
            with lock:
                got.append(n)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 81))


def test_attempts_round_trip_with_the_new_fields(store: SQLiteStore) -> None:
    store.add_attempt(attempt(payment_type="RECURRING", shopper_reference="s-1", token_usage="SUBSCRIPTION"))
    got = store.attempt("ORD1-1")
    assert got is not None
    assert (got.payment_type, got.shopper_reference, got.token_usage, got.status) == (
        "RECURRING", "s-1", "SUBSCRIPTION", "PROCESSING")
    assert [a.trans_id for a in store.attempts("ORD1")] == ["ORD1-1"]
    assert store.attempt("nope") is None


@pytest.mark.parametrize("sequence,final", [
    (["SUCCESS", "FAILURE"], "SUCCESS"),
    (["SUCCESS", "PROCESSING"], "SUCCESS"),
    (["FAILURE", "SUCCESS"], "SUCCESS"),
    (["AUTHORIZED", "SUCCESS", "REFUNDED", "SUCCESS"], "REFUNDED"),
])
def test_status_only_moves_forward(store: SQLiteStore, sequence: list[str], final: str) -> None:
    store.add_attempt(attempt())
    for status in sequence:
        store.update_status("ORD1-1", status, order_id="GW1", source="webhook")
    record = store.attempt("ORD1-1")
    assert record is not None and record.status == final and record.webhook_status == final
    assert not status_may_follow("SUCCESS", "UNKNOWN")


def test_tokens_upsert_completes_but_never_revives(store: SQLiteStore) -> None:
    store.save_token(TokenRecord(token="TK1", shopper_reference="s-1", token_usage="SUBSCRIPTION"))
    store.save_token(TokenRecord(token="TK1", shopper_reference="s-1", recurring_agreement_id="RA1", brand="VISA",
                                 last4="1111"))
    token = store.token("TK1")
    assert token is not None
    assert (token.token_usage, token.recurring_agreement_id, token.brand, token.last4, token.status) == (
        "SUBSCRIPTION", "RA1", "VISA", "1111", "ACTIVE")
    assert store.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id="RA1") == 1
    assert store.set_token_status(TOKEN_REMOVED, token="TK1") == 1
    assert store.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id="RA1") == 0  # removed is final
    store.save_token(TokenRecord(token="TK1", shopper_reference="s-1"))  # a late webhook
    assert store.token("TK1").status == TOKEN_REMOVED  # type: ignore[union-attr]
    assert store.tokens("s-1") == [] and len(store.tokens("s-1", active_only=False)) == 1


def test_one_card_carries_a_new_agreement_after_its_first_was_cancelled(store: SQLiteStore) -> None:
    """A shopper who cancels a membership and joins again with the same card keeps the token (PayKKa
    stores a card once per shopper and usage) and gets a new agreement: the store keeps both."""
    store.save_token(TokenRecord(token="TK1", shopper_reference="s-1", token_usage="SUBSCRIPTION",
                                 recurring_agreement_id="RA1", brand="VISA", last4="1111", trans_id="M1-1"))
    assert store.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id="RA1") == 1
    assert store.token("TK1").status == AGREEMENT_CANCELED  # type: ignore[union-attr]
    assert store.agreements("s-1") == []

    store.save_token(TokenRecord(token="TK1", shopper_reference="s-1", token_usage="SUBSCRIPTION",
                                 recurring_agreement_id="RA2", brand="VISA", last4="1111", trans_id="M2-1"))
    second = store.agreement_of("M2-1")
    assert second is not None
    assert (second.token, second.recurring_agreement_id, second.status, second.last4) == ("TK1", "RA2", "ACTIVE",
                                                                                          "1111")
    assert store.agreement_of("M1-1").status == AGREEMENT_CANCELED  # type: ignore[union-attr]
    assert store.token("TK1").status == "ACTIVE"  # type: ignore[union-attr]
    assert [a.recurring_agreement_id for a in store.agreements("s-1")] == ["RA2"]
    assert {a.recurring_agreement_id for a in store.agreements("s-1", active_only=False)} == {"RA1", "RA2"}

    # The first payment's webhook, delivered again late, revives nothing.
    store.save_token(TokenRecord(token="TK1", shopper_reference="s-1", recurring_agreement_id="RA1", trans_id="M1-1"))
    assert store.agreement_of("M1-1").status == AGREEMENT_CANCELED  # type: ignore[union-attr]
    assert [a.recurring_agreement_id for a in store.agreements("s-1")] == ["RA2"]

    # Two live agreements on one card: cancelling one leaves the card usable for the other.
    store.save_token(TokenRecord(token="TK1", shopper_reference="s-1", recurring_agreement_id="RA3", trans_id="M3-1"))
    assert store.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id="RA2") == 1
    assert store.token("TK1").status == "ACTIVE"  # type: ignore[union-attr]
    assert store.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id="RA3") == 1
    assert store.token("TK1").status == AGREEMENT_CANCELED  # type: ignore[union-attr]

    # A removed card ends all its agreements, and a new agreement on it does not bring it back.
    store.set_token_status(TOKEN_REMOVED, token="TK1")
    store.save_token(TokenRecord(token="TK1", shopper_reference="s-1", recurring_agreement_id="RA4", trans_id="M4-1"))
    assert store.token("TK1").status == TOKEN_REMOVED  # type: ignore[union-attr]
    assert store.agreement_of("M4-1").status == TOKEN_REMOVED  # type: ignore[union-attr]
    assert store.agreements("s-1") == []


def test_an_agreement_cancelled_before_its_webhook_stays_cancelled(store: SQLiteStore) -> None:
    assert store.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id="RA9") == 0  # not known yet
    store.save_token(TokenRecord(token="TK9", shopper_reference="s-9", token_usage="SUBSCRIPTION",
                                 recurring_agreement_id="RA9", trans_id="M9-1"))
    agreement = store.agreement_of("M9-1")
    assert agreement is not None and agreement.status == AGREEMENT_CANCELED and agreement.token == "TK9"
    assert store.token("TK9").status == AGREEMENT_CANCELED  # type: ignore[union-attr]
    assert store.agreements("s-9") == []


def test_an_older_database_keeps_its_agreements(tmp_path: Path) -> None:
    """Agreements recorded on the token's own row by an earlier version are found after an upgrade."""
    path = tmp_path / "old.sqlite3"
    first = SQLiteStore(path)
    first.save_token(TokenRecord(token="TK1", shopper_reference="s-1", token_usage="SUBSCRIPTION",
                                 recurring_agreement_id="RA1", trans_id="M1-1"))
    first.save_token(TokenRecord(token="TK2", shopper_reference="s-1", token_usage="SUBSCRIPTION",
                                 recurring_agreement_id="RA2", trans_id="M2-1"))
    first.set_token_status(AGREEMENT_CANCELED, recurring_agreement_id="RA2")
    conn = first._conn()
    conn.execute("DROP TABLE agreements")  # as an earlier version left it
    conn.execute("UPDATE tokens SET status = 'CANCELED' WHERE token = 'TK2'")
    first.close()
    upgraded = SQLiteStore(path)
    assert upgraded.agreement_of("M1-1").status == "ACTIVE"  # type: ignore[union-attr]
    assert upgraded.agreement_of("M2-1").status == AGREEMENT_CANCELED  # type: ignore[union-attr]
    assert [a.recurring_agreement_id for a in upgraded.agreements("s-1")] == ["RA1"]
    upgraded.close()


def test_tokens_are_listed_newest_first(store: SQLiteStore) -> None:
    for name in ("TK1", "TK2", "TK3"):
        store.save_token(TokenRecord(token=name, shopper_reference="s-1"))
    assert [t.token for t in store.tokens("s-1")] == ["TK3", "TK2", "TK1"]


@pytest.mark.parametrize("last4", ["41111", "abcd", "4111111111111111"])
def test_a_token_cannot_carry_more_than_four_digits(last4: str) -> None:
    with pytest.raises(ValueError, match="last4"):
        TokenRecord(token="TK1", shopper_reference="s-1", last4=last4)


def test_the_database_refuses_a_card_number_in_last4_too(store: SQLiteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store._conn().execute(
            "INSERT INTO tokens (token, shopper_reference, last4, status, created_at, updated_at) "
            "VALUES ('TK9', 's', '4111111111111111', 'ACTIVE', 'x', 'x')")


def test_set_token_status_refuses_unknown_status_or_target(store: SQLiteStore) -> None:
    with pytest.raises(ValueError, match="status"):
        store.set_token_status("ACTIVE", token="TK1")
    with pytest.raises(ValueError, match="token"):
        store.set_token_status(TOKEN_REMOVED)


def test_no_column_could_hold_card_data(store: SQLiteStore) -> None:
    forbidden = ("card_no", "number", "pan", "cvv", "cvc", "exp", "expiry", "holder")
    with sqlite3.connect(store.path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for column in (r[1] for r in db.execute(f"PRAGMA table_info({table})")):
                assert not any(word in column for word in forbidden), (table, column)


def test_nonces_are_remembered(store: SQLiteStore) -> None:
    assert store.remember_nonce("1234567890", 1) is True
    assert store.remember_nonce("1234567890", 2) is False


def test_an_older_file_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE attempts (trans_id TEXT PRIMARY KEY, order_ref TEXT NOT NULL, attempt INTEGER "
                   "NOT NULL, session_id TEXT, mode TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL, "
                   "status TEXT NOT NULL, order_id TEXT, query_status TEXT, webhook_status TEXT, created_at TEXT "
                   "NOT NULL, updated_at TEXT NOT NULL, UNIQUE (order_ref, attempt))")
        db.execute("INSERT INTO attempts VALUES ('O-1', 'O', 1, 'CS1', 'DROP_IN', 800, 'HKD', 'SUCCESS', NULL, "
                   "NULL, NULL, 'x', 'x')")
    store = SQLiteStore(path)
    old = store.attempt("O-1")
    assert old is not None and old.payment_type == "PURCHASE" and old.shopper_reference is None
    store.close()


def test_sqlite_store_implements_every_method_of_the_interface() -> None:
    wanted = {n for n, v in inspect.getmembers(Store) if not n.startswith("_") and callable(v)}
    assert wanted <= {n for n in dir(SQLiteStore) if not n.startswith("_")}
    assert {"save_token", "tokens", "token", "set_token_status", "record_event", "claim_event"} <= wanted


def test_the_first_attempt_to_claim_an_order_paid_keeps_it(store: SQLiteStore) -> None:
    assert store.paid_trans_id("o") is None
    assert store.claim_paid("o", "o-2") == "o-2"
    assert store.claim_paid("o", "o-1") == "o-2"  # a later claim learns who paid
    assert store.paid_trans_id("o") == "o-2"


def test_claims_of_one_order_from_many_threads_have_one_winner(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "race.sqlite3"
    SQLiteStore(path).close()
    stores = [SQLiteStore(path) for _ in range(2)]
    winners: list[str] = []
    barrier = threading.Barrier(10)

    def claim(i: int) -> None:
        barrier.wait()
        winners.append(stores[i % 2].claim_paid("shared", f"shared-{i}"))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(winners)) == 1 and len(winners) == 10


def test_a_flag_is_set_once_and_a_note_can_follow(store: SQLiteStore) -> None:
    store.add_attempt(AttemptRecord(trans_id="f-1", order_ref="f", attempt=1, session_id="CS", mode="DROP_IN",
                                    amount=800, currency="HKD"))
    assert store.flag_attempt("f-1", "MISMATCH", reported_amount=900, reported_currency="HKD") is True
    assert store.flag_attempt("f-1", "DUPLICATE", note="looked at") is False
    got = store.attempt("f-1")
    assert got is not None
    assert (got.flag, got.reported_amount, got.note) == ("MISMATCH", 900, "looked at")


def test_a_charge_has_one_owner_until_released_and_replays_once_done(store: SQLiteStore) -> None:
    first, owner = store.begin_charge("s", "k", "o", "h", 30)
    assert owner and first.state == "PENDING" and first.locked_until_ms
    _, second_owner = store.begin_charge("s", "k", "o", "h", 30)
    assert not second_owner  # someone is sending it
    store.set_charge_trans_id("s", "k", "o-1")
    store.release_charge("s", "k")  # its outcome unknown: the next caller resumes it
    other, other_owner = store.begin_charge("s", "k", "o", "another request", 30)
    assert not other_owner and other.request_hash == "h"
    resumed, resumed_owner = store.begin_charge("s", "k", "o", "h", 30)
    assert resumed_owner and resumed.trans_id == "o-1"
    store.finish_charge("s", "k", "{}")
    done, done_owner = store.begin_charge("s", "k", "o", "h", 30)
    assert not done_owner and (done.state, done.result, done.locked_until_ms) == ("DONE", "{}", None)


def test_an_expired_charge_lease_can_be_taken_over(store: SQLiteStore) -> None:
    store.begin_charge("s", "k", "o", "h", 0)  # its owner crashed at once
    import time

    time.sleep(0.01)
    _, owner = store.begin_charge("s", "k", "o", "h", 30)
    assert owner


def test_a_dispute_moves_forward_only(store: SQLiteStore) -> None:
    from paykka_embed.store import DisputeRecord

    def at(stage: str) -> str:
        return store.record_dispute(DisputeRecord(dispute_id="DG1", trans_id="o-1", order_id="GW1", stage=stage,
                                                  amount=800, currency="HKD", order_ref="o")).stage

    assert [at(s) for s in ("UNDER_REVIEW", "DISPUTE_CREATED", "DISPUTE_LOST", "DISPUTE_WON", "UNDER_REVIEW")] == \
        ["UNDER_REVIEW", "UNDER_REVIEW", "DISPUTE_LOST", "DISPUTE_LOST", "DISPUTE_LOST"]
    assert [d.stage for d in store.disputes("o")] == ["DISPUTE_LOST"] and store.disputes("other") == []


def test_an_agreement_belongs_to_the_payment_that_set_it_up(store: SQLiteStore) -> None:
    """A shopper with two memberships: each order's agreement is its own first payment's, not any of the shopper's."""
    store.save_token(TokenRecord(token="TK1", shopper_reference="s", token_usage="SUBSCRIPTION",
                                 recurring_agreement_id="RA1", trans_id="M1-1"))
    store.save_token(TokenRecord(token="TK2", shopper_reference="s", token_usage="SUBSCRIPTION",
                                 recurring_agreement_id="RA2", trans_id="M2-1"))
    store.save_token(TokenRecord(token="TK1", shopper_reference="s", trans_id="X-9"))  # a later report keeps the first
    assert store.agreement_of("M1-1").recurring_agreement_id == "RA1"  # type: ignore[union-attr]
    assert store.agreement_of("M2-1").token == "TK2"  # type: ignore[union-attr]
    assert store.agreement_of("X-9") is None
    store.set_token_status(TOKEN_REMOVED, token="TK1")
    assert store.agreement_of("M1-1").status == TOKEN_REMOVED  # type: ignore[union-attr]
