"""The document screen in words: why a document is not synced and why it sends nothing name no reason codes
(``invoice.missing_date`` is for scripts); QuickBooks' own error numbers stay (Intuit support asks for them)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static

from qbtui.tui.screens import DocumentScreen
from tests.tui.test_document_journal import _open, _ready


async def _open_sale(app, pilot, ref: str) -> DocumentScreen:
    """Sales, every document, Enter on ``ref``: its document screen once the Backend's child has read it."""
    await _ready(pilot)
    await pilot.press("1", "p")
    await _ready(pilot)
    await _open(app, pilot, ref)
    return app.screen


def _plain(static: Static) -> str:
    """What a Static draws, as plain text (its Text or its table)."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(static.content)
    return console.export_text()


def _text(screen: DocumentScreen) -> str:
    return "\n".join(_plain(s) for s in screen.query(Static))


async def test_a_blocked_invoice_says_why_in_words(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_sale(app, pilot, "SO-1008")  # blocked: no invoice date (tests/tui/conftest.py FIXED_GATES)
        text = _text(screen)
        assert "This sales invoice has no invoice date.\n  Hint: Set the invoice date and import it again" in text
        payloads = _plain(screen.query_one("#payloads", Static))
        assert payloads.startswith("Nothing to send: it is BLOCKED.\n- This sales invoice has no invoice date.")
        assert "It needs product 'TEA-04'" in payloads
        for code in ("invoice.missing_date", "dependency.", "(blocked)", "qbtui.sync"):
            assert code not in text, code


async def test_a_failed_invoice_names_quickbooks_error_number(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_sale(app, pilot, "SO-1010")  # failed in the sample's run: QuickBooks answered 6210
        history = _plain(screen.query_one("#history", Static))
        assert "Last error: QuickBooks error 6210: Account Period Closed" in history, history
        when = history.split("when", 1)[1].splitlines()[1].split()[:2]
        assert len(when[0]) == 10 and len(when[1]) == 8, when  # a date and a time (UTC), not ISO's 2026-11-26T16:41
