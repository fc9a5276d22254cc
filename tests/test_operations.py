"""The operation catalogue is the one source: the client, the emulator's routes and the
OpenAPI document each agree with every row of it, and with nothing else."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from paykka_embed import client, operations
from paykka_embed.client import AsyncPayKKaClient, ClientCore, PayKKaClient
from paykka_embed.operations import OPERATIONS, Operation
from paykka_embed.stub import api, create_app, openapi

ROWS = list(OPERATIONS.values())


def _ref(model: Any) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi.build("http://emulator.test")


def test_the_client_reads_the_catalogue_itself() -> None:
    assert client.OPERATIONS is operations.OPERATIONS
    assert client.Operation is operations.Operation


@pytest.mark.parametrize("op", ROWS, ids=[op.name for op in ROWS])
def test_every_row_has_a_client_method_on_the_core_and_both_faces(op: Operation) -> None:
    assert callable(getattr(ClientCore, op.name))
    sync = getattr(PayKKaClient, op.name)
    asynchronous = getattr(AsyncPayKKaClient, op.name)
    assert not inspect.iscoroutinefunction(sync)
    assert inspect.iscoroutinefunction(asynchronous)
    # The sync face documents the operation: its path, and whether it is retried.
    doc = inspect.getdoc(sync) or ""
    assert op.path in doc, op.name
    assert ("Retried" in doc) is op.retry_safe and ("never retried" in doc) is (not op.retry_safe), op.name
    assert "Raises" in doc
    assert f"PayKKaClient.{op.name}" in (inspect.getdoc(asynchronous) or "")


@pytest.mark.parametrize("op", ROWS, ids=[op.name for op in ROWS])
def test_every_row_is_an_emulator_route(op: Operation) -> None:
    app = create_app()
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule == op.path]
    assert len(rules) == 1, op.path
    assert rules[0].methods is not None and "POST" in rules[0].methods
    assert rules[0].endpoint.startswith("v3.")
    assert api.HANDLED[op.path] is op


def test_the_emulator_serves_no_v3_route_outside_the_catalogue() -> None:
    app = create_app()
    served = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/v3/")}
    assert served == {op.path for op in ROWS}
    assert set(api.HANDLED) == served


@pytest.mark.parametrize("op", ROWS, ids=[op.name for op in ROWS])
def test_every_row_is_an_openapi_path_with_its_models(document: dict[str, Any], op: Operation) -> None:
    post = document["paths"][op.path]["post"]
    assert post["summary"] == op.title
    assert post["operationId"] == op.operation_id
    assert post["description"].startswith(op.summary)
    assert post["requestBody"]["content"]["application/json"]["schema"] == _ref(op.request_model)
    data = post["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]
    if op.response_model is None:
        assert data["type"] == "string"
    else:
        assert data == _ref(op.response_model)
        assert op.response_model.__name__ in document["components"]["schemas"]
    assert op.request_model.__name__ in document["components"]["schemas"]


def test_the_openapi_document_has_no_path_outside_the_catalogue(document: dict[str, Any]) -> None:
    assert list(document["paths"]) == [op.path for op in ROWS]


def test_each_row_is_unique_and_complete() -> None:
    assert len({op.path for op in ROWS}) == len(ROWS) == len(operations.BY_PATH)
    for op in ROWS:
        assert op.path.startswith("/v3/payment/acq")
        assert op.title and op.summary.endswith(".") and op.source
        assert operations.BY_PATH[op.path] is op
