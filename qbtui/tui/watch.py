"""The dashboard notices when another process changed its profile (a sync from cron, `qbtui pull`, `qbtui undo`,
an import): every couple of seconds, off the UI thread, it compares a stamp of the profile's store files (their
size and modification time: a few stat calls, no read, no lock) and reloads when it moved. While the dashboard's
own upload or autosync runs it does not reload (their events update the rows); the stamp is taken again after."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: the files a write to the profile touches (the documents store and its journal, the settings and runs, the
#: outcomes' mark); not the writer's lock, which a reader never changes either
STORE_FILES = ("documents.sqlite", "documents.sqlite-wal", "state.json", "outcomes.mark")
INTERVAL_S = 2.0


def stamp(profile_path: Path) -> tuple:
    """The files' (modification time, size). An empty journal is no journal: SQLite makes it when a first
    connection opens the store and removes it when the last one closes (a reader child of the dashboard, the
    gates' check), which writes nothing; taken as a change, each would reload the whole model."""
    out = []
    for name in STORE_FILES:
        try:
            st = os.stat(Path(profile_path) / name)
        except OSError:
            out.append((name, None))
            continue
        if name.endswith("-wal") and st.st_size == 0:
            out.append((name, None))
            continue
        out.append((name, st.st_mtime_ns, st.st_size))
    return tuple(out)


class ProfileWatch:
    """Started by the Dashboard once mounted; ``changes`` counts the reloads it caused (tests read it)."""

    def __init__(self, dashboard: Any, interval: float = INTERVAL_S) -> None:
        self.dashboard = dashboard
        self.path = Path(dashboard.backend.profile_path)
        self.interval = interval
        self.last = stamp(self.path)
        self.changes = 0
        self._timer: Any = None

    def start(self) -> None:
        self._timer = self.dashboard.set_interval(self.interval, self.tick, name="profile-watch")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def tick(self) -> None:
        self.dashboard.run_worker(self._check, thread=True, group="profile-watch", exclusive=True,
                                  exit_on_error=False)

    def _check(self) -> None:
        now = stamp(self.path)
        if now == self.last:
            return
        self.last = now
        if self.dashboard.busy:  # our own upload or the autosync: their events and their end reload already
            return
        self.changes += 1
        self.dashboard.app.call_from_thread(self.dashboard.reload)
