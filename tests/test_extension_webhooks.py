"""The webhook pipeline, end to end through {prefix}/webhook: forged, replayed and stale
deliveries are refused with nothing recorded; a duplicate runs the handler once; a handler that
raises makes PayKKa deliver again and the redelivery runs it; the event is on disk before the ack;
a stored card in the event lands in the tokens table."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from paykka_embed import PayKKa, signing, wire
from paykka_embed.flask import webhook_received
from paykka_embed.webhooks import dedupe_key
from paykka_embed.store import AttemptRecord, SQLiteStore

PLATFORM = signing.generate_private_key()
MERCHANT = signing.generate_private_key()
PATH = "/paykka/webhook"


def event(**overrides: Any) -> dict[str, Any]:
    body = {"notify_type": "PAYMENT.SUCCESS", "merchant_id": "M1", "trans_id": "ORD1-1", "order_id": "GW1",
            "status": "SUCCESS", "amount": 800, "currency": "HKD", "session_id": "CS1",
            "card_info": {"bin": "411111", "last4": "1111", "card_brand": "VISA"}}
    body.update(overrides)
    return body


def signed(body: dict[str, Any], *, key: Any = PLATFORM, path: str = PATH, age_ms: int = 0,
           nonce: str | None = None) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    headers = signing.signed_headers(key, "M1", path, raw, timestamp_ms=signing.now_ms() - age_ms, nonce=nonce)
    return raw, {**headers, "content-type": "application/json"}


@pytest.fixture
def shop(tmp_path: Path) -> Any:
    app = Flask("shop", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY="s", PAYKKA_ENV="sandbox", PAYKKA_MERCHANT_ID="M1",
                      PAYKKA_PRIVATE_KEY=signing.private_pem(MERCHANT),
                      PAYKKA_PLATFORM_PUBLIC_KEY=signing.public_pem(PLATFORM), PAYKKA_CLIENT_KEY="ck_test",
                      PAYKKA_DATABASE=str(tmp_path / "paykka.sqlite3"))
    CSRFProtect(app)  # the webhook must stay reachable without a CSRF token
    paykka = PayKKa(app)
    paykka.store.add_attempt(AttemptRecord(trans_id="ORD1-1", order_ref="ORD1", attempt=1, session_id="CS1",
                                           mode="DROP_IN", amount=800, currency="HKD", shopper_reference="shopper-1",
                                           token_usage="CARD_ON_FILE"))
    calls: list[str] = []
    failures: list[int] = []

    @paykka.on("PAYMENT.SUCCESS")
    def paid(ev: wire.NotifyEvent) -> None:
        if failures:
            failures.pop()
            raise RuntimeError("the shop's database is down")
        calls.append(ev.trans_id)

    app.testing = True
    return app, paykka, calls, failures


def post(app: Flask, raw: bytes, headers: dict[str, str]) -> Any:
    return app.test_client().post(PATH, data=raw, headers=headers)


def test_a_genuine_event_is_recorded_handled_and_acknowledged(shop: Any) -> None:
    app, paykka, calls, _ = shop
    resp = post(app, *signed(event()))
    assert resp.status_code == 200
    assert resp.json == {"ret_code": "000000", "ret_msg": "Success"}
    assert calls == ["ORD1-1"]
    attempt = paykka.store.attempt("ORD1-1")
    assert (attempt.status, attempt.webhook_status, attempt.order_id) == ("SUCCESS", "SUCCESS", "GW1")


@pytest.mark.parametrize("how", ["other key", "tampered body", "other path", "no signature", "stale", "future"])
def test_forged_or_stale_deliveries_are_refused_and_record_nothing(shop: Any, how: str) -> None:
    app, paykka, calls, _ = shop
    if how == "other key":
        raw, headers = signed(event(), key=signing.generate_private_key())
    elif how == "tampered body":
        raw, headers = signed(event())
        raw = raw.replace(b"800", b"1")
    elif how == "other path":
        raw, headers = signed(event(), path="/elsewhere")
    elif how == "no signature":
        raw, headers = signed(event())
        del headers[signing.H_SIGN]
    else:
        raw, headers = signed(event(), age_ms=(6 * 60 * 1000) * (1 if how == "stale" else -1))
    resp = post(app, raw, headers)
    assert resp.status_code == 401
    assert resp.json["ret_code"] in ("206002", "206003", "206004")
    assert calls == [] and paykka.store.events() == []
    assert paykka.store.attempt("ORD1-1").status == "PROCESSING"


def test_a_replayed_delivery_is_refused(shop: Any) -> None:
    app, paykka, calls, _ = shop
    raw, headers = signed(event())
    assert post(app, raw, headers).status_code == 200
    replay = post(app, raw, headers)
    assert replay.status_code == 401 and replay.json["ret_msg"] == "Replayed request"
    assert calls == ["ORD1-1"] and len(paykka.store.events()) == 1


def test_a_duplicate_delivery_runs_the_handler_once(shop: Any) -> None:
    app, paykka, calls, _ = shop
    seen: list[Any] = []
    webhook_received.connect(lambda sender, **kw: seen.append(kw["event"].trans_id), weak=False)
    try:
        for _ in range(3):  # PayKKa retrying: a fresh nonce and timestamp each time, the same event
            assert post(app, *signed(event())).status_code == 200
    finally:
        webhook_received.receivers.clear()
    assert calls == ["ORD1-1"] and seen == ["ORD1-1"]
    assert len(paykka.store.events()) == 1


def test_a_handler_that_raises_gets_a_redelivery_that_runs_it(shop: Any) -> None:
    app, paykka, calls, failures = shop
    failures.append(1)
    first = post(app, *signed(event()))
    assert first.status_code == 500 and first.json["ret_code"] == "999999"
    stored = paykka.store.events()
    assert len(stored) == 1 and stored[0].handled_at is None  # kept, though not handled
    again = post(app, *signed(event()))
    assert again.status_code == 200 and calls == ["ORD1-1"]
    assert paykka.store.events()[0].handled_at is not None


def test_the_event_is_on_disk_before_the_ack(shop: Any, tmp_path: Path) -> None:
    app, paykka, calls, _ = shop
    resp = post(app, *signed(event()))
    assert resp.status_code == 200
    # Another process opening the file right after the ack sees the event, handled.
    with sqlite3.connect(tmp_path / "paykka.sqlite3") as other:
        rows = other.execute("SELECT notify_type, trans_id, handled_at FROM events").fetchall()
        mode = other.execute("PRAGMA journal_mode").fetchone()[0]
    assert [(r[0], r[1]) for r in rows] == [("PAYMENT.SUCCESS", "ORD1-1")] and rows[0][2]
    assert mode == "wal"


def test_an_event_arriving_while_handled_elsewhere_asks_for_a_retry(shop: Any) -> None:
    app, paykka, calls, _ = shop
    store: SQLiteStore = paykka.store
    record, _ = store.record_event(dedupe_key(wire.NotifyEvent(**event())), "PAYMENT.SUCCESS", "ORD1-1", "GW1",
                                   "SUCCESS", json.dumps(event()))
    assert store.claim_event(record.id)  # another worker is running the handlers
    resp = post(app, *signed(event()))
    assert resp.status_code == 409 and calls == []


def test_a_status_never_moves_back(shop: Any) -> None:
    app, paykka, _, _ = shop
    post(app, *signed(event(notify_type="PAYMENT.SUCCESS", status="SUCCESS")))
    post(app, *signed(event(notify_type="PAYMENT.FAILURE", status="FAILURE")))  # late and out of order
    assert paykka.store.attempt("ORD1-1").status == "SUCCESS"


def test_a_stored_card_in_the_event_is_recorded_without_card_data(shop: Any, tmp_path: Path) -> None:
    app, paykka, _, _ = shop
    post(app, *signed(event(token="TK123", recurring_agreement_id="RA9", shopper_reference="shopper-1")))
    (token,) = paykka.stored_tokens("shopper-1")
    assert (token.token, token.recurring_agreement_id, token.brand, token.last4, token.token_usage) == (
        "TK123", "RA9", "VISA", "1111", "CARD_ON_FILE")
    with sqlite3.connect(tmp_path / "paykka.sqlite3") as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(tokens)")}
    assert columns == {"token", "shopper_reference", "token_usage", "recurring_agreement_id", "brand", "last4",
                       "status", "created_at", "updated_at", "trans_id"}


def test_a_body_that_is_signed_but_not_an_event_is_a_400(shop: Any) -> None:
    app, paykka, calls, _ = shop
    resp = post(app, *signed({"notify_type": "PAYMENT.SUCCESS"}))
    assert resp.status_code == 400 and resp.json["ret_code"] == "010000"
    assert calls == [] and paykka.store.events() == []


def test_handler_registration_names_the_rule() -> None:
    with pytest.raises(Exception) as caught:
        PayKKa().on("PAYMENT.MAYBE")
    assert "notify_type" in str(caught.value)

