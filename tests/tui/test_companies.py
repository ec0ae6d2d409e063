"""Firm mode: three profiles against three sandbox companies in one data folder; the companies screen shows each,
sorts and filters them, Enter opens that company's dashboard and Esc comes back."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from qbtui.cache.paths import list_profiles
from qbtui.tui.app import QbtuiApp
from qbtui.tui.companies import CompaniesScreen
from qbtui.tui.dashboard import Dashboard
from tests.support.firm import make_firm


@pytest.fixture
def firm(make_profile, tmp_path: Path) -> dict:
    return make_firm(make_profile, tmp_path)


def _rows(screen: CompaniesScreen) -> list[list[str]]:
    table = screen.table
    return [[str(cell).strip() for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def _until(pilot, condition) -> None:
    for _ in range(400):  # a guard against hanging, not a timing assertion
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("never happened")


def test_the_companies_screen_lists_each_profile_and_opens_its_dashboard(firm):
    data_dir = firm["data_dir"]
    assert list_profiles(data_dir) == ["north", "south", "west"]

    async def go() -> None:
        app = QbtuiApp(None, data_dir=data_dir, firm=True)
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, CompaniesScreen)
            await _until(pilot, lambda: screen.table.row_count == 3)
            rows = {r[0]: r for r in _rows(screen)}
            assert rows["north"][1] == "Harbourside Goods (demo)"
            assert rows["south"][1] == "Harbourside Goods (tracked inventory in QuickBooks)"
            assert rows["west"][1] == "Sandbox Company"
            assert all(r[3] == "yes" for r in rows.values())  # connected
            assert rows["north"][4] != "0" and rows["south"][4] != "0" and rows["west"][4] == "0"  # pending
            assert rows["north"][8] != "never" and rows["west"][8] == "never"  # last sync
            assert rows["west"][9] == "off"  # no autosync schedule set
            # the dashboard's keys neither run nor show here
            assert "Upload" not in str(app.screen.active_bindings)
            await pilot.press("u")
            assert app.screen is screen

            # sorted by Pending, then reversed: the most waiting first
            for _ in range(4):
                await pilot.press("s")
            await pilot.press("S")
            assert [r[0] for r in _rows(screen)][-1] == "west"
            # filtered
            await pilot.press("slash", *"sou", "enter")
            assert [r[0] for r in _rows(screen)] == ["south"]
            await pilot.press("escape")
            assert len(_rows(screen)) == 3

            # Enter on north: its dashboard; Esc comes back
            keys = [r[0] for r in _rows(screen)]
            while keys[screen.table.cursor_row] != "north":
                await pilot.press("j")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, Dashboard)
            assert app.dashboard.backend.profile == "north"
            await _until(pilot, lambda: app.dashboard.model.by_key)
            assert ("sale_invoice", "MSO-1001") in app.dashboard.model.by_key
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            # another company
            await pilot.press("j")
            name = keys[screen.table.cursor_row]
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, Dashboard) and app.dashboard.backend.profile == name
            await pilot.press("q")
            await pilot.pause()
            assert app.screen is screen

    asyncio.run(go())
