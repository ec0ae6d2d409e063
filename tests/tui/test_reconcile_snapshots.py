"""Snapshots at 80x24 and 120x40: the reconcile screen's From/To range, each date whole (the sample profile is not
connected: the status says so). Update with: pytest tests/tui/test_reconcile_snapshots.py --snapshot-update"""

from __future__ import annotations

import pytest

from qbtui.tui.maintenance import ReconcileScreen

from .test_snapshots import SIZES, _ready


async def _reconcile(pilot):
    from textual.widgets import Input

    await _ready(pilot)
    pilot.app.push_screen(ReconcileScreen(pilot.app.backend, "2026-11-01", "2026-11-30"))
    await _ready(pilot)
    for field in pilot.app.screen.query(Input):  # a blinking cursor is drawn or not by when the picture is taken
        field.cursor_blink = False
    await _ready(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reconcile_range(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_reconcile)
