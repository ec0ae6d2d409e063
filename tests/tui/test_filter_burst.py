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


async def test_keys_typed_while_the_fix_form_is_read_are_not_the_dashboards(make_app):
    """e reads the document in a child process before the form opens: the keys typed meanwhile (the date the form is
    opened for: 2 would switch to Purchases, a would select every row) do nothing on the dashboard."""
    from qbtui.tui.screens import FixScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        await ready(pilot)
        top = app.dashboard.top
        for key, char in [("e", "e"), ("2", "2"), ("a", "a"), ("u", "u")]:
            app.post_message(events.Key(key, char))
        for _ in range(600):  # the child process reads the document
            await pilot.pause(0.05)
            if isinstance(app.screen, FixScreen):
                break
        assert isinstance(app.screen, FixScreen)
        assert app.dashboard.top == top and not app.dashboard.table.selected and not app.dashboard.opening_fix
