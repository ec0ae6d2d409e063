"""On a read-only profile (From QuickBooks only, as `qbtui integration disable` sets it) the maintenance screens'
keys that write to QuickBooks, Duplicates' d (remove) and the audit log's u (undo a run), are greyed in their
footer and, pressed anyway, refused at once saying why in the dashboard's words: no confirm, no child process.
When sending is turned back on (by another process), they are back."""

from __future__ import annotations

from qbtui.cache import Cache
from qbtui.maintenance import integration
from qbtui.tui.keys import READ_ONLY_WHY
from qbtui.tui.maintenance import AuditScreen, DuplicatesScreen
from qbtui.tui.maintenance.screens import ConfirmRemoveScreen
from tests.maintenance.test_screens import Host  # a maintenance screen alone (no dashboard under it)

from .test_keys import ready
from .test_read_only_alerts import SIZE, footer_keys, notes, wait_for

FROM, TO = "2026-11-01", "2026-11-30"


def set_read_only(data_dir, on: bool) -> None:
    command = "qbtui integration disable" if on else "qbtui integration enable"
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command=command) as cache:
        (integration.disable if on else integration.enable)(cache)


def sending_workers(app) -> list:
    return [w for w in app.workers if w.group in ("maintenance-remove", "audit-undo")]


async def test_remove_and_undo_are_greyed_and_say_why_at_once(make_app, data_dir):
    set_read_only(data_dir, True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.dashboard.read_only
        for screen, key, binding in ((DuplicatesScreen(app.backend, FROM, TO), "d", "maintenance.remove"),
                                     (AuditScreen(app.backend), "u", "audit.undo")):
            app.push_screen(screen)
            await ready(app, pilot)
            assert app.screen is screen
            screen.query_one("DataTable").focus()  # where the key is pressed (not the range's inputs)
            await pilot.pause()
            keys = footer_keys(app)
            assert keys[binding] is False, keys  # shown, greyed
            assert keys[next(b for b in keys if b.endswith(".back"))] is True  # the others work
            before = len(notes(app))
            await pilot.press(key)
            await pilot.pause()
            said = notes(app)[before:]
            assert said == [READ_ONLY_WHY], said  # at once, the dashboard's words, once
            assert app.screen is screen and not isinstance(app.screen, ConfirmRemoveScreen)
            assert not sending_workers(app)  # no child process was asked
            await pilot.press("escape")
            await ready(app, pilot)
            assert app.screen is app.dashboard

        screen = AuditScreen(app.backend)
        app.push_screen(screen)
        await ready(app, pilot)
        set_read_only(data_dir, False)  # another process turns sending back on
        await wait_for(pilot, lambda: not app.dashboard.read_only, "the dashboard never noticed")
        await pilot.pause()
        assert app.screen is screen and footer_keys(app)["audit.undo"] is True  # back, on the screen shown
        await app.workers.wait_for_complete()


async def test_without_the_dashboard_the_profile_settings_say_it(data_dir):
    set_read_only(data_dir, True)
    app = Host(AuditScreen(data_dir / "profiles" / "demo"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert footer_keys(app)["audit.undo"] is False
        await pilot.press("u")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmRemoveScreen) and not sending_workers(app)
