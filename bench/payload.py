"""Item 1 — the shopper payload: what a browser downloads to show our checkout.

Method: headless Chromium loads the bench merchant's page in a fresh context (empty
cache) and every response the page and its iframes receive is recorded, so whatever the
SDK, the card frame or the mount layer start loading is counted without a list of files
kept here. Counted: every file from the gateway's origin (the SDK stand-in, styles, the
card frame page, its script and styles, icons) and the toolkit's mount layer (the
merchant origin's ``{prefix}/static/``). Not counted: API calls (``fetch``/``xhr``,
``/cp/api/``, ``/v3/``) and the merchant's own HTML. Each file's decoded body is
compressed with gzip -9, file by file, as a CDN would serve it.

The peers' files are compressed the same way.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from typing import Iterable

from .browser import Download, PageLoad
from .peers import Peer

GOAL_DROPIN_BYTES = 30 * 1024
GOAL_MOUNT_BYTES = 4 * 1024


def gz9(body: bytes) -> int:
    return len(gzip.compress(body, 9, mtime=0))


@dataclass(frozen=True)
class Item:
    name: str
    group: str  # "gateway" | "mount layer" | peer file label
    raw: int
    gz: int


@dataclass(frozen=True)
class Payload:
    name: str
    items: tuple[Item, ...]
    excluded: tuple[str, ...] = ()

    @property
    def raw(self) -> int:
        return sum(i.raw for i in self.items)

    @property
    def gz(self) -> int:
        return sum(i.gz for i in self.items)

    def group_gz(self, group: str) -> int:
        return sum(i.gz for i in self.items if i.group == group)


def _is_api(d: Download) -> bool:
    return d.resource_type in ("fetch", "xhr", "eventsource", "websocket") or "/cp/api/" in d.path \
        or d.path.startswith("/v3/") or d.path.startswith("/_stub/")


def classify(name: str, load: PageLoad, gateway_origin: str, merchant_origin: str, static_prefix: str) -> Payload:
    items: list[Item] = []
    excluded: list[str] = []
    seen: set[str] = set()
    for d in load.downloads:
        if d.url in seen or d.status >= 300:
            continue
        seen.add(d.url)
        if _is_api(d):
            excluded.append(f"{d.path} (API call)")
        elif d.origin == gateway_origin:
            items.append(Item(d.path, "gateway", len(d.body), gz9(d.body)))
        elif d.origin == merchant_origin and d.path.startswith(static_prefix):
            items.append(Item(d.path, "mount layer", len(d.body), gz9(d.body)))
        else:
            excluded.append(f"{d.path} (merchant page)")
    return Payload(name, tuple(sorted(items, key=lambda i: (i.group, -i.gz))), tuple(excluded))


def peer_payload(peer: Peer) -> Payload:
    items = []
    for f in peer.files:
        body = f.path.read_bytes()
        items.append(Item(f.label, "peer", len(body), gz9(body)))
    return Payload(f"{peer.name} {peer.version}", tuple(items))


def peer_payloads(peers: Iterable[Peer]) -> list[Payload]:
    return [peer_payload(p) for p in peers]
