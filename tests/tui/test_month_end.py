"""The month-end in the dashboard, against the sandbox through the real `qbtui` children: opening balances brought in
at setup, the month synced, then QuickBooks edited as a person would (two invoices' quantities, a third's date,
a COGS journal deleted); `P` pulls, the Discrepancies tab (6) lists the four, each is resolved from its key (o push
ours, t take QuickBooks', s re-send, d dismiss with a note typed in), and `qbtui reconcile` for the month shows no
difference for the accounts qbtui posts to (the dismissed redating is listed as changed, with no account
differing)."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

from qbtui.tui.app import QbtuiApp
from qbtui.tui.resolving import NoteScreen
from qbtui.tui.screens import ConfirmScreen
from tests.support import documents as D
from tests.sync.test_month_end_safety import _qbo_open_invoice


def _part(profile, doc_type: str, ref: str) -> dict[str, Any]:
    with profile.cache() as cache:
        return cache.link(doc_type, ref)["qbo"][0]


def _edit_quantity(profile, ref: str, qty: int) -> None:
    qbo_id = _part(profile, "sale_invoice", ref)["id"]

    async def edit(c) -> None:
        inv = await c.read("Invoice", qbo_id)
        lines = [dict(line) for line in inv["Line"] if line.get("DetailType") == "SalesItemLineDetail"]
        lines[0] = {**lines[0], "Amount": qty * 12.5, "SalesItemLineDetail": dict(lines[0]["SalesItemLineDetail"], Qty=qty)}
        await c.update("Invoice", {"Id": qbo_id, "SyncToken": inv["SyncToken"], "Line": lines}, sparse=True)
    profile.qbo(edit)


def _edit_date(profile, ref: str, day: str) -> None:
    qbo_id = _part(profile, "sale_invoice", ref)["id"]

    async def edit(c) -> None:
        inv = await c.read("Invoice", qbo_id)
        await c.update("Invoice", {"Id": qbo_id, "SyncToken": inv["SyncToken"], "TxnDate": day}, sparse=True)
    profile.qbo(edit)


def _delete_journal(profile, ref: str) -> str:
    old = _part(profile, "cogs", ref)

    async def delete(c) -> None:
        je = await c.read("JournalEntry", old["id"])
        await c.delete("JournalEntry", old["id"], je["SyncToken"])
    profile.qbo(delete)
    return str(old["id"])


async def _settle(app, pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def _resolve(app, pilot, ref: str, key: str, note: str | None = None) -> str:
    """Put the cursor on ``ref``'s row of the Discrepancies tab, press ``key``, answer the confirm (or type the note);
    what the confirm showed."""
    dash = app.dashboard
    table = dash.table
    pos = next((i for i, r in enumerate(table.rows) if r.ref == ref), None)
    assert pos is not None, (ref, [r.ref for r in table.rows])
    table.move_cursor(pos)
    await pilot.pause()
    await pilot.press(key)
    await pilot.pause()
    screen = app.screen
    if note is None:
        assert isinstance(screen, ConfirmScreen), screen
        shown = f"{screen.message}\n{screen.note}"
        await pilot.press("y")
    else:
        assert isinstance(screen, NoteScreen), screen
        shown = f"{screen.what}\n{screen.difference}"
        await pilot.press(*note)
        await pilot.press("enter")
    await _settle(app, pilot)
    return shown


async def _month_end(profile) -> dict[str, Any]:
    app = QbtuiApp(profile.path, profile="default", data_dir=profile.data_dir)
    seen: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        dash = app.dashboard
        await pilot.press("P")  # pull
        await pilot.pause()
        seen["pulling"] = dash.pulling
        await _settle(app, pilot)
        await pilot.press("6")
        await _settle(app, pilot)
        seen["tab"] = sorted((r.ref, r.family, (r.error or {}).get("message", "")) for r in dash.table.rows)
        seen["footer"] = {a.binding.id for a in dash.active_bindings.values() if a.binding.show}
        seen["push"] = await _resolve(app, pilot, "SO-1", "o")
        seen["accept"] = await _resolve(app, pilot, "SO-2", "t")
        seen["resend"] = await _resolve(app, pilot, "COGS-SO-1", "s")
        seen["dismiss"] = await _resolve(app, pilot, "SO-3", "d", note="agreed with the customer")
        seen["left"] = [r.ref for r in dash.table.rows]
        await pilot.press("1")
        await pilot.pause()
        seen["footer_sales"] = {a.binding.id for a in dash.active_bindings.values() if a.binding.show}
    return seen


def test_the_month_end_in_the_dashboard(make_profile):
    profile = make_profile()
    # setup: an invoice entered in QuickBooks before qbtui, brought in as an opening balance (our customer linked)
    _qbo_open_invoice(profile, "Harbour Cafe", "2026-11-05")
    profile.import_docs([D.customer()], name="contacts.json")
    r = profile.q("opening", "balances", "--yes")
    assert r.exit_code == 0, r.output
    # the month: three invoices (6 x 12.50 = 75.00 each) and the first one's COGS journal
    profile.import_docs([D.product(), D.invoice("SO-1"), D.invoice("SO-2"), D.invoice("SO-3"),
                         D.cogs("SO-1", amount="24.60")])
    code, out = profile.sync_json()
    assert code == 0, out
    # QuickBooks edited as a person would
    _edit_quantity(profile, "SO-1", 5)
    _edit_quantity(profile, "SO-2", 5)
    _edit_date(profile, "SO-3", "2026-11-20")  # redated within the month
    old_journal = _delete_journal(profile, "COGS-SO-1")

    seen = asyncio.run(_month_end(profile))

    assert seen["pulling"] is True
    refs = [(ref, family) for ref, family, _ in seen["tab"]]
    assert refs == [("COGS-SO-1", "deleted"), ("SO-1", "changed"), ("SO-2", "changed"), ("SO-3", "changed")], seen
    words = dict((ref, text) for ref, _, text in seen["tab"])
    assert "Total: ours 75.00, QuickBooks 62.50" in words["SO-1"] and "None" not in json.dumps(seen["tab"])
    assert {"resolve_push", "resolve_accept", "resolve_resend", "resolve_dismiss", "pull"} <= seen["footer"]
    assert not {"resolve_push", "resolve_accept", "resolve_resend", "resolve_dismiss"} & seen["footer_sales"]
    assert "Total: ours 75.00, QuickBooks 62.50" in seen["push"]  # the confirm shows the difference
    assert "QuickBooks 62.50" in seen["accept"] and "SO-3" in seen["dismiss"]
    assert seen["left"] == []

    # what each resolution did, in QuickBooks and in the profile
    inv1 = profile.qbo(lambda c: c.read("Invoice", _part(profile, "sale_invoice", "SO-1")["id"]))
    assert Decimal(str(inv1["TotalAmt"])) == Decimal("75.00")  # pushed ours
    inv3 = profile.qbo(lambda c: c.read("Invoice", _part(profile, "sale_invoice", "SO-3")["id"]))
    assert inv3["TxnDate"] == "2026-11-20"  # dismissed: left as it is
    new_journal = _part(profile, "cogs", "COGS-SO-1")["id"]
    assert new_journal != old_journal
    with profile.cache() as cache:
        assert cache.get("sale_invoice", "SO-2")["data"]["lines"][0]["quantity"] == "5"  # accepted QuickBooks'
        assert [q["id"] for q in cache.link("cogs", "COGS-SO-1")["replaced"]] == [old_journal]
        runs = [r for r in cache.runs() if r.get("kind") == "resolve"]
    assert sorted(r["resolution"]["action"] for r in runs) == ["accept", "dismiss", "push", "resend"]
    assert next(r for r in runs if r["resolution"]["action"] == "dismiss")["resolution"]["note"] == \
        "agreed with the customer"
    assert json.loads(profile.q("discrepancies", "--json").stdout)["discrepancies"] == []
    assert any(r.get("kind") == "pull" for r in profile.q.json("runs")["runs"])  # P's pull is in the log

    # reconcile of the month: no difference for the accounts qbtui posts to, the opening invoice apart
    report = profile.q.json("reconcile", "--from", "2026-11-01", "--to", "2026-11-30")
    # the dismissed redating stays seen as changed (its SyncToken moved), with nothing differing in any account
    assert [(d["ref"], d["ours"], d["qbo"], d["accounts"]) for d in report["differences"]] == [("SO-3", 75, 75, {})], \
        report["differences"]
    assert all(Decimal(str(a["difference"])) == 0 for a in report["accounts"]), report["accounts"]
    assert "QB-77" in [o["ref"] for o in report["opening_balances"]]


def test_a_conflict_shows_in_the_pending_view_and_is_not_uploaded(make_profile):
    """An update held back (`conflict`: QuickBooks' copy changed since qbtui wrote it) is not synced: it shows on its
    tab's pending view, in words, and a plain upload leaves it to the Discrepancies tab's keys."""
    from qbtui.tui.model import NOT_SYNCED, SENDABLE, STATUS_WORDS, Model

    profile = make_profile()
    profile.import_docs([D.customer(), D.product(), D.invoice("SO-1")])
    code, out = profile.sync_json()
    assert code == 0, out
    _edit_quantity(profile, "SO-1", 5)
    profile.import_docs([D.invoice("SO-1", lines=[D.line(quantity=7)])], name="again.json")
    code, out = profile.sync_json()
    assert code == 1 and [(d["ref"], d["status"]) for d in out["documents"]] == [("SO-1", "conflict")], out
    with profile.cache() as cache:
        model = Model.load(cache)
        shown = [(r.ref, r.status) for r in model.view("documents", "sale_invoice", True, "")]
        assert shown == [("SO-1", "conflict")]
        assert [r.ref for r in model.discrepancies] == ["SO-1"] and model.discrepancies[0].family == "conflict"
        model.cache = None  # closed by the with
    assert "conflict" in NOT_SYNCED and "conflict" not in SENDABLE
    assert STATUS_WORDS["conflict"] == "CONFLICT" and STATUS_WORDS["summarized"] == "SUMMARIZED"
