"""The connect wizard (docs/domain.md#connect-wizard) and the settings screen (docs/domain.md#settings),
as modal screens any app can push.

    from qbtui.tui.wizard import ConnectWizard, SettingsScreen, needs_wizard, wizard_commands
    app.push_screen(ConnectWizard(backend), callback)        # callback(True) once confirmed, None if left
    app.push_screen(SettingsScreen(backend))                 # or SettingsScreen(profile_path)

    # in the App: the command palette entries
    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield from wizard_commands(self, self.profile_path, backend=self.backend)

Both take the profile's Backend (or its folder) and go through it for everything that reads the whole
profile, writes or talks to QuickBooks: neither opens the cache (a reader elsewhere should ``reload()``
afterwards)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand

from qbtui.tui.backend import Backend
from qbtui.tui.wizard.screens import ConnectWizard
from qbtui.tui.wizard.settings_screen import SettingsScreen
from qbtui.tui.wizard.state import CONFIRM_PHRASE, STEPS, load_state, needs_wizard


def wizard_commands(app: App, profile_path: Path, *, on_done: Callable[[Any], None] | None = None,
                    backend: Backend | None = None, **wizard_kw: Any) -> Iterator[SystemCommand]:
    """Command palette entries that open the connect wizard and the settings screen (through ``backend``, else
    a Backend of ``profile_path``)."""
    yield SystemCommand("Connect wizard", "Connect to QuickBooks: mode, preflight, mapping, opening balances",
                        lambda: app.push_screen(ConnectWizard(backend or profile_path, **wizard_kw), on_done))
    yield SystemCommand("Settings", "Every setting of this profile, validated",
                        lambda: app.push_screen(SettingsScreen(backend or profile_path), on_done))


__all__ = ["CONFIRM_PHRASE", "ConnectWizard", "STEPS", "SettingsScreen", "load_state", "needs_wizard",
           "wizard_commands"]
