"""A merchant's own page that starts a payment (the README's ``/pay/<ref>``) when something is
wrong on the way: an unknown order or a reference no order can have is the app's 404, PayKKa
failing or unreachable is a page in the shopper's language (never Flask's bare "Internal Server
Error"), and the cause is logged for the merchant. Errors the merchant should see stay errors."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Optional

import httpx
import pytest
from flask import Flask, render_template_string

from paykka_embed import OrderInfo, PayKKa
from paykka_embed.errors import UnknownOrderError, ValidationError
from paykka_embed.testing import MerchantAccount, StubHandle

PAGE = '{% import "paykka/macros.html" as paykka %}{{ paykka.scripts() }}{{ paykka.drop_in(session) }}'


@pytest.fixture
def shop(paykka_merchant: MerchantAccount, paykka_stub: StubHandle, tmp_path: Path) -> Iterator[Any]:
    app = Flask("error_pages_shop", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY="s", PAYKKA_DATABASE=str(tmp_path / "p.sqlite3"), **paykka_merchant.flask_config())
    paykka = PayKKa(app)

    @paykka.order_resolver
    def order(ref: str) -> Optional[OrderInfo]:
        return None if ref.startswith("GONE") else OrderInfo(amount=Decimal("8.00"), currency="HKD")

    @app.get("/pay/<ref>")
    def pay(ref: str) -> str:
        return render_template_string(PAGE, session=paykka.create_session(ref))

    @app.get("/admin/bad")
    def bad() -> str:  # a merchant's own mistake: not a shopper's page
        paykka.create_session("A1", "NOT_A_MODE")
        return "unreachable"

    yield app.test_client()
    httpx.delete(paykka_stub.url + "/_stub/faults")


@pytest.mark.parametrize("path", ["/pay/GONE1", "/pay/a%20b", "/pay/%E4%B8%AD%E6%96%87", "/pay/" + "x" * 300])
def test_an_order_that_does_not_or_cannot_exist_is_the_apps_404(shop: Any, path: str) -> None:
    answer = shop.get(path)
    assert answer.status_code == 404, answer.text


@pytest.mark.parametrize("fault,status,retry_after", [
    ({"kind": "status", "status": 500}, 503, "30"),
    ({"kind": "status", "status": 503}, 503, "30"),
    ({"kind": "status", "status": 400}, 500, None),
])
def test_paykka_failing_is_a_page_in_the_shoppers_language(shop: Any, paykka_stub: StubHandle,
                                                           caplog: pytest.LogCaptureFixture,
                                                           fault: dict[str, Any], status: int,
                                                           retry_after: Optional[str]) -> None:
    httpx.post(paykka_stub.url + "/_stub/faults", json={"path": "/v3/payment/acq/session", "count": 10, **fault})
    with caplog.at_level(logging.ERROR, logger="paykka_embed"):
        answer = shop.get("/pay/ORDER500", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert answer.status_code == status, answer.text
    assert answer.headers.get("Retry-After") == retry_after
    assert answer.headers["Cache-Control"] == "no-store"
    assert '<html lang="de-DE">' in answer.text and "Zahlungsdienst ist gerade nicht erreichbar" in answer.text
    assert "Traceback" not in answer.text and "Internal Server Error" not in answer.text
    assert any("could not be started on /pay/ORDER500" in r.getMessage() for r in caplog.records), caplog.text


def test_a_merchants_own_mistake_is_not_hidden(shop: Any) -> None:
    shop.application.testing = True  # exceptions that no handler takes reach the test
    with pytest.raises(ValidationError) as caught:
        shop.get("/admin/bad")
    assert caught.value.field == "mode"


def test_unknown_order_is_still_a_lookup_error() -> None:
    error = UnknownOrderError("GONE1")
    assert isinstance(error, LookupError) and error.order_ref == "GONE1" and "GONE1" in str(error)
