"""`j` and `k` move in the wizard's lists as the arrows do (here the settings list and the mode step's list)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from qbtui.tui.wizard import SettingsScreen

from .conftest import at_step
from .host import Host


async def test_j_and_k_move_in_the_settings_list(seeded, tmp_path: Path):
    profile = at_step(seeded, tmp_path, "mode")
    app = Host(lambda: SettingsScreen(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        ol = app.screen.query_one("#settings-list", OptionList)
        ol.focus()
        await pilot.pause()
        start = ol.highlighted
        assert start is not None
        await pilot.press("j", "j")
        assert ol.highlighted == start + 2
        await pilot.press("k")
        assert ol.highlighted == start + 1
        await pilot.press("down", "up")  # the arrows agree
        assert ol.highlighted == start + 1
