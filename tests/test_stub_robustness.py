"""No input makes the emulator's v3 API answer 500: every field of every documented example,
replaced by values of the wrong type, size or sign, gets a signed 2xx or 4xx envelope."""

from __future__ import annotations

import copy
from typing import Any, Iterator

import pytest

from paykka_embed.stub import openapi
from paykka_embed.testing import MerchantAccount

from stub_helpers import SignedCaller

ODD_VALUES: list[Any] = [None, "", 0, -1, 10**30, 1.5, True, "x" * 5000, [], {}, ["a"], {"a": 1}, "\u0000\ud7ff"]


def variants(example: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for field, value in example.items():
        if field == "merchant_id":
            continue
        for odd in ODD_VALUES:
            changed = copy.deepcopy(example)
            changed[field] = odd
            yield changed
        if isinstance(value, dict):
            for inner in value:
                for odd in ODD_VALUES:
                    changed = copy.deepcopy(example)
                    changed[field][inner] = odd
                    yield changed


@pytest.mark.parametrize("path", sorted(openapi.REQUEST_EXAMPLES))
def test_no_input_is_a_server_error(paykka_merchant: MerchantAccount, path: str) -> None:
    caller = SignedCaller(paykka_merchant)
    sent = 0
    for example in openapi.REQUEST_EXAMPLES[path].values():
        for body in variants({**example, "merchant_id": paykka_merchant.merchant_id}):
            answer = caller.call(path, body)  # verifies the answer's signature too
            assert answer.status < 500, (body, answer)
            assert isinstance(answer.body.get("ret_code"), str)
            sent += 1
    assert sent > 0
