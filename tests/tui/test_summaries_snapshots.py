"""Snapshots of the Summaries tab at 80x24 and 120x40 on the sample profile (frozen clock, fixed gates, no network)
with a ``daily`` web channel whose day is posted as three summaries and a correction (written as `qbtui sync`
records them: tests/tui/test_summaries_view.py posts them against the sandbox): the list with the cursor summary's
detail, a summary's documents (enter), and a summarized invoice on the Sales tab. Update with:
pytest tests/tui/test_summaries_snapshots.py --snapshot-update"""

from __future__ import annotations

from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.tui.app import QbtuiApp
from tests.tui.conftest import FAKE_SYNC, fixed_gates
from tests.tui.test_readable import CASES, _ready, readable_after
from tests.tui.test_snapshots import SIZES, _keys

DAY = "2026-11-02"
ORDERS = [("WEB-1", 1), ("WEB-2", 2), ("WEB-3", 3), ("WEB-4", 1)]
LATE = [("WEB-LATE", 2)]
KINDS = (("sales", "SI", "Invoice", "601"), ("cogs", "SJ", "JournalEntry", "602"), ("payments", "SP", "Payment", "603"))


def _orders(orders: list[tuple[str, int]]) -> list[dict]:
    docs = []
    for ref, qty in orders:
        docs += [{"type": "sale_invoice", "ref": ref, "customer": "C-100", "invoice_date": DAY, "channel": "web",
                  "lines": [{"sku": "MUG-01", "quantity": str(qty), "unit_price": "12.50"}]},
                 {"type": "cogs", "ref": f"COGS-{ref}", "invoice": ref, "date": DAY, "amount": f"{4.10 * qty:.2f}"},
                 {"type": "sale_payment", "ref": f"PAY-{ref}", "invoice": ref, "date": DAY,
                  "amount": f"{12.50 * qty:.2f}"}]
    return docs


def _post(cache: Cache, orders: list[tuple[str, int]], correction: int, run: str) -> list[dict]:
    """Mark the orders summarized as qbtui.sync.summaries does, and return the run's records of the summaries."""
    records, outcomes = [], []
    for kind, letter, entity, first_id in KINDS:
        key = {"channel": "web", "kind": kind, "period": DAY, "currency": "USD", "location": None, "class": None,
               "tax": None, "correction": correction}
        base = f"{letter}-{DAY.replace('-', '')}-web-USD"
        ref = base + (f"-C{correction}" if correction else "")
        qbo_id = str(int(first_id) + 3 * correction)
        docs = [(t, f"{prefix}{r}") for r, _ in orders
                for t, prefix in ((("sale_invoice", ""),) if kind == "sales" else
                                  (("cogs", "COGS-"),) if kind == "cogs" else (("sale_payment", "PAY-"),))]
        mark = {"ref": ref, "base": base, "correction": correction, "entity": entity, "id": qbo_id}
        outcomes += [{"type": t, "ref": r, "status": "summarized", "summary": mark, "run": run} for t, r in docs]
        price = {"sales": 12.50, "cogs": 4.10, "payments": 12.50}[kind]
        total = f"{sum(q for _, q in orders) * price:.2f}"
        records.append({"ref": ref, "entity": entity, "id": qbo_id, "outcome": "created", "count": len(docs),
                        "total": total, "key": {**key, "ref": ref}})
    cache.record_outcomes(outcomes)
    return records


@pytest.fixture
def summarized_app(data_dir: Path):
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="tests") as cache:
        cache.upsert_documents(_orders(ORDERS + LATE))
        for key in ("channel.web.invoice_sync", "channel.web.cogs_sync"):
            cache.set_setting(key, "daily")
        for n, (orders, run) in enumerate(((ORDERS, "run-2"), (LATE, "run-3"))):
            records = _post(cache, orders, n, run)
            cache.add_run({"id": run, "kind": "sync", "started": f"2026-11-2{4 + n}T09:00:00+00:00",
                           "ended": f"2026-11-2{4 + n}T09:00:30+00:00", "counts": {"summarized": 3 * len(orders)},
                           "summaries": records})

    def make(**kw) -> QbtuiApp:
        kw.setdefault("gate_source", fixed_gates)
        kw.setdefault("qbtui_command", FAKE_SYNC)
        return QbtuiApp(data_dir / "profiles" / "demo", profile="demo", data_dir=data_dir, **kw)
    return make


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_summaries_tab(snap_compare, summarized_app, size):
    assert snap_compare(summarized_app(), terminal_size=size, run_before=_keys("7"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_summary_documents(snap_compare, summarized_app, size):
    assert snap_compare(summarized_app(), terminal_size=size, run_before=_keys("7", "enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_summarized_invoice_on_sales(snap_compare, summarized_app, size):
    assert snap_compare(summarized_app(), terminal_size=size, run_before=_keys("p", "slash", "W", "E", "B", "minus", "2", "enter"))


@pytest.mark.parametrize(("theme", "no_color"), CASES, ids=["dark", "light", "no-color"])
@pytest.mark.parametrize("keys", [("p", "slash", "W", "E", "B", "enter"), ("p", "slash", "W", "E", "B", "enter", "j"),
                                  ("7",), ("7", "j"), ("7", "enter", "j")],
                         ids=["invoices", "invoices-j", "summaries", "summaries-j", "documents-j"])
async def test_summarized_readable(summarized_app, monkeypatch, theme, no_color, keys):
    """SUMMARIZED, on the document tabs, the Summaries tab and a summary's documents, reads at 4.5:1 or better in
    the dark and light themes and with NO_COLOR, on the cursor row and off it (tests/tui/test_readable.py)."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    cells = [c for c in await readable_after(summarized_app(theme=theme), keys) if c[0] == "SUMMARIZED"]
    assert any(on_cursor for *_, on_cursor in cells) and any(not on_cursor for *_, on_cursor in cells), cells


async def test_the_summaries_tab_of_a_profile_that_summarizes_nothing(make_app):
    """7 on a profile without a summarized channel: the tab shows (it is hidden from the tab bar otherwise) and says
    how to summarize; back on Sales the tab bar leaves it out again."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        assert "Summ" not in str(app.dashboard._dash("#topbar").render())
        await pilot.press("7")
        await _ready(pilot)
        assert app.dashboard.tab.label == "Summaries" and len(app.dashboard.table.rows) == 0
        assert app.dashboard.table.empty_text.startswith("No summaries posted yet: a channel in daily or monthly mode")
        assert "[7 Sum" in str(app.dashboard._dash("#topbar").render())
        await pilot.press("enter", "escape", "1")
        await _ready(pilot)
        assert "Summ" not in str(app.dashboard._dash("#topbar").render())


def test_the_wide_status_column_takes_its_cells_from_the_flexible_columns():
    """SUMMARIZED whole in the Status column costs no column its place at 80: every kind's columns need no more
    cells than without it (the flexible ones give theirs)."""
    from qbtui.ledger.kinds import KIND
    from qbtui.tui.table import STATUS_WIDE, kind_columns

    assert STATUS_WIDE == len("SUMMARIZED")
    for type_ in KIND:
        narrow, wide = kind_columns(type_), kind_columns(type_, True)
        assert sum(c.width for c in wide) <= sum(c.width for c in narrow) or not any(c.flex for c in wide), type_
        assert [c.title for c in wide] == [c.title for c in narrow]
        assert next(c.width for c in wide if c.status) == STATUS_WIDE
