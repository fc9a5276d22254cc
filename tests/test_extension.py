"""The Flask extension against the live emulator over real HTTP: configuration, sessions in the
three modes, POST {prefix}/sessions, GET {prefix}/return, stored cards and recurring charges,
and the Apple Pay domain file. The shopper's side is played through the emulator's browser API
(what its SDK stand-in calls), so no card number ever passes through the merchant app."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Optional

import httpx
import pytest
from flask import Flask
from flask_wtf.csrf import generate_csrf

from paykka_embed import OrderInfo, PayKKa, signing
from paykka_embed.errors import ValidationError
from paykka_embed.flask import CheckoutSession, PayKKaState
from paykka_embed.store import AGREEMENT_CANCELED, TOKEN_REMOVED
from paykka_embed.stub import BackgroundServer
from paykka_embed.testing import MerchantAccount, StubHandle

ORDERS: dict[str, OrderInfo] = {
    "ORD1": OrderInfo(amount=Decimal("8.00"), currency="HKD",
                      goods=[{"id": "cup", "name": "Jade tea cup", "price": 800, "quantity": 1}]),
    "JPY1": OrderInfo(amount=Decimal("800"), currency="JPY"),
    "SUB1": OrderInfo(amount=Decimal("12.00"), currency="HKD", shopper_reference="shopper-42"),
    "SUB2": OrderInfo(amount=Decimal("12.00"), currency="HKD", shopper_reference="shopper-42"),
    "SUB3": OrderInfo(amount=Decimal("12.00"), currency="HKD", shopper_reference="shopper-42"),
    **{ref: OrderInfo(amount=Decimal("12.00"), currency="HKD", shopper_reference="shopper-rejoin")
       for ref in ("RJ1", "RJ2", "RJ2-M02", "RJ1-M02")},
}


def make_app(config: dict[str, Any], tmp_path: Path) -> tuple[Flask, PayKKa]:
    app = Flask("shop", instance_path=str(tmp_path / "instance"))
    app.config.update({"SECRET_KEY": "test", "PAYKKA_DATABASE": str(tmp_path / "paykka.sqlite3"),
                       "PAYKKA_SUCCESS_URL": "/thanks/{order}", "PAYKKA_FAILURE_URL": "/sorry/{order}?s={status}",
                       **config})
    paykka = PayKKa(app)

    @paykka.order_resolver
    def resolve(ref: str) -> Optional[OrderInfo]:
        return ORDERS.get(ref)

    @app.get("/token")
    def token() -> str:
        return str(generate_csrf())

    return app, paykka


@pytest.fixture
def served(paykka_merchant: MerchantAccount, tmp_path: Path) -> Iterator[tuple[BackgroundServer, PayKKa]]:
    app, paykka = make_app(paykka_merchant.flask_config(), tmp_path)
    with BackgroundServer(app) as server:
        yield server, paykka


def new_session(server: BackgroundServer, paykka: PayKKa, ref: str, mode: str = "DROP_IN",
                **kwargs: Any) -> CheckoutSession:
    with server.app.test_request_context(base_url=server.url):
        return paykka.create_session(ref, mode, **kwargs)


def shopper_pays(stub: StubHandle, session: CheckoutSession, number: str = "4111111111111111",
                 **extra: Any) -> dict[str, Any]:
    """What the SDK does in the shopper's browser: initialise the session and pay with a card."""
    with httpx.Client(base_url=stub.url, timeout=10) as http:
        init = http.post("/cp/api/init", json={"sessionId": session.session_id, "clientKey": session.client_key})
        assert init.json()["ret_code"] == "000000", init.text
        card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvv": "123", "holder_name": "A Shopper"}
        paid = http.post("/cp/api/pay", json={"sessionId": session.session_id, "clientKey": session.client_key,
                                              "card": card, **extra})
        body: dict[str, Any] = paid.json()
        assert body["ret_code"] == "000000", paid.text
        return body["data"]  # type: ignore[no-any-return]


# --- configuration -----------------------------------------------------------------------------------


def test_init_app_keeps_state_in_app_extensions_and_refuses_a_second_registration(
        tmp_path: Path, paykka_merchant: MerchantAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    app = Flask("shop", instance_path=str(tmp_path))
    paykka = PayKKa()
    app.config.update(paykka_merchant.flask_config())
    monkeypatch.delenv("PAYKKA_DATABASE")  # not the kit's per-test store: the app's default
    paykka.init_app(app)
    assert isinstance(app.extensions["paykka"], PayKKaState)
    assert app.config["PAYKKA_URL_PREFIX"] == "/paykka"
    assert app.config["PAYKKA_SESSION_LIFETIME"] == 1800
    assert app.config["PAYKKA_DATABASE"] is None  # default: {instance_path}/paykka.sqlite3
    assert (tmp_path / "paykka.sqlite3").exists()
    with pytest.raises(RuntimeError, match="already registered"):
        paykka.init_app(app)


def test_no_credentials_means_the_emulator_said_loudly_and_registers_itself(
        paykka_stub: StubHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "paykka_embed")
    app, paykka = make_app({"PAYKKA_API_BASE": paykka_stub.url}, tmp_path)
    state = PayKKa.state(app)
    assert state.environment.name == "stub"
    assert "PAYKKA_ENV=stub" in caplog.text and "no PayKKa credentials" in caplog.text
    with app.test_request_context(base_url="http://shop.test"):
        session = paykka.create_session("ORD1")
    assert session.session_id.startswith("CS")
    assert "registered test merchant" in caplog.text


def test_config_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              paykka_merchant: MerchantAccount) -> None:
    monkeypatch.setenv("PAYKKA_LOCALE", "ja-JP")
    monkeypatch.setenv("PAYKKA_URL_PREFIX", "/pay")
    app, _ = make_app(paykka_merchant.flask_config(), tmp_path)
    assert app.config["PAYKKA_LOCALE"] == "ja-JP"
    assert any(rule.rule == "/pay/sessions" for rule in app.url_map.iter_rules())


def test_credentials_without_env_mean_sandbox_never_production(tmp_path: Path) -> None:
    key = signing.generate_private_key()
    app, _ = make_app({"PAYKKA_MERCHANT_ID": "M1", "PAYKKA_PRIVATE_KEY": signing.private_pem(key),
                       "PAYKKA_PLATFORM_PUBLIC_KEY": signing.public_pem(key), "PAYKKA_CLIENT_KEY": "ck_x"}, tmp_path)
    env = PayKKa.state(app).environment
    assert (env.name, env.api_base) == ("sandbox", "https://openapi-sandbox.paykka.com")


@pytest.mark.parametrize("config,field", [
    ({"PAYKKA_ENV": "production"}, "PAYKKA_MERCHANT_ID"),
    ({"PAYKKA_ENV": "moon"}, "PAYKKA_ENV"),
    ({"PAYKKA_SESSION_LIFETIME": 25 * 3600}, "PAYKKA_SESSION_LIFETIME"),
    ({"PAYKKA_URL_PREFIX": "paykka"}, "PAYKKA_URL_PREFIX"),
    ({"PAYKKA_MERCHANT_ID": "M1", "PAYKKA_PRIVATE_KEY": "not a key", "PAYKKA_PLATFORM_PUBLIC_KEY": "x",
      "PAYKKA_CLIENT_KEY": "ck"}, "PAYKKA_PRIVATE_KEY"),
    ({"PAYKKA_MERCHANT_ID": "M1", "PAYKKA_PRIVATE_KEY": "k"}, "PAYKKA_PLATFORM_PUBLIC_KEY"),
    ({"PAYKKA_DATABASE_SYNCHRONOUS": "OFF"}, "PAYKKA_DATABASE_SYNCHRONOUS"),
    ({"PAYKKA_DATABASE_SYNCHRONOUS": 1}, "PAYKKA_DATABASE_SYNCHRONOUS"),
])
def test_bad_configuration_is_refused_at_start_naming_the_key(config: dict[str, Any], field: str,
                                                              tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        make_app(config, tmp_path)
    assert caught.value.field == field


def test_the_store_flushes_every_commit_unless_configured_otherwise(tmp_path: Path) -> None:
    app, _ = make_app({}, tmp_path / "a")
    assert PayKKa.state(app).store.synchronous == "FULL"  # type: ignore[attr-defined]
    app, _ = make_app({"PAYKKA_DATABASE_SYNCHRONOUS": "normal"}, tmp_path / "b")
    assert PayKKa.state(app).store.synchronous == "NORMAL"  # type: ignore[attr-defined]


# --- sessions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode,component", [("DROP_IN", None), ("COMPONENT", "card"), ("COMPONENT", "applepay"),
                                            ("HOSTED", None)])
def test_create_session_in_each_mode(served: tuple[BackgroundServer, PayKKa], paykka_stub: StubHandle, mode: str,
                                     component: Optional[str]) -> None:
    server, paykka = served
    session = new_session(server, paykka, "ORD1", mode, component=component)
    assert session.mode == mode and session.amount == 800 and session.currency == "HKD"
    assert session.trans_id == "ORD1-1" and session.session_id.startswith("CS")
    assert session.session_url.startswith(paykka_stub.url + "/hp/pay/CS")
    assert session.mount_options()["mode"] == {"DROP_IN": "dropin", "COMPONENT": "component", "HOSTED": "hosted"}[mode]
    remote = paykka.client.query_session(session_id=session.session_id)
    assert (remote.session_mode, remote.amount, remote.trans_id) == (mode, 800, "ORD1-1")


def test_each_session_is_a_new_attempt_with_its_own_trans_id(served: tuple[BackgroundServer, PayKKa]) -> None:
    server, paykka = served
    first, second = (new_session(server, paykka, "JPY1") for _ in range(2))
    assert (first.trans_id, second.trans_id) == ("JPY1-1", "JPY1-2")
    assert first.session_id != second.session_id
    assert second.amount == 800  # JPY has no minor unit
    assert [a.trans_id for a in paykka.store.attempts("JPY1")] == ["JPY1-1", "JPY1-2"]


def test_a_refused_session_changes_nothing(served: tuple[BackgroundServer, PayKKa]) -> None:
    server, paykka = served
    with pytest.raises(ValidationError) as caught:
        new_session(server, paykka, "ORD1", locale="x" * 40)
    assert caught.value.field == "display_locale"
    with pytest.raises(ValidationError):
        new_session(server, paykka, "ORD1", "COMPONENT", component="<script>")
    assert paykka.store.attempts("ORD1") == []
    assert new_session(server, paykka, "ORD1").trans_id == "ORD1-1"  # no attempt number was spent


def test_sessions_endpoint_makes_a_fresh_attempt_and_never_takes_an_amount(
        served: tuple[BackgroundServer, PayKKa]) -> None:
    server, _ = served
    with httpx.Client(base_url=server.url) as http:
        token = http.get("/token").text
        headers = {"X-CSRFToken": token}
        ok = http.post("/paykka/sessions", json={"order": "ORD1", "mode": "component"}, headers=headers)
        assert ok.status_code == 200, ok.text
        assert ok.json()["sessionId"].startswith("CS") and ok.json()["mode"] == "component"
        again = http.post("/paykka/sessions", json={"order": "ORD1"}, headers=headers)
        assert again.json()["sessionId"] != ok.json()["sessionId"]
        refusals = [
            (http.post("/paykka/sessions", json={"order": "ORD1"}), 400, "csrf"),
            (http.post("/paykka/sessions", json={"order": "ORD1", "amount": 1}, headers=headers), 400, "amount"),
            (http.post("/paykka/sessions", json={"order": "NOPE"}, headers=headers), 404, "order"),
            (http.post("/paykka/sessions", json={"order": "ORD1", "mode": "fast"}, headers=headers), 400, "mode"),
            (http.post("/paykka/sessions", json={"order": ["x"]}, headers=headers), 400, "order"),
            (http.post("/paykka/sessions", content=b"[]", headers={**headers, "content-type": "application/json"}),
             400, "body"),
        ]
    for resp, status, word in refusals:
        assert resp.status_code == status, resp.text
        assert word in resp.json()["error"]["message"].lower() or word == resp.json()["error"]["code"]


def test_return_confirms_by_query_and_redirects(served: tuple[BackgroundServer, PayKKa],
                                                paykka_stub: StubHandle) -> None:
    server, paykka = served
    paid = new_session(server, paykka, "ORD1")
    shopper_pays(paykka_stub, paid)
    declined = new_session(server, paykka, "JPY1")
    shopper_pays(paykka_stub, declined, "4000000000000002")
    unpaid = new_session(server, paykka, "SUB1")
    with httpx.Client(base_url=server.url) as http:
        ok = http.get("/paykka/return", params={"trans_id": paid.trans_id, "status": "FAILURE"})
        bad = http.get("/paykka/return", params={"trans_id": declined.trans_id, "status": "SUCCESS"})
        waiting = http.get("/paykka/return", params={"trans_id": unpaid.trans_id})
        unknown = http.get("/paykka/return", params={"trans_id": "ORD9-1"})
    assert (ok.status_code, ok.headers["location"]) == (303, "/thanks/ORD1")
    assert (bad.status_code, bad.headers["location"]) == (303, "/sorry/JPY1?s=FAILURE")
    assert waiting.headers["location"] == "/sorry/SUB1?s=PROCESSING"
    assert unknown.status_code == 404
    attempt = paykka.store.attempt(paid.trans_id)
    assert attempt is not None and attempt.query_status == "SUCCESS" and attempt.order_id.startswith("GW")


# --- stored cards and recurring ----------------------------------------------------------------------


def wait_for_token(paykka: PayKKa, stub: StubHandle, shopper: str, trans_id: str) -> Any:
    stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == trans_id)
    tokens = paykka.stored_tokens(shopper)
    assert tokens, "the webhook's token was not recorded"
    return tokens[0]


def test_recurring_first_payment_then_merchant_initiated_charge_then_cancel(
        served: tuple[BackgroundServer, PayKKa], paykka_stub: StubHandle) -> None:
    server, paykka = served
    with server.app.test_request_context(base_url=server.url):
        first = paykka.recurring_session("SUB1", "shopper-42")
    result = shopper_pays(paykka_stub, first, "5555555555554444")
    assert result["status"] == "SUCCESS"
    token = wait_for_token(paykka, paykka_stub, "shopper-42", first.trans_id)
    assert token.recurring_agreement_id and token.token_usage == "SUBSCRIPTION"
    assert token.last4 == "4444" and token.brand

    with server.app.test_request_context(base_url=server.url):
        tx = paykka.charge_recurring("SUB2")
    assert tx.status == "SUCCESS" and tx.trans_id == "SUB2-1"
    attempt = paykka.store.attempt("SUB2-1")
    assert attempt is not None and (attempt.mode, attempt.status, attempt.payment_type) == ("MIT", "SUCCESS",
                                                                                              "RECURRING")

    with server.app.test_request_context(base_url=server.url):
        paykka.cancel_recurring(token.recurring_agreement_id, shopper_reference="shopper-42")
        assert paykka.store.token(token.token).status == AGREEMENT_CANCELED
        with pytest.raises(ValidationError) as caught:
            paykka.charge_recurring("SUB3")
    assert caught.value.field == "shopper_reference"
    assert paykka.store.attempts("SUB3") == []


def test_joining_again_with_the_same_card_sets_up_a_new_agreement(
        served: tuple[BackgroundServer, PayKKa], paykka_stub: StubHandle) -> None:
    """Cancel a membership, join again with the same card: PayKKa keeps the card's token and sets up a
    new agreement on it. The new membership is an active agreement the shop can charge; the old stays
    cancelled."""
    server, paykka = served
    with server.app.test_request_context(base_url=server.url):
        first = paykka.recurring_session("RJ1", "shopper-rejoin")
    assert shopper_pays(paykka_stub, first)["status"] == "SUCCESS"
    paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == first.trans_id)
    one = paykka.agreement_for("RJ1")
    assert one is not None and one.status == "ACTIVE"
    with server.app.test_request_context(base_url=server.url):
        paykka.cancel_recurring(one.recurring_agreement_id, shopper_reference="shopper-rejoin")
        second = paykka.recurring_session("RJ2", "shopper-rejoin")
    assert shopper_pays(paykka_stub, second)["status"] == "SUCCESS"
    paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == second.trans_id)

    two = paykka.agreement_for("RJ2")
    assert two is not None and two.status == "ACTIVE", two
    assert two.token == one.token and two.recurring_agreement_id != one.recurring_agreement_id
    assert paykka.agreement_for("RJ1").status == AGREEMENT_CANCELED  # type: ignore[union-attr]
    with server.app.test_request_context(base_url=server.url):
        tx = paykka.charge_recurring("RJ2-M02", recurring_agreement_id=two.recurring_agreement_id)
        assert tx.status == "SUCCESS"
        with pytest.raises(ValidationError):  # the cancelled membership cannot be charged
            paykka.charge_recurring("RJ1-M02", recurring_agreement_id=one.recurring_agreement_id)
    assert paykka.store.attempts("RJ1-M02") == []


def test_card_on_file_session_saves_the_card_and_removal_forgets_it(
        served: tuple[BackgroundServer, PayKKa], paykka_stub: StubHandle) -> None:
    server, paykka = served
    with server.app.test_request_context(base_url=server.url):
        session = paykka.stored_card_session("ORD1", "shopper-7")
    shopper_pays(paykka_stub, session, store=True)
    token = wait_for_token(paykka, paykka_stub, "shopper-7", session.trans_id)
    assert token.token_usage == "CARD_ON_FILE" and token.last4 == "1111"
    with server.app.test_request_context(base_url=server.url):
        paykka.remove_token(token.token, "shopper-7")
    assert paykka.stored_tokens("shopper-7") == []
    assert paykka.store.token(token.token).status == TOKEN_REMOVED


def test_a_declined_recurring_charge_is_recorded_and_raised(served: tuple[BackgroundServer, PayKKa],
                                                            paykka_stub: StubHandle) -> None:
    server, paykka = served
    with server.app.test_request_context(base_url=server.url):
        first = paykka.recurring_session("SUB1", "shopper-42")
    shopper_pays(paykka_stub, first, "4000000000009995")  # insufficient funds: no agreement
    paykka_stub.wait_for_webhook(lambda d: d["event"]["trans_id"] == first.trans_id)
    assert paykka.stored_tokens("shopper-42") == []
    with server.app.test_request_context(base_url=server.url), pytest.raises(ValidationError):
        paykka.charge_recurring("SUB2")


# --- Apple Pay domain association --------------------------------------------------------------------


@pytest.mark.parametrize("as_file", [False, True])
def test_apple_pay_domain_association_is_served_from_config(tmp_path: Path, as_file: bool,
                                                            paykka_merchant: MerchantAccount) -> None:
    content = "7B227073704964223A2234..."
    value: Any = content
    if as_file:
        path = tmp_path / "apple-developer-merchantid-domain-association"
        path.write_text(content)
        value = str(path)
    app, _ = make_app({**paykka_merchant.flask_config(), "PAYKKA_APPLE_PAY_DOMAIN_ASSOCIATION": value}, tmp_path)
    resp = app.test_client().get("/.well-known/apple-developer-merchantid-domain-association")
    assert resp.status_code == 200 and resp.text == content and resp.mimetype == "text/plain"


def test_apple_pay_domain_association_is_404_when_not_configured(tmp_path: Path,
                                                                paykka_merchant: MerchantAccount) -> None:
    app, _ = make_app(paykka_merchant.flask_config(), tmp_path)
    assert app.test_client().get("/.well-known/apple-developer-merchantid-domain-association").status_code == 404



def test_currency_exponent_overrides_come_from_the_config_and_are_checked(tmp_path: Any) -> None:
    from paykka_embed import money

    try:
        app = Flask(__name__)
        app.config.update(PAYKKA_DATABASE=str(tmp_path / "s.sqlite3"), PAYKKA_CURRENCY_EXPONENTS='{"HUF": 0}')
        PayKKa(app)
        assert money.exponent("HUF") == 0
        bad = Flask(__name__)
        bad.config.update(PAYKKA_DATABASE=str(tmp_path / "b.sqlite3"), PAYKKA_CURRENCY_EXPONENTS="HUF=0")
        with pytest.raises(ValidationError) as info:
            PayKKa(bad)
        assert info.value.field == "PAYKKA_CURRENCY_EXPONENTS"
    finally:
        money.clear_overrides()


def test_each_test_gets_its_own_store(paykka_merchant: MerchantAccount, paykka_stub: StubHandle,
                                     tmp_path: Path) -> None:
    """A merchant's test run twice must not find the first run's attempts (ORDER1-2 instead of ORDER1-1):
    apps made during a test store in that test's own file, unless they name their own."""
    import os

    per_test = os.environ["PAYKKA_DATABASE"]
    assert Path(per_test).parent.exists() and not Path(per_test).exists()
    app = Flask("mine", instance_path=str(tmp_path))
    app.config.update(paykka_merchant.flask_config())
    PayKKa(app)
    assert app.config["PAYKKA_DATABASE"] == per_test and Path(per_test).exists()
    own = Flask("own", instance_path=str(tmp_path))
    own.config.update({**paykka_merchant.flask_config(), "PAYKKA_DATABASE": str(tmp_path / "own.sqlite3")})
    PayKKa(own)
    assert own.config["PAYKKA_DATABASE"] == str(tmp_path / "own.sqlite3")
    explicit = paykka_stub.register_merchant(database=str(tmp_path / "x.sqlite3"))
    assert explicit.flask_config()["PAYKKA_DATABASE"] == str(tmp_path / "x.sqlite3")


def test_a_test_merchant_survives_an_emulator_restart_and_is_shared_by_workers(tmp_path: Path) -> None:
    """With no credentials the app registers a test merchant; restarting `paykka-embed stub` (without --data)
    made every /pay a 500 until the app restarted, and two gunicorn workers were two merchants."""
    first = StubHandle.start()
    port = first.server.port

    def shop() -> tuple[Flask, PayKKa]:
        app = Flask("restart", instance_path=str(tmp_path / "instance"))
        app.config.update(SECRET_KEY="s", PAYKKA_API_BASE=first.url, PAYKKA_DATABASE=str(tmp_path / "p.sqlite3"))
        paykka = PayKKa(app)
        paykka.order_resolver(lambda ref: OrderInfo(amount=Decimal("8.00"), currency="HKD"))
        return app, paykka

    (app, paykka), (other, other_paykka) = shop(), shop()
    try:
        with app.test_request_context(base_url="http://shop.test"):
            assert paykka.create_session("R1").trans_id == "R1-1"
            merchant = PayKKa.state(app).credentials.merchant_id
        assert PayKKa.state(other).credentials.merchant_id == merchant  # one merchant for every worker
        kept = (tmp_path / "instance" / "paykka-test-merchant.json")
        assert kept.exists() and oct(kept.stat().st_mode & 0o777) == "0o600"
        first.stop()
        second = StubHandle.start(port=port)  # a new emulator: no merchants, a new platform key
        try:
            with app.test_request_context(base_url="http://shop.test"):
                session = paykka.create_session("R2")
            assert session.session_id in second.context.gateway.sessions
            assert PayKKa.state(app).credentials.merchant_id == merchant
            # Its webhooks are signed with the new platform key, which the app learned.
            body = (b'{"notify_type":"PAYMENT.FAILURE","merchant_id":"%s","trans_id":"R2-1","order_id":"GW9",'
                    b'"status":"FAILURE","amount":800,"currency":"HKD"}' % merchant.encode())
            headers = {**signing.signed_headers(second.context.platform_key, merchant, "/paykka/webhook", body),
                       "content-type": "application/json"}
            assert other.test_client().post("/paykka/webhook", data=body, headers=headers).status_code == 200
        finally:
            second.stop()
    finally:
        try:
            first.stop()
        except Exception:
            pass


def test_a_page_carrying_a_new_session_is_not_cached_and_speaks_the_browsers_language(
        paykka_merchant: MerchantAccount, tmp_path: Path) -> None:
    """Back to a cached checkout reused a session already initialised (a dead form); and a shopper whose
    browser asks for Arabic got an English checkout but an Arabic result page."""
    app, paykka = make_app(paykka_merchant.flask_config(), tmp_path)

    @app.get("/pay/<ref>")
    def pay(ref: str) -> Any:
        session = paykka.create_session(ref)
        return {"locale": session.locale}

    @app.get("/plain")
    def plain() -> str:
        return "no session here"

    client = app.test_client()
    answer = client.get("/pay/ORD1", headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert answer.headers["Cache-Control"] == "no-store" and answer.get_json()["locale"] == "ar"
    assert client.get("/pay/JPY1", headers={"Accept-Language": "tlh, fr-CH;q=0.8"}).get_json()["locale"] == "fr-FR"
    assert client.get("/pay/SUB1", headers={"Accept-Language": "tlh"}).get_json()["locale"] is None
    assert "no-store" not in client.get("/plain").headers.get("Cache-Control", "")
