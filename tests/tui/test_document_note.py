"""The document screen says what the last sync left undone on purpose: the link's note (a credit note's credit left
unapplied because its invoice was already paid: qbtui/sync/credits.py), under its sync history."""

from __future__ import annotations

from textual.widgets import Static

from qbtui.cache import Cache
from qbtui.sync.credits import UNAPPLIED_PAID
from tests.tui.test_document_words import _open_sale, _plain


async def test_the_document_screen_shows_the_links_note(make_app, data_dir):
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="tests") as cache:
        cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-1001", "status": "synced", "synced_rev": 1,
                                "run": "run-2", "note": UNAPPLIED_PAID}])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_sale(app, pilot, "SO-1001")
        history = _plain(screen.query_one("#history", Static))
        assert f"Note: {UNAPPLIED_PAID}" in history, history
