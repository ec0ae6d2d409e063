"""The maintenance screens in a host app (Pilot), against the loopback sandbox."""

from __future__ import annotations

from textual.app import App
from textual.widgets import DataTable, Static

from qbtui.tui.maintenance import AuditScreen, AutosyncTimer, DuplicatesScreen, ReconcileScreen, RunDetailScreen
from tests.maintenance.conftest import FROM, TO
from tests.maintenance.test_duplicates import duplicate_journal, journals_numbered


class Host(App):
    def __init__(self, screen):
        super().__init__()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_reconcile_screen(synced):
    app = Host(ReconcileScreen(synced.path, FROM, TO))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert str(screen.query_one("#status", Static).render()).startswith("OK: no difference")
        accounts = screen.query_one("#accounts", DataTable)
        assert accounts.row_count >= 6
        roles = {str(accounts.get_row_at(i)[1]) for i in range(accounts.row_count)}
        assert "Accounts receivable" in roles, roles  # the role in words, as the wizard names it
        assert not any("_" in role for role in roles), roles  # never its setting key (accounts_receivable)
        assert screen.query_one("#differences", DataTable).row_count == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, ReconcileScreen)


async def test_duplicates_screen_removes_after_confirm(synced):
    ours, twin = duplicate_journal(synced, "cogs", "COGS-SO-1001")
    app = Host(DuplicatesScreen(synced.path, FROM, TO))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#duplicates", DataTable)
        assert table.row_count == 2
        assert screen.selected()["id"] == ours  # qbtui's copy first, marked KEEP
        await pilot.press("d")  # refused: it is the linked one
        await pilot.pause()
        assert sorted(journals_numbered(synced, "COGS-SO-1001")) == sorted([ours, twin])
        await pilot.press("down", "d")
        await pilot.pause()
        await pilot.press("n")  # cancel
        await settle(app, pilot)
        assert len(journals_numbered(synced, "COGS-SO-1001")) == 2
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        assert journals_numbered(synced, "COGS-SO-1001") == [ours]
        assert "no duplicates" in str(app.screen.query_one("#status", Static).render())


async def test_audit_screen(synced, qbtui):
    qbtui.data_dir = synced.data_dir
    assert qbtui("integration", "disable").exit_code == 0
    app = Host(AuditScreen(synced.path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#audit", DataTable)
        assert table.row_count == 2
        assert [str(c) for c in table.get_row_at(0)][1:4] == ["maintenance", app.screen.rows[0]["who"],
                                                            "disable integration"]
        assert "Customer:" in str(table.get_row_at(1)[4])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunDetailScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)


async def test_autosync_timer_runs_due_sync_and_notifies(env, qbtui):
    from datetime import datetime, timedelta

    from qbtui.cache import Cache

    with Cache.open(env.path, writer=True, command="test") as cache:
        cache.set_setting("autosync.start", (datetime.now() - timedelta(minutes=1)).isoformat(timespec="minutes"))
        cache.set_setting("autosync.every", "1d")
    app = Host(AuditScreen(env.path))
    done = []
    async with app.run_test(size=(100, 30)) as pilot:
        timer = AutosyncTimer(app, env.path, profile="default", data_dir=env.data_dir, interval=3600,
                              on_done=lambda code, msg: done.append((code, msg)))
        timer.start()
        assert timer.is_due()
        await timer.tick()
        await pilot.pause()
        assert done and done[0][0] == 0, done
        assert not timer.is_due()
        timer.stop()
    with Cache.open(env.path, writer=False) as cache:
        assert cache.runs()[0]["kind"] == "scheduled"


async def test_unread_alerts_shown_then_marked_read(env):
    from qbtui.cache import Cache
    from qbtui.maintenance.alerts import raise_alert, unread

    with Cache.open(env.path, writer=True, command="test") as cache:
        raise_alert(cache, "scheduled sync failed", "QuickBooks could not be reached", run="r1")
    app = Host(AuditScreen(env.path))
    async with app.run_test(size=(100, 30)) as pilot:
        timer = AutosyncTimer(app, env.path, profile="default", data_dir=env.data_dir, interval=3600)
        timer.start()
        await settle(app, pilot)
        assert [n.title for n in app._notifications] == ["scheduled sync failed"]
        assert "1 unread alerts" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("a")
        await settle(app, pilot)  # marked read and reloaded by the Backend (child processes)
        assert "unread" not in str(app.screen.query_one("#status", Static).render())
        timer.stop()
    with Cache.open(env.path, writer=False) as cache:
        assert unread(cache) == []


async def test_undo_from_the_runs_screen_with_the_same_confirm(synced, qbtui):
    """`u` on a run of the audit log asks as `qbtui undo` asks (what it deletes and deactivates); `n` changes
    nothing; `y` undoes it (its invoices gone from QBO, its documents voided, the undo run in the log)."""
    from qbtui.tui.maintenance.screens import ConfirmRemoveScreen

    qbtui.data_dir = synced.data_dir
    run = qbtui.json("runs")["runs"][0]
    invoices = {c["id"] for c in run["created"] if c["entity"] == "Invoice"}
    app = Host(AuditScreen(synced.path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmRemoveScreen)
        assert f"Undo run {run['id']}: delete " in app.screen.text and "deactivate" in app.screen.text
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, AuditScreen)
        assert invoices <= set(synced.company.objects["Invoice"])
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, AuditScreen)
        assert app.screen.rows[0]["kind"] == "undo"
    assert not invoices & set(synced.company.objects["Invoice"])
    runs = qbtui.json("runs")["runs"]
    assert runs[0]["kind"] == "undo" and next(r for r in runs if r["id"] == run["id"])["undone_by"] == runs[0]["id"]
