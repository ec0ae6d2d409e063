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


def _journal(screen) -> tuple[list[list[str]], dict[str, str]]:
    """The journal table's rows (account, Dr, Cr, description) and its footer (Dr and Cr totals)."""
    table = screen.query_one("#journal", Static).content
    columns = list(table.columns)
    assert [c.header for c in columns] == ["Account", "Dr", "Cr", "Description"]
    rows = [list(map(str, cells)) for cells in zip(*(c.cells for c in columns))]
    return rows, {"Dr": str(columns[1].footer), "Cr": str(columns[2].footer)}


async def _open(app, pilot, ref: str) -> None:
    """Enter on ``ref`` in the shown rows (from the dashboard), then wait for the Backend's child to read it."""
    rows = list(app.dashboard.table.shown_rows())
    app.dashboard.table.move_cursor(next(i for i, r in enumerate(rows) if r.ref == ref))
    await pilot.press("enter")
    deadline = time.monotonic() + 60  # a guard against hanging (the Backend's child reads the document)
    while not app.screen.query("#payloads"):
        assert time.monotonic() < deadline
        await pilot.pause(0.05)
    await _ready(pilot)
    assert isinstance(app.screen, DocumentScreen) and app.screen.row.ref == ref


def test_an_invoice_and_its_payment_show_what_they_post(make_profile):
    """A UK invoice of two lines at 20 % VAT: Dr A/R its total, Cr sales income each line and Cr the tax, totals
    equal; its payment: Dr the clearing account, Cr A/R. The same postings reconciliation compares with QBO's."""
    import asyncio

    from tests.support import documents as d
    from tests.support.tui import on_invoices

    profile = make_profile(region="uk")
    assert profile.q("settings", "set", "base_currency", "GBP").exit_code == 0
    profile.import_docs([d.customer(), d.product(), d.product("JUG-02", "Milk jug", sale_price="10.00"),
                         d.invoice("SO-VAT", lines=[d.line(quantity=2, tax_code="20.0% S"),
                                                    d.line("JUG-02", quantity=1, unit_price="10.00",
                                                           tax_code="20.0% S")]),
                         d.payment("PAY-VAT", "SO-VAT", amount="42.00")])
    with profile.cache() as cache:
        names = {a["Id"]: a["Name"] for a in cache.reference("accounts")}
        mapping = cache.get_setting("mapping")
    receivable, income, clearing = (names[mapping[role]] for role in
                                    ("accounts_receivable", "sales_income", "payment_clearing"))

    async def go() -> None:
        async with on_invoices(profile) as (app, pilot):
            await _open(app, pilot, "SO-VAT")
            rows, totals = _journal(app.screen)
            assert rows == [[receivable, "42.00", "", "Harbour Cafe"],
                            [income, "", "25.00", "Stoneware mug"],
                            [income, "", "10.00", "Milk jug"],
                            ["Tax payable (QuickBooks' tax accounts)", "", "7.00", "tax"]], rows
            assert totals == {"Dr": "42.00", "Cr": "42.00"}
            titles = [str(s.render()) for s in app.screen.query(".section")]
            assert titles.index("Journal (Dr / Cr)") < titles.index("What it sends to QuickBooks")

            await pilot.press("escape")
            await _ready(pilot)
            while app.dashboard.sub.key != "sale_payment":
                await pilot.press("right_square_bracket")
            await _ready(pilot)
            await _open(app, pilot, "PAY-VAT")
            rows, totals = _journal(app.screen)
            assert rows == [[clearing, "42.00", "", "Harbour Cafe"], [receivable, "", "42.00", "Harbour Cafe"]], rows
            assert totals == {"Dr": "42.00", "Cr": "42.00"}

    asyncio.run(go())
