"""Snapshots at 80x24 and 120x40 on the sample profile (frozen clock, fixed gates, no network).
Update with: pytest tests/tui/test_snapshots.py --snapshot-update"""

from __future__ import annotations

import pytest

SIZES = [(80, 24), (120, 40)]


async def _ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _keys(*keys):
    async def run_before(pilot):
        await _ready(pilot)
        if keys:
            await pilot.press(*keys)
        await _ready(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sales_invoices(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("j", "space", "space"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_errors(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("5"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_upload_confirm(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("a", "u"))


FIXED_PLAN = {"status": "ready", "reasons": [], "payloads": [
    {"entity": "Bill", "operation": "update",
     "body": {"Id": "212", "SyncToken": "0", "sparse": True, "DocNumber": "CW-8812", "TxnDate": "2026-11-04",
              "VendorRef": {"value": "70"}, "Line": [{"Amount": 410.0, "DetailType": "ItemBasedExpenseLineDetail",
                                                      "ItemBasedExpenseLineDetail": {"ItemRef": {"value": "80"},
                                                                                     "Qty": 100, "UnitPrice": 4.1}}]}}]}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_document(snap_compare, make_app, size, monkeypatch):
    from qbtui.tui.backend import Backend
    real = Backend.document

    async def with_fixed_plan(self, type_, ref):
        return {**await real(self, type_, ref), "plan": FIXED_PLAN}
    monkeypatch.setattr(Backend, "document", with_fixed_plan)
    assert snap_compare(make_app(gate_source=lambda c: {}), terminal_size=size,
                        run_before=_keys("2", "right_square_bracket", "right_square_bracket", "enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", ["2", "3", "4", "6"], ids=["purchases", "adjustments", "retail", "discrepancies"])
def test_top_tab(snap_compare, make_app, size, tab):
    """Every top tab (Sales and Errors have their own tests above), pending only."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys(tab))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("question_mark"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fix_form(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("5", "j", "e"))


def test_purchases_all_ansi_light(snap_compare, make_app):
    assert snap_compare(make_app(theme="ansi-light"), terminal_size=(120, 40), run_before=_keys("2", "p"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_errors_detail(snap_compare, make_app, size):
    """The Errors tab's detail of a row blocked for two reasons."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("5", "j", "j"))


def _open_pending_adjustment():
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("3", "p")
        await _ready(pilot)
        table = pilot.app.dashboard.table
        rows = list(table.shown_rows())
        table.move_cursor(next(i for i, r in enumerate(rows) if r.status == "pending" and r.date))
        await pilot.press("enter")
        await _ready(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_document_journal(snap_compare, make_app, size):
    """A stock adjustment's document screen: its journal as Dr/Cr with totals, above the payload."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_open_pending_adjustment())


def _open_document(tab: str, ref: str, to_journal: bool = False):
    """Enter on ``ref`` in the view of every document of ``tab``'s first sub-tab holding it; ``to_journal``: then
    scroll its journal to the top of the screen."""
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press(tab, "p")
        await _ready(pilot)
        table = pilot.app.dashboard.table
        while not any(r.ref == ref for r in table.shown_rows()):
            await pilot.press("right_square_bracket")
            await _ready(pilot)
        table.move_cursor(next(i for i, r in enumerate(table.shown_rows()) if r.ref == ref))
        await pilot.press("enter")
        await _ready(pilot)
        if to_journal:
            pilot.app.screen.query_one("#journal").scroll_visible(top=True, animate=False)
            await _ready(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_invoice_journal(snap_compare, make_app, size):
    """A sales invoice's document screen: Dr A/R, Cr sales income line by line, with totals, above the payload."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_open_document("1", "SO-1006"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_credit_note_journal(snap_compare, make_app, size):
    """A credit note with a refund posts two QuickBooks transactions: each under its own heading, one total."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_open_document("1", "CN-77", to_journal=True))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_document_blocked(snap_compare, make_app, size):
    """A blocked invoice's document screen: why it is not synced and why it sends nothing, in words."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_open_document("1", "SO-1008"))
