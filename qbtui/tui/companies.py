"""Firm mode: one row per profile (a client company), read cheaply from each profile's store (readers take no
lock: a sync running in one of them is not waited for), sortable and filterable; Enter opens that company's
dashboard, and Esc or q on the dashboard comes back here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from qbtui.cache import Cache, profile_dir
from qbtui.cache.paths import list_profiles

COUNTED = ("pending", "blocked", "failed", "conflict")


@dataclass
class Company:
    """What the companies screen shows of one profile."""

    profile: str
    name: str = ""
    region: str = ""
    currency: str = ""
    connected: bool = False
    counts: dict[str, int] | None = None
    last_sync: str = ""
    next_autosync: str = ""
    problem: str = ""

    def count(self, status: str) -> int:
        return (self.counts or {}).get(status, 0)

    @property
    def title(self) -> str:
        return self.name or self.profile


def _short_time(value: str | None) -> str:
    """An ISO timestamp as "11-30 09:15" (as stored), or ""."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(str(value)).strftime("%m-%d %H:%M")
    except ValueError:
        return str(value)[5:16]


def read_company(data_dir: Path, profile: str, now: datetime | None = None) -> Company:
    """One profile's row: its company, region and currency as the last pull saw them, connected or not, the counts
    that need someone (the gates' blocked overlaid on pending), its last sync and the next autosync slot."""
    from qbtui.ledger.context import Prefs
    from qbtui.maintenance.schedule import is_read_only, schedule_of
    from qbtui.sync.gatestore import gate_counts

    row = Company(profile)
    try:
        with Cache.open(profile_dir(data_dir, profile), writer=False) as cache:
            info = cache.reference("company_info") or {}
            prefs = Prefs.from_qbo(cache.reference("preferences", None), cache.reference("company_info", None))
            row.name = info.get("CompanyName") or ""
            row.region = (prefs.region or "").upper()
            row.currency = prefs.home_currency or ""
            desktop = cache.get_setting("backend") == "desktop"
            row.connected = desktop or bool(cache.get_setting("realm_id"))
            counts: dict[str, int] = dict.fromkeys(COUNTED, 0)
            for by_status in cache.status_counts().values():
                for status in COUNTED:
                    counts[status] += by_status.get(status, 0)
            for (_doc_type, status), n in gate_counts(cache).items():
                if status in counts:
                    counts["pending"] -= n
                    counts[status] += n
            row.counts = counts
            runs = cache.runs()
            last = next((r for r in runs if r.get("kind") in (None, "sync", "scheduled")), runs[0] if runs else None)
            if last is not None:
                row.last_sync = _short_time(last.get("ended") or last.get("started"))
            sched = schedule_of(cache.settings())
            if sched is None:
                row.next_autosync = "off"
            elif is_read_only(cache):
                row.next_autosync = "disabled"
            else:
                row.next_autosync = sched.next_after(now or datetime.now().astimezone()).strftime("%m-%d %H:%M")
    except Exception as exc:  # a damaged or half-made profile: its row says so, the others still show
        said = str(exc).strip().splitlines()  # in words, never the exception's class name
        row.problem = "cannot be read: " + (said[0] if said else "its files are damaged or half made")
    return row


def read_companies(data_dir: Path, now: datetime | None = None) -> list[Company]:
    return [read_company(data_dir, p, now) for p in list_profiles(data_dir)]


#: the columns: (title, short title for 80 columns, sort key)
COLUMNS: list[tuple[str, str, Callable[[Company], object]]] = [
    ("Profile", "Profile", lambda c: c.profile),
    ("Company", "Company", lambda c: c.title.lower()),
    ("Region", "Region", lambda c: (c.region, c.currency)),
    ("QBO", "QBO", lambda c: c.connected),
    ("Pending", "Pend", lambda c: c.count("pending")),
    ("Blocked", "Blkd", lambda c: c.count("blocked")),
    ("Failed", "Fail", lambda c: c.count("failed")),
    ("Conflict", "Confl", lambda c: c.count("conflict")),
    ("Last sync", "Last sync", lambda c: c.last_sync),
    ("Next autosync", "Autosync", lambda c: c.next_autosync),
]
DATE_WIDTH = 11  # "11-26 16:41"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "~"


class CompaniesScreen(Screen):
    """Every company of the firm in one table. Keys: Enter open, s sort by the next column, S reverse, / filter,
    r refresh, q quit."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="companies.open"),
        Binding("j", "cursor_down", "Down", show=False, id="companies.down"),
        Binding("k", "cursor_up", "Up", show=False, id="companies.up"),
        Binding("s", "sort", "Sort", id="companies.sort", tooltip="Sort by the next column"),
        Binding("S", "reverse", "Reverse", id="companies.reverse"),
        Binding("slash", "filter", "Filter", id="companies.filter"),
        Binding("escape", "clear", "Clear", show=False, id="companies.clear"),
        Binding("r", "refresh", "Refresh", id="companies.refresh"),
        Binding("q", "quit", "Quit", show=False, id="companies.quit"),
    ]
    DEFAULT_CSS = """
    CompaniesScreen #companies-title { height: 1; padding: 0 1; background: $boost; }
    CompaniesScreen #companies-filter { display: none; height: 3; }
    CompaniesScreen #companies-filter.shown { display: block; }
    CompaniesScreen #companies-info { height: 1; padding: 0 1; color: $text-muted; }
    CompaniesScreen DataTable { height: 1fr; }
    """

    def __init__(self, data_dir: Path, *, on_open: Callable[[str], None], now: datetime | None = None) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.on_open = on_open
        self.now = now
        self.companies: list[Company] = []
        self.sort_column = 0
        self.sort_reverse = False
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Static("Companies", id="companies-title")
        yield Input(placeholder="filter: part of a company or profile name", id="companies-filter")
        yield DataTable(id="companies", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static("", id="companies-info")
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.refresh_companies()

    def on_screen_resume(self) -> None:
        if self.companies:  # back from a dashboard: its counts may have changed
            self.refresh_companies()

    @work(thread=True, exclusive=True, group="companies", exit_on_error=False)
    def refresh_companies(self) -> None:
        companies = read_companies(self.data_dir, self.now)
        self.app.call_from_thread(self._show, companies)

    def _show(self, companies: list[Company]) -> None:
        self.companies = companies
        self.render_rows()

    def shown(self) -> list[Company]:
        needle = self.filter_text.lower()
        rows = [c for c in self.companies if not needle or needle in c.title.lower() or needle in c.profile.lower()
                or needle in c.region.lower()]
        key = COLUMNS[self.sort_column][2]
        return sorted(rows, key=key, reverse=self.sort_reverse)  # type: ignore[arg-type,return-value]

    def on_resize(self) -> None:
        if self.companies:
            self.render_rows()

    def _widths(self, rows: list[Company]) -> tuple[list[int], bool]:
        """Each column's width (one space after each), the company's taking what is left; short titles under
        100 columns."""
        narrow = self.size.width < 100
        profile = min(max([len("Profile"), *(len(c.profile) for c in rows)]), 16) + 1
        # the counts and the next autosync as wide as their title and widest value: the company's name gets the rest
        counts = [max([len(t[1 if narrow else 0]), 4 if narrow else 5,
                       *(len(f"{c.count(status):,}") for c in rows)]) + 1
                  for t, status in zip(COLUMNS[4:8], COUNTED)]
        autosync = max([len(COLUMNS[9][1 if narrow else 0]), *(len(c.next_autosync) for c in rows)]) + 1
        fixed = [profile, 0, 7, 4, *counts, DATE_WIDTH + 1, autosync]
        sorted_title = COLUMNS[self.sort_column][1 if narrow else 0]  # with the dashboard's mark after it: " ^"
        fixed[self.sort_column] = max(fixed[self.sort_column], len(sorted_title) + 3)
        fixed[1] = max(8, self.size.width - sum(fixed) - 2)
        return fixed, narrow

    def render_rows(self) -> None:
        table = self.table
        current = self._current_profile()
        rows = self.shown()
        widths, narrow = self._widths(rows)
        table.clear(columns=True)
        for i, (title, short, _key) in enumerate(COLUMNS):
            label = short if narrow else title
            if i == self.sort_column:
                label += " v" if self.sort_reverse else " ^"
            label = label.rjust(widths[i] - 1) + " " if 4 <= i < 8 else label
            table.add_column(Text(label), width=widths[i], key=str(i))
        for c in rows:
            w = widths
            cells = [Text(_fit(c.profile, w[0] - 1)), Text(_fit(c.problem or c.title, w[1] - 1)),
                     Text(f"{c.region} {c.currency}".strip()), Text("yes" if c.connected else "NO")]
            if c.problem:
                cells += [Text("")] * 6
            else:
                cells += [Text(f"{c.count(s):,}".rjust(w[4 + i] - 1) + " ") for i, s in enumerate(COUNTED)]
                cells += [Text(c.last_sync or "never"), Text(c.next_autosync)]
            table.add_row(*cells, key=c.profile)
        if current is not None:
            keys = [c.profile for c in rows]
            if current in keys:
                table.move_cursor(row=keys.index(current))
        title = COLUMNS[self.sort_column][0]
        waiting = sum(c.count("blocked") + c.count("failed") + c.count("conflict") for c in rows)
        info = (f"{len(rows)} of {len(self.companies)} companies" if self.filter_text else
                f"{len(rows)} companies") + f"; {waiting:,} documents need someone; sorted by {title}" + (
                    " (reversed)" if self.sort_reverse else "") + (f"; filter: {self.filter_text}"
                                                                   if self.filter_text else "")
        self.query_one("#companies-info", Static).update(info)

    def _current_profile(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:
            return None

    # ------------------------------------------------------------------ actions
    def action_open(self) -> None:
        profile = self._current_profile()
        if profile is not None:
            self.on_open(profile)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_sort(self) -> None:
        self.sort_column = (self.sort_column + 1) % len(COLUMNS)
        self.render_rows()

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.render_rows()

    def action_refresh(self) -> None:
        self.refresh_companies()

    def action_filter(self) -> None:
        box = self.query_one("#companies-filter", Input)
        box.value = self.filter_text
        box.add_class("shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.input.remove_class("shown")
        self.table.focus()

    def action_clear(self) -> None:
        box = self.query_one("#companies-filter", Input)
        box.remove_class("shown")
        if self.filter_text:
            box.value = ""
            self.filter_text = ""
            self.render_rows()
        self.table.focus()

    def action_quit(self) -> None:
        self.app.exit()
