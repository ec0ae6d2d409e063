"""The dashboard notices when another process changed its profile (here: a writer of the store, as `qbtui
import`, `pull` or a sync from cron would be) and shows the change without a key."""

from __future__ import annotations

import time

from qbtui.cache import Cache

from .test_keys import ready


async def test_the_dashboard_reloads_what_another_process_wrote(make_app, data_dir):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        d = app.dashboard
        assert ("sale_invoice", "SO-9001") not in d.model.by_key
        with Cache.open(data_dir / "profiles" / "demo", writer=True, command="another process") as cache:
            cache.upsert_documents([{"type": "sale_invoice", "ref": "SO-9001", "customer": "C-100",
                                     "invoice_date": "2026-11-20",
                                     "lines": [{"sku": "MUG-01", "quantity": 1, "unit_price": "9.00"}]}])
        deadline = time.monotonic() + 30  # a guard against hanging, not a timing assertion
        while ("sale_invoice", "SO-9001") not in d.model.by_key:
            assert time.monotonic() < deadline, "the dashboard never noticed"
            await pilot.pause(0.1)
        assert d.profile_watch.changes >= 1
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "SO-9001" in [r.ref for r in d.table.shown_rows()]


def test_a_reader_opening_and_closing_the_store_is_no_change(data_dir):
    """SQLite makes the store's journal empty when a first connection opens it and removes it when the last one
    closes: a reader (a child of the dashboard, the gates' check) writes nothing, and must not reload the model
    (each reload read every row in hand again, and the frozen rows of the old one stayed in memory)."""
    from qbtui.tui.watch import stamp

    profile = data_dir / "profiles" / "demo"
    reader = Cache.open(profile, writer=False)
    try:
        assert reader.status_counts()
        while_open = stamp(profile)
    finally:
        reader.close()
    assert not (profile / "documents.sqlite-wal").exists() or (profile / "documents.sqlite-wal").stat().st_size == 0
    assert stamp(profile) == while_open
    with Cache.open(profile, writer=True, command="another process") as cache:
        cache.set_setting("memo_prefix", "x")
        cache.upsert_documents([{"type": "customer", "ref": "C-9001", "name": "Someone New"}])
    assert stamp(profile) != while_open
