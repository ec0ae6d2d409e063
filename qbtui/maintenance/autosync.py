"""Autosync: the schedule in settings (``autosync.start``: first run, date and time, local time
unless it carries an offset; ``autosync.every``: 15m, 1h, 1d...), the scheduled sync that cron runs
(``qbtui sync --scheduled``) and the dashboard runs while it is open, and its alerts.

One sync per profile, always: a sync holds the profile's writer lock for its whole run. A scheduled
sync that finds the profile held waits up to ``QBTUI_SYNC_WAIT`` seconds (default 30) for it, then
refuses clearly (exit 2, naming the holder); it never sends beside another sync. A slot of the
schedule is run once: a scheduled run records the slot it ran for; the next run waits for the next
slot. A scheduled sync that fails (cannot connect, QBO refused documents, any error) raises an
alert: in the app and by e-mail (see :mod:`qbtui.maintenance.alerts`).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from qbtui.cache import Cache, CacheLocked
from qbtui.maintenance.alerts import raise_alert
from qbtui.maintenance.audit import now_iso, who
from qbtui.maintenance.schedule import Schedule, due, last_scheduled, parse_every, schedule_of
from qbtui.sync import events
from qbtui.sync.readonly import check_writes_allowed
from qbtui.sync.runs import marks_interrupted

__all__ = ["DEFAULT_WAIT_S", "WAIT_ENV", "Schedule", "ScheduledResult", "SyncBusy", "due", "last_scheduled",
           "open_writer", "parse_every", "run_scheduled", "run_scheduled_with", "schedule_of"]

WAIT_ENV = "QBTUI_SYNC_WAIT"
DEFAULT_WAIT_S = 30.0


class SyncBusy(Exception):
    """Another process holds the profile (a sync, an undo, the dashboard saving...)."""


def open_writer(profile_path: Path, *, wait_s: float | None = None, command: str = "qbtui sync --scheduled") -> Cache:
    """The profile's writer, waiting up to ``wait_s`` for another holder; SyncBusy after that."""
    if wait_s is None:
        try:
            wait_s = float(os.environ.get(WAIT_ENV, DEFAULT_WAIT_S))
        except ValueError:
            wait_s = DEFAULT_WAIT_S
    deadline = time.monotonic() + max(0.0, wait_s)
    while True:
        try:
            return Cache.open(profile_path, writer=True, command=command)
        except CacheLocked as exc:
            if time.monotonic() >= deadline:
                raise SyncBusy(f"not synced: {exc} (waited {wait_s:g} s; the next scheduled run will try "
                               "again)") from None
            time.sleep(0.2)


@dataclass
class ScheduledResult:
    exit_code: int  # 0 done or not due, 1 documents failed/blocked, 2 could not run
    message: str
    run: dict[str, Any] | None = None
    report: Any = None
    alert: dict[str, Any] | None = None
    #: why it could not run, as the CLI's JSON error code ("profile_busy": another process held the profile)
    error: str | None = None


async def _sync(cache: Cache, profile_path: Path, transport: Any = None,
                on_event: events.Listener | None = None) -> Any:
    from qbtui.sync.connection import open_client
    from qbtui.sync.engine import SyncEngine

    check_writes_allowed(cache)
    client = await open_client(cache, profile_path, transport=transport)
    async with client:
        return await SyncEngine(cache, client, on_event=on_event).sync(kind="scheduled")


def run_scheduled_with(cache: Cache, profile_path: Path, *, now: datetime | None = None, force: bool = False,
                       transport: Any = None, on_event: events.Listener | None = None
                       ) -> ScheduledResult:
    """The scheduled sync over a writer cache the caller holds (so nothing else syncs meanwhile)."""
    is_due, why, slot = due(cache, now)
    if not is_due and not force:
        return ScheduledResult(0, f"nothing to do: {why}")
    slot_text = (slot or datetime.now().astimezone()).isoformat(timespec="seconds")
    from qbtui.sync.preflight import first_sync_blocker

    blocker = first_sync_blocker(cache)
    if blocker is not None:  # as `qbtui sync` refuses a first sync the preflight blocks: nothing sent, no run
        message = f"the scheduled sync sent nothing: {blocker.title} (qbtui preflight says what to do)"
        alert = raise_alert(cache, "scheduled sync refused by the preflight", message)
        return ScheduledResult(2, message, alert=alert, error=f"preflight.{blocker.code}")
    try:
        with marks_interrupted(cache):  # Ctrl+C: the run is marked interrupted, the command exits 130
            report = asyncio.run(_sync(cache, profile_path, transport, on_event))
    except Exception as exc:  # connection, login, QBO down, a bug: all must alert
        message = f"the scheduled sync could not run: {exc}"
        run_id = cache.add_run({"kind": "scheduled", "who": who(), "trigger": "schedule", "slot": slot_text,
                                "started": now_iso(), "ended": now_iso(), "counts": {}, "created": [],
                                "error": str(exc)})
        alert = raise_alert(cache, "scheduled sync failed", message, run=run_id)
        return ScheduledResult(2, message, next(r for r in cache.runs() if r["id"] == run_id), None, alert)
    run_id = report.run["id"]
    cache.update_run(run_id, who=who(), trigger="schedule", slot=slot_text)
    run = next(r for r in cache.runs() if r["id"] == run_id)
    failed = [d for d in report.documents if d["status"] == "failed"]
    counts = run.get("counts") or {}
    summary = events.counts_text(counts)
    alert = None
    if failed:
        lines = [f"{d['type']} {d['ref']}: {events.reason_text(d.get('error'))}" for d in failed[:20]]
        more = f"\n... and {len(failed) - 20} more" if len(failed) > 20 else ""
        alert = raise_alert(cache, f"scheduled sync: {len(failed)} document{'s' if len(failed) != 1 else ''} failed",
                            f"run {run_id}: {summary}\n" + "\n".join(lines) + more, run=run_id)
    return ScheduledResult(report.exit_code, f"scheduled run {run_id}: {summary}", run, report, alert)


def run_scheduled(profile_path: Path, *, wait_s: float | None = None, now: datetime | None = None,
                  force: bool = False, transport: Any = None,
                  on_event: events.Listener | None = None) -> ScheduledResult:
    """``qbtui sync --scheduled``: take the profile (waiting a little), run if due, alert on failure."""
    try:
        cache = open_writer(profile_path, wait_s=wait_s)
    except SyncBusy as exc:
        return ScheduledResult(2, str(exc), error="profile_busy")
    with cache:
        return run_scheduled_with(cache, profile_path, now=now, force=force, transport=transport, on_event=on_event)

