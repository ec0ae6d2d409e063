"""The autosync schedule (``autosync.start``, ``autosync.every``) and whether a scheduled run is due: what the
scheduled sync (:mod:`qbtui.maintenance.autosync`) and the dashboard's timer both ask, without the sync
itself (nothing here reaches QuickBooks, so the dashboard's process can import it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from qbtui.cache import Cache, Run, StateReader
from qbtui.settings import is_read_only

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class Schedule:
    start: datetime  # aware
    every: timedelta

    def slot(self, now: datetime) -> datetime | None:
        """The latest slot at or before ``now`` (None before the start)."""
        if now < self.start:
            return None
        n = int((now - self.start) / self.every)
        return self.start + n * self.every

    def next_after(self, now: datetime) -> datetime:
        slot = self.slot(now)
        return self.start if slot is None else slot + self.every


def parse_every(text: str) -> timedelta:
    m = re.fullmatch(r"([1-9]\d*)([mhd])", str(text).strip().lower())
    if not m:
        raise ValueError(f"autosync.every {text!r}: write a number and m, h or d")
    return timedelta(**{_UNITS[m[2]]: int(m[1])})


def schedule_of(settings: dict[str, Any]) -> Schedule | None:
    """The schedule in the settings, or None when autosync is off (start or frequency unset)."""
    start, every = settings.get("autosync.start"), settings.get("autosync.every")
    if not start or not every:
        return None
    begin = datetime.fromisoformat(str(start))
    if begin.tzinfo is None:
        begin = begin.astimezone()  # local time of this machine
    return Schedule(begin, parse_every(every))


def _aware(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.astimezone()


def last_scheduled(cache: Cache | StateReader) -> Run | None:
    return next((r for r in cache.runs() if r.get("kind") == "scheduled"), None)


def due(cache: Cache | StateReader, now: datetime | None = None) -> tuple[bool, str, datetime | None]:
    """(due?, why, the slot to run for)."""
    now = now or datetime.now().astimezone()
    sched = schedule_of(cache.settings())
    if sched is None:
        return False, "autosync is off: set autosync.start and autosync.every (qbtui settings set ...)", None
    if is_read_only(cache):
        return False, "the integration is disabled (From QuickBooks only): autosync sends nothing", None
    slot = sched.slot(now)
    if slot is None:
        return False, f"autosync starts at {sched.start.isoformat(timespec='minutes')}", None
    last = last_scheduled(cache)
    if last is not None:
        done_for = _aware(last.get("slot")) or _aware(last.get("started"))
        if done_for is not None and done_for >= slot:
            return False, (f"already ran for {slot.isoformat(timespec='minutes')}; next at "
                           f"{sched.next_after(now).isoformat(timespec='minutes')}"), slot
    return True, f"due for {slot.isoformat(timespec='minutes')}", slot
