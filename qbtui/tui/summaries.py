"""The Summaries tab (7): the summaries of sales channels posted ``daily`` or ``monthly``
(docs/domain.md#summarized-posting), one row each (channel, kind, period, correction, documents, total, currency,
QBO Id, status), a correction on the row after the posting it corrects; ``enter`` shows the documents a summary holds
(their own rows: ``enter`` on one opens it), ``esc`` comes back. The rows are read by the Backend
(:meth:`Backend.summaries`, in a thread) when the dashboard loads and after every sync; the tab shows in the tab bar
once a channel summarizes or a summary exists (its key works always)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qbtui.cache import CacheError
from qbtui.ledger.listing import totals_of
from qbtui.settings import SUMMARY_TYPES

from .backend import BackendError
from .model import STATUS_WORDS, Row, money
from .screens import MODAL_CSS, ConfirmScreen, shown
from .table import Column
from .tabs import SUMMARY_LABELS, TYPE_SHORT


def _extra(r: Row) -> dict[str, Any]:
    return r.extra or {}


def _kind_label(r: Row) -> str:
    return SUMMARY_LABELS.get(r.family, (r.family, r.family))[1]


def correction_text(n: int) -> str:
    return f"C{n}" if n else "-"


SUMMARY_COLUMNS = (
    Column("Channel", lambda r: r.party, 6, 1),
    Column("Kind", _kind_label, 8),
    Column("Period", lambda r: r.date, 10),
    Column("Corr", lambda r: correction_text(int(_extra(r).get("correction") or 0)), 4),
    Column("Docs", lambda r: f"{int(_extra(r).get('count') or 0):,}", 7, right=True),
    Column("Total", lambda r: money(r.total), 11, right=True),
    Column("Cur", lambda r: str(_extra(r).get("currency") or ""), 3),
    Column("QBO Id", lambda r: r.qbo_id, 6),
    Column("Status", lambda r: STATUS_WORDS.get(r.status, r.status.upper()), 10, status=True),
    Column("Reference", lambda r: r.ref, 22, 1, hide_below=110),
)
HELD_COLUMNS = (
    Column("Reference", lambda r: r.ref, 12, 1),
    Column("Type", lambda r: TYPE_SHORT.get(r.type, r.type), 8),
    Column("Date", lambda r: r.date, 10),
    Column("Counterparty", lambda r: r.party, 10, 2),
    Column("Total", lambda r: money(r.total), 11, right=True),
    Column("Status", lambda r: STATUS_WORDS.get(r.status, r.status.upper()), 10, status=True),
)


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def summary_rows(items: list[dict[str, Any]]) -> list[Row]:
    """One row per summary of :func:`qbtui.sync.summaries.posted`: its reference, period (as date), channel (as
    party), total, status and QBO Id; its kind as the row's family (the sub-tab it shows on)."""
    rows = []
    for s in items:
        key = s.get("key") or {}
        kind = str(key.get("kind") or _kind_of_entity(s.get("entity")))
        extra = {"correction": int(s.get("correction") or 0), "count": len(s.get("documents") or ()),
                 "currency": str(key.get("currency") or ""), "entity": str(s.get("entity") or ""),
                 "base": str(s.get("base") or s["ref"]), "documents": [tuple(d) for d in s.get("documents") or ()],
                 "run": s.get("run")}
        row = Row("summary", str(s["ref"]), str(key.get("period") or ""), str(key.get("channel") or ""),
                  _decimal(s.get("total")), str(s.get("status") or "summarized"), str(s.get("id") or ""),
                  family=kind, extra=extra)
        row.search = f"{row.ref}\t{row.party}\t{row.qbo_id}\t{row.date}".lower()
        rows.append(row)
    return rows


_ENTITY_KIND = {"Invoice": "sales", "CreditMemo": "credits", "RefundReceipt": "refunds", "JournalEntry": "cogs",
                "Payment": "payments"}


def _kind_of_entity(entity: Any) -> str:
    return _ENTITY_KIND.get(str(entity), "sales")


#: footer keys left out on the Summaries tab (nothing there to fix, re-sync or select; they still work, and are in help)
SUMMARIES_UNSHOWN = frozenset({"fix", "resync", "select_toggle"})


def summary_bindings(bindings: dict) -> dict:
    """The footer's keys on the Summaries tab: its own (w) in room of those that do nothing there (80 columns)."""
    for key, active in list(bindings.items()):
        if active.binding.id in SUMMARIES_UNSHOWN and active.binding.show:
            bindings[key] = active._replace(binding=dataclasses.replace(active.binding, show=False))
    return bindings


class SummaryTextScreen(ModalScreen[None]):
    """What a full sync would post of one summary, as ``qbtui sync --dry-run`` prints it: its payload and the
    documents behind each of its lines (j / k scroll, esc or q closes)."""

    DEFAULT_CSS = MODAL_CSS.format(name="SummaryTextScreen") + """
    SummaryTextScreen > Vertical { width: 110; }
    SummaryTextScreen VerticalScroll { height: auto; max-height: 30; overflow-x: auto; }
    SummaryTextScreen #summary-text { width: auto; }
    """
    BINDINGS = [Binding("q,escape", "close", "Close", id="summary_text_close"),
                Binding("j,down", "scroll(0, 1)", "Down", show=False), Binding("k,up", "scroll(0, -1)", "Up", show=False),
                Binding("l,right", "scroll(8, 0)", "Right", show=False),
                Binding("h,left", "scroll(-8, 0)", "Left", show=False)]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield Static(Text(shown("\n".join(self.lines)), no_wrap=True), id="summary-text")
            yield Static("j k h l scroll  esc close", classes="dim")

    def action_scroll(self, x: int, y: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(x=x, y=y, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)


def planned_rows(items: list[dict[str, Any]]) -> list[Row]:
    """The summaries a full sync would post (``Backend.planned_summaries``): DUE (its period's grace has passed) or
    WAITING, with the dry run's text of each (enter shows it)."""
    rows = []
    for s in items:
        key = s.get("key") or {}
        extra = {"correction": int(key.get("correction") or 0), "count": int(s.get("count") or 0),
                 "currency": str(key.get("currency") or ""), "entity": str(s.get("entity") or ""),
                 "base": str(key.get("ref") or ""), "documents": [], "run": None, "planned": True,
                 "text": list(s.get("text") or ()), "problem": s.get("problem")}
        row = Row("summary", str(key.get("ref") or ""), str(key.get("period") or ""), str(key.get("channel") or ""),
                  _decimal(s.get("total")), "due" if s.get("due") else "waiting", "", family=str(key.get("kind")),
                  extra=extra)
        row.search = f"{row.ref}\t{row.party}\t{row.date}".lower()
        rows.append(row)
    return rows


class Held(Sequence):
    """The documents a summary holds, as the document tabs show them: a row read from the store when first drawn
    (a monthly summary may hold 100,000 documents; only the rows on screen are read)."""

    def __init__(self, model: Any, keys: list[tuple[str, str]]) -> None:
        self.model, self.keys_ = model, keys
        self.made: dict[int, Row] = {}

    def __len__(self) -> int:
        return len(self.keys_)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self.keys_)))]
        if i < 0:
            i += len(self.keys_)
        key = self.keys_[i]
        row = self.model.by_key.get(key) or self.made.get(i)
        if row is None:
            row = self.model.fetch_row(key) or Row(key[0], key[1], "", "", None, "summarized", "")
            if len(self.made) > 2000:
                self.made.clear()
            self.made[i] = row
        return row

    def position(self, key: tuple[str, str]) -> int | None:
        return next((i for i, k in enumerate(self.keys_) if k == key), None)

    def keys(self) -> list[tuple[str, str]]:
        return list(self.keys_)


class SummaryView:
    """The dashboard's Summaries tab (a mixin of :class:`qbtui.tui.dashboard.Dashboard`)."""

    summary_rows_: list[Row] | None = None
    #: what a full sync would post (w: its dry run), shown after the summaries posted
    planned_rows_: list[Row] | None = None
    #: the summary whose documents are shown (``enter``), None: the list of summaries
    drill: Row | None = None

    # ------------------------------------------------------------------ reading
    @work(group="summaries", exclusive=True, exit_on_error=False)
    async def load_summaries(self) -> None:
        """Read the summaries (in a thread, through the Backend), then show them if their tab is up."""
        dash: Any = self
        try:
            items = await asyncio.to_thread(dash.backend.summaries)
        except (CacheError, OSError) as exc:
            dash.notify(f"Could not read the summaries: {exc}", title="Summaries", severity="warning", timeout=8)
            return
        self.summary_rows_ = summary_rows(items)
        self.planned_rows_ = None  # read before this (a sync may have posted them): w reads them again
        if self.drill is not None:  # the summary shown may have changed (a correction, an undo)
            self.drill = next((r for r in self.summary_rows_ if r.ref == self.drill.ref), None)
        if dash.is_attached:
            if dash.tab.kind == "summaries":
                current = dash.table.current_row
                dash.show(cursor_key=current.key if current else None)
            else:
                dash.render_tabs()

    def summaries_used(self) -> bool:
        """Does this profile summarize (a channel in daily or monthly mode), or hold a summary? (the tab shows)"""
        dash: Any = self
        if self.summary_rows_:
            return True
        return any(k.startswith("channel.") and k.endswith("_sync") and v in SUMMARY_TYPES
                   for k, v in dash.settings.items())  # channel.NAME.invoice_sync daily, as stored

    # ------------------------------------------------------------------ the view
    def summary_view(self, key: str, query: str) -> tuple[Sequence[Row], tuple[Column, ...], str]:
        """(rows, columns, text when empty) of the Summaries tab: the summaries of the sub-tab's kind (a
        correction after the posting it corrects), or, drilled into one, its documents."""
        dash: Any = self
        if self.drill is not None:
            return Held(dash.model, list(_extra(self.drill).get("documents") or ())), HELD_COLUMNS, \
                "This summary holds no documents now."
        if self.summary_rows_ is None:
            return [], SUMMARY_COLUMNS, "Loading..."
        rows = [r for r in self.summary_rows_ if key == "all" or r.family == key]
        planned = [r for r in self.planned_rows_ or () if key == "all" or r.family == key]
        if query:
            words = query.lower().split()
            rows = [r for r in rows if all(w in r.search for w in words)]
            planned = [r for r in planned if all(w in r.search for w in words)]
        rows.sort(key=lambda r: (r.party, r.date, _extra(r)["base"], _extra(r)["correction"]))
        rows += planned  # after the posted ones: what a full sync would post (w)
        empty = "No summaries match." if query else (
            "No summaries posted yet: a channel in daily or monthly mode (channel.NAME.invoice_sync) posts its "
            "periods once their grace has passed; qbtui sync --dry-run lists those a sync would post.")
        return rows, SUMMARY_COLUMNS, empty

    def summary_info(self, rows: Sequence[Row]) -> list[str]:
        """The info line's parts on the Summaries tab: the totals of the summaries posted shown, per kind (sales and
        payments side by side), and how many a sync would post (w); or, drilled into a summary, what it holds."""
        if self.drill is not None:
            s = self.drill
            return [f"In {s.ref}: {_documents(len(rows))}, {_amount(s)}", "esc: back"]
        planned = sum(1 for r in rows if _extra(r).get("planned"))
        rows = [r for r in rows if not _extra(r).get("planned")]  # the totals are of what QuickBooks holds
        per_kind: dict[str, list[Row]] = {}
        for r in rows:
            per_kind.setdefault(r.family, []).append(r)
        currencies = {_extra(r)["currency"] for r in rows}
        one = len(currencies) == 1  # one currency: named once, at the end (80 columns)
        sums = "; ".join(f"{SUMMARY_LABELS.get(kind, (kind, kind))[1]} " + ", ".join(
            f"{currency + ' ' if currency and not one else ''}{amount:,.2f}"
            for currency, (_, amount) in sorted(totals_of((_extra(r)["currency"], r.total) for r in kind_rows).items()))
            for kind, kind_rows in per_kind.items())
        head = f"{len(rows):,} summar{'y' if len(rows) == 1 else 'ies'}" + (
            f" (+{planned:,} a sync would post)" if planned else "") + \
            f", {_documents(sum(int(_extra(r)['count']) for r in rows))}"
        tail = f" ({next(iter(currencies))})" if one and next(iter(currencies)) else ""
        return [head + (f": {sums}{tail}" if sums else "")]

    def summary_detail(self, row: Row | None) -> Text:
        """The detail box of the Summaries tab: the summary under the cursor (or drilled into), its QBO document,
        its documents and total, and its corrections (or the posting it corrects)."""
        s = self.drill or row
        text = Text()
        if s is None or s.type != "summary":
            return text
        e = _extra(s)
        if e.get("planned"):
            text.append(s.ref, style="bold")
            text.append(f"  {STATUS_WORDS.get(s.status, s.status.upper())}", style="bold")
            text.append("  would be posted by the next full sync (S)" if s.status == "due" else
                        "  waits for its period's grace (summary.grace)")
            text.append(f"\n{e['entity']} of {_documents(e['count'])}, total {_amount(s)}")
            if e.get("problem"):
                text.append(f"\ncannot be posted: {e['problem']}")
            text.append("\nenter: its payload and the documents behind each line", style="dim")
            return text
        text.append(s.ref, style="bold")
        text.append(f"  {STATUS_WORDS.get(s.status, s.status.upper())}", style="bold")
        entity = e.get("entity") or "QuickBooks document"
        text.append(f"  {entity} " + (f"QBO Id {s.qbo_id}" if s.qbo_id else "(no QBO Id yet: the next sync looks "
                                                                             "it up before sending it again)"))
        text.append(f"\n{_documents(e['count'])}, total {_amount(s)}" + (f", posted by run {e['run']}"
                                                                           if e.get("run") else ""))
        text.append("\n" + self.corrections_text(s))
        if self.drill is None:
            text.append("\nenter: its documents", style="dim")
        return text

    def corrections_text(self, row: Row) -> str:
        """``Corrections: C1 (1 document, 12.50)`` or ``Correction C1 of SI-...``."""
        e = _extra(row)
        if e["correction"]:
            return f"Correction {correction_text(e['correction'])} of {e['base']} (documents that came after it)"
        same = sorted((r for r in self.summary_rows_ or () if _extra(r)["base"] == e["base"]
                       and _extra(r)["correction"]), key=lambda r: _extra(r)["correction"])
        if not same:
            return "No corrections"
        return "Corrections: " + ", ".join(f"{correction_text(_extra(r)['correction'])} "
                                           f"({_documents(_extra(r)['count'])}, {money(r.total)})" for r in same)

    # ------------------------------------------------------------------ keys
    def action_summaries_planned(self) -> None:
        """``w`` on the Summaries tab: what a full sync would post, read by a child (its dry run), listed after the
        summaries posted as DUE or WAITING; enter on one shows its payload and the documents behind its lines."""
        dash: Any = self
        dash.notify("Reading what a full sync would post (qbtui sync --dry-run --summaries)...", timeout=4)
        self.read_planned()

    @work(group="summaries-planned", exclusive=True, exit_on_error=False)
    async def read_planned(self) -> None:
        dash: Any = self
        try:
            items = await dash.backend.planned_summaries()
        except BackendError as exc:
            dash.notify(str(exc), title="Could not read what a sync would post", severity="error", timeout=10)
            return
        self.planned_rows_ = planned_rows(items)
        due = sum(1 for r in self.planned_rows_ if r.status == "due")
        dash.notify(f"A full sync (S) would post {due:,} summar{'y' if due == 1 else 'ies'} now; "
                    f"{len(self.planned_rows_) - due:,} wait for their period's grace (summary.grace).", timeout=8)
        if dash.is_attached and dash.tab.kind == "summaries":
            current = dash.table.current_row
            dash.show(cursor_key=current.key if current else None)

    def confirm_full_sync(self, keys: list[tuple[str, str]]) -> None:
        """``S`` on a profile that summarizes: a full ``qbtui sync`` (what waits on every tab, then the summaries
        whose period's grace has passed: only a full sync posts them), after a confirm."""
        dash: Any = self
        why = dash.disabled_why("sync_everything") if hasattr(dash, "disabled_why") else None
        if why or dash.busy:  # read-only, or a run goes
            dash.notify(why or "A sync is already running (an upload or the autosync).", severity="warning", timeout=8)
            return
        message = (f"Sync every tab: {len(keys):,} document{'s' if len(keys) != 1 else ''} waiting, then the "
                   f"summaries of summarized channels whose period's grace has passed, to "
                   f"{dash.company or 'QuickBooks'}?")
        note = ("What they depend on goes first. Each due summary is posted once, its documents then show SUMMARIZED "
                "(qbtui sync --dry-run lists the summaries a sync would post).")

        def done(ok: bool | None) -> None:
            if ok:
                dash.start_upload(keys, full=True)

        dash.app.push_screen(ConfirmScreen(message, note), done)

    def summary_enter(self) -> bool:
        """``enter`` on a summary: its documents (True when it acted)."""
        dash: Any = self
        row = dash.table.current_row
        if dash.tab.kind != "summaries" or self.drill is not None or row is None or row.type != "summary":
            return False
        if _extra(row).get("planned"):  # not posted yet: what the dry run would send
            dash.app.push_screen(SummaryTextScreen(_extra(row)["text"]))
            return True
        self.drill = row
        dash.show()
        return True

    def summary_back(self) -> bool:
        """``esc`` / ``q`` in a summary's documents: back to the summaries, the cursor on it (True when it acted)."""
        dash: Any = self
        if self.drill is None or dash.tab.kind != "summaries":
            return False
        row, self.drill = self.drill, None
        dash.show(cursor_key=row.key)
        return True


def _documents(n: int) -> str:
    return f"{n:,} document{'' if n == 1 else 's'}"


def _amount(row: Row) -> str:
    currency = _extra(row).get("currency") or ""
    return f"{money(row.total) or '?'}{' ' + currency if currency else ''}"


def summary_line(row: Row) -> str | None:
    """The info line of a document tab's row that summaries hold: which, with their QBO Ids."""
    found = (row.extra or {}).get("summaries")
    if not found:
        return None
    what = "in" if row.status == "summarized" else "was in (changed since: a correction posts the change)"
    named = "; ".join(f"{s['ref']}" + (f" (QBO {s.get('entity') or ''} Id {s['id']})".replace("  ", " ")
                                       if s.get("id") else "") for s in found)
    return f"{row.ref} {STATUS_WORDS.get(row.status, row.status.upper())} {what} {named}  (7: Summaries)"
