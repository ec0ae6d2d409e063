"""The dashboard's data model: the rows of a view read from the store's indexes a page at a time, and the
work in hand (the documents not synced) held as rows.

A document tab's view (pending only or all, a filter) is a :class:`Paged` sequence: its length from the
store's counts, its rows a page at a time, sorted by date in SQL; so the first paint, paging and the ``p``
toggle cost the same at 1,000,000 documents as at 10,000. The documents pending or failed (what the gates
overlay, the Errors tab, uploads and fixes work on) are loaded as rows after the first paint, with their
totals; a pending view then filters them in memory. Views are memoised: a key press works on the visible rows.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qbtui.cache import STATUSES, Cache
from qbtui.errors import FAULT_FAMILY
from qbtui.ledger.kinds import CONTACTS, KIND
from qbtui.ledger.listing import (
    BALANCE_KINDS,
    BALANCES,
    DATA_FIELDS,
    FilterError,
    amount_matches,
    date_matches,
    split_terms,
)
from qbtui.ledger.totals import before_tax_note, document_total, tax_context

from . import adapter
from .tabs import TYPE_SHORT

UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


def _sort_key(r: Row) -> tuple[str, str]:
    return (r.date, r.ref)
NOT_SYNCED = frozenset({"pending", "blocked", "failed", "conflict"})
"""The documents not synced (a document tab's pending view, the rows in hand): ``conflict`` too, an update held back
until it is resolved on the Discrepancies tab."""
SENDABLE = NOT_SYNCED - {"conflict"}
"""What an upload sends: a conflict is resolved on the Discrepancies tab (o, t, s, d), never by a plain upload."""
STATUS_WORDS = {s: s.upper() for s in ("pending", "blocked", "failed", "conflict", "skipped", "synced", "summarized",
                                       "voided")}



@dataclass(slots=True)
class Row:
    type: str
    ref: str
    date: str
    party: str
    total: Any  # Decimal | None, or UNSET until computed
    status: str
    qbo_id: str
    error: dict | None = None  # {"code", "message", "hint"}, and a failure's "detail" (row_error)
    family: str = ""  # error family on the Errors tab
    search: str = ""
    #: the document's fields its kind's own columns show (qbtui.ledger.listing.DATA_FIELDS), its QBO balance
    extra: dict | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.ref)

    def index(self) -> None:
        """The text the filter finds it by (reference, counterparty, QBO Id, and why it is not synced: the message
        and QuickBooks' own detail, so that / closed finds the documents of a closed period), made again when one of
        them changes."""
        error = self.error or {}
        self.search = "\t".join((self.ref, self.party, self.qbo_id, str(error.get("message") or ""),
                                 str(error.get("detail") or ""))).lower()


def document_date(type_: str, data: dict) -> str:
    kind = KIND.get(type_)
    for name in kind.dates if kind is not None else ("date",):
        value = data.get(name)
        if value:
            return str(value)
    return ""


def row_error(err: dict[str, Any]) -> dict[str, str]:
    """A recorded (or just sent) error as a row carries it: its code, message and hint, and the detail, QuickBooks'
    own reason (qbtui.sync.events.detail_text says it), never None."""
    return {k: str(err.get(k) or "") for k in ("code", "message", "hint", "detail")}


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


#: how an amount in the home currency is written on the status line (a currency not named here: its code)
CURRENCY_SIGNS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "GBP": "£", "EUR": "€"}


def priced(value: Any, currency: str) -> str:
    """An amount of the home currency as the status line says it: $1,234.50, £1,234.50, CHF 1,234.50."""
    sign = CURRENCY_SIGNS.get(currency.upper(), f"{currency.upper()} ")
    return f"{sign}{money(value) or '0.00'}"


#: rows read from the store at a time (a 40-line window and its margin); pages kept per view
PAGE = 100
KEEP_PAGES = 64
#: a filtered view of at most this many documents is read whole and filtered in memory (see Model._paged)
FILTER_IN_MEMORY = 20_000


class _InHand(dict):
    """The rows in hand, by key: every document not synced (pending, failed, and blocked by the gates' overlay).
    ``model.by_key[key]`` of any other document reads it from the store (``get`` and ``in`` answer for the rows in
    hand only: what the gates, the uploads and the Errors tab work on)."""

    def __init__(self, model: Model) -> None:
        super().__init__()
        # not the model itself: a cycle (model -> rows -> model), which the dashboard's frozen collector would keep
        # for the app's life once a reload replaced the model
        self.model = weakref.proxy(model)

    def __missing__(self, key: tuple[str, str]) -> Row:
        row = self.model.fetch_row(key)
        if row is None:
            raise KeyError(key)
        return row


class Paged(Sequence):
    """One sorted, filtered view of a type, read from the store's indexes a page at a time: its length comes
    from ``count_rows`` (the counts table when unfiltered), a row from the page that holds it (read when first
    shown, from whichever end of the view is nearer, so that the last rows cost what the first do). A document
    in hand shows its row in hand (its gate overlay, what a sync or a fix changed since the store was read)."""

    def __init__(self, model: Model, type_: str, statuses: list[str] | None, text: str | None, *,
                 order: str = "date", descending: bool = False) -> None:
        self.model, self.type, self.statuses, self.text = model, type_, statuses, text or None
        self.order, self.descending = order, descending  # one of the store's indexed orders (Cache.rows)
        cache = model.cache
        self.n = 0 if cache is None or statuses == [] else cache.count_rows(type_, statuses, filter=self.text)
        self.pages: dict[int, list[Row]] = {}
        #: the terms of the filter not applied (a date over more rows than are filtered in memory)
        self.unapplied = ""

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        p = i // PAGE
        page = self.pages.get(p)
        if page is None:
            page = self._fetch(p)
        row = page[i - p * PAGE]
        return self.model.by_key.get(row.key, row)

    def _query(self, p: int) -> tuple[dict[str, Any], bool]:
        """Cache.rows' arguments for page ``p``, and whether it reads backwards: from the end when that is nearer
        (an offset costs the index entries it skips)."""
        a = p * PAGE
        b = min(self.n, a + PAGE)
        backwards = a > self.n - b
        return {"type": self.type, "status": self.statuses, "order": self.order,
                "descending": self.descending != backwards, "offset": self.n - b if backwards else a,
                "limit": b - a, "filter": self.text}, backwards

    def _fetch(self, p: int) -> list[Row]:
        cache = self.model.cache
        assert cache is not None
        query, backwards = self._query(p)
        recs = cache.rows(**query, data=True)
        if backwards:
            recs.reverse()
        page = [self.model.row_from(r) for r in recs]
        page += [Row(self.type, "", "", "", None, "pending", "")] * (query["limit"] - len(page))  # changed meanwhile
        if len(self.pages) >= KEEP_PAGES:
            self.pages.clear()
        self.pages[p] = page
        ahead = self.model.read_ahead
        if ahead is not None:  # the pages on either side, for the next PgDn / PgUp
            for q in (p + 1, p - 1):
                if 0 <= q * PAGE < self.n and q not in self.pages:
                    ahead.warm(self._query(q)[0])
        return page

    def position(self, key: tuple[str, str]) -> int | None:
        """Where ``key`` is, among the pages read so far (the rows on screen)."""
        for p, page in self.pages.items():
            for j, row in enumerate(page):
                if row.key == key:
                    return p * PAGE + j
        return None

    def keys(self) -> list[tuple[str, str]]:
        """Every key of the view (select all, upload all shown): through the (type, status) index."""
        cache = self.model.cache
        if not self.n or cache is None:
            return []
        if not self.text:
            return cache.keys_by_status(self.statuses or STATUSES, self.type)
        return [(self.type, r["ref"]) for r in cache.rows(self.type, self.statuses, limit=self.n,
                                                           filter=self.text)]

    def __iter__(self):
        for i in range(self.n):
            yield self[i]


class ReadAhead:
    """The pages a view is about to show, read once off the UI thread through a reader of its own, so that the
    system has them in memory when the view reads them: on a store of a million documents a page not read before
    comes from the disk (12-15 ms) and one in memory costs 1-2 ms. One thread; what it reads is dropped
    (Cache.warm_rows: no row is built), and a page asked for again is not read again."""

    def __init__(self, open_reader: Callable[[], Cache]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._open = open_reader
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qbtui-read-ahead")
        self._asked: set[tuple] = set()

    def warm(self, query: dict[str, Any]) -> None:
        key = tuple(tuple(v) if isinstance(v, list) else v for v in query.values())
        if key in self._asked:
            return
        if len(self._asked) >= 4 * KEEP_PAGES:
            self._asked.clear()
        self._asked.add(key)
        self._pool.submit(self._read, query)

    def _read(self, query: dict[str, Any]) -> None:
        import sqlite3

        from qbtui.cache import CacheError

        try:
            with self._open() as cache:
                cache.warm_rows(**query)
        except (CacheError, OSError, sqlite3.Error):
            pass  # only a read ahead: the view reads what it shows itself

    def close(self, wait: bool = False) -> None:
        """Nothing more read ahead (with ``wait``: after what was asked for is read)."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


class Listed(Sequence):
    """A view of a few statuses of a type (the pending view before the rows in hand are loaded, ``status:voided``):
    its keys, dates and statuses read at once through the (type, status) index and sorted by (date, ref) here,
    as the rows in hand are; a row's document read when it is first shown. Sorting by date in SQL would walk
    the date index past every synced document to find the few pending ones."""

    def __init__(self, model: Model, type_: str, statuses: list[str], text: str | None = None) -> None:
        self.model, self.type = model, type_
        cache = model.cache
        recs = cache.rows(type_, statuses, order="status", limit=FILTER_IN_MEMORY + 1, filter=text or None) \
            if cache is not None and statuses else []
        recs.sort(key=lambda r: (r["date"] or "", r["ref"]))
        for r in recs:  # up to 20,000 kept: a row's link is read when it is first shown
            del r["link"]
        self.recs = recs
        self.made: dict[int, Row] = {}

    def __len__(self) -> int:
        return len(self.recs)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self.recs)))]
        rec = self.recs[i]
        key = (self.type, rec["ref"])
        held = self.model.by_key.get(key)
        if held is not None:
            return held
        row = self.made.get(i)
        if row is None:
            found = self.model._read(self.model.cache.get, *key)
            row = self.model.row_from({**rec, "data": found["data"] if found else {}})
            if len(self.made) >= KEEP_PAGES * PAGE:
                self.made.clear()
            self.made[i % len(self.recs)] = row
        return row

    def position(self, key: tuple[str, str]) -> int | None:
        return next((i for i, r in enumerate(self.recs) if (self.type, r["ref"]) == key), None)

    def keys(self) -> list[tuple[str, str]]:
        return [(self.type, r["ref"]) for r in self.recs]

    def __iter__(self):
        for i in range(len(self.recs)):
            yield self[i]


class Shown(list):
    """A view held in memory (the rows in hand, the Errors and Discrepancies tabs): a list of rows."""

    def position(self, key: tuple[str, str]) -> int | None:
        for i, row in enumerate(self):
            if row.key == key:
                return i
        return None

    def keys(self) -> list[tuple[str, str]]:
        """The rows' keys, listed once (a view is made anew, never changed, when its rows change)."""
        keys = self.__dict__.get("_keys")
        if keys is None or len(keys) != len(self):
            keys = self._keys = [r.key for r in self]
        return keys


@dataclass(repr=False)
class Model:
    """Everything the dashboard shows, read from a cache reader that it keeps open: the rows of a document tab
    come from the store's indexes a page at a time (:class:`Paged`); the documents not synced (the work in hand:
    pending, failed, blocked) are held as rows, with their totals, the gates' overlay and the Errors tab."""

    cache: Cache | None = None
    by_key: dict[tuple[str, str], Row] = field(default_factory=dict)
    #: the rows in hand per type, sorted by (date, ref)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    errors: list[Row] = field(default_factory=list)
    discrepancies: list[Row] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    load_seconds: float = 0.0
    complete: bool = False
    _views: dict[tuple, Sequence[Row]] = field(default_factory=dict)
    #: raised whenever a row or a view may have changed (:meth:`invalidate`)
    revision: int = 0
    _names: dict[tuple[str, str], str] = field(default_factory=dict)
    _party_refs: dict[tuple[str, str], Any] = field(default_factory=dict)
    _totals: dict[tuple[str, str], Decimal | None] = field(default_factory=dict)
    #: the company's tax context (ledger.totals.tax_context), read once per model; UNSET until first needed
    _tax: Any = UNSET
    _full: dict[tuple, list[Row]] = field(default_factory=dict)
    _lock: Any = field(default_factory=threading.RLock)
    _balances: dict | None = None
    #: reads the pages beside the ones a view reads, off the UI thread (the dashboard's; None: no read-ahead)
    read_ahead: ReadAhead | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.by_key, _InHand):
            self.by_key = _InHand(self)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, cache: Cache, *, totals: bool = True, first: Iterable[str] | None = None,
             read_ahead: ReadAhead | None = None) -> Model:
        """A model over ``cache`` (kept open: the model reads its pages from it; :meth:`close` closes it). With
        ``first``, the rows in hand are left for :meth:`load_rest` (in a thread, after the first paint: the
        first page is read from the store meanwhile) and :meth:`merge`. ``totals`` is kept for callers: a row's
        total is computed with the row."""
        t0 = time.perf_counter()
        self = cls(cache=cache, read_ahead=read_ahead)
        self.counts = cache.status_counts()
        if first is None:
            self.merge(self.load_rest())
        self.load_seconds = time.perf_counter() - t0
        return self

    def close(self) -> None:
        """The reader closed and the views let go (a view holds its model: a cycle, which the dashboard's frozen
        collector would keep for the app's life after a reload)."""
        if self.cache is not None:
            self.cache.close()
        self.invalidate()

    def load_rest(self) -> Model:
        """The rows in hand (documents pending or failed), with the Discrepancies tab (thread-safe: a part)."""
        with _no_gc():
            part = Model(cache=self.cache, _names=self._names, _party_refs=self._party_refs, _lock=self._lock,
                         _tax=self.tax())
            cache = self.cache
            assert cache is not None
            recs = list(cache.documents_with_status(["pending", "failed", "conflict"], with_links=True))
            for rec in recs:
                type_, ref, d = rec["type"], rec["ref"], rec["data"]
                link = rec.get("link") or {}
                row = Row(type_, ref, document_date(type_, d), self.party(type_, d), self.total(type_, d),
                          rec["status"], _qbo_ids(link))
                row.extra = _with_summary(self.extra_of(type_, ref, d), link)
                err = link.get("error")
                if rec["status"] == "failed" and err:
                    row.error = row_error(err)
                row.index()
                part.by_key[row.key] = row
                part.rows.setdefault(type_, []).append(row)
            for rows in part.rows.values():
                rows.sort(key=_sort_key)
            part.discrepancies = []
            for item in adapter.discrepancies(cache):
                key = (item["type"], item["ref"])
                row = part.by_key.get(key) or part.fetch_row(key)
                if row is None:
                    continue
                part.discrepancies.append(
                    Row(row.type, row.ref, row.date, row.party, row.total, row.status, row.qbo_id,
                        {"code": item["kind"].upper(), "message": item["message"], "hint": item.get("hint", "")},
                        item["kind"], row.search))
            return part

    def merge(self, part: Model) -> None:
        """Add the part :meth:`load_rest` built (on the UI thread)."""
        self.by_key.update(part.by_key)
        self.rows.update(part.rows)
        self.discrepancies = part.discrepancies
        self.complete = True
        self._rebuild_errors()
        self.invalidate()

    @property
    def totals_ready(self) -> bool:
        return True

    def compute_totals(self) -> None:
        """Totals are computed with each row (kept for callers)."""

    def tax(self) -> Any:
        """The company's tax context (QBO's tax codes and rates as pulled, the mapping, the region), read from the
        cache once per model: a reload reads it again (after a pull or a change of mapping)."""
        if self._tax is UNSET:
            with self._lock:
                if self._tax is UNSET:
                    self._tax = tax_context(self.cache) if self.cache is not None else None
        return self._tax

    def total(self, type_: str, d: dict) -> Decimal | None:
        """A document's total as QuickBooks will show it (tax included where the ledger can foresee it)."""
        return document_total(type_, d, self.tax())

    def totals_note(self, type_: str) -> str:
        """Said beside the totals of ``type_`` when they are before tax (QuickBooks adds it); else empty."""
        return before_tax_note(type_, self.tax())

    # ------------------------------------------------------------------ rows read from the store
    def _read(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self._lock:  # one statement at a time on the reader's connection (the UI thread and a loader)
            return fn(*args)

    def name(self, type_: str, ref: Any) -> str:
        """A contact's name (read once, then remembered), or the reference when there is no such contact."""
        key = (type_, ref)
        found = self._names.get(key)
        if found is None:
            name = self._read(self.cache.party, type_, str(ref)) if self.cache is not None else None
            found = self._names[key] = name if name is not None else str(ref)
        return found

    def _party_ref(self, type_: str, ref: Any) -> Any:
        """The contact a document of ``type_`` is with (a payment's invoice's customer)."""
        key = (type_, ref)
        if key not in self._party_refs:
            party = self._read(self.cache.party, type_, str(ref)) if self.cache is not None else None
            self._party_refs[key] = party or None
        return self._party_refs[key]

    def extra_of(self, type_: str, ref: str, d: dict) -> dict | None:
        """What the kind's own columns show beyond the row's fields (None for the kinds without any)."""
        extra: dict | None = None
        fields = DATA_FIELDS.get(type_)
        if fields:
            extra = {f: d.get(f) for f in fields}
        elif type_ in BALANCE_KINDS:
            if self._balances is None:
                self._balances = (self._read(self.cache.reference, BALANCES, {}) if self.cache is not None
                                  else None) or {}
            balance = self._balances.get(f"{type_}:{ref}")
            if balance:
                extra = {"balance": balance.get("balance")}
        if d.get("currency"):  # the totals line counts per currency
            extra = {**(extra or {}), "currency": d["currency"]}
        return extra

    def party(self, type_: str, d: dict) -> str:
        """The counterparty of a document: the first of its party fields that is set, a contact's name, or the
        contact of the document it names (a payment's invoice), else the text."""
        kind = KIND.get(type_)
        if kind is None:
            return ""
        for field_ in kind.party:
            value = d.get(field_)
            if not value:
                continue
            target = kind.named_kind(field_)
            if target is None:
                return str(value)
            if target in CONTACTS:
                return self.name(target, value)
            via = KIND[target]
            ref = self._party_ref(target, value)
            contact = via.named_kind(via.party[0])
            return self.name(contact, ref) if ref and contact is not None else str(ref or value)
        return ""

    def row_from(self, r: dict[str, Any]) -> Row:
        """A row of a page of :meth:`Cache.rows` (``data=True``; its ``link`` read here when it has none)."""
        type_, ref, d = r["type"], r["ref"], r.get("data") or {}
        if "link" in r:
            link = r["link"]
        else:
            link = self._read(self.cache.link, type_, ref) if self.cache is not None and (
                r["status"] != "pending" or r.get("changed")) else None
        row = Row(type_, ref, document_date(type_, d), self.party(type_, d), self.total(type_, d), r["status"],
                  _qbo_ids(link or {}))
        row.extra = _with_summary(self.extra_of(type_, ref, d), link)
        err = r.get("error")
        if r["status"] == "failed" and err:
            row.error = row_error(err)
        row.index()
        return row

    def fetch_row(self, key: tuple[str, str]) -> Row | None:
        """The row of any document, read from the store (None when there is no such document)."""
        cache = self.cache
        if cache is None:
            return None
        rec = self._read(cache.get, *key)
        if rec is None:
            return None
        info = self._read(cache.status_info, *key)
        link = self._read(cache.link, *key)
        err = (link or {}).get("error")
        return self.row_from({"type": key[0], "ref": key[1], "status": info["status"], "changed": info["changed"],
                              "data": rec["data"], "error": err, "link": link})

    # ------------------------------------------------------------------ changes
    def replace_document(self, type_: str, ref: str, data: dict) -> None:
        """A document edited in place (the fix form): its row's date, counterparty and total follow; a
        renamed contact's name follows on the rows that show it. Statuses are the gates' to change."""
        row = self.by_key.get((type_, ref))
        if type_ in CONTACTS:
            old = self._names.get((type_, ref))
            name = self._names[(type_, ref)] = str(data.get("name") or "")
            if row is not None:
                old = row.party if old is None else old
                row.party = name
            if type_ != "product" and old is not None and name != old:
                for r in self.by_key.values():
                    if r.party == old and r.type not in CONTACTS:
                        r.party = name
                        r.index()
        elif row is not None:
            kind = KIND[type_]
            field_ = next((f for f in kind.party if data.get(f)), None)
            contact = kind.named_kind(field_) if field_ else None
            if contact in CONTACTS and field_:  # a counterparty through another document stays as it is
                row.party = self.name(contact, data[field_])
        if row is not None:
            row.date = document_date(type_, data)
            row.total = self.total(type_, data)
            row.index()
            self.rows.get(type_, []).sort(key=_sort_key)
        self._totals.pop((type_, ref), None)
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
            row.index()
        self._rebuild_errors()
        self.invalidate()

    def _rebuild_errors(self) -> None:
        errors = []
        for r in list(self.by_key.values()):
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

    def size(self, type_: str) -> int:
        """How many documents of a type there are (the counts table)."""
        return sum(self.counts.get(type_, {}).values())

    def view(self, kind: str, key: str, pending_only: bool, query: str) -> Sequence[Row]:
        """The rows of the sub-tab, toggle and filter (memoised): a :class:`Shown` list for what is held in hand
        (the Errors and Discrepancies tabs, a document tab's pending view once the rows in hand are loaded), a
        :class:`Paged` view of the store for the rest. ``position(key)`` and ``keys()`` answer on both."""
        vkey = (kind, key, pending_only and kind == "documents", query.strip())
        cached = self._views.get(vkey)
        if cached is not None:
            return cached
        terms = parse_query(vkey[3])
        if kind == "documents":
            statuses = [s for s in STATUSES if not vkey[2] or s in NOT_SYNCED]
            for name, value in terms:
                if name == "status":
                    statuses = [s for s in statuses if s.startswith(value)]
            in_hand = self.complete and (all(s in NOT_SYNCED for s in statuses) or any(
                name == "code" for name, _ in terms) or any(
                name == "status" and "blocked".startswith(value) for name, value in terms))
            if in_hand:
                rows = self.rows.get(key, [])
                idx = [i for i, r in enumerate(rows) if r.status in NOT_SYNCED] if vkey[2] else range(len(rows))
                if vkey[3]:
                    idx = filter_indexes(rows, list(idx), vkey[3])
                result: Sequence[Row] = Shown(rows[i] for i in idx)
            elif vkey[3]:
                result = self._paged(key, statuses, terms)
            elif len(statuses) < len(STATUSES) and sum(self.counts.get(key, {}).get(st, 0)
                                                       for st in statuses) <= FILTER_IN_MEMORY:
                result = Listed(self, key, statuses)
            else:
                result = Paged(self, key, statuses if len(statuses) < len(STATUSES) else None, None)
        else:
            rows = self.base(kind, key)
            idx = [i for i, r in enumerate(rows) if r.family == key] if key != "all" else list(range(len(rows)))
            if vkey[3]:
                idx = filter_indexes(rows, idx, vkey[3])
            result = Shown(rows[i] for i in idx)
        self._views[vkey] = result
        return result

    def _paged(self, type_: str, statuses: list[str], terms: list[tuple[str, str]]) -> Sequence[Row]:
        """A view of the store. Unfiltered (or by status), a :class:`Paged` view. Filtered, with up to
        :data:`FILTER_IN_MEMORY` documents in the statuses asked, every row is read once (then kept for the
        next keys typed) and filtered as the rows in hand are (the counterparty's name, the QBO Id, a date);
        above that, the first free-text term is matched in SQL against the reference and the stored
        counterparty (a contact's reference, not its name) and a date term filters what that matched."""
        if any(name == "type" and value not in type_ and value not in TYPE_SHORT.get(type_, "").lower()
               for name, value in terms):
            return Shown()
        wanted = statuses if len(statuses) < len(STATUSES) else None
        terms = [(n, v) for n, v in terms if n in ("text", "date", "amount")]
        if not terms:
            return Paged(self, type_, wanted, None)
        query = _joined(terms)
        if sum(self.counts.get(type_, {}).get(s, 0) for s in statuses) <= FILTER_IN_MEMORY:
            key = (type_, tuple(statuses))
            rows = self._full.get(key)
            if rows is None:
                cache = self.cache
                recs = cache.rows(type_, wanted, limit=FILTER_IN_MEMORY + 1, data=True) if cache else []
                rows = self._full[key] = [self.by_key.get((type_, r["ref"])) or self.row_from(r) for r in recs]
            return Shown(rows[i] for i in filter_indexes(rows, list(range(len(rows))), query))
        texts = [value for name, value in terms if name == "text"]
        paged = Paged(self, type_, wanted, texts[0] if texts else None)
        rest = [(n, v) for n, v in terms if n in ("date", "amount")] + [("text", v) for v in texts[1:]]
        if not rest or not len(paged):
            return paged
        if len(paged) > FILTER_IN_MEMORY:  # more rows than are filtered in memory: said on the info line
            paged.unapplied = _joined(rest)
            return paged
        rows = list(paged)
        query = _joined(rest)
        return Shown(rows[i] for i in filter_indexes(rows, list(range(len(rows))), query))

    def filter_scans(self, kind: str, key: str, pending_only: bool) -> bool:
        """True when a text filter on this view is a scan of the store (more than :data:`FILTER_IN_MEMORY` rows
        not in hand): the dashboard then filters on enter, not at each key typed."""
        if kind != "documents" or (pending_only and self.complete):
            return False
        statuses = [s for s in STATUSES if not pending_only or s in NOT_SYNCED]
        return sum(self.counts.get(key, {}).get(s, 0) for s in statuses) > FILTER_IN_MEMORY

    def invalidate(self) -> None:
        """The views are read again, and anything summed from the rows (the selection's total) summed again."""
        self._views.clear()
        self._full.clear()
        self.revision += 1

    def total_of(self, keys: Iterable[tuple[str, str]], *, read: bool = True) -> Decimal:
        """The sum of the documents' totals: those in hand and those seen on a page at once; any other is read
        from the store (with ``read=False``, left out: :meth:`missing_totals` names them)."""
        total = Decimal(0)
        by_key, seen = self.by_key, self._totals
        for k in keys:
            r = by_key.get(k)
            if r is not None:
                t = r.total
            elif k in seen:
                t = seen[k]
            elif read:
                t = self.total_from_store(k)
            else:
                continue
            if t is not None and t is not UNSET:
                total += t
        return total

    def missing_totals(self, keys: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        by_key, seen = self.by_key, self._totals
        return [k for k in keys if k not in by_key and k not in seen]

    def total_from_store(self, key: tuple[str, str]) -> Decimal | None:
        rec = self._read(self.cache.get, *key) if self.cache is not None else None
        t = self._totals[key] = self.total(key[0], rec["data"]) if rec is not None else None
        return t

    def remember_totals(self, rows: Iterable[Row]) -> None:
        for r in rows:
            if r.key not in self.by_key:
                self._totals[r.key] = r.total

    def __repr__(self) -> str:
        return f"<Model {self.count()} documents>"

    def count(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())


def warm_pages(cache: Cache, types: Iterable[str]) -> None:
    """Read the first and the last page of each type's view of every document once, through a reader of its own:
    on a store of a million documents the first visit of a tab otherwise waits for its pages to come from the disk
    (30-40 ms instead of 3), and the system keeps them for the reader the views read from."""
    for t in types:
        if cache.count_rows(t, None):
            for descending in (False, True):
                cache.warm_rows(t, None, order="date", descending=descending, limit=PAGE)


def _qbo_ids(link: dict) -> str:
    """The document's QBO Ids; a summarized document's, its summary's (the document it is posted in)."""
    ids = ",".join(str(q.get("id")) for q in link.get("qbo") or [] if q.get("id") is not None)
    if not ids and link.get("status") == "summarized":
        ids = ",".join(dict.fromkeys(s["id"] for s in summaries_of(link) if s.get("id")))
    return ids


def summaries_of(link: dict | None) -> list[dict]:
    """The summaries a document's link says it is in (qbtui.sync.summaries marks them): [{"ref", "id", "entity"}],
    one per summary (a credit note's memo part and its refunds are in two); [] for a document sent on its own."""
    mark = (link or {}).get("summary") or {}
    parts = [r for r in mark.get("parts") or () if r.get("summary")]
    if parts:
        found = {str(r["summary"]): {"ref": str(r["summary"]), "id": r.get("id") or mark.get("id"),
                                     "entity": r.get("entity")} for r in parts}
        return list(found.values())
    return [{"ref": str(mark["ref"]), "id": mark.get("id"), "entity": mark.get("entity")}] if mark.get("ref") else []


def _with_summary(extra: dict | None, link: dict | None) -> dict | None:
    """A row's extra with the summaries its document is in (the info line names them)."""
    found = summaries_of(link)
    return {**(extra or {}), "summaries": found} if found else extra


class _no_gc:
    """Thousands of new objects: no collector passes meanwhile."""

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            gc.enable()


def parse_query(query: str) -> list[tuple[str, str]]:
    """The filter's terms (qbtui.ledger.listing: words, "quoted phrases", ``amount:>100``, ``date:A..B``)."""
    terms = []
    for tok in split_terms(query):
        name, sep, value = tok.partition(":")
        if sep and name.lower() in ("status", "date", "type", "code", "amount") and value:
            terms.append((name.lower(), value.lower()))
        else:
            terms.append(("text", tok.lower()))
    return terms


def _joined(terms: list[tuple[str, str]]) -> str:
    """Terms back as a query (a phrase quoted again)."""
    return " ".join(f"{n}:{v}" if n != "text" else (f'"{v}"' if " " in v else v) for n, v in terms)


def _narrows(previous: str, query: str) -> bool:
    """True when every row matching ``query`` also matches ``previous`` (typing on)."""
    p, q = parse_query(previous), parse_query(query)
    return len(q) >= len(p) and all(a[0] == b[0] and b[1].startswith(a[1]) if a[0] in ("text", "status") or (
        a[0] == "date" and ".." not in a[1] + b[1]) else a == b for a, b in zip(p, q))


def filter_indexes(rows: list[Row], idx: list[int], query: str,
                   columns: tuple[list[str], list[str], list[str]] | None = None) -> list[int]:
    """``status:failed``, ``date:2026-11`` (prefix) or ``date:2026-11-01..2026-11-15``, ``amount:>100``,
    ``type:cogs``, ``code:6210`` and free text or "a phrase" (ref, counterparty, QBO Id), all terms must match."""
    search, status, dates = columns or ([r.search for r in rows], [r.status for r in rows],
                                        [r.date for r in rows])
    out = idx
    for name, value in parse_query(query):
        if name == "status":
            out = [i for i in out if status[i].startswith(value)]
        elif name == "date":
            out = [i for i in out if date_matches(dates[i], value)]
        elif name == "amount":
            try:
                out = [i for i in out if amount_matches(rows[i].total, value)]
            except FilterError:  # not a number (yet, while typed): nothing matches
                out = []
        elif name == "type":
            out = [i for i in out if value in rows[i].type or value in TYPE_SHORT.get(rows[i].type, "").lower()]
        elif name == "code":
            out = [i for i in out if rows[i].error and str(rows[i].error.get("code", "")).lower().startswith(value)]
        else:
            out = [i for i in out if value in search[i]]
    return out
