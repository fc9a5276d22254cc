"""Merchant-side storage: the :class:`Store` interface and the default SQLite backend."""

from .base import AttemptRecord, EventRecord, Store, status_may_follow
from .sqlite import SQLiteStore

__all__ = ["AttemptRecord", "EventRecord", "Store", "SQLiteStore", "status_may_follow"]
