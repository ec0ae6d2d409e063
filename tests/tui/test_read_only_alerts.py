"""The dashboard says when nothing may be sent (the profile read-only: integration mode From QuickBooks only, as
`qbtui integration disable` sets it): the status line in words, the keys that would send greyed in the footer and,
pressed anyway, a note saying why instead of an upload. The alerts screen: the failing scheduled syncs, newest
first, each with its run. And a stored key remap the dashboard refuses (as `qbtui settings set` would have)."""

from __future__ import annotations

import asyncio
import re
import time

from qbtui.cache import Cache
from qbtui.maintenance import integration
from qbtui.maintenance.alerts import unread
from qbtui.tui.app import QbtuiApp
from qbtui.tui.maintenance import AlertsScreen, RunDetailScreen
from qbtui.tui.screens import ConfirmScreen, HelpScreen
from tests.support.documents import small_set

from .test_keys import ready, status_text

SIZE = (80, 24)


def footer_keys(app) -> dict[str, bool]:
    """The footer's keys (shown ones): binding id -> enabled (False: greyed)."""
    return {b.binding.id: b.enabled for b in app.screen.active_bindings.values() if b.binding.show and b.binding.id}


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def wait_for(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + 30  # a guard against hanging, not a timing assertion
    while not condition():
        assert time.monotonic() < deadline, what
        await pilot.pause(0.1)


async def test_read_only_shows_in_words_and_the_sending_keys_are_greyed_and_say_why(make_app, data_dir):
    path = data_dir / "profiles" / "demo"
    with Cache.open(path, writer=True, command="qbtui integration disable") as cache:
        integration.disable(cache)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        d = app.dashboard
        assert "READ-ONLY: nothing is sent" in status_text(app)  # whole, at 80 columns
        keys = footer_keys(app)
        assert keys["upload_selected"] is False and keys["upload_all"] is False  # shown, greyed
        assert keys["filter"] is True and keys["select_toggle"] is True
        await pilot.press("space", "u")
        await pilot.press("U")
        await pilot.press("S")
        await pilot.press("o")  # a Discrepancies key: not this tab's, so it says nothing here
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and not d.uploading
        said = [m for m in notes(app) if "read-only" in m]
        assert len(said) == 3 and all("qbtui integration enable" in m for m in said), notes(app)
        await pilot.press("5", "r")  # Errors: re-sync is greyed too, and says why
        await pilot.pause()
        assert footer_keys(app)["resync"] is False and footer_keys(app)["fix"] is True  # fixing is local: it works
        assert len([m for m in notes(app) if "read-only" in m]) == 4
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("6")  # Discrepancies: pushing ours and re-sending send; taking QuickBooks' does not
        await pilot.pause()
        keys = footer_keys(app)
        assert keys["resolve_push"] is False and keys["resolve_resend"] is False
        assert keys["resolve_accept"] is True and keys["resolve_dismiss"] is True
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and len([m for m in notes(app) if "read-only" in m]) == 5
        await pilot.press("question_mark")  # the help still lists every key, with its id
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert {"upload_all", "alerts"} <= {bid for _, _, bid in app.screen.bindings_list}
        await pilot.press("escape", "1")

        with Cache.open(path, writer=True, command="qbtui integration enable") as cache:  # another process
            integration.enable(cache)
        await wait_for(pilot, lambda: not d.read_only, "the dashboard never noticed")
        await pilot.pause()
        assert "READ-ONLY" not in status_text(app)
        assert footer_keys(app)["upload_all"] is True
        await pilot.press("U")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # sending works again
        await pilot.press("n")


async def test_the_palette_says_why_too(make_app, data_dir):
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="qbtui integration disable") as cache:
        integration.disable(cache)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Upload all")
        await command.callback()
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("read-only" in m for m in notes(app))


def failing_scheduled_sync(make_profile):
    """A profile whose scheduled sync failed as it does in real life: a customer made inactive in QuickBooks after
    it was synced, so that its invoices are refused; run as cron runs it (`qbtui sync --scheduled`)."""
    from tests.maintenance.test_autosync import set_schedule

    profile = make_profile()
    profile.import_docs(small_set(3))
    assert profile.q("sync", "--type", "customer", "--type", "product", "--yes").exit_code == 0
    with profile.cache() as cache:
        customer = cache.link("customer", "C-100")["qbo"][0]["id"]

    async def deactivate(client):
        c = await client.read("Customer", customer)
        await client.update("Customer", {"Id": customer, "SyncToken": c["SyncToken"], "Active": False}, sparse=True)

    profile.qbo(deactivate)
    set_schedule(profile.path)
    result = profile.q("sync", "--scheduled")
    assert result.exit_code == 1, result.output
    return profile


def test_alerts_screen_lists_failing_scheduled_syncs_with_their_runs(make_profile):
    profile = failing_scheduled_sync(make_profile)
    with profile.cache() as cache:
        alert = unread(cache)[-1]
        run = next(r for r in cache.runs() if r["id"] == alert["run"])

    async def walk():
        app = QbtuiApp(profile.path, profile="default", data_dir=profile.data_dir)
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(app, pilot)
            assert "1 new alert (A)" in status_text(app)
            await pilot.press("A")
            await pilot.pause()
            assert isinstance(app.screen, AlertsScreen)
            screen = app.screen
            await wait_for(pilot, lambda: screen.rows, "the alerts never came")
            await pilot.pause()
            assert [a["id"] for a in screen.rows] == [alert["id"]]
            table = screen.query_one("#alerts")
            cells = [str(c) for c in table.get_row_at(0)]
            assert cells[0] == "NEW" and cells[3] == run["id"] and cells[4] == run["who"]
            assert cells[2] == alert["title"] and "failed" in cells[2]
            detail = str(screen.query_one("#alert-detail").render())
            assert "SO-1001" in detail and f"Run {run['id']}" in detail and "None" not in detail
            assert "sent " in detail and " OK, " in detail  # the run's counts in the words of every summary
            shown = {b.binding.id for b in screen.active_bindings.values() if b.binding.show}
            assert not {i for i in shown if i in ("upload_all", "upload_selected", "select_toggle")}  # its own keys
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, RunDetailScreen) and app.screen.run["id"] == run["id"]
            words = str(app.screen.query_one("#run-words").render())  # the run in words, above its whole record
            assert words.startswith(f"Run {run['id']}: scheduled, by {run['who']}") and "None" not in words
            sent, ok, failed = (int(n) for n in re.search(r"sent (\d+): (\d+) OK, (\d+) failed", words).groups())
            assert ok + failed == sent and failed >= 2 and "Refused: sale_invoice SO-1001 (Invoice)" in words
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("a")  # mark read
            await wait_for(pilot, lambda: all(a.get("read") for a in screen.rows), "never marked read")
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.dashboard
            await wait_for(pilot, lambda: "alert" not in status_text(app), "the status line kept the alert")
            names = {c.title for c in app.get_system_commands(app.screen)}
            assert "Alerts" in names
            await app.workers.wait_for_complete()

    asyncio.run(walk())
    with profile.cache() as cache:
        assert unread(cache) == []


async def test_a_stored_remap_that_would_take_a_bound_key_or_names_no_binding_is_left_out_and_said(make_app, data_dir):
    """Remaps stored without `qbtui settings set` (before its refusals existed, or by hand): the dashboard applies
    the good one, leaves out the others and says which and why, once; the keys they would have taken still work."""
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="an older qbtui") as cache:
        cache.set_setting("keymap.upload_all", "u")  # u is Upload (upload_selected)
        cache.set_setting("keymap.upload_everything", "ctrl+e")  # no such binding
        cache.set_setting("keymap.toggle_pending", "F")  # fine: F is free
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        said = [n.message for n in app._notifications if n.title == "A remapped key is not applied"]
        assert len(said) == 2, said
        assert any("keymap.upload_all = u" in m and "already bound to upload_selected" in m for m in said)
        assert any("'upload_everything' is not a binding id" in m and "qbtui settings unset" in m for m in said)
        await pilot.press("F")  # the good remap is applied
        assert not app.dashboard.pending_only
        await pilot.press("u")  # still Upload (the selection): nothing selected, so it says so
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any(n.message.startswith("Nothing selected") for n in app._notifications)
        await pilot.press("U")  # and U still uploads all shown
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        app.dashboard.reload()  # read again: not said twice
        await ready(app, pilot)
        assert len([n for n in app._notifications if n.title == "A remapped key is not applied"]) == 2


async def test_qbtui_settings_unset_gives_the_default_key_back_in_the_open_dashboard(make_app, data_dir):
    """`qbtui settings unset keymap.ID` from a shell while the dashboard is open: the dashboard notices (it watches its
    profile) and the default key works again, the remapped one no longer."""
    from tests.support.profiles import Qbtui

    q = Qbtui(data_dir)
    assert q("settings", "set", "keymap.upload_all", "ctrl+u", profile="demo").exit_code == 0
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        d = app.dashboard
        await pilot.press("U")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)  # U gave way to ctrl+u
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        r = q("settings", "unset", "keymap.upload_all", profile="demo")
        assert r.exit_code == 0 and "unset" in r.output
        await wait_for(pilot, lambda: "keymap.upload_all" not in d.settings, "the dashboard never noticed")
        await pilot.pause()
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("U")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")


async def test_the_status_line_counts_new_alerts_and_says_when_the_last_sync_could_not_run(make_app, data_dir):
    from .test_read_only_alerts_snapshots import ALERTS, RUNS

    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="tests") as cache:
        for run in RUNS:  # the newest: a scheduled sync that could not reach QuickBooks
            cache.add_run(run)
        cache.put_reference("alerts", ALERTS)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        text = status_text(app)
        assert "2 new alerts (A)" in text and "sync FAILED 11-27 06:00" in text, text
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:  # at 80 columns the alerts stay whole (A tells what failed)
        await ready(app, pilot)
        assert "0 selected, total $0.00 | 2 new alerts (A) | " in status_text(app)
