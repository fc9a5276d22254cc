"""The emulator's clocks: business time (real time plus an offset that tests move forward)
and signature time (real time plus a skew that simulates a merchant clock that is off).

Session expiry, timestamps in bodies and webhooks, new ids and the webhook retry
schedule read business time, so ``POST /_stub/clock {"advance_seconds": N}`` lets a test
jump an hour ahead without sleeping, and ``POST /_stub/clock {"reset": true}`` puts it back
on real time (so sessions a merchant app creates with expiries computed on its own, real
clock are not born expired).

Signature timestamps (checking ``x-paykka-timestamp`` on requests, stamping answers and
webhooks, the replay window) read signature time instead: real time, unless
``POST /_stub/clock {"signature_skew_seconds": N}`` sets a skew. Moving business time
never breaks signatures; a skew of more than five minutes breaks them on purpose, the
way a merchant server whose clock is N seconds behind PayKKa's sees it.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable


class Clock:
    """Business time (``source`` plus a test-controlled offset) and signature time (wall
    clock plus an optional skew). Thread-safe.
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._skew = 0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._rewind_listeners: list[Callable[[float], None]] = []

    def time(self) -> float:
        """Business time in seconds since the epoch."""
        with self._lock:
            return self._source() + self._offset

    def now(self) -> datetime:
        """Business time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def now_ms(self) -> int:
        """Business time in milliseconds since the epoch."""
        return int(self.time() * 1000)

    @property
    def offset_seconds(self) -> float:
        """How far business time is ahead of the source, in seconds."""
        return self._offset

    @property
    def signature_skew_seconds(self) -> int:
        """The skew added to signature timestamps, in whole seconds (0: none)."""
        return self._skew

    def skew_signatures(self, seconds: int) -> None:
        """Take real time + ``seconds`` as "now" for signature timestamps (0 undoes it)."""
        with self._lock:
            self._skew = int(seconds)

    def signature_now_ms(self) -> int:
        """Milliseconds for ``x-paykka-timestamp``: wall-clock time plus the signature skew."""
        with self._lock:
            skew = self._skew
        return int((self._source() + skew) * 1000)

    def advance(self, seconds: float) -> None:
        """Move business time ``seconds`` ahead, then run the listeners (due work)."""
        if seconds < 0:
            raise ValueError("advance_seconds: must not be negative (the clock only moves forward)")
        with self._lock:
            self._offset += seconds
        for listener in list(self._listeners):
            listener()

    def reset(self) -> None:
        """Back to the source's time, with no skew (for a reset of the whole emulator: no listener runs)."""
        with self._lock:
            self._offset = 0.0
            self._skew = 0

    def back_to_real_time(self) -> float:
        """Business time back on the source's time, and no signature skew; returns the seconds business
        time moved back, after telling the rewind listeners (work scheduled on the moved clock, such as
        webhook retries, moves back with it)."""
        with self._lock:
            moved = self._offset
            self._offset = 0.0
            self._skew = 0
        if moved:
            for listener in list(self._rewind_listeners):
                listener(moved)
        return moved

    def on_advance(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every :meth:`advance`."""
        self._listeners.append(listener)

    def on_rewind(self, listener: Callable[[float], None]) -> None:
        """Call ``listener(seconds)`` after :meth:`back_to_real_time` moved business time ``seconds`` back."""
        self._rewind_listeners.append(listener)

    def after(self, seconds: float) -> datetime:
        """Business time ``seconds`` from now, as a datetime."""
        return self.now() + timedelta(seconds=seconds)
