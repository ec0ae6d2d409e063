"""Planning over the cache, without side effects: which pending documents would be sent, in
which order (dependencies first), with which payloads, and which are blocked or skipped and why.

``plan`` is what ``qbtui sync --dry-run`` prints (``dry_run_json`` / ``render_dry_run``);
``gate_statuses`` is the overlay of ``qbtui status`` and ``qbtui errors`` (no payloads), which they read from the
results kept in the store (``qbtui.sync.gatestore``, computing again only what changed: ``evaluate_gates``)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.build import DATE_FIELD, build
from qbtui.ledger.context import Ledger, Prefs
from qbtui.ledger.gates import (
    DEPENDENCIES,
    LABEL,
    NAMES,
    GateContext,
    Reason,
    check,
    counted_name,
    name_key,
    numbers_out_of_range,
    range_reason,
    skip_reason,
)
from qbtui.ledger.kinds import CONTACTS, KIND, LINES, PRIMARY_ENTITY, TYPE_ORDER, dependencies
from qbtui.ledger.payload import Payload
from qbtui.ledger.resolver import LookupResolver, Resolver
from qbtui.settings import Settings

_RANK = {t: i for i, t in enumerate(TYPE_ORDER)}
PLANNED_STATUSES = ("pending", "failed")
#: why a document of origin quickbooks (brought in by qbtui pull) is never sent: it came from QBO
FROM_QUICKBOOKS = Reason("origin.quickbooks", "It was made in QuickBooks and brought in by qbtui pull: it is never "
                         "sent back.", "Nothing to do: qbtui export writes it for the inventory side")
DELETE_ONLY = {"JournalEntry", "Bill", "CreditMemo", "RefundReceipt", "VendorCredit", "Estimate", "PurchaseOrder"}
VOIDABLE = {"Invoice", "Payment", "BillPayment", "SalesReceipt"}


@dataclass
class PlannedDocument:
    type: str
    ref: str
    status: str  # ready | blocked | skipped
    reasons: list[Reason] = field(default_factory=list)
    payloads: list[Payload] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "ref": self.ref, "status": self.status,
                "reasons": [r.to_json() for r in self.reasons], "payloads": [p.to_json() for p in self.payloads]}


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic GC while building many small dicts that all stay alive (halves the time at
    100k documents); the plan creates no reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- reading the cache once -------------------------------------------------------------

@dataclass
class Snapshot:
    docs: dict[tuple[str, str], dict[str, Any]]
    status: dict[tuple[str, str], dict[str, Any]]  # status_info of every document
    links: dict[tuple[str, str], dict[str, Any]]
    settings: Settings
    prefs: Prefs
    reference: dict[str, Any]
    #: the gates' name counts (products, contacts) when ``docs`` does not hold every contact and product
    names: tuple[Mapping[str, int], Mapping[str, int]] | None = None

    def hold(self, key: tuple[str, str], data: dict[str, Any], info: dict[str, Any], link: Any) -> None:
        """A document read up front, with its status and its link (a snapshot of read-on-demand maps
        (:func:`gate_snapshot`) remembers a document without a link as such, so that it is not asked again)."""
        self.docs[key], self.status[key] = data, info
        if link is not None:
            self.links[key] = link
        elif isinstance(self.links, _OnDemand):
            self.links.absent.add(key)


def snapshot(cache: Cache) -> Snapshot:
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    status: dict[tuple[str, str], dict[str, Any]] = {}
    links: dict[tuple[str, str], dict[str, Any]] = {}
    for rec, info, link in cache.documents_and_links():  # one pass over the store, not a query per document
        data = rec["data"]
        key = (data.get("type") or rec.get("type"), rec["ref"])
        docs[key] = data
        status[key] = info
        if link is not None:
            links[key] = link
    return Snapshot(docs, status, links, *_state(cache))


def _state(cache: Cache) -> tuple[Settings, Prefs, dict[str, Any]]:
    """A snapshot's settings, QBO preferences and reference data."""
    reference = {k: cache.reference(k, None) for k in
                 ("accounts", "tax_codes", "tax_rates", "terms", "classes", "departments", "preferences", "company_info",
                  "customers", "vendors", "items")}
    prefs = Prefs.from_qbo(reference["preferences"], reference["company_info"])
    return Settings.from_stored(cache.settings()), prefs, reference


class _OnDemand(dict):  # type: ignore[type-arg]
    """A snapshot's map that holds what was read up front and reads any other key from the cache when it is
    asked for (then keeps it). Iterating it gives what it holds: only what was read up front is iterated.
    ``reads``: when set, every key asked for (held or not) is added to it (what a gate result read)."""

    def __init__(self, read: Any) -> None:
        super().__init__()
        self._read = read
        self.reads: set[tuple[str, str]] | None = None
        #: keys known to have nothing (read once, or known up front): not read again (a pending document without a
        #: link is asked for its link by several checks of one plan: at 100,000 of them, 100,000 reads each)
        self.absent: set[tuple[str, str]] = set()

    def __getitem__(self, key: tuple[str, str]) -> Any:
        if self.reads is not None:
            self.reads.add(key)
        return super().__getitem__(key)

    def __missing__(self, key: tuple[str, str]) -> Any:
        if key in self.absent:
            raise KeyError(key)
        value = self._read(key)
        if value is None:
            self.absent.add(key)
            raise KeyError(key)
        self[key] = value
        return value

    def get(self, key: tuple[str, str], default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None  # type: ignore[arg-type]


class _NameIndex:
    """The contacts' and products' names as the store's index holds them (Cache.names: names and keys, no
    record), grouped as the gates compare them (ledger.gates.name_key); a name's count is that of the records of
    that name alone that count (ledger.gates.counted_name), read when the gates first ask for it."""

    def __init__(self, cache: Cache, docs: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        self._cache, self._docs = cache, docs
        self._groups: dict[tuple[str, str], list[tuple[str, str]]] | None = None
        self._counts: dict[tuple[str, str], int] = {}

    def groups(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        if self._groups is None:
            self._groups = {}
            for t, ref, name in self._cache.names(sorted(CONTACTS)):
                if (hit := name_key(t, name)) is not None:
                    self._groups.setdefault(hit, []).append((t, ref))
        return self._groups

    def count(self, space: str, key: str) -> int:
        if (space, key) not in self._counts:
            members = (self._docs.get(k) for k in self.groups().get((space, key), ()))
            self._counts[(space, key)] = sum(1 for k, d in zip(self.groups().get((space, key), ()), members)
                                             if d is not None and counted_name(k[0], d) == (space, key))
        return self._counts[(space, key)]


class _NameCounts(Mapping[str, int]):
    """One name space's counts (GateContext.product_names or contact_names) from a :class:`_NameIndex`."""

    def __init__(self, index: _NameIndex, space: str) -> None:
        self._index, self._space = index, space

    def __getitem__(self, key: str) -> int:
        n = self._index.count(self._space, key)
        if not n:
            raise KeyError(key)
        return n

    def __iter__(self) -> Iterator[str]:
        return (key for space, key in self._index.groups() if space == self._space and key in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def gate_snapshot(cache: Cache, pending: bool = True, named: bool = True) -> Snapshot:
    """What the gates read, without reading the whole cache: every contact and product (the gates compare
    names across all of them and iterate them; ``named`` False: none up front, for gates of no contact or
    product), every pending document (``pending``; else each when it is asked for: a few to compute again),
    and any other document, status or link only when a gate asks for it (a payment's invoice, a dependency's
    status). Its ``docs``, ``status`` and ``links`` iterate only what was read up front; :func:`gate_statuses`
    needs no more."""

    def read_status(key: tuple[str, str]) -> dict[str, Any] | None:
        try:
            return cache.status_info(*key)
        except KeyError:
            return None

    docs = _OnDemand(lambda key: (cache.get(*key) or {}).get("data"))
    status = _OnDemand(read_status)
    links = _OnDemand(lambda key: cache.link(*key))
    snap = Snapshot(docs, status, links, *_state(cache))
    for kind in sorted(CONTACTS) if named else ():
        for rec, info, link in cache.documents_and_links(kind):
            snap.hold((kind, rec["ref"]), rec["data"], info, link)
    for rec in cache.documents_with_status(["pending"] if pending else [], with_links=True):
        if rec["type"] not in CONTACTS:
            snap.hold((rec["type"], rec["ref"]), rec["data"], {"status": rec["status"], "changed": rec["changed"]},
                      rec["link"])
    return snap


def plan_snapshot(cache: Cache, statuses: tuple[str, ...], types: Iterable[str] | None = None,
                  refs: Iterable[str] | None = None, keys: Iterable[tuple[str, str]] | None = None) -> Snapshot:
    """What a plan of the selection reads, without reading the whole cache: the documents of the selection whose
    status is one of ``statuses`` (exact keys or type and ref: each read by its key; else through the (type,
    status) index), anything else only when asked for (a dependency of the closure, a payment's invoice, a
    link, a contact the resolver names), and for the gates that compare names, the names of the contacts and
    products from the store's index (:class:`_NameIndex`: the records of a name only when a gate asks for its
    count). Its plan equals the plan of :func:`snapshot` (tests/sync/test_plan_snapshot.py)."""
    snap = gate_snapshot(cache, pending=False, named=False)
    index = _NameIndex(cache, snap.docs)
    snap.names = (_NameCounts(index, "product"), _NameCounts(index, "contact"))

    def hold(key: tuple[str, str]) -> None:
        rec = cache.get(*key)
        if rec is None:
            return
        info = cache.status_info(*key)
        if info["status"] in statuses:
            snap.hold(key, rec["data"], info, cache.link(*key))

    types_, refs_ = list(dict.fromkeys(types or ())), list(dict.fromkeys(refs or ()))
    if keys is not None:
        wanted = [k for k in dict.fromkeys(keys) if (not types_ or k[0] in types_) and (not refs_ or k[1] in refs_)]
        for key in wanted:
            hold(key)
        return snap
    if refs_:
        for t in types_ or cache.types():
            for r in refs_:
                hold((t, r))
        return snap
    for t in types_ or cache.types():
        for rec in cache.documents_with_status(statuses, t, with_links=True):
            snap.hold((t, rec["ref"]), rec["data"], {"status": rec["status"], "changed": rec["changed"]}, rec["link"])
    return snap


class _ContactNames(Mapping[tuple[str, str], str]):
    """{(type, ref): name} of the contacts and products of a snapshot (what a resolver names them by), each read
    from its ``docs`` when asked for: a snapshot of a selection reads only those its documents name."""

    def __init__(self, docs: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        self._docs = docs

    def __getitem__(self, key: tuple[str, str]) -> str:
        d = self._docs.get(key) if key[0] in CONTACTS else None
        if not d or not d.get("name"):
            raise KeyError(key)
        return str(d["name"])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return (k for k, d in list(self._docs.items()) if k[0] in CONTACTS and d.get("name"))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return True  # what it has not read yet is there too (LookupResolver takes ``names or {}``)


def cache_resolver(snap: Snapshot, connected: bool) -> LookupResolver:
    names = _ContactNames(snap.docs)

    def link_ids(type_: str, ref: str) -> list[tuple[str, str]]:
        link = snap.links.get((type_, ref))
        return [(q.get("entity"), q.get("id")) for q in (link or {}).get("qbo") or () if q.get("id")]

    s, r = snap.settings, snap.reference
    return LookupResolver(names=names, link_ids=link_ids, entity_of=PRIMARY_ENTITY, mapping=s.mapping, connected=connected,
                          accounts=r["accounts"], terms=r["terms"], tax_codes=r["tax_codes"], classes=r["classes"],
                          departments=r["departments"], tax_mapping=s.tax_mapping, terms_mapping=s.terms_mapping,
                          tax_rates=r.get("tax_rates"), tax_defaults=s.tax_defaults)


def _connected(cache: Cache) -> bool:
    return bool(cache.get_setting("realm_id", None))


# --- evaluation: statuses without payloads ----------------------------------------------

def _sort_key(key: tuple[str, str], doc: Mapping[str, Any]) -> tuple[int, str, str]:
    date = doc.get(DATE_FIELD.get(key[0], ""), None) or ("" if key[0] not in DATE_FIELD else "9999-12-31")
    return (_RANK.get(key[0], len(_RANK)), date, key[1])


def _referring_field(doc: Mapping[str, Any], kind: str) -> str:
    """The field of ``doc`` that names a document of ``kind`` (``lines`` for products)."""
    field_ = next((f for f, k in KIND[doc["type"]].references if k == kind), "")
    return "lines" if field_ == LINES else field_


def _in_qbo(key: tuple[str, str], snap: Snapshot) -> bool:
    """Already created in QBO (it may be pending again for an update): what needs it can be sent."""
    link = snap.links.get(key)
    return bool(link and any(q.get("id") for q in link.get("qbo") or ()))


def _from_quickbooks(key: tuple[str, str], snap: Snapshot) -> bool:
    """Made in QuickBooks (brought in by qbtui pull): its origin says so, or its link does (the same ref imported
    again without its origin is still QuickBooks' object, never updated from here)."""
    if snap.docs[key].get("origin") == "quickbooks":
        return True
    link = snap.links.get(key)
    return bool(link) and any(q.get("origin") == "quickbooks" for q in link.get("qbo") or ())


def _is_void(key: tuple[str, str], snap: Snapshot) -> bool:
    link = snap.links.get(key)
    return bool(snap.docs[key].get("voided") and link and link.get("qbo"))


def _item_links(snap: Snapshot) -> dict[str, str]:
    """product ref -> the QBO Item Id it is linked to."""
    out = {}
    for (t, ref), link in snap.links.items():
        if t == "product":
            qid = next((q.get("id") for q in link.get("qbo") or () if q.get("entity") == "Item" and q.get("id")), None)
            if qid is not None:
                out[ref] = str(qid)
    return out


def _evaluate(snap: Snapshot, keys: Iterable[tuple[str, str]], statuses: tuple[str, ...] = PLANNED_STATUSES,
              soft: set[tuple[str, str]] | None = None, sent: set[tuple[str, str]] | None = None,
              known: Mapping[tuple[str, str], tuple[str, list[Reason]]] | None = None, on_key: Any = None
              ) -> dict[tuple[str, str], tuple[str, list[Reason]]]:
    """Status and reasons per document, in sending order. ``soft`` collects the documents blocked
    only by unmapped roles or by dependencies left out of this plan (directly or through their
    dependencies): their payloads are correct and can be previewed. ``sent``: the documents the
    plan will list (None: all of ``keys``); a dependency evaluated but not listed is not in QBO
    and will not be sent first, so what needs it waits. ``known``: results of documents not in ``keys``
    (stored, current) that a dependency's status is read from; ``on_key(key)`` is called before each."""
    soft = set() if soft is None else soft
    r = snap.reference
    ctx = GateContext.build(snap.docs, snap.settings, snap.prefs, r["customers"] or (), r["vendors"] or (),
                            r["tax_codes"], r["terms"], r.get("items") or (), _item_links(snap),
                            qbo_classes=r["classes"], qbo_departments=r["departments"], qbo_tax_rates=r.get("tax_rates"),
                            counts=snap.names, qbo_accounts=r["accounts"])
    result: dict[tuple[str, str], tuple[str, list[Reason]]] = dict(known or {})
    keys = list(keys)
    for key in keys:
        result.pop(key, None)
    for key in sorted(keys, key=lambda k: _sort_key(k, snap.docs[k])):
        if on_key is not None:
            on_key(key)
        doc = snap.docs[key]
        if key[0] not in _RANK:
            continue
        if _from_quickbooks(key, snap):
            result[key] = ("skipped", [FROM_QUICKBOOKS])
            continue
        if _is_void(key, snap):
            result[key] = ("ready", [])
            continue
        skip = skip_reason(doc, snap.settings, snap.docs)
        if skip is not None and skip.code == SUMMARIZED:
            # a summarized document goes into its period's summary only when its own gates pass (and what it
            # needs is not held back): else it is blocked with their reasons, and a fix lets it in (or into a
            # correction of a period posted since)
            own = _summarized_gates(doc, ctx, snap, result, statuses)
            result[key] = ("blocked", own) if own else ("skipped", [skip])
            continue
        if skip is not None:
            result[key] = ("skipped", [skip])
            continue
        reasons = check(doc, ctx)
        is_soft = all(r.code.startswith("mapping.") for r in reasons)  # dependency.not_synced stays soft
        for dep in dependencies(doc):
            dep_status = _dependency_status(dep, snap, result, statuses)
            if dep_status == "ready" and sent is not None and dep not in sent and not _in_qbo(dep, snap):
                reasons.append(Reason("dependency.not_synced", f"It needs {LABEL[dep[0]]} {dep[1]!r}, which is not in "
                                      "QBO yet and not part of this selection.",
                                      f"Sync {LABEL[dep[0]]} {dep[1]!r} first, or select both",
                                      _referring_field(doc, dep[0]), DEPENDENCIES))
            elif dep_status == "failed":
                reasons.append(Reason("dependency.failed", f"It needs {LABEL[dep[0]]} {dep[1]!r}, which QuickBooks "
                                      "refused (see qbtui errors): it is held, not sent before that one is in QBO.",
                                      f"Fix {LABEL[dep[0]]} {dep[1]!r} first; this one follows at the next sync",
                                      _referring_field(doc, dep[0]), DEPENDENCIES))
            elif dep_status in ("blocked", "skipped"):
                is_soft = is_soft and dep_status == "blocked" and dep in soft
                reasons.append(Reason(f"dependency.{dep_status}",
                                      f"It needs {LABEL[dep[0]]} {dep[1]!r}, which is {dep_status}.",
                                      f"Fix {LABEL[dep[0]]} {dep[1]!r} first (see qbtui errors); this one follows",
                                      _referring_field(doc, dep[0]), DEPENDENCIES))
        result[key] = ("blocked" if reasons else "ready", reasons)
        if reasons and is_soft:
            soft.add(key)
    if known:
        evaluated = set(keys)
        return {k: v for k, v in result.items() if k not in known or k in evaluated}
    return result


SUMMARIZED = "channel.summarized"
"""The skip reason of a document its channel posts in a summary (qbtui.ledger.gates.skip_reason)."""


def _summarized_gates(doc: Mapping[str, Any], ctx: GateContext, snap: Snapshot, result: Mapping[tuple[str, str], tuple[str, Any]],
                      statuses: tuple[str, ...]) -> list[Reason]:
    """The gates a summarized document fails: its own (a date, a currency, its tax...: what its summary's key and
    lines are made of), and what it needs that is blocked or refused (a payment's invoice, a product). Its contact
    is no dependency: a summary goes to the channel's customer."""
    reasons = check(doc, ctx)
    for dep in dependencies(doc):
        if dep[0] == "customer":
            continue
        dep_status = _dependency_status(dep, snap, result, statuses)
        if dep_status in ("blocked", "failed"):
            reasons.append(Reason(f"dependency.{dep_status}",
                                  f"It needs {LABEL[dep[0]]} {dep[1]!r}, which is {dep_status}: it goes into no "
                                  "summary before that one is fixed.",
                                  f"Fix {LABEL[dep[0]]} {dep[1]!r} first (see qbtui errors); this one follows",
                                  _referring_field(doc, dep[0]), DEPENDENCIES))
    return reasons


def _dependency_status(dep: tuple[str, str], snap: Snapshot, result: Mapping[tuple[str, str], tuple[str, Any]],
                       statuses: tuple[str, ...]) -> str | None:
    if dep in result:
        return result[dep][0]
    st = snap.status.get(dep)
    if st is None:
        return None  # unknown: the document's own gate says so
    if st["status"] == "skipped":
        return "skipped"
    if st["status"] == "failed" and "failed" not in statuses and not _in_qbo(dep, snap):
        return "failed"  # QuickBooks refused it (the gates of pending documents): what needs it waits for its fix
    return None


def _closure(snap: Snapshot, selected: list[tuple[str, str]], statuses: tuple[str, ...]) -> set[tuple[str, str]]:
    """The selected documents plus the not-yet-synced documents they depend on."""
    out, todo = set(), list(selected)
    while todo:
        key = todo.pop()
        if key in out or key not in snap.docs:
            continue
        out.add(key)
        for dep in dependencies(snap.docs[key]):
            st = snap.status.get(dep)
            if st is not None and st["status"] in statuses and not _in_qbo(dep, snap):
                todo.append(dep)
    return out


def _candidates(snap: Snapshot, types: Iterable[str] | None, refs: Iterable[str] | None,
                keys: Iterable[tuple[str, str]] | None, statuses: tuple[str, ...]
                ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(the selected documents, those plus the pending documents they depend on)."""
    pending = [k for k, st in snap.status.items() if st["status"] in statuses]
    # a document brought in from QuickBooks (origin quickbooks, qbtui/sync/inbound.py) is never sent back
    everything = [k for k in pending if k[0] in _RANK and not _from_quickbooks(k, snap)]
    if not types and not refs and keys is None:
        every = set(everything)  # every dependency that is pending is already in
        return every, every
    types_, refs_ = set(types or ()), set(refs or ())
    keys_ = None if keys is None else set(keys)
    chosen = {k for k in everything if (not types_ or k[0] in types_) and (not refs_ or k[1] in refs_)
              and (keys_ is None or k in keys_)}
    return chosen, _closure(snap, list(chosen), statuses)


def evaluate_gates(cache: Cache, stale: Iterable[tuple[str, str]], current: Mapping[tuple[str, str], str],
                   before: Mapping[tuple[str, str], str], named: bool | None = None
                   ) -> tuple[dict[tuple[str, str], tuple[str, list[Reason], tuple]], dict[tuple[str, str], set]]:
    """The gate results of the ``stale`` pending documents, given the status of the others' current results
    (``current``: every other pending document), and again those of every document whose result read a
    document whose status changed (from ``before``, the stored status, current or not): {key: (status,
    reasons, sort key)} and what each read."""
    stale = list(stale)
    if named is None:  # only the gates of contacts and products count names (or look at QBO's items)
        named = len(stale) > 500 or any(k[0] in CONTACTS for k in stale)
    with _bulk():
        snap = gate_snapshot(cache, pending=len(stale) > 500, named=named)  # a few: each read as it is computed
        pending = set(stale) | set(current)
        maps = (snap.docs, snap.status, snap.links)
        reads: dict[tuple[str, str], set[tuple[str, str]]] = {}

        def on_key(key: tuple[str, str]) -> None:
            seen = reads[key] = {key}
            for m in maps:
                m.reads = seen  # type: ignore[attr-defined]

        known: dict[tuple[str, str], tuple[str, list[Reason]]] = {
            k: ("ready" if st == "pending" else st, []) for k, st in current.items() if st}
        last = dict(before)
        out: dict[tuple[str, str], tuple[str, list[Reason], tuple]] = {}
        todo = {k for k in stale if k in pending}
        for _ in range(64):
            if not todo:
                break
            if not named and any(k[0] in CONTACTS for k in todo):
                return evaluate_gates(cache, stale, current, before, named=True)
            result = _evaluate(snap, todo, ("pending",), known={k: v for k, v in known.items() if k not in todo},
                               on_key=on_key)
            for m in maps:
                m.reads = None  # type: ignore[attr-defined]
            changed = []
            for key in todo:
                st, reasons = result.get(key, ("", []))
                status = "pending" if st == "ready" else st
                for dep in dependencies(snap.docs[key]) if key[0] in KIND else ():
                    reads[key].add(dep)
                out[key] = (status, reasons, _sort_key(key, snap.docs[key]))
                known[key] = (st, reasons)
                if last.get(key) != status:
                    changed.append(key)
                last[key] = status
            # what read a result that changed: computed again (it follows in the sending order, so never this round)
            read_by: dict[tuple[str, str], set[tuple[str, str]]] = {}
            for k, r in reads.items():
                for dep in r:
                    read_by.setdefault(dep, set()).add(k)
            readers = cache.gate_readers(changed)
            for c in changed:
                readers |= read_by.get(c, set())
            todo = {k for k in readers if k in pending} - todo
        else:  # pragma: no cover - dependencies follow the sending order: a chain is never this long
            todo = set()
    return out, reads


def gate_statuses(cache: Cache) -> dict[tuple[str, str], tuple[str, list[Reason]]]:
    """For every pending document: ("pending" | "blocked" | "skipped", reasons), in sending order, computed
    afresh. Builds the gate context once, builds no payloads. ``qbtui status``, ``qbtui errors`` and the
    dashboard's ``qbtui gates`` read the same from the results kept in the store (qbtui.sync.gatestore)."""
    counts = cache.status_counts().values()
    pending = sum(c["pending"] for c in counts)
    if not pending:
        return {}  # nothing pending: nothing to gate, and no need to read the whole cache
    with _bulk():
        # the contacts, products and pending documents, not the whole history; when most of the cache is pending
        # (a first import), one pass over it costs less than reading each document a gate asks for
        whole = pending * 2 > sum(sum(c.values()) for c in counts)
        snap = snapshot(cache) if whole else gate_snapshot(cache)
        keys = [k for k, st in snap.status.items() if st["status"] == "pending"]
        evaluated = _evaluate(snap, keys, ("pending",))
    return {k: ("pending" if st == "ready" else st, reasons) for k, (st, reasons) in evaluated.items()}


# --- planning: statuses and payloads --------------------------------------------------------

def _with_link(payloads: list[Payload], link: Mapping[str, Any] | None, void: bool) -> list[Payload]:
    """Turn creates into sparse updates (or voids/deletes) of the QBO objects the document is linked to."""
    qbo = list((link or {}).get("qbo") or ())
    if void:
        return [Payload(q["entity"], "void" if q["entity"] in VOIDABLE else "delete",
                        {"Id": q["id"], "SyncToken": q.get("sync_token", "0")}, key=f"void:{q['entity']}")
                for q in qbo if q.get("id")]
    if not qbo:
        return payloads
    out, used = [], set()
    for p in payloads:
        match = next((i for i, q in enumerate(qbo) if i not in used and q.get("entity") == p.entity and q.get("id")), None)
        if match is None:
            out.append(p)
            continue
        used.add(match)
        body = {"Id": qbo[match]["id"], "SyncToken": qbo[match].get("sync_token", "0"), "sparse": True, **p.body}
        out.append(Payload(p.entity, "update", body, p.key, p.doc_number))
    return out


def _number_key(p: Payload) -> tuple[Any, ...] | None:
    if not p.doc_number or p.operation != "create":
        return None
    vendor = p.body.get("VendorRef", {}).get("name") if p.entity in ("Bill", "VendorCredit") else None
    return (p.entity, p.doc_number.casefold(), vendor)


def plan(cache: Cache, *, types: Iterable[str] | None = None, refs: Iterable[str] | None = None,
         keys: Iterable[tuple[str, str]] | None = None, resolver: Resolver | None = None,
         with_dependencies: bool = False, statuses: tuple[str, ...] = PLANNED_STATUSES) -> list[PlannedDocument]:
    """The pending (and failed: a sync retries them) documents of the selection (``types`` and/or
    ``refs`` and/or exact ``keys`` (type, ref); none = all), in sending order, each ready / blocked /
    skipped with its payloads.

    ``with_dependencies``: also list the pending documents the selection depends on (its customer,
    products, invoice...), as ``qbtui sync --type/--ref`` sends them first; without it a document
    whose dependency is not in QBO yet is blocked with ``dependency.not_synced``.
    ``resolver`` defaults to the cache's links and reference data when a QBO company is connected
    (setting ``realm_id``), else offline references ({"value": null, "name": ...})."""
    with _bulk():
        return _plan(cache, types, refs, keys, resolver, with_dependencies, statuses)


def _plan(cache: Cache, types: Iterable[str] | None, refs: Iterable[str] | None,
          keys: Iterable[tuple[str, str]] | None, resolver: Resolver | None,
          with_dependencies: bool, statuses: tuple[str, ...]) -> list[PlannedDocument]:
    snap = plan_snapshot(cache, statuses, types, refs, keys)  # the selection and what it needs, not the history
    if resolver is None:
        resolver = cache_resolver(snap, _connected(cache))
    ledger = Ledger(snap.settings, resolver, snap.prefs, snap.docs)
    soft: set[tuple[str, str]] = set()
    chosen, closure = _candidates(snap, types, refs, keys, statuses)
    listed = closure if with_dependencies else chosen
    evaluated = _evaluate(snap, closure, statuses, soft, listed)
    planned: list[PlannedDocument] = []
    numbers: dict[tuple[Any, ...], tuple[str, str]] = {}
    for key, (status, reasons) in evaluated.items():
        if key not in listed:
            continue
        payloads: list[Payload] = []
        if status == "ready" or key in soft:
            void = _is_void(key, snap)
            payloads = _with_link([] if void else build(snap.docs[key], ledger), snap.links.get(key), void)
            clash = None if status != "ready" else next(((numbers[k], p) for p in payloads if (k := _number_key(p)) in numbers), None)
            too_big = [hit for p in payloads for hit in numbers_out_of_range(p.body)] if status == "ready" else []
            if too_big:
                where = "lines" if snap.docs[key].get("lines") else "amount"
                status, payloads, reasons = "blocked", [], [range_reason(LABEL[key[0]], too_big, where)]
            elif clash is not None:
                (other_t, other_ref), p = clash
                status, payloads = "blocked", []
                reasons = [Reason("reference.duplicate_doc_number",
                                  f"Its {p.entity} number {p.doc_number!r} is already used by {LABEL[other_t]} "
                                  f"{other_ref!r} in this run (QBO would answer 6140).",
                                  "Give one of them a different reference (or supplier invoice number) and import it again",
                                  "supplier_invoice_number" if key[0] == "supplier_invoice" else "ref", NAMES)]
            else:
                for p in payloads:
                    if (k := _number_key(p)) is not None:
                        numbers[k] = key
        planned.append(PlannedDocument(key[0], key[1], status, reasons, payloads))
    return planned


def dry_run_json(planned: Iterable[PlannedDocument]) -> dict[str, Any]:
    """``{"documents": [{"type", "ref", "status", "reasons", "payloads": [{"entity", "operation",
    "body"}]}]}`` (docs/cli.md); amounts are JSON numbers (Decimal("24.60") -> 24.6)."""
    with _bulk():
        return {"documents": [p.to_json() for p in planned]}


# --- the human form --------------------------------------------------------------------------

def _amt(value: Any) -> str:
    return f"{Decimal(str(value)):,.2f}" if value is not None else ""


def _num(value: Any) -> str:
    return "" if value is None else format(Decimal(str(value)), "f")


def _ref_text(ref: Mapping[str, Any] | None) -> str:
    if not ref:
        return "-"
    name = ref.get("name") or "?"
    return f"{name} [{ref['value']}]" if ref.get("value") else str(name)


def _render_payload(p: Payload) -> list[str]:
    b = p.body
    head = f"  {p.entity} {p.operation}"
    for label, key in (("no.", "DocNumber"), ("date", "TxnDate"), ("ref no.", "PaymentRefNum")):
        if b.get(key):
            head += f"  {label} {b[key]}"
    for key in ("CustomerRef", "VendorRef"):
        if key in b:
            head += f"  {'customer' if key == 'CustomerRef' else 'vendor'} {_ref_text(b[key])}"
    lines = [head]
    if p.operation in ("void", "delete"):
        lines.append(f"    Id {b.get('Id')}")
        return lines
    if p.entity in ("Customer", "Vendor"):
        lines.append(f"    name {b.get('DisplayName')}")
        return lines
    if p.entity == "Item":
        lines.append(f"    {b.get('Type')} {b.get('Name')!r}  income {_ref_text(b.get('IncomeAccountRef'))}"
                     f"  expense {_ref_text(b.get('ExpenseAccountRef'))}")
        return lines
    if p.entity == "JournalEntry":
        dr = cr = Decimal(0)
        for line in b["Line"]:
            d = line["JournalEntryLineDetail"]
            debit = d["PostingType"] == "Debit"
            amount = Decimal(str(line["Amount"]))
            dr, cr = (dr + amount, cr) if debit else (dr, cr + amount)
            ent = f"  ({d['Entity']['Type'].lower()} {_ref_text(d['Entity']['EntityRef'])})" if "Entity" in d else ""
            lines.append(f"    {'Dr' if debit else 'Cr'}  {_ref_text(d['AccountRef']):<38} "
                         f"{_amt(amount) if debit else '':>14} {'' if debit else _amt(amount):>14}{ent}")
        lines.append(f"    {'totals':<42} {_amt(dr):>14} {_amt(cr):>14}")
        return lines
    if "Line" in b and b["Line"] and "LinkedTxn" not in b["Line"][0]:
        tax = p.tax
        lines.append(f"    {'item':<34} {'qty':>10} {'price':>12} {'amount':>14}"
                     + (f"  {'tax code':<18} {'tax':>10}" if tax else ""))
        total = Decimal(0)
        for i, line in enumerate(b["Line"]):
            detail = line.get("SalesItemLineDetail") or line.get("ItemBasedExpenseLineDetail") or {}
            total += Decimal(str(line["Amount"]))
            qty, price = detail.get("Qty"), detail.get("UnitPrice")
            text = f"    {_ref_text(detail.get('ItemRef'))[:34]:<34} {_num(qty):>10} {_num(price):>12} {_amt(line['Amount']):>14}"
            if tax and i < len(tax["lines"]):
                t = tax["lines"][i]
                text += f"  {str(t['code'] or '-')[:18]:<18} {_amt(t['tax']) or '?':>10}"
                if t.get("inclusive_amount") is not None:
                    text += f"  incl. {_amt(t['inclusive_amount'])}"
            lines.append(text)
        if tax:
            how = f" ({tax['calculation']})" if tax.get("calculation") else ""
            lines.append(f"    {'net':<58} {_amt(total):>14}")
            lines.append(f"    {'tax' + how:<58} {_amt(tax['tax_total']) or '? (QuickBooks computes it)':>14}")
            lines.append(f"    {'total':<58} {_amt(tax['total']) or '?':>14}")
            if tax.get("stated_tax_total") is not None:
                lines.append(f"    {'tax in the file (tax_total)':<58} {_amt(tax['stated_tax_total']):>14}")
        else:
            lines.append(f"    {'total':<58} {_amt(total):>14}")
    else:
        for key in ("DepositToAccountRef", "APAccountRef"):
            if key in b:
                lines.append(f"    {key.removesuffix('Ref')} {_ref_text(b[key])}")
        if "CheckPayment" in b:
            lines.append(f"    paid from {_ref_text(b['CheckPayment']['BankAccountRef'])}")
        for line in b.get("Line", ()):
            for txn in line.get("LinkedTxn", ()):
                lines.append(f"    applied to {txn['TxnType']} {txn['TxnId'] or '(not yet in QBO)'}  {_amt(line['Amount']):>14}")
        lines.append(f"    {'total':<58} {_amt(b.get('TotalAmt')):>14}")
    return lines


def render_dry_run(planned: Iterable[PlannedDocument]) -> str:
    """A readable table per document: type, ref, status and reasons, then each payload (journal
    lines as Dr/Cr, account, amount with totals; other entities item/qty/price/amount and total)."""
    out: list[str] = []
    counts: dict[str, int] = {}
    for doc in planned:
        counts[doc.status] = counts.get(doc.status, 0) + 1
        out.append(f"{doc.type} {doc.ref}  [{doc.status}]")
        for r in doc.reasons:
            out.append(f"  ! {r.code}: {r.message}")
            out.append(f"    fix: {r.hint}")
        for p in doc.payloads:
            out.extend(_render_payload(p))
        out.append("")
    out.append("dry run: nothing was sent. " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing pending"))
    return "\n".join(out)
