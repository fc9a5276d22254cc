"""The peers' shopper bundles, packed from npm at bench time into ``bench/.cache/`` (never
committed): ``@adyen/adyen-web`` and ``braintree-web-drop-in``.

What is taken from each package, so the comparison is like for like with our Drop-in:

- Adyen Web: ``dist/cjs/index.cjs`` — the whole library (core and every component,
  Drop-in included) already minified in one file — plus ``styles/adyen.css``. Adyen
  ships no UMD file on npm (its UMD is CDN-only), and this single file is the same code.
- Braintree Drop-in: ``dist/browser/dropin.js`` — the browser bundle the CDN serves —
  minified here with terser (the package ships it unminified), plus ``dropin.css``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(__file__).absolute().parent / ".cache"


@dataclass(frozen=True)
class PeerFile:
    label: str
    path: Path


@dataclass(frozen=True)
class Peer:
    name: str
    package: str
    version: str
    files: tuple[PeerFile, ...]
    global_expr: str  # JS expression that is truthy once the bundle has run
    prelude: str = ""  # JS run before the bundle (a CommonJS shim for Adyen's single file)


def _npm(*args: str, cwd: Path) -> str:
    out = subprocess.run(["npm", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=300)
    return out.stdout


def _pack(package: str) -> tuple[Path, str]:
    """The package's tarball in the cache (``npm pack`` once), and its version."""
    CACHE.mkdir(parents=True, exist_ok=True)
    stem = package.lstrip("@").replace("/", "-")
    found = sorted(CACHE.glob(f"{stem}-[0-9]*.tgz"))
    if not found:
        names = json.loads(_npm("pack", package, "--json", cwd=CACHE))
        found = [CACHE / names[0]["filename"]]
    tarball = found[-1]
    version = tarball.name[len(stem) + 1:-len(".tgz")]
    return tarball, version


def _extract(tarball: Path, members: list[str]) -> Path:
    target = CACHE / tarball.name.removesuffix(".tgz")
    with tarfile.open(tarball) as tar:
        for member in members:
            if not (target / member).exists():
                tar.extract(f"package/{member}", target / "_", filter="data")
                (target / member).parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(target / "_" / "package" / member), target / member)
    return target


def _terser() -> Path:
    binary = CACHE / "node_modules" / ".bin" / "terser"
    if not binary.exists():
        _npm("install", "--prefix", str(CACHE), "--no-save", "--no-audit", "--no-fund", "terser", cwd=CACHE)
    return binary


def adyen() -> Peer:
    tarball, version = _pack("@adyen/adyen-web")
    root = _extract(tarball, ["dist/cjs/index.cjs", "styles/adyen.css"])
    return Peer("Adyen Web", "@adyen/adyen-web", version, (
        PeerFile("full bundle (dist/cjs/index.cjs, minified)", root / "dist/cjs/index.cjs"),
        PeerFile("styles/adyen.css", root / "styles/adyen.css"),
    ), global_expr="window.module && module.exports && module.exports.AdyenCheckout",
        prelude="window.module = {exports: {}}; window.exports = module.exports;")


def braintree() -> Peer:
    tarball, version = _pack("braintree-web-drop-in")
    root = _extract(tarball, ["dist/browser/dropin.js", "dropin.css"])
    minified = root / "dist/browser/dropin.min.js"
    if not minified.exists():
        subprocess.run([str(_terser()), str(root / "dist/browser/dropin.js"), "--compress", "--mangle",
                        "--output", str(minified)], check=True, timeout=300)
    return Peer("Braintree Drop-in", "braintree-web-drop-in", version, (
        PeerFile("browser bundle (dist/browser/dropin.js, minified with terser)", minified),
        PeerFile("dropin.css", root / "dropin.css"),
    ), global_expr="window.braintree && window.braintree.dropin")


def all_peers() -> list[Peer]:
    return [adyen(), braintree()]
