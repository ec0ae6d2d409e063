"""The autosync scheduler while the dashboard runs.

Every ``interval`` seconds it checks (reader, cheap) whether a scheduled sync is due; when it is, it
runs ``qbtui sync --scheduled --events`` in a child process through the Backend, exactly what cron runs, so the one-sync-per-
profile lock, the slot bookkeeping and the e-mail alerts are the same. New in-app alerts (from this
run, or from cron while the dashboard was open) are shown with ``app.notify``.

    self.autosync = AutosyncTimer(self, profile_path, profile=name, data_dir=data_dir)
    self.autosync.start()          # in the App's on_mount
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from qbtui.cache import StateReader

from ..backend import Backend


class AutosyncTimer:
    def __init__(self, app: Any, profile_path: Path | str, *, profile: str, data_dir: Path | str,
                 interval: float = 30.0, on_done: Callable[[int, str], None] | None = None,
                 argv: list[str] | None = None):
        self.app = app
        self.profile_path = Path(profile_path)
        self.profile = profile
        self.data_dir = Path(data_dir)
        self.interval = interval
        self.on_done = on_done
        self.backend = Backend(self.profile_path, profile=profile, data_dir=self.data_dir, command=argv)
        self.running = False
        self.seen: set[str] = set()
        self._timer: Any = None

    def start(self) -> None:
        """Show the unread alerts (e.g. from cron while the dashboard was closed), then check every interval."""
        self.notify_new_alerts()
        self._timer = self.app.set_interval(self.interval, self.tick, name="autosync")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def _alerts(self) -> list[dict[str, Any]]:
        from qbtui.maintenance.alerts import inbox

        try:
            with StateReader.open(self.profile_path) as state:  # settings only: cheap at 100k documents
                return inbox(state)
        except Exception:  # no profile yet, unreadable: nothing to show
            return []

    def is_due(self) -> bool:
        from qbtui.maintenance.schedule import due

        try:
            with StateReader.open(self.profile_path) as state:
                return due(state)[0]
        except Exception:
            return False

    def notify_new_alerts(self) -> list[dict[str, Any]]:
        new = [a for a in self._alerts() if a["id"] not in self.seen and not a.get("read")]
        for a in new:
            self.seen.add(a["id"])
            self.app.notify(a["message"], title=a["title"], severity="error" if a.get("severity") == "error" else
                            "warning", timeout=15)
        return new

    async def tick(self) -> None:
        self.notify_new_alerts()
        if self.running or not self.is_due():
            return
        self.running = True
        try:
            code, message, error = await self.backend.scheduled_sync()
        finally:
            self.running = False
        self.notify_new_alerts()
        if error == "profile_busy":
            self.app.notify(message, title="Autosync waited", severity="warning", timeout=8)
        elif code == 0:
            self.app.notify(message, title="Autosync", timeout=4)
        if self.on_done:
            self.on_done(code, message)
