"""The SQLite store closes each thread's connection when the thread ends, so a server that
serves every request on a new thread does not run out of file descriptors."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

from paykka_embed.store import SQLiteStore


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_connections_of_finished_threads_are_closed(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "paykka.sqlite3")
    store.remember_nonce("warm-up-nonce", 1)
    gc.collect()
    before = open_files()
    for i in range(200):
        worker = threading.Thread(target=store.remember_nonce, args=(f"nonce-{i:04d}-xxxxxxxx", i))
        worker.start()
        worker.join()
    gc.collect()
    assert open_files() - before < 10
    assert not store.remember_nonce("nonce-0199-xxxxxxxx", 0)  # the writes landed
    store.close()
