"""Sending documents through a Web Connector session: intent recorded before a request set goes out, QuickBooks'
answers recorded as outcomes (docs/desktop.md#exactly-once-the-design-for-the-next-session).

A :class:`SendDocuments` is a session's :class:`~qbtui.desktop.service.Work`: one request set per part of a
document (``stopOnError``), the parts of one document in the ledger's order, a part naming another's TxnID after it
(``ledger.payload.resolve_parts``, as for QBO). Before a document's first set is handed out its link is marked
``sending`` (the intent, durable: ``Cache.record_outcomes``); its answer makes it ``synced`` (the ListIDs/TxnIDs
and EditSequences as its parts) or ``failed`` (the status code and its hint). A document still ``sending`` when a
session starts had its answer lost: it is not sent again (nothing is created twice) and waits for the lookup by
RefNumber/Name that the next version adds.

Not the default work of ``qbtui desktop serve`` yet: the gates, the queue of the dashboard's upload keys and the
lookups come first (docs/desktop.md#what-is-left)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qbtui.cache import Cache
from qbtui.desktop.qbxml import Request, Untranslatable, request_set, translate
from qbtui.desktop.responses import Outcome, parse
from qbtui.ledger.build import build
from qbtui.ledger.context import Ledger, Prefs
from qbtui.ledger.kinds import PRIMARY_ENTITY, TYPE_ORDER
from qbtui.ledger.payload import Payload, resolve_parts
from qbtui.ledger.resolver import LookupResolver
from qbtui.settings import Settings

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


@dataclass
class _InFlight:
    type: str
    ref: str
    payloads: deque[Payload]
    doc: Mapping[str, Any]
    ids: dict[str, str] = field(default_factory=dict)
    parts: list[dict[str, Any]] = field(default_factory=list)
    current: Payload | None = None


class SendDocuments:
    """A session's work: send ``keys`` (type, ref) in order, each exactly once as far as this session knows."""

    def __init__(self, cache: Cache, keys: Iterable[tuple[str, str]], *, run: str | None = None,
                 ledger: Ledger | None = None) -> None:
        self.cache = cache
        self.run = run
        self.ledger = ledger
        self.queue: deque[tuple[str, str]] = deque()
        self.lost: list[tuple[str, str]] = []
        for t, r in keys:
            link = cache.link(t, r) or {}
            (self.lost if link.get("status") == "sending" else self.queue).append((t, r))
        self.total = len(self.queue)
        self.done = 0
        self.failed: list[tuple[str, str, str]] = []
        self.inflight: _InFlight | None = None
        self._request_id = 0

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
        if f.parts:
            outcome["qbo"] = f.parts  # what Desktop already has of it: never created again
        self._record(outcome)
        self.failed.append((f.type, f.ref, message))
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
            f = _InFlight(t, r, deque(), doc)
            try:
                f.payloads.extend(build(doc, self.ledger))
            except (KeyError, ValueError) as exc:
                self._fail(f, "desktop_untranslatable", str(exc), None)
                continue
            return f
        return None

    def next_request(self, version: tuple[int, int]) -> str | None:
        while True:
            f = self.inflight or self._next_document()
            if f is None:
                return None
            self.inflight = f
            if not f.payloads:
                return None
            payload = resolve_parts(f.payloads[0], f.ids)
            try:
                request: Request = translate(payload, f.doc)
            except Untranslatable as exc:
                self._fail(f, "desktop_untranslatable", str(exc), "not sent to QuickBooks Desktop")
                continue
            if not f.parts and f.current is None:
                self._record({"type": f.type, "ref": f.ref, "status": "sending", "error": None})  # the intent
            f.current = payload
            self._request_id += 1
            return request_set([(f"{self._request_id}", request)], version, on_error="stopOnError")

    def take_response(self, response: str) -> None:
        f = self.inflight
        if f is None or f.current is None:
            raise ValueError("an answer without a request")
        outcomes = parse(response)
        answer: Outcome | None = outcomes[0] if outcomes else None
        if answer is None:
            raise ValueError("an answer without a response for the request")
        if not answer.ok:
            self._fail(f, f"desktop_{answer.code}", answer.message, answer.hint, answer.kind)
            return
        ids = answer.ids()
        object_id = ids.get("TxnID") or ids.get("ListID")
        if not object_id:
            raise ValueError(f"{answer.name} gave no ListID or TxnID")
        payload = f.payloads.popleft()
        f.ids[payload.key] = object_id
        f.parts.append({"key": payload.key, "entity": payload.entity, "id": object_id,
                        "sync_token": ids.get("EditSequence", "")})
        f.current = None
        if not f.payloads:
            self._record({"type": f.type, "ref": f.ref, "status": "synced", "qbo": f.parts, "error": None})
            self.inflight = None
            self.done += 1

    def percent(self) -> int:
        if self.inflight is None and not self.queue:
            return 100
        return min(99, int(100 * self.done / max(1, self.total)))

    def close(self) -> str:
        sent = self.done - len(self.failed)
        note = f"; {len(self.lost)} waiting for a lookup (answer lost)" if self.lost else ""
        return f"{sent} sent, {len(self.failed)} failed, {len(self.queue) + (self.inflight is not None)} left{note}"
