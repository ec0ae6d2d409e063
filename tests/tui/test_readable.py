"""The dashboard read at 80x24: every status word readable (on the cursor row too) in the dark and light themes
and with NO_COLOR, measured on the app's own rendering; the Errors tab's detail and footer; tab labels whole."""

from __future__ import annotations

import pytest
from rich.color import Color
from rich.style import Style

STATUS_WORDS = ("FAILED", "BLOCKED", "SYNCED", "SKIPPED", "PENDING", "OK", "SUMMARIZED")


def _luminance(color: Color) -> float:
    """WCAG 2.x relative luminance."""
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: Color, bg: Color) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


async def _ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _screen_segments(app):
    """The screen as the terminal receives it: the compositor's lines through the app's own filters (NO_COLOR
    turns colours to grey or drops them)."""
    lines = []
    background = app.screen.styles.background
    for strip in app.screen._compositor.render_strips():
        for line_filter in app.get_line_filters():
            strip = strip.apply_filter(line_filter, background)
        lines.append(list(strip))
    return lines


def _status_cells(app) -> list[tuple[str, Style, bool]]:
    """(word, style, on the cursor row) of every status word drawn in the table."""
    table = app.dashboard.table
    top = table.region.y
    cursor_line = top + 1 + table.cursor - int(table.scroll_offset.y)
    found = []
    for y, segments in enumerate(_screen_segments(app)):
        if not top < y < top + table.region.height:
            continue
        for segment in segments:
            word = segment.text.strip()
            if word in STATUS_WORDS:
                found.append((word, segment.style or Style(), y == cursor_line))
    return found


CASES = [("textual-dark", False), ("textual-light", False), ("textual-dark", True)]


@pytest.mark.parametrize(("theme", "no_color"), CASES, ids=["dark", "light", "no-color"])
@pytest.mark.parametrize("keys", [("5",), ("5", "j"), ("p",), ("p", "j", "j")], ids=["errors", "errors-j", "all",
                                                                                      "all-jj"])
async def test_status_words_readable(make_app, monkeypatch, theme, no_color, keys):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    cells = await readable_after(make_app(theme=theme), keys)
    assert cells, "no status word drawn"
    assert any(on_cursor for _, _, on_cursor in cells), "the cursor row shows no status word"


async def readable_after(app, keys) -> list[tuple[str, Style, bool]]:
    """The status words drawn at 80x24 after ``keys``, each checked readable (:func:`assert_readable`)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press(*keys)
        await _ready(pilot)
        cells = _status_cells(app)
        assert_readable(app, cells)
        return cells


def assert_readable(app, cells: list[tuple[str, Style, bool]]) -> None:
    """Each status word drawn reads at 4.5:1 or better against what it is drawn on (the screen's colours where
    its style names none)."""
    default_fg = app.screen.styles.color.rich_color
    default_bg = app.screen.styles.background.rich_color
    for word, style, on_cursor in cells:
        fg = style.color or default_fg
        bg = style.bgcolor or default_bg
        if style.reverse:
            fg, bg = bg, fg
        ratio = contrast(fg, bg)
        assert ratio >= 4.5, f"{word} (cursor row: {on_cursor}) {fg} on {bg}: {ratio:.2f}:1"


def _text(app) -> list[str]:
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def _footer_keys(app) -> list[str]:
    from textual.widgets._footer import FooterKey
    return [f"{key.key_display} {key.description}" for key in app.screen.query(FooterKey)
            if key.display and key.region.right <= app.size.width]  # the dashboard's footer hides keys in place


async def test_errors_tab_at_80x24_shows_the_whole_error_and_its_keys(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("5", "j", "j")  # BILL-3002: blocked for two reasons
        await _ready(pilot)
        text = _text(app)
        screen = "\n".join(text)
        detail = app.dashboard.query_one("#detail").render().plain
        assert "BILL-3002 bill BLOCKED (2 reasons)" in screen
        # the whole message and hint, wrapped (the table's Message column cuts it)
        assert ("date.in_closed_period: This supplier invoice's invoice date 2026-09-20 is in a closed period: QBO's "
                "books are closed up to 2026-09-30.  Hint: Date it after the close date") in detail
        assert "This supplier invoice's invoice date 2026-09-20 is in a" in screen  # drawn, not only held
        keys = _footer_keys(app)
        assert "e Fix" in keys and "r Re-sync" in keys, keys
        await pilot.press("4")  # back on a document tab: the upload keys come back
        await _ready(pilot)
        keys = _footer_keys(app)
        assert "u Upload" in keys, keys
        await pilot.press("u")  # still bound on every tab: nothing selected says so
        await _ready(pilot)


async def test_tab_counts_and_selection_total_are_never_cut_at_80(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("a")
        await _ready(pilot)
        text = _text(app)
        tabs = text[0]
        assert "5 Errors (6)" in tabs and "(2)" in tabs and "…" not in tabs, tabs
        status = text[-2].strip()
        assert status.startswith("19 selected, total $3,290.30 | "), status
        assert "SANDBOX" in status and "connected" in status


async def test_status_line_at_120_keeps_the_whole_company(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        status = _text(app)[-2].strip()
        assert status == ("0 selected, total $0.00 | Harbourside Ceramics (demo) | SANDBOX | connected | last sync "
                          "2026-11-26 16:41"), status
