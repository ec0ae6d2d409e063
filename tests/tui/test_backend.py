"""The one door from the screen down: the Backend's child processes, their event vocabulary, and the keys that
must never open the cache on the UI thread."""

from __future__ import annotations

import json
import threading

from click.testing import CliRunner

from qbtui.cache import Cache
from qbtui.cli import main
from qbtui.sync import events
from qbtui.tui.messages import DocumentChanged, UploadProgress
from qbtui.tui.screens import DocumentScreen, FixScreen, LinkPicker

from .test_keys import filter_to, ready

SIZE = (80, 24)


class UIThreadOpens(list):
    """Every Cache.open made on the UI thread once :meth:`watch` is called (the screen's event loop runs on the
    main thread)."""

    def __init__(self, monkeypatch) -> None:
        super().__init__()
        self.monkeypatch = monkeypatch

    def watch(self) -> None:
        real_open = Cache.open.__func__

        def watched_open(cls, *args, **kwargs):
            if threading.current_thread() is threading.main_thread():
                self.append(args)
            return real_open(cls, *args, **kwargs)

        self.monkeypatch.setattr(Cache, "open", classmethod(watched_open))


async def test_enter_e_and_the_link_picker_never_open_the_cache_on_the_ui_thread(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)  # the first load reads the cache at startup, before any key
        on_ui_thread = UIThreadOpens(monkeypatch)
        on_ui_thread.watch()
        await pilot.press("p")
        await filter_to(app, pilot, "SO-1001")
        await pilot.press("enter")
        await ready(app, pilot)
        assert isinstance(app.screen, DocumentScreen) and app.screen.record["data"]["ref"] == "SO-1001"
        await pilot.press("q", "5")
        await filter_to(app, pilot, "C-103")
        await pilot.press("e")
        await ready(app, pilot)
        assert isinstance(app.screen, FixScreen)
        await pilot.press("ctrl+l")
        await ready(app, pilot)
        assert isinstance(app.screen, LinkPicker) and app.screen.items
        app.screen.query_one("#search").value = "harbour"
        await pilot.pause()
        await pilot.press("enter")
        await ready(app, pilot)
        assert app.dashboard.model.by_key[("customer", "C-103")].status == "synced"
    assert on_ui_thread == []


def run(data_dir, *args: str, stdin: str | None = None) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "--profile", "demo", *args, "--events"],
                                input=stdin, catch_exceptions=False)
    return result.exit_code, [e for e in map(events.decode, result.stdout.splitlines()) if e is not None]


def test_the_hidden_commands_answer_in_events(data_dir):
    code, said = run(data_dir, "document", "sale_invoice", "SO-1001")
    assert code == 0 and [e["event"] for e in said] == ["result", "done"]
    view = said[0]["data"]
    assert said[0]["kind"] == "document" and view["record"]["data"]["lines"][0]["sku"] == "MUG-01"
    assert view["link"]["qbo"][0]["id"] == "140" and view["link"]["history"]
    assert set(view["plan"]) == {"status", "reasons", "payloads"}
    code, said = run(data_dir, "document", "sale_invoice", "SO-NOT-THERE")
    assert code == 0 and said[0]["data"] == {"record": None, "link": None, "plan": None, "fixed": None,
                                              "quickbooks": None, "journal": None}
    code, said = run(data_dir, "link-candidates", "customer")
    assert code == 0 and any(i["Id"] == "58" for i in said[0]["data"])


def test_a_refused_or_busy_write_says_so_with_a_code(data_dir):
    bad = {"type": "sale_invoice", "ref": "SO-1008", "customer": "C-100", "invoice_date": "2026-13-01"}
    code, said = run(data_dir, "update-document", stdin=json.dumps(bad))
    assert code == 1 and said[0]["event"] == "error" and said[0]["code"] == "refused"
    assert said[-1] == {"event": "done", "exit_code": 1}
    profile = data_dir / "profiles" / "demo"
    with Cache.open(profile, writer=True, command="qbtui sync"):
        code, said = run(data_dir, "link-document", "customer", "C-103", "--entity", "Customer", "--id", "58")
    assert code == 2 and said[0]["code"] == "profile_busy" and "in use" in said[0]["message"]
    with Cache.open(profile, writer=False) as cache:
        assert cache.link("customer", "C-103") is None or cache.link("customer", "C-103")["status"] != "synced"
    code, said = run(data_dir, "link-document", "customer", "C-103", "--entity", "Customer", "--id", "58")
    assert code == 0 and said[0]["data"]["qbo_ids"] == ["58"]
    with Cache.open(profile, writer=False) as cache:
        assert cache.link("customer", "C-103")["qbo"][0]["id"] == "58"
        assert cache.status_of("customer", "C-103") == "synced"


def test_one_event_a_line_whatever_the_text_holds():
    event = events.error("a name with\u2028a line separator\nand a newline", events.BUSY)
    line = events.encode(event)
    assert "\n" not in line and "\u2028" not in line
    assert events.decode(line.encode()) == event
    assert events.decode("not an event") == {"event": "log", "message": "not an event"}
    assert events.decode('{"event": "unknown"}')["event"] == "log"
    assert events.decode("  ") is None


def test_progress_coalesces_and_documents_do_not():
    older, newer = UploadProgress({"event": "progress", "sent": 1}), UploadProgress({"event": "progress", "sent": 2})
    assert older.can_replace(newer)
    doc = DocumentChanged({"event": "document", "type": "customer", "ref": "C-1", "status": "synced"})
    assert not doc.can_replace(DocumentChanged(doc.event)) and not older.can_replace(doc)


def test_the_audit_log_and_its_alerts_through_events(data_dir):
    from qbtui.maintenance.alerts import raise_alert, unread

    profile = data_dir / "profiles" / "demo"
    with Cache.open(profile, writer=True, command="test") as cache:
        raise_alert(cache, "scheduled sync failed", "QuickBooks could not be reached", run="r1")
        runs = cache.runs()
    code, said = run(data_dir, "audit")
    assert code == 0 and said[0]["kind"] == "audit"
    log = said[0]["data"]
    assert [r["id"] for r in log["rows"]] == [r["id"] for r in runs] and log["rows"][0]["run"]["id"] == runs[0]["id"]
    assert [a["title"] for a in log["alerts"]] == ["scheduled sync failed"]
    code, said = run(data_dir, "alerts-read")
    assert code == 0 and said[-1] == {"event": "done", "exit_code": 0}
    with Cache.open(profile, writer=False) as cache:
        assert unread(cache) == []


async def test_a_reload_after_a_scheduled_sync_reads_the_cache_off_the_ui_thread(make_app, data_dir, monkeypatch):
    """What a scheduled sync (or the wizard) changed comes in by a reload built in a thread."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        dash = app.dashboard
        assert dash.model.by_key[("sale_invoice", "SO-1009")].status == "pending"
        with Cache.open(data_dir / "profiles" / "demo", writer=True, command="qbtui sync --scheduled") as cache:
            rev = cache.get("sale_invoice", "SO-1009")["rev"]
            cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-1009", "status": "synced", "synced_rev": rev,
                                    "qbo": [{"entity": "Invoice", "id": "777", "sync_token": "0"}]}])
        on_ui_thread = UIThreadOpens(monkeypatch)
        on_ui_thread.watch()
        dash.reload()  # what the autosync timer calls when its run ends
        await ready(app, pilot)
        await ready(app, pilot)
        row = dash.model.by_key[("sale_invoice", "SO-1009")]
        assert (row.status, row.qbo_id) == ("synced", "777")
        assert "SO-1009" not in [r.ref for r in dash.table.shown_rows()]
    assert on_ui_thread == []


def test_a_long_answer_comes_in_parts_and_is_joined(tmp_path):
    """The gates of many documents come as several result events (each line decoded alone, so that the
    interpreter is never held for the whole list); the Backend joins them in order."""
    import asyncio

    from qbtui.tui.backend import Backend

    profile = tmp_path / "data" / "profiles" / "many"
    n = 2 * events.RESULT_PART + 500
    with Cache.open(profile, writer=True, command="test") as cache:
        cache.upsert_documents([{"type": "customer", "ref": f"C-{i:05d}", "name": f"Customer {i:05d}"}
                                for i in range(n)])
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "--profile", "many", "gates",
                                       "--events"], catch_exceptions=False)
    said = [e for e in map(events.decode, result.stdout.splitlines()) if e is not None]
    assert [e["event"] for e in said] == ["result", "result", "result", "done"]
    assert [len(e["data"]) for e in said[:3]] == [events.RESULT_PART, events.RESULT_PART, 500]
    gates = asyncio.run(Backend(profile, data_dir=tmp_path / "data").gates())
    assert len(gates) == n and ("customer", "C-00000") in gates and ("customer", f"C-{n - 1:05d}") in gates


def test_only_the_gates_that_change_a_row_reach_the_ui_thread(data_dir):
    from qbtui.tui.dashboard import gate_changes
    from qbtui.tui.model import Model

    from .conftest import FIXED_GATES

    with Cache.open(data_dir / "profiles" / "demo", writer=False) as cache:
        model = Model.load(cache)
    pending = {r.key: ("ready", []) for rows in model.rows.values() for r in rows if r.status == "pending"}
    gates = {**pending, **FIXED_GATES}
    assert gate_changes(model, gates) == FIXED_GATES  # every pending document that passes is left alone
    model.apply_gates(gate_changes(model, gates))
    assert gate_changes(model, gates) == {}  # applied: nothing changes any more
    fixed = {**gates, ("sale_invoice", "SO-1008"): ("ready", [])}
    assert gate_changes(model, fixed) == {("sale_invoice", "SO-1008"): ("ready", [])}
