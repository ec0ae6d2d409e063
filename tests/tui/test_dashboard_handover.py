"""The dashboard and its `qbtui sync` child, for real (a sandbox over loopback): the chosen documents reach the
child whole whatever their references hold, and ctrl+q during an upload asks, then stops the child cleanly."""

from __future__ import annotations

import asyncio
import time

from qbtui.tui.app import QbtuiApp
from qbtui.tui.screens import ConfirmScreen
from tests.support.documents import small_set

from .test_dashboard_failures import start_uploading_all_invoices, statuses, upload_all_invoices

#: references holding characters str.splitlines() ends a line at (none is a newline), and other exotic ones
EXOTIC = ["SO-\u2028A", "SO-\x85B", "SO-\u2029C", "SO-\x1cD", "SO-\x1eE", "SO-\x0bF", "SO-\u200dG", "SO\tH"]


def test_an_upload_of_references_holding_line_separators_reaches_the_sync_whole(make_profile):
    profile = make_profile()
    docs = small_set(2)
    for ref in EXOTIC:
        docs.append({"type": "sale_invoice", "ref": ref, "customer": "C-100", "invoice_date": "2026-11-02",
                     "lines": [{"sku": "MUG-01", "quantity": 1, "unit_price": "12.50", "unit_cost": "4.10"}]})
    profile.import_docs(docs)
    def rows_of(app):
        return {ref: app.dashboard.model.by_key[("sale_invoice", ref)] for ref in EXOTIC}

    app, messages = asyncio.run(upload_all_invoices(profile, look=rows_of))
    assert not any("Upload did not run" in m for m in messages), messages
    after = statuses(profile)
    assert after["SO-1001"] == after["SO-1002"] == "synced"  # one odd reference no longer stops everyone's upload
    assert after["SO-\u200dG"] == "synced"  # a joiner is allowed: sent as it is
    assert profile.count("Invoice", "DocNumber")["SO-\u200dG"] == 1
    for ref in EXOTIC:  # each reached the sync as itself: sent, or held back by a gate that says why
        row = app.seen[ref]
        assert row.status in ("synced", "blocked", "failed"), (ref, row.status)
        assert row.status == "synced" or row.error["message"], ref


async def _until(pilot, condition, what: str, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s  # a guard against hanging, not a timing assertion
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        await pilot.pause(0.05)


def test_ctrl_q_during_an_upload_asks_first_and_stops_the_sync_cleanly(make_profile):
    profile = make_profile()
    docs = small_set(20)
    profile.import_docs(docs)
    profile.sandbox.config.latency_ms = 700  # every answer takes a while: the upload is still running when asked
    invoices = [d["ref"] for d in docs if d["type"] == "sale_invoice"]
    requests = profile.log_requests()

    async def go() -> tuple[QbtuiApp, int | None]:
        app = QbtuiApp(profile.path, profile="default", data_dir=profile.q.data_dir)
        async with app.run_test(size=(100, 30)) as pilot:
            await start_uploading_all_invoices(app, pilot)
            assert app.dashboard.uploading
            for cancel in ("n", "escape"):
                await pilot.press("ctrl+q")
                await pilot.pause()
                assert isinstance(app.screen, ConfirmScreen) and "Stop it and quit?" in app.screen.message
                await pilot.press(cancel)
                await pilot.pause()
                assert not isinstance(app.screen, ConfirmScreen)
                assert app.is_running and app.dashboard.uploading  # still uploading
            await _until(pilot, lambda: app.dashboard.sync_proc is not None, "the sync child started")
            proc = app.dashboard.sync_proc
            # stopped once it is sending (its run is open), not while it is still starting up
            await _until(pilot, lambda: requests.writes, "the sync child sent something")
            assert proc.returncode is None
            await pilot.press("ctrl+q")
            await pilot.pause()
            await pilot.press("y")
            deadline = time.monotonic() + 60
            while app.is_running and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert not app.is_running
        return app, proc.returncode

    app, returncode = asyncio.run(go())
    assert returncode == 130  # stopped by Ctrl+C (SIGINT), not killed
    with profile.cache() as cache:
        run = next(r for r in cache.runs() if r.get("kind") == "sync")
    assert run["interrupted"] is True and run["ended"]
    assert set(statuses(profile).values()) != {"synced"}  # it really stopped part way
    profile.sandbox.config.latency_ms = 0
    code, out = profile.sync_json()  # the next sync sends the rest, and nothing twice
    assert code == 0, out
    assert set(statuses(profile).values()) == {"synced"}
    assert {n: c for n, c in profile.count("Invoice", "DocNumber").items() if n in invoices} == {n: 1 for n in invoices}
