"""``paykka-embed doctor``: say why a PayKKa configuration fails, and how to fix it.

    paykka-embed doctor --env sandbox                 # credentials from PAYKKA_* variables
    paykka-embed doctor --app shop:create_app --public-url https://shop.example
    paykka-embed doctor --env production --json       # machine-readable, for CI

The checks, in the order they run and print:

1. the Flask app loads (with ``--app``) and the environment and API host make sense;
2. offline: the merchant and app id, the private key (PEM, PKCS#1 or PKCS#8, or bare
   Base64; RSA of at least 2048 bits), with ``--public-key`` that it pairs with the key
   registered at PayKKa, the platform public key, the client key's form, and the
   ``notify_url``/``return_url`` the shop sends (:mod:`.urls`);
3. live (skipped with ``--offline``): one signed Query Transaction for an order that cannot
   exist (:mod:`.probe`), then the answer's signature against the platform key, then this
   machine's clock against the answer's.

The exit code is 0 only when no check failed; checks that could not apply are listed as
skipped and say why. Keys are described by fingerprint; no key, secret or signature is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Callable, Mapping, Optional, TextIO
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from .. import signing
from ..envs import ENVIRONMENTS, Environment, resolve_environment
from ..errors import PayKKaError
from . import credentials, probe, urls
from .report import Check, Printer, Report, failed, passed, skipped
from .settings import Settings, Value, gather

__all__ = ["add_arguments", "cmd_doctor", "run", "Report", "Check"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
DEFAULT_TIMEOUT = 10.0

#: Records a check in the report and prints it.
Adder = Callable[[Optional[Check]], Optional[Check]]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("must be a number of seconds above 0 and at most 600")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``doctor`` sub-command's options (flags win over ``--app`` config, which wins over PAYKKA_* variables)."""
    parser.add_argument("--env", choices=list(ENVIRONMENTS),
                        help="PayKKa environment (default: PAYKKA_ENV, else sandbox with credentials, stub without)")
    parser.add_argument("--app", metavar="MODULE:APP",
                        help="read the Flask app's configuration, as `flask --app` loads it (module:app, "
                             "module:create_app(), path/to/app.py)")
    parser.add_argument("--public-url", metavar="URL",
                        help="with --app: the shop's public base URL, to build the notify and return URLs it sends")
    parser.add_argument("--merchant-id")
    parser.add_argument("--app-id", help="x-paykka-appid (default: the merchant id)")
    parser.add_argument("--private-key", metavar="PATH_OR_PEM",
                        help="the merchant's private key: a file path (preferred: text on a command line is "
                             "visible to other users), PEM text or bare Base64")
    parser.add_argument("--platform-public-key", metavar="PATH_OR_PEM", help="PayKKa's platform public key")
    parser.add_argument("--client-key", help="the browser SDK's client key (ck_...)")
    parser.add_argument("--public-key", metavar="PATH_OR_PEM",
                        help="the public key registered with PayKKa, to check that it pairs with the private key")
    parser.add_argument("--api-base", metavar="URL", help="override the environment's API host")
    parser.add_argument("--notify-url", metavar="URL", help="the notify_url the shop sends (webhooks)")
    parser.add_argument("--return-url", metavar="URL", help="the return_url the shop sends")
    parser.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"for the signed request (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--offline", action="store_true", help="check keys and URLs only; send nothing")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON report on stdout (progress goes to stderr); for CI")


def cmd_doctor(args: argparse.Namespace) -> int:
    """The sub-command: 0 when no check failed, 1 when one did, 2 for a usage error."""
    return execute(args, os.environ, sys.stdout, sys.stderr)


def execute(args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    if args.public_url and not args.app:
        print("paykka-embed doctor: --public-url needs --app (without an app, give --notify-url and --return-url)",
              file=err)
        return EXIT_USAGE
    report = run(args, environ, Printer(out, err, as_json=args.json))
    return EXIT_OK if report.ok else EXIT_FAILED


def _default_env(settings: Settings) -> str:
    """As the extension decides: sandbox when credentials are configured, the emulator otherwise."""
    return "sandbox" if settings.merchant_id.present and settings.private_key.present else "stub"


def check_environment(settings: Settings) -> tuple[Check, Optional[Environment]]:
    title = "Environment"
    name = str(settings.env.value) if settings.env.present else _default_env(settings)
    origin = settings.env.source if settings.env.present else (
        "PAYKKA_ENV not set: " + ("credentials are configured" if name == "sandbox" else "no credentials"))
    if name not in ENVIRONMENTS:
        return failed("environment", title, "unknown_env", f"{name!r} ({origin}) is not an environment",
                      f"use one of {', '.join(ENVIRONMENTS)}"), None
    api = str(settings.api_base.value) if settings.api_base.present else None
    if api is not None:
        parts = urlsplit(api)
        try:
            httpx.URL(api)
            host = parts.hostname or ""
            valid = parts.scheme in ("http", "https") and bool(host) and host.isprintable() and " " not in host
        except (httpx.InvalidURL, ValueError):
            valid = False
        if not valid:
            return failed("environment", title, "bad_api_base", f"the API base {api!r} ({settings.api_base.source}) "
                          "is not an absolute http(s) URL", "give it as https://host"), None
        if name != "stub" and parts.scheme != "https":
            return failed("environment", title, "api_not_https", f"the API base {api} "
                          f"({settings.api_base.source}) is plain HTTP for {name}",
                          "PayKKa's API is HTTPS: drop the override or use https://"), None
        others = [env.name for env in ENVIRONMENTS.values()
                  if env.name not in (name, "stub") and env.api_base == api.rstrip("/")
                  and env.api_base != ENVIRONMENTS[name].api_base]
        if others:
            return failed("environment", title, "env_mismatch", f"the environment is {name} ({origin}) but the "
                          f"API base {api} ({settings.api_base.source}) is {others[0]}'s host",
                          "make PAYKKA_ENV and PAYKKA_API_BASE agree (usually: drop the API base override)"), None
    checkout = str(settings.checkout_base.value) if settings.checkout_base.present else None
    env = resolve_environment(name, api_base=api, checkout_base=checkout)
    live = " — live money" if name in urls.LIVE_ENVS else ""
    return passed("environment", title, f"{name} ({origin}){live}: API {env.api_base}, checkout "
                  f"{env.checkout_base}", env=name, api_base=env.api_base, checkout_base=env.checkout_base), env


def _app_check(settings: Settings) -> Check:
    title = "Flask app"
    if settings.app_error is not None:
        if settings.app_refused:
            return failed("app", title, "app_config_refused", f"{settings.app_spec} did not start: "
                          f"{settings.app_error}",
                          "the PayKKa extension refused a setting (named above); to have it diagnosed, run the doctor "
                          "without --app and give the same values by PAYKKA_* variables or flags")
        if settings.app_emulator_unreachable:
            return failed("app", title, "emulator_unreachable", f"{settings.app_spec} loaded; it has no PayKKa "
                          "credentials, so it pays as a test merchant it registers with the emulator, and "
                          f"{settings.app_error}",
                          "start the emulator (`paykka-embed stub`, on the port of PAYKKA_API_BASE if you set one), "
                          "or configure the merchant's credentials")
        return failed("app", title, "app_not_loaded", f"{settings.app_spec} could not be loaded: "
                      f"{settings.app_error}",
                      f"`flask --app {settings.app_spec} routes` shows the same error; fix it, or give the "
                      "configuration by PAYKKA_* variables or flags instead")
    ext = "PayKKa extension registered" if settings.app_has_extension else (
        "no PayKKa extension registered: reading its PAYKKA_* configuration")
    return passed("app", title, f"{settings.app_spec} loaded; {ext}", spec=settings.app_spec)


def run(args: argparse.Namespace, environ: Mapping[str, str], printer: Printer) -> Report:
    """Run every check, printing each verdict as it comes; return the report."""
    report = Report()

    def add(check: Optional[Check]) -> Optional[Check]:
        if check is not None:
            report.checks.append(check)
            printer.check(check)
        return check

    printer.say("paykka-embed doctor: checking a PayKKa configuration")
    if args.app:
        printer.say(f"Loading the Flask app {args.app} …")
    # An app factory may print; with --json, stdout must hold only the report.
    with contextlib.redirect_stdout(printer.err) if printer.as_json else contextlib.nullcontext():
        settings = gather(args, environ)
    report.sources = settings.sources()
    if args.app:
        app_check = _app_check(settings)
        add(app_check)
        if app_check.failed:
            printer.finish(report)
            return report
    env_check, env = check_environment(settings)
    report.env = env.name if env else None
    report.api_base = env.api_base if env else None
    if report.sources:
        printer.say("Configuration:")
        for name, source in report.sources.items():
            printer.say(f"  {name:<20} {source}")
    add(env_check)

    printer.say("Checking the credentials (offline) …")
    ids = add(credentials.check_ids(settings.merchant_id, settings.app_id))
    key_check, private_key = credentials.check_private_key(settings.private_key)
    add(key_check)
    add(credentials.check_key_pair(settings.public_key, private_key))
    platform_check, platform_key = credentials.check_platform_key(settings.platform_public_key, private_key)
    add(platform_check)
    add(credentials.check_client_key(settings.client_key, settings.merchant_id))

    printer.say("Checking the URLs the shop sends (offline) …")
    env_name = env.name if env else str(settings.env.value or "")
    for name in ("notify_url", "return_url"):
        value: Value = getattr(settings, name)
        add(urls.check_url(name, value, env_name, settings.url_notes.get(name)))

    live_checks(args, settings, add, printer, env, ids, private_key, platform_key)
    printer.finish(report)
    return report


def _skip_answer_checks(add: Adder, why: str) -> None:
    """The checks that read the API's answer, when there is none."""
    add(skipped("response_signature", "Response signature", why))
    add(skipped("clock", "Clock", why))


def live_checks(args: argparse.Namespace, settings: Settings, add: Adder, printer: Printer,
                env: Optional[Environment], ids: Optional[Check], private_key: Optional[rsa.RSAPrivateKey],
                platform_key: Optional[rsa.RSAPublicKey]) -> None:
    """The signed probe and what its answer says; each skipped, with the reason, when it cannot run."""
    reason = None
    if args.offline:
        reason = "not checked: --offline"
    elif env is None:
        reason = "not sent: the environment is not usable"
    elif ids is None or ids.failed:
        reason = "not sent: fix the merchant id first"
    elif private_key is None:
        reason = "not sent: there is no usable private key to sign with"
    if reason is not None or env is None or private_key is None:
        add(skipped("api", probe.TITLE, reason or "not sent"))
        _skip_answer_checks(add, "not checked: --offline" if args.offline else "not checked: no request was sent")
        return
    merchant_id = str(settings.merchant_id.value)
    app_id = str(settings.app_id.value) if settings.app_id.present else merchant_id
    trans_id = probe.probe_trans_id()
    try:
        prepared = probe.prepare(merchant_id=merchant_id, app_id=app_id, private_key=private_key,
                                 platform_key=platform_key, environment=env, trans_id=trans_id)
    except PayKKaError as exc:  # the checks above should have caught it; say so rather than crash
        add(failed("api", probe.TITLE, "not_sent", f"the probe could not be built: {exc}",
                   "fix the setting the message names"))
        _skip_answer_checks(add, "not checked: no request was sent")
        return
    printer.say(f"Sending a signed Query Transaction for trans_id {trans_id} (an order that cannot exist) to "
                f"{env.api_base}{prepared.path} …")
    exchange = probe.send(prepared, env.api_base, float(args.timeout))
    ctx = probe.ProbeContext(env=env.name, api_base=env.api_base, merchant_id=merchant_id, app_id=app_id,
                             key_fingerprint=signing.fingerprint(private_key), timeout=float(args.timeout))
    add(probe.probe_verdict(exchange, ctx))
    signature = add(probe.response_signature_verdict(exchange, platform_key, ctx))
    add(probe.clock_verdict(exchange, verified=signature is not None and signature.status == "pass"))


def main(argv: Optional[list[str]] = None, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
         environ: Optional[Mapping[str, str]] = None) -> int:
    """Run the doctor with ``argv`` (the sub-command's own arguments); for tests and embedding."""
    parser = argparse.ArgumentParser(prog="paykka-embed doctor")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return execute(args, os.environ if environ is None else environ, out, err)
