"""Reconciliation, duplicates and audit log screens (see the package docstring)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from qbtui.ledger.money import money
from qbtui.ledger.roles import ROLE_BY_NAME
from qbtui.settings import is_read_only

from ..backend import Backend, BackendError
from ..keys import READ_ONLY_WHY
from ..screens import kind_label


def month_range(today: date | None = None) -> tuple[date, date]:
    today = today or date.today()
    first = today.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def _money(value: Any) -> Decimal:
    """An amount of a report, to the cent (none: zero)."""
    return money("0" if value in (None, "") else str(value))  # str: as the report was written (JSON)


def _amt(value: Any, currency: str | None = None) -> str:
    """``1,234.50``; ``EUR -70.00`` with a (foreign) currency."""
    return f"{currency} {_money(value):,.2f}" if currency else f"{_money(value):,.2f}"


def _when(at: Any) -> str:
    """A stored ISO time as the screens show it: ``2026-11-27 09:00``."""
    return str(at or "")[:16].replace("T", " ")


class _SendingKeys:
    """A screen whose keys in ``SENDING`` write to QuickBooks (``d`` removes a duplicate, ``u`` undoes a run): on a
    read-only profile (From QuickBooks only) they are greyed in the footer and, pressed anyway, say why at once in
    the dashboard's words (READ_ONLY_WHY, through the App's run_action as the dashboard's keys do), instead of
    starting a child process that refuses. Whether the profile is read-only: as the dashboard under the screen
    knows it (its profile watch keeps it fresh and refreshes the footer's keys when it changes); without one (a
    screen hosted alone), as the profile's settings were read when the screen opened."""

    SENDING: frozenset[str] = frozenset()
    backend: Backend
    _settings_read_only = False

    @property
    def read_only(self) -> bool:
        dashboard = getattr(self.app, "dashboard", None)  # type: ignore[attr-defined]
        if getattr(dashboard, "backend", None) is self.backend:
            return bool(dashboard.read_only)  # type: ignore[union-attr]
        return self._settings_read_only

    @work(exit_on_error=False, group="read-only", thread=True)
    def read_settings(self) -> None:
        """Without the dashboard of this profile under the screen: its settings, read off the UI thread."""
        dashboard = getattr(self.app, "dashboard", None)  # type: ignore[attr-defined]
        if getattr(dashboard, "backend", None) is self.backend:
            return
        self._settings_read_only = is_read_only(self.backend.state()["settings"])
        self.app.call_from_thread(self.refresh_bindings)  # type: ignore[attr-defined]

    def disabled_why(self, action: str, parameters=()) -> str | None:
        """Why a key is greyed here, in words (said when it is pressed anyway); None when it works."""
        return READ_ONLY_WHY if action in self.SENDING and self.read_only else None

    def check_action(self, action: str, parameters) -> bool | None:
        return None if self.disabled_why(action, parameters) else True


class _RangeScreen(_SendingKeys, Screen[None]):
    """A screen with a From/To range, a status line and a worker that loads from QBO."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="maintenance.back"),
        Binding("r", "load", "Refresh", id="maintenance.refresh"),
    ]
    DEFAULT_CSS = """
    _RangeScreen, ReconcileScreen, DuplicatesScreen { layout: vertical; }
    #range { height: 3; }
    /* a date whole with the cursor after it (YYYY-MM-DD + 1), whatever the Input's padding and border */
    #range Input { box-sizing: content-box; width: 11; height: 1; }
    #range Label { padding: 1 1 0 1; }
    #status { height: auto; padding: 0 1; }
    DataTable { height: 1fr; }
    """
    TITLE_TEXT = ""

    def __init__(self, backend: Backend | Path | str, start: date | str | None = None,
                 end: date | str | None = None):
        super().__init__()
        self.backend = backend if isinstance(backend, Backend) else Backend(Path(backend))
        d1, d2 = month_range()
        self.start = str(start or d1)
        self.end = str(end or d2)
        self.report: dict[str, Any] | None = None
        self.error: str | None = None

    def compose_range(self) -> ComposeResult:
        with Horizontal(id="range"):
            yield Label(self.TITLE_TEXT)
            yield Label("from")
            yield Input(self.start, id="from", placeholder="YYYY-MM-DD")
            yield Label("to")
            yield Input(self.end, id="to", placeholder="YYYY-MM-DD")
        yield Static("loading...", id="status")

    def on_mount(self) -> None:
        self.read_settings()
        self.action_load()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_load(self) -> None:
        self.start = self.query_one("#from", Input).value.strip()
        self.end = self.query_one("#to", Input).value.strip()
        self.query_one("#status", Static).update(f"reading QuickBooks {self.start} .. {self.end} ...")
        self._load()

    async def fetch(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def show(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @work(exclusive=True, exit_on_error=False, group="maintenance-load")
    async def _load(self) -> None:
        """Read QuickBooks through the Backend (a child process: the profile and the client are opened there, and
        the range is checked there: a bad one comes back as the child's error)."""
        self.error = None
        try:
            self.report = await self.fetch()
        except Exception as exc:  # connection, login, bad dates: say it on the screen
            self.error = str(exc) or "qbtui stopped without saying why (qbtui runs and the log say more)"
            self.report = None
        self.show()


class ReconcileScreen(_RangeScreen):
    """Per mapped account: inventory side, QuickBooks, difference; then the documents behind them."""

    TITLE_TEXT = "Reconciliation"

    def compose(self) -> ComposeResult:
        yield from self.compose_range()
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="differences", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def fetch(self) -> dict[str, Any]:
        return await self.backend.reconcile(self.start, self.end)

    def show(self) -> None:
        status = self.query_one("#status", Static)
        accounts = self.query_one("#accounts", DataTable)
        diffs = self.query_one("#differences", DataTable)
        accounts.clear(columns=True)
        diffs.clear(columns=True)
        if self.report is None:
            status.update(f"FAILED: {self.error}")
            return
        r = self.report
        if r.get("backend") == "desktop":  # queued for the Web Connector (docs/desktop.md#reconcile-by-queries)
            self._show_desktop(r, status, accounts, diffs)
            return
        home = r.get("home_currency")
        accounts.add_columns("Account", "Role", "Inventory", "QuickBooks", "Difference", "Other in QBO")
        foreign = False
        for row in r["accounts"]:
            # an account in another currency than the home one (a foreign A/R or A/P): its amounts are in it
            code = row.get("currency") if row.get("currency") not in (None, home) else None
            foreign = foreign or code is not None
            mark = "" if _money(row["difference"]) == 0 else "  DIFF"
            accounts.add_row(row["account"], _role_words(row["role"]), _amt(row["inventory"], code),
                             _amt(row["qbo"], code), _amt(row["difference"], code) + mark,
                             _amt(row["qbo_other"], code), key=row["account_id"])
        diffs.add_columns("Kind", "Document", "QBO", "Date", "Ours", "QBO amount", "Why")
        for i, d in enumerate(r["differences"]):
            code = d.get("currency")  # a foreign document's own totals, in its currency
            diffs.add_row(d["kind"].upper(), f"{kind_label(d['type'])} {d['ref']}", f"{d['entity']} {d['id'] or '-'}",
                          d["date"] or "", _amt(d["ours"], code) if d["ours"] is not None else "-",
                          _amt(d["qbo"], code) if d["qbo"] is not None else "-", d["message"], key=str(i))
        (diffs if diffs.row_count else accounts).focus()
        if r["clean"]:
            text = f"OK: no difference {r['from']} .. {r['to']}"
        else:
            text = f"DIFFERENCES: {len(r['differences'])} documents behind them ({r['from']} .. {r['to']})"
        if r.get("unsent"):
            text += f"; {r['unsent']} documents in the range not sent yet"
        if foreign:
            text += f"; amounts in {home} but where an account names its currency"
        status.update(text)

    def _show_desktop(self, data: dict[str, Any], status: Static, totals: DataTable, diffs: DataTable) -> None:
        """A Desktop profile: the range is queued for the Web Connector's next session; its last answer for the
        range (per transaction type, then the documents behind the differences), if any."""
        queued = f"queued for the next Web Connector session ({self.start} .. {self.end})"
        r = data.get("report")
        if r is None:
            status.update(f"No answer yet: {queued}; press r after it has called.")
            return
        totals.add_columns("Transactions", "Ours", "QuickBooks", "Difference", "Other in QuickBooks")
        for i, row in enumerate(r["totals"]):
            mark = "" if _money(row["difference"]) == 0 else "  DIFF"
            totals.add_row(row["entity"], _amt(row["ours"]), _amt(row["desktop"]), _amt(row["difference"]) + mark,
                           _amt(row["desktop_other"]), key=str(i))
        diffs.add_columns("Kind", "Document", "Desktop", "Date", "Ours", "Desktop amount", "Why")
        for i, d in enumerate(r["differences"]):
            diffs.add_row(d["kind"].upper(), f"{d['type']} {d['ref']}", f"{d['entity']} {d['id'] or '-'}",
                          d["date"] or "", _amt(d["ours"]) if d["ours"] is not None else "-",
                          _amt(d["desktop"]) if d["desktop"] is not None else "-", d["message"], key=str(i))
        (diffs if diffs.row_count else totals).focus()
        text = (f"OK: no difference {r['from']} .. {r['to']}" if r["clean"] else
                f"DIFFERENCES: {len(r['differences'])} documents behind them ({r['from']} .. {r['to']})")
        status.update(f"{text}; QuickBooks Desktop answered {str(r['answered'])[:16].replace('T', ' ')}; again "
                      f"{queued}")


class ConfirmRemoveScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y,enter", "yes", "Remove"), Binding("n,escape", "no", "Cancel")]
    DEFAULT_CSS = """
    ConfirmRemoveScreen { align: center middle; }
    ConfirmRemoveScreen > Vertical { width: 70; height: auto; border: thick $error; background: $surface; padding: 0 1; }
    """

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.text)
            yield Static("y / Enter: remove     n / Esc: cancel")
            with Horizontal():
                yield Button("Remove", variant="error", id="yes")
                yield Button("Cancel", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class DuplicatesScreen(_RangeScreen):
    """Duplicate journals, invoices and bills; KEEP marks qbtui's linked copy; ``d`` removes the selected one."""

    TITLE_TEXT = "Duplicates"
    BINDINGS = [*_RangeScreen.BINDINGS, Binding("d", "remove", "Remove selected", id="maintenance.remove")]
    SENDING = frozenset({"remove"})

    def compose(self) -> ComposeResult:
        yield from self.compose_range()
        yield DataTable(id="duplicates", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def fetch(self) -> dict[str, Any]:
        return await self.backend.duplicates(self.start, self.end)

    def show(self) -> None:
        status = self.query_one("#status", Static)
        table = self.query_one("#duplicates", DataTable)
        table.clear(columns=True)
        self._rows: dict[str, dict[str, Any]] = {}
        if self.report is None:
            status.update(f"FAILED: {self.error}")
            return
        table.add_columns("", "QBO", "Number", "Date", "Amount", "Party", "Created", "qbtui document")
        for g in self.report["groups"]:
            for o in g["objects"]:
                key = f"{o['entity']}:{o['id']}"
                self._rows[key] = o
                mark = "KEEP (linked)" if o["linked"] else ("keep" if o["keep"] else "remove?")
                doc = f"{o['document']['type']} {o['document']['ref']}" if o["document"] else ""
                table.add_row(mark, key, o["doc_number"] or "", o["date"] or "", _amt(o["amount"]), o["party"] or "",
                              o["created"] or "", doc, key=key)
        table.focus()
        n = len(self.report["groups"])
        status.update(f"{n} sets of duplicates ({self.report['from']} .. {self.report['to']})" if n else
                      f"OK: no duplicates {self.report['from']} .. {self.report['to']}")

    def selected(self) -> dict[str, Any] | None:
        table = self.query_one("#duplicates", DataTable)
        if not getattr(self, "_rows", None) or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(str(key))

    def action_remove(self) -> None:
        hit = self.selected()
        if hit is None:
            self.app.notify("Nothing selected.", timeout=3)
            return
        if hit["linked"]:
            doc = hit["document"]
            self.app.notify(f"{hit['entity']} {hit['id']} is the copy qbtui's {doc['type']} {doc['ref']} is linked to: "
                            "keep it and remove the other.", severity="warning", timeout=6)
            return
        verb = "Void" if hit["entity"] == "Invoice" else "Delete"
        text = (f"{verb} {hit['entity']} {hit['id']} ({hit['doc_number']}, {hit['date']}, {_amt(hit['amount'])}) in "
                "QuickBooks? It is recorded in the audit log.")

        def done(yes: bool | None) -> None:
            if yes:
                self._remove(f"{hit['entity']}:{hit['id']}")

        self.app.push_screen(ConfirmRemoveScreen(text), done)

    @work(exclusive=True, exit_on_error=False, group="maintenance-remove")
    async def _remove(self, target: str) -> None:
        try:
            run = (await self.backend.remove_duplicate(self.start, self.end, target))["run"]
        except BackendError as exc:
            self.app.notify(f"Not removed: {exc}", title="Duplicates", severity="warning" if exc.busy else "error",
                            timeout=10)
            return
        removed = run["removed"][0]
        self.app.notify(f"{removed['operation'].upper()}D {removed['entity']} {removed['id']} (run {run['id']})",
                        timeout=5)
        self.action_load()


def run_words(run: dict[str, Any]) -> str:
    """A run's record as a person reads it: what, when, who, the counts in the words of every sync summary, what it
    created in QuickBooks, its error and its refused answers (with the intuit_tid Intuit's support asks for)."""
    from qbtui.maintenance.audit import describe
    from qbtui.sync.events import reason_text, run_text

    kind = str(run.get("kind") or "run")
    lines = [f"Run {run.get('id')}: {kind}" + (f", by {run['who']}" if run.get("who") else "")
             + (f" ({run['trigger']})" if run.get("trigger") else ""),
             f"Started {_when(run.get('started')) or '-'}, ended " + (_when(run.get("ended")) or "not ended")
             + ("  INTERRUPTED (stopped part way: the next sync looks up what was in flight)"
                if run.get("interrupted") else ""),
             run_text(run) if kind in ("sync", "scheduled") else describe(run)]
    created = run.get("created") or []
    if created:
        lines.append(f"Created in QuickBooks ({len(created):,}): " + ", ".join(
            f"{c.get('entity')} {c.get('id')} ({c.get('ref')})" for c in created[:8])
            + (f" and {len(created) - 8:,} more" if len(created) > 8 else ""))
    if run.get("error") and not lines[-1].startswith("could not run"):
        error = run["error"]
        lines.append("Error: " + (reason_text(error) if isinstance(error, dict) else str(error)))
    for f in (run.get("failures") or [])[:20]:
        lines.append(f"Refused: {f.get('type')} {f.get('ref')} ({f.get('entity')}): QuickBooks code {f.get('code')}"
                     + (f", intuit_tid {f['intuit_tid']}" if f.get("intuit_tid") else ""))
    if run.get("undone_by"):
        lines.append(f"Undone by run {run['undone_by']}.")
    return "\n".join(lines)


class RunDetailScreen(ModalScreen[None]):
    """One run: in words first (run_words), then its whole record as the run log keeps it (for Intuit's support)."""

    BINDINGS = [Binding("escape,q,enter", "close", "Close", id="run.close")]
    DEFAULT_CSS = """
    RunDetailScreen { align: center middle; }
    RunDetailScreen > VerticalScroll { width: 90%; height: 80%; border: thick $accent; background: $surface; }
    RunDetailScreen #run-words { margin-bottom: 1; }
    """

    def __init__(self, run: dict[str, Any]):
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(run_words(self.run), markup=False, id="run-words")
            yield Static("The whole record (as qbtui runs --json prints it):", classes="dim")
            yield Static(json.dumps(self.run, indent=2, default=str), markup=False, id="run-record")

    def action_close(self) -> None:
        self.dismiss(None)


class _RunLogScreen(_SendingKeys, Screen[None]):
    """A screen drawn from the run log and the alerts through the Backend: read on mount, ``r`` again, Esc back;
    ``fill`` draws it, ``mark_read`` marks the alerts read and draws it again."""

    def __init__(self, backend: Backend | Path | str):
        super().__init__()
        self.backend = backend if isinstance(backend, Backend) else Backend(Path(backend))
        self.rows: list[dict[str, Any]] = []

    def on_mount(self) -> None:
        self.read_settings()
        self.action_load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_load(self) -> None:
        self.load()

    @work(exclusive=True, exit_on_error=False, group="run-log")
    async def load(self) -> None:
        await self.fill()

    async def fill(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @work(exclusive=True, exit_on_error=False, group="alerts-read")
    async def mark_read(self) -> None:
        try:
            await self.backend.mark_alerts_read()
        except BackendError as exc:
            self.app.notify(f"The alerts were not marked read: {exc}", severity="warning", timeout=8)
            return
        await self.fill()


class AuditScreen(_RunLogScreen):
    """Every run: when, kind, who, what, QBO Ids; ``enter`` shows the whole record."""

    BINDINGS = [Binding("escape,q", "back", "Back", id="audit.back"), Binding("r", "load", "Refresh", id="audit.refresh"),
                Binding("enter", "details", "Details", id="audit.details", show=True),
                Binding("a", "alerts_read", "Alerts read", id="audit.alerts_read"),
                Binding("u", "undo", "Undo run", id="audit.undo")]
    SENDING = frozenset({"undo"})
    DEFAULT_CSS = """
    AuditScreen { layout: vertical; }
    AuditScreen #status { height: auto; padding: 0 1; }
    AuditScreen DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Audit log", id="status")
        yield DataTable(id="audit", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def fill(self) -> None:
        """The run log and the unread alerts, read by the Backend (a child process)."""
        try:
            log = await self.backend.audit()
        except BackendError as exc:
            self.query_one("#status", Static).update(f"FAILED: {exc}")
            return
        self.rows, alerts = log["rows"], log["alerts"]
        table = self.query_one("#audit", DataTable)
        table.clear(columns=True)
        table.add_columns("When", "Kind", "Who", "What", "QBO Ids")
        for i, r in enumerate(self.rows):
            ids = r["qbo_ids"]
            table.add_row(str(r["started"] or "")[:19].replace("T", " "), r["kind"] or "", r["who"] or "-", r["what"],
                          " ".join(ids[:4]) + (f" +{len(ids) - 4}" if len(ids) > 4 else ""), key=str(i))
        table.focus()
        text = f"Audit log: {len(self.rows)} runs"
        if alerts:
            text += f"  |  {len(alerts)} unread alerts, latest: {alerts[-1]['title']}"
        self.query_one("#status", Static).update(text)

    def action_alerts_read(self) -> None:
        self.mark_read()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        table = self.query_one("#audit", DataTable)
        if not self.rows or table.row_count == 0:
            return
        self.app.push_screen(RunDetailScreen(self.rows[table.cursor_row]["run"]))

    def action_undo(self) -> None:
        """Undo the run under the cursor, after the confirm ``qbtui undo`` asks (what it deletes and deactivates;
        what later documents still use is named, and then only undone with them: cascade)."""
        table = self.query_one("#audit", DataTable)
        if not self.rows or table.row_count == 0:
            return
        self.undo(self.rows[table.cursor_row]["run"])

    @work(exclusive=True, exit_on_error=False, group="audit-undo")
    async def undo(self, run: dict[str, Any]) -> None:
        run_id = str(run.get("id"))
        try:
            planned = await self.backend.undo_plan(run_id)
            refused = [o for o in planned["objects"] if o["action"] == "refused"]
            if refused:
                planned = await self.backend.undo_plan(run_id, cascade=True)
        except BackendError as exc:
            self.app.notify(f"Cannot undo run {run_id}: {exc}", severity="warning", timeout=8)
            return
        if not planned["objects"]:
            self.app.notify(f"Run {run_id} created nothing in QuickBooks: nothing to undo", timeout=5)
            return
        self.app.push_screen(ConfirmRemoveScreen(undo_question(run_id, planned, refused)),
                             lambda yes: self.undo_confirmed(run_id, bool(refused)) if yes else None)

    @work(exclusive=True, exit_on_error=False, group="audit-undo")
    async def undo_confirmed(self, run_id: str, cascade: bool) -> None:
        self.query_one("#status", Static).update(f"undoing run {run_id} ...")
        try:
            undo = await self.backend.undo(run_id, cascade=cascade)
        except BackendError as exc:
            self.app.notify(f"Not undone: {exc}", severity="error", timeout=10)
            await self.fill()
            return
        if (undo or {}).get("backend") == "desktop":  # queued (docs/desktop.md#undo)
            self.app.notify(f"undo of run {run_id} queued for the next Web Connector session: "
                            f"{undo.get('queued', 0)} objects", timeout=8)
            await self.fill()
            return
        counts = (undo or {}).get("counts") or {}
        self.app.notify(f"undo run {(undo or {}).get('id')}: {counts.get('removed', 0)} removed, "
                        f"{counts.get('failed', 0)} failed", severity="warning" if counts.get("failed") else
                        "information", timeout=8)
        await self.fill()


def undo_question(run_id: str, planned: dict[str, Any], refused: list[dict[str, Any]]) -> str:
    """The confirm of an undo, as ``qbtui undo`` asks it; with what later documents still use named (then the undo
    takes them too: cascade)."""
    objects = planned["objects"]
    deletes = sum(1 for o in objects if o["action"] == "delete")
    deactivates = sum(1 for o in objects if o["action"] == "deactivate")
    later = len({(o["type"], o["ref"]) for o in objects if o.get("run") != run_id})
    text = (f"Undo run {run_id}: delete {deletes} and deactivate {deactivates} QuickBooks objects"
            + (f", with the {later} later documents that use them" if later else "") + "?")
    if refused:
        text += "\n\nStill used by later documents (undone with them):\n" + "\n".join(
            f"  {o['type']} {o['ref']}: used by " + ", ".join(
                f"{u['type']} {u['ref']}" + (f" (run {u['run']})" if u.get("run") else "") for u in o["used_by"])
            for o in refused[:10]) + (f"\n  ... and {len(refused) - 10} more" if len(refused) > 10 else "")
    return text


class AlertsScreen(_RunLogScreen):
    """The in-app alerts: a scheduled sync (autosync, from the dashboard or cron) that failed, could not run, or
    was refused by the preflight; newest first, each with its run (id, when, who) and its message whole below the
    list. Enter opens the run's record, ``a`` marks them read, Esc goes back."""

    BINDINGS = [Binding("escape,q", "back", "Back", id="alerts.back"),
                Binding("enter", "details", "Run details", id="alerts.details"),
                Binding("a", "read", "Mark all read", id="alerts.read"),
                Binding("r", "load", "Refresh", id="alerts.refresh")]
    DEFAULT_CSS = """
    AlertsScreen { layout: vertical; }
    AlertsScreen #status { height: 1; padding: 0 1; background: $panel; }
    AlertsScreen DataTable { height: 1fr; }
    AlertsScreen #alert-detail { height: 7; padding: 0 1; background: $boost; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Alerts: reading...", id="status")
        yield DataTable(id="alerts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="alert-detail", markup=False)
        yield Footer()

    async def fill(self) -> None:
        try:
            self.rows = await self.backend.alerts()
        except Exception as exc:  # noqa: BLE001 - an unreadable profile: said on the screen
            self.query_one("#status", Static).update(f"Could not read the alerts: {exc}")
            return
        table = self.query_one("#alerts", DataTable)
        table.clear(columns=True)
        table.add_columns("", "When", "Alert", "Run", "Who")  # at 80 columns: who is in the detail below
        for i, a in enumerate(self.rows):
            run = a.get("run_record") or {}
            table.add_row("NEW" if not a.get("read") else "", _when(a.get("at"))[5:], str(a.get("title") or ""),
                          str(a.get("run") or "-"), str(run.get("who") or "-"), key=str(i))
        table.focus()
        new = sum(1 for a in self.rows if not a.get("read"))
        self.query_one("#status", Static).update(
            (f"Alerts of scheduled syncs: {len(self.rows):,}, {new:,} new, newest first" if self.rows else
             "No alerts: every scheduled sync so far ran without a failure.") + "  |  enter: the run, a: mark read")
        self.show_detail()

    def current(self) -> dict[str, Any] | None:
        table = self.query_one("#alerts", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        """The cursor row's alert whole: its message, its run's outcome, whether it was e-mailed."""
        a = self.current()
        if a is None:
            self.query_one("#alert-detail", Static).update("")
            return
        lines = [str(a.get("message") or "")]
        run = a.get("run_record")
        if run:
            lines.append(f"Run {run.get('id')} started {_when(run.get('started'))} by {run.get('who') or 'unknown'}"
                         "; enter shows it.")
        else:
            lines.append("It made no run: nothing was sent.")
        email = a.get("email") or {}
        if email.get("sent"):
            lines.append("E-mailed to " + ", ".join(email.get("to") or []) + ".")
        elif email.get("error"):
            lines.append(f"Not e-mailed: {email['error']}.")
        self.query_one("#alert-detail", Static).update("\n".join(lines))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        a = self.current()
        if a is None:
            return
        if not a.get("run_record"):
            self.app.notify(f"{a.get('title')}: it made no run (nothing was sent), so there is no run to show.",
                            timeout=5)
            return
        self.app.push_screen(RunDetailScreen(a["run_record"]))

    def action_read(self) -> None:
        self.mark_read()


def _role_words(role: str | None) -> str:
    """A mapped account's role as the wizard names it (Inventory asset), not its setting key."""
    found = ROLE_BY_NAME.get(role or "")
    return found.label if found is not None else (role or "")
