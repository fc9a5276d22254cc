"""Offline checks of the URLs the shop sends PayKKa: ``notify_url`` (where PayKKa's servers post
webhooks) and ``return_url`` (where the shopper's browser is sent back).

The rules depend on who has to reach the URL:

- every environment: absolute ``http``/``https`` URLs (PayKKa cannot resolve a path);
- ``sandbox``: the ``notify_url`` is called by PayKKa's servers over the internet, so a host
  on this machine or a private network never receives a webhook; the ``return_url`` is opened
  by the developer's own browser, so ``localhost`` is fine there;
- ``eu``, ``hk``, ``production`` (live money): both HTTPS, both on a public host;
- ``stub``: anything absolute — the emulator runs beside the shop.

Nothing is resolved or fetched: a name's address is not checked, only its form, so the
check is the same on a laptop without network and in CI.
"""

from __future__ import annotations

import ipaddress
from typing import Optional
from urllib.parse import urlsplit

from .report import Check, failed, passed, skipped
from .settings import Value

LIVE_ENVS = frozenset({"eu", "hk", "production"})
#: Names that only mean something on a local network.
LOCAL_SUFFIXES = (".local", ".localdomain", ".internal", ".lan", ".home.arpa", ".intranet", ".corp", ".localhost")
#: Names reserved for documentation and tests (RFC 2606, RFC 6761): a placeholder left in the configuration.
PLACEHOLDER_SUFFIXES = (".example", ".test", ".invalid")
PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org")

TITLES = {"notify_url": "notify_url (webhooks)", "return_url": "return_url (shopper's way back)"}


def host_problem(host: str) -> Optional[tuple[str, str]]:
    """(code, why) when ``host`` cannot be reached from the internet, else None."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return "not_public", f"{host} is this machine (loopback)"
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        address = None
    if address is not None:
        if address.is_loopback:
            return "not_public", f"{host} is this machine (loopback)"
        if address.is_unspecified:
            return "not_public", f"{host} is the unspecified address, not a host"
        if address.is_link_local:
            return "not_public", f"{host} is a link-local address"
        if not address.is_global:
            return "not_public", f"{host} is a private-network address"
        return None
    if "." not in name:
        return "not_public", f"{host} is a single-label name, known only on a local network"
    if name.endswith(LOCAL_SUFFIXES):
        return "not_public", f"{host} is a local-network name"
    if name.endswith(PLACEHOLDER_SUFFIXES) or name in PLACEHOLDER_DOMAINS or name.endswith(
            tuple("." + d for d in PLACEHOLDER_DOMAINS)):
        return "placeholder", f"{host} is a name reserved for examples, left from a template"
    return None


def check_url(name: str, value: Value, env: str, note: Optional[str]) -> Check:
    title = TITLES[name]
    if not value.present:
        return skipped(name, title, f"not checked: {note or 'not configured'}", code="not_configured")
    url = str(value.value)
    where = f"{url} ({value.source})"
    setting = "PAYKKA_NOTIFY_URL" if name == "notify_url" else "the return URL"
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc or not parts.hostname:
        return failed(name, title, "not_absolute", f"{where} is not an absolute URL",
                      f"give the full URL with scheme and host, e.g. https://shop.your-domain.com{parts.path or '/'}",
                      url=url)
    if parts.scheme.lower() not in ("http", "https"):
        return failed(name, title, "bad_scheme", f"{where} uses {parts.scheme}:, not http: or https:",
                      "use an https:// URL", url=url)
    live = env in LIVE_ENVS
    if live and parts.scheme.lower() != "https":
        return failed(name, title, "not_https", f"{where} is plain HTTP; a live environment ({env}) needs HTTPS",
                      f"serve the shop over HTTPS and send https:// URLs (set {setting} explicitly behind a "
                      "proxy that terminates TLS, or let Flask see the original scheme with werkzeug's ProxyFix)",
                      url=url)
    called_from_internet = live or (env == "sandbox" and name == "notify_url")
    problem = host_problem(parts.hostname) if called_from_internet else None
    if problem is not None:
        code, why = problem
        who = "PayKKa's servers" if name == "notify_url" else "shoppers' browsers"
        fix = ("use the shop's public host name" if code == "placeholder" else
               "use the shop's public host name; to receive sandbox webhooks on a development machine, expose it "
               "through a tunnel and send the tunnel's https URL" if env == "sandbox" else
               "use the shop's public host name")
        return failed(name, title, code, f"{where}: {why}; {who} cannot reach it", fix, url=url)
    facts = ["absolute", parts.scheme.lower()]
    if called_from_internet:
        facts.append("public host")
    return passed(name, title, f"{where}: {', '.join(facts)}", url=url)
