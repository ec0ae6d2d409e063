"""Modal screens: confirm, document, help, fix form, link picker."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qbtui.documents.text import safe_text
from qbtui.errors import FAULT_DUPLICATE_DOC_NUMBER
from qbtui.ledger.kinds import KIND
from qbtui.sync.events import detail_text, reason_text as events_reason_text

from .backend import Backend, BackendError
from .model import STATUS_WORDS, Row, money, summaries_of
from .tabs import TYPE_LABELS

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: thick $accent; background: $surface; padding: 0 1; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """Names the count and the total; y or Enter confirms, n or Esc cancels."""

    DEFAULT_CSS = MODAL_CSS.format(name="ConfirmScreen") + """
    ConfirmScreen #buttons { height: 3; align: center middle; }
    ConfirmScreen Button { margin: 0 2; }
    """
    BINDINGS = [
        Binding("y,enter", "confirm", "Yes", id="confirm_yes"),
        Binding("n,escape", "cancel", "No", id="confirm_no"),
    ]

    def __init__(self, message: str, note: str = "", yes: str = "Yes, upload (y)") -> None:
        super().__init__()
        self.message, self.note, self.yes = message, note, yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.message, style="bold"))
            if self.note:
                yield Static(self.note)
            with Horizontal(id="buttons"):
                yield Button(self.yes, id="yes", variant="primary")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


SHOWN_CHARS = 2000
"""The most of one value the document screen draws (a 10 MB name would take minutes to lay out)."""


def shown(value: Any) -> str:
    """A value as the document screen draws it: no control sequence, at most SHOWN_CHARS characters."""
    return safe_text(value, limit=SHOWN_CHARS)


def _kv_table(data: dict[str, Any]) -> Table:
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    for k, v in data.items():
        if isinstance(v, (dict, list)):
            v = json.dumps(v, default=str)
        t.add_row(k, "" if v is None else shown(v))
    return t


def _lines_table(lines: list[dict]) -> Table:
    cols: list[str] = []
    for line in lines:
        for k in line:
            if k not in cols:
                cols.append(k)
    t = Table(box=None, padding=(0, 1), header_style="bold")
    for c in cols:
        t.add_column(c, overflow="fold")
    for line in lines:
        t.add_row(*("" if line.get(c) is None else shown(line.get(c)) for c in cols))
    return t


def _when(stamp: Any) -> str:
    """A stored moment (ISO 8601) as the screen writes it: 2026-11-26 16:41:15 UTC."""
    text = str(stamp or "")
    return text[:19].replace("T", " ") + (" UTC" if text.endswith(("+00:00", "Z")) else "")


def reason_text(reason: dict[str, Any]) -> str:
    """A reason as a person reads it: its message, after QuickBooks' own error number when it is one (what Intuit
    support asks for); qbtui's reason codes (``invoice.missing_date``) are for scripts, not shown (the one wording
    of a reason: qbtui.sync.events.reason_text)."""
    return events_reason_text(reason, codes=False)


def _plan_text(planned: dict[str, Any] | None) -> Text:
    """What a document sends to QuickBooks (the exact payloads), or why it sends nothing."""
    if planned is None:
        return Text("The planner is not available in this build: what it would send cannot be shown.")
    if not planned["payloads"]:
        status = STATUS_WORDS.get(planned["status"], str(planned["status"]))
        return Text(shown("\n".join([f"Nothing to send: it is {status}.",
                                      *(f"- {reason_text(r)}" for r in planned["reasons"])])))
    parts = []
    for p in planned["payloads"]:
        parts.append(f"{p.get('operation', '').upper()} {p.get('entity')}\n" + json.dumps(p.get("body"), indent=2, default=str))
    return Text(shown("\n\n".join(parts)))


def journal_table(journal: dict[str, Any] | None) -> Table | None:
    """The journal a document posts (``qbtui document``'s, from qbtui.ledger.postings), as an accountant reads
    it: one row per posting (account, Dr, Cr, description), each QuickBooks transaction under its own heading
    when the document makes more than one, and the totals of each column; None when it posts nothing."""
    lines = (journal or {}).get("lines") or []
    if not lines:
        return None
    t = Table(box=None, padding=(0, 1), header_style="bold", show_footer=True, footer_style="bold")
    t.add_column("Account", footer="Totals", overflow="fold")
    t.add_column("Dr", footer=_amount(journal["debit"]), justify="right", no_wrap=True)
    t.add_column("Cr", footer=_amount(journal["credit"]), justify="right", no_wrap=True)
    t.add_column("Description", overflow="fold")
    headed = len({line["entry"] for line in lines}) > 1
    entry = None
    for line in lines:
        if headed and line["entry"] != entry:
            entry = line["entry"]
            t.add_row(Text(shown(entry), style="bold italic"), "", "", "")
        t.add_row(shown(line["account"]), _amount(line["debit"]), _amount(line["credit"]), shown(line["memo"]))
    return t


def _amount(text: str) -> str:
    """A journal amount ("1234.50", or "" on the other side) as the screen writes money: 1,234.50."""
    return f"{Decimal(text):,.2f}" if text else ""


class DocumentScreen(Screen["str | None"]):
    """One document: fields, lines, what it sends to QBO (from the ledger), its sync history."""

    DEFAULT_CSS = """
    DocumentScreen #doc-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    DocumentScreen VerticalScroll { height: 1fr; padding: 0 1; }
    DocumentScreen .section { text-style: bold underline; margin-top: 1; }
    """
    BINDINGS = [
        Binding("y", "copy_ref", "Copy ref", id="doc_copy_reference"),
        Binding("Y", "copy_qbo_id", "Copy QBO Id", id="doc_copy_qbo_id"),
        Binding("e", "fix", "Fix", id="doc_fix"),
        Binding("enter", "go_to", "Go to what it waits on", show=False, id="doc_go_to",
                tooltip="Open the document it waits on (a dependency reason)"),
        Binding("q,escape", "close", "Back", id="doc_back"),
        Binding("j,down", "scroll_down", "Down", show=False, id="doc_down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="doc_up"),
    ]

    def __init__(self, backend: Backend, row: Row) -> None:
        super().__init__()
        self.backend = backend
        self.row = row
        #: filled in by the Backend (a child process reads the profile): the key never waits on it
        self.record: dict[str, Any] | None = None
        self.link: dict[str, Any] | None = None
        self.journal: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        from textual.widgets import Footer
        row = self.row
        yield Static(Text(shown(f"{TYPE_LABELS.get(row.type, row.type)} {row.ref}  |  {STATUS_WORDS.get(row.status)}"
                                f"  |  QBO Id {row.qbo_id or '-'}  |  total {money(row.total) or '-'}")), id="doc-title")
        with VerticalScroll():
            yield Static("reading the document...", id="loading")
        yield Footer()

    def sections(self, plan: dict[str, Any] | None) -> list[Static]:
        """The body once the document is read: fields, lines, why it is not synced, what it sends, history."""
        row, record = self.row, self.record or {"data": {}, "rev": None, "imported": None}
        out: list[Static] = []
        data = dict(record["data"])
        lines = data.pop("lines", None)
        refunds = data.pop("refunds", None)
        data.pop("type", None)
        out.append(Static("Fields", classes="section"))
        out.append(Static(_kv_table({**data, "revision": record.get("rev"),
                                             "imported": _when(record.get("imported"))})))
        qbo = getattr(self, "quickbooks", None)
        if qbo:  # an invoice's or bill's balance in QuickBooks (qbtui pull: payments recorded there)
            out.append(Static("In QuickBooks", classes="section"))
            out.append(Static(Text(f"balance {qbo.get('balance')} of {qbo.get('total')}: "
                                   f"{'paid' if qbo.get('paid') else 'open'} (pulled {str(qbo.get('at') or '')[:19]})"),
                              id="qbo-balance"))
        if lines:
            out.append(Static(f"Lines ({len(lines)})", classes="section"))
            out.append(Static(_lines_table(lines)))
        if refunds:
            out.append(Static(f"Refunds ({len(refunds)})", classes="section"))
            out.append(Static(_lines_table(refunds)))
        if row.error:
            out.append(Static("Why it is not synced", classes="section"))
            reasons = row.error.get("reasons") or [row.error]
            for r in reasons:
                out.append(Static(Text(shown(reason_text(r) + (f"\n  Hint: {r['hint']}" if r.get("hint") else "")))))
            target = self.waits_on()
            if target is not None:
                out.append(Static(Text(shown(f"  enter opens {TYPE_LABELS.get(target[0], target[0])} {target[1]}, "
                                             "which it waits on")), id="waits-on"))
            err = ((self.link or {}).get("error") or {}) if row.status == "failed" else {}
            said = detail_text(err)  # QuickBooks' own reason, which the hint of its general message (6000) names
            if said:
                out.append(Static(Text(shown(f"  {said}")), id="qbo-detail"))
            tid = err.get("intuit_tid")
            if tid:  # what Intuit support asks for
                out.append(Static(Text(shown(f"  QuickBooks intuit_tid: {tid}")), id="intuit-tid"))
        journal = journal_table(self.journal)
        if journal is not None:
            out.append(Static("Journal (Dr / Cr)", classes="section"))
            out.append(Static(journal, id="journal"))
        out.append(Static("What it sends to QuickBooks", classes="section"))
        out.append(Static(_plan_text(plan), id="payloads"))
        out.append(Static("Sync history", classes="section"))
        out.append(Static(self._history(), id="history"))
        return out

    def _history(self) -> Text | Table:
        link = self.link
        if not link:
            return Text("Never sent.")
        t = Table(box=None, padding=(0, 1), header_style="bold")
        for c in ("when", "status", "run", "QBO Id", "error"):
            t.add_column(c, overflow="fold")
        for h in link.get("history") or []:
            t.add_row(_when(h.get("at")), str(h.get("status") or "").upper(),
                      str(h.get("run") or ""), ",".join(str(i) for i in h.get("qbo") or []), str(h.get("error") or ""))
        qbo = ", ".join(f"{q.get('entity')} {q.get('id')} (SyncToken {q.get('sync_token')})"
                        for q in link.get("qbo") or [])
        grid = Table.grid()
        grid.add_row(Text(f"QBO: {qbo or '-'}"))
        for summary in summaries_of(link):  # posted in its channel's summary (7: the Summaries tab lists it)
            grid.add_row(Text(shown(f"In summary {summary['ref']}: {summary.get('entity') or 'QBO document'} "
                                    f"{summary.get('id') or '(no QBO Id yet)'} (7: Summaries)")))
        if link.get("note"):  # what the last sync left undone on purpose (a credit left unapplied)
            grid.add_row(Text(shown(f"Note: {link['note']}")))
        if link.get("error"):
            e = link["error"]
            grid.add_row(Text(f"Last error: {reason_text(e)}" + (f" ({e['detail']})" if e.get("detail") else "")
                              + (f" (intuit_tid {e['intuit_tid']})" if e.get("intuit_tid") else "")))
        grid.add_row(t)
        return grid

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        try:
            view = await self.backend.document(self.row.type, self.row.ref)
        except BackendError as exc:
            self.query_one("#loading", Static).update(Text(f"Could not read it: {exc}"))
            return
        self.record, self.link = view["record"], view["link"]
        self.quickbooks = view.get("quickbooks")  # its balance in QuickBooks, as the last qbtui pull saw it
        self.journal = view.get("journal")  # what it posts, Dr / Cr (qbtui.ledger.postings.journal)
        body = self.query_one(VerticalScroll)
        await body.remove_children()
        await body.mount_all(self.sections(view["plan"]))

    def action_copy_ref(self) -> None:
        self.app.copy_to_clipboard(self.row.ref)
        self.notify(f"Copied {self.row.ref}", timeout=2)

    def action_copy_qbo_id(self) -> None:
        if self.row.qbo_id:
            self.app.copy_to_clipboard(self.row.qbo_id)
            self.notify(f"Copied QBO Id {self.row.qbo_id}", timeout=2)
        else:
            self.notify("No QBO Id yet", timeout=2)

    def action_fix(self) -> None:
        if self.row.status in ("blocked", "failed"):
            self.dismiss("fix")  # the dashboard opens the fix form
        else:
            self.notify("Nothing to fix: it is " + STATUS_WORDS.get(self.row.status, self.row.status), timeout=3)

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)

    def waits_on(self) -> tuple[str, str] | None:
        """The document this one waits on: from a ``dependency.*`` reason, the dependency it names."""
        from qbtui.ledger.kinds import dependencies

        error = self.row.error or {}
        reasons = [r for r in (error.get("reasons") or [error]) if str(r.get("code") or "").startswith("dependency.")]
        data = (self.record or {}).get("data") or {}
        if not reasons or not data:
            return None
        deps = dependencies({**data, "type": self.row.type})
        for reason in reasons:
            message = str(reason.get("message") or "")
            found = next((dep for dep in deps if f"{dep[1]!r}" in message), None)
            if found is not None:
                return found
        return None

    def action_go_to(self) -> None:
        target = self.waits_on()
        if target is None:
            self.notify("It waits on no other document.", timeout=3)
        else:
            self.dismiss(f"goto\t{target[0]}\t{target[1]}")  # the dashboard shows that document

    def action_close(self) -> None:
        self.dismiss()


class HelpScreen(ModalScreen[None]):
    """Every active key (read from the bindings themselves, remapped keys included)."""

    DEFAULT_CSS = MODAL_CSS.format(name="HelpScreen") + "HelpScreen VerticalScroll { height: auto; max-height: 20; }"
    BINDINGS = [Binding("q,escape,question_mark", "close", "Close", id="help_close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.bindings_list = bindings

    def compose(self) -> ComposeResult:
        t = Table(box=None, padding=(0, 1), header_style="bold")
        t.add_column("key", no_wrap=True)
        t.add_column("action")
        t.add_column("id", style="dim")
        for key, desc, bid in self.bindings_list:
            t.add_row(key, desc, bid)
        with Vertical():
            yield Label(Text("Keys (remap by id: qbtui settings set keymap.upload_all ctrl+u)",
                             style="bold"))
            with VerticalScroll():
                yield Static(t)
            yield Label("q or esc closes")

    def action_close(self) -> None:
        self.dismiss()


# ------------------------------------------------------------------------------------------ fixing

LINKABLE = {"customer": ("customers", "Customer", "DisplayName"), "supplier": ("vendors", "Vendor", "DisplayName"),
            "product": ("items", "Item", "Name")}
#: the field that holds a transaction's QuickBooks number, where it is not its reference: what a 6140 (duplicate
#: number) offers to change ("renumber"); other kinds are numbered by their reference
NUMBER_FIELD = {"sale_invoice": "doc_number", "quote": "doc_number", "credit_note": "doc_number",
                "supplier_invoice": "supplier_invoice_number"}


def kind_label(type_: str) -> str:
    kind = KIND.get(type_)
    return kind.noun if kind is not None else type_


def name_fields(type_: str) -> tuple[str, ...]:
    """The fields a "names" reason may be about: a contact's or product's own name, or the field of a
    transaction that names its customer or supplier (from the registry of kinds)."""
    kind = KIND.get(type_)
    if kind is None:
        return ()
    if not kind.is_transaction:
        return kind.party
    return tuple(f for f in kind.party if kind.named_kind(f) in ("customer", "supplier"))


def _get(data: dict, path: tuple) -> Any:
    cur: Any = data
    for p in path:
        try:
            cur = cur[p]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def _set(data: dict, path: tuple, value: Any) -> None:
    cur: Any = data
    for p in path[:-1]:
        cur = cur[p]
    if value is None and isinstance(cur, dict):
        cur.pop(path[-1], None)
    else:
        cur[path[-1]] = value


def failing_fields(row: Row, data: dict) -> list[tuple]:
    """The fields a form offers: from each reason's ``field`` when given, and by the family of every
    reason (a bill without a number and dated in a closed period offers both the number and the dates)."""
    from qbtui.tui.model import error_family

    kind = KIND.get(row.type)
    paths: list[tuple] = []
    reasons = [r for r in (row.error or {}).get("reasons") or [row.error or {}] if isinstance(r, dict)]
    renumber = any(str(r.get("code")) == FAULT_DUPLICATE_DOC_NUMBER for r in reasons)
    if renumber:  # a duplicate number: the number, not the names
        reasons = [r for r in reasons if str(r.get("code")) != FAULT_DUPLICATE_DOC_NUMBER]
        if row.type in NUMBER_FIELD:
            paths.append((NUMBER_FIELD[row.type],))
        if not reasons:
            return paths
    for r in reasons:
        f = r.get("field")
        if isinstance(f, str) and f:
            paths.append(tuple(int(p) if p.isdigit() else p for p in f.split(".")))
    families = {r.get("family") or error_family(r.get("code"), r.get("message")) for r in reasons}
    families |= set() if renumber else {row.family}
    if "dates" in families or (not paths and families & {"other", "mappings"}):
        paths += [(f,) for f in (kind.date_fields if kind is not None and kind.date_fields else ("date",))]
    if "names" in families:
        paths += [(f,) for f in name_fields(row.type)]
    if "amounts" in families:
        if "amount" in data:
            paths.append(("amount",))
        for i, _ in enumerate(data.get("refunds") or []):
            paths.append(("refunds", i, "amount"))
        for i, line in enumerate(data.get("lines") or []):
            for k in ("quantity", "unit_price", "quantity_change", "unit_cost"):
                if isinstance(line, dict) and k in line:
                    paths.append(("lines", i, k))
    seen: list[tuple] = []
    for p in paths:
        if p not in seen:
            seen.append(p)
    return seen


def _label(path: tuple) -> str:
    """A field's place in words (Invoice date, Line 2 unit price), not the import format's key path."""
    parts = []
    for i, p in enumerate(path):
        if isinstance(p, int):
            parts.append(str(p + 1))
            continue
        word = str(p).replace("_", " ")
        parts.append(word.removesuffix("s") if i + 1 < len(path) and isinstance(path[i + 1], int) else word)
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def _id(path: tuple) -> str:
    return "f-" + "-".join(str(p) for p in path)


def checked_document(doc_type: str, data: dict) -> tuple[dict | None, list[str]]:
    """The edited document as the import format stores it, or the reasons it is not valid: the same
    model and the same messages as ``qbtui import``, so a fix can never store what an import would refuse."""
    from qbtui.documents import check_document

    checked, problems = check_document({**data, "type": doc_type})
    return checked, [f"{_label(loc)}: {reason}" for loc, reason in problems]


class FixScreen(ModalScreen["bool | dict"]):
    """A form for the failing fields; saving writes through the cache and re-checks the gates."""

    DEFAULT_CSS = MODAL_CSS.format(name="FixScreen") + """
    FixScreen { background: $background; }
    FixScreen .field { height: 1; margin-bottom: 1; }
    FixScreen .field Label { width: 22; padding: 0 1 0 0; }
    FixScreen .field Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    FixScreen .field Input:focus { background: $accent 30%; }
    FixScreen #fix-error { color: $error; text-style: bold; }
    FixScreen #fix-buttons { height: 3; align: center middle; }
    FixScreen Button { margin: 0 1; }
    FixScreen VerticalScroll { height: auto; max-height: 14; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="fix_cancel"),
        Binding("ctrl+s", "save", "Save", id="fix_save"),
        Binding("ctrl+l", "link", "Link to QBO", id="fix_link"),
    ]

    def __init__(self, backend: Backend, row: Row, data: dict, rev: int | None, link: dict | None = None) -> None:
        super().__init__()
        self.backend, self.row, self.data, self.rev = backend, row, data, rev
        self.paths = failing_fields(row, data)
        #: the failed answer as recorded on the link: its intuit_tid, and after a 6140 the QBO transaction that
        #: holds the number (which this document may be linked to)
        self.fault = ((link or {}).get("error") or {}) if row.status == "failed" else {}
        holder = self.fault.get("holder")
        self.holder = holder if self.fault.get("code") == FAULT_DUPLICATE_DOC_NUMBER and isinstance(holder, dict) \
            and holder.get("id") and row.type not in LINKABLE else None

    def compose(self) -> ComposeResult:
        e = self.row.error or {}
        with Vertical():
            yield Static(Text(f"Fix {kind_label(self.row.type)} {self.row.ref}", style="bold"))
            for r in e.get("reasons") or [e]:
                yield Static(Text(events_reason_text(r)))
                if r.get("hint"):
                    yield Static(Text(f"Hint: {r['hint']}", style="italic"))
            if self.fault.get("intuit_tid"):
                yield Static(Text(f"QuickBooks intuit_tid: {self.fault['intuit_tid']}", style="dim"))
            if self.holder:
                h = self.holder
                what = ", ".join(str(x) for x in (h.get("date"), f"total {h['total']}" if h.get("total") else "",
                                                  h.get("party")) if x)
                yield Static(Text(shown(f"QuickBooks {h.get('entity')} {h.get('id')} ({what}) has number "
                                        f"{h.get('doc_number')!r}: ctrl+l links this document to it (when it is "
                                        "this one); or give this one another number and save (ctrl+s)."),
                                  style="bold"), id="fix-holder")
            with VerticalScroll():
                if not self.paths:
                    yield Static("No field to edit for this error. Mappings are fixed with `qbtui map`; "
                                 "settings with `qbtui settings set`.")
                for path in self.paths:
                    with Horizontal(classes="field"):
                        yield Label(_label(path))
                        value = _get(self.data, path)
                        yield Input("" if value is None else str(value), id=_id(path))
            yield Static("", id="fix-error")
            with Horizontal(id="fix-buttons"):
                if self.paths:
                    yield Button("Save (ctrl+s)", id="save", variant="primary")
                if self.row.type in LINKABLE:
                    yield Button("Link to QBO (ctrl+l)", id="link")
                elif self.holder:
                    yield Button(f"Link to {self.holder.get('entity')} {self.holder.get('id')} (ctrl+l)", id="link")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"save": self.action_save, "link": self.action_link, "cancel": self.action_cancel}[event.button.id]()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_link(self) -> None:
        if self.holder:
            self.query_one("#fix-error", Static).update("Linking...")
            self.link_holder()
            return
        if self.row.type not in LINKABLE:
            self.notify("Only customers, suppliers and products can be linked (and a transaction to the QuickBooks "
                        "one that holds its number).", timeout=3)
            return

        def picked(linked: dict | None) -> None:
            if linked:
                self.dismiss(linked)

        self.app.push_screen(LinkPicker(self.backend, self.row, self.rev), picked)

    @work(exclusive=True, group="fix", exit_on_error=False)
    async def link_holder(self) -> None:
        """Link this document to the QBO transaction that holds its number (a 6140): it is this document."""
        h, row = self.holder or {}, self.row
        try:
            await self.backend.link_document(row.type, row.ref, entity=str(h["entity"]), qbo_id=str(h["id"]),
                                             rev=self.rev, sync_token=h.get("sync_token"), key=str(h.get("key") or "doc"))
        except BackendError as exc:
            self.query_one("#fix-error", Static).update(f"Not linked: {exc}")
            return
        self.notify(f"Linked {row.ref} to QBO {h['entity']} {h['id']}", timeout=3)
        self.dismiss({"event": "document", "type": row.type, "ref": row.ref, "status": "synced",
                      "qbo_ids": [str(h["id"])], "error": None})

    def action_save(self) -> None:
        if not self.paths:
            return
        data = json.loads(json.dumps(self.data))
        for path in self.paths:
            text = self.query_one("#" + _id(path), Input).value.strip()
            _set(data, path, text or None)
        data, errors = checked_document(self.row.type, data)
        if errors:
            self.query_one("#fix-error", Static).update("; ".join(errors))
            return
        self.query_one("#fix-error", Static).update("Saving...")
        self.save(data)

    @work(exclusive=True, group="fix", exit_on_error=False)
    async def save(self, data: dict) -> None:
        try:
            await self.backend.update_document(data)
        except BackendError as exc:
            self.query_one("#fix-error", Static).update(f"Not saved: {exc}")
            if exc.busy:
                self.notify(f"Not saved: {exc}. Wait for it to finish, then save again.",
                            title="The profile is busy", severity="error", timeout=10)
            return
        self.notify(f"Saved {self.row.ref}; gates re-checked.", timeout=3)
        self.dismiss(data)


class LinkPicker(ModalScreen["dict | bool"]):
    """Link a contact or product to one that already exists in QBO, searched by name."""

    #: an opaque background (the fix form's too): a see-through one has Textual draw the fix form and the dashboard
    #: behind it again on every paint, and lay the dashboard out again as the picker opens (most of the UI thread's
    #: time in opening the picker)
    DEFAULT_CSS = MODAL_CSS.format(name="LinkPicker") + """
    LinkPicker { background: $background; }
    LinkPicker OptionList { height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker_cancel")]

    def __init__(self, backend: Backend, row: Row, rev: int | None) -> None:
        super().__init__()
        self.backend, self.row, self.rev = backend, row, rev
        _, self.entity, self.name_field = LINKABLE[row.type]
        #: read by the Backend (a child process) once the picker shows: the key never waits on it
        self.items: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Link {kind_label(self.row.type)} {self.row.ref} ({self.row.party}) to an existing "
                              f"QBO {self.entity}", style="bold"))
            yield Input(self.row.party, placeholder="search by name", id="search")
            yield OptionList(id="options")
            yield Label("enter links the highlighted one; esc cancels")

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        self.load()

    @work(exclusive=True, group="picker", exit_on_error=False)
    async def load(self) -> None:
        try:
            items = await self.backend.link_candidates(self.row.type)
        except BackendError as exc:
            self.notify(str(exc), title="Cannot read QuickBooks' list", severity="error", timeout=10)
            return
        self.items = [i for i in items if isinstance(i, dict) and i.get("Id") is not None]
        self.fill(self.query_one("#search", Input).value)

    def fill(self, text: str) -> None:
        words = text.lower().split()
        matches = [i for i in self.items if all(w in str(i.get(self.name_field, "")).lower() for w in words)]
        if not matches:
            matches = self.items
        options = self.query_one("#options", OptionList)
        options.clear_options()
        options.add_options([Option(f"{i.get(self.name_field)}  (Id {i.get('Id')})", id=str(i.get("Id")))
                             for i in matches[:200]])
        if matches:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#options", OptionList)
        if options.highlighted is not None:
            self.link(options.get_option_at_index(options.highlighted).id)

    def on_key(self, event) -> None:
        if event.key in ("down", "up") and isinstance(self.focused, Input):
            options = self.query_one("#options", OptionList)
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()
            event.stop()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.link(event.option.id)

    def link(self, qbo_id: str | None) -> None:
        if qbo_id is None:
            return
        self.save_link(qbo_id)

    @work(exclusive=True, group="link", exit_on_error=False)
    async def save_link(self, qbo_id: str) -> None:
        item = next((i for i in self.items if str(i.get("Id")) == qbo_id), {})
        row = self.row
        try:
            await self.backend.link_document(row.type, row.ref, entity=self.entity, qbo_id=qbo_id, rev=self.rev,
                                             sync_token=item.get("SyncToken"))
        except BackendError as exc:
            title = "The profile is busy" if exc.busy else "Not linked"
            self.notify(f"Not saved: {exc}" + (". Wait for it to finish, then link again." if exc.busy else ""),
                        title=title, severity="error", timeout=10)
            return
        self.notify(f"Linked {row.ref} to QBO {self.entity} {qbo_id}", timeout=3)
        self.dismiss({"event": "document", "type": row.type, "ref": row.ref, "status": "synced",
                      "qbo_ids": [qbo_id], "error": None})

    def action_cancel(self) -> None:
        self.dismiss(False)


def fix_screen_for(backend: Backend, row: Row, record: dict | None, link: dict | None = None) -> ModalScreen:
    """The fix form of a document (its record and link read by the Backend), or the link picker when linking is
    all there is to do."""
    data = record["data"] if record else {}
    rev = record["rev"] if record else None
    if not row.family:
        from .model import error_family
        error = row.error or {}
        row.family = error.get("family") or error_family(error.get("code"), error.get("message"))
    if row.family == "names" and row.type in LINKABLE and not failing_fields(row, data):
        return LinkPicker(backend, row, rev)
    return FixScreen(backend, row, data, rev, link)
