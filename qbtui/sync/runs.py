"""What every run record carries: when (UTC, ISO) and who (``user@host``); runs stopped by Ctrl+C."""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
from collections.abc import Iterator

from qbtui.cache import Cache

# the one timestamp of every record (qbtui.timestamps), re-exported for sync/ and maintenance/
from qbtui.timestamps import now_iso as now_iso


def who() -> str:
    """``user@host`` of this process (``QBTUI_USER`` overrides: e.g. the accountant's name in cron)."""
    user = os.environ.get("QBTUI_USER")
    if not user:
        try:
            user = getpass.getuser()
        except Exception:  # no passwd entry (containers)
            user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"{user}@{socket.gethostname()}"


@contextlib.contextmanager
def marks_interrupted(cache: Cache) -> Iterator[None]:
    """Ctrl+C (SIGINT, a KeyboardInterrupt) while this block runs: every run it started is marked ``interrupted``
    (and ended) in the run log before the interrupt goes on, so that the log never shows a stopped run as a
    finished one. What was in flight is looked up in QuickBooks by the next sync before anything is sent again."""
    before = {run["id"] for run in cache.runs()}
    try:
        yield
    except KeyboardInterrupt:
        for run in cache.runs():
            if run["id"] not in before:
                cache.update_run(run["id"], interrupted=True, ended=run.get("ended") or now_iso())
        raise
