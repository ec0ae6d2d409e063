"""Timestamps: the one format of every moment qbtui records (runs, links, imports, settings, alerts,
archives): UTC, ISO 8601, to the second (``2026-11-30T06:29:24+00:00``), so that records sort and compare
as text; and the one compact form put in file names and run ids (``20261130T062924``). Below every room
(imports nothing of qbtui).

Local times (the autosync schedule, a lock's "started" line for a person) are not records and stay local.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as a record's timestamp: UTC, ISO 8601, seconds."""
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def now_stamp() -> str:
    """Now (UTC) for a file name or an id: ``YYYYmmddTHHMMSS``, no separator a file system refuses."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}"
