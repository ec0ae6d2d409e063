"""A virtual table: a Line-API ScrollView that renders only the visible rows.

It holds a sequence of rows (the view: a list, or the model's Paged view that reads the store a page at a
time, so only the rows drawn are ever read); a cursor; a set of selected keys.
Every key press costs O(visible rows): moving the cursor refreshes two lines, a selection
toggle one line, a tab switch swaps the lists (no measuring: column widths come from the
widget's width).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qbtui.documents.text import safe_text
from qbtui.ledger.listing import ListColumn, as_decimal, cell as list_cell, columns_of

from .model import STATUS_WORDS, UNSET, Row, money
from .tabs import TYPE_SHORT


@dataclass(frozen=True)
class Column:
    title: str
    get: Callable[[Row], str]
    width: int  # minimum width
    flex: int = 0  # share of the spare width
    right: bool = False
    status: bool = False
    hide_below: int = 0  # hidden when the table is narrower than this


def _err(name: str) -> Callable[[Row], str]:
    return lambda r: str((r.error or {}).get(name) or "")


def listed_of(r: Row) -> dict:
    """A row as qbtui.ledger.listing reads it (its kind's columns, the filter, the CSV export)."""
    extra = r.extra or {}
    return {"type": r.type, "ref": r.ref, "date": r.date, "party": r.party,
            "total": None if r.total is UNSET else r.total, "status": r.status, "qbo_id": r.qbo_id,
            "data": extra, "balance": extra if "balance" in extra else None, "currency": extra.get("currency") or ""}


#: the Status column's width where a status word may be SUMMARIZED (a profile that summarizes: every word whole)
STATUS_WIDE = max(len(w) for w in STATUS_WORDS.values())


def _table_column(c: ListColumn, status_width: int = 7) -> Column:
    if c.key == "status":
        return Column(c.title, lambda r: STATUS_WORDS.get(r.status, r.status.upper()), status_width, status=True)
    if c.key == "ref":
        return Column(c.title, lambda r: r.ref, c.width, c.flex)
    if c.key == "date":
        return Column(c.title, lambda r: r.date, c.width)
    if c.key == "party":
        return Column(c.title, lambda r: r.party, c.width, c.flex)
    if c.key == "qbo_id":
        return Column(c.title, lambda r: r.qbo_id, c.width)
    if c.key == "total":
        return Column(c.title, lambda r: money(r.total), c.width, right=True)
    if c.kind == "money":
        return Column(c.title, lambda r, c=c: money(as_decimal(c.get(listed_of(r)))), c.width, right=True)
    return Column(c.title, lambda r, c=c: list_cell(c, listed_of(r)), c.width, c.flex)


_KIND_COLUMNS: dict[tuple[str, bool], tuple[Column, ...]] = {}


def kind_columns(type_: str, wide: bool = False) -> tuple[Column, ...]:
    """A document tab's columns: its kind's own (qbtui.ledger.listing.KIND_COLUMNS), the same object each time
    (the table measures widths again only when the columns change). ``wide``: the Status column holds every status
    word whole (:data:`STATUS_WIDE`: a profile whose channels summarize shows SUMMARIZED)."""
    cols = _KIND_COLUMNS.get((type_, wide))
    if cols is None:
        width = STATUS_WIDE if wide else 7
        made = [_table_column(c, width) for c in columns_of(type_)]
        spare = width - 7  # the wider Status takes its cells from the flexible columns' minimums, one at a time
        flexible = [i for i, c in enumerate(made) if c.flex]
        while spare and any(made[i].width > 8 for i in flexible):
            for i in flexible:
                if spare and made[i].width > 8:
                    made[i], spare = dataclasses.replace(made[i], width=made[i].width - 1), spare - 1
        cols = _KIND_COLUMNS[type_, wide] = tuple(made)
    return cols


_SORTED_COLUMNS: dict[tuple[str, int, bool, bool], tuple[Column, ...]] = {}


def sorted_columns(type_: str, index: int, descending: bool, wide: bool = False) -> tuple[Column, ...]:
    """The kind's columns with the sorted one's title marked (``^`` ascending, ``v`` descending)."""
    key = (type_, index, descending, wide)
    cols = _SORTED_COLUMNS.get(key)
    if cols is None:
        base = list(kind_columns(type_, wide))
        c = base[index]
        base[index] = Column(f"{c.title} {'v' if descending else '^'}", c.get, c.width + 2, c.flex, c.right, c.status,
                             c.hide_below)
        cols = _SORTED_COLUMNS[key] = tuple(base)
    return cols


DOCUMENT_COLUMNS = (
    Column("Reference", lambda r: r.ref, 12, 1),
    Column("Date", lambda r: r.date, 10),
    Column("Counterparty", lambda r: r.party, 10, 2),
    Column("Total", lambda r: money(r.total), 11, right=True),
    Column("Status", lambda r: STATUS_WORDS.get(r.status, r.status.upper()), 7, status=True),
    Column("QBO Id", lambda r: r.qbo_id, 6),
)
ERROR_COLUMNS = (
    Column("Reference", lambda r: r.ref, 11, 1),
    Column("Type", lambda r: TYPE_SHORT.get(r.type, r.type), 8),
    Column("Status", lambda r: STATUS_WORDS.get(r.status, r.status.upper()), 7, status=True),
    Column("Code", _err("code"), 12, 1),
    Column("Message", _err("message"), 12, 3),
    Column("Hint", _err("hint"), 10, 2, hide_below=110),
)
DISCREPANCY_COLUMNS = (
    Column("Reference", lambda r: r.ref, 11, 1),
    Column("Type", lambda r: TYPE_SHORT.get(r.type, r.type), 8),
    Column("Kind", lambda r: r.family.upper(), 7),
    Column("QBO Id", lambda r: r.qbo_id, 6),
    Column("What differs", _err("message"), 12, 3),
)


STATUS_CLASSES = frozenset({"vtable--failed", "vtable--blocked", "vtable--synced", "vtable--muted"})
MIN_CONTRAST = 4.5  # WCAG AA for text


def _luminance(color: RichColor) -> float:
    """WCAG 2.x relative luminance."""
    def channel(c: int) -> float:
        c_ = c / 255
        return c_ / 12.92 if c_ <= 0.04045 else ((c_ + 0.055) / 1.055) ** 2.4
    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: RichColor, bg: RichColor) -> float:
    high, low = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(style: Style, base: Style) -> Style:
    """``style``'s colour, moved towards the widget's own text colour until it reads at 4.5:1 on the widget's
    background: a theme's warning orange on a light background (3.3:1) becomes a darker orange. Colours the
    terminal picks (ANSI, default) are left alone."""
    fg, bg, text = style.color, base.bgcolor, base.color
    if fg is None or bg is None or text is None or not fg.triplet or not bg.triplet or not text.triplet:
        return style
    if contrast(fg, bg) >= MIN_CONTRAST:
        return style
    start, end = fg.triplet, text.triplet
    for step in range(1, 11):
        t = step / 10
        mixed = RichColor.from_rgb(*(round(a + (b - a) * t) for a, b in zip(start, end)))
        if contrast(mixed, bg) >= MIN_CONTRAST:
            return style + Style(color=mixed)
    return style + Style(color=text)


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` in ``width`` cells: control characters and bidi controls drawn as U+FFFD (no escape sequence
    reaches the terminal), and only the start of a long text is looked at (a 10 MB name costs a cell)."""
    if width <= 0:
        return ""
    text = safe_text(text[: 4 * width + 8], multiline=False)
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "~" if width > 1 else text[:1]
    pad = " " * (width - cell_len(text))
    return pad + text if right else text + pad


class VirtualTable(ScrollView, can_focus=True):
    """Rows of documents with a cursor and a ``[x]`` selection column."""

    COMPONENT_CLASSES = {
        "vtable--header", "vtable--cursor", "vtable--selected", "vtable--failed",
        "vtable--blocked", "vtable--synced", "vtable--muted",
    }
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; overflow-x: hidden; scrollbar-size-vertical: 1; }
    VirtualTable > .vtable--header { text-style: bold; background: $panel; }
    VirtualTable > .vtable--cursor { background: $foreground 30%; color: $foreground; text-style: bold; }
    VirtualTable:focus > .vtable--cursor { background: $foreground; color: $background; }
    VirtualTable > .vtable--selected { text-style: bold; }
    VirtualTable > .vtable--failed { color: $text-error; text-style: bold; }
    VirtualTable > .vtable--blocked { color: $text-warning; text-style: bold; }
    VirtualTable > .vtable--synced { color: $text-success; }
    VirtualTable > .vtable--muted { color: $text-muted; }
    """
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("g,home", "cursor_top", "First row", show=False, id="cursor_top"),
        Binding("G,end", "cursor_bottom", "Last row", show=False, id="cursor_bottom"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
    ]

    class CursorMoved(Message):
        def __init__(self, row: Row | None) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Sequence[Row] = []
        self.columns: tuple[Column, ...] = DOCUMENT_COLUMNS
        self.selected: set[tuple[str, str]] = set()
        self.cursor = 0
        self._widths: list[int] = []
        self._widths_for = -1
        self.visible_columns: tuple[Column, ...] = self.columns
        self.empty_text = "Nothing here."
        self._styles_memo: dict[str, Style] = {}

    # ------------------------------------------------------------------ data
    def set_view(self, rows: Sequence[Row], columns: tuple[Column, ...],
                 cursor_key: tuple[str, str] | None = None, empty_text: str = "Nothing here.") -> None:
        self.rows, self.empty_text = rows, empty_text
        if columns is not self.columns:
            self.columns, self._widths_for = columns, -1
        self.cursor = 0
        if cursor_key is not None:  # only when restoring a row after a reload: among the rows read so far
            position = getattr(rows, "position", None)
            found = position(cursor_key) if position is not None else next(
                (pos for pos, r in enumerate(rows) if r.key == cursor_key), None)
            self.cursor = found or 0
        self._set_virtual_height(len(rows) + 1)
        self.scroll_to(y=0, animate=False, immediate=True)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(self.current_row))

    def _set_virtual_height(self, height: int) -> None:
        """The view's length as the scroll range. A layout pass (the whole screen reflowed) only when the scrollbar
        appears or goes: the table's own size never changes with its rows, so a view of 9,795 rows after one of
        35,691 needs only the scrollbar redrawn."""
        size = Size(self.scrollable_content_region.width, height)
        if size == self.virtual_size:
            return
        if (size.width == self.virtual_size.width and self.container_size.height
                and (height > self.container_size.height) == self.show_vertical_scrollbar):
            self.set_reactive(VirtualTable.virtual_size, size)
            self._scroll_update(size)  # the scrollbar's range and thumb, the scroll offset kept within it
        else:
            self.virtual_size = size

    @property
    def index(self) -> range:
        """Positions of the rows shown."""
        return range(len(self.rows))

    @property
    def current_row(self) -> Row | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def shown_rows(self) -> Iterator[Row]:
        return iter(self.rows)

    def shown_keys(self) -> list[tuple[str, str]]:
        """The keys of every row shown (a Paged view reads only its keys, through an index)."""
        keys = getattr(self.rows, "keys", None)
        return keys() if keys is not None else [r.key for r in self.rows]

    # ------------------------------------------------------------------ layout
    def _column_widths(self, width: int) -> list[int]:
        if self._widths_for == width:
            return self._widths
        cols = self.visible_columns = tuple(c for c in self.columns if width >= c.hide_below)
        fixed = 4 + sum(c.width for c in cols) + len(cols) - 1  # "[x] " + gaps
        spare = max(0, width - fixed)
        flex_total = sum(c.flex for c in cols) or 1
        widths = []
        given = 0
        flex_cols = [i for i, c in enumerate(cols) if c.flex]
        for c in cols:
            extra = spare * c.flex // flex_total if c.flex else 0
            given += extra
            widths.append(c.width + extra)
        if flex_cols:
            widths[flex_cols[-1]] += spare - given
        self._widths, self._widths_for = widths, width
        return widths

    def _text_cells(self, values: list[str]) -> list[str]:
        widths = self._column_widths(self.scrollable_content_region.width)
        return [fit(v, w, c.right) for v, w, c in zip(values, widths, self.visible_columns)]

    # ------------------------------------------------------------------ rendering
    def _style(self, name: str) -> Style:
        style = self._styles_memo.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            if name in STATUS_CLASSES:
                style = readable(style, self.rich_style)
            self._styles_memo[name] = style
        return style

    def notify_style_update(self) -> None:
        self._styles_memo = {}
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            style = base + self._style("vtable--header")
            self._column_widths(width)
            cells = self._text_cells([c.title for c in self.visible_columns])
            return Strip([Segment(fit("    " + " ".join(cells), width), style)], width)
        scroll_y = int(self.scroll_offset.y)
        pos = scroll_y + y - 1
        if pos >= len(self.rows):
            if pos == 0:
                style = base + self._style("vtable--muted")
                return Strip([Segment(fit("    " + self.empty_text, width), style)], width)
            return Strip.blank(width, base)
        row = self.rows[pos]
        selected = row.key in self.selected
        style = base
        if selected:
            style += self._style("vtable--selected")
        if pos == self.cursor:
            style += self._style("vtable--cursor")
        self._column_widths(width)
        cols = self.visible_columns
        cells = self._text_cells([c.get(row) for c in cols])
        segments = [Segment("[x] " if selected else "[ ] ", style)]
        for n, (cell, col) in enumerate(zip(cells, cols)):
            if n:
                segments.append(Segment(" ", style))
            if col.status and pos == self.cursor:
                # the cursor row's own colours (never the status colour on the cursor's background): the word
                # says the status, the colour only repeats it
                segments.append(Segment(cell, style + Style(bold=True)))
            elif col.status and row.status in ("failed", "blocked", "synced", "summarized"):
                # summarized: posted in its channel's summary, done as a synced one is (the same colour)
                name = "synced" if row.status == "summarized" else row.status
                segments.append(Segment(cell, style + self._style(f"vtable--{name}")))
            else:
                segments.append(Segment(cell, style))
        return Strip(segments).adjust_cell_length(width, style)

    def on_resize(self) -> None:
        self._widths_for = -1
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows) + 1)
        self._scroll_cursor_into_view()

    # ------------------------------------------------------------------ cursor
    @property
    def _page(self) -> int:
        return max(1, self.size.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor > top + self._page - 1:
            self.scroll_to(y=self.cursor - self._page + 1, animate=False, immediate=True)

    def move_cursor(self, pos: int) -> None:
        if not self.rows:
            return
        pos = max(0, min(len(self.rows) - 1, pos))
        old = self.cursor
        if pos == old:
            return
        self.cursor = pos
        top = int(self.scroll_offset.y)
        self._scroll_cursor_into_view()
        if int(self.scroll_offset.y) == top:
            self.refresh_line(old - top + 1)
            self.refresh_line(pos - top + 1)
        else:
            self.refresh()
        self.post_message(self.CursorMoved(self.current_row))

    def refresh_row_at(self, pos: int) -> None:
        top = int(self.scroll_offset.y)
        if top <= pos < top + self._page:
            self.refresh_line(pos - top + 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self.move_cursor(0)

    def action_cursor_bottom(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self._page)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self._page)

    def on_key(self, event) -> None:
        # while the filter is typed, keys go to it (before any binding)
        filter_key = getattr(self.screen, "filter_key", None)
        if filter_key is not None and filter_key(event):
            event.stop()
            event.prevent_default()

    def on_click(self, event) -> None:  # the mouse works, nothing needs it
        pos = int(self.scroll_offset.y) + event.y - 1
        if event.y >= 1 and 0 <= pos < len(self.rows):
            self.move_cursor(pos)

    # ------------------------------------------------------------------ selection
    def toggle_current(self) -> None:
        row = self.current_row
        if row is None:
            return
        if row.key in self.selected:
            self.selected.discard(row.key)
        else:
            self.selected.add(row.key)
        self.refresh_row_at(self.cursor)
        self.move_cursor(self.cursor + 1)

    def select_all_shown(self) -> None:
        self.selected.update(self.shown_keys())
        self.refresh()

    def invert_shown(self) -> None:
        shown = set(self.shown_keys())
        self.selected.symmetric_difference_update(shown)
        self.refresh()

    def clear_selection(self) -> None:
        self.selected.clear()
        self.refresh()
