"""The App: the composition root. It builds the Backend (the one door to the profile and QuickBooks) and the
Dashboard screen that owns the state and the actions; it keeps only what is the whole app's: the keys (so
that the footer shows them on every screen), the command palette and the key-latency timer of the bench."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual import events
from textual.app import App
from textual.screen import Screen

from qbtui.cache import Cache

from .backend import Backend, Gates
from .dashboard import Dashboard
from .keys import APP_BINDINGS


class QbtuiApp(App[None]):
    """qbtui's dashboard: mirrors an inventory system's accounting integration screen."""

    TITLE = "qbtui"
    BINDINGS = APP_BINDINGS
    CSS = """
    Screen { layers: base overlay; }
    """

    def __init__(self, profile_path: Path | None, *, profile: str = "default", data_dir: Path | None = None,
                 clock: Callable[[], datetime] | None = None, qbtui_command: list[str] | None = None,
                 theme: str | None = None, gate_source: Callable[[Cache], Gates] | None = None,
                 autosync: bool = False, wizard: bool = False, firm: bool = False) -> None:
        """``firm``: open the companies screen (every profile under ``data_dir``) first; Enter on one opens its
        dashboard, and coming back from it (q, or Esc with nothing to clear) shows the companies again."""
        super().__init__()
        self._dashboard_options = {"clock": clock, "autosync": autosync, "wizard": wizard}
        self._backend_options = {"data_dir": data_dir, "command": qbtui_command, "gate_source": gate_source}
        self.data_dir = data_dir
        self.firm = firm
        self._dashboard: Dashboard | None = None
        if profile_path is not None and not firm:
            self.backend = Backend(profile_path, profile=profile, **self._backend_options)  # type: ignore[arg-type]
            self._dashboard = Dashboard(self.backend, **self._dashboard_options)  # type: ignore[arg-type]
        self._action_targets.add("dashboard")  # keys.py's "dashboard.x" actions run on the Dashboard
        self.key_timings: list[tuple[str, float]] = []
        self._key_started: tuple[str, float] | None = None
        if theme:
            self.theme = theme

    def get_default_screen(self) -> Screen:
        if self._dashboard is None:
            from .companies import CompaniesScreen

            clock = self._dashboard_options["clock"]
            return CompaniesScreen(Path(self.data_dir or "."), on_open=self.open_company,
                                   now=clock().astimezone() if callable(clock) else None)
        return self._dashboard

    @property
    def dashboard(self) -> Dashboard | _NoDashboard:
        """The dashboard the ``dashboard.`` keys run on; on the companies screen, before one is open, a stand-in
        that refuses them (so that they neither run nor show in the footer), ctrl+q excepted."""
        return self._dashboard if self._dashboard is not None else _NO_DASHBOARD

    def open_company(self, profile: str) -> None:
        """Firm mode: the company's dashboard, over the companies screen (q or Esc comes back)."""
        from qbtui.cache import profile_dir

        data_dir = Path(self.data_dir or ".")
        self.backend = Backend(profile_dir(data_dir, profile), profile=profile,
                               **self._backend_options)  # type: ignore[arg-type]
        self._dashboard = Dashboard(self.backend, **self._dashboard_options)  # type: ignore[arg-type]
        self.push_screen(self._dashboard)

    def close_company(self) -> None:
        """Firm mode: from the dashboard back to the companies screen (refused while its upload runs)."""
        dashboard = self._dashboard
        if dashboard is None or not self.firm:
            return
        if dashboard.uploading:
            self.notify("An upload is running; wait for it, or ctrl+q asks to stop it and quit.", severity="warning")
            return
        if dashboard._autosync is not None:
            dashboard._autosync.stop()
        self._dashboard = None
        self.pop_screen()

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        if self._dashboard is not None:
            yield from self._dashboard.commands()

    # ------------------------------------------------------------------ key latency (bench)
    async def on_event(self, event) -> None:
        if isinstance(event, events.Key) and self._time_keys and not getattr(event, "_qbtui_timed", False):
            event._qbtui_timed = True  # type: ignore[attr-defined]  # bubbled copies are not new keys
            self._key_started = (event.key, time.perf_counter())
            self.key_timings.append((event.key, 0.0))
            self.call_after_refresh(self._key_done)
        await super().on_event(event)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        result = await super().run_action(action, default_namespace, namespaces)
        if not result and isinstance(action, str):
            # a key greyed in the footer, pressed anyway: the dashboard's, or a screen's own that says why (Duplicates'
            # d, the audit log's u on a read-only profile)
            target = (self._dashboard if action.startswith("dashboard.") else
                      default_namespace if default_namespace is self.screen else None)
            if target is not None and hasattr(target, "disabled_why"):
                self._say_why_disabled(target, action)
        if self._key_started is not None:
            self.call_after_refresh(self._key_done)  # the end of the refresh after the action's work
        return result

    def _say_why_disabled(self, screen: Screen, action: str) -> None:
        """A key shown disabled (greyed in the footer) was pressed: say why (the screen's ``disabled_why``), rather
        than nothing."""
        from textual.actions import parse

        _, name, parameters = parse(action)
        shown_disabled = self.screen is screen and screen.check_action(name, parameters) is None
        why = screen.disabled_why(name, parameters) if shown_disabled else None  # type: ignore[attr-defined]
        if why:
            self.notify(why, severity="warning", timeout=8)

    def on_dashboard_shown(self, message: Dashboard.Shown) -> None:
        if self._key_started is not None:
            self.call_after_refresh(self._key_done)  # a key whose work is a message (the filter's enter)

    @property
    def _time_keys(self) -> bool:
        return bool(os.environ.get("QBTUI_TIME_KEYS"))

    def _key_done(self) -> None:
        """Latency of the last key: to the end of the last refresh its work caused."""
        if self._key_started is not None and self.key_timings:
            key, t0 = self._key_started
            self.key_timings[-1] = (key, time.perf_counter() - t0)


class _NoDashboard:
    """The ``dashboard.`` target while no dashboard is open (firm mode's companies screen)."""

    def __init__(self) -> None:
        self.app: App | None = None

    def check_action(self, action: str, parameters) -> bool | None:
        return action == "quit"

    def action_quit(self) -> None:
        from textual._context import active_app

        active_app.get().exit()


_NO_DASHBOARD = _NoDashboard()
