"""Write ``docs/benchmarks.md``: every figure with its method and goal, the charts, and
what the profiles say where a goal is missed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

from . import payload as payload_mod, peers as peers_mod, throughput as tp, tti as tti_mod, webhooks as wh
from .e2e import COMMAND as E2E_COMMAND, SuiteRun
from .payload import Payload
from .profile import Profile
from .stats import kb


@dataclass
class Results:
    when: str
    machine: str
    source: str
    args: str
    dropin: Optional[Payload] = None
    components: Optional[Payload] = None
    peers: list[Payload] = field(default_factory=list)
    methods_note: str = ""
    sdk_names: list[str] = field(default_factory=list)
    tti: list[tti_mod.Series] = field(default_factory=list)
    evaluation: list[tti_mod.Evaluation] = field(default_factory=list)
    sessions: list[tp.Rounds] = field(default_factory=list)
    webhooks: Optional[wh.Ingestion] = None
    profiles: list[Profile] = field(default_factory=list)
    suite: Optional[SuiteRun] = None
    charts: dict[str, str] = field(default_factory=dict)  # name → path relative to docs/
    fd_note: str = ""


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**miss**"


def _ms(v: float) -> str:
    return "—" if math.isnan(v) else f"{v:.0f} ms"


def render(r: Results) -> str:
    out: list[str] = []
    w = out.append
    w("# Benchmarks\n")
    w("Reproduce every figure on this page with one command from the repository root "
      "(it writes this file; about 4 minutes on a 2-core machine):\n")
    w("```sh\npython -m bench            # or: python bench/run.py\n"
      "python -m bench --help     # more repetitions, the optional E2E suite timing, profiling\n```\n")
    w("It needs the `test` extras (Playwright with Chromium, httpx), Node's `npm` (the peers' packages are "
      "packed from the npm registry into the git-ignored `bench/.cache/`), and for the rows and profiles "
      "marked so, `waitress` and `py-spy` from PyPI. Benchmarks are not tests: nothing here fails CI.\n")
    w(f"Measured {r.when} on {r.machine}; source: {r.source}; flags: `{r.args}`. The machine is shared and "
      "noisy, so every time is a median of repeated runs and every comparison is a ratio of two things "
      "measured side by side in the same run.\n")

    # --- summary ------------------------------------------------------------------------
    w("## Summary\n")
    w("| Figure | Result | Goal | |\n|---|---|---|---|")
    if r.dropin:
        w(f"| Shopper payload, Drop-in page (gzip -9) | {kb(r.dropin.gz)} | ≤ 30 KB | "
          f"{verdict(r.dropin.gz <= payload_mod.GOAL_DROPIN_BYTES)} |")
        mount = r.dropin.group_gz("mount layer")
        w(f"| Mount layer `paykka-embed.js` (gzip -9) | {kb(mount)} | ≤ 4 KB | "
          f"{verdict(mount <= payload_mod.GOAL_MOUNT_BYTES)} |")
    for s in r.tti:
        w(f"| Time to interactive, {s.name}: median (p95) | {_ms(s.median)} ({_ms(s.p95)}) | ≤ 300 ms median | "
          f"{verdict(s.median <= tti_mod.GOAL_MS) if s.tti else '**not measured**'} |")
    for rounds in r.sessions:
        w(f"| Sessions end to end, {rounds.server}, {rounds.concurrency} clients | {rounds.e2e_rate:.0f}/s | "
          f"≥ 250/s | {verdict(rounds.e2e_rate >= tp.GOAL_RPS)} |")
        w(f"| Bare signed call ÷ end to end, {rounds.server} | {rounds.ratio:.2f}× | ≤ 1.2× | "
          f"{verdict(rounds.ratio <= tp.GOAL_RATIO)} |")
    if r.webhooks:
        w(f"| Webhook ingestion, new events, {r.webhooks.concurrency} clients | {r.webhooks.fresh_rate:.0f}/s | "
          f"≥ 1,500/s | {verdict(r.webhooks.fresh_rate >= wh.GOAL_EPS)} |")
    for rounds in r.sessions:
        w(f"| Emulator's own create-session throughput, {rounds.server} | {rounds.bare_rate:.0f}/s | "
          "(no goal) | |")
    if r.suite:
        w(f"| Browser E2E suite wall time | {r.suite.seconds:.0f} s | (no goal) | {r.suite.summary} |")
    w("")
    for name, path in r.charts.items():
        w(f"![{name}]({path})\n")

    # --- 1 payload ----------------------------------------------------------------------
    if r.dropin:
        w("## 1. Shopper payload\n")
        w(payload_mod.__doc__.split("\n\n", 1)[1].strip().replace("\n", " ") + "\n")
        if r.methods_note:
            w(r.methods_note + "\n")
        for p in [r.dropin, r.components]:
            if p is None:
                continue
            w(f"**{p.name}** — {kb(p.gz)} gzip -9 ({kb(p.raw)} uncompressed):\n")
            w("| File | Served by | Uncompressed | gzip -9 |\n|---|---|---|---|")
            for item in p.items:
                w(f"| `{item.name}` | {item.group} | {item.raw:,} B | {item.gz:,} B |")
            w(f"| **total** | | **{p.raw:,} B** | **{p.gz:,} B** |\n")
            if p.excluded:
                w("Not counted: " + ", ".join(f"`{e}`" for e in p.excluded) + ".\n")
        w("**Peers**, from their npm packages (" + " ".join((peers_mod.__doc__ or "").split("\n\n", 1)[1].split()) + ")\n")
        w("| Package | File | Uncompressed | gzip -9 |\n|---|---|---|---|")
        for p in r.peers:
            for item in p.items:
                w(f"| {p.name} | {item.name} | {item.raw:,} B | {item.gz:,} B |")
            w(f"| **{p.name}** | **total** | **{p.raw:,} B** | **{p.gz:,} B** |")
        w("")
        if r.peers:
            w("Side by side (gzip -9): " + "; ".join(
                f"{p.name} is {p.gz / r.dropin.gz:.1f}× our Drop-in page" for p in r.peers) + ".\n")

    # --- 2 TTI --------------------------------------------------------------------------
    if r.tti:
        w("## 2. Time to interactive\n")
        w(" ".join(tti_mod.__doc__.split("\n\n")[1].split()) + "\n")
        w(f"SDK globals found at bench time: `{', '.join(r.sdk_names)}` (wallet components are added to the "
          "components page when present).\n")
        w("| Page | Runs | Median | p95 | Min | HTML served (median) | Failed runs | Goal |\n"
          "|---|---|---|---|---|---|---|---|")
        for s in r.tti:
            html = sorted(s.html)[len(s.html) // 2] if s.html else math.nan
            w(f"| {s.name} | {len(s.tti)} | {_ms(s.median)} | {_ms(s.p95)} | "
              f"{_ms(min(s.tti) if s.tti else math.nan)} | {_ms(html)} | {len(s.failures)} | "
              f"≤ 300 ms median: {verdict(s.median <= tti_mod.GOAL_MS) if s.tti else '—'} |")
        for s in r.tti:
            if s.failures:
                w(f"\n{s.name}: failed runs said `{s.failures[0]}`.")
        w("")
        if r.evaluation:
            w(" ".join(tti_mod.__doc__.split("\n\n")[2].split()) + "\n")
            w("| SDK | Runs | Median | p95 |\n|---|---|---|---|")
            for e in r.evaluation:
                w(f"| {e.name} | {len(e.times)} | {_ms(e.median)} | {_ms(e.p95)} |")
            w("")

    # --- 3/5 sessions -------------------------------------------------------------------
    if r.sessions:
        w("## 3. Session creation, end to end, and 5. the emulator's own throughput\n")
        w(" ".join(tp.__doc__.split("\n\n", 1)[1].split()) + "\n")
        w("| Server | Clients | Rounds | End to end (median) | Bare signed call = emulator (median) | "
          "Ratio bare ÷ e2e (median of per-round ratios) | Failed requests |\n|---|---|---|---|---|---|---|")
        for s in r.sessions:
            w(f"| {s.server} | {s.concurrency} | {len(s.e2e)} | {s.e2e_rate:.0f}/s | {s.bare_rate:.0f}/s | "
              f"{s.ratio:.2f}× | {s.failures} |")
        w("")
        w("Per round (requests/s, e2e / bare): " + "; ".join(
            f"{s.server}: " + ", ".join(f"{e.rate:.0f} / {b.rate:.0f}" for e, b in zip(s.e2e, s.bare))
            for s in r.sessions) + ".\n")
        if r.fd_note:
            w(r.fd_note + "\n")
        for s in r.sessions:
            if s.errors:
                w(f"{s.server}: first errors: " + "; ".join(f"`{e}`" for e in s.errors) + "\n")

    # --- 4 webhooks ---------------------------------------------------------------------
    if r.webhooks:
        h = r.webhooks
        w("## 4. Webhook ingestion\n")
        w(" ".join(wh.__doc__.split("\n\n", 1)[1].split()) + "\n")
        w("| Kind | Clients | Rounds | Events/s (median) | Per round | Goal |\n|---|---|---|---|---|---|")
        w(f"| New events | {h.concurrency} | {len(h.fresh)} | {h.fresh_rate:.0f}/s | "
          f"{', '.join(f'{x.rate:.0f}' for x in h.fresh)} | ≥ 1,500/s: {verdict(h.fresh_rate >= wh.GOAL_EPS)} |")
        w(f"| Redeliveries (deduplicated) | {h.concurrency} | {len(h.redelivered)} | {h.redelivered_rate:.0f}/s | "
          f"{', '.join(f'{x.rate:.0f}' for x in h.redelivered)} | — |")
        w(f"\nFailed requests: {h.failures}." + (" First errors: " + "; ".join(h.errors) if h.errors else "") + "\n")

    # --- 5 suite ------------------------------------------------------------------------
    w("## 5. Browser end-to-end suite\n")
    if r.suite:
        w(f"`{' '.join(['python'] + E2E_COMMAND[1:])}` took **{r.suite.seconds:.0f} s** wall time "
          f"(exit {r.suite.exit_code}; pytest said: `{r.suite.summary}`).\n")
    else:
        w(f"Not run this time (it is slow): add `--e2e` to time `{' '.join(['python'] + E2E_COMMAND[1:])}`.\n")

    # --- 7 profiles ---------------------------------------------------------------------
    if r.profiles:
        w("## 7. Profiles of the figures that miss their goal\n")
        from . import profile as profile_mod
        w(" ".join(profile_mod.__doc__.split("\n\n", 1)[1].split()) + "\n")
        for p in r.profiles:
            w(f"### {p.name} ({p.samples:,} samples)\n")
            w("Where the samples are, each attributed to the nearest recognisable layer from the top of its stack: "
              + ", ".join(f"{name} {share:.0%}" for name, share in p.layers) + ".\n")
            w("| Inclusive | Function | | Self | Function |\n|---|---|---|---|---|")
            for a, b in zip(p.inclusive, p.own + tuple([None] * len(p.inclusive))):  # type: ignore[operator]
                right = f"{b.share:.0%} | `{b.function}`" if b else " | "
                w(f"| {a.share:.0%} | `{a.function}` | | {right} |")
            w("")
    return "\n".join(out) + "\n"

