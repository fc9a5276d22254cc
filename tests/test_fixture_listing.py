"""``pytest --fixtures`` lists the suite's fixtures instead of crashing.

pytest sorts the fixtures it lists by (length of the defining node id, module, path,
name, definition); a fixture function imported into two test modules whose node ids
have the same length ties on all of them and the sort fails (``'<' not supported
between instances of 'FixtureDef'``). So shared fixtures live in ``conftest.py`` files,
never imported into test modules; this keeps it so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_fixture_listing_runs_and_shows_the_shared_fixtures() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "--fixtures", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    listing = done.stdout
    for name in ("caller", "gw", "receiver", "shop", "paykka_stub"):
        assert f"\n{name} -- " in listing, name
