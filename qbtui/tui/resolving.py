"""The Discrepancies tab acts: on the cursor row, a key per resolution (``o`` push ours, ``t`` take QuickBooks'
version, ``s`` re-send one deleted there, ``d`` dismiss with a note), each after the confirm ``qbtui discrepancies
resolve`` asks (push and accept show the difference); and ``P`` pulls from QuickBooks. Everything runs through the
Backend (``qbtui discrepancies resolve ... --yes --events``, ``qbtui pull --events``) off the UI thread; the tab is
read again after each, and after every sync (:meth:`DiscrepancyActions.refresh_discrepancies`)."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from qbtui.sync.events import reason_text

from .adapter import family
from .backend import BackendError
from .model import Row
from .screens import MODAL_CSS, ConfirmScreen
from .tabs import TYPE_SHORT

#: the dashboard's actions that act on the Discrepancies tab only (their keys show in its footer, nowhere else)
RESOLVE_ACTIONS = frozenset({"resolve"})
#: footer keys left out on the Discrepancies tab (room for its own at 80 columns; they still work and are in help)
DISCREPANCIES_UNSHOWN = frozenset({"fix", "resync", "select_toggle", "filter"})
QUESTIONS = {
    "push": "Send our version of {what} to QuickBooks, over its changes?",
    "accept": "Take QuickBooks' version of {what} as the truth (the document changes)?",
    "resend": "Send {what} again to QuickBooks as a new object?",
}
YES = {"push": "Yes, push ours (y)", "accept": "Yes, accept QuickBooks' (y)", "resend": "Yes, re-send (y)"}
DONE = {"push": "pushed ours", "accept": "accepted QuickBooks' version", "resend": "sent again",
        "dismiss": "dismissed"}


def discrepancy_rows(model: Any, items: list[dict[str, Any]]) -> list[Row]:
    """The Discrepancies tab's rows from ``qbtui discrepancies`` (``Backend.discrepancies``): one per item, the
    document's own row (date, counterparty, total) with the difference in words. Reads the store for documents not
    in hand (call it in a thread)."""
    rows: list[Row] = []
    for item in items:
        key = (str(item.get("type")), str(item.get("ref")))
        row = model.by_key.get(key) or model.fetch_row(key)
        if row is None:
            continue
        kind = str(item.get("kind") or "changed")
        rows.append(Row(row.type, row.ref, row.date, row.party, row.total, row.status,
                        str(item.get("qbo_id") or row.qbo_id),
                        {"code": kind.upper(), "message": str(item.get("text") or ""), "hint": "",
                         "entity": str(item.get("entity") or ""), "fields": list(item.get("fields") or [])},
                        family(kind, str(item.get("text") or "")), row.search))
    return rows


def difference_text(row: Row) -> str:
    """Each differing field in words, one a line (the confirm's note)."""
    error = row.error or {}
    lines = [str(f.get("text") or "") for f in error.get("fields") or [] if isinstance(f, dict) and f.get("text")]
    return "\n".join(lines) or str(error.get("message") or "")


def fits(row: Row, action: str) -> str | None:
    """Why ``action`` does not fit the row's discrepancy (None when it does): push and accept need QuickBooks' copy,
    re-send one that was deleted there (as ``qbtui discrepancies resolve`` checks)."""
    deleted = row.family == "deleted"
    if action in ("push", "accept") and deleted:
        return f"{row.ref} was deleted in QuickBooks: s re-sends it, d dismisses it."
    if action == "resend" and not deleted:
        return f"{row.ref} still exists in QuickBooks: o pushes ours, t takes QuickBooks' version."
    return None


class NoteScreen(ModalScreen["str | None"]):
    """The note a dismissal keeps (why both stay as they are): Enter saves it, Esc cancels."""

    DEFAULT_CSS = MODAL_CSS.format(name="NoteScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="note_cancel")]

    def __init__(self, what: str, difference: str) -> None:
        super().__init__()
        self.what, self.difference = what, difference

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Dismiss the discrepancy of {self.what}?", style="bold"))
            if self.difference:
                yield Static(self.difference)
            yield Label("Note (why both stay as they are; Enter dismisses, Esc cancels):")
            yield Input(placeholder="e.g. agreed with the customer", id="note")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        note = event.value.strip()
        if not note:
            self.notify("A dismissal needs a note saying why.", severity="warning", timeout=4)
            return
        self.dismiss(note)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DiscrepancyActions:
    """The Dashboard's Discrepancies keys and the pull key (mixed into qbtui.tui.dashboard.Dashboard)."""

    pulling: bool = False
    resolving: bool = False

    def action_resolve(self, action: str) -> None:
        dash: Any = self
        if dash.tab.kind != "discrepancies":
            return
        row = dash.table.current_row
        if row is None:
            dash.notify("No discrepancy here: P pulls from QuickBooks to look for changes.", timeout=4)
            return
        if self.resolving or dash.busy or self.pulling:
            dash.notify("Wait for the running sync, pull or resolution to end.", severity="warning", timeout=4)
            return
        why = fits(row, action)
        if why:
            dash.notify(why, severity="warning", timeout=6)
            return
        what = f"{TYPE_SHORT.get(row.type, row.type)} {row.ref}"
        qbo = f" (QuickBooks Id {row.qbo_id})" if row.qbo_id else ""
        difference = difference_text(row)
        if action == "dismiss":
            dash.app.push_screen(NoteScreen(what + qbo, difference),
                                 lambda note: note and self.run_resolve(row, "dismiss", note))
            return
        dash.app.push_screen(ConfirmScreen(QUESTIONS[action].format(what=what + qbo), difference, yes=YES[action]),
                             lambda ok: ok and self.run_resolve(row, action, None))

    @work(group="resolve", exclusive=True, exit_on_error=False)
    async def run_resolve(self, row: Row, action: str, note: str | None) -> None:
        """``qbtui discrepancies resolve TYPE REF --ACTION --yes`` in a child process; then the tab is read again."""
        dash: Any = self
        self.resolving = True
        dash.app.refresh_bindings()
        what = f"{TYPE_SHORT.get(row.type, row.type)} {row.ref}"
        dash.notify(f"{what}: resolving ({action})...", timeout=3)
        try:
            result = await dash.backend.resolve(row.type, row.ref, action, note=note)
        except BackendError as exc:
            dash.notify(str(exc), title=f"Could not resolve {what}", severity="error", timeout=10)
            result = None
        finally:
            self.resolving = False
            dash.app.refresh_bindings()
        if result is not None:
            status = str(result.get("status") or "")
            failed = [d for d in result.get("documents") or [] if d.get("status") not in ("synced", "voided")
                      and d.get("error")]
            if failed:
                err = failed[0]["error"]
                dash.notify(f"{what}: {reason_text(err, codes=False)}", title="QuickBooks refused it",
                            severity="error", timeout=15)
            else:
                dash.notify(f"{what}: {DONE[action]} (run {result.get('run')}); now {status}.", title="Resolved",
                            timeout=6)
        dash.reload()  # the document's row changed (accepted, re-sent): read again, the tab with it

    async def refresh_discrepancies(self) -> None:
        """Read the Discrepancies tab again (``qbtui discrepancies`` in a child process; the rows in a thread)."""
        dash: Any = self
        try:
            items = await dash.backend.discrepancies()
        except (BackendError, OSError) as exc:
            dash.notify(f"Could not read the discrepancies: {exc}", severity="warning", timeout=8)
            return
        model = dash.model
        try:
            rows = await asyncio.to_thread(discrepancy_rows, model, items)
        except Exception:  # noqa: BLE001 - its reader closed meanwhile: a newer load replaced the model
            return
        if model is not dash.model or not dash.is_attached:
            return  # replaced meanwhile: the newer model read the tab itself
        model.discrepancies = rows
        model.invalidate()
        row = dash.table.current_row
        dash.show(cursor_key=row.key if row else None)

    def action_pull(self) -> None:
        dash: Any = self
        if self.pulling or dash.busy:
            dash.notify("A sync or a pull is already running.", severity="warning", timeout=4)
            return
        self.run_pull()

    @work(group="pull", exclusive=True, exit_on_error=False)
    async def run_pull(self) -> None:
        """``qbtui pull --events``: what changed in QuickBooks (discrepancies, payments, documents created there);
        the progress panel says it runs; then the dashboard is read again."""
        dash: Any = self
        self.pulling = True
        dash.app.refresh_bindings()
        panel = dash.query_one("#progress")
        panel.update("Pull running: reading QuickBooks' changes (reference data, synced documents, payments)...")
        panel.set_class(True, "running")
        try:
            result = await dash.backend.call("pull")
        except BackendError as exc:
            dash.notify(str(exc), title="Pull did not run", severity="error", timeout=15)
            result = None
        finally:
            self.pulling = False
            panel.set_class(False, "running")
            dash.app.refresh_bindings()
        if result is not None:
            received = {k: n for k, n in (result.get("received") or {}).items()
                        if n and k not in ("skipped", "balances")}
            n = int(result.get("discrepancies") or 0)
            dash.notify(f"{n} discrepanc{'ies' if n != 1 else 'y'}" + (": press 6" if n else "") + "; from QuickBooks: "
                        + (", ".join(f"{v} {k}" for k, v in received.items()) or "nothing new"),
                        title="Pull finished", timeout=8)
        dash.reload()  # the rows, the payments' balances and the Discrepancies tab


def discrepancy_bindings(dashboard: Any, bindings: dict) -> dict:
    """The footer's keys on the Discrepancies tab: its own, with the ones it has no use for left out (help keeps
    them)."""
    import dataclasses

    for key, active in list(bindings.items()):
        if active.binding.id in DISCREPANCIES_UNSHOWN and active.binding.show:
            bindings[key] = active._replace(binding=dataclasses.replace(active.binding, show=False))
        elif active.binding.id == "pull" and not active.binding.show:
            bindings[key] = active._replace(binding=dataclasses.replace(active.binding, show=True))
    return bindings
