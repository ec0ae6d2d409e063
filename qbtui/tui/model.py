"""The dashboard's data model: the cache loaded once into compact rows, plus filtered views.

Rows are sorted by (date, ref) per document type at load; a view (pending only or all, a
filter) is a list of indexes into that type's rows, computed once and memoised, so that a
key press never walks the documents: it works on the visible rows only.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qbtui.cache import Cache
from qbtui.cache.status import document_status
from qbtui.errors import FAULT_FAMILY
from qbtui.ledger.kinds import CONTACTS, KIND, KINDS, Kind
from qbtui.ledger.totals import document_total

from . import adapter
from .tabs import TYPE_SHORT

UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


def _sort_key(r: Row) -> tuple[str, str]:
    return (r.date, r.ref)
NOT_SYNCED = frozenset({"pending", "blocked", "failed"})
STATUS_WORDS = {s: s.upper() for s in ("pending", "blocked", "failed", "skipped", "synced", "voided")}



@dataclass(slots=True)
class Row:
    type: str
    ref: str
    date: str
    party: str
    total: Any  # Decimal | None, or UNSET until computed
    status: str
    qbo_id: str
    error: dict | None = None  # {"code", "message", "hint"}
    family: str = ""  # error family on the Errors tab
    search: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.ref)


def document_date(type_: str, data: dict) -> str:
    kind = KIND.get(type_)
    for name in kind.dates if kind is not None else ("date",):
        value = data.get(name)
        if value:
            return str(value)
    return ""




def error_family(code: str | None, message: str | None = "") -> str:
    """Errors are grouped by what fixes them: a date, a name or link, an amount, a mapping or
    setting, or the document it waits for. A gate's reason says its family itself (``family``, used
    first); this reads QuickBooks' fault codes (one table: qbtui.errors.FAULT_FAMILY) and, for an
    error recorded without a family (before gates carried one), guesses from its code and message."""
    c = str(code or "").lower()
    if c in FAULT_FAMILY:
        return FAULT_FAMILY[c]
    if c.startswith("dependency."):
        return "dependencies"
    problem = c.partition(".")[2] if "." in c else c
    area = c.partition(".")[0]
    if "date" in problem or "period" in problem:
        return "dates"
    if area in ("mapping", "company", "currency", "integration", "channel") or "export_off" in problem:
        return "mappings"
    if any(w in problem for w in ("total", "amount", "refund", "balance")):
        return "amounts"
    if any(w in problem for w in ("name", "unknown", "number", "link")) or area in ("contact", "reference"):
        return "names"
    text = (message or "").lower()
    if "date" in text or "period" in text:
        return "dates"
    if any(w in text for w in ("amount", "total", "refund")):
        return "amounts"
    if any(w in text for w in ("name", "customer", "supplier", "item", "vendor")):
        return "names"
    return "other"


def money(value: Any) -> str:
    if value is None:
        return ""
    if value is UNSET:
        return "..."
    return f"{value:,.2f}"


@dataclass(repr=False)
class Model:
    """Everything the dashboard shows, loaded once from a cache reader."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    by_key: dict[tuple[str, str], Row] = field(default_factory=dict)
    errors: list[Row] = field(default_factory=list)
    discrepancies: list[Row] = field(default_factory=list)
    load_seconds: float = 0.0
    _pending_data: dict[tuple[str, str], dict] = field(default_factory=dict)
    _rest: list[str] = field(default_factory=list)
    _loader: Any = None
    _views: dict[tuple, list[int]] = field(default_factory=dict)
    _cols: dict[int, tuple[list[str], list[str], list[str]]] = field(default_factory=dict)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, cache: Cache, *, totals: bool = True, first: Iterable[str] | None = None) -> Model:
        """Load documents into rows. With ``first``, only those types (and the contacts, for the
        names) are loaded now; :meth:`load_rest` loads the others (in a thread, after the first
        paint) and :meth:`merge` adds them. With ``totals=False`` the totals are left for
        :meth:`compute_totals`; :meth:`total_of` still answers meanwhile."""
        with _no_gc():
            t0 = time.perf_counter()
            self = cls()
            self._loader = _Loader(cache, totals)
            types = cache.types()
            if first is not None:
                wanted = set(first) | CONTACTS
                now = [t for t in types if t in wanted]
                self._rest = [t for t in types if t not in wanted]
            else:
                now, self._rest = types, []
            part = self._loader.build(now)
            self.merge(part)
            self.load_seconds = time.perf_counter() - t0
            return self

    @property
    def complete(self) -> bool:
        return not self._rest

    def load_rest(self) -> Model:
        """Rows of the types :meth:`load` left out (thread-safe: builds a separate part)."""
        with _no_gc():
            return self._loader.build(self._rest)

    def merge(self, part: Model) -> None:
        """Add a part built by :meth:`load_rest` (on the UI thread)."""
        self.rows.update(part.rows)
        self.by_key.update(part.by_key)
        self._pending_data.update(part._pending_data)
        self._rest = [t for t in self._rest if t not in part.rows]
        self._rebuild_errors()
        self.discrepancies = []
        for item in self._loader.discrepancies:
            row = self.by_key.get((item["type"], item["ref"]))
            if row is None:
                continue
            d = Row(row.type, row.ref, row.date, row.party, row.total, row.status, row.qbo_id,
                    {"code": item["kind"].upper(), "message": item["message"], "hint": item.get("hint", "")},
                    item["kind"], row.search)
            self.discrepancies.append(d)
        self.invalidate()

    @property
    def totals_ready(self) -> bool:
        return not self._pending_data

    def _total(self, row: Row) -> Decimal | None:
        if row.total is UNSET:
            data = self._pending_data.get((row.type, row.ref))
            row.total = document_total(row.type, data) if data is not None else None
        return row.total  # type: ignore[return-value]

    def compute_totals(self) -> None:
        """Fill in the totals left by ``load(totals=False)`` (run in a thread after first paint)."""
        pending = self._pending_data
        if not pending:
            return
        for key, data in list(pending.items()):
            row = self.by_key.get(key)
            if row is not None and row.total is UNSET:
                row.total = document_total(key[0], data)
        for d in self.discrepancies:
            d.total = self.by_key[(d.type, d.ref)].total
        self._pending_data = {}

    def replace_document(self, type_: str, ref: str, data: dict) -> None:
        """A document edited in place (the fix form): its row's date, counterparty and total follow; a
        renamed contact's name follows on the rows that show it. Statuses are the gates' to change."""
        row = self.by_key.get((type_, ref))
        if row is None:
            return
        old_party = row.party
        if type_ in CONTACTS:
            row.party = str(data.get("name") or "")
            if type_ != "product" and row.party != old_party:
                for rows in self.rows.values():
                    for r in rows:
                        if r.party == old_party and r.type not in CONTACTS:
                            r.party = row.party
                            r.search = f"{r.ref}\t{r.party}\t{r.qbo_id}".lower()
        else:
            kind = KIND[type_]
            field_ = next((f for f in kind.party if data.get(f)), None)
            contact = (kind.named_kind(field_), data[field_]) if field_ else (None, None)
            if contact[0] in CONTACTS:  # a counterparty through another document stays as it is
                named = self.by_key.get(contact)
                row.party = named.party if named is not None else str(contact[1])
        row.date = document_date(type_, data)
        row.total = document_total(type_, data)
        self._pending_data.pop((type_, ref), None)
        row.search = f"{row.ref}\t{row.party}\t{row.qbo_id}".lower()
        self.rows[type_].sort(key=_sort_key)
        self.invalidate()

    def apply_gates(self, gates: dict[tuple[str, str], tuple[str, list[dict]]]) -> None:
        """Overlay gate results (blocked / skipped, with reasons) on pending documents."""
        for key, (status, reasons) in gates.items():
            row = self.by_key.get(key)
            if row is None or row.status not in ("pending", "blocked"):
                continue
            if status in ("blocked", "skipped"):
                row.status = status
                if reasons:
                    r = reasons[0]
                    extra = f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
                    row.error = {"code": str(r.get("code") or ""), "message": (r.get("message") or "") + extra,
                                 "hint": r.get("hint") or "", "field": r.get("field") or "",
                                 "family": r.get("family") or "", "reasons": reasons}
            elif status in ("ready", "pending") and row.status == "blocked":
                row.status, row.error = "pending", None
        self._rebuild_errors()
        self.invalidate()

    def _rebuild_errors(self) -> None:
        errors = []
        for rows in self.rows.values():
            for r in rows:
                if r.status in ("blocked", "failed"):
                    if r.error is None:
                        r.error = {"code": "", "message": "", "hint": ""}
                    r.family = r.error.get("family") or error_family(r.error.get("code"), r.error.get("message"))
                    errors.append(r)
        errors.sort(key=lambda r: (r.date, r.type, r.ref))
        self.errors = errors

    # ------------------------------------------------------------------ views
    def base(self, kind: str, key: str) -> list[Row]:
        if kind == "documents":
            return self.rows.get(key, [])
        if kind == "errors":
            return self.errors
        return self.discrepancies

    def view(self, kind: str, key: str, pending_only: bool, query: str) -> list[int]:
        """Indexes into ``base(kind, key)`` for the sub-tab, toggle and filter (memoised)."""
        vkey = (kind, key, pending_only and kind == "documents", query.strip())
        cached = self._views.get(vkey)
        if cached is not None:
            return cached
        rows = self.base(kind, key)
        if vkey[3]:
            base = self.view(kind, key, pending_only, "")
            # a longer query narrows the previous one: filter its result instead of the tab
            for (k2, s2, p2, q2), prev in list(self._views.items())[::-1]:
                if (k2, s2, p2) == vkey[:3] and q2 and _narrows(q2, vkey[3]):
                    base = prev
                    break
            idx = filter_indexes(rows, base, vkey[3], self._columns(rows))
            self._views[vkey] = idx
            return idx
        if kind == "errors" and key != "all":
            idx = [i for i, r in enumerate(rows) if r.family == key]
        elif kind == "discrepancies" and key != "all":
            idx = [i for i, r in enumerate(rows) if r.family == key]
        elif vkey[2]:
            idx = [i for i, r in enumerate(rows) if r.status in NOT_SYNCED]
        else:
            idx = list(range(len(rows)))
        self._views[vkey] = idx
        return idx

    def _columns(self, rows: list[Row]) -> tuple[list[str], list[str], list[str]]:
        """(search text, status, date) per row of one base list, built once per list."""
        cols = self._cols.get(id(rows))
        if cols is None or len(cols[0]) != len(rows):
            cols = ([r.search for r in rows], [r.status for r in rows], [r.date for r in rows])
            self._cols[id(rows)] = cols
        return cols

    def invalidate(self) -> None:
        self._views.clear()
        self._cols.clear()

    def total_of(self, keys: Iterable[tuple[str, str]]) -> Decimal:
        total = Decimal(0)
        by_key = self.by_key
        for k in keys:
            r = by_key.get(k)
            if r is None:
                continue
            t = r.total if r.total is not UNSET else self._total(r)
            if t is not None:
                total += t
        return total

    def __repr__(self) -> str:
        return f"<Model {len(self.by_key)} documents>"

    def count(self) -> int:
        return len(self.by_key)


class _no_gc:
    """Hundreds of thousands of new objects: no collector passes meanwhile."""

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            gc.enable()


_PARTY_SOURCES = frozenset(target for k in KINDS for f in k.party
                           if (target := k.named_kind(f)) not in (None, *CONTACTS))
"""Kinds other documents take their counterparty from (a payment's invoice): loaded right after the contacts."""
_LOAD_RANK = {**dict.fromkeys(CONTACTS, 0), **dict.fromkeys(_PARTY_SOURCES, 1)}


class _Loader:
    """What loading needs across parts: link statuses, contact names, who an invoice is with."""

    def __init__(self, cache: Cache, totals: bool) -> None:
        self.cache, self.totals = cache, totals
        self.link_info: dict[tuple[str, str], tuple[Any, Any, bool, str, dict | None]] = {}
        for link in cache.links():
            qbo = link.get("qbo") or []
            ids = ",".join(str(q.get("id")) for q in qbo if q.get("id") is not None)
            ever = bool(qbo) or link.get("synced_rev") is not None
            self.link_info[(link["type"], link["ref"])] = (link.get("status"), link.get("synced_rev"), ever, ids,
                                                           link.get("error"))
        self.names: dict[tuple[str, str], str] = {}
        #: per document kind that others take their counterparty from: {ref: its contact's ref}
        self.party_refs: dict[str, dict[str, Any]] = {}
        self.discrepancies = adapter.discrepancies(cache)

    def _party_refs(self, type_: str, recs: list[dict] | None = None) -> dict[str, Any]:
        refs = self.party_refs.get(type_)
        if refs is None:
            field_ = KIND[type_].party[0]
            recs = list(self.cache.documents(type_)) if recs is None else recs
            refs = self.party_refs[type_] = {r["ref"]: r["data"].get(field_) for r in recs}
        return refs

    def _party_of(self, kind: Kind) -> Callable[[dict], str]:
        """The counterparty of a document of ``kind``: the first of its party fields that is set, a
        contact's name, or the contact of the document it names (a payment's invoice), else the text."""
        names = self.names
        ways: list[tuple[str, str | None, dict[str, Any] | None]] = []
        for field_ in kind.party:
            target = kind.named_kind(field_)
            if target is None or target in CONTACTS:
                ways.append((field_, target, None))
            else:  # through the document it names: that document's contact
                via = KIND[target]
                ways.append((field_, via.named_kind(via.party[0]), self._party_refs(target)))

        def party(d: dict) -> str:
            for field_, contact, refs in ways:
                value = d.get(field_)
                if not value:
                    continue
                if refs is not None:
                    ref = refs.get(value)
                    return names.get((contact, ref), str(ref or value))  # type: ignore[arg-type]
                return str(value) if contact is None else names.get((contact, value), str(value))
            return ""
        return party

    def build(self, types: list[str]) -> Model:
        # contacts and the invoices that payments/COGS point at go first (names, counterparties)
        part = Model()
        for type_ in sorted(types, key=lambda t: _LOAD_RANK.get(t, 2)):
            recs = list(self.cache.documents(type_))
            if type_ in CONTACTS:
                for rec in recs:
                    self.names[(type_, rec["ref"])] = str(rec["data"].get("name") or "")
            elif type_ in _PARTY_SOURCES:
                self.party_refs.pop(type_, None)
                self._party_refs(type_, recs)
            part.rows[type_] = self._rows(type_, recs, part._pending_data)
        for rows in part.rows.values():
            for r in rows:
                part.by_key[(r.type, r.ref)] = r
                r.search = f"{r.ref}\t{r.party}\t{r.qbo_id}".lower()
        return part

    def _rows(self, type_: str, recs: list[dict], pending_data: dict) -> list[Row]:
        # status from the links, as the cache defines it (see qbtui.cache): synced unless the
        # document changed since; voided; failed; skipped (voided before ever synced); pending.
        link_info, totals = self.link_info, self.totals
        kind = KIND.get(type_)
        party_of = self._party_of(kind) if kind is not None else (lambda d: "")
        rows: list[Row] = []
        append = rows.append
        for rec in recs:
            d = rec["data"]
            ref = rec["ref"]
            info = link_info.get((type_, ref))
            if info is None:
                status = document_status(None, None, False, rec["rev"], d.get("voided") is True)
                qbo_id, err = "", None
            else:
                st, synced_rev, ever, qbo_id, err = info
                status = document_status(st, synced_rev, ever, rec["rev"], d.get("voided") is True)
            row = Row(type_, ref, document_date(type_, d), party_of(d),
                      document_total(type_, d) if totals else UNSET, status, qbo_id)
            if not totals:
                pending_data[(type_, ref)] = d
            if status == "failed" and err:
                row.error = {"code": str(err.get("code") or ""), "message": err.get("message") or "",
                             "hint": err.get("hint") or ""}
            append(row)
        rows.sort(key=_sort_key)
        return rows


def parse_query(query: str) -> list[tuple[str, str]]:
    terms = []
    for tok in query.split():
        name, sep, value = tok.partition(":")
        if sep and name.lower() in ("status", "date", "type", "code") and value:
            terms.append((name.lower(), value.lower()))
        else:
            terms.append(("text", tok.lower()))
    return terms


def _narrows(previous: str, query: str) -> bool:
    """True when every row matching ``query`` also matches ``previous`` (typing on)."""
    p, q = parse_query(previous), parse_query(query)
    return len(q) >= len(p) and all(a[0] == b[0] and b[1].startswith(a[1]) if a[0] in ("text", "date", "status")
                                    else a == b for a, b in zip(p, q))


def filter_indexes(rows: list[Row], idx: list[int], query: str,
                   columns: tuple[list[str], list[str], list[str]] | None = None) -> list[int]:
    """``status:failed``, ``date:2026-11`` (prefix), ``type:cogs``, ``code:6210`` and free text
    (ref, counterparty, QBO Id), all terms must match."""
    search, status, dates = columns or ([r.search for r in rows], [r.status for r in rows],
                                        [r.date for r in rows])
    out = idx
    for name, value in parse_query(query):
        if name == "status":
            out = [i for i in out if status[i].startswith(value)]
        elif name == "date":
            out = [i for i in out if dates[i].startswith(value)]
        elif name == "type":
            out = [i for i in out if value in rows[i].type or value in TYPE_SHORT.get(rows[i].type, "").lower()]
        elif name == "code":
            out = [i for i in out if rows[i].error and str(rows[i].error.get("code", "")).lower().startswith(value)]
        else:
            out = [i for i in out if value in search[i]]
    return out
