"""Merchant-side storage: the :class:`Store` interface and the default SQLite backend."""

from .base import (
    AGREEMENT_CANCELED,
    TOKEN_ACTIVE,
    TOKEN_REMOVED,
    AttemptRecord,
    ChargeRecord,
    DisputeRecord,
    EventRecord,
    Store,
    TokenRecord,
    status_may_follow,
)
from .sqlite import SQLiteStore

__all__ = ["AttemptRecord", "ChargeRecord", "DisputeRecord", "EventRecord", "TokenRecord", "Store", "SQLiteStore", "status_may_follow",
           "TOKEN_ACTIVE", "TOKEN_REMOVED", "AGREEMENT_CANCELED"]
