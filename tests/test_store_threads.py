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


def test_a_broken_connection_is_replaced() -> None:
    from paykka_embed.store.threads import ThreadConnections

    made: list[dict[str, bool]] = []

    def connect() -> dict[str, bool]:
        made.append({"ok": True})
        return made[-1]

    connections = ThreadConnections(connect, lambda c: c.update(ok=False), usable=lambda c: c["ok"])
    first = connections.get()
    assert connections.get() is first
    first["ok"] = False
    assert connections.get() is not first and len(made) == 2
    connections.close_all()
    assert made[1]["ok"] is False


def test_a_transaction_writes_all_or_nothing(tmp_path: Path) -> None:
    import pytest

    store = SQLiteStore(tmp_path / "paykka.sqlite3")
    with pytest.raises(RuntimeError):
        with store.transaction():
            assert store.remember_nonce("nonce-rolled-back-0001", 1)
            store.record_event("key-1", "PAYMENT.SUCCESS", "T-1", "GW1", "SUCCESS", "{}")
            raise RuntimeError("the disk is full")
    assert store.events() == []
    assert store.remember_nonce("nonce-rolled-back-0001", 1), "the nonce must have been rolled back"
    with store.transaction():
        with store.transaction():  # a nested block joins the outer one
            store.record_event("key-2", "PAYMENT.SUCCESS", "T-2", "GW2", "SUCCESS", "{}")
    assert [e.dedupe_key for e in store.events()] == ["key-2"]
    store.close()
