"""One clock for the whole app, so that tests (and only tests) can move time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone columns; treat them as the UTC they were."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def floor_hour(value: datetime) -> datetime:
    """The start of the hour ``value`` falls in: the precision clear times keep when an exact
    one could point at a person (SECURITY.md, metadata)."""
    return as_utc(value).replace(minute=0, second=0, microsecond=0)


def floor_minute(value: datetime) -> datetime:
    """The start of the minute ``value`` falls in (a naive value taken as UTC)."""
    return as_utc(value).replace(second=0, microsecond=0)


def to_zone(value: datetime, zone: str) -> datetime:
    """A stored (UTC) time as the agency reads it, in its time zone."""
    return as_utc(value).astimezone(ZoneInfo(zone))


def from_zone(value: datetime, zone: str) -> datetime:
    """A time someone entered in the agency's zone (a naive value), as UTC for storing."""
    local = value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make utcnow() return ``moment`` inside the block (for tests of timeouts and schedules)."""
    global _frozen
    previous, _frozen = _frozen, as_utc(moment)
    try:
        yield
    finally:
        _frozen = previous
