"""One database connection per thread, closed when the thread ends.

Both stores keep a connection per thread (SQLite connections and psycopg connections are
not safe to share mid-transaction). A WSGI server that runs each request on a new thread
would otherwise leave one open connection behind per request it ever served: file
descriptors for SQLite, server processes (and ``max_connections``) for PostgreSQL.
The thread-local slot holding a :class:`_Held` is dropped when its thread finishes, and
the connection is closed with it.
"""

from __future__ import annotations

import threading
import weakref
from typing import Callable, Generic, Optional, TypeVar

C = TypeVar("C")


class _Held(Generic[C]):
    __slots__ = ("conn", "_close", "__weakref__")

    def __init__(self, conn: C, close: Callable[[C], None]) -> None:
        self.conn = conn
        self._close = close

    def close(self) -> None:
        try:
            self._close(self.conn)
        except Exception:  # closing a connection that is already gone is not worth a traceback
            pass

    def __del__(self) -> None:
        self.close()


class ThreadConnections(Generic[C]):
    def __init__(self, connect: Callable[[], C], close: Callable[[C], None],
                 usable: Callable[[C], bool] = lambda conn: True) -> None:
        self._connect = connect
        self._close = close
        self._usable = usable
        self._local = threading.local()
        self._open: "weakref.WeakSet[_Held[C]]" = weakref.WeakSet()
        self._lock = threading.Lock()

    def get(self) -> C:
        """This thread's connection, made (or remade, if it broke) on first use."""
        held: Optional[_Held[C]] = getattr(self._local, "held", None)
        if held is not None and not self._usable(held.conn):
            held.close()
            held = None
        if held is None:
            held = _Held(self._connect(), self._close)
            self._local.held = held
            with self._lock:
                self._open.add(held)
        return held.conn

    def close_all(self) -> None:
        with self._lock:
            for held in list(self._open):
                held.close()
            self._open.clear()
        self._local = threading.local()
