"""The document screen of a failed document says QuickBooks' own reason (the error's detail) under "Why it is not
synced", where the hint of a general message (6000: "see the detail") sends the reader, not only at the foot of its
sync history."""

from __future__ import annotations

from textual.widgets import Static

from qbtui.cache import Cache
from tests.tui.test_document_words import _open_sale, _plain

DETAIL = "Business Validation Error: Transaction amount must be zero or greater."


async def test_a_failed_invoice_shows_quickbooks_detail_with_its_reason(make_app, data_dir):
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="tests") as cache:
        cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-1001", "status": "failed", "run": "run-2",
                                "error": {"code": "6000", "message": "A business validation error has occurred while "
                                          "processing your request", "detail": DETAIL,
                                          "hint": "QuickBooks refused it (see the detail): fix the document and re-sync",
                                          "intuit_tid": "1-6b0d912d-f73a3f2da4440b2c341a8fb7"}}])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_sale(app, pilot, "SO-1001")
        assert _plain(screen.query_one("#qbo-detail", Static)).strip() == f"QuickBooks says: {DETAIL}"
        # right after the reason and its hint, before the intuit_tid
        order = [s.id for s in screen.query(Static) if s.id in ("qbo-detail", "intuit-tid")]
        assert order == ["qbo-detail", "intuit-tid"]
