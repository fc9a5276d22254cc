"""Session expiry times as PayKKa wants them: aware, in the future, and at most 24 hours away.

A naive datetime is refused rather than guessed at: PayKKa reads ``expire_time`` with its
UTC offset, and a server in another zone would otherwise expire every session hours early
or late. The 24-hour ceiling is this package's rule (PayKKa has not published one), chosen
because a checkout session that outlives a day is a stale price, not a convenience.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .errors import ValidationError

MAX_LIFETIME = timedelta(hours=24)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def check_expire_time(value: datetime, *, now: datetime | None = None, field: str = "expire_time") -> datetime:
    """Return ``value`` if it is aware, in the future and at most 24 hours ahead; raise otherwise."""
    if not isinstance(value, datetime):
        raise ValidationError(field, "must be a datetime with a UTC offset")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "must be timezone-aware (a naive datetime is ambiguous), "
                                     "e.g. datetime.now(timezone.utc) + timedelta(minutes=30)")
    current = now or _now()
    if value <= current:
        raise ValidationError(field, "must be in the future")
    if value - current > MAX_LIFETIME:
        raise ValidationError(field, "must be at most 24 hours from now")
    return value


def expire_in(lifetime: timedelta, *, now: datetime | None = None) -> datetime:
    """``now + lifetime`` in UTC, to the second; ``lifetime`` must be positive and at most 24 hours."""
    if not isinstance(lifetime, timedelta):
        raise ValidationError("lifetime", "must be a timedelta")
    if lifetime <= timedelta(0):
        raise ValidationError("lifetime", "must be positive")
    if lifetime > MAX_LIFETIME:
        raise ValidationError("lifetime", "must be at most 24 hours")
    current = now or _now()
    if current.tzinfo is None or current.utcoffset() is None:
        raise ValidationError("now", "must be timezone-aware")
    return (current + lifetime).astimezone(timezone.utc).replace(microsecond=0)
