"""The Dashboard: the main Screen (tabs, the virtual table, the status line, uploads). It owns its state and
its actions, and reaches the profile and QuickBooks through the Backend only (qbtui.tui.backend): the model
is loaded from a reader in threads, everything else runs in child processes whose events arrive as
Messages (qbtui.tui.messages)."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from qbtui.cache import Cache, CacheError
from qbtui.documents.text import safe_text
from qbtui.ledger.context import Prefs
from qbtui.ledger.listing import columns_of, sort_rows, to_csv, totals_of, totals_text
from qbtui.settings import is_read_only
from qbtui.sync.events import detail_text, progress_text, reason_text, sent_text

from .backend import Backend, BackendError, Gates
from .footer import KeysFooter
from .keys import APP_BINDINGS, READ_ONLY_WHY, usable_keymap
from .messages import DocumentChanged, UploadFinished, UploadProgress
from .model import FILTER_IN_MEMORY, SENDABLE, UNSET, Model, Paged, ReadAhead, Shown, priced, row_error, warm_pages
from .resolving import DiscrepancyActions, discrepancy_bindings
from .screens import ConfirmScreen, DocumentScreen, HelpScreen, fix_screen_for
from .summaries import SummaryView, summary_bindings, summary_line
from .table import DISCREPANCY_COLUMNS, ERROR_COLUMNS, VirtualTable, kind_columns, listed_of, sorted_columns
from .tabs import TABS, TYPE_LABELS, TYPE_SHORT

#: the dashboard's actions that send to QuickBooks (shown disabled and refused, saying why, on a read-only profile)
SENDING_ACTIONS = frozenset({"upload_selected", "upload_all", "sync_everything", "resync"})
#: the Discrepancies tab's resolutions that send (taking QuickBooks' version or dismissing sends nothing)
SENDING_RESOLUTIONS = frozenset({"push", "resend"})
#: the dashboard's keys that are followed by typing, by binding id (qbtui/tui/keys.py), as Textual names them
MODE_KEYS = {"filter": "slash", "fix": "e"}


def mode_keys(remapped: dict[str, str]) -> dict[str, frozenset[str]]:
    """The keys of each of MODE_KEYS' actions, a stored remap (``keymap.ID``: keys separated by commas) applied."""
    return {action: frozenset(k.strip() for k in remapped.get(action, key).split(","))
            for action, key in MODE_KEYS.items()}
#: the status line's mark of a profile that sends nothing (integration mode "From QuickBooks only")
READ_ONLY_WORDS = "READ-ONLY: nothing is sent"
BUSY_WHY = "A sync is already running (an upload or the autosync): wait for it to finish."
#: what to press when the preflight keeps the first sync from running (the connect wizard's Preflight step)
PREFLIGHT_KEYS = ("Press ctrl+p and choose Connect wizard: on its Preflight step f fixes the highlighted problem "
                  "where QuickBooks allows it, b records that the backup is made; then U uploads again.")
#: the columns a view of the store can be sorted by a page at a time (its indexed orders: Cache.rows, ROW_ORDERS)
STORE_ORDERS = {"ref": "ref", "date": "date", "status": "status"}
#: a view of the store this long or shorter shows its totals (a few pages read)
TOTALS_PAGED = 500
#: a selection of more documents than this is summed in a thread (select all on a view of thousands)
SUM_INLINE = 1_000
NO_EXTRA: dict = {}
#: footer keys left out on the Errors and Discrepancies tabs (see Dashboard.active_bindings)
OFF_DOCUMENTS_UNSHOWN = frozenset({"upload_selected", "upload_all", "toggle_pending"})
#: how long after a screen closes its garbage is collected (the close has been drawn by then)
COLLECT_AFTER_S = 0.05


class Bar(Widget):
    """A one-line bar drawn straight from a rich Text (Line API): updating it costs one line,
    no layout and no markup parsing, which keeps key presses that change the status cheap."""

    DEFAULT_CSS = "Bar { height: 1; width: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()

    def update(self, text: Text, layout: bool = False) -> None:
        self.text = text
        self.refresh()

    def render(self) -> Text:  # for tests and exports that read the content
        return self.text

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        style = self.rich_style
        if y != 0:
            return Strip.blank(width, style)
        segments = [Segment(seg.text, style + seg.style if seg.style else style)
                    for seg in self.text.render(self.app.console) if seg.text != "\n"]
        return Strip(segments).adjust_cell_length(width, style)


class DetailBox(Widget):
    """The cursor row's whole error on the Errors and Discrepancies tabs: every reason's code, message and hint,
    wrapped over a fixed height (drawn without a layout pass, so a cursor move repaints only these lines)."""

    DEFAULT_CSS = """
    DetailBox { height: 5; display: none; padding: 0 1; background: $boost; }
    DetailBox.shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()

    def update(self, text: Text) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return self.text


def one_line(text: str, width: int) -> Text:
    """``text`` in one line of ``width`` cells, shortened with an ellipsis (no control sequence reaches the
    terminal, and only the start of a long text is looked at)."""
    line = Text(safe_text(text, multiline=False, limit=4 * width + 8), no_wrap=True)
    line.truncate(max(1, width), overflow="ellipsis")
    return line


def error_detail(row, type_label: str, width: int = 78) -> Text:
    """What the Errors tab says of one row: its reasons whole (code, message, hint), then QuickBooks' own reason
    of a refusal (``QuickBooks says: ...``) on one line of ``width`` cells: the document screen has it whole."""
    text = Text()
    if row is None:
        return text
    error = row.error or {}
    text.append(f"{row.ref}", style="bold")
    text.append(f" {type_label} {row.status.upper()}", style="bold")
    reasons = error.get("reasons") or [error]
    if len(reasons) > 1:
        text.append(f" ({len(reasons)} reasons)")
    for reason in reasons:
        code, message, hint = (str(reason.get(k) or "") for k in ("code", "message", "hint"))
        text.append("\n" if len(reasons) > 1 else "  ")
        if code:
            text.append(f"{code}: ", style="bold")
        text.append(message)
        if hint:
            text.append("  Hint: ", style="bold")
            text.append(hint)
    said = detail_text(error)
    if said:
        text.append("\n")
        text.append_text(one_line(said, width))
    return text


def failure_line(row, width: int) -> str:
    """The info line of a blocked or failed document: its reason and what to press, and QuickBooks' own reason
    (``QuickBooks says: ...``) when its detail adds to the message. In ``width`` cells that one goes before the
    keys, then before the general message (its code stays): the document screen (enter) has them all."""
    head, reason, keys = f"{row.ref} {row.status.upper()} ", reason_text(row.error), "  (e: fix, enter: details)"
    said = detail_text(row.error)
    if not said:
        return head + reason + keys
    code = str(row.error.get("code") or "")
    lines = (f"{head}{reason}  {said}{keys}", f"{head}{reason}  {said}", f"{head}{code + '  ' if code else ''}{said}")
    return next((line for line in lines if cell_len(line) <= width), lines[-1])


class TabBar(Bar):
    """One line of tabs; the active one is bracketed (never colour alone)."""

    DEFAULT_CSS = "TabBar { background: $panel; }"


class ProgressPanel(Static):
    DEFAULT_CSS = """
    ProgressPanel { height: auto; display: none; border: round $accent; padding: 0 1; }
    ProgressPanel.running { display: block; }
    """


#: the top tabs' names, longest first: the tab bar takes the first that fits its width
TAB_NAMES: tuple[tuple[str, ...], ...] = (
    tuple(t.label for t in TABS),
    tuple(t.label.replace("Adjustments", "Adj") for t in TABS),
    tuple({"Adjustments & COGS": "Adj", "Discrepancies": "Discrep."}.get(t.label, t.label) for t in TABS),
    tuple({"Purchases": "Purch", "Adjustments & COGS": "Adj", "Discrepancies": "Discrep.", "Summaries": "Summ."}.get(
        t.label, t.label) for t in TABS),
    tuple({"Purchases": "Pur", "Adjustments & COGS": "Adj", "Discrepancies": "Diff", "Errors": "Err",
           "Retail": "Ret", "Sales": "Sal", "Summaries": "Sum"}.get(t.label, t.label) for t in TABS),
)


def gate_changes(model: Model, gates: Gates) -> Gates:
    """The gate results that would change a row (see Model.apply_gates): a document newly blocked or skipped,
    or blocked for other reasons, or no longer blocked. Read-only on the rows (safe in a thread)."""
    changes: Gates = {}
    for key, (status, reasons) in gates.items():
        row = model.by_key.get(key)
        if row is None or row.status not in ("pending", "blocked"):
            continue
        if status in ("blocked", "skipped"):
            if row.status != status or (row.error or {}).get("reasons") != reasons:
                changes[key] = (status, reasons)
        elif status in ("ready", "pending") and row.status == "blocked":
            changes[key] = (status, reasons)
    return changes


class Dashboard(SummaryView, DiscrepancyActions, Screen):
    """The main screen (modal screens pop back to it). Its keys are declared once in keys.py, on the App so
    that the footer shows them on every screen, and run here (the ``dashboard.`` action namespace)."""

    DEFAULT_CSS = """
    #topbar { height: 1; }
    #subbar { height: 1; background: $boost; }
    #info { height: 1; color: $text-muted; padding: 0 1; }
    #statusline { height: 1; background: $panel; padding: 0 1; }
    """

    class Shown(Message):
        """The table was redrawn for a key typed into the filter (not an action: the App's key timer counts
        the refresh it causes). Redraws by background work (loads, gates, the end of a sync) are not keys'."""

    #: the top tab shown, and the document tabs' pending-only view: plain attributes, not reactives (a reactive
    #: repaints the whole screen when set: each tab switch and p drew every widget once more; show() refreshes
    #: what they change)
    top = 0
    pending_only = True

    def __init__(self, backend: Backend, *, clock: Callable[[], datetime] | None = None,
                 autosync: bool = False, wizard: bool = False) -> None:
        super().__init__()
        self.backend = backend
        self.autosync_enabled = autosync
        self.wizard_enabled = wizard
        self._autosync: Any = None
        self.clock = clock or datetime.now
        self.model = Model()
        self.subs = [0] * len(TABS)
        self.subs[0] = 3  # Sales > Invoices
        self.filter_text = ""
        self.filter_buffer: str | None = None
        self.uploading = False
        self.quitting = False
        self.settings: dict[str, Any] = {}
        self.company = ""
        self.currency = "USD"  # the home currency (_apply_profile_state)
        self.last_run: dict | None = None
        #: the stored key remaps left out, already said (qbtui.tui.keys.usable_keymap); the ones applied
        self._keymap_said: set[str] = set()
        self._keymap_applied: dict[str, str] = {}
        #: the keys of MODE_KEYS' actions as applied (their remaps), by action: filter_key reads them on every key
        self._mode_keys = mode_keys({})
        #: alerts of failing scheduled syncs not read yet (A lists them all: the alerts screen)
        self.unread_alerts = 0
        self.first_paint_at: float | None = None
        self.loaded_at: float | None = None
        self.progress: dict[str, Any] = {}
        self._generation = 0
        #: the load generation whose gates overlay is in (or failed to come): equal to the current one once settled
        self.gates_checked = -1
        self._warmed = False  # the views' pages read ahead once (_warm_pages)
        self.opening_fix = False  # the fix form is being read (open_fix): keys typed meanwhile are not the dashboard's
        self._read_ahead = ReadAhead(self.backend.reader)  # the pages beside those a view reads
        #: the selection's total summed in a thread: (model, its revision, the keys, total); what is being summed
        self._selection_sum: tuple[Model, int, frozenset[tuple[str, str]], Any] | None = None
        self._summing: tuple[Model, int, frozenset[tuple[str, str]]] | None = None
        self._lines: dict[str, Text] = {}
        #: per document type: (column index, descending) of its sort (none: by date, as the store reads it)
        self.sorts: dict[str, tuple[int, bool]] = {}
        self._sort_memo: tuple | None = None
        self._totals_memo: dict[int, tuple] = {}

    def compose(self) -> ComposeResult:
        yield TabBar(id="topbar")
        yield TabBar(id="subbar")
        yield VirtualTable(id="table")
        yield DetailBox(id="detail")
        yield Bar(id="info")
        yield ProgressPanel(id="progress")
        yield Bar(id="statusline")
        yield KeysFooter()  # its keys change in place: a tab switch does not mount them again

    # ------------------------------------------------------------------ startup
    @property
    def table(self) -> VirtualTable:
        return self.query_one(VirtualTable)

    @property
    def sync_proc(self):
        """The running upload's `qbtui sync` child (ctrl+q stops it cleanly before quitting)."""
        return self.backend.upload_process

    def _set_line(self, selector: str, text: Text) -> None:
        """Update a one-line bar without a layout pass (its size never changes), and only
        when its text changed: key presses then repaint just what they touched."""
        widget = self._dash(selector)
        if self._lines.get(selector) != text:
            self._lines[selector] = text
            widget.update(text, layout=False)

    def _dash(self, selector: str, kind=Widget):
        return self.query_one(selector, kind)

    def on_screen_resume(self) -> None:
        """Back on the dashboard: the screen that closed left thousands of objects in reference cycles;
        collect them now, while no key waits, rather than in the middle of the next key's work."""
        if self.is_mounted and len(self.app.screen_stack) == 1:
            self.set_timer(COLLECT_AFTER_S, gc.collect)

    def on_mount(self) -> None:
        self.load()
        self.table.focus()
        self.call_after_refresh(self._mark_first_paint)
        if self.autosync_enabled:
            self._start_autosync()
        from .watch import ProfileWatch  # another process changing the profile (cron, pull, undo): reloaded

        self.profile_watch = ProfileWatch(self)
        self.profile_watch.start()
        if self.wizard_enabled and not self.settings.get("realm_id") and self.settings.get("backend") != "desktop":
            self._open_wizard_if_new()

    def on_unmount(self) -> None:
        self.model.close()  # the reader its pages are read from
        self._read_ahead.close()

    def _start_autosync(self) -> None:
        """The autosync schedule while the dashboard runs (qbtui.tui.maintenance)."""
        from .maintenance import AutosyncTimer

        b = self.backend
        self._autosync = AutosyncTimer(self, b.profile_path, profile=b.profile, data_dir=b.data_dir,
                                       on_done=lambda code, message: self.reload(), argv=b.command)
        self._autosync.start()

    def _open_wizard_if_new(self) -> None:
        """A new profile (never connected, wizard not finished) opens the connect wizard."""
        from .wizard import ConnectWizard, needs_wizard

        if needs_wizard(self.settings):
            self.app.push_screen(ConnectWizard(self.backend), lambda _: self.reload())

    @property
    def busy(self) -> bool:
        """An upload of ours or an autosync run is going: no second sync may start."""
        return self.uploading or bool(self._autosync is not None and self._autosync.running)

    def _mark_first_paint(self) -> None:
        if self.first_paint_at is None:
            self.first_paint_at = time.perf_counter()

    def load(self, keep_cursor: bool = False) -> None:
        """Open a reader for the model and show the current sub-tab: its first page is read from the store's
        indexes before the first paint; the rows in hand (the documents not synced) and the gates follow in
        threads. The model keeps the reader open (its pages are read from it) until it is replaced."""
        cursor = self.table.current_row.key if keep_cursor and self.table.current_row else None
        self._generation += 1
        cache: Cache | None = None
        try:
            cache = self.backend.reader()
        except CacheError as exc:
            self.model = Model()
            self.notify(str(exc), title="Cannot read the cache", severity="error", timeout=10)
        else:
            try:
                old, self.model = self.model, Model.load(cache, totals=False, first=(), read_ahead=self._read_ahead)
                old.close()
                from .backend import profile_state
                self._apply_profile_state(profile_state(cache))
            except BaseException:
                cache.close()
                raise
        # The rows live as long as the app: keep the collector from re-scanning them on key presses.
        gc.freeze()
        self.loaded_at = time.perf_counter()
        self.show(cursor_key=cursor)
        self.call_after_refresh(self._after_load_paint, cache, self._generation)

    @work(exclusive=True, thread=True, group="reload", exit_on_error=False)
    def reload(self) -> None:
        """Load the whole cache again after something else changed it (a scheduled sync, the wizard, the
        settings): built in a thread from a reader, then swapped in; the screen keeps working meanwhile."""
        from .backend import profile_state

        try:
            cache = self.backend.reader()
            try:
                model = Model.load(cache, totals=False, read_ahead=self._read_ahead)
                state = profile_state(cache)
            except BaseException:
                cache.close()
                raise
        except CacheError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Cannot read the cache", severity="error",
                                      timeout=10)
            return
        self.app.call_from_thread(self._swap_model, model, state)

    def _swap_model(self, model: Model, state: dict) -> None:
        row = self.table.current_row
        self._generation += 1
        old, self.model = self.model, model
        self._totals_memo.clear()  # its views hold the old model
        self._apply_profile_state(state)
        gc.freeze()
        self.show(cursor_key=row.key if row else None)
        old.close()  # its views are no longer shown
        self._model_complete(self._generation)

    def _apply_profile_state(self, state: dict) -> None:
        was_read_only = self.read_only
        self.settings = state["settings"]
        if self.read_only != was_read_only and self.is_attached:
            self.app.refresh_bindings()  # the keys that send: greyed, or back
        info = state["company_info"]
        if isinstance(info, list):
            info = info[0] if info else {}
        self.company = str(info.get("CompanyName") or "")
        #: the home currency the status line's totals are in: QuickBooks' (as pulled), else the settings' base currency
        self.currency = str(Prefs.from_qbo(state.get("preferences"), info).home_currency
                            or self.settings.get("base_currency") or "USD")
        self.last_run = next((r for r in state["runs"] if r.get("kind") in ("sync", "scheduled")), None)
        self.unread_alerts = int(state.get("unread_alerts") or 0)
        from qbtui.settings import keymap

        remapped, refused = usable_keymap(keymap(self.settings))
        if remapped != self._keymap_applied:  # changed (qbtui settings set or unset, from anywhere): applied again
            self._keymap_applied = remapped
            self._mode_keys = mode_keys(remapped)
            self.app.set_keymap(remapped)
        for why in refused:  # each said once, not at every reload
            if why not in self._keymap_said:
                self._keymap_said.add(why)
                self.notify(why, title="A remapped key is not applied", severity="warning", timeout=15)

    @work(group="after-sync", exit_on_error=False)
    async def after_sync(self) -> None:
        """What a sync changed beyond the rows: each row already shows its document's outcome (the sync
        reports every document it touched, dependencies included), so only the run log, the settings, the
        Errors tab and the gates of the rest are refreshed, the reading and the walk over every row in
        threads; no cache reload stalls the screen at 100,000 documents."""
        try:
            self._apply_profile_state(await asyncio.to_thread(self.backend.state))
        except CacheError as exc:
            self.notify(str(exc), title="Cannot read the cache", severity="error", timeout=10)
        await asyncio.to_thread(self.model._rebuild_errors)  # the rows keep showing meanwhile
        self.model.invalidate()
        self.show(cursor_key=self.table.current_row.key if self.table.current_row else None)
        self.check_gates()
        if self.summaries_used():
            self.load_summaries()  # a sync may post a period's summaries
        await self.refresh_discrepancies()  # a sync may hold a conflict back, or find a tax difference

    def _after_load_paint(self, cache: Cache | None, generation: int) -> None:
        model = self.model
        if cache is None:
            return
        if model.complete:
            self._model_complete(generation)
            return

        def load_rest() -> None:
            try:
                part = model.load_rest()
            except Exception:  # noqa: BLE001 - its reader closed meanwhile: a newer load replaced it
                if model is self.model:
                    raise
                return
            self.app.call_from_thread(self._merge_rest, model, part, generation)

        self.run_worker(load_rest, thread=True, group="load", description="load the other tabs",
                        exit_on_error=False)

    def _merge_rest(self, model: Model, part: Model, generation: int) -> None:
        if generation != self._generation or model is not self.model:
            return  # a newer load replaced it
        row = self.table.current_row
        model.merge(part)
        gc.freeze()
        self.show(cursor_key=row.key if row else None)
        self._model_complete(generation)

    def _model_complete(self, generation: int) -> None:
        model = self.model

        def compute_totals() -> None:
            """Money totals for every row, after the first paint (Decimal sums of the lines)."""
            model.compute_totals()
            if model is self.model:
                self.app.call_from_thread(self._totals_done)

        if not model.totals_ready:
            self.run_worker(compute_totals, thread=True, group="totals", description="totals",
                            exit_on_error=False)
        self.check_gates()
        if not self._warmed:
            self._warmed = True
            self.run_worker(self._warm_pages, thread=True, group="warm", description="read ahead",
                            exit_on_error=False)

    def _warm_pages(self) -> None:
        """Every tab's first and last page read once after start-up, off the UI thread (model.warm_pages)."""
        try:
            with self.backend.reader() as cache:
                warm_pages(cache, TYPE_LABELS)
        except (CacheError, OSError, sqlite3.Error):
            pass  # only a read ahead: the views read what they show themselves
        self.load_summaries()

    def _totals_done(self) -> None:
        gc.freeze()
        self.table.refresh()
        self.update_status()

    @work(group="gates", exit_on_error=False)
    async def check_gates(self) -> None:
        """Overlay the gates (blocked / skipped with reasons), computed by the Backend in a child process."""
        generation = self._generation
        try:
            gates = await self.backend.gates()
        except (BackendError, CacheError, OSError) as exc:
            self.notify(f"Could not check the gates: {exc}", title="Gates", severity="warning", timeout=10)
            self.gates_checked = generation
            return
        # most documents pass their gates and are already pending: only what would change goes to the UI thread
        changes = await asyncio.to_thread(gate_changes, self.model, gates)
        if changes:
            self._apply_gates(changes, generation)
        self.gates_checked = generation

    def _apply_gates(self, gates, generation: int) -> None:
        if generation != self._generation or not self.is_attached:
            return  # computed before a reload: a newer check follows
        row = self.table.current_row
        self.model.apply_gates(gates)
        self._queued_of = None  # a Desktop profile's queued count reads the gates' statuses
        gc.freeze()
        self.show(cursor_key=row.key if row else None)

    # ------------------------------------------------------------------ what is shown
    @property
    def tab(self):
        return TABS[self.top]

    @property
    def sub(self):
        return self.tab.subtabs[self.subs[self.top]]

    def show(self, cursor_key: tuple[str, str] | None = None) -> None:
        tab, sub = self.tab, self.sub
        if tab.kind == "summaries":  # the summaries, or one's documents (qbtui/tui/summaries.py)
            rows, columns, empty = self.summary_view(sub.key, self.filter_text)
            self.table.set_view(rows, columns, cursor_key, empty)
            self.render_tabs()
            self.update_status()
            return
        rows = self.model.view(tab.kind, sub.key, self.pending_only, self.filter_text)
        wide = self.summaries_used()  # SUMMARIZED whole in the Status column
        columns = kind_columns(sub.key, wide) if tab.kind == "documents" else (
            ERROR_COLUMNS if tab.kind == "errors" else DISCREPANCY_COLUMNS)
        sort = self.sorts.get(sub.key) if tab.kind == "documents" else None
        if sort is not None:
            rows, columns = self._sorted(sub.key, rows, sort), sorted_columns(sub.key, *sort, wide)
        if not self.model.complete and tab.kind != "documents":
            empty = "Loading..."
        elif tab.kind == "documents":
            empty = (f"No {sub.label.lower()} waiting to be sent: p shows all." if self.pending_only and not
                     self.filter_text else f"No {sub.label.lower()} match.")
        elif tab.kind == "errors":
            empty = "No errors of this kind."
        else:
            empty = "No discrepancies: P pulls from QuickBooks to look for changes."
        self.table.set_view(rows, columns, cursor_key, empty)
        self.render_tabs()
        self.update_status()

    def _sorted(self, type_: str, rows, sort: tuple[int, bool]):
        """The view sorted by a column: a view of the store by one of its indexed orders (Cache.rows, ROW_ORDERS)
        a page at a time, else the rows in memory sorted here (remembered until the view changes)."""
        memo = self._sort_memo
        if memo is not None and memo[0] is rows and memo[1] == (type_, sort):
            return memo[2]
        index, descending = sort
        column = columns_of(type_)[index]
        if isinstance(rows, Paged):
            order = STORE_ORDERS.get(column.key)
            if order is None:
                self.notify(f"Sorting {len(rows):,} rows by {column.title} needs a filter first (/): sorted by "
                            "date meanwhile.", timeout=4)
                result = rows
            else:
                result = Paged(self.model, type_, rows.statuses, rows.text, order=order, descending=descending)
        else:
            result = Shown(sort_rows(list(rows), column, descending, view=listed_of))
        self._sort_memo = (rows, (type_, sort), result)
        return result

    def action_sort_next(self) -> None:
        """Sort by the next column (after the last one: back to the store's order, by date)."""
        if self.tab.kind != "documents":
            self.notify("Sorting works on the document tabs.", timeout=3)
            return
        type_ = self.sub.key
        index = self.sorts.get(type_, (-1, False))[0] + 1
        if index >= len(columns_of(type_)):
            self.sorts.pop(type_, None)
        else:
            self.sorts[type_] = (index, False)
        self.show()

    def action_sort_reverse(self) -> None:
        if self.tab.kind != "documents":
            return
        type_ = self.sub.key
        index, descending = self.sorts.get(type_, (next((i for i, c in enumerate(columns_of(type_)) if c.key == "date"), 0), False))
        self.sorts[type_] = (index, not descending)
        self.show()

    def action_export_csv(self) -> None:
        """The rows shown, with the tab's columns, to a CSV file in the current folder (as qbtui list --csv)."""
        if self.tab.kind != "documents":
            self.notify("Export works on the document tabs; qbtui errors --json lists the errors.", timeout=4)
            return
        rows = self.table.rows
        type_ = self.sub.key
        if len(rows) > FILTER_IN_MEMORY:
            self.notify(f"{len(rows):,} rows: narrow them with / first, or run qbtui list --type {type_} --csv.",
                        timeout=6)
            return
        listed = [listed_of(r) for r in rows]
        path = Path.cwd() / f"qbtui-{type_}-{self.clock():%Y%m%d-%H%M%S}.csv"
        try:
            path.write_text(to_csv(listed, columns_of(type_)), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror or exc}", severity="error", timeout=8)
            return
        self.notify(f"Wrote {len(listed):,} rows to {path}", title="Export", timeout=6)

    def _totals_part(self, rows) -> str:
        """The totals line of the rows shown (count and amount per currency), for a view held in memory."""
        if len(rows) > (TOTALS_PAGED if isinstance(rows, Paged) else FILTER_IN_MEMORY):
            return ""  # a long view of the store: its totals would read every page
        memo = self._totals_memo
        key = (len(rows), self.model.totals_ready)
        held = memo.get(id(rows))
        if held is not None and held[0] == key and held[1] is rows:
            return held[2]  # each view's totals once (tab switches back and forth)
        if any(r.total is UNSET for r in rows):
            text = "totals ..."
        else:  # straight from the rows (no listed dicts): a tab switch to 20,000 rows stays within a key's budget
            text = totals_text(per=totals_of(((r.extra or NO_EXTRA).get("currency") or "", r.total) for r in rows))
            note = self.model.totals_note(self.sub.key)  # the US with Automated Sales Tax: QuickBooks adds the tax
            text = f"{text} {note}" if note else text
        if len(memo) >= 16:  # the views of a few tabs; older ones are gone from the model
            memo.clear()
        memo[id(rows)] = (key, rows, text)
        return text

    def render_tabs(self) -> None:
        width = self.size.width or 80
        counts = {"errors": len(self.model.errors), "discrepancies": len(self.model.discrepancies),
                  "summaries": len(self.summary_rows_ or ())}
        top = Text()
        for names in TAB_NAMES:  # the longest names that fit: counts are never cut
            top = Text()
            for i, (t, name) in enumerate(zip(TABS, names)):
                if t.kind == "summaries" and i != self.top and not self.summaries_used():
                    continue  # a profile that summarizes nothing: its key (7) still shows the empty tab
                count = counts.get(t.kind)
                label = f" {i + 1} {name} ({count:,}) " if count else f" {i + 1} {name} "
                if i == self.top:
                    top.append(f"[{label.strip()}]", style="bold reverse")
                else:
                    top.append(label)
            if top.cell_len <= width:
                break
        top.truncate(width, overflow="ellipsis")
        self._set_line("#topbar", top)
        subs = self.tab.subtabs
        sub_i = self.subs[self.top]
        long_text = "  ".join(s.label for s in subs)
        use_short = len(long_text) + 6 > width
        sub = Text(" ")
        for i, s in enumerate(subs):
            label = s.short if use_short else s.label
            if i == sub_i:
                sub.append(f"[{label}]", style="bold")
            else:
                sub.append(f" {label} ")
            sub.append(" ")
        self._set_line("#subbar", sub)

    def update_status(self) -> None:
        table = self.table
        tab = self.tab
        detail = self._dash("#detail", DetailBox)
        detail.set_class(tab.kind in ("errors", "summaries"), "shown")
        if tab.kind == "errors":
            row = table.current_row
            detail.update(error_detail(row, TYPE_SHORT.get(row.type, row.type) if row else "",
                                       max(10, (self.size.width or 80) - 2)))
        elif tab.kind == "summaries":  # the summary under the cursor, its corrections
            detail.update(self.summary_detail(table.current_row))
        shown = len(table.rows)
        base = self.model.size(self.sub.key) if tab.kind == "documents" else len(self.model.base(tab.kind,
                                                                                                  self.sub.key))
        parts = [f"{self.sub.label}: {shown:,} shown"]
        if tab.kind == "documents":
            totals_part = self._totals_part(table.rows)
            if totals_part:
                parts[0] = f"{self.sub.label}: {totals_part}"
            parts.append("pending only (p: all)" if self.pending_only else f"all {base:,} (p: pending only)")
        elif tab.kind == "summaries":
            parts = self.summary_info(table.rows)
        if self.filter_text:
            parts.append(f"filter: {self.filter_text}")
            unapplied = getattr(table.rows, "unapplied", "")
            if unapplied:
                parts.append(f"not applied over {shown:,} rows: {unapplied} (narrow it with text first)")
        row = table.current_row
        if self.filter_buffer is not None:
            info = Text("/", style="bold")
            info.append(self.filter_buffer)
            info.append("_", style="blink")
            if self.filter_buffer.strip() != self.filter_text:  # a large view: filtered on enter
                info.append(f"   enter filters {self.model.size(self.sub.key):,} documents  |  esc clears  |  "
                            "status:failed date:2026-11 text", style="dim")
            else:
                info.append(f"   {shown:,} match  |  enter keeps, esc clears  |  status:failed date:2026-11 text",
                            style="dim")
            info.truncate(max(10, (self.size.width or 80) - 2), overflow="ellipsis")
            self._set_line("#info", info)
            parts = []
        elif row is not None and row.error and tab.kind == "errors":
            parts.append("e: fix  r: re-sync  enter: details")
        elif row is not None and row.error and tab.kind != "documents":
            parts = [f"{row.ref}: {row.error.get('message') or ''}" + (
                f"  Hint: {row.error['hint']}" if row.error.get("hint") else "")]
        elif row is not None and row.error and row.status in ("blocked", "failed"):
            parts = [failure_line(row, max(10, (self.size.width or 80) - 2))]
        elif row is not None and tab.kind == "documents" and summary_line(row):
            parts = [str(summary_line(row))]
        if parts:
            info = Text("  |  ".join(parts), no_wrap=True, overflow="ellipsis")
            info.truncate(max(10, (self.size.width or 80) - 2), overflow="ellipsis")
            self._set_line("#info", info)
        sel = table.selected
        total = self._selection_total(sel)
        env = str(self.settings.get("environment") or "")
        env_word = "PRODUCTION" if env == "production" else ("SANDBOX" if env else "NO COMPANY")
        connected = "connected" if self.settings.get("realm_id") and env else "not connected"
        if self.settings.get("backend") == "desktop":  # QuickBooks Desktop through the Web Connector (docs/desktop.md)
            env_word = "QUICKBOOKS DESKTOP"
            called = str((self.settings.get("desktop_last_session") or {}).get("ended") or "")
            connected = (f"Web Connector last called {called[:16].replace('T', ' ')}" if called
                         else "Web Connector not called yet") + f" | {self._desktop_queued():,} queued"
        last = short_last = "never synced"
        if self.last_run:
            when = str(self.last_run.get("ended") or self.last_run.get("started") or "")[:16].replace("T", " ")
            run = self.last_run
            if run.get("error") and not any((run.get("counts") or {}).values()):  # it could not run (A: why)
                last, short_last = f"last sync FAILED {when}", f"sync FAILED {when[5:]}"
            else:
                last, short_last = f"last sync {when}", f"synced {when[5:]}"
        width = max(20, (self.size.width or 80) - 2)
        # the selection first (what the next key acts on), then the company, the connection and the last sync;
        # when narrow, the last sync is shortened, then the company
        note = self.model.totals_note(self.sub.key) if sel else ""
        selection = Text(f"{len(sel):,} selected, total {priced(total, self.currency)}{' ' + note if note else ''}",
                         style="bold")
        if self.uploading:
            selection = Text("UPLOADING | ", style="bold") + selection
        company = self.company or "(no company)"
        tails: list[tuple[str, ...]] = [(connected, last), (connected, short_last)]
        if self.read_only:  # in words, next to the selection: the keys that would send are greyed (check_action)
            selection = selection + Text(" | ") + Text(READ_ONLY_WORDS, style="bold reverse")
        if self.unread_alerts:
            n = self.unread_alerts
            selection = selection + Text(" | ") + Text(f"{n:,} new alert{'s' if n != 1 else ''} (A)", style="bold")
        if self.read_only or self.unread_alerts:  # these stay whole: the connection, then the last sync leave
            tails += [(short_last,), ()]  # first (the company is shortened last)
        env_style = "bold reverse" if env_word == "PRODUCTION" else "bold"
        status = Text()
        for tail in tails:
            status = selection + Text(" | ")
            status.append(company, style="bold")
            status.append(" | ")
            status.append(env_word, style=env_style)
            status.append("".join(f" | {part}" for part in tail))
            if status.cell_len <= width:
                break
        else:
            room = width - (status.cell_len - len(company))
            shown = company if room >= len(company) else company[:max(3, room - 1)] + "~"
            status = selection + Text(" | ")
            status.append(shown, style="bold")
            status.append(" | ")
            status.append(env_word, style=env_style)
            status.append("".join(f" | {part}" for part in tails[-1]))
        status.truncate(width, overflow="ellipsis")
        self._set_line("#statusline", status)

    def _desktop_queued(self) -> int:
        """What the Web Connector's next session sends (as qbtui.desktop.send.queued counts it): the documents
        waiting that pass their gates, those whose answer was lost, those Desktop could not save (3170/3180). The
        figure of the last upload (``qbtui sync`` says it) until the rows change; else counted from the rows once
        per model."""
        cached = getattr(self, "_queued_of", None)
        mark = (self.model_generation(), len(self.model.by_key))
        if cached is not None and cached[0] is self.model and cached[1] == mark:
            return int(cached[2])
        if getattr(self, "desktop_queued", None) is not None:
            n = int(self.desktop_queued)  # type: ignore[arg-type]
            self.desktop_queued = None
        else:
            n = sum(1 for r in self.model.by_key.values() if r.status in ("pending", "sending") or (
                r.status == "failed" and (r.error or {}).get("detail") == "cannot_save"))
        self._queued_of = (self.model, mark, n)
        return n

    def model_generation(self) -> int:
        return int(getattr(self, "_generation", 0))

    def _selection_total(self, sel: set[tuple[str, str]]) -> Any:
        """The selected documents' total. A few, all in hand: summed here. More (a whole view selected) or rows
        never shown: summed in a thread, off the key's path (the count shows at once, the total as ``...`` until
        it is in), once per selection and model revision."""
        model = self.model
        if len(sel) <= SUM_INLINE and (len(sel) <= len(model.by_key) and sel <= model.by_key.keys()
                                       or not model.missing_totals(sel)):
            return model.total_of(sel, read=False)
        snap = frozenset(sel)
        held = self._selection_sum
        if held is not None and held[0] is model and held[1] == model.revision and held[2] == snap:
            return held[3]
        if self._summing != (model, model.revision, snap):
            self._summing = (model, model.revision, snap)
            self._sum_selection(model, model.revision, snap)
        return UNSET

    @work(thread=True, group="selection-totals", exclusive=True, exit_on_error=False)
    def _sum_selection(self, model: Model, revision: int, keys: frozenset[tuple[str, str]]) -> None:
        try:
            total = model.total_of(keys)  # those not in hand read from the store
        except Exception:  # noqa: BLE001 - the model was replaced (its reader closed) meanwhile
            return
        self.app.call_from_thread(self._selection_summed, (model, revision, keys, total))

    def _selection_summed(self, held: tuple[Model, int, frozenset[tuple[str, str]], Any]) -> None:
        self._selection_sum = held
        if self._summing is not None and self._summing[0] is held[0] and self._summing[2] == held[2]:
            self._summing = None
        if self.is_attached and held[0] is self.model:
            self.update_status()

    def on_virtual_table_cursor_moved(self, message: VirtualTable.CursorMoved) -> None:
        if self.is_attached:  # not while the app closes (a gate check may still report then)
            self.update_status()

    # ------------------------------------------------------------------ tabs
    def action_top_tab(self, n: int) -> None:
        if self.top != n:
            kind = self.tab.kind
            self.top = n
            self.show()
            if self.tab.kind != kind:
                self.refresh_bindings()  # the footer's keys differ off the document tabs

    def action_sub_tab(self, step: int) -> None:
        count = len(self.tab.subtabs)
        self.subs[self.top] = (self.subs[self.top] + step) % count
        self.show()

    def action_toggle_pending(self) -> None:
        self.pending_only = not self.pending_only
        self.show()

    # ------------------------------------------------------------------ selection
    def action_toggle_select(self) -> None:
        row = self.table.current_row
        if row is not None:
            self.model.remember_totals([row])
        self.table.toggle_current()
        self.update_status()

    def action_select_all(self) -> None:
        self.table.select_all_shown()
        self.update_status()

    def action_invert_selection(self) -> None:
        self.table.invert_shown()
        self.update_status()

    def action_clear(self) -> None:
        if self.summary_back():  # a summary's documents: back to the summaries
            return
        if self.table.selected:
            self.table.clear_selection()
            self.update_status()
        elif self.filter_text:
            self.set_query("")
        elif getattr(self.app, "firm", False):  # firm mode: nothing to clear, back to the companies
            self.app.close_company()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if self.app.screen is not self:  # a screen over the dashboard
            self.app.pop_screen()
        elif self.summary_back():
            pass
        elif self.table.selected or self.filter_text:
            self.table.clear_selection()
            self.set_query("") if self.filter_text else self.update_status()
        elif self.uploading:
            self.notify("An upload is running; ctrl+q asks to stop it and quit.", severity="warning")
        elif getattr(self.app, "firm", False):
            self.app.close_company()  # type: ignore[attr-defined]
        else:
            self.app.exit()

    # ------------------------------------------------------------------ filter
    # The filter is typed on the info line (no input box: no focus change, no layout pass) and
    # applies as you type; a longer query narrows the previous result (see Model.view).
    def action_filter(self) -> None:
        self.filter_buffer = self.filter_text
        self.update_status()

    def filter_key(self, event) -> bool:
        """Keys while the filter is being typed (or the fix form is read); True when consumed. The keys that are
        followed by typing (`/` the filter, `e` the fix form, or their remaps: MODE_KEYS) are taken here too, with
        the key, not by their bindings: a binding runs after the key has bubbled up to the screen, and the keys that
        came with it (a fast typist, a paste: one packet over SSH) would reach the dashboard's bindings first (r
        re-syncs, e opens the fix form, a selects every row, u uploads, 2 switches tab)."""
        if self.opening_fix:  # keys typed while the fix form is read belong to the form, not to the dashboard
            if event.key == "escape":
                self.workers.cancel_group(self, "fix-open")
                self.opening_fix = False
                self.notify("The fix form was not opened.", timeout=3)
            return True
        buffer = self.filter_buffer
        if buffer is None:
            for action, keys in self._mode_keys.items():  # the keys followed by typing: taken here, with the key
                if event.key in keys and self.check_action(action, ()):
                    getattr(self, f"action_{action}")()
                    self.post_message(self.Shown())
                    return True
            return False
        key = event.key
        if key == "escape":
            self.filter_buffer = None
            self.set_query("")
        elif key == "enter":
            self.filter_buffer = None
            self.set_query(buffer)
        elif key in ("backspace", "ctrl+h"):
            self._live_filter(buffer[:-1])
        elif key == "ctrl+u":
            self._live_filter("")
        elif event.is_printable and event.character:
            self._live_filter(buffer + event.character)
        elif key in ("up", "down", "pageup", "pagedown"):
            return False
        self.post_message(self.Shown())  # a key handled here, not by an action: the key timer counts its refresh
        return True

    def _live_filter(self, text: str) -> None:
        self.filter_buffer = text
        if self.model.filter_scans(self.tab.kind, self.sub.key, self.pending_only):
            self.update_status()  # a scan of the store's rows: on enter, so that typing stays instant
            return
        self.filter_text = text.strip()
        self.show()

    def set_query(self, query: str) -> None:
        self.filter_text = query.strip()
        self.show()

    # ------------------------------------------------------------------ documents
    def action_open_document(self) -> None:
        row = self.table.current_row
        if row is None or self.summary_enter():  # enter on a summary shows its documents
            return

        def closed(then: str | None) -> None:
            if then == "fix":
                self.action_fix()
            elif then and then.startswith("goto\t"):
                _, type_, ref = then.split("\t", 2)
                self.go_to(type_, ref)

        self.app.push_screen(DocumentScreen(self.backend, row), closed)

    def go_to(self, type_: str, ref: str) -> None:
        """Show one document: its tab and sub-tab, every status, filtered by its reference, the cursor on it."""
        for t, tab in enumerate(TABS):
            for i, sub in enumerate(tab.subtabs):
                if tab.kind == "documents" and sub.key == type_:
                    kind = self.tab.kind
                    self.top, self.subs[t] = t, i
                    self.pending_only = False
                    self.filter_text = ref
                    self.show(cursor_key=(type_, ref))
                    if self.tab.kind != kind:
                        self.refresh_bindings()
                    return

    def action_copy_ref(self) -> None:
        row = self.table.current_row
        if row is not None:
            self.app.copy_to_clipboard(row.ref)
            self.notify(f"Copied {row.ref}", timeout=2)

    def action_copy_qbo_id(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        if row.qbo_id:
            self.app.copy_to_clipboard(row.qbo_id)
            self.notify(f"Copied QBO Id {row.qbo_id}", timeout=2)
        else:
            self.notify(f"{row.ref} has no QBO Id yet", timeout=2)

    def help_rows(self) -> list[tuple[str, str, str]]:
        """Active bindings grouped by id: (keys, description, id)."""
        groups: dict[str, list] = {}
        for key, active in self.active_bindings.items():
            b = active.binding
            if not b.id or b.id.startswith("scroll") or b.id in ("page_left", "page_right"):
                continue
            bid = b.id
            entry = groups.setdefault(bid, [[], b.description or b.action, bid])
            shown = self.app.get_key_display(b) if "," not in key else key
            if shown not in entry[0]:
                entry[0].append(shown)
        rows = [(" ".join(keys), desc, bid) for keys, desc, bid in groups.values()]
        return rows

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_rows()))

    def action_alerts(self) -> None:
        """The alerts of failing scheduled syncs, newest first, each with its run (Enter: the run's record)."""
        from .maintenance import AlertsScreen

        self.app.push_screen(AlertsScreen(self.backend), lambda _: self.refresh_state())

    @work(group="state", exit_on_error=False)
    async def refresh_state(self) -> None:
        """The settings, the run log and the alerts read again (not the documents), then the status line."""
        try:
            self._apply_profile_state(await asyncio.to_thread(self.backend.state))
        except CacheError as exc:
            self.notify(str(exc), title="Cannot read the cache", severity="error", timeout=10)
            return
        self.update_status()

    def commands(self):
        """The command palette's entries: every key of the dashboard, then the other screens."""
        seen = set()
        for binding in APP_BINDINGS:
            if binding.id in ("command_palette", "quit") or binding.id in seen:
                continue
            seen.add(binding.id)
            action = binding.action
            yield SystemCommand(binding.description, binding.tooltip or f"key: {binding.key_display or binding.key}",
                                lambda a=action: self.app.run_action(a))
        from .maintenance import AuditScreen, DuplicatesScreen, ReconcileScreen
        from .wizard import wizard_commands

        app, backend = self.app, self.backend
        yield from wizard_commands(app, backend.profile_path, on_done=lambda _: self.reload(), backend=backend)
        yield SystemCommand("Reconcile", "Inventory side vs QBO per mapped account, this month",
                            lambda: app.push_screen(ReconcileScreen(backend)))
        yield SystemCommand("Duplicates", "QBO transactions that look created twice, this month",
                            lambda: app.push_screen(DuplicatesScreen(backend)))
        yield SystemCommand("Audit log", "Every sync run and maintenance action",
                            lambda: app.push_screen(AuditScreen(backend)))

    # ------------------------------------------------------------------ fixing
    def action_fix(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        if self.tab.kind != "errors" and row.status not in ("blocked", "failed"):
            self.notify("Nothing to fix here: press 5 for Errors.", timeout=3)
            return
        self.opening_fix = True  # now, not when the worker starts: the keys already queued are the form's
        self.open_fix(row)

    @work(exclusive=True, group="fix-open", exit_on_error=False)
    async def open_fix(self, row) -> None:
        """The fix form of one document, read by the Backend (a child process): the key never waits on it. The
        keys typed meanwhile (what the form is opened for: a date, a name) are kept from the dashboard's bindings
        (filter_key); escape gives up opening it."""
        try:
            view = await self.backend.document(row.type, row.ref)
        except BackendError as exc:
            self.notify(str(exc), title="Cannot open the document", severity="error", timeout=10)
            return
        finally:
            self.opening_fix = False
        self.app.push_screen(fix_screen_for(self.backend, row, view["record"], view["link"]), self._after_fix)

    def _after_fix(self, saved: bool | dict | None) -> None:
        row = self.table.current_row
        if isinstance(saved, dict) and saved.get("event") == "document":  # linked to a QBO object
            self.apply_document_event(saved)
            self.model._rebuild_errors()
            self.model.invalidate()
            self.show(cursor_key=row.key if row else None)
            self.check_gates()  # what waited on it may go now
        elif isinstance(saved, dict):  # an edited document, stored by a child process: update its row in place
            self.model.replace_document(saved["type"], saved["ref"], saved)
            self.show(cursor_key=row.key if row else None)
            self.check_gates()  # in a child process too: the screen never waits on the cache

    # ------------------------------------------------------------------ uploads
    def action_upload_selected(self) -> None:
        keys = [k for k in self.table.selected]
        if not keys:
            self.notify("Nothing selected: space selects a row, a selects all shown, U uploads all shown.",
                        timeout=4)
            return
        self._confirm_upload(keys, "selected")

    def action_upload_all(self) -> None:
        keys = self.table.shown_keys()
        if not keys:
            self.notify("Nothing shown to upload.", timeout=3)
            return
        self._confirm_upload(keys, "shown")

    def action_sync_everything(self) -> None:
        """Every tab at once, in dependency order (contacts and products, then what uses them, then payments)."""
        keys = [k for k, r in self.model.by_key.items() if r.status in SENDABLE]
        if self.summaries_used():  # a full sync: it also posts the due summaries of summarized channels
            self.confirm_full_sync(keys)
            return
        if not keys:
            self.notify("Nothing is waiting to be sent on any tab.", timeout=3)
            return
        self._confirm_upload(keys, "waiting on every tab")

    def action_resync(self) -> None:
        keys = list(self.table.selected) or ([self.table.current_row.key] if self.table.current_row else [])
        if not keys:
            return
        self._confirm_upload(keys, "to re-sync")

    @property
    def active_bindings(self):
        """The keys as the footer shows them: off the document tabs, the keys that do nothing there (p) or that
        another key says better (u: r re-syncs the selection) leave the footer, so that at 80 columns it always
        shows e Fix and r Re-sync. They still work and stay in the help."""
        bindings = super().active_bindings
        if self.is_mounted and self.tab.kind != "documents":
            for key, active in list(bindings.items()):
                if active.binding.id in OFF_DOCUMENTS_UNSHOWN and active.binding.show:
                    bindings[key] = active._replace(binding=dataclasses.replace(active.binding, show=False))
        if self.is_mounted and self.tab.kind == "discrepancies":
            bindings = discrepancy_bindings(self, bindings)
        if self.is_mounted and self.tab.kind == "summaries":
            bindings = summary_bindings(bindings)
        return bindings

    @property
    def read_only(self) -> bool:
        """The profile sends nothing (integration mode From QuickBooks only: ``qbtui integration disable``)."""
        return is_read_only(self.settings)

    def disabled_why(self, action: str, parameters=()) -> str | None:
        """Why a key is shown disabled (greyed in the footer) here, in words: said when it is pressed anyway (the
        App's run_action). None when the key works, or is simply not this tab's."""
        sends = action in SENDING_ACTIONS or (action == "resolve" and bool(parameters)
                                              and parameters[0] in SENDING_RESOLUTIONS)
        if sends and self.read_only:
            return READ_ONLY_WHY
        if (sends or action in ("resolve", "pull")) and (self.busy or self.pulling or self.resolving):
            return BUSY_WHY
        if action == "resync" and self.is_mounted and self.tab.kind != "errors":
            return "r re-syncs what failed, on the Errors tab (5); here u uploads the selection."
        return None

    def check_action(self, action: str, parameters) -> bool | None:
        if action not in ("quit", "back") and self.is_attached and self.app.screen is not self:
            return False  # another screen is on top: its footer and keys are its own (no upload from Reconcile)
        if action == "resolve" and (not self.is_mounted or self.tab.kind != "discrepancies"):
            return False  # the Discrepancies tab's keys: there only
        if action == "summaries_planned" and (not self.is_mounted or self.tab.kind != "summaries"):
            return False  # the Summaries tab's key: there only
        if action in SENDING_ACTIONS or action in ("resolve", "pull"):
            return None if self.disabled_why(action, parameters) else True  # greyed: read-only, or a run goes
        return True

    def _confirm_upload(self, keys: list[tuple[str, str]], what: str) -> None:
        why = READ_ONLY_WHY if self.read_only else (BUSY_WHY if self.busy else None)
        if why:
            self.notify(why, severity="warning", timeout=8)
            return
        sendable = [k for k in keys if self.model.by_key.get(k) and self.model.by_key[k].status in SENDABLE]
        if not sendable:
            self.notify("None of these is waiting to be sent (already synced, skipped or voided).", timeout=4)
            return
        total = self.model.total_of(sendable)
        message = (f"Upload {len(sendable):,} document{'s' if len(sendable) != 1 else ''} {what}, "
                   f"total {priced(total, self.currency)}, to {self.company or 'QuickBooks'}?")
        note = "What they depend on (their customer or supplier, their products) goes first."
        skipped = len(keys) - len(sendable)
        if skipped:
            note += f" {skipped:,} already synced or skipped are left out."
        blocked = sum(1 for k in sendable if self.model.by_key[k].status == "blocked")
        if blocked:
            note += (f" {blocked:,} blocked by a gate will be checked again and stay on Errors (5) unless "
                     "fixed meanwhile.")

        def done(ok: bool | None) -> None:
            if ok:
                self.start_upload(sendable)

        self.app.push_screen(ConfirmScreen(message, note), done)

    def start_upload(self, keys: list[tuple[str, str]], full: bool = False) -> None:
        self.uploading = True
        self.app.refresh_bindings()
        self.progress = {"total": len(keys), "sent": 0, "ok": 0, "failed": 0, "remaining": len(keys),
                         "rate_per_min": 0}
        self.render_progress("starting")
        self.run_upload(keys, full)

    @work(exclusive=False, group="upload", exit_on_error=False)
    async def run_upload(self, keys: list[tuple[str, str]], full: bool = False) -> None:
        """The chosen documents only: the sync child adds what they depend on (their customer, products,
        invoice) and orders them; its events come back as Messages (below). ``full``: every document waiting
        and the due summaries (a full ``qbtui sync``)."""
        await self.backend.upload(keys, self, full=full)

    def on_upload_progress(self, message: UploadProgress) -> None:
        self.progress.update({k: message.progress[k] for k in  # type: ignore[literal-required]
                              ("total", "sent", "ok", "failed", "remaining", "rate_per_min") if k in message.progress})
        if self.uploading:
            self.render_progress("running")

    def on_document_changed(self, message: DocumentChanged) -> None:
        self.apply_document_event(message.event)

    def on_upload_finished(self, message: UploadFinished) -> None:
        self.uploading = False
        self.app.refresh_bindings()
        outcome = message.outcome
        if outcome.queued is not None and not outcome.error and not self.quitting:
            # a QuickBooks Desktop profile: nothing was sent, the Web Connector's next session sends them
            self.desktop_queued = outcome.queued
            self.render_progress("finished")
            self.table.selected.clear()
            self.after_sync()
            self.notify(outcome.message or f"{outcome.queued:,} queued for the next Web Connector session.",
                        title="Queued for the next Web Connector session", timeout=10)
            self.update_status()
            return
        error = outcome.error
        if error and outcome.error_code.startswith("preflight."):  # a first sync the preflight keeps: what to press
            error = f"{error}. {outcome.hint} {PREFLIGHT_KEYS}"
        self.finish_upload(outcome.failed, outcome.exit_code, error)

    # ------------------------------------------------------------------ quitting
    async def action_quit(self) -> None:
        """ctrl+q quits; while an upload runs it asks first, and yes stops the sync child cleanly (as Ctrl+C
        would: the run is marked interrupted, what was in flight is looked up before anything is sent again)."""
        if not self.uploading:
            self.app.exit()
            return
        if self.quitting or any(getattr(s, "quit_confirm", False) for s in self.app.screen_stack):
            return  # already asking, or already stopping

        def done(ok: bool | None) -> None:
            if ok:
                self.stop_upload_and_quit()

        p = self.progress
        screen = ConfirmScreen(
            f"An upload is running ({p.get('sent', 0):,} of {p.get('total', 0):,} sent). Stop it and quit?",
            "It stops cleanly: what QuickBooks has is kept and marked, the rest stays waiting for the next upload, "
            "and nothing is sent twice. n or Esc keeps it running.", yes="Yes, stop and quit (y)")
        screen.quit_confirm = True  # type: ignore[attr-defined]
        self.app.push_screen(screen, done)

    @work(group="quit", exit_on_error=False)
    async def stop_upload_and_quit(self) -> None:
        """Ctrl+C (SIGINT) to the sync child, wait for it to record how far it got, then quit."""
        self.quitting = True
        if self.backend.upload_process is not None:
            self.notify("Stopping the upload...", timeout=30)
        await self.backend.stop_upload()
        self.app.exit()

    def apply_document_event(self, event: dict) -> None:
        row = self.model.by_key.get((str(event.get("type")), str(event.get("ref"))))
        if row is None:
            return
        status = str(event.get("status") or row.status)
        row.status = status
        ids = event.get("qbo_ids") or []
        if ids:
            row.qbo_id = ",".join(str(i) for i in ids)
        if event.get("summary"):  # posted in its channel's summary: the info line names it
            row.extra = {**(row.extra or {}), "summaries": [{"ref": str(event["summary"]),
                                                             "id": str(ids[0]) if ids else None}]}
        err = event.get("error")
        if err:
            row.error = row_error(err)
        row.index()  # its QBO Id and error, found by the filter
        self.table.refresh()

    def render_progress(self, state: str) -> None:
        text = f"Upload {state}: {progress_text(self.progress)}"  # the words of qbtui sync's progress line
        panel = self._dash("#progress", ProgressPanel)
        panel.update(text)
        panel.set_class(state in ("starting", "running"), "running")
        self.update_status()

    def finish_upload(self, failed: list[dict], exit_code: int | None, error: str | None) -> None:
        if self.quitting:
            return  # stopped by ctrl+q: the app is closing
        self.render_progress("finished")
        self.table.selected.clear()
        self.after_sync()
        p = self.progress
        ok, n_failed = int(p.get("ok") or 0), max(len(failed), int(p.get("failed") or 0))
        if error:
            self.notify(error, title="Upload did not run", severity="error", timeout=15)
        elif n_failed:
            self.notify(f"Upload finished: {sent_text(ok, n_failed)}. FAILED ones: press 5 for Errors, e to fix, "
                        "r to re-sync.", title="Upload finished with failures", severity="error", timeout=15)
        else:
            self.notify(f"Upload finished: {sent_text(ok, 0)}.", title="Upload", timeout=6)
