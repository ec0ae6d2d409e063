"""The reconcile screen's From/To inputs show their whole date (not "026-11-01" scrolled by the cursor), focused
or not, at 80x24 and 120x40: what a person reads on the screen, line by line."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from qbtui.tui.maintenance import ReconcileScreen

from .test_keys import ready
from .test_snapshots import SIZES


def visible(widget: Input) -> str:
    """The text the screen shows where the input's value is (its content region), as drawn."""
    region = widget.content_region
    line = widget.screen._compositor.render_strips()[region.y]
    return line.crop(region.x, region.right).text


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_input_shows_its_whole_date(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        app.push_screen(ReconcileScreen(app.backend, "2026-11-01", "2026-11-30"))
        await ready(app, pilot)
        screen = app.screen
        inputs = list(screen.query(Input))
        assert [i.id for i in inputs] == ["from", "to"]
        for widget in inputs:
            widget.focus()
            widget.action_end()  # the cursor after the last digit: where typing a date leaves it
            await pilot.pause()
            assert widget.has_focus and widget.cursor_position == len(widget.value) == 10
            assert widget.scroll_offset.x == 0, widget.id  # nothing scrolled off to the left
            assert widget.content_region.width >= len(widget.value) + 1  # the date and the cursor after it
            for other in inputs:
                assert other.value in visible(other), (widget.id, visible(other))
            assert screen.region.contains_region(widget.region)  # and the input itself on the screen
