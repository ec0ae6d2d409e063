"""The opening steps after setup from the settings screen (`o`): the same child command as `qbtui opening`, after
the same question, against the loopback sandbox."""

from __future__ import annotations

import asyncio

from textual.app import App

from qbtui.tui.wizard import SettingsScreen
from qbtui.tui.wizard.opening_screen import OpeningScreen
from tests.support.documents import product

from .test_wizard_walk import settle


def _opening_journals(env) -> list[dict]:
    return [j for j in env.live("JournalEntry") if j.get("DocNumber") == "OPENING-INV"]


def test_opening_journal_from_the_settings_screen(make_profile):
    env = make_profile()  # connected outside the app's event loop (the connect runs one of its own)
    env.import_docs([product(quantity_on_hand="10", average_cost="4.10")])
    assert env.q("settings", "set", "filter_start_date", "2026-11-01").exit_code == 0

    class Host(App):
        def on_mount(self):
            self.push_screen(SettingsScreen(env.path))

    asyncio.run(_walk(env, Host()))
    assert len(_opening_journals(env)) == 1
    runs = env.q.json("runs")["runs"]
    assert runs[0]["kind"] == "maintenance" and runs[0]["ended"]


async def _walk(env, app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, OpeningScreen)
        await pilot.press("down", "down", "enter")  # the opening inventory journal
        await pilot.pause()
        assert "opening inventory journal" in str(app.screen.query_one("#opening-question").content)
        await pilot.press("n")
        await settle(app, pilot)
        assert not _opening_journals(env)
        await pilot.press("enter", "y")
        await settle(app, pilot)
        said = str(app.screen.query_one("#opening-result").content)
        assert "posted JournalEntry" in said and "2026-10-31" in said, said
        await pilot.press("enter", "y")  # once only: the second run is refused, and said
        await settle(app, pilot)
        assert "already posted" in str(app.screen.query_one("#opening-result").content)
