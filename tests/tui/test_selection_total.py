"""The selection's total on the status line when a whole view of thousands is selected (a): the count at once,
the total summed off the key's path, exact, and summed again when the selection or a row changes."""

from __future__ import annotations

from decimal import Decimal

from qbtui.cache import Cache
from qbtui.tui.app import QbtuiApp
from qbtui.tui.dashboard import SUM_INLINE

N = 2 * SUM_INLINE


def status_text(app) -> str:
    return str(app.dashboard._dash("#statusline").render())


async def settled(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def make_profile(root):
    invoices = [{"type": "sale_invoice", "ref": f"SO-{i:05d}", "customer": "C-1", "invoice_date": "2026-11-02",
                 "lines": [{"sku": "MUG", "quantity": "1", "unit_price": f"{i}.25"}]} for i in range(N)]
    profile = root / "profiles" / "big"
    with Cache.open(profile, writer=True) as cache:
        cache.upsert_documents([{"type": "customer", "ref": "C-1", "name": "Customer 1"},
                                {"type": "product", "ref": "MUG", "name": "Mug", "sale_price": "1"}, *invoices])
        # a third synced: not in hand, their totals are read from the store when the view of every document is
        cache.record_outcomes([{"type": "sale_invoice", "ref": d["ref"], "status": "synced",
                                "qbo": [{"entity": "Invoice", "id": str(i), "sync_token": "0"}]}
                               for i, d in enumerate(invoices) if i % 3 == 0])
    return profile, invoices


async def test_select_all_of_thousands_sums_off_the_key(tmp_path):
    profile, invoices = make_profile(tmp_path)
    pending = [d for i, d in enumerate(invoices) if i % 3]
    assert len(pending) > SUM_INLINE
    app = QbtuiApp(profile, profile="big", data_dir=tmp_path, gate_source=lambda cache: {})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        await pilot.press("a")
        assert len(app.dashboard.table.selected) == len(pending)
        await settled(app, pilot)
        total = sum((Decimal(d["lines"][0]["unit_price"]) for d in pending), Decimal(0))
        assert status_text(app).startswith(f"{len(pending):,} selected, total ${total:,.2f} | ")
        # one row fewer: summed again
        await pilot.press("space")
        await settled(app, pilot)
        first = next(app.dashboard.table.shown_rows())
        assert first.key not in app.dashboard.table.selected
        assert status_text(app).startswith(f"{len(pending) - 1:,} selected, total ${total - first.total:,.2f} | ")
        # the view of every document: those synced are not in hand, their totals read from the store
        await pilot.press("escape", "p")
        await settled(app, pilot)
        await pilot.press("a")
        await settled(app, pilot)
        every = sum((Decimal(d["lines"][0]["unit_price"]) for d in invoices), Decimal(0))
        assert status_text(app).startswith(f"{N:,} selected, total ${every:,.2f} | ")
        await pilot.press("escape")
        await settled(app, pilot)
        assert status_text(app).startswith("0 selected, total $0.00 | ")
