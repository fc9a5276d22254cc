"""Money integrity over real HTTP against the live emulator: an order is paid at most once, every
merchant-initiated charge is idempotent, and every amount recorded is reconciled with what PayKKa
reports. Each test names the fault it guards against; see docs/toolkit.md, "Money integrity"."""

from __future__ import annotations

import json
import re
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import httpx
import pytest
from flask import Flask, jsonify
from flask_wtf.csrf import generate_csrf

from paykka_embed import OrderInfo, PayKKa, signing
from paykka_embed.errors import APIError, NetworkError, OrderPaidError, PaymentInProgressError, ValidationError
from paykka_embed.flask import CheckoutSession, webhook_received
from paykka_embed.flask import duplicate_payment, payment_mismatch
from paykka_embed.outcomes import Verdict
from paykka_embed.store.base import FLAG_DUPLICATE, FLAG_MISMATCH
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle

SHOPPER = "shopper-7"
APPROVED = "4111111111111111"
CHALLENGE = "4000000000003220"
DECLINED = "4000000000000002"


def orders() -> dict[str, OrderInfo]:
    book = {ref: OrderInfo(amount=Decimal("8.00"), currency="HKD") for ref in ("B1", "B2", "B3", "B4", "B5", "B6")}
    book["M1"] = OrderInfo(amount=Decimal("8.80"), currency="HKD", capture_method="MANUAL")
    book["SUB"] = OrderInfo(amount=Decimal("12.00"), currency="HKD", shopper_reference=SHOPPER)
    book["SUB2"] = OrderInfo(amount=Decimal("12.00"), currency="HKD", shopper_reference=SHOPPER)
    for ref in ("R1", "R2", "R3", "R4"):
        book[ref] = OrderInfo(amount=Decimal("12.00"), currency="HKD", shopper_reference=SHOPPER)
    return book


@dataclass
class Shop:
    """A merchant app on a real port: its extension, the handlers it ran and the signals it got."""

    server: BackgroundServer
    paykka: PayKKa
    book: dict[str, OrderInfo]
    runs: list[tuple[str, str, str]] = field(default_factory=list)
    verdicts: list[tuple[str, Optional[Verdict]]] = field(default_factory=list)
    mismatches: list[Any] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def store(self) -> Any:
        return self.paykka.state(self.server.app).store

    def session(self, ref: str, mode: str = "DROP_IN", **kwargs: Any) -> CheckoutSession:
        with self.server.app.test_request_context(base_url=self.url):
            return self.paykka.create_session(ref, mode, **kwargs)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.server.app.test_request_context(base_url=self.url):
            return fn(*args, **kwargs)

    def browser(self) -> tuple[httpx.Client, str]:
        """A shopper's cookie jar on the shop, and the CSRF token its page would carry."""
        http = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        return http, http.get("/token").text


def build_shop(merchant: MerchantAccount, tmp_path: Path, name: str = "shop", **config: Any) -> Shop:
    app = Flask(name, instance_path=str(tmp_path / name))
    app.config.update({**merchant.flask_config(), "SECRET_KEY": "test",
                       "PAYKKA_DATABASE": str(tmp_path / f"{name}.sqlite3"), **config})
    paykka = PayKKa(app)
    book = orders()
    shop = Shop(BackgroundServer(app), paykka, book)

    @paykka.order_resolver
    def resolve(ref: str) -> Optional[OrderInfo]:
        return shop.book.get(ref)

    @paykka.on("*")
    def handled(event: Any) -> None:
        shop.runs.append((event.notify_type, event.trans_id, event.status))

    def heard(sender: Any, event: Any, record: Any, verdict: Optional[Verdict]) -> None:
        shop.verdicts.append((event.trans_id, verdict))

    webhook_received.connect(heard, sender=app, weak=False)
    payment_mismatch.connect(lambda sender, **kw: shop.mismatches.append(kw), sender=app, weak=False)
    duplicate_payment.connect(lambda sender, **kw: shop.duplicates.append(kw), sender=app, weak=False)

    @app.get("/token")
    def token() -> str:
        return str(generate_csrf())

    @app.get("/pay/<ref>")
    def pay(ref: str) -> Any:  # a merchant's own checkout view, as in the README
        return jsonify(paykka.create_session(ref).mount_options())

    return shop


@pytest.fixture
def shop(paykka_merchant: MerchantAccount, tmp_path: Path) -> Iterator[Shop]:
    built = build_shop(paykka_merchant, tmp_path)
    with built.server:
        yield built


def shopper_pays(stub: StubHandle, session: CheckoutSession, number: str = APPROVED,
                 **extra: Any) -> dict[str, Any]:
    """What the SDK does in the shopper's browser: initialise the session and pay with a card."""
    with httpx.Client(base_url=stub.url, timeout=10) as http:
        init = http.post("/cp/api/init", json={"sessionId": session.session_id, "clientKey": session.client_key})
        assert init.json()["ret_code"] == "000000", init.text
        card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvv": "123"}
        paid = http.post("/cp/api/pay", json={"sessionId": session.session_id, "clientKey": session.client_key,
                                              "card": card, **extra})
        body: dict[str, Any] = paid.json()
        assert body["ret_code"] == "000000", paid.text
        return body["data"]  # type: ignore[no-any-return]


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.02)


def settled_by_webhook(shop: Shop, trans_id: str) -> Any:
    return wait_for(lambda: (a := shop.store.attempt(trans_id)) and a.webhook_status and a,
                    f"the webhook for {trans_id}")


def emulator_orders(stub: StubHandle, prefix: str) -> list[tuple[str, str]]:
    gw = stub.context.gateway
    with gw.lock:
        return sorted((tx.trans_id, tx.status) for tx in gw.transactions.values() if tx.trans_id.startswith(prefix))


def post_sessions(shop: Shop, order: str) -> httpx.Response:
    http, token = shop.browser()
    try:
        return http.post("/paykka/sessions", json={"order": order}, headers={"X-CSRFToken": token})
    finally:
        http.close()


def signed_event(stub: StubHandle, merchant: MerchantAccount, shop: Shop, **fields: Any) -> httpx.Response:
    """A notification PayKKa could send (signed with the emulator's platform key) posted to the shop."""
    body = json.dumps({"merchant_id": merchant.merchant_id, **fields}).encode()
    path = "/paykka/webhook"
    headers = {**signing.signed_headers(stub.context.platform_key, merchant.app_id, path, body),
               "content-type": "application/json"}
    return httpx.post(shop.url + path, content=body, headers=headers, timeout=10)


# --- an order is paid at most once --------------------------------------------------------------------


def test_a_paid_order_gets_no_new_session_on_any_path(shop: Shop, paykka_stub: StubHandle) -> None:
    """Fault: after B1-1 was paid, POST {prefix}/sessions (a stale tab's "Try again", the expiry refresh)
    answered 200 with a new payable session, and paying it left B1-1 and B1-2 both SUCCESS."""
    first = shop.session("B1")
    shopper_pays(paykka_stub, first)
    http, _ = shop.browser()
    assert http.get(f"/paykka/return?trans_id={first.trans_id}").status_code == 303  # confirmed by query

    answer = post_sessions(shop, "B1")
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "already_paid" and error["order"] == "B1"
    assert error["orderUrl"].startswith("/paykka/result/")
    for mode in ("DROP_IN", "COMPONENT", "HOSTED"):
        with pytest.raises(OrderPaidError):
            shop.session("B1", mode)
    own_page = http.get("/pay/B1")  # a merchant's own view calling create_session: the order's page
    assert own_page.status_code == 303 and own_page.headers["location"] == error["orderUrl"]
    assert emulator_orders(paykka_stub, "B1-") == [("B1-1", "SUCCESS")]
    assert [t for (_, t) in paykka_stub.context.gateway.sessions_by_trans if t.startswith("B1-")] == ["B1-1"]


def test_an_order_paid_at_paykka_but_not_yet_known_here_is_refused(shop: Shop, paykka_stub: StubHandle) -> None:
    """The shopper paid and closed the tab; the webhook has not arrived: PayKKa is asked, not the store."""
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "webhook", "kind": "fail", "count": 5})
    first = shop.session("B2")
    shopper_pays(paykka_stub, first)
    assert shop.store.attempt(first.trans_id).status == "PROCESSING"  # nothing known here yet
    answer = post_sessions(shop, "B2")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "already_paid"
    assert shop.store.attempt(first.trans_id).query_status == "SUCCESS"
    assert shop.store.paid_trans_id("B2") == first.trans_id


def test_a_payment_in_flight_refuses_a_new_attempt_until_it_ends(shop: Shop, paykka_stub: StubHandle) -> None:
    """A 3DS challenge (or a wallet) waiting in one tab: a second tab may not start another payment."""
    first = shop.session("B3")
    pending = shopper_pays(paykka_stub, first, CHALLENGE)
    assert pending["status"] == "PROCESSING"
    answer = post_sessions(shop, "B3")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "payment_in_progress"
    with pytest.raises(PaymentInProgressError):
        shop.session("B3")
    paykka_stub.context.gateway.complete_challenge(pending["orderId"], passed=False)
    fresh = post_sessions(shop, "B3")  # the challenge failed: a fresh attempt is what the shopper needs
    assert fresh.status_code == 200 and fresh.json()["sessionId"]


def test_try_again_after_a_decline_gets_a_fresh_attempt(shop: Shop, paykka_stub: StubHandle) -> None:
    first = shop.session("B4")
    assert shopper_pays(paykka_stub, first, DECLINED)["status"] == "FAILURE"
    again = post_sessions(shop, "B4")
    assert again.status_code == 200
    assert shop.store.attempts("B4")[-1].trans_id == "B4-2"


def test_an_attempt_whose_session_expired_unpaid_is_not_asked_about_again(
        shop: Shop, paykka_stub: StubHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    from paykka_embed.flask import integrity

    first = shop.session("B5")
    asked: list[str] = []
    client = shop.paykka.state(shop.server.app).client
    original = client.query_transaction

    def counting(**params: Any) -> Any:
        asked.append(params.get("trans_id", ""))
        return original(**params)

    monkeypatch.setattr(client, "query_transaction", counting)
    later = integrity._now() + integrity.SETTLE_GRACE + timedelta(hours=1)
    monkeypatch.setattr(integrity, "_now", lambda: later)
    shop.session("B5")
    assert asked == [first.trans_id]
    assert shop.store.attempt(first.trans_id).settled_at is not None
    shop.session("B5")
    assert asked == [first.trans_id, "B5-2"]  # B5-1 settled; B5-2 (also expired by then) asked once


# --- two tabs that both paid --------------------------------------------------------------------------


def test_two_tabs_that_both_paid_are_caught_and_the_second_is_refunded(shop: Shop, paykka_stub: StubHandle) -> None:
    """What no check before a payment can stop: two sessions handed out before either was paid."""
    tab1, tab2 = shop.session("B6"), shop.session("B6")
    shopper_pays(paykka_stub, tab1)
    settled_by_webhook(shop, tab1.trans_id)
    shopper_pays(paykka_stub, tab2)
    second = wait_for(lambda: (a := shop.store.attempt(tab2.trans_id)) and a.note and a, "the reversal")
    assert second.flag == FLAG_DUPLICATE and second.note.startswith("refund RG")
    assert shop.store.paid_trans_id("B6") == tab1.trans_id
    refunds = [r for r in paykka_stub.context.gateway.refunds.values() if r.refund_trans_id == "B6-2-DUP"]
    assert [(r.amount, r.currency) for r in refunds] == [(800, "HKD")]
    assert [run for run in shop.runs if run[0] == "PAYMENT.SUCCESS"] == [("PAYMENT.SUCCESS", "B6-1", "SUCCESS")]
    assert len(shop.duplicates) == 1 and shop.duplicates[0]["paid_by"] == "B6-1"
    assert (tab2.trans_id, Verdict.DUPLICATE) in shop.verdicts
    # Asking again (the return page of tab 2) neither refunds again nor signals again.
    http, _ = shop.browser()
    http.get(f"/paykka/return?trans_id={tab2.trans_id}")
    assert len([r for r in paykka_stub.context.gateway.refunds.values() if r.refund_trans_id == "B6-2-DUP"]) == 1
    assert len(shop.duplicates) == 1


def test_a_duplicate_first_payment_of_a_membership_leaves_one_agreement(shop: Shop, paykka_stub: StubHandle) -> None:
    """Two tabs both paid a membership's first month: the second payment is refunded and the second
    agreement it set up is cancelled, so the shopper holds one membership and can be charged for one."""
    tab1 = shop.call(shop.paykka.recurring_session, "SUB2", SHOPPER)
    tab2 = shop.call(shop.paykka.recurring_session, "SUB2", SHOPPER)
    shopper_pays(paykka_stub, tab1)
    settled_by_webhook(shop, tab1.trans_id)
    shopper_pays(paykka_stub, tab2, "5555555555554444")
    second = wait_for(lambda: (a := shop.store.attempt(tab2.trans_id)) and a.note and a, "the reversal")
    assert second.flag == FLAG_DUPLICATE and second.note.startswith("refund RG"), second.note
    agreements = {a.recurring_agreement_id: a for a in paykka_stub.context.gateway.agreements.values()
                  if a.shopper_reference == SHOPPER and a.first_order_id in (
                      shop.store.attempt(tab1.trans_id).order_id, second.order_id)}
    assert sorted(a.active for a in agreements.values()) == [False, True]
    kept = shop.paykka.agreement_for("SUB2")
    assert kept is not None and kept.status == "ACTIVE" and agreements[kept.recurring_agreement_id].active
    assert f"its recurring agreement {next(i for i, a in agreements.items() if not a.active)} cancelled" in second.note
    settled_by_webhook(shop, tab2.trans_id)  # the duplicate's own webhook revives nothing
    live = [a.recurring_agreement_id for a in shop.store.agreements(SHOPPER)
            if a.recurring_agreement_id in agreements]
    assert live == [kept.recurring_agreement_id]


def test_a_duplicate_authorisation_is_voided(shop: Shop, paykka_stub: StubHandle) -> None:
    tab1, tab2 = shop.session("M1"), shop.session("M1")
    shopper_pays(paykka_stub, tab1)
    settled_by_webhook(shop, tab1.trans_id)
    shopper_pays(paykka_stub, tab2)
    second = wait_for(lambda: (a := shop.store.attempt(tab2.trans_id)) and a.note and a, "the reversal")
    assert second.note.startswith("voided")
    assert emulator_orders(paykka_stub, "M1-") == [("M1-1", "AUTHORIZED"), ("M1-2", "CANCELED")]


def test_duplicates_can_be_recorded_without_reversing(paykka_stub: StubHandle, paykka_merchant: MerchantAccount,
                                                      tmp_path: Path) -> None:
    built = build_shop(paykka_merchant, tmp_path, PAYKKA_DUPLICATE_PAYMENTS="record")
    with built.server:
        tab1, tab2 = built.session("B1"), built.session("B1")
        shopper_pays(paykka_stub, tab1)
        settled_by_webhook(built, tab1.trans_id)
        shopper_pays(paykka_stub, tab2)
        second = wait_for(lambda: (a := built.store.attempt(tab2.trans_id)) and a.note and a, "the record")
        assert second.flag == FLAG_DUPLICATE and "not reversed" in second.note
        assert not paykka_stub.context.gateway.refunds
        assert built.duplicates[0]["reversal"] is None


def test_the_duplicate_mode_is_checked(paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        build_shop(paykka_merchant, tmp_path, PAYKKA_DUPLICATE_PAYMENTS="refund-later")
    assert info.value.field == "PAYKKA_DUPLICATE_PAYMENTS"


# --- amounts are reconciled -----------------------------------------------------------------------------


def test_a_webhook_with_another_amount_never_pays_the_order(shop: Shop, paykka_stub: StubHandle,
                                                            paykka_merchant: MerchantAccount,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    session = shop.session("B1")
    for amount, currency in ((900, "HKD"), (800, "USD")):
        with caplog.at_level(logging.ERROR, logger="paykka_embed.outcomes"):
            answer = signed_event(paykka_stub, paykka_merchant, shop, notify_type="PAYMENT.SUCCESS",
                                  trans_id=session.trans_id, order_id=f"GW{amount}{currency}", status="SUCCESS",
                                  amount=amount, currency=currency)
        assert answer.status_code == 200  # acknowledged (it is stored), not acted on
    attempt = shop.store.attempt(session.trans_id)
    assert attempt.flag == FLAG_MISMATCH
    assert (attempt.reported_amount, attempt.reported_currency) == (900, "HKD")  # the first report is kept
    assert shop.store.paid_trans_id("B1") is None
    assert shop.runs == []  # no PAYMENT.SUCCESS handler ran
    assert len(shop.mismatches) == 1 and shop.mismatches[0]["source"] == "webhook"
    assert any("mismatch" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    # Until someone looks, no new payment may start for the order either.
    refused = post_sessions(shop, "B1")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "payment_in_progress"


def test_a_query_with_another_amount_never_pays_the_order(shop: Shop, paykka_stub: StubHandle) -> None:
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "webhook", "kind": "fail", "count": 5})
    session = shop.session("B2")
    shopper_pays(paykka_stub, session)
    with paykka_stub.context.gateway.lock:  # PayKKa's record of the sum differs from the attempt's
        for tx in paykka_stub.context.gateway.transactions.values():
            if tx.trans_id == session.trans_id:
                tx.amount = 80
    confirmed = shop.call(shop.paykka.confirm, session.trans_id)
    assert confirmed.flag == FLAG_MISMATCH and confirmed.reported_amount == 80
    assert shop.store.paid_trans_id("B2") is None
    assert [m["source"] for m in shop.mismatches] == ["query"]
    http, _ = shop.browser()
    page = http.get(f"/paykka/return?trans_id={session.trans_id}", follow_redirects=True)
    assert 'data-paykka-result="received"' not in page.text


def test_an_old_session_for_a_reused_trans_id_is_not_used(paykka_stub: StubHandle, paykka_merchant: MerchantAccount,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two instances with separate stores (or a store reset) both reach X-1. PayKKa returns the old
    session for a reused trans_id; the emulator refuses one of another sum: either way, the sum
    the merchant decided is the one offered, under a fresh trans_id."""
    one = build_shop(paykka_merchant, tmp_path, "one")
    two = build_shop(paykka_merchant, tmp_path, "two")
    two.book["B1"] = two.book["B2"] = OrderInfo(amount=Decimal("9.00"), currency="HKD")
    with one.server, two.server:
        assert one.session("B1").trans_id == "B1-1"
        refused_reuse = two.session("B1")  # the emulator refused B1-1 for 900: the next number
        assert (refused_reuse.trans_id, refused_reuse.amount) == ("B1-2", 900)

        gw = paykka_stub.context.gateway
        sessions = paykka_stub.context.services.sessions  # what the v3 route calls
        original = sessions.create

        def as_paykka_does(merchant: Any, req: Any) -> Any:  # return the old session, whatever the sum
            existing = gw.sessions_by_trans.get((merchant.merchant_id, req.trans_id))
            return gw.sessions[existing] if existing else original(merchant, req)

        monkeypatch.setattr(sessions, "create", as_paykka_does)
        assert one.session("B2").trans_id == "B2-1"
        fresh = two.session("B2")
        assert (fresh.trans_id, fresh.amount) == ("B2-2", 900)
        old = two.store.attempt("B2-1")
        assert old.flag == FLAG_MISMATCH and old.reported_amount == 800
        assert [m["source"] for m in two.mismatches] == ["create_session"]


# --- events that cannot change the order ---------------------------------------------------------------


def test_a_late_failure_after_success_runs_no_failure_handler(shop: Shop, paykka_stub: StubHandle,
                                                              paykka_merchant: MerchantAccount) -> None:
    session = shop.session("B3")
    for status, order_id in (("SUCCESS", "GW2"), ("FAILURE", "GW1")):
        answer = signed_event(paykka_stub, paykka_merchant, shop, notify_type=f"PAYMENT.{status}",
                              trans_id=session.trans_id, order_id=order_id, status=status, amount=800,
                              currency="HKD")
        assert answer.status_code == 200
    assert shop.runs == [("PAYMENT.SUCCESS", session.trans_id, "SUCCESS")]
    assert shop.verdicts == [(session.trans_id, Verdict.APPLIED), (session.trans_id, Verdict.STALE)]
    assert shop.store.attempt(session.trans_id).status == "SUCCESS"
    assert [e.status for e in shop.store.events(session.trans_id)] == ["SUCCESS", "FAILURE"]  # both kept


def test_a_failure_before_success_runs_both_handlers(shop: Shop, paykka_stub: StubHandle,
                                                     paykka_merchant: MerchantAccount) -> None:
    session = shop.session("B4")
    for status, order_id in (("FAILURE", "GW1"), ("SUCCESS", "GW2")):
        signed_event(paykka_stub, paykka_merchant, shop, notify_type=f"PAYMENT.{status}", trans_id=session.trans_id,
                     order_id=order_id, status=status, amount=800, currency="HKD")
    assert shop.runs == [("PAYMENT.FAILURE", session.trans_id, "FAILURE"),
                         ("PAYMENT.SUCCESS", session.trans_id, "SUCCESS")]
    assert [v for _, v in shop.verdicts] == [Verdict.APPLIED, Verdict.APPLIED]


def test_a_failure_of_one_attempt_after_another_paid_is_stale(shop: Shop, paykka_stub: StubHandle,
                                                              paykka_merchant: MerchantAccount) -> None:
    tab1, tab2 = shop.session("B5"), shop.session("B5")
    signed_event(paykka_stub, paykka_merchant, shop, notify_type="PAYMENT.SUCCESS", trans_id=tab2.trans_id,
                 order_id="GW2", status="SUCCESS", amount=800, currency="HKD")
    signed_event(paykka_stub, paykka_merchant, shop, notify_type="PAYMENT.FAILURE", trans_id=tab1.trans_id,
                 order_id="GW1", status="FAILURE", amount=800, currency="HKD")
    assert [run[0] for run in shop.runs] == ["PAYMENT.SUCCESS"]
    assert shop.verdicts[-1] == (tab1.trans_id, Verdict.STALE)


# --- merchant-initiated charges are idempotent ------------------------------------------------------------


@pytest.fixture
def agreement(shop: Shop, paykka_stub: StubHandle) -> Shop:
    """The shopper's first payment of a recurring agreement, its webhook stored."""
    first = shop.call(shop.paykka.recurring_session, "SUB", SHOPPER)
    shopper_pays(paykka_stub, first)
    wait_for(lambda: any(t.recurring_agreement_id for t in shop.store.tokens(SHOPPER)), "the agreement")
    return shop


def charge(shop: Shop, ref: str, **kwargs: Any) -> Any:
    return shop.call(shop.paykka.charge_recurring, ref, **kwargs)


def test_charge_recurring_called_twice_charges_once(agreement: Shop, paykka_stub: StubHandle) -> None:
    """Fault: a double-clicked admin button or a cron job run again made R2-1 and R2-2, both SUCCESS."""
    first = charge(agreement, "R2")
    again = charge(agreement, "R2")
    assert (again.order_id, again.trans_id, again.status) == (first.order_id, "R2-1", "SUCCESS")
    assert emulator_orders(paykka_stub, "R2-") == [("R2-1", "SUCCESS")]
    with pytest.raises(OrderPaidError):  # another key for a paid order: still not a second charge
        charge(agreement, "R2", idempotency_key="2026-12")
    assert emulator_orders(paykka_stub, "R2-") == [("R2-1", "SUCCESS")]


def test_twenty_concurrent_charges_with_one_key_charge_once(agreement: Shop, paykka_stub: StubHandle) -> None:
    results: list[Any] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(20)

    def run() -> None:
        gate.wait()
        try:
            results.append(charge(agreement, "R3", idempotency_key="2026-11"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == 20 and len({(r.order_id, r.trans_id) for r in results}) == 1
    assert emulator_orders(paykka_stub, "R3-") == [("R3-1", "SUCCESS")]


def test_a_key_reused_for_another_charge_is_refused(agreement: Shop) -> None:
    charge(agreement, "R1", idempotency_key="2026-10")
    with pytest.raises(ValidationError) as info:
        charge(agreement, "R4", idempotency_key="2026-10")
    assert info.value.field == "idempotency_key" and "R1" in info.value.rule
    with pytest.raises(ValidationError):
        charge(agreement, "R4", idempotency_key="")


def test_a_refused_charge_is_replayed_not_resent(agreement: Shop, paykka_stub: StubHandle) -> None:
    token = next(t for t in agreement.store.tokens(SHOPPER) if t.recurring_agreement_id)
    agreement.call(agreement.paykka.client.cancel_recurring, recurring_agreement_id=token.recurring_agreement_id)
    with pytest.raises(APIError) as first:
        charge(agreement, "R1")
    sent = len(emulator_orders(paykka_stub, "R1-"))
    with pytest.raises(APIError) as again:
        charge(agreement, "R1")
    assert again.value.ret_code == first.value.ret_code
    assert len(emulator_orders(paykka_stub, "R1-")) == sent


def test_a_charge_whose_answer_was_lost_is_resumed_not_repeated(agreement: Shop, paykka_stub: StubHandle,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The request reached PayKKa, the answer did not (a timeout): calling again with the key asks
    PayKKa about that trans_id and returns its transaction; it never sends a second charge."""
    client = agreement.paykka.state(agreement.server.app).client
    monkeypatch.setattr(client._http, "timeout", httpx.Timeout(0.5))
    httpx.post(paykka_stub.url + "/_stub/faults",
               json={"path": "/v3/payment/acq", "kind": "delay", "seconds": 1.5, "count": 1})
    with pytest.raises(NetworkError):
        charge(agreement, "R4", idempotency_key="2026-09")
    wait_for(lambda: emulator_orders(paykka_stub, "R4-") == [("R4-1", "SUCCESS")], "the delayed charge to land")
    monkeypatch.setattr(client._http, "timeout", httpx.Timeout(15))
    resumed = charge(agreement, "R4", idempotency_key="2026-09")
    assert (resumed.trans_id, resumed.status) == ("R4-1", "SUCCESS")
    assert emulator_orders(paykka_stub, "R4-") == [("R4-1", "SUCCESS")]


def test_a_charge_that_never_reached_paykka_is_sent_under_the_same_trans_id(
        agreement: Shop, paykka_stub: StubHandle) -> None:
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq", "kind": "drop", "count": 1})
    with pytest.raises(NetworkError):
        charge(agreement, "R1", idempotency_key="2026-08")
    assert emulator_orders(paykka_stub, "R1-") == []
    resumed = charge(agreement, "R1", idempotency_key="2026-08")
    assert (resumed.trans_id, resumed.status) == ("R1-1", "SUCCESS")
    assert emulator_orders(paykka_stub, "R1-") == [("R1-1", "SUCCESS")]


# --- webhooks under a non-ASCII URL prefix ------------------------------------------------------------------


def test_a_non_ascii_url_prefix_verifies_webhooks_end_to_end(paykka_stub: StubHandle,
                                                             paykka_merchant: MerchantAccount,
                                                             tmp_path: Path) -> None:
    """Fault: with PAYKKA_URL_PREFIX="/zahlung-ü" every webhook was refused 401 (the emulator signed the
    path as sent, percent-encoded; the extension verified Werkzeug's decoded path)."""
    built = build_shop(paykka_merchant, tmp_path, PAYKKA_URL_PREFIX="/zahlung-ü")
    with built.server:
        session = built.session("B1")
        assert "/zahlung-%C3%BC/webhook" in paykka_stub.context.gateway.sessions[session.session_id].request.notify_url
        shopper_pays(paykka_stub, session)
        delivery = paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == session.trans_id)
        assert delivery["attempts"][-1]["status"] == 200
        assert settled_by_webhook(built, session.trans_id).webhook_status == "SUCCESS"


# --- CSRF tokens and session lifetimes ---------------------------------------------------------------------


@pytest.mark.parametrize("config,ok", [
    ({"PAYKKA_SESSION_LIFETIME": 7200}, False),
    ({"PAYKKA_SESSION_LIFETIME": 7200, "WTF_CSRF_TIME_LIMIT": 7200}, True),
    ({"PAYKKA_SESSION_LIFETIME": 7200, "WTF_CSRF_TIME_LIMIT": None}, True),
    ({"PAYKKA_SESSION_LIFETIME": 3600}, True),
    ({"PAYKKA_SESSION_LIFETIME": 1800, "WTF_CSRF_TIME_LIMIT": 600}, False),
])
def test_a_session_longer_than_the_csrf_token_is_refused(paykka_merchant: MerchantAccount, tmp_path: Path,
                                                         config: dict[str, Any], ok: bool) -> None:
    if ok:
        build_shop(paykka_merchant, tmp_path, **config)
        return
    with pytest.raises(ValidationError) as info:
        build_shop(paykka_merchant, tmp_path, **config)
    assert info.value.field == "PAYKKA_SESSION_LIFETIME" and "WTF_CSRF_TIME_LIMIT" in info.value.rule


def test_a_fresh_csrf_token_is_served_and_accepted(shop: Shop) -> None:
    http, _ = shop.browser()
    try:
        answer = http.get("/paykka/csrf-token")
        assert answer.headers["cache-control"] == "no-store"
        token = answer.json()["csrfToken"]
        stale = http.post("/paykka/sessions", json={"order": "B1"}, headers={"X-CSRFToken": "forged"})
        assert stale.status_code == 400 and stale.json()["error"]["code"] == "csrf"
        fresh = http.post("/paykka/sessions", json={"order": "B1"}, headers={"X-CSRFToken": token})
        assert fresh.status_code == 200
    finally:
        http.close()


# --- the extension's own result page ---------------------------------------------------------------------


def result_page(shop: Shop, trans_id: str, language: str = "en-US") -> httpx.Response:
    http = httpx.Client(base_url=shop.url, timeout=30, headers={"Accept-Language": language})
    try:
        back = http.get(f"/paykka/return?trans_id={trans_id}")
        assert back.status_code == 303 and back.headers["location"].startswith("/paykka/result/")
        return http.get(back.headers["location"])
    finally:
        http.close()


def test_without_success_or_failure_urls_the_shopper_lands_on_a_result_page(shop: Shop,
                                                                           paykka_stub: StubHandle) -> None:
    paid = shop.session("B1")
    shopper_pays(paykka_stub, paid)
    page = result_page(shop, paid.trans_id)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert 'data-paykka-result="received"' in page.text and "Payment received" in page.text
    assert "<bdi>B1</bdi>" in page.text

    declined = shop.session("B2")
    shopper_pays(paykka_stub, declined, DECLINED)
    page = result_page(shop, declined.trans_id)
    assert 'data-paykka-result="not_completed"' in page.text and "not been charged" in page.text

    waiting = shop.session("B3")
    shopper_pays(paykka_stub, waiting, CHALLENGE)
    page = result_page(shop, waiting.trans_id)
    assert 'data-paykka-result="processing"' in page.text and 'http-equiv="refresh"' in page.text


@pytest.mark.parametrize("language,expected", [
    ("zh-HK", "已收到付款"), ("zh-Hant-TW,en;q=0.5", "已收到付款"), ("zh-Hans-HK", "已收到付款"),
    ("zh-Hant-CN", "謝謝"), ("zh-Hans-HK", "谢谢"),
    ("zh-CN", "已收到付款"), ("ar", "تم استلام الدفعة"), ("de-CH", "Zahlung erhalten"), ("tl", "Natanggap ang bayad"),
    ("in-ID", "Pembayaran diterima"), ("xx-YY, fr;q=0.8", "Paiement reçu"), ("klingon", "Payment received"),
])
def test_the_result_page_speaks_the_shoppers_language(shop: Shop, paykka_stub: StubHandle, language: str,
                                                       expected: str) -> None:
    paid = shop.session("B4")
    shopper_pays(paykka_stub, paid)
    page = result_page(shop, paid.trans_id, language)
    assert expected in page.text
    assert ('dir="rtl"' in page.text) == language.startswith("ar")


def test_the_result_page_script_follows_bcp47_not_substrings(shop: Shop, paykka_stub: StubHandle) -> None:
    paid = shop.session("B5")
    shopper_pays(paykka_stub, paid)
    simplified = result_page(shop, paid.trans_id, "zh-Hans-HK").text
    traditional = result_page(shop, paid.trans_id, "zh-HK").text
    assert "谢谢" in simplified and "謝謝" in traditional


def test_a_forged_result_token_is_not_found(shop: Shop) -> None:
    session = shop.session("B6")
    assert httpx.get(f"{shop.url}/paykka/result/{session.trans_id}", timeout=10).status_code == 404
    assert httpx.get(f"{shop.url}/paykka/result/x.y", timeout=10).status_code == 404


def test_the_second_payer_is_told_the_order_was_already_paid(shop: Shop, paykka_stub: StubHandle) -> None:
    """Two tabs both paid: the second shopper read only "Payment received", though that payment was refunded."""
    tab1, tab2 = shop.session("B1"), shop.session("B1")
    shopper_pays(paykka_stub, tab1)
    settled_by_webhook(shop, tab1.trans_id)
    shopper_pays(paykka_stub, tab2)
    first_page, second_page = result_page(shop, tab1.trans_id), result_page(shop, tab2.trans_id)
    assert 'data-paykka-result="received"' in first_page.text
    assert 'data-paykka-result="duplicate"' in second_page.text
    assert "returned to you in full" in second_page.text
    assert "全額退還" in result_page(shop, tab2.trans_id, "zh-HK").text


def test_a_payment_in_flight_says_when_it_ends_by_itself(shop: Shop, paykka_stub: StubHandle) -> None:
    """A 3DS challenge left open blocks a new payment until it ends: the shopper is told within how long."""
    first = shop.session("B2")
    shopper_pays(paykka_stub, first, CHALLENGE)
    refused = post_sessions(shop, "B2")
    assert refused.status_code == 409
    assert 1500 <= refused.json()["error"]["retryAfter"] <= 1800  # the session's 30 minutes
    http, _ = shop.browser()
    page = http.get("/pay/B2")  # a merchant's own view: the processing page says when
    assert page.status_code == 409
    assert re.search(r"ends by itself within (29|30) minutes", page.text)
    assert re.search(r"ends by itself within (29|30) minutes", result_page(shop, first.trans_id).text)
