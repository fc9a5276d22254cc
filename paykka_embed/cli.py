"""``paykka-embed``: run the local PayKKa emulator, the demo shop, or make a key pair.

    paykka-embed stub [--host H] [--port P] [--data DIR] [--strict]
    paykka-embed demo [--host H] [--port P] [--stub-port P] [--data DIR]
    paykka-embed keys [--out DIR]
    paykka-embed doctor [--env E] [--app MODULE:APP] [--json] ...   (say why a configuration fails)
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any, Optional, Sequence

from . import signing
from .stub import BackgroundServer, StubContext, create_app
from .stub.cards import TEST_CARDS

DEFAULT_STUB_PORT = 8480
DEFAULT_DEMO_PORT = 5000


def _key_in(data_dir: Optional[Path], name: str) -> Any:
    """A private key kept in ``data_dir`` (made on first use) or a fresh one without a data dir."""
    if data_dir is None:
        return signing.generate_private_key()
    path = data_dir / name
    if path.exists():
        return signing.load_private_key(path.read_text("ascii"))
    key = signing.generate_private_key()
    path.write_text(signing.private_pem(key), "ascii")
    path.chmod(0o600)
    return key


class PortInUse(Exception):
    """A port the command was asked to serve on is taken; the message names the flag that changes it."""


def check_port(host: str, port: int, flag: str) -> None:
    """Refuse a taken port before anything starts, naming the flag to choose another."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise PortInUse(f"port {port} on {host} is in use (by another emulator, the demo or another "
                            f"program): choose another with {flag} PORT") from None


def start_stub(host: str, port: int, data_dir: Optional[Path]) -> tuple[BackgroundServer, StubContext, dict[str, Any]]:
    """Start the emulator with a default merchant; return the server, its state and the merchant."""
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
    # With a data directory the emulator keeps its platform key and its state (sessions, orders,
    # tokens, undelivered webhooks) there, so a restart carries on where it stopped.
    context = StubContext(platform_key=_key_in(data_dir, "platform-private-key.pem"), data_dir=data_dir)
    server = BackgroundServer(create_app(context), host, port).start()
    merchant_key = _key_in(data_dir, "merchant-private-key.pem")
    merchant = context.services.merchants.register(signing.public_pem(merchant_key), merchant_id="10000000000001",
                                                 name="Default test merchant")
    creds = context.merchant_credentials(merchant)
    creds["private_key_pem"] = signing.private_pem(merchant_key)
    return server, context, creds


def test_card_lines() -> list[str]:
    return [f"  {card.number:<17} {card.label}" for card in TEST_CARDS.values()] + [
        "  (any future expiry, any CVV; CVV 000 fails the CVV check)"]


def _stop_event() -> threading.Event:
    """An event set by Ctrl-C (SIGINT) or SIGTERM; installed before anything is printed, so a
    signal that arrives right after the banner still stops the servers cleanly."""
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    return stop


def _wait(stop: threading.Event) -> None:
    while not stop.wait(0.5):
        pass


def cmd_stub(args: argparse.Namespace) -> int:
    check_port(args.host, args.port, "--port")
    stop = _stop_event()
    data_dir = Path(args.data) if args.data else None
    server, context, creds = start_stub(args.host, args.port, data_dir)
    context.strict = bool(args.strict)
    key_note = (f"private key in {data_dir / 'merchant-private-key.pem'}" if data_dir
                else "private key printed below (use --data DIR to keep it between runs)")
    print(f"PayKKa emulator running at {server.url}  (its dashboard: open this URL)", flush=True)
    print(f"  SDK stand-in:   {server.url}/cp/card-checkout-ui.js")
    print(f"  Default merchant: merchant_id={creds['merchant_id']} client_key={creds['client_key']}")
    print(f"  Merchant {key_note}")
    if not data_dir:
        print(creds["private_key_pem"])
    print(f"  Platform public key: {server.url}/_stub/platform-public-key")
    if context.strict:
        print("  Strict mode: field names the v3 API does not know are refused (010000), not ignored")
    print("Test cards:")
    print("\n".join(test_card_lines()))
    print("Press Ctrl-C to stop.", flush=True)
    _wait(stop)
    print("Stopping the emulator…", flush=True)
    server.stop()
    context.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import load_demo

    check_port(args.host, args.stub_port, "--stub-port")
    check_port(args.host, args.port, "--port")
    stop = _stop_event()
    data_dir = Path(args.data)
    stub_server, context, creds = start_stub(args.host, args.stub_port, data_dir / "stub")
    shop = load_demo()
    app = shop.create_app({
        "PAYKKA_ENV": "stub",
        "PAYKKA_API_BASE": stub_server.url,
        "PAYKKA_MERCHANT_ID": creds["merchant_id"],
        "PAYKKA_PRIVATE_KEY": creds["private_key_pem"],
        "PAYKKA_PLATFORM_PUBLIC_KEY": creds["platform_public_key"],
        "PAYKKA_CLIENT_KEY": creds["client_key"],
        "DEMO_DATA_DIR": str(data_dir / "shop"),
        "SECRET_KEY": _secret(data_dir),
    })
    shop_server = BackgroundServer(app, args.host, args.port).start()
    print(f"Demo shop:      {shop_server.url}/", flush=True)
    print(f"PayKKa emulator: {stub_server.url}  (merchant {creds['merchant_id']}; its dashboard is at this URL)")
    print(f"Data directory: {data_dir.resolve()}")
    print("Test cards:")
    print("\n".join(test_card_lines()))
    print("Press Ctrl-C to stop.", flush=True)
    _wait(stop)
    print("Stopping the shop and the emulator…", flush=True)
    shop_server.stop()
    stub_server.stop()
    context.close()
    return 0


def _secret(data_dir: Path) -> str:
    import secrets

    path = data_dir / "secret-key"
    if path.exists():
        return path.read_text("ascii").strip()
    value = secrets.token_hex(32)
    path.write_text(value, "ascii")
    path.chmod(0o600)
    return value


def cmd_keys(args: argparse.Namespace) -> int:
    key = signing.generate_private_key()
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "merchant-private-key.pem").write_text(signing.private_pem(key), "ascii")
        (out / "merchant-private-key.pem").chmod(0o600)
        (out / "merchant-public-key.pem").write_text(signing.public_pem(key), "ascii")
        print(f"Wrote {out / 'merchant-private-key.pem'} (keep it secret) and {out / 'merchant-public-key.pem'} "
              "(give this one to PayKKa).")
    else:
        sys.stdout.write(signing.private_pem(key) + signing.public_pem(key))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paykka-embed", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log every HTTP request")
    sub = parser.add_subparsers(dest="command", required=True)
    stub = sub.add_parser("stub", help="run the local PayKKa emulator")
    stub.add_argument("--host", default="127.0.0.1")
    stub.add_argument("--port", type=int, default=DEFAULT_STUB_PORT)
    stub.add_argument("--data", help="keep keys and state (SQLite) in this directory between runs")
    stub.add_argument("--strict", action="store_true",
                      help="refuse field names the v3 API does not know instead of ignoring them (catches typos)")
    stub.set_defaults(func=cmd_stub)
    demo = sub.add_parser("demo", help="run the emulator and the demo shop together")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=DEFAULT_DEMO_PORT)
    demo.add_argument("--stub-port", type=int, default=DEFAULT_STUB_PORT)
    demo.add_argument("--data", default="paykka-demo-data", help="data directory (default ./paykka-demo-data)")
    demo.set_defaults(func=cmd_demo)
    keys = sub.add_parser("keys", help="generate a merchant RSA key pair")
    keys.add_argument("--out", help="write the two PEM files into this directory instead of printing them")
    keys.set_defaults(func=cmd_keys)
    from . import doctor

    check = sub.add_parser("doctor", help="check a PayKKa configuration and say how to fix what fails",
                           description=doctor.__doc__.split("\n")[0] if doctor.__doc__ else None)
    doctor.add_arguments(check)
    check.set_defaults(func=doctor.cmd_doctor)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        result: int = args.func(args)
        return result
    except (OSError, PortInUse) as exc:
        print(f"paykka-embed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
