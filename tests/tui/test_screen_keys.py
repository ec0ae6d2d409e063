"""Each screen's footer and keys are its own: the dashboard's keys (bound on the App, run on the Dashboard) do
nothing on a screen over it and are not shown in its footer."""

from __future__ import annotations

from textual.widgets import DataTable

from qbtui.tui.maintenance import ReconcileScreen
from qbtui.tui.screens import ConfirmScreen

from .test_keys import ready


def _footer_actions(app) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled and b.binding.show}


async def test_dashboard_keys_do_not_leak_into_reconcile(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert "dashboard.upload_all" in _footer_actions(app)
        app.push_screen(ReconcileScreen(app.backend))
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, ReconcileScreen)
        screen.query_one(DataTable).focus()
        await pilot.pause()
        shown = _footer_actions(app)
        assert not {a for a in shown if a.startswith("dashboard.") and a != "dashboard.quit"}, shown
        for key in ("U", "u", "a", "space", "S", "5", "p"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key  # no upload confirmation, no tab switch under it
            assert not isinstance(app.screen, ConfirmScreen)
        assert not app.dashboard.uploading and not app.dashboard.table.selected
        assert app.dashboard.top == 0 and app.dashboard.pending_only
        await pilot.press("escape")  # Reconcile's own Back
        await pilot.pause()
        assert app.screen is app.dashboard
        assert "dashboard.upload_all" in _footer_actions(app)
