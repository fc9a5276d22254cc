"""Item 6 of issue 9: the PostgreSQL store, and two merchant processes sharing it.

The store behaves as the SQLite reference does (the same script of calls gives the same
answers); attempt numbers, nonces and webhook claims hold across threads and across
processes: concurrent sessions for one order from two shops get distinct attempt numbers,
and one event delivered to both shops runs its handler once."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from paykka_embed.store import AttemptRecord, SQLiteStore, TokenRecord
from paykka_embed.store.postgres import PostgresStore
from paykka_embed.testing import StubHandle

from figures import record
from reliability_kit import CARD, ShopProcess, handler_runs, poll, register, shop_config, sign_webhook

STAMPS = {"created_at", "updated_at", "received_at", "handled_at"}


STAMPS_MS = {"locked_until_ms"}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple) and value and hasattr(value[0], "__dataclass_fields__"):
        return (_plain(value[0]),) + value[1:]
    if hasattr(value, "__dataclass_fields__"):
        return {k: (v is not None if k in STAMPS | STAMPS_MS else v) for k, v in asdict(value).items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def script(store: Any) -> list[Any]:
    """Every protocol method, including refusals and "never back" rules; answers without timestamps."""
    out: list[Any] = []
    say: Callable[[Any], None] = lambda v: out.append(_plain(v))
    say([store.next_attempt("o1") for _ in range(3)] + [store.next_attempt("o2")])
    for n in (1, 2):
        store.add_attempt(AttemptRecord(trans_id=f"o1-{n}", order_ref="o1", attempt=n, session_id=f"CS{n}",
                                        mode="DROP_IN", amount=800, currency="HKD", shopper_reference="s1",
                                        token_usage="CARD_ON_FILE"))
    say(store.attempt("o1-1"))
    say(store.attempt("nope"))
    say(store.attempts("o1"))
    for status, source in [("AUTHORIZED", "webhook"), ("PROCESSING", "query"), ("SUCCESS", "query"),
                           ("AUTHORIZED", "webhook"), ("FAILURE", "query"), ("REFUNDED", "webhook")]:
        say(store.update_status("o1-1", status, order_id="GW1", source=source))
    say(store.update_status("nope", "SUCCESS"))
    try:
        store.update_status("o1-1", "SUCCESS", source="browser")
    except ValueError as exc:
        say(str(exc))
    say([store.remember_nonce("n1", 1), store.remember_nonce("n1", 2), store.remember_nonce("n2", 3)])
    e1, new1 = store.record_event("k1", "PAYMENT.SUCCESS", "o1-1", "GW1", "SUCCESS", "{}")
    e1b, new1b = store.record_event("k1", "PAYMENT.SUCCESS", "o1-1", "GW1", "SUCCESS", "{}")
    e2, _ = store.record_event("k2", "REFUND.SUCCESS", "r1", "GW1", "SUCCESS", "{}")
    say([new1, new1b, e1.id == e1b.id, e2.id > e1.id])
    say([store.claim_event(e1.id), store.claim_event(e1.id)])
    store.release_event(e1.id)
    say(store.claim_event(e1.id))
    store.mark_handled(e1.id)
    say([store.claim_event(e1.id), store.claim_event(e2.id, lease_seconds=0.0)])
    e3, _ = store.record_event("k3", "PAYMENT.SUCCESS", "o1-2", "GW2", "SUCCESS", "{}")
    try:
        with store.transaction():  # a handled mark inside a transaction goes with it
            store.mark_handled(e3.id)
            raise RuntimeError("rolled back")
    except RuntimeError as exc:
        say(str(exc))
    say(store.claim_event(e3.id))
    say(store.events())
    say(store.events("r1"))
    say(store.save_token(TokenRecord(token="TK1", shopper_reference="s1", token_usage="CARD_ON_FILE")))
    say(store.save_token(TokenRecord(token="TK1", shopper_reference="s1", brand="VISA", last4="1111",
                                     recurring_agreement_id="RA1")))
    say(store.save_token(TokenRecord(token="TK2", shopper_reference="s1", recurring_agreement_id="RA1")))
    say([t.token for t in store.tokens("s1")])
    say(store.set_token_status("REMOVED", token="TK1"))
    say(store.set_token_status("CANCELED", recurring_agreement_id="RA1"))
    say(store.set_token_status("CANCELED", token="TK1"))
    say(store.save_token(TokenRecord(token="TK1", shopper_reference="s1")))  # never revived
    say([t.token for t in store.tokens("s1")])
    say([(t.token, t.status) for t in store.tokens("s1", active_only=False)])
    say(store.token("TK9"))
    say(store.save_token(TokenRecord(token="TK3", shopper_reference="s1", recurring_agreement_id="RA3",
                                     trans_id="o1-2")))
    say([store.agreement_of("o1-2"), store.agreement_of("o1-9")])
    for bad in (lambda: store.set_token_status("ACTIVE", token="TK1"), lambda: store.set_token_status("REMOVED")):
        try:
            bad()
        except ValueError as exc:
            say(str(exc))
    # One card, agreements over time: cancelled, a new one, two at once, cancelled before its webhook.
    say(store.save_token(TokenRecord(token="TK5", shopper_reference="s5", token_usage="SUBSCRIPTION",
                                     recurring_agreement_id="RA5", trans_id="m5-1")).status)
    say(store.set_token_status("CANCELED", recurring_agreement_id="RA5"))
    say(store.save_token(TokenRecord(token="TK5", shopper_reference="s5", recurring_agreement_id="RA6",
                                     trans_id="m6-1")).status)
    say(store.save_token(TokenRecord(token="TK5", shopper_reference="s5", recurring_agreement_id="RA7",
                                     trans_id="m7-1")).status)
    say(store.set_token_status("CANCELED", recurring_agreement_id="RA6"))
    say([(a.recurring_agreement_id, a.status) for a in store.agreements("s5", active_only=False)])
    say([a.recurring_agreement_id for a in store.agreements("s5")])
    say([store.set_token_status("CANCELED", recurring_agreement_id="RA8"),
         store.save_token(TokenRecord(token="TK8", shopper_reference="s5", recurring_agreement_id="RA8",
                                      trans_id="m8-1")).status, store.agreement_of("m8-1")])
    # Who paid the order, flags, settling, and charges by idempotency key.
    say([store.paid_trans_id("o1"), store.claim_paid("o1", "o1-2"), store.claim_paid("o1", "o1-1"),
         store.paid_trans_id("o1"), store.claim_paid("o9", "o9-1")])
    say([store.flag_attempt("o1-1", "DUPLICATE"), store.flag_attempt("o1-1", "MISMATCH", reported_amount=9,
                                                                      reported_currency="USD", note="n1")])
    store.settle_attempt("o1-2")
    say([(a.flag, a.reported_amount, a.reported_currency, a.note, a.settled_at is not None)
         for a in store.attempts("o1")])
    say(store.begin_charge("sc", "k1", "o1", "h1", 30))
    say(store.begin_charge("sc", "k1", "o1", "h1", 30))  # owned by the first caller: not ours
    store.set_charge_trans_id("sc", "k1", "o1-3")
    store.release_charge("sc", "k1")
    say(store.begin_charge("sc", "k1", "o1", "h2", 30))  # another request: no takeover
    say(store.begin_charge("sc", "k1", "o1", "h1", 30))  # released: taken over
    store.finish_charge("sc", "k1", '{"kind": "transaction"}')
    say(store.begin_charge("sc", "k1", "o1", "h1", 30))
    say(store.charge("sc", "nope"))
    # Disputes move forward only, and a decided one stays decided.
    from paykka_embed.store import DisputeRecord
    for stage in ("UNDER_REVIEW", "DISPUTE_CREATED", "DISPUTE_WON", "UNDER_REVIEW", "DISPUTE_LOST"):
        say(store.record_dispute(DisputeRecord(dispute_id="DG1", trans_id="o1-1", order_id="GW1", stage=stage,
                                               amount=800, currency="HKD", order_ref="o1", reason_code="10.4")).stage)
    say([d.dispute_id for d in store.disputes("o1")] + [d.dispute_id for d in store.disputes()])
    return out


def test_an_older_postgres_database_keeps_its_agreements(postgres_dsn: str, pg_schema: str) -> None:
    """Agreements kept on the token's row by an earlier version are copied once, when the table is made."""
    first = PostgresStore(postgres_dsn, schema=pg_schema)
    first.save_token(TokenRecord(token="TK1", shopper_reference="s1", token_usage="SUBSCRIPTION",
                                 recurring_agreement_id="RA1", trans_id="m1-1"))
    first._conn().execute("DROP TABLE agreements")  # as an earlier version left it
    first.close()
    upgraded = PostgresStore(postgres_dsn, schema=pg_schema)
    try:
        agreement = upgraded.agreement_of("m1-1")
        assert agreement is not None and (agreement.recurring_agreement_id, agreement.status) == ("RA1", "ACTIVE")
    finally:
        upgraded.close()


def test_postgres_store_answers_as_the_sqlite_reference(postgres_dsn: str, pg_schema: str, tmp_path: Path) -> None:
    reference = SQLiteStore(tmp_path / "ref.sqlite3")
    store = PostgresStore(postgres_dsn, schema=pg_schema)
    try:
        expected, got = script(reference), script(store)
        assert got == expected
        with pytest.raises(Exception):  # no card data: last4 must be four digits, at the database too
            store._conn().execute("INSERT INTO tokens (token, shopper_reference, last4, status, created_at, "
                                  "updated_at) VALUES ('x', 's', '41111', 'ACTIVE', '', '')")
        record(6, "PostgresStore vs SQLiteStore: protocol script answers compared", {"answers": len(got),
                                                                                      "differences": 0})
    finally:
        reference.close()
        store.close()


def test_attempt_numbers_and_claims_hold_across_threads(postgres_dsn: str, pg_schema: str) -> None:
    stores = [PostgresStore(postgres_dsn, schema=pg_schema) for _ in range(2)]  # two "instances"
    numbers: list[int] = []
    claims: list[bool] = []
    event, _ = stores[0].record_event("k", "PAYMENT.SUCCESS", "t", "GW", "SUCCESS", "{}")
    barrier = threading.Barrier(8)
    lock = threading.Lock()

    def work(i: int) -> None:
        store = stores[i % 2]
        barrier.wait()
        got = [store.next_attempt("shared") for _ in range(25)]
        claimed = store.claim_event(event.id)
        with lock:
            numbers.extend(got)
            claims.append(claimed)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for s in stores:
        s.close()
    assert sorted(numbers) == list(range(1, 201))
    assert claims.count(True) == 1
    record(6, "8 threads on 2 store instances: next_attempt x200, claim x8",
           {"distinct_attempt_numbers": len(set(numbers)), "claims_won": 1})


@pytest.mark.slow
def test_two_shop_processes_share_one_postgres(paykka_stub: StubHandle, postgres_dsn: str, pg_schema: str,
                                               tmp_path: Path) -> None:
    merchant = register(paykka_stub)
    runs_path = tmp_path / "runs.jsonl"
    config = shop_config(merchant, postgres_dsn, schema=pg_schema, handler_log=str(runs_path), handler_delay=0.2)
    shops = [ShopProcess(config, tmp_path), ShopProcess(config, tmp_path)]
    for shop in shops:
        shop.start()
    http = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=64))
    try:
        # (a) 30 concurrent new sessions for one order, half from each shop.
        answers: list[dict[str, Any]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(30)

        def create(i: int) -> None:
            barrier.wait()
            resp = http.post(f"{shops[i % 2].url}/test/session/ORD-shared")
            with lock:
                answers.append(resp.json())

        threads = [threading.Thread(target=create, args=(i,)) for i in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        attempts = sorted(a["attempt"] for a in answers)
        assert attempts == list(range(1, 31)), attempts
        assert len({a["pid"] for a in answers}) == 2
        assert len({a["session_id"] for a in answers}) == 30
        gw = paykka_stub.context.gateway
        assert sum(1 for (m, t) in gw.sessions_by_trans if m == merchant.merchant_id) == 30

        # (b) each of 8 events (one payment each of 8 orders) delivered 10 times at once, alternately
        # to the two shops (fresh nonces). Eight payments of the one shared order would be duplicates.
        paid = [http.post(f"{shops[n % 2].url}/test/session/ORD-event{n}").json() for n in range(8)]
        platform = paykka_stub.context.platform_key
        path = "/paykka/webhook"
        statuses: list[int] = []
        for n, answer in enumerate(paid):
            body = (f'{{"notify_type":"PAYMENT.SUCCESS","merchant_id":"{merchant.merchant_id}",'
                    f'"trans_id":"{answer["trans_id"]}","order_id":"GW{n:08d}","status":"SUCCESS",'
                    f'"amount":1000,"currency":"HKD"}}').encode()
            heads = [sign_webhook(platform, path, body, merchant.app_id) for _ in range(10)]
            gate = threading.Barrier(10)

            def deliver(i: int) -> None:
                gate.wait()
                status = http.post(shops[i % 2].webhook_url, content=body, headers=heads[i]).status_code
                with lock:
                    statuses.append(status)

            threads = [threading.Thread(target=deliver, args=(i,)) for i in range(10)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            # The very same request (same nonce) to both shops: one takes it, the other sees a replay.
            same = sign_webhook(platform, path, body, merchant.app_id)
            pair = [http.post(s.webhook_url, content=body, headers=same).status_code for s in shops]
            assert sorted(pair) == [200, 401], pair
        assert set(statuses) <= {200, 409}, Counter(statuses)
        runs = Counter(r["trans_id"] for r in handler_runs(runs_path))
        assert sorted(runs) == sorted(a["trans_id"] for a in paid) and set(runs.values()) == {1}
        pids = {r["pid"] for r in handler_runs(runs_path)}
        store = PostgresStore(postgres_dsn, schema=pg_schema)
        try:
            assert all(store.attempt(a["trans_id"]).status == "SUCCESS" for a in paid)
            assert len(store.events()) == 8 and all(e.handled_at for e in store.events())
        finally:
            store.close()
    finally:
        http.close()
        for shop in shops:
            shop.stop()
    record(6, "2 shop processes on one PostgreSQL: 30 concurrent sessions for one order",
           {"distinct_attempt_numbers": 30, "sessions_at_stub": 30})
    record(6, "2 shop processes: 8 events x 10 concurrent deliveries split across both",
           {"handler_runs_per_event": 1, "answers": dict(Counter(statuses)), "processes_that_handled": len(pids),
            "same_nonce_to_both": "one 200, one 401"})


def _race(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run ``calls`` at the same moment, one thread each."""
    answers: list[httpx.Response] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> None:
        barrier.wait()
        answer = call()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


@pytest.mark.slow
def test_two_shop_processes_never_pay_one_order_or_one_period_twice(paykka_stub: StubHandle, postgres_dsn: str,
                                                                      pg_schema: str, tmp_path: Path) -> None:
    """Money integrity across instances: two shop processes on one PostgresStore, racing (a) to start
    a payment for an order already paid at PayKKa, and (b) to charge one billing period."""
    merchant = register(paykka_stub)
    config = shop_config(merchant, postgres_dsn, schema=pg_schema)
    shops = [ShopProcess(config, tmp_path).start(), ShopProcess(config, tmp_path).start()]
    gw = paykka_stub.context.gateway
    http = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=64))
    try:
        # (b) first: the recurring agreement's first payment, its webhook stored in the shared database.
        first = http.post(f"{shops[0].url}/test/recurring-session/ORDR-first").json()
        gw.pay_with_card(first["session_id"], merchant.client_key, CARD)
        store = PostgresStore(postgres_dsn, schema=pg_schema)
        try:
            poll(lambda: any(t.recurring_agreement_id for t in store.tokens("shopper-pg")), what="the agreement")
        finally:
            store.close()
        charges = _race([lambda i=i: http.post(f"{shops[i % 2].url}/test/charge/ORDR-2026-11?key=2026-11")
                         for i in range(20)])
        bodies = [c.json() for c in charges]
        assert [c.status_code for c in charges] == [200] * 20, bodies
        assert len({(b["order_id"], b["trans_id"]) for b in bodies}) == 1
        assert len({b["pid"] for b in bodies}) == 2
        with gw.lock:
            charged = [tx for tx in gw.transactions.values() if tx.trans_id.startswith("ORDR-2026-11-")]
        assert [(tx.trans_id, tx.status) for tx in charged] == [("ORDR-2026-11-1", "SUCCESS")]

        # (a) an order paid at PayKKa whose webhook has not arrived: every new session is refused.
        httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "webhook", "kind": "fail", "count": 50})
        paid = http.post(f"{shops[1].url}/test/session/ORD-race").json()
        gw.pay_with_card(paid["session_id"], merchant.client_key, CARD)
        tries = _race([lambda i=i: http.post(f"{shops[i % 2].url}/test/session/ORD-race") for i in range(20)])
        assert [t.status_code for t in tries] == [409] * 20
        assert {t.json()["error"] for t in tries} == {"already_paid"}
        with gw.lock:
            sessions = [t for (m, t) in gw.sessions_by_trans if m == merchant.merchant_id and t.startswith("ORD-race")]
            paid_txs = [tx for tx in gw.transactions.values() if tx.trans_id.startswith("ORD-race")]
        assert sessions == ["ORD-race-1"] and [tx.status for tx in paid_txs] == ["SUCCESS"]
    finally:
        http.close()
        for shop in shops:
            shop.stop()
    record(6, "2 shop processes on one PostgreSQL: 20 racing charges of one period, 20 racing sessions of a paid order",
           {"charges_sent": 1, "charge_answers_identical": 20, "sessions_refused": 20, "sessions_created": 0})
