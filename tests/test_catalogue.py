"""Every table derived from the payment-method catalogue agrees with it: the emulator's method
rules, what its API accepts and offers (also the OpenAPI document's examples), the SDK
bundle's data and spelling rule, the card frame's brands, and the marks (every method and
brand has one)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from typing import Any, Optional

import httpx
import pytest

from paykka_embed import catalogue
from paykka_embed.errors import APIError
from paykka_embed.resources import emulator_asset
from paykka_embed.stub import icons, methods
from paykka_embed.testing import MerchantAccount, StubHandle

ROWS = list(catalogue.METHODS)
WALLETS = [row for row in ROWS if row.flow != "card"]


def _a_currency(row: catalogue.PaymentMethod) -> str:
    return sorted(row.currencies)[0] if row.currencies else "HKD"


def _script_data(source: str, name: str) -> Any:
    found = re.search(rf"^var {name} = (.*);$", source, re.M)
    assert found, f"no {name} in the bundle"
    return json.loads(found.group(1))


# --- the catalogue itself ----------------------------------------------------------------


def test_codes_components_keys_and_spellings_are_unique() -> None:
    for field in ("code", "component", "key", "name"):
        values = [getattr(row, field) for row in ROWS]
        assert len(values) == len(set(values)), field
    assert len(catalogue.brand_codes()) == len(set(catalogue.brand_codes()))
    table = catalogue.spellings()  # raises if two rows claim one spelling
    for row in (*catalogue.METHODS, *catalogue.BRANDS):
        for spelling in row.spellings:
            assert table[catalogue.normalise(spelling)] == row.code, spelling


def test_flows_and_brands_are_well_formed() -> None:
    assert {row.flow for row in ROWS} <= {"card", "sheet", "qr", "redirect"}
    assert [row.code for row in ROWS if row.flow == "card"] == [catalogue.BANKCARD]
    for brand in catalogue.BRANDS:
        re.compile(brand.pattern)
        assert brand.pattern.startswith("^") and brand.security_code_length in (3, 4)


def test_a_mistaken_row_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    twin = catalogue.PaymentMethod("GCASH_TWO", "GCashTwo", "gcashTwo", "GCash 2", "redirect", aliases=("G-CASH",))
    monkeypatch.setattr(catalogue, "METHODS", (*catalogue.METHODS, twin))
    with pytest.raises(ValueError, match="names both GCASH and GCASH_TWO"):
        catalogue.spellings()


@pytest.mark.parametrize("given, label", [("MASTERCARD", "Mastercard"), ("mc", "Mastercard"), ("AMEX", "American Express"),
                                          ("diners_club", "Diners Club"), ("UNIONPAY", "UNIONPAY"), (None, "Card")])
def test_brand_label(given: Optional[str], label: str) -> None:
    assert catalogue.brand_label(given) == label


# --- the emulator's Python tables --------------------------------------------------------


def test_the_emulators_tables_are_the_catalogues() -> None:
    assert methods.METHOD_CODES == tuple(row.code for row in ROWS)
    assert methods.CARD_BRANDS == tuple(brand.code for brand in catalogue.BRANDS)
    assert methods.WALLET_FLOW == {row.code: catalogue.ACTION_TYPES[row.flow] for row in WALLETS}
    assert methods.WALLET_CURRENCIES == {row.code: row.currencies for row in WALLETS}
    for row in ROWS:
        for spelling in row.spellings:
            assert methods.canonical(spelling) == row.code
            assert methods.resolve_allowed([spelling])[0] == {row.code}
        assert methods.methods_for([row.code], _a_currency(row)) == [row.code]
    assert methods.methods_for(None, "HKD", recurring=True) == [r.code for r in ROWS if r.recurring and r.takes("HKD")]
    for brand in catalogue.BRANDS:
        for spelling in brand.spellings:
            assert methods.resolve_allowed([spelling]) == ({catalogue.BANKCARD}, {brand.code})


def test_the_emulator_tells_a_cards_brand_by_the_catalogues_patterns() -> None:
    """Every test card's number reads as its brand, and a number no pattern matches has none."""
    from paykka_embed.stub import cards

    assert {card.brand for card in cards.TEST_CARDS.values()} == set(catalogue.brand_codes())
    for card in cards.TEST_CARDS.values():
        assert cards.detect_brand(card.number) == card.brand, card
    assert cards.detect_brand("2221000000000009") == "MASTERCARD"  # the 2-series range
    assert cards.detect_brand("9999999999999995") is None


# --- marks -------------------------------------------------------------------------------


def test_every_method_and_brand_has_a_mark_and_a_symbol() -> None:
    sprite = icons.sprite()
    for row in (*catalogue.METHODS, *catalogue.BRANDS):
        assert row.mark in icons.ICONS, f"{row.code}: no drawing named {row.mark!r} in stub/icons.py"
        assert icons.mark(row.code) == icons.ICONS[row.mark]
        assert f'<symbol id="pk-icon-{row.code}" ' in sprite
    assert set(icons.marks()) == set(catalogue.method_codes()) | set(catalogue.brand_codes())


# --- what the emulator serves ------------------------------------------------------------


def test_the_sdk_bundle_carries_the_catalogue_and_every_mark(paykka_stub: StubHandle) -> None:
    bundle = httpx.get(paykka_stub.url + "/cp/card-checkout-ui.js").text
    assert _script_data(bundle, "CATALOGUE") == catalogue.sdk_data()
    marks = _script_data(bundle, "ICONS")
    assert marks == {code: icons.mark(code) for code in catalogue.method_codes() + catalogue.brand_codes()}
    sprite = httpx.get(paykka_stub.url + "/cp/icons.svg").text
    assert sprite.count("<symbol ") == len(marks)


def test_the_card_frame_knows_the_catalogues_brands(paykka_stub: StubHandle) -> None:
    page = httpx.get(paykka_stub.url + "/cp/frames/card.html").text
    block = re.search(r'<script type="application/json" id="pk-brands">(.*?)</script>', page, re.S)
    assert block and json.loads(block.group(1)) == catalogue.frame_data()
    for code in catalogue.brand_codes():
        assert f'id="pk-icon-{code}"' in page


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_sdk_spells_as_the_catalogue_does() -> None:
    """The stand-in's own spelling rule (05-catalogue.js) over the catalogue's data: every
    spelling of every row, and a few a merchant might write, name the code Python names."""
    tricky = ["aliPay+", "Alipay Plus", "apple-pay", "ApplePay", "googlePay", "we_chat_pay", "PayMaya", "vietQR",
              "master card", "Diners Club", "Amex", "scheme", "unknown", "", "Ａlipay"]
    words = [s for row in (*catalogue.METHODS, *catalogue.BRANDS) for s in row.spellings] + tricky
    script = (f"var CATALOGUE = {json.dumps(catalogue.sdk_data())};\n"
              + emulator_asset("js", "sdk/05-catalogue.js").read_text()
              + f"\nconsole.log(JSON.stringify({json.dumps(words)}.map(codeOf)));")
    run = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [catalogue.canonical(word) for word in words]


# --- what the emulator's API accepts and offers --------------------------------------------


def _session(merchant: MerchantAccount, **fields: Any) -> dict[str, Any]:
    request = {"merchant_id": merchant.merchant_id, "trans_id": "C" + uuid.uuid4().hex[:20], "session_mode": "DROP_IN",
               "currency": "HKD", "amount": 800, "return_url": "https://shop.example/return", **fields}
    with merchant.client() as client:
        data = client.create_session(request)
    init = httpx.post(merchant.api_base + "/cp/api/init",
                      json={"sessionId": data.session_id, "clientKey": merchant.client_key}).json()
    assert init["ret_code"] == "000000", init
    answer: dict[str, Any] = init["data"]
    return answer


@pytest.mark.parametrize("row", ROWS, ids=[row.code for row in ROWS])
def test_the_emulator_accepts_every_spelling_and_offers_the_method_as_the_catalogue_says(
        paykka_merchant: MerchantAccount, row: catalogue.PaymentMethod) -> None:
    offered = _session(paykka_merchant, currency=_a_currency(row), allowed_payment_methods=list(row.spellings))
    (method,) = offered["paymentMethods"]
    assert (method["code"], method["key"], method["kind"]) == (row.code, row.key, row.flow)
    if row.flow != "card":
        assert method["name"] == row.name
    else:
        assert method["brands"] == catalogue.brand_codes()
    if row.currencies is not None:
        elsewhere = next(c for c in ("HKD", "VND", "USD") if c not in row.currencies)
        with pytest.raises(APIError) as refused:
            _session(paykka_merchant, currency=elsewhere, allowed_payment_methods=[row.code])
        assert refused.value.ret_code == "010000" and "none of them is available" in refused.value.ret_msg


def test_the_emulator_offers_brands_and_recurring_as_the_catalogue_says(paykka_merchant: MerchantAccount) -> None:
    spellings = [s for brand in catalogue.BRANDS[:2] for s in brand.spellings]
    (card,) = _session(paykka_merchant, allowed_payment_methods=spellings)["paymentMethods"]
    assert card["code"] == catalogue.BANKCARD and card["brands"] == catalogue.brand_codes()[:2]
    recurring = _session(paykka_merchant, payment_type="RECURRING", payment={
        "store_payment_method": True, "token_usage": "SUBSCRIPTION", "shopper_reference": "s-1"})
    assert [m["code"] for m in recurring["paymentMethods"]] == [r.code for r in ROWS if r.recurring]


def test_the_openapi_examples_name_catalogue_methods_the_emulator_offers(paykka_merchant: MerchantAccount,
                                                                        paykka_stub: StubHandle) -> None:
    document = httpx.get(paykka_stub.url + "/_stub/openapi.json").json()
    examples = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("allowed_payment_methods"), list) and "currency" in node:
                examples.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert examples, "the OpenAPI document has no example with allowed_payment_methods"
    for example in examples:
        names = example["allowed_payment_methods"]
        codes = [catalogue.canonical(name) for name in names]
        assert None not in codes, names
        offered = _session(paykka_merchant, currency=example["currency"], allowed_payment_methods=names)
        wanted = {code for code in codes if code and catalogue.method(code) and catalogue.method(code).takes(example["currency"])}
        assert {m["code"] for m in offered["paymentMethods"]} == wanted
