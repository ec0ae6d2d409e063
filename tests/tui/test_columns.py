"""The document tabs' own columns (from the kinds' registry), sorting by any column, the totals line, the filter's
amount, date-range and phrase terms, and the CSV export of the rows shown (the same module as qbtui list)."""

from __future__ import annotations

import csv
from decimal import Decimal

from qbtui.ledger.listing import columns_of


async def _ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _header(app) -> list[str]:
    table = app.dashboard.table
    return [c.title for c in table.visible_columns]


def _refs(app) -> list[str]:
    return [r.ref for r in app.dashboard.table.shown_rows()]


async def _filter(pilot, query: str) -> None:
    await pilot.press("slash", "ctrl+u", *[("space" if ch == " " else ch) for ch in query], "enter")
    await _ready(pilot)


async def test_each_kind_shows_its_own_columns(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("1", "left_square_bracket", "left_square_bracket")  # Sales > Products
        await _ready(pilot)
        assert app.dashboard.sub.key == "product"
        assert _header(app) == ["SKU", "Name", "Kind", "Price", "Cost", "Status", "QBO item"]
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket",
                          "right_square_bracket")  # Payments
        await _ready(pilot)
        assert _header(app) == ["Reference", "Date", "Invoice paid", "Amount", "Method", "Status", "QBO Id"]
        row = app.dashboard.table.current_row
        line = "".join(seg.text for seg in app.dashboard.table.render_line(1))
        assert row.ref in line and "SO-10" in line  # the invoice it pays
        await pilot.press("4")
        await _ready(pilot)
        assert "Event" in _header(app)
        await pilot.press("1", "left_square_bracket", "left_square_bracket")  # back to Sales > Invoices
        await _ready(pilot)
        assert app.dashboard.sub.key == "sale_invoice" and "QBO balance" in _header(app)


async def test_sort_by_any_column_and_reverse(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("p")  # every invoice (a view of the store)
        await _ready(pilot)
        by_date = _refs(app)
        await pilot.press("greater_than_sign")  # Reference: an indexed order of the store
        await _ready(pilot)
        assert _header(app)[0] == "Reference ^"
        assert _refs(app) == sorted(by_date)
        await pilot.press("less_than_sign")
        await _ready(pilot)
        assert _header(app)[0] == "Reference v" and _refs(app) == sorted(by_date, reverse=True)
        await pilot.press("p")  # pending only: in memory, any column
        await _ready(pilot)
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign")  # Total
        await _ready(pilot)
        totals = [r.total for r in app.dashboard.table.shown_rows()]
        assert _header(app)[3] == "Total ^" and totals == sorted(totals) and len(totals) > 3
        await pilot.press("less_than_sign")
        await _ready(pilot)
        assert [r.total for r in app.dashboard.table.shown_rows()] == sorted(totals, reverse=True)


async def test_filter_by_amount_date_range_and_phrase_with_a_totals_line(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("p")
        await _ready(pilot)
        await _filter(pilot, "amount:>200")
        rows = list(app.dashboard.table.shown_rows())
        assert rows and all(r.total > 200 for r in rows)
        info = str(app.dashboard.query_one("#info").render())
        assert f"{len(rows)} documents, {sum(r.total for r in rows):,.2f}" in info, info
        await _filter(pilot, "date:2026-11-01..2026-11-05")
        assert _refs(app) and all("2026-11-01" <= r.date <= "2026-11-05" for r in app.dashboard.table.shown_rows())
        await _filter(pilot, '"harbour cafe"')
        assert _refs(app) and all(r.party == "Harbour Cafe" for r in app.dashboard.table.shown_rows())


async def test_export_writes_the_rows_shown_as_csv(make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("p")
        await _ready(pilot)
        await _filter(pilot, "amount:>200")
        shown = list(app.dashboard.table.shown_rows())
        await pilot.press("x")
        await _ready(pilot)
    files = list(tmp_path.glob("qbtui-sale_invoice-*.csv"))
    assert len(files) == 1
    with files[0].open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [c.title for c in columns_of("sale_invoice")]
    assert [r["Reference"] for r in rows] == [r.ref for r in shown]
    assert [Decimal(r["Total"]) for r in rows] == [r.total for r in shown]
    assert [r["Date"] for r in rows] == [r.date for r in shown]
