"""The dashboard says QuickBooks' own reason for refusing a document (its error's detail) where it shows the error:
the Errors tab's box for the highlighted error and the Sales tab's bottom line, shortened to fit the width (the
document screen has it whole), so that the reader learns why without opening the document."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from qbtui.cache import Cache
from qbtui.sync.events import detail_text
from tests.tui.test_document_detail import DETAIL

SIZES = [(80, 24), (120, 40)]
GENERAL = "A business validation error has occurred while processing your request"
SAID = f"QuickBooks says: {DETAIL}"


async def _ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _drawn(app) -> list[str]:
    """The screen's lines as drawn, without their padding."""
    return ["".join(segment.text for segment in strip).strip() for strip in app.screen._compositor.render_strips()]


def _record_refusal(data_dir, ref: str = "SO-1001", **error) -> None:
    """QuickBooks' general 6000 refusal of ``ref``, recorded as a sync records it."""
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="tests") as cache:
        cache.record_outcomes([{"type": "sale_invoice", "ref": ref, "status": "failed", "run": "run-2",
                                "error": {"code": "6000", "message": GENERAL, "detail": DETAIL,
                                          "hint": "QuickBooks refused it (see the detail): fix the document and re-sync",
                                          "intuit_tid": "1-6b0d912d-f73a3f2da4440b2c341a8fb7", **error}}])


async def _highlight(app, pilot, tab: str, ref: str) -> None:
    await _ready(pilot)
    await pilot.press(*tab)
    await _ready(pilot)
    rows = list(app.dashboard.table.shown_rows())
    app.dashboard.table.move_cursor(next(i for i, r in enumerate(rows) if r.ref == ref))
    await _ready(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_errors_tab_and_the_bottom_line_say_quickbooks_reason(make_app, data_dir, size):
    _record_refusal(data_dir)
    width = size[0] - 2  # the box's and the line's padding
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _highlight(app, pilot, "5", "SO-1001")
        box = app.dashboard.query_one("#detail").render().plain
        assert box.startswith(f"SO-1001 invoice FAILED  6000: {GENERAL}  Hint: QuickBooks refused it"), box
        said = box.splitlines()[-1]
        assert said in _drawn(app)  # drawn in the box, on one line of its own
        if cell_len(SAID) <= width:
            assert said == SAID
        else:  # shortened to the width, the rest on the document screen (enter)
            assert cell_len(said) == width and said.endswith("…") and SAID.startswith(said[:-1]), said
            assert said.startswith("QuickBooks says: Business Validation Error: Transaction amount must be")

        await _highlight(app, pilot, ("1", "p"), "SO-1001")  # Sales > Invoices, every one
        line = str(app.dashboard._dash("#info").render())
        assert line.startswith("SO-1001 FAILED 6000  QuickBooks says: Business Validation Error: Transaction"), line
        assert cell_len(line) <= width and line in _drawn(app)
        if size[0] >= 120:
            assert line == f"SO-1001 FAILED 6000  {SAID}"
        for shape in ("None", "{", "'detail'"):
            assert shape not in box + line, shape


async def test_a_detail_that_adds_to_a_short_message_keeps_the_message_when_it_fits(make_app, data_dir):
    _record_refusal(data_dir, code="6210", message="Account Period Closed", detail="book close date 2026-09-30",
                    hint="change the document's date")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _highlight(app, pilot, ("1", "p"), "SO-1001")
        assert str(app.dashboard._dash("#info").render()) == (
            "SO-1001 FAILED 6210: Account Period Closed  QuickBooks says: book close date 2026-09-30"
            "  (e: fix, enter: details)")


async def test_a_detail_that_repeats_the_message_is_not_said_twice(make_app, data_dir):
    _record_refusal(data_dir, code="6240", message="Duplicate Name Exists Error: The name supplied already exists",
                    detail="The name supplied already exists", hint="rename it")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _highlight(app, pilot, "5", "SO-1001")
        box = app.dashboard.query_one("#detail").render().plain
        assert box.count("The name supplied already exists") == 1 and "QuickBooks says" not in box, box
        await _highlight(app, pilot, ("1", "p"), "SO-1001")
        line = str(app.dashboard._dash("#info").render())
        assert line.startswith("SO-1001 FAILED 6240: Duplicate Name Exists Error") and "QuickBooks says" not in line


async def test_a_refusal_reported_during_a_sync_keeps_its_detail(make_app):
    """The row follows the sync child's document event (the dashboard's live update), its detail with it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _highlight(app, pilot, ("1", "p"), "SO-1013")  # pending in the sample
        app.dashboard.apply_document_event({
            "type": "sale_invoice", "ref": "SO-1013", "status": "failed", "qbo_ids": [],
            "error": {"code": "6000", "message": GENERAL, "detail": DETAIL, "hint": "see the detail"}})
        app.dashboard.update_status()
        await _ready(pilot)
        assert "QuickBooks says: Business Validation Error" in str(app.dashboard._dash("#info").render())


async def test_a_desktop_failure_it_will_send_again_counts_as_queued_and_its_detail_is_not_said(make_app, data_dir):
    """QuickBooks Desktop could not save it (3170: another user editing the record): the next Web Connector session
    sends it again (docs/desktop.md), so the status line counts it queued, which reads the row's detail."""
    with Cache.open(data_dir / "profiles" / "demo", writer=True) as cache:
        cache.set_setting("backend", "desktop")

    async def queued(failed: bool) -> int:
        app = make_app()
        async with app.run_test(size=(160, 24)) as pilot:
            await _ready(pilot)
            if failed:
                await _highlight(app, pilot, "5", "SO-1001")
                box = app.dashboard.query_one("#detail").render().plain
                assert "QuickBooks could not save it" in box and "QuickBooks says" not in box, box
            return int(re.search(r"\| ([\d,]+) queued", str(app.dashboard._dash("#statusline").render()))[1])

    before = await queued(False)
    _record_refusal(data_dir, code="desktop_3170", message="QuickBooks could not save it (another user editing the "
                    "record, or a closed period): it is sent again in the next session", detail="cannot_save",
                    hint="close the record in QuickBooks")
    assert await queued(True) == before + 1


def test_desktop_detail_is_an_outcome_word_not_said():
    """QuickBooks Desktop's detail is a word for scripts (cannot_save), its message already Desktop's own."""
    assert detail_text({"code": "desktop_3170", "message": "QuickBooks could not save it", "detail": "cannot_save"}) == ""
    assert detail_text({"code": "6000", "message": GENERAL, "detail": None}) == ""
    assert detail_text(None) == ""
    assert detail_text({"code": "6000", "message": GENERAL, "detail": DETAIL}) == SAID


async def test_the_filter_finds_errors_by_their_words_and_quickbooks_detail(make_app, data_dir):
    """On the Errors tab / finds a document by why it is not synced: a word of its message (a gate's reason) or of
    QuickBooks' own detail, as well as by its reference."""
    _record_refusal(data_dir)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("5")
        await _ready(pilot)
        every = {r.ref: r for r in app.dashboard.table.shown_rows()}
        assert "SO-1001" in every and len(every) > 3
        for query, why in (("zero or greater", "detail"), ("no invoice date", "message")):
            await pilot.press("slash", *("space" if ch == " " else ch for ch in query), "enter")
            await _ready(pilot)
            shown = [r for r in app.dashboard.table.shown_rows()]
            assert shown and all(query in r.search for r in shown), (why, [r.ref for r in shown])
            assert all(query in (r.error or {}).get(why, "").lower() for r in shown), why
            await pilot.press("escape")
            await _ready(pilot)
        assert {r.ref for r in app.dashboard.table.shown_rows()} == set(every)  # the filter cleared
