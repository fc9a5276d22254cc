"""``python -m bench`` — run every benchmark and write ``docs/benchmarks.md``.

Order: the peers' packages (npm, cached), the pages in Chromium (payload and time to
interactive), the SDKs' evaluation time side by side, then for each server (werkzeug,
waitress, gunicorn) session throughput and webhook ingestion, webhook ingestion with
``PAYKKA_DATABASE_SYNCHRONOUS=NORMAL``, profiles of what misses its goal, and the browser
E2E suite's wall time. Every server is on 127.0.0.1 and every load loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from . import chart, inprocess, payload, peers, profile, report, throughput, tti, webhooks
from .servers import ROOT, Stack

CHARTS = Path(__file__).absolute().parent / "charts"


def say(message: str) -> None:
    print(message, flush=True)


def source() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!bench", ":!docs/benchmarks.md"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        return f"commit `{head}`" + (f" with {len(dirty.splitlines())} changed files" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return os.environ.get("PAYKKA_BENCH_SOURCE", "a source tree outside git")


def parse(argv: Optional[list[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=20, help="page loads per page for time to interactive (default 20)")
    p.add_argument("--eval-runs", type=int, default=10, help="loads per SDK for evaluation time (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="rounds per throughput figure (default 3)")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent load clients (default 8)")
    p.add_argument("--requests", type=int, default=400, help="session requests per round (default 400)")
    p.add_argument("--events", type=int, default=800, help="webhook events per round (default 800)")
    p.add_argument("--seconds", type=float, default=20.0, help="time limit of one load round (default 20)")
    p.add_argument("--servers", default="werkzeug,waitress,gunicorn",
                   help="comma-separated servers for the throughput rows (default: werkzeug,waitress,gunicorn)")
    p.add_argument("--no-normal", action="store_true",
                   help="skip the webhook row with PAYKKA_DATABASE_SYNCHRONOUS=NORMAL")
    p.add_argument("--profile", choices=["auto", "always", "never"], default="auto",
                   help="profile the merchant app where a throughput goal is missed (default), always, or never")
    p.add_argument("--no-e2e", dest="e2e", action="store_false",
                   help="skip timing the browser E2E suite (about 3 minutes)")
    p.add_argument("--skip-browser", action="store_true", help="skip payload and time to interactive")
    p.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    return p.parse_args(argv)


def browser_part(args: argparse.Namespace, stack: Stack, results: report.Results,
                 peer_list: list[peers.Peer]) -> None:
    from . import browser

    assert stack.merchant and stack.stub
    with browser.chromium() as chromium:
        results.sdk_names = browser.sdk_globals(chromium, f"{stack.merchant.url}/dropin?methods=BANKCARD")
        methods = None
        first = browser.load(chromium, f"{stack.merchant.url}/dropin", record=True)
        if first.tti_ms is None:
            methods = "BANKCARD"
            results.methods_note = (
                "**Note:** with every payment method the merchant has, the Drop-in did not become interactive on "
                f"this source tree (`{first.error}`), so the pages below are measured with sessions limited to "
                "`BANKCARD` (`?methods=BANKCARD`).")
            say("  the Drop-in with all methods did not become ready; measuring with BANKCARD only")
            first = browser.load(chromium, f"{stack.merchant.url}/dropin?methods=BANKCARD", record=True)
        series = tti.pages(stack.merchant.url, results.sdk_names, methods)
        comp = browser.load(chromium, series[1].url, expected_marks=series[1].expected_marks, record=True)
        results.dropin = payload.classify("Drop-in page", first, stack.stub.url, stack.merchant.url, "/paykka/static/")
        results.components = payload.classify(series[1].name, comp, stack.stub.url, stack.merchant.url,
                                              "/paykka/static/")
        say(f"  payload: Drop-in page {results.dropin.gz / 1024:.1f} KB gzip -9")
        results.tti = tti.measure(chromium, series, args.runs, progress=say)
        ours = [d for d in first.downloads if d.path.endswith("/cp/card-checkout-ui.js")]
        css = [d for d in first.downloads if d.path.endswith("/cp/style.css")]
        libs = [("paykka-embed SDK stand-in", ours[0].body if ours else b"", css[0].body if css else b"", "",
                 "window.PayKKaCardCheckoutUI")]
        for peer in peer_list:
            libs.append((f"{peer.name} {peer.version}", peer.files[0].path.read_bytes(),
                         peer.files[1].path.read_bytes(), peer.prelude, peer.global_expr))
        say("  SDK evaluation time, side by side")
        results.evaluation = tti.sdk_evaluation(chromium, libs, args.eval_runs)


def charts(results: report.Results) -> None:
    CHARTS.mkdir(exist_ok=True)
    if results.dropin:
        rows = [chart.Bar("paykka-embed Drop-in page", results.dropin.gz / 1024, True),
                chart.Bar("paykka-embed mount layer alone", results.dropin.group_gz("mount layer") / 1024, True)]
        rows += [chart.Bar(p.name, p.gz / 1024, False) for p in results.peers]
        (CHARTS / "payload.svg").write_text(chart.bars("Shopper payload, gzip -9 (KB)", "KB", rows, goal=30,
                                                       goal_label="goal 30 KB"))
        results.charts["Shopper payload chart"] = "../bench/charts/payload.svg"
    if results.tti:
        rows = [chart.Bar(f"TTI: {s.name.split(' (')[0]}", s.median, True) for s in results.tti if s.tti]
        rows += [chart.Bar(f"SDK evaluated: {e.name}", e.median, e.name.startswith("paykka")) for e in
                 results.evaluation if e.times]
        (CHARTS / "tti.svg").write_text(chart.bars("Median time in headless Chromium (ms)", "ms", rows, goal=300,
                                                   goal_label="goal 300 ms"))
        results.charts["Time to interactive chart"] = "../bench/charts/tti.svg"


def main(argv: Optional[list[str]] = None) -> int:
    args = parse(argv)
    t0 = time.monotonic()
    results = report.Results(
        when=time.strftime("%Y-%m-%d %H:%M %Z"),
        machine=f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}",
        source=source(), args=" ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])) or "(defaults)",
    )
    say("peers: packing @adyen/adyen-web and braintree-web-drop-in from npm into bench/.cache/")
    peer_list = peers.all_peers()
    results.peers = payload.peer_payloads(peer_list)

    if not args.skip_browser:
        say("browser: payload and time to interactive (werkzeug, threaded)")
        with Stack(server="werkzeug") as stack:
            browser_part(args, stack, results, peer_list)

    args.chosen = servers(args)
    for server in args.chosen:
        server_part(args, server, results)
    if results.webhooks and not args.no_normal:
        say("webhooks: ingestion with PAYKKA_DATABASE_SYNCHRONOUS=NORMAL")
        with Stack(server="waitress" if "waitress" in args.chosen else "werkzeug",
                   merchant_config={"PAYKKA_DATABASE_SYNCHRONOUS": "NORMAL"}) as stack:
            results.webhooks.append(webhooks.measure(stack, [], rounds=args.rounds, concurrency=args.concurrency,
                                                     count=args.events, seconds=args.seconds, progress=say))
    profiles_for(args, results)
    if args.e2e:
        from . import e2e

        say("timing the browser E2E suite (slow)")
        results.suite = e2e.run(ROOT)
    charts(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report.render(results))
    say(f"wrote {args.output} in {time.monotonic() - t0:.0f} s")
    return 0


def servers(args: argparse.Namespace) -> list[str]:
    """The servers asked for that are installed (waitress and gunicorn come with the ``bench`` extra)."""
    out = []
    for name in args.servers.split(","):
        if name != "werkzeug":
            try:
                __import__(name)
            except ImportError:
                say(f"{name} is not installed: skipping its rows (pip install -e '.[bench]')")
                continue
        out.append(name)
    return out


def server_part(args: argparse.Namespace, server: str, results: report.Results) -> None:
    """Sessions (end to end and bare) and webhooks with both apps served by ``server``."""
    with Stack(server=server) as stack:
        say(f"sessions: end to end vs the bare signed call ({stack.label})")
        sessions = throughput.measure(stack, rounds=args.rounds, concurrency=args.concurrency, count=args.requests,
                                      seconds=args.seconds, progress=say)
        results.sessions.append(sessions)
        if server == "werkzeug":
            served = sum(r.ok + r.failed for r in sessions.e2e) + 10 * args.concurrency
            results.fd_note = (f"After about {served:,} session requests the werkzeug-served merchant process held "
                               f"{stack.open_files()} open file descriptors (the emulator: {stack.open_files('stub')}).")
            say("  " + results.fd_note)
        stack.restart_merchant()  # each phase starts from a fresh merchant process
        say(f"webhooks: ingestion at the merchant endpoint ({stack.label})")
        results.webhooks.append(webhooks.measure(stack, sessions.trans_ids, rounds=args.rounds,
                                                 concurrency=args.concurrency, count=args.events,
                                                 seconds=args.seconds, progress=say,
                                                 hand_trans_ids=sessions.hand_trans_ids))


def profiles_for(args: argparse.Namespace, results: report.Results) -> None:
    """Profile the merchant app's code path for each throughput figure that misses its goal."""
    if args.profile == "never" or not profile.pyinstrument_available() or not results.sessions:
        if args.profile != "never":
            say("pyinstrument is not installed: no profiles (pip install -e '.[bench]')")
        return
    missed_sessions = any(s.e2e_rate < throughput.GOAL_RPS or s.ratio > throughput.GOAL_RATIO
                          for s in results.sessions)
    missed_hooks = any(h.fresh_rate < webhooks.GOAL_EPS for h in results.webhooks)
    with Stack(server="waitress" if "waitress" in args.chosen else "werkzeug") as stack:
        if args.profile == "always" or missed_sessions:
            say("profiling the merchant app's POST /paykka/sessions (pyinstrument, in-process)")
            p = profile.record_inprocess("Merchant app, POST /paykka/sessions", inprocess.sessions(stack, 300, "prof"))
            if p:
                results.profiles.append(p)
        if args.profile == "always" or missed_hooks:
            say("profiling the merchant app's POST /paykka/webhook (pyinstrument, in-process)")
            p = profile.record_inprocess("Merchant app, POST /paykka/webhook",
                                         inprocess.webhook_events(stack, 1500, "prof"))
            if p:
                results.profiles.append(p)


if __name__ == "__main__":
    sys.exit(main())
