"""Driving the dashboard of a test profile (tests/support/profiles.py) headless."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from qbtui.tui.app import QbtuiApp


async def ready(pilot: Any) -> None:
    """Every worker done and the screen refreshed."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@asynccontextmanager
async def on_invoices(profile: Any, size: tuple[int, int] = (120, 40)) -> AsyncIterator[tuple[QbtuiApp, Any]]:
    """The profile's dashboard open on Sales > Invoices: (app, pilot)."""
    app = QbtuiApp(profile.path, profile="default", data_dir=profile.data_dir)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("1")
        while app.dashboard.sub.key != "sale_invoice":
            await pilot.press("right_square_bracket")
        await ready(pilot)
        yield app, pilot
