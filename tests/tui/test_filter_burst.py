"""Keys that arrive together (a fast typist or a paste over SSH: one packet) after `/` all go to the filter: none of
them reaches the dashboard's bindings (r re-syncs, e opens the fix form, a selects every row, u uploads)."""

from __future__ import annotations

from textual import events

from tests.support.tui import ready


async def test_a_burst_of_keys_after_slash_is_typed_into_the_filter(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        await ready(pilot)
        shown = len(app.dashboard.table.rows)
        for key, char in [("slash", "/"), *[(c, c) for c in "refunds"]]:  # as the terminal driver posts them
            app.post_message(events.Key(key, char))
        await ready(pilot)
        assert app.dashboard.filter_buffer == "refunds"
        assert app.screen is app.dashboard and not app.dashboard.table.selected  # no fix form, nothing selected
        rows = list(app.dashboard.table.shown_rows())
        assert 0 < len(rows) < shown and all("refunds" in r.search for r in rows)
        app.post_message(events.Key("escape", None))
        await ready(pilot)
        assert app.dashboard.filter_buffer is None and len(app.dashboard.table.rows) == shown


async def test_the_filters_remapped_key_opens_it_with_the_keys_that_came_along(make_app, data_dir):
    from qbtui.cache import Cache

    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="tests") as cache:
        cache.set_setting("keymap.filter", "F")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        await ready(pilot)
        for key, char in [("F", "F"), *[(c, c) for c in "refunds"]]:
            app.post_message(events.Key(key, char))
        await ready(pilot)
        assert app.dashboard.filter_buffer == "refunds" and app.screen is app.dashboard
