"""The connect wizard (DOMAIN.md s.5) and the settings screen (s.6), as modal screens any app can push.

    from qbtui.tui.wizard import ConnectWizard, SettingsScreen, needs_wizard
    app.push_screen(ConnectWizard(profile_path), callback)   # callback(True) once confirmed, None if left
    app.push_screen(SettingsScreen(profile_path))

Both open their own writer Cache of the profile for their lifetime unless given ``cache=``."""

from qbtui.tui.wizard.screens import ConnectWizard
from qbtui.tui.wizard.settings_screen import SettingsScreen
from qbtui.tui.wizard.state import CONFIRM_PHRASE, STEPS, load_state, needs_wizard

__all__ = ["CONFIRM_PHRASE", "ConnectWizard", "STEPS", "SettingsScreen", "load_state", "needs_wizard"]
