"""The stub's clock: real time plus an offset that tests move forward.

Session expiry, timestamps in responses and webhooks, the signature window and the
webhook retry schedule all read this clock, so ``POST /_stub/clock`` lets a test jump
an hour ahead without sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable


class Clock:
    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def time(self) -> float:
        with self._lock:
            return self._source() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def now_ms(self) -> int:
        return int(self.time() * 1000)

    @property
    def offset_seconds(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("advance_seconds: must not be negative (the clock only moves forward)")
        with self._lock:
            self._offset += seconds
        for listener in list(self._listeners):
            listener()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def on_advance(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def after(self, seconds: float) -> datetime:
        return self.now() + timedelta(seconds=seconds)
