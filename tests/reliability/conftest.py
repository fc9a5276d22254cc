"""Fixtures of the reliability suite: a throwaway PostgreSQL cluster, a fresh schema per test,
and the suite's modules on sys.path (the project runs pytest with --import-mode=importlib).

PostgreSQL: ``PAYKKA_TEST_POSTGRES_DSN`` names a server to use (scripts/postgres.sh starts one);
otherwise each pytest worker makes its own cluster with ``initdb`` and ``pg_ctl`` in a temp dir,
on a free port, as the ``postgres`` OS user when running as root, and removes it at the end.
Tests needing it are skipped, saying why, only when the PostgreSQL binaries are absent.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator, Optional

import pytest

HERE = Path(__file__).resolve().parent
for path in (str(HERE), str(HERE.parent)):
    if path not in sys.path:
        sys.path.insert(0, path)

from reliability_kit import free_port  # noqa: E402


def _pg_bin(name: str) -> Optional[str]:
    found = shutil.which(name)
    if found:
        return found
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (root / name).exists():
            return str(root / name)
    return None


class Cluster:
    def __init__(self) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not (initdb and pg_ctl):
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql")
        self.pg_ctl = pg_ctl
        self.dir = Path(tempfile.mkdtemp(prefix="paykka-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self._run([initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
                   "--locale=C"])
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "30", "-o",
                   f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200",
                   "start"])
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, args: list[str]) -> None:
        result = subprocess.run(self.run_as + args, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}\n{result.stderr}")

    def stop(self) -> None:
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A PostgreSQL server for this worker: the one named by PAYKKA_TEST_POSTGRES_DSN, or a throwaway cluster."""
    given = os.environ.get("PAYKKA_TEST_POSTGRES_DSN")
    if given:
        yield given
        return
    cluster = Cluster()
    try:
        yield cluster.dsn
    finally:
        cluster.stop()


@pytest.fixture
def pg_schema(postgres_dsn: str) -> Iterator[str]:
    """A fresh schema name for one test (dropped afterwards), so tests share the server safely."""
    import psycopg

    name = "t_" + secrets.token_hex(6)
    yield name
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
