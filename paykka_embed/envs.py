"""Where each PayKKa environment lives: the API host, the checkout (SDK) host, and the
``env`` value PayKKa's browser SDK expects for it.

``stub`` points at the local emulator (``paykka-embed stub``); its SDK stand-in ignores
``env`` and talks to the origin it was loaded from, so the page stays identical to one
written for PayKKa's sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ValidationError

STUB_DEFAULT_URL = "http://127.0.0.1:8480"


@dataclass(frozen=True)
class Environment:
    name: str
    api_base: str
    checkout_base: str
    sdk_env: str

    @property
    def sdk_script_url(self) -> str:
        return f"{self.checkout_base}/cp/card-checkout-ui.js"

    @property
    def sdk_style_url(self) -> str:
        return f"{self.checkout_base}/cp/style.css"


ENVIRONMENTS: dict[str, Environment] = {
    "stub": Environment("stub", STUB_DEFAULT_URL, STUB_DEFAULT_URL, "sandbox"),
    "sandbox": Environment(
        "sandbox", "https://openapi-sandbox.paykka.com", "https://checkout-fat.eu.paykka.com", "sandbox"
    ),
    "eu": Environment("eu", "https://openapi.eu.paykka.com", "https://checkout.eu.paykka.com", "eu"),
    "hk": Environment("hk", "https://openapi.aq.paykka.com", "https://checkout.aq.paykka.com", "hk"),
    "production": Environment("production", "https://openapi.paykka.com", "https://checkout.eu.paykka.com", "eu"),
}


def resolve_environment(
    name: str, *, api_base: str | None = None, checkout_base: str | None = None
) -> Environment:
    """The preset called ``name``, with either host overridden when given."""
    try:
        preset = ENVIRONMENTS[name]
    except KeyError:
        raise ValidationError("PAYKKA_ENV", f"must be one of {', '.join(ENVIRONMENTS)}") from None
    api = (api_base or preset.api_base).rstrip("/")
    checkout = (checkout_base or (api_base if name == "stub" and api_base else None) or preset.checkout_base)
    return Environment(preset.name, api, checkout.rstrip("/"), preset.sdk_env)
