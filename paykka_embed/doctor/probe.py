"""The live checks: one signed request to the API, and what its answer says.

The probe is a Query Transaction for a ``trans_id`` made up on the spot, so it cannot
exist and cannot touch anything: PayKKa answers ``206024`` ("the order doesn't exist")
only after it has found the merchant and accepted the signature, which makes that
refusal the proof that the credentials work. The request is built and signed by the
client's own :class:`~paykka_embed.client.ClientCore` (the bytes the shop would send) but
sent here, once, without retries, so that every failure can be named: DNS, refused
connection, TLS, timeout, something other than PayKKa answering, or each of PayKKa's
refusals.

The answer then gives two more verdicts: whether its signature verifies with the
configured platform key, and how far this machine's clock is from PayKKa's (from the
answer's ``x-paykka-timestamp``, against the middle of the exchange).
"""

from __future__ import annotations

import json
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from .. import signing
from ..client import ClientCore, PreparedRequest
from ..envs import Environment
from ..errors import SignatureError
from ..signing import fingerprint
from . import emulator
from .credentials import KEYGEN_FIX
from .report import Check, failed, passed, skipped

#: Beyond this the clock fails: the 5-minute window still holds, but the drift has no reason to stop.
CLOCK_TOLERANCE_SECONDS = 60
TITLE = "Signed request"
MAX_MESSAGE = 200


@dataclass
class Exchange:
    """One probe: what was sent, what came back (or the transport error), and when."""

    url: str
    prepared: PreparedRequest
    response: Optional[httpx.Response] = None
    error: Optional[httpx.TransportError] = None
    sent_ms: int = 0
    received_ms: int = 0
    envelope: Optional[dict[str, Any]] = None

    @property
    def ret_code(self) -> Optional[str]:
        return str(self.envelope.get("ret_code")) if self.envelope is not None else None

    @property
    def ret_msg(self) -> str:
        text = str(self.envelope.get("ret_msg", "")) if self.envelope is not None else ""
        return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def probe_trans_id() -> str:
    """A trans_id no shop uses: the order it names cannot exist."""
    return f"paykka-doctor-{secrets.token_hex(8)}"


def prepare(*, merchant_id: str, app_id: str, private_key: rsa.RSAPrivateKey,
            platform_key: Optional[rsa.RSAPublicKey], environment: Environment, trans_id: str) -> PreparedRequest:
    """The probe, built and signed by the client's own core."""
    core = ClientCore(merchant_id=merchant_id, app_id=app_id, private_key=private_key,
                      # The core insists on a platform key; the doctor verifies answers itself.
                      platform_public_key=platform_key or private_key.public_key(),
                      env=environment, verify_responses=False)
    call = core.query_transaction(trans_id=trans_id)
    return core.prepare(call.operation.path, call.payload, retry_safe=False)


def send(prepared: PreparedRequest, api_base: str, timeout: float) -> Exchange:
    exchange = Exchange(url=api_base + prepared.path, prepared=prepared)
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        exchange.sent_ms = signing.now_ms()
        try:
            exchange.response = client.post(exchange.url, content=prepared.body, headers=prepared.headers)
        except httpx.TransportError as exc:
            exchange.error = exc
        exchange.received_ms = signing.now_ms()
    if exchange.response is not None:
        try:
            decoded = json.loads(exchange.response.content)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict) and "ret_code" in decoded:
            exchange.envelope = decoded
    return exchange


# --- transport failures ----------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                yield arg
        current = current.__cause__ or current.__context__


def _first(exc: BaseException, kind: type[BaseException]) -> Optional[BaseException]:
    return next((e for e in _chain(exc) if isinstance(e, kind)), None)


def transport_failure(exc: httpx.TransportError, url: str, env: str, timeout: float) -> Check:
    """Name a failure to reach the API: DNS, refused connection, TLS, timeout, or another connection problem."""
    parts = urlsplit(url)
    host = parts.hostname or url
    port = parts.port or (443 if parts.scheme == "https" else 80)
    stub_fix = ("start the emulator (`paykka-embed stub`, which listens on 127.0.0.1:8480) or pass --api-base with "
                "the URL it printed" if env == "stub" else "")
    if isinstance(exc, httpx.TimeoutException):
        phase = "to connect" if isinstance(exc, httpx.ConnectTimeout) else "for an answer"
        return failed("api", TITLE, "timeout", f"no answer from {host}:{port}: waited {timeout:g} s {phase}",
                      stub_fix or "check that this machine may reach the API (firewall, proxy: HTTPS_PROXY), and "
                      "try again with a longer --timeout", error=type(exc).__name__)
    cert = _first(exc, ssl.SSLCertVerificationError)
    if cert is not None:
        reason = getattr(cert, "verify_message", None) or str(cert)
        return failed("api", TITLE, "tls", f"TLS: the certificate of {host} could not be verified ({reason})",
                      "if a proxy inspects TLS here, give Python its CA bundle (SSL_CERT_FILE=/path/ca.pem); "
                      "otherwise check the API host: it is not the one the certificate names",
                      error=type(cert).__name__)
    tls = _first(exc, ssl.SSLError)
    if tls is not None:
        reason = getattr(tls, "reason", None) or str(tls)
        hint = (" — the server speaks plain HTTP on that port" if "WRONG_VERSION_NUMBER" in str(reason).upper()
                or "record layer" in str(tls).lower() else "")
        return failed("api", TITLE, "tls", f"TLS: the handshake with {host}:{port} failed ({reason}){hint}",
                      "check the API base's scheme and port (https:// needs a TLS port) and any TLS-intercepting "
                      "proxy", error=type(tls).__name__)
    dns = _first(exc, socket.gaierror)
    if dns is not None:
        return failed("api", TITLE, "dns", f"DNS: the name {host} could not be resolved "
                      f"({getattr(dns, 'strerror', None) or dns})",
                      "check the API base's spelling and that this machine can resolve internet names "
                      "(its DNS servers, or a proxy: HTTPS_PROXY)", error="gaierror")
    if _first(exc, ConnectionRefusedError) is not None:
        return failed("api", TITLE, "refused", f"connection refused by {host}:{port}: nothing listens there",
                      stub_fix or "check the API base and its port; a firewall may refuse the connection",
                      error="ConnectionRefusedError")
    if isinstance(exc, httpx.ProxyError):
        return failed("api", TITLE, "proxy", f"the proxy refused or failed the connection to {host} ({exc})",
                      "check HTTPS_PROXY / HTTP_PROXY and NO_PROXY", error=type(exc).__name__)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return failed("api", TITLE, "bad_api_base", f"{url} is not an http(s) URL",
                      "give --api-base / PAYKKA_API_BASE as https://host", error=type(exc).__name__)
    os_error = _first(exc, OSError)
    detail = (getattr(os_error, "strerror", None) or str(os_error)) if os_error is not None else str(exc) or type(
        exc).__name__
    return failed("api", TITLE, "connection", f"the connection to {host}:{port} failed ({detail})",
                  stub_fix or "check this machine's network route to the API (firewall, proxy: HTTPS_PROXY)",
                  error=type(exc).__name__)


# --- PayKKa's answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeContext:
    """What the verdicts mention: the environment and the configuration's own facts."""

    env: str
    api_base: str
    merchant_id: str
    app_id: str
    key_fingerprint: str
    timeout: float


def skew_seconds(exchange: Exchange) -> Optional[float]:
    """PayKKa's clock minus this machine's, from the answer's timestamp and the middle of the exchange."""
    if exchange.response is None:
        return None
    stamp = exchange.response.headers.get(signing.H_TIMESTAMP, "")
    if not stamp.isascii() or not stamp.isdigit():
        return None
    middle = (exchange.sent_ms + exchange.received_ms) / 2
    return (int(stamp) - middle) / 1000


def describe_skew(seconds: float) -> str:
    direction = "behind" if seconds > 0 else "ahead of"
    return f"this machine's clock is {abs(seconds):.0f} seconds {direction} PayKKa's"


def answer_verdict(exchange: Exchange, ctx: ProbeContext) -> Check:
    """The verdict on the API's answer to the probe."""
    response = exchange.response
    assert response is not None
    status = response.status_code
    if exchange.envelope is None:
        if 300 <= status < 400:
            return failed("api", TITLE, "not_paykka", f"HTTP {status} redirecting to "
                          f"{response.headers.get('location', '?')}: the API does not redirect",
                          "set the API base to the host the redirect names, or check for a proxy in between",
                          http_status=status)
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        return failed("api", TITLE, "not_paykka", f"HTTP {status} ({kind}) without PayKKa's ret_code envelope: "
                      "something other than PayKKa's API answered",
                      "check the API base (PAYKKA_API_BASE / --env), and any proxy, firewall or captive portal on "
                      "the way", http_status=status)
    code, msg = exchange.ret_code, exchange.ret_msg
    said = f"{code}: {msg}" if msg else str(code)
    base: dict[str, Any] = dict(ret_code=code, ret_msg=msg, http_status=status)
    restart_note = (". The emulator forgets the merchants registered with it when it restarts without --data"
                    if ctx.env == "stub" else "")
    if code in ("206024", "000000"):
        return passed("api", TITLE, f"the API accepted the signed request ({said} — no such order, as expected "
                      f"for the probe's made-up trans_id): merchant {ctx.merchant_id}, app id {ctx.app_id} and "
                      "the private key work together", **base)
    if code == "206003":
        return failed("api", TITLE, "signature_mismatch", f"the API refused the signature ({said})",
                      "see below", **base)  # completed by signature_verdict()
    if code == "206004":
        skew = skew_seconds(exchange)
        told = f": {describe_skew(skew)}" if skew is not None else ""
        return failed("api", TITLE, "clock_skew", f"the API refused the request as expired ({said}){told}; "
                      "PayKKa accepts timestamps within 5 minutes of its own clock",
                      "set this machine's clock by NTP (e.g. `timedatectl set-ntp true`, or chrony/ntpd), then "
                      "run the doctor again", skew_seconds=skew, **base)
    if code == "206005":
        return failed("api", TITLE, "unknown_merchant", f"the API knows no merchant with app id {ctx.app_id} "
                      f"({said}){restart_note}",
                      f"check PAYKKA_APP_ID / PAYKKA_MERCHANT_ID against PayKKa's portal, and that they belong to "
                      f"this environment ({ctx.env}): sandbox and live accounts are separate", **base)
    if code == "206006":
        return failed("api", TITLE, "public_key_not_registered", f"the merchant has no public key registered "
                      f"({said})", f"register the public half of your private key ({ctx.key_fingerprint}) with "
                      "PayKKa for this merchant", **base)
    if code in ("206007", "206008"):
        return failed("api", TITLE, "merchant_disabled", f"the account is disabled ({said})",
                      "contact PayKKa: the credentials are right but the account may not transact", **base)
    if code == "206002":
        return failed("api", TITLE, "signature_headers_missing", f"the API saw no signature ({said}), although "
                      "the doctor sent the x-paykka-* headers", "something between this machine and PayKKa strips "
                      "headers (a proxy or gateway): let x-paykka-* headers through", **base)
    if code == "206001":
        return failed("api", TITLE, "api_version", f"the API refused the version ({said})",
                      "check the API base: it should be the v3 host of the environment", **base)
    if code == "010000":
        mixed = "merchant_id" in msg and "appid" in msg
        return failed("api", TITLE, "parameter_error", f"the API refused the request's parameters ({said})",
                      "the app id belongs to another merchant than the merchant id: configure the pair PayKKa issued "
                      "together" if mixed else "check the merchant id and app id", **base)
    if status == 429 or status >= 500:
        return failed("api", TITLE, "unavailable", f"the API answered HTTP {status} ({said})",
                      "PayKKa is busy or failing: try again in a few minutes", **base)
    return failed("api", TITLE, "unexpected", f"the API answered {said} (HTTP {status})",
                  "look the code up in PayKKa's response-code table; the doctor has no advice for it", **base)


def signature_verdict(check: Check, exchange: Exchange, ctx: ProbeContext) -> Check:
    """Complete a ``206003`` verdict with what can be told about its cause."""
    prepared = exchange.prepared
    clues: Optional[emulator.SignatureClues] = None
    if ctx.env == "stub":
        with httpx.Client(timeout=ctx.timeout) as client:
            clues = emulator.signature_clues(client, ctx.api_base, path=prepared.path, headers=prepared.headers,
                                             body=prepared.body, key_fingerprint=ctx.key_fingerprint,
                                             merchant_id=ctx.merchant_id, app_id=ctx.app_id)
    details = dict(check.details, key_fingerprint=ctx.key_fingerprint)
    if clues is not None:
        details.update(emulator_sources=clues.sources)
    if clues is not None and clues.altered:
        details.update(cause="altered_in_transit", altered=clues.altered)
        return failed("api", TITLE, "signature_mismatch",
                      f"{check.message}: the request changed after it was signed — the emulator verified a "
                      f"different {', '.join(clues.altered)} than this machine signed",
                      "something between this machine and the API rewrites requests (a proxy re-encoding JSON, a "
                      "path rewrite): send the body byte for byte as signed", **details)
    if clues is not None and clues.key_owners:
        owners = ", ".join(clues.key_owners)
        details.update(cause="other_merchants_key", key_owners=clues.key_owners)
        return failed("api", TITLE, "signature_mismatch",
                      f"{check.message}: this private key ({ctx.key_fingerprint}) is registered for merchant "
                      f"{owners}, not for app id {ctx.app_id}",
                      f"configure merchant {ctx.merchant_id}'s own private key, or merchant {owners}'s id with this "
                      "key: the id and the key must come from the same merchant", **details)
    if clues is not None and clues.registered and clues.registered != ctx.key_fingerprint:
        details.update(cause="wrong_key", registered_fingerprint=clues.registered)
        return failed("api", TITLE, "signature_mismatch",
                      f"{check.message}: the key registered for app id {ctx.app_id} is {clues.registered}, but "
                      f"this private key's public half is {ctx.key_fingerprint} — not the same key pair",
                      "configure the private key that belongs to the registered public key, or register this key's "
                      "public half for the merchant; " + KEYGEN_FIX, **details)
    if clues is not None and clues.intact:
        details.update(cause="wrong_key")
        return failed("api", TITLE, "signature_mismatch",
                      f"{check.message}: the emulator verified exactly the string signed here, so the request "
                      f"arrived intact — the key registered for app id {ctx.app_id} is not the public half of this "
                      f"private key ({ctx.key_fingerprint})",
                      "configure the private key that belongs to the registered public key, or register this key's "
                      "public half for the merchant; " + KEYGEN_FIX, **details)
    told = ""
    if clues is not None and not clues.logged:
        told = " (this emulator keeps no request log to tell which)"
    details.update(cause="unknown")
    return failed("api", TITLE, "signature_mismatch",
                  f"{check.message}. The request was signed with the key whose public half is "
                  f"{ctx.key_fingerprint}, for app id {ctx.app_id}. Either the public key registered for that app id "
                  "is not this key's (the usual cause: a key from another pair, another merchant or another "
                  "environment), or the app id belongs to another merchant than this key, or something on the way "
                  f"changed the request after it was signed{told}",
                  "compare the fingerprint above with the public key registered with PayKKa (`paykka-embed doctor "
                  "--public-key registered.pem` compares them offline); configure the matching private key, or "
                  "register this key's public half; " + KEYGEN_FIX, **details)


def probe_verdict(exchange: Exchange, ctx: ProbeContext) -> Check:
    if exchange.error is not None:
        return transport_failure(exchange.error, exchange.url, ctx.env, ctx.timeout)
    check = answer_verdict(exchange, ctx)
    if check.code == "signature_mismatch":
        return signature_verdict(check, exchange, ctx)
    return check


# --- the answer's signature and the clock ----------------------------------------------------


def response_signature_verdict(exchange: Optional[Exchange], platform_key: Optional[rsa.RSAPublicKey],
                               ctx: ProbeContext) -> Check:
    title = "Response signature"
    if exchange is None or exchange.envelope is None or exchange.response is None:
        return skipped("response_signature", title, "not checked: no answer from the API to verify")
    if platform_key is None:
        return skipped("response_signature", title, "not checked: no usable platform public key")
    response = exchange.response
    headers = response.headers
    signature, stamp, nonce = (headers.get(h) for h in (signing.H_SIGN, signing.H_TIMESTAMP, signing.H_NONCE))
    if not (signature and stamp and nonce):
        return failed("response_signature", title, "unsigned", "the answer carries no x-paykka-sign/-timestamp/"
                      "-nonce headers, so it cannot be trusted",
                      "something between this machine and PayKKa answered or stripped the headers: check proxies")
    mine = fingerprint(platform_key)
    try:
        signing.verify(platform_key, "POST", exchange.prepared.path, stamp, nonce, response.content, signature)
    except SignatureError:
        served = None
        if ctx.env == "stub":
            with httpx.Client(timeout=ctx.timeout) as client:
                served = emulator.platform_key_fingerprint(client, ctx.api_base)
        if served is not None and served != mine:
            return failed("response_signature", title, "platform_key_mismatch",
                          f"the answer is signed, but not by the configured platform key ({mine}): the emulator at "
                          f"{ctx.api_base} signs with {served} (it makes a new key each time it starts without "
                          "--data)", f"set PAYKKA_PLATFORM_PUBLIC_KEY to {ctx.api_base}/_stub/platform-public-key "
                          "(or run the emulator with --data DIR to keep its key)",
                          configured=mine, served=served)
        return failed("response_signature", title, "platform_key_mismatch",
                      f"the answer is signed, but not by the configured platform key ({mine}): the platform key is "
                      "wrong or belongs to another environment (sandbox and live keys differ)",
                      f"set PAYKKA_PLATFORM_PUBLIC_KEY to the platform public key PayKKa gives for {ctx.env}",
                      configured=mine)
    return passed("response_signature", title, f"the answer's signature verifies with the platform key ({mine})",
                  fingerprint=mine)


def clock_verdict(exchange: Optional[Exchange], verified: bool) -> Check:
    title = "Clock"
    skew = skew_seconds(exchange) if exchange is not None else None
    if exchange is None or skew is None:
        return skipped("clock", title, "not checked: no timestamped answer from the API")
    uncertainty = max(exchange.received_ms - exchange.sent_ms, 0) / 2000
    source = "" if verified else " (from an answer whose signature did not verify)"
    details: dict[str, Any] = {"skew_seconds": round(skew, 3), "uncertainty_seconds": round(uncertainty, 3)}
    window = signing.WINDOW_SECONDS
    fix = ("set this machine's clock by NTP (e.g. `timedatectl set-ntp true`, or chrony/ntpd); a clock more than "
           f"{window // 60} minutes off makes PayKKa refuse every request and the shop refuse every webhook")
    if abs(skew) > window:
        return failed("clock", title, "skewed", f"{describe_skew(skew)}{source}: outside PayKKa's "
                      f"{window // 60}-minute window", fix, **details)
    if abs(skew) > CLOCK_TOLERANCE_SECONDS:
        return failed("clock", title, "drifting", f"{describe_skew(skew)}{source}: still inside the "
                      f"{window // 60}-minute window, but a clock this far off is not kept by NTP and will drift "
                      "further", fix, **details)
    apart = max(abs(skew), uncertainty)
    agree = "within a second of" if apart < 1 else f"{apart:.0f} seconds from"
    return passed("clock", title, f"{agree} the API's clock{source}", **details)
