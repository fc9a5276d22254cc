"""/_stub/openapi.json: generated from the wire models, covering every v3 route the
emulator serves, with examples that validate."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from paykka_embed import wire
from paykka_embed.operations import BY_PATH
from paykka_embed.stub import create_app, openapi
from paykka_embed.testing import StubHandle


@pytest.fixture
def document(paykka_stub: StubHandle) -> dict[str, Any]:
    resp = httpx.get(paykka_stub.url + "/_stub/openapi.json")
    assert resp.status_code == 200
    data: dict[str, Any] = resp.json()
    return data


def test_every_v3_route_is_documented(document: dict[str, Any]) -> None:
    app = create_app()
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/v3/")}
    assert routes == set(document["paths"])
    assert {wire.PATH_CREATE_SESSION, wire.PATH_QUERY_SESSION, wire.PATH_INITIATE, wire.PATH_QUERY,
            wire.PATH_CAPTURE, wire.PATH_VOID, wire.PATH_REFUND, wire.PATH_REFUND_QUERY, wire.PATH_TOKEN_REMOVE,
            wire.PATH_RECURRING_CANCEL, wire.PATH_APPLE_PAY_SESSION} == routes
    app.extensions["paykka_stub"].close()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    for ref in _refs(document):
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict)


def test_every_example_validates(document: dict[str, Any]) -> None:
    checked = 0
    for path, item in document["paths"].items():
        op = BY_PATH[path]
        request_model, answer_model = op.request_model, op.response_model
        content = item["post"]["requestBody"]["content"]["application/json"]
        assert content.get("examples"), f"{path} has no request example"
        for example in content["examples"].values():
            request_model.model_validate(example["value"])
            checked += 1
        ok = item["post"]["responses"]["200"]["content"]["application/json"]
        if "example" in ok:
            assert answer_model is not None
            answer_model.model_validate(ok["example"]["data"])
            checked += 1
    assert checked >= len(document["paths"]) + 3


def test_seed_examples_are_in_the_document() -> None:
    examples = openapi.REQUEST_EXAMPLES[wire.PATH_CREATE_SESSION]
    assert examples["hosted"]["amount"] == "800" and examples["first_recurring"]["payment_type"] == "RECURRING"
    assert openapi.REQUEST_EXAMPLES[wire.PATH_INITIATE]["subsequent_recurring"]["mit"] is True


def test_document_carries_the_webhook_schema(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    assert "notification" in document["webhooks"]
    assert "NotifyEvent" in document["components"]["schemas"]


def test_document_carries_the_dispute_notification(document: dict[str, Any]) -> None:
    assert "dispute" in document["webhooks"]
    schema = document["components"]["schemas"]["DisputeNotification"]
    assert {"event_type", "dispute_id", "dispute_stage", "due_time", "dispute_amount"} <= set(schema["properties"])
