"""Sending documents through a Web Connector session: intent recorded before a request set goes out, QuickBooks'
answers recorded as outcomes (docs/desktop.md#exactly-once).

A :class:`SendDocuments` is a session's :class:`~qbtui.desktop.service.Work`: one request set per part of a
document (``stopOnError``), the parts of one document in the ledger's order, a part naming another's TxnID after it
(``ledger.payload.resolve_parts``, as for QBO). Before a document's first set is handed out its link is marked
``sending`` (the intent, durable: ``Cache.record_outcomes``); its answer makes it ``synced`` (the ListIDs/TxnIDs
and EditSequences as its parts) or ``failed`` (the status code and its hint). A document still ``sending`` when a
session starts had its answer lost (between sendRequestXML and receiveResponseXML, a Web Connector killed, a server
restarted): each of its parts is looked up first (a query by RefNumber for transactions, by Name for lists, the
TxnDate and our reference in the memo compared), found parts are linked, only what Desktop does not have is added.

Status codes (docs/desktop.md#status-codes): 3170/3180 leave the document failed with ``cannot_save`` and the next
session sends it again; 3200 on a Mod reads the object again (its EditSequence) and applies the Mod again; the
others leave the document failed with the hint.

:func:`session_work` is the default work of ``qbtui desktop serve``: the company's lists while the profile is not
mapped, then every document the gates let through (the CLI gives the gates: this room never imports qbtui.sync),
the lost ones and those Desktop could not save."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qbtui.cache import Cache
from qbtui.desktop.qbxml import QBXML_VERSION, Request, Untranslatable, request_set, to_mod, translate, xml_text
from qbtui.desktop.responses import Outcome, parse
from qbtui.desktop.service import PullLists
from qbtui.ledger.build import build
from qbtui.ledger.context import Ledger, Prefs
from qbtui.ledger.kinds import PRIMARY_ENTITY, TYPE_ORDER
from qbtui.ledger.payload import Payload, resolve_parts
from qbtui.ledger.resolver import LookupResolver
from qbtui.settings import Settings
from qbtui.timestamps import now_iso

#: document types a document may name (its contact, its products, its invoice or bill): loaded into the ledger
NAMED_TYPES = ("customer", "supplier", "product", "sale_invoice", "supplier_invoice", "purchase_order")


def desktop_ledger(cache: Cache) -> Ledger:
    """The ledger of a Desktop profile: the mapping's ListIDs, the links' ListIDs/TxnIDs, Desktop's pulled lists."""
    settings = Settings.from_stored(cache.settings())
    docs = {(t, rec["ref"]): rec["data"] for t in NAMED_TYPES for rec in cache.documents(t)}
    names = {k: str(d["name"]) for k, d in docs.items() if d.get("name")}

    def link_ids(type_: str, ref: str) -> list[tuple[str, str]]:
        link = cache.link(type_, ref) or {}
        if link.get("status") != "synced":
            return []
        return [(str(p["entity"]), str(p["id"])) for p in link.get("qbo") or ()]

    resolver = LookupResolver(names=names, connected=True, link_ids=link_ids, entity_of=PRIMARY_ENTITY,
                              mapping=settings.mapping, accounts=cache.reference("accounts") or [],
                              terms=cache.reference("terms") or [], classes=cache.reference("classes") or [])
    return Ledger(settings, resolver, Prefs(), docs)


#: how many times a Mod refused with 3200 (EditSequence out of date) is read again and applied again in one session
REAPPLY_MAX = 3
#: error details (responses.Outcome.kind) of documents sent again by the next session
RETRY_KINDS = frozenset({"cannot_save"})


def _query(request: Request) -> ET.Element | None:
    """The query that finds what ``request`` (an Add) would have made: a list element by its Name (FullName), a
    transaction by its RefNumber (else its TxnDate). None: nothing to look it up by."""
    add = request.element
    if request.is_list:
        name = add.findtext("Name")
        if not name:
            return None
        rq = ET.Element("ItemQueryRq" if request.entity.startswith("Item") else f"{request.entity}QueryRq")
        ET.SubElement(rq, "FullName").text = xml_text(name)
        return rq
    rq = ET.Element(f"{request.entity}QueryRq")
    ref, date = add.findtext("RefNumber"), add.findtext("TxnDate")
    if ref:
        ET.SubElement(rq, "RefNumber").text = ref  # RefNumber and the date filters are a choice: the date compared here
    elif date:
        span = ET.SubElement(rq, "TxnDateRangeFilter")
        ET.SubElement(span, "FromTxnDate").text = date
        ET.SubElement(span, "ToTxnDate").text = date
    else:
        return None
    return rq


def _matches(request: Request, ret: ET.Element) -> bool:
    """Whether ``ret`` (a found object) is what ``request`` would have made: the same name for a list element; the
    same TxnDate, RefNumber and memo (which starts with our full reference) for a transaction."""
    add = request.element
    if request.is_list:
        return (ret.findtext("FullName") or ret.findtext("Name") or "").casefold() == (add.findtext("Name") or
                                                                                        "").casefold()
    return all((ret.findtext(tag) or "") == (add.findtext(tag) or "") for tag in ("TxnDate", "RefNumber", "Memo"))


def _set(version: tuple[int, int], request_id: str, rq: ET.Element) -> str:
    rq.set("requestID", request_id)
    root = ET.Element("QBXML")
    ET.SubElement(root, "QBXMLMsgsRq", onError="stopOnError").append(rq)
    body = ET.tostring(root, encoding="us-ascii", xml_declaration=False).decode("ascii")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version[0]}.{version[1]}"?>\n{body}'


@dataclass
class _InFlight:
    type: str
    ref: str
    payloads: deque[Payload]
    doc: Mapping[str, Any]
    lookup: bool = False
    """Its answer was lost: each part is looked up before it is added (until one is not found)."""
    known: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Parts Desktop has from an earlier send (key -> part): a synced document pending again is modified."""
    ids: dict[str, str] = field(default_factory=dict)
    parts: list[dict[str, Any]] = field(default_factory=list)
    current: Payload | None = None
    request: Request | None = None
    phase: str = "add"
    """What the last request set was: "lookup", "add", "mod", "reread" (the object read again after 3200)."""
    edit_sequence: str | None = None
    tries: int = 0
    intent: bool = False


class SendDocuments:
    """A session's work: send ``keys`` (type, ref) in order, each exactly once: a document whose answer was lost
    (its link ``sending``) is looked up before anything of it is added again."""

    def __init__(self, cache: Cache, keys: Iterable[tuple[str, str]], *, run: str | None = None,
                 ledger: Ledger | None = None) -> None:
        self.cache = cache
        self.run = run
        self.ledger = ledger
        self.queue: deque[tuple[str, str]] = deque()
        self.lost: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for t, r in keys:
            if (t, r) in seen:
                continue
            seen.add((t, r))
            link = self.cache.link(t, r) or {}
            if link.get("status") == "sending":
                self.lost.append((t, r))
            self.queue.append((t, r))
        self.total = len(self.queue)
        self.done = 0
        self.sent = 0
        self.found = 0
        self.failed: list[tuple[str, str, str]] = []
        self.inflight: _InFlight | None = None
        self._request_id = 0
        self.created: list[dict[str, Any]] = []
        """What this session made in Desktop (the run's ``created``: what ``qbtui undo`` removes)."""

    @classmethod
    def pending(cls, cache: Cache, **kw: Any) -> SendDocuments:
        """Every pending document, in the kinds' sending order."""
        rank = {t: i for i, t in enumerate(TYPE_ORDER)}
        keys = sorted(cache.keys_by_status(["pending"]), key=lambda k: rank.get(k[0], len(rank)))
        return cls(cache, keys, **kw)

    # -- outcomes
    def _record(self, outcome: dict[str, Any]) -> None:
        if self.run is not None:
            outcome["run"] = self.run
        self.cache.record_outcomes([outcome])  # type: ignore[list-item]

    def _fail(self, f: _InFlight, code: str, message: str, hint: str | None, detail: str | None = None) -> None:
        outcome: dict[str, Any] = {"type": f.type, "ref": f.ref, "status": "failed",
                                   "error": {"code": code, "message": message, "detail": detail, "hint": hint}}
        if f.parts or f.known:
            outcome["qbo"] = self._all_parts(f)  # what Desktop already has of it: never created again
        self._record(outcome)
        self.failed.append((f.type, f.ref, message))
        self.inflight = None
        self.done += 1

    def _all_parts(self, f: _InFlight) -> list[dict[str, Any]]:
        mine = {p["key"] for p in f.parts}
        return [*f.parts, *(p for k, p in f.known.items() if k not in mine)]

    def _synced(self, f: _InFlight) -> None:
        self._record({"type": f.type, "ref": f.ref, "status": "synced", "qbo": self._all_parts(f), "error": None})
        self.inflight = None
        self.done += 1

    # -- Work
    def _next_document(self) -> _InFlight | None:
        while self.queue:
            t, r = self.queue.popleft()
            rec = self.cache.get(t, r)
            if rec is None:
                self.done += 1
                continue
            doc = {**rec["data"], "type": t, "ref": r}
            self.ledger = self.ledger or desktop_ledger(self.cache)
            link = self.cache.link(t, r) or {}
            f = _InFlight(t, r, deque(), doc, lookup=link.get("status") == "sending",
                          known={str(p.get("key", "doc")): dict(p) for p in link.get("qbo") or () if p.get("id")})
            f.intent = f.lookup
            try:
                f.payloads.extend(build(doc, self.ledger))
            except (KeyError, ValueError) as exc:
                self._fail(f, "desktop_untranslatable", str(exc), None)
                continue
            if link.get("status") == "failed":  # the parts Desktop has of a document it refused part of: kept
                while f.payloads and f.payloads[0].key in f.known:
                    part = f.known[f.payloads.popleft().key]
                    f.ids[part["key"]] = str(part["id"])
                    f.parts.append(part)
                f.known = {}
            return f
        return None

    def _next_id(self) -> str:
        self._request_id += 1
        return str(self._request_id)

    def next_request(self, version: tuple[int, int] = QBXML_VERSION) -> str | None:
        while True:
            f = self.inflight or self._next_document()
            if f is None:
                return None
            self.inflight = f
            if not f.payloads:
                self._synced(f)
                continue
            payload = resolve_parts(f.payloads[0], f.ids)
            try:
                request: Request = translate(payload, f.doc)
            except Untranslatable as exc:
                self._fail(f, "desktop_untranslatable", str(exc), "not sent to QuickBooks Desktop")
                continue
            f.current, f.request = payload, request
            known = f.known.get(payload.key)
            if f.phase == "reread" and known:
                rq = ET.Element("ItemQueryRq" if request.entity.startswith("Item") else f"{request.entity}QueryRq")
                ET.SubElement(rq, "ListID" if request.is_list else "TxnID").text = str(known["id"])
                return _set(version, self._next_id(), rq)
            if f.lookup and not known:
                rq = _query(request)
                if rq is not None:
                    f.phase = "lookup"
                    return _set(version, self._next_id(), rq)
                f.lookup = False
            if known:  # Desktop has it (a Mod lost is applied again: 3200 reads it again first)
                request = to_mod(request, str(known["id"]), f.edit_sequence or str(known.get("sync_token") or ""))
                f.phase = "mod"
            else:
                f.phase = "add"
            if not f.intent:  # the intent, durable before the request set leaves
                self._record({"type": f.type, "ref": f.ref, "status": "sending", "error": None})
                f.intent = True
            return request_set([(self._next_id(), request)], version, on_error="stopOnError")

    def _part_done(self, f: _InFlight, object_id: str, edit_sequence: str) -> None:
        payload = f.payloads.popleft()
        if f.phase in ("add", "lookup"):  # made by qbtui (a lookup finds what a lost answer made): undo removes it
            self.created.append({"type": f.type, "ref": f.ref, "entity": payload.entity, "id": object_id})
        f.ids[payload.key] = object_id
        f.parts.append({"key": payload.key, "entity": payload.entity, "id": object_id, "sync_token": edit_sequence})
        f.current, f.request, f.edit_sequence, f.tries = None, None, None, 0
        if not f.payloads:
            self._synced(f)

    def take_response(self, response: str) -> None:
        f = self.inflight
        if f is None or f.current is None or f.request is None:
            raise ValueError("an answer without a request")
        outcomes = parse(response)
        answer: Outcome | None = outcomes[0] if outcomes else None
        if answer is None:
            raise ValueError("an answer without a response for the request")
        if f.phase == "lookup":
            if answer.code == 1:  # not in Desktop: this part and the ones after it are added
                f.lookup = False
                return
            if not answer.ok:
                self._fail(f, f"desktop_{answer.code}", answer.message, answer.hint, answer.kind)
                return
            hit = next((ret for ret in answer.rets if _matches(f.request, ret)), None)
            if hit is None:
                f.lookup = False
                return
            self.found += 1
            self._part_done(f, hit.findtext("TxnID") or hit.findtext("ListID") or "", hit.findtext("EditSequence")
                            or "")
            return
        if f.phase == "reread":
            if not answer.ok or not answer.rets:
                self._fail(f, f"desktop_{answer.code}", answer.message, answer.hint, answer.kind)
                return
            f.edit_sequence = answer.rets[0].findtext("EditSequence") or ""
            f.phase = "mod"
            return
        if not answer.ok:
            if answer.kind == "stale_edit_sequence" and f.phase == "mod" and f.tries < REAPPLY_MAX:
                f.tries += 1
                f.phase = "reread"  # read the object again, then apply the change again
                return
            self._fail(f, f"desktop_{answer.code}", answer.message, answer.hint, answer.kind)
            return
        ids = answer.ids()
        object_id = ids.get("TxnID") or ids.get("ListID")
        if not object_id:
            raise ValueError(f"{answer.name} gave no ListID or TxnID")
        self.sent += 1
        self._part_done(f, object_id, ids.get("EditSequence", ""))

    def percent(self) -> int:
        if self.inflight is None and not self.queue:
            return 100
        return min(99, int(100 * self.done / max(1, self.total)))

    def close(self) -> str:
        ok = self.done - len(self.failed)
        if self.run is not None:  # the session is a run in the log (qbtui runs, qbtui audit)
            left = len(self.queue) + (self.inflight is not None)
            self.cache.update_run(self.run, ended=now_iso(), created=self.created, counts={
                "synced": ok, "failed": len(self.failed), "found": self.found, "left": left},
                **({"failures": [{"type": t, "ref": r, "message": m} for t, r, m in self.failed]}
                   if self.failed else {}))
        found = f" ({self.found} found by a lookup after a lost answer)" if self.found else ""
        return (f"{ok} sent{found}, {len(self.failed)} failed, "
                f"{len(self.queue) + (self.inflight is not None)} left")


Ready = Callable[[Cache], Iterable[tuple[str, str]]]
"""The documents the gates let through (the CLI's: qbtui.sync's gates), in sending order."""


def _pending(cache: Cache) -> list[tuple[str, str]]:
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}
    return sorted(cache.keys_by_status(["pending"]), key=lambda k: rank.get(k[0], len(rank)))


def queued(cache: Cache, ready: Ready | None = None) -> list[tuple[str, str]]:
    """What the next session sends: the lost documents first (looked up), then those the gates let through, then
    those Desktop could not save (3170/3180)."""
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}
    lost = [(link["type"], link["ref"]) for link in cache.links(["sending"])]
    retry = [(link["type"], link["ref"]) for link in cache.links(["failed"])
             if ((link.get("error") or {}).get("detail")) in RETRY_KINDS]
    keys = [*lost, *(ready or _pending)(cache), *retry]
    return sorted(dict.fromkeys(keys), key=lambda k: rank.get(k[0], len(rank)))


def session_work(cache: Cache, ready: Ready | None = None) -> Any:
    """The default work of a session: the company's lists while the profile is not mapped (nothing sent); then the
    queued documents; None when there is nothing to do."""
    mapping = (cache.settings() or {}).get("mapping") or {}
    if not mapping:  # the lists once; then nothing until `qbtui map --auto` has mapped the roles
        return None if cache.reference("accounts") else PullLists(cache)
    from qbtui.desktop.reconcile import Reconcile, queued_reconcile
    from qbtui.desktop.undo import RemoveObjects, queued_undo

    undo = queued_undo(cache)  # an undo queued by `qbtui undo RUN` goes first (docs/desktop.md#undo)
    if undo is not None:
        work = RemoveObjects(cache, undo)
        if not work.finished:
            return work
    asked = queued_reconcile(cache)  # a reconciliation asked by `qbtui reconcile` (docs/desktop.md#reconcile-by-queries)
    if asked is not None:
        return Reconcile(cache, asked, desktop_ledger(cache))
    close_interrupted_runs(cache)
    keys = queued(cache, ready)
    if not keys:
        return None
    run = cache.add_run({"kind": "sync", "backend": "desktop", "started": now_iso(), "ended": None, "counts": {},
                         "created": [], "who": "QuickBooks Web Connector"})
    return SendDocuments(cache, keys, run=run)


def close_interrupted_runs(cache: Cache) -> None:
    """A session that died (a Web Connector killed, a server restarted) never ended its run: its ``created`` list is
    completed from the links it wrote (their ``run``), and it is marked interrupted (as qbtui.sync.engine does)."""
    open_runs = {r["id"]: r for r in cache.runs() if r.get("backend") == "desktop" and r.get("kind") == "sync"
                 and not r.get("ended")}
    if not open_runs:
        return
    extra: dict[str, list[dict[str, Any]]] = {}
    for link in cache.links(["synced", "sending", "failed"], runs=open_runs):
        run = open_runs.get(link.get("run") or "")
        if run is None:
            continue
        known = {(c["entity"], str(c["id"])) for c in run.get("created") or ()}
        for q in link.get("qbo") or ():
            if q.get("id") and (q["entity"], str(q["id"])) not in known and not q.get("linked"):
                extra.setdefault(run["id"], []).append({"type": link["type"], "ref": link["ref"],
                                                        "entity": q["entity"], "id": str(q["id"])})
    for run_id, run in open_runs.items():
        cache.update_run(run_id, ended=now_iso(), interrupted=True,
                         created=list(run.get("created") or []) + extra.get(run_id, []))
