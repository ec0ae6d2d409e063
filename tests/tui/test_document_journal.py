"""The document screen shows the journal a document posts as a Dr/Cr table with totals, above its payload."""

from __future__ import annotations

import time

from textual.widgets import Static

from qbtui.tui.screens import DocumentScreen


async def _ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_an_adjustment_shows_its_journal_with_equal_totals(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("3", "p")  # Adjustments & COGS > Adjustments, every one
        await _ready(pilot)
        rows = list(app.dashboard.table.shown_rows())
        target = next(i for i, r in enumerate(rows) if r.status == "pending" and r.date)
        app.dashboard.table.move_cursor(target)
        await pilot.press("enter")
        deadline = time.monotonic() + 60  # a guard against hanging (the Backend's child reads the document)
        while not app.screen.query("#journal") and not app.screen.query("#payloads"):
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        await _ready(pilot)
        assert isinstance(app.screen, DocumentScreen)
        table = app.screen.query_one("#journal", Static).content
        columns = {c.header: c for c in table.columns}
        assert list(columns) == ["Account", "Dr", "Cr", "Description"]
        debit, credit = columns["Dr"].footer, columns["Cr"].footer
        assert debit == credit and debit != "0.00", (debit, credit)
        titles = [str(s.render()) for s in app.screen.query(".section")]
        assert titles.index("Journal (Dr / Cr)") < titles.index("What it sends to QuickBooks")


async def test_enter_on_a_document_waiting_on_another_opens_that_one(make_app):
    from tests.tui.conftest import FIXED_GATES

    waiting = {**FIXED_GATES, ("sale_payment", "PAY-1010"): ("blocked", [{
        "code": "dependency.failed", "message": "It needs sales invoice 'SO-1010', which QuickBooks refused (see "
        "qbtui errors): it is held, not sent before that one is in QBO.",
        "hint": "Fix sales invoice 'SO-1010' first; this one follows at the next sync", "field": "invoice",
        "family": "dependencies"}])}
    app = make_app(gate_source=lambda cache: dict(waiting))
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")  # Sales > Payments
        await _ready(pilot)
        rows = list(app.dashboard.table.shown_rows())
        app.dashboard.table.move_cursor(next(i for i, r in enumerate(rows) if r.ref == "PAY-1010"))
        assert app.dashboard.table.current_row.status == "blocked"
        await pilot.press("enter")
        deadline = time.monotonic() + 60  # a guard against hanging (the Backend's child reads the document)
        while not app.screen.query("#payloads"):
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        assert isinstance(app.screen, DocumentScreen) and app.screen.waits_on() == ("sale_invoice", "SO-1010")
        await pilot.press("enter")
        await _ready(pilot)
        assert app.screen is app.dashboard
        assert app.dashboard.sub.key == "sale_invoice" and app.dashboard.table.current_row.ref == "SO-1010"
