"""Times as QBO writes them: in the company's zone (Pacific), with the offset."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

try:
    from zoneinfo import ZoneInfo

    ZONE = ZoneInfo("America/Los_Angeles")
except Exception:  # pragma: no cover - no tz database
    ZONE = timezone(timedelta(hours=-8))

_wall = time.time


def set_wall_clock(fn) -> None:
    """Let a test move the company's wall clock (MetaData, `time`, CDC, default TxnDate)."""
    global _wall
    _wall = fn


def now() -> datetime:
    return datetime.fromtimestamp(_wall(), ZONE)


def qbo_time(at: datetime | None = None) -> str:
    """Top-level `time`: `2026-11-27T04:40:24.123-08:00`."""
    d = at or now()
    return d.isoformat(timespec="milliseconds")


def epoch_ms(at: datetime | None = None) -> int:
    """The 401 body's `time`: epoch milliseconds, a number (recorded: qbo_api_vcr/error/401.yml)."""
    d = at or now()
    return int(d.timestamp() * 1000)


def meta_time(at: datetime | None = None) -> str:
    """MetaData times: `2026-11-27T04:40:24-08:00`."""
    d = at or now()
    return d.isoformat(timespec="seconds")


def today() -> str:
    return now().date().isoformat()


def parse_datetime(text: str) -> datetime:
    """ISO date or date-time; a naive value is taken in the company zone."""
    t = text.strip().replace("Z", "+00:00")
    if len(t) == 10:
        d = date.fromisoformat(t)
        return datetime(d.year, d.month, d.day, tzinfo=ZONE)
    dt = datetime.fromisoformat(t)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZONE)
    return dt
