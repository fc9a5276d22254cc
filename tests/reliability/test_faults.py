"""Items 1 and 2 of issue 9: the stub's injected faults act per endpoint and for exactly the
requested count; under each of them the client retries a bounded number of times (only where
a retry cannot act twice) and then raises a typed error; and whatever the faults, PayKKa (the
stub) never holds two orders for one trans_id nor two refunds for one refund_trans_id."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any, Callable, Iterator

import httpx
import pytest

from paykka_embed import NetworkError, PayKKaClient, wire
from paykka_embed.client import RetryPolicy
from paykka_embed.stub.gateway import Gateway
from paykka_embed.testing import MerchantAccount, StubHandle

from figures import record
from reliability_kit import CARD, SignedCaller, enc, poll, register, stub_orders, stub_refunds, trans_id

V3_PATHS = [wire.PATH_CREATE_SESSION, wire.PATH_QUERY_SESSION, wire.PATH_INITIATE, wire.PATH_QUERY,
            wire.PATH_CAPTURE, wire.PATH_VOID, wire.PATH_REFUND, wire.PATH_REFUND_QUERY, wire.PATH_TOKEN_REMOVE,
            wire.PATH_RECURRING_CANCEL, wire.PATH_APPLE_PAY_SESSION]
HTTP_FAULTS: list[dict[str, Any]] = [
    {"kind": "status", "status": 429}, {"kind": "status", "status": 500}, {"kind": "status", "status": 502},
    {"kind": "status", "status": 503}, {"kind": "status", "status": 504}, {"kind": "drop"},
    {"kind": "delay", "seconds": 0.05},
]
FAST_RETRY = RetryPolicy(max_retries=2, base_delay=0.005, max_delay=0.02)


def fault_name(fault: dict[str, Any]) -> str:
    return f"status {fault['status']}" if fault["kind"] == "status" else fault["kind"]


@pytest.fixture
def merchant(paykka_stub: StubHandle) -> MerchantAccount:
    return register(paykka_stub)


@pytest.fixture
def faults(paykka_stub: StubHandle) -> Iterator[Callable[..., None]]:
    http = httpx.Client(base_url=paykka_stub.url, timeout=10)

    def add(**fault: Any) -> None:
        http.post("/_stub/faults", json=fault).raise_for_status()

    add.remaining = lambda: http.get("/_stub/faults").json()["data"]  # type: ignore[attr-defined]
    add.clear = lambda: http.delete("/_stub/faults").raise_for_status()  # type: ignore[attr-defined]
    yield add
    http.delete("/_stub/faults")
    http.close()


# --- item 1: each fault kind, on each endpoint, for exactly `count` requests ------------------


def test_http_faults_act_per_endpoint_for_exactly_count_requests(paykka_stub: StubHandle, faults: Any) -> None:
    http = httpx.Client(base_url=paykka_stub.url, timeout=5)
    table: dict[str, dict[str, str]] = {}
    for path in V3_PATHS:
        for fault in HTTP_FAULTS:
            for count in (1, 2):
                faults(path=path, count=count, **fault)
                other = V3_PATHS[(V3_PATHS.index(path) + 1) % len(V3_PATHS)]
                # Another endpoint is untouched while the fault is armed.
                assert http.post(other, json={}).status_code == 401
                seen = []
                for _ in range(count + 1):
                    try:
                        resp = http.post(path, json={})
                        seen.append(resp.status_code)
                        if resp.status_code not in (401,):
                            assert resp.json()["ret_code"] == "299099"
                    except httpx.TransportError:
                        seen.append("dropped")
                if fault["kind"] == "status":
                    assert seen == [fault["status"]] * count + [401], (path, fault, seen)
                elif fault["kind"] == "drop":
                    assert seen == ["dropped"] * count + [401], (path, fault, seen)
                else:
                    assert seen == [401] * (count + 1)
                assert faults.remaining() == []
                table.setdefault(path, {})[f"{fault_name(fault)} x{count}"] = "ok"
    http.close()
    combos = sum(len(v) for v in table.values())
    record(1, "http fault combinations exercised (11 endpoints x 7 kinds x counts 1,2)", combos)
    assert combos == len(V3_PATHS) * len(HTTP_FAULTS) * 2


def test_delay_fault_delays_and_a_status_fault_leaves_state_untouched(paykka_stub: StubHandle, merchant: Any,
                                                                      faults: Any) -> None:
    caller = SignedCaller(merchant)
    faults(path=wire.PATH_CREATE_SESSION, kind="status", status=503, count=1)
    tid = trans_id("untouched")
    answer = caller.call(wire.PATH_CREATE_SESSION, {"trans_id": tid, "amount": 800, "currency": "HKD"},
                         verify=False)
    assert answer.status == 503 and answer.ret_code == "299099"
    gw: Gateway = paykka_stub.context.gateway
    assert (merchant.merchant_id, tid) not in gw.sessions_by_trans
    faults(path=wire.PATH_QUERY, kind="delay", seconds=0.3, count=1)
    import time

    started = time.monotonic()
    assert httpx.post(paykka_stub.url + wire.PATH_QUERY, json={}).status_code == 401
    assert time.monotonic() - started >= 0.3


def _pay_session(paykka_stub: StubHandle, caller: SignedCaller, notify_url: str, **changes: Any) -> str:
    s = caller.ok(wire.PATH_CREATE_SESSION, {"trans_id": trans_id("wh"), "amount": 1000, "currency": "HKD",
                                             "notify_url": notify_url, **changes})
    gw: Gateway = paykka_stub.context.gateway
    return gw.pay_with_card(s["session_id"], caller.merchant.client_key, CARD).order_id


def test_webhook_faults_duplicate_reorder_fail_for_exactly_count(paykka_stub: StubHandle, merchant: Any,
                                                                   faults: Any) -> None:
    from stub_helpers import WebhookReceiver

    receiver = WebhookReceiver()
    caller = SignedCaller(merchant)
    try:
        # duplicate x2: the next two notifications are sent twice each, the third once.
        faults(path="webhook", kind="duplicate", count=2)
        orders = [_pay_session(paykka_stub, caller, receiver.url) for _ in range(3)]
        poll(lambda: len(receiver.received) == 5, what="5 deliveries")
        got = Counter(json.loads(body)["order_id"] for _, _, body in receiver.received)
        assert [got[o] for o in orders] == [2, 2, 1]
        nonces = {{k.lower(): v for k, v in headers.items()}["x-paykka-nonce"] for _, headers, _ in receiver.received}
        assert len(nonces) == 5  # each delivery signed afresh

        # reorder x1: the next notification is held back until the one after it is sent.
        receiver.received.clear()
        faults(path="webhook", kind="reorder", count=1)
        a = _pay_session(paykka_stub, caller, receiver.url)
        b = _pay_session(paykka_stub, caller, receiver.url)
        poll(lambda: len(receiver.received) == 2, what="2 reordered deliveries")
        assert [json.loads(body)["order_id"] for _, _, body in receiver.received] == [b, a]

        # fail x3: three attempts fail without reaching the receiver, the retry schedule runs.
        receiver.received.clear()
        faults(path="webhook", kind="fail", count=3)
        c = _pay_session(paykka_stub, caller, receiver.url)
        delivery = poll(lambda: next((d for d in paykka_stub.webhooks()
                                      if d["event"]["order_id"] == c and d["attempts"]), None), what="attempt")
        for step in (15, 45, 240):
            paykka_stub.advance_clock(step)
        delivery = paykka_stub.wait_for_webhook(lambda d: d["event"]["order_id"] == c)
        errors = [a["error"] for a in delivery["attempts"]]
        assert [e is not None for e in errors] == [True, True, True, False]
        assert len(receiver.received) == 1
    finally:
        receiver.close()
    record(1, "webhook faults: duplicate x2 -> deliveries per event", [2, 2, 1])
    record(1, "webhook faults: reorder x1 -> receiver order", "second event first, then the held one")
    record(1, "webhook faults: fail x3 -> attempts until delivered", 4)


# --- item 2: the client under each fault ------------------------------------------------------

SAFE = {"create_session", "query_session", "query_transaction", "refund", "query_refund",
        "create_apple_pay_session"}


def _operations() -> dict[str, tuple[str, Callable[[PayKKaClient], Any]]]:
    card = {"payment_method": "BANKCARD", "encrypted_card_no": enc(CARD["number"]), "exp_month": "12",
            "exp_year": "2034", "cvv": "123"}
    return {
        "create_session": (wire.PATH_CREATE_SESSION,
                           lambda c: c.create_session({"trans_id": trans_id(), "amount": 800, "currency": "HKD"})),
        "query_session": (wire.PATH_QUERY_SESSION, lambda c: c.query_session(session_id="CS0000000000")),
        "initiate_transaction": (wire.PATH_INITIATE, lambda c: c.initiate_transaction(
            {"trans_id": trans_id(), "amount": 800, "currency": "HKD", "payment": card,
             "return_url": "https://shop.example/back"})),
        "query_transaction": (wire.PATH_QUERY, lambda c: c.query_transaction(trans_id="t-1")),
        "capture": (wire.PATH_CAPTURE, lambda c: c.capture(order_id="GW000000")),
        "void": (wire.PATH_VOID, lambda c: c.void(order_id="GW000000")),
        "refund": (wire.PATH_REFUND, lambda c: c.refund(refund_trans_id=trans_id("r"), ori_order_id="GW000000",
                                                         amount=100, currency="HKD")),
        "query_refund": (wire.PATH_REFUND_QUERY, lambda c: c.query_refund(refund_trans_id="r-1")),
        "remove_token": (wire.PATH_TOKEN_REMOVE, lambda c: c.remove_token(token="TK0000", shopper_reference="s")),
        "cancel_recurring": (wire.PATH_RECURRING_CANCEL,
                             lambda c: c.cancel_recurring(recurring_agreement_id="RA0000")),
        "create_apple_pay_session": (wire.PATH_APPLE_PAY_SESSION,
                                     lambda c: c.create_apple_pay_session(domain_name="shop.example")),
    }


def test_client_retries_boundedly_then_raises_a_typed_error(paykka_stub: StubHandle, merchant: MerchantAccount,
                                                            faults: Any) -> None:
    attempts: dict[str, dict[str, int]] = {}
    kinds = [f for f in HTTP_FAULTS if f["kind"] != "delay"] + [{"kind": "delay", "seconds": 0.4}]
    # A delay beyond the client's timeout is the "timeout" fault; other kinds use a roomy timeout.
    with merchant.client(retry=FAST_RETRY, timeout=0.15) as hasty, merchant.client(retry=FAST_RETRY) as client:
        for name, (path, call) in _operations().items():
            for fault in kinds:
                if fault["kind"] == "delay" and name not in ("create_session", "initiate_transaction", "refund"):
                    continue  # a timeout costs real time: one safe, one unsafe, and refunds are enough
                faults(path=path, count=50, **fault)
                with pytest.raises(NetworkError) as caught:
                    call(hasty if fault["kind"] == "delay" else client)
                left = faults.remaining()
                faults.clear()
                made = 50 - (left[0]["count"] if left else 0)
                expected = 3 if name in SAFE else 1
                assert made == expected, (name, fault, made)
                assert isinstance(caught.value, NetworkError) and caught.value.message
                if name not in SAFE:
                    assert made == 1
                attempts.setdefault(name, {})[fault_name(fault)] = made
    record(2, "requests made per call under a persistent fault (max_retries=2)", attempts)
    # With fewer faults than retries, a retry-safe call gets through.
    with merchant.client(retry=FAST_RETRY) as client:
        faults(path=wire.PATH_CREATE_SESSION, kind="status", status=503, count=2)
        assert client.create_session({"trans_id": trans_id(), "amount": 800, "currency": "HKD"}).session_id


class Completions:
    """Counts calls of a service's method that have finished (including ones a timed-out client left)."""

    def __init__(self, service: Any, name: str) -> None:
        self.done = 0
        self.lock = threading.Lock()
        original = getattr(service, name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return original(*args, **kwargs)
            finally:
                with self.lock:
                    self.done += 1

        setattr(service, name, wrapped)
        self.restore = lambda: delattr(service, name)


def test_never_two_orders_per_trans_id_nor_two_refunds_per_refund_trans_id(
        paykka_stub: StubHandle, merchant: MerchantAccount, faults: Any) -> None:
    services = paykka_stub.context.services  # what the v3 routes call
    initiated = Completions(services.transactions, "initiate")
    refunded = Completions(services.modifications, "refund")
    card = {"payment_method": "BANKCARD", "encrypted_card_no": enc(CARD["number"]), "exp_month": "12",
            "exp_year": "2034", "cvv": "123"}
    rounds = 4
    notify = paykka_stub.url + "/_stub/none"  # deliveries fail, but the log still lists every notification
    try:
        with merchant.client(retry=FAST_RETRY, timeout=0.2) as client:
            tids = []
            for i in range(rounds):
                tid = trans_id("pay")
                tids.append(tid)
                request = {"trans_id": tid, "amount": 1000, "currency": "HKD", "payment": card, "notify_url": notify,
                           "return_url": "https://shop.example/back"}
                # The first send times out at the client (outcome unknown, not retried) but the stub acts on it.
                faults(path=wire.PATH_INITIATE, kind="delay", seconds=0.5, count=1)
                before = initiated.done
                with pytest.raises(NetworkError, match="outcome of initiate_transaction is unknown"):
                    client.initiate_transaction(request)
                if i % 2:  # the merchant sends it again at once, racing the delayed one
                    again = client.initiate_transaction(request)
                    poll(lambda: initiated.done >= before + 2, what="both initiates done")
                else:  # the merchant first queries, as the error says, then sends it again
                    tx = poll(lambda: _query_or_none(client, tid), what="the delayed order")
                    again = client.initiate_transaction(request)
                    assert again.order_id == tx.order_id
                assert again.status == "SUCCESS"
            orders = stub_orders(paykka_stub, merchant.merchant_id)
            assert all(orders[t] == 1 for t in tids), orders

            order_id = client.query_transaction(trans_id=tids[0]).order_id
            rtids = []
            for i in range(rounds):
                rtid = trans_id("ref")
                rtids.append(rtid)
                # The first refund request times out; the retry (same refund_trans_id) is answered at once,
                # then the delayed first one is processed too: it must answer the same refund.
                faults(path=wire.PATH_REFUND, kind="delay", seconds=0.5, count=1)
                before = refunded.done
                refund = client.refund(refund_trans_id=rtid, ori_order_id=order_id, amount=100, currency="HKD",
                                       notify_url=notify)
                poll(lambda: refunded.done >= before + 2, what="both refund requests done")
                assert client.query_refund(refund_trans_id=rtid).refund_order_id == refund.refund_order_id
            refunds = stub_refunds(paykka_stub, merchant.merchant_id)
            assert all(refunds[r] == 1 for r in rtids), refunds
            tx = client.query_transaction(trans_id=tids[0])
            assert tx.status == "PARTIALLY_REFUNDED"
    finally:
        initiated.restore()
        refunded.restore()

    # The webhook log: one notification per order and per refund, however many requests were sent.
    log = paykka_stub.wait_for_webhook(lambda d: True, delivered=False) and paykka_stub.webhooks()
    payments = Counter(d["event"]["trans_id"] for d in log if d["notify_type"].startswith("PAYMENT."))
    refund_events = Counter(d["event"]["trans_id"] for d in log if d["notify_type"].startswith("REFUND."))
    assert all(payments[t] == 1 for t in tids), payments
    assert all(refund_events[r] == 1 for r in rtids), refund_events
    record(2, "initiate timed out then re-sent (same trans_id): orders per trans_id",
           {"rounds": rounds, "max_orders_per_trans_id": max(orders[t] for t in tids),
            "payment_webhooks_per_trans_id": max(payments[t] for t in tids)})
    record(2, "refund timed out then retried (same refund_trans_id): refunds per refund_trans_id",
           {"rounds": rounds, "max_refunds_per_refund_trans_id": max(refunds[r] for r in rtids),
            "refund_webhooks_per_refund_trans_id": max(refund_events[r] for r in rtids),
            "refunded_minor_units": rounds * 100})


def _query_or_none(client: PayKKaClient, tid: str) -> Any:
    from paykka_embed.errors import APIError

    try:
        return client.query_transaction(trans_id=tid)
    except APIError:
        return None


def test_concurrent_initiates_and_refunds_with_one_id_make_one_record(paykka_stub: StubHandle,
                                                                      merchant: MerchantAccount) -> None:
    card = {"payment_method": "BANKCARD", "encrypted_card_no": enc(CARD["number"]), "exp_month": "12",
            "exp_year": "2034", "cvv": "123"}
    tid, rtid = trans_id("race"), trans_id("race-r")
    results: list[str] = []
    barrier = threading.Barrier(20)

    shared = merchant.client()  # httpx.Client is thread-safe: one client, twenty threads

    def initiate() -> None:
        barrier.wait()
        results.append(shared.initiate_transaction(
            {"trans_id": tid, "amount": 1000, "currency": "HKD", "payment": card,
             "return_url": "https://shop.example/back"}).order_id)

    threads = [threading.Thread(target=initiate) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 20 and len(set(results)) == 1
    refunds: list[str] = []
    barrier = threading.Barrier(20)

    def refund() -> None:
        barrier.wait()
        refunds.append(shared.refund(refund_trans_id=rtid, ori_order_id=results[0], amount=300,
                                     currency="HKD").refund_order_id)

    threads = [threading.Thread(target=refund) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    shared.close()
    assert len(refunds) == 20 and len(set(refunds)) == 1
    assert stub_orders(paykka_stub, merchant.merchant_id)[tid] == 1
    assert stub_refunds(paykka_stub, merchant.merchant_id)[rtid] == 1
    gw: Gateway = paykka_stub.context.gateway
    assert gw.transactions[results[0]].refunded_amount == 300
    record(2, "20 concurrent initiates / refunds with one id -> orders / refunds", [1, 1])
