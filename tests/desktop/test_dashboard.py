"""The dashboard on a QuickBooks Desktop demo profile (`qbtui demo --desktop`: a served Web Connector service, the
simulated Web Connector and company file, the demo's documents sent), through the real `qbtui` child processes: the
status line says QuickBooks Desktop, when the Web Connector last called and how many documents are queued; the
Errors tab shows a Desktop failure with its code, message and hint; the upload keys run `qbtui sync`, which queues,
and the dashboard says "queued for the next Web Connector session"; each session is a run in the audit log."""

from __future__ import annotations

import asyncio
import json
import sys

from qbtui.cache import Cache, profile_dir
from qbtui.tui.app import QbtuiApp
from qbtui.tui.maintenance import AuditScreen, ReconcileScreen
from tests.desktop.webconnector import cli
from tests.support import documents as D


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def status_text(app) -> str:
    return str(app.dashboard._dash("#statusline").render())


def test_the_dashboard_on_a_desktop_demo_profile(tmp_path):
    data = tmp_path / "data"
    demo = cli(data, "demo", "--desktop")
    assert demo.exit_code == 0, demo.output
    new = tmp_path / "new.json"
    new.write_text(json.dumps([D.invoice("SO-2001", "C-100", lines=[D.line(sku="MUG-01", quantity=1,
                                                                          unit_price="12.00")])]))
    assert cli(data, "--profile", "demo-desktop", "import", str(new)).exit_code == 0
    path = profile_dir(data, "demo-desktop")
    errors = json.loads(cli(data, "--profile", "demo-desktop", "errors", "--json").stdout)["errors"]
    failure = next(e for e in errors if e["status"] == "failed")  # the demo's credit note Desktop cannot take yet
    assert failure["code"].startswith("desktop_") and failure["message"] and failure["hint"]

    async def run() -> tuple[str, str, list[str], list[dict], str, str]:
        app = QbtuiApp(path, profile="demo-desktop", data_dir=data, qbtui_command=[sys.executable, "-m", "qbtui"])
        async with app.run_test(size=(160, 30)) as pilot:
            await settle(app, pilot)
            before = status_text(app)
            await pilot.press("5")  # the Errors tab
            await settle(app, pilot)
            row = app.dashboard.model.by_key[(failure["type"], failure["ref"])]
            assert row.status == "failed" and row.error["code"] == failure["code"]
            assert row.error["hint"] == failure["hint"]
            table = app.dashboard.table  # the All sub-tab: the line of the failed document, as drawn
            lines = ["".join(seg.text for seg in table.render_line(y)) for y in range(table.size.height)]
            info = next((line for line in lines if failure["ref"] in line), "")
            await pilot.press("1", "U")  # Sales > Invoices: upload all shown
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            while app.dashboard.uploading:
                await pilot.pause(0.1)
            await settle(app, pilot)
            notes = [f"{n.title}: {n.message}" for n in app._notifications]
            after = status_text(app)
            await app.push_screen(AuditScreen(app.dashboard.backend))
            await settle(app, pilot)
            rows = app.screen.rows
            at = next(i for i, r in enumerate(rows) if r["who"] == "QuickBooks Web Connector")
            app.screen.query_one("#audit").move_cursor(row=at)
            await pilot.press("u")  # undo the session's run: queued for the next session
            await settle(app, pilot)
            await pilot.press("y")
            await settle(app, pilot)
            notes += [n.message for n in app._notifications]
            await pilot.press("escape")
            await app.push_screen(ReconcileScreen(app.dashboard.backend, "2026-11-01", "2026-11-30"))
            await settle(app, pilot)
            reconcile = str(app.screen.query_one("#status").render())
        return before, info, notes, rows, after, reconcile

    before, info, notes, rows, after, reconcile = asyncio.run(run())
    assert "QUICKBOOKS DESKTOP" in before and "Web Connector last called" in before and "1 queued" in before
    assert "FAILED" in info and "desktop_" in info, info  # its status and Desktop's code
    assert failure["message"][:12] in info and failure["hint"][:8] in info, info
    assert any(n.startswith("Queued for the next Web Connector session:") and "queued for the Web Connector's "
               "next session" in n for n in notes), notes
    assert not any("Upload finished" in n for n in notes)
    assert "1 queued" in after
    with Cache.open(path, writer=False) as cache:  # nothing was sent from the dashboard: it waits for the session
        assert cache.status_of("sale_invoice", "SO-2001") == "pending"
    session = next(r for r in rows if r["who"] == "QuickBooks Web Connector")
    assert session["kind"] == "sync" and "synced" in session["what"] and session["qbo_ids"]
    assert any(n.startswith(f"undo of run {session['id']} queued for the next Web Connector session") for n in notes)
    with Cache.open(path, writer=False) as cache:
        undo = next(r for r in cache.runs() if r.get("kind") == "undo")
    assert undo["undoes"] == session["id"] and undo["ended"] is None and undo["queued"]
    assert reconcile.startswith("No answer yet: queued for the next Web Connector session")
