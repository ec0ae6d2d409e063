"""The sync engine: sends planned documents to QBO exactly once and writes each outcome back once.

Exactly once, even when answers are lost:

1. Before a batch goes out, its documents are recorded as ``sending`` (one fsync'd journal line).
2. The batch carries a ``requestid`` derived from its items, so a retried identical batch replays.
3. After an unknown outcome (timeout, dropped connection) nothing is sent again before each item
   is looked up in QBO by its key (DocNumber, DisplayName, ...): found means created.
4. A run that was killed leaves documents in ``sending``: the next run looks those up first.
5. Contacts and items are linked to an existing QBO object of the same name before any create.

Documents go in waves (contacts and products; then the documents that use them; then payments,
which need their invoice's QBO Id), re-planned between waves so that new Ids are used.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.payload import Payload, jsonable
from qbtui.qbo import BatchItem, QBOClient, QBOFault, ReconnectRequired, UnknownOutcome, batch_request_id
from qbtui.sync.lookup import NAME_FIELD, find_by_names, find_existing
from qbtui.sync.plan import PlannedDocument, plan

WAVES: tuple[tuple[str, ...], ...] = (
    ("customer", "supplier", "product"),
    ("quote", "sale_invoice", "credit_note", "cogs", "purchase_order", "supplier_invoice", "supplier_credit",
     "supplier_deposit", "adjustment", "gift_voucher", "store_credit"),
    ("sale_payment", "supplier_payment"),
)
"""Sending waves: a wave's documents only name objects created by earlier waves (or earlier runs)."""


class WritesRefused(Exception):
    """The profile is in "From QuickBooks only" mode: nothing may be written to QBO."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fault_error(fault: QBOFault, hint: str = "") -> dict[str, Any]:
    return {"code": fault.code, "message": fault.message, "detail": fault.detail, "hint": hint or HINTS.get(fault.code, "")}


HINTS = {
    "610": "the contact or item it names was made inactive in QuickBooks: re-link it or reactivate it",
    "2500": "it names an object QuickBooks does not know: re-link the contact or item",
    "2020": "a required field is missing: fix the document and re-sync",
    "2050": "a value is too long for QuickBooks: shorten it and re-sync",
    "6000": "QuickBooks refused it (see the detail): fix the document and re-sync",
    "6140": "a QuickBooks transaction already has this number: link to it or change the reference",
    "6210": "the date is in a closed period: change the document's date or QuickBooks' book close date",
    "6240": "a customer, supplier or employee in QuickBooks already has this name: link to it or rename",
    "5010": "it was changed in QuickBooks meanwhile: pull and re-sync",
}


@dataclass
class Progress:
    total: int
    sent: int = 0
    ok: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.ok - self.failed)

    def as_event(self) -> dict[str, Any]:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return {"event": "progress", "total": self.total, "sent": self.sent, "ok": self.ok, "failed": self.failed,
                "remaining": self.remaining, "rate_per_min": round(self.ok * 60 / elapsed, 1)}


@dataclass
class RunReport:
    run: dict[str, Any]
    documents: list[dict[str, Any]]

    @property
    def exit_code(self) -> int:
        return 1 if any(d["status"] in ("failed", "blocked") for d in self.documents) else 0

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "documents": self.documents}


class SyncEngine:
    """Sends what the plan says is ready, in waves and batches, recording every outcome once."""

    def __init__(self, cache: Cache, client: QBOClient, *, on_event: Callable[[dict[str, Any]], None] | None = None,
                 batch_size: int = 30, concurrency: int = 4):
        self.cache = cache
        self.client = client
        self.on_event = on_event or (lambda event: None)
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.run_id = ""
        self._created: list[dict[str, Any]] = []
        self._report: dict[tuple[str, str], dict[str, Any]] = {}

    # -- guards ------------------------------------------------------------------------------

    def check_writes_allowed(self) -> None:
        if self.cache.get_setting("integration_mode") == "from_quickbooks":
            raise WritesRefused("this profile is set to \"From QuickBooks only\": qbtui reads from QuickBooks and "
                                "writes nothing (change it with `qbtui settings set integration_mode both_ways`)")

    # -- the run -----------------------------------------------------------------------------

    async def sync(self, *, types: Iterable[str] | None = None, refs: Iterable[str] | None = None,
                   kind: str = "sync") -> RunReport:
        self.check_writes_allowed()
        self.run_id = self.cache.add_run({"kind": kind, "started": now_iso(), "ended": None, "counts": {}, "created": []})
        try:
            await self._recover_unknown_outcomes()
            planned_all = plan(self.cache, types=types, refs=refs, with_dependencies=True)
            selection = {(p.type, p.ref) for p in planned_all}
            progress = Progress(total=sum(1 for p in planned_all if p.status == "ready"))
            for p in planned_all:
                if p.status != "ready":
                    self._report[(p.type, p.ref)] = {"type": p.type, "ref": p.ref, "status": p.status, "qbo_ids": [],
                                                     "error": p.reasons[0].to_json() if p.reasons else None}
            self.on_event(progress.as_event())
            for wave in WAVES:
                keys = {k for k in selection if k[0] in wave}
                if not keys:
                    continue
                ready = []
                for p in plan(self.cache, types={k[0] for k in keys}, refs={k[1] for k in keys}):
                    if (p.type, p.ref) not in keys:
                        continue
                    if p.status == "ready":
                        ready.append(p)
                    elif (p.type, p.ref) not in self._report:  # blocked now by what failed in an earlier wave
                        self._report[(p.type, p.ref)] = {"type": p.type, "ref": p.ref, "status": p.status,
                                                         "qbo_ids": [], "error": p.reasons[0].to_json() if p.reasons else None}
                        progress.total -= 1
                if not ready:
                    continue
                if wave[0] == "customer":
                    ready = await self._link_existing(ready, progress)
                await self._send_wave(ready, progress)
        finally:
            counts: dict[str, int] = {}
            for doc in self._report.values():
                counts[doc["status"]] = counts.get(doc["status"], 0) + 1
            self.cache.update_run(self.run_id, ended=now_iso(), counts=counts, created=self._created)
        run = next(r for r in self.cache.runs() if r["id"] == self.run_id)
        return RunReport(run, list(self._report.values()))

    async def _recover_unknown_outcomes(self) -> None:
        """Documents left in ``sending`` by a run that died: look each part up before anything is resent."""
        stuck = {(link["type"], link["ref"]) for link in self.cache.links() if link.get("status") == "sending"}
        if not stuck:
            return
        outcomes = []
        for p in plan(self.cache):
            if (p.type, p.ref) not in stuck:
                continue
            parts = list(self._parts_done(p))
            for payload in p.payloads:
                if payload.operation != "create":
                    continue
                found = await find_existing(self.client, payload.entity, payload.body)
                if found is not None:
                    parts.append(self._part(payload, found))
            if parts:
                outcomes.append(self._outcome(p, parts, error=None))
            else:  # QBO has none of it: it was never created, so it can be sent like any pending document
                outcomes.append({"type": p.type, "ref": p.ref, "status": "failed", "run": self.run_id,
                                 "error": {"code": "sync.interrupted", "message": "an earlier run stopped while sending it; "
                                           "QuickBooks does not have it", "detail": "", "hint": "re-sync it"}})
        # Documents stuck in "sending" that are no longer ready (blocked meanwhile) stay as they are, so that they
        # are looked up again before they are ever sent.
        self.cache.record_outcomes(outcomes)

    async def _link_existing(self, ready: list[PlannedDocument], progress: Progress) -> list[PlannedDocument]:
        """Contacts and items that QBO already has (same exact name) are linked, not created again."""
        by_entity: dict[str, list[tuple[PlannedDocument, Any]]] = {}
        for p in ready:
            for payload in p.payloads:
                if payload.operation == "create" and payload.entity in NAME_FIELD:
                    by_entity.setdefault(payload.entity, []).append((p, payload))
        linked: set[tuple[str, str]] = set()
        outcomes = []
        for entity, pairs in by_entity.items():
            names = [payload.body[NAME_FIELD[entity]] for _, payload in pairs]
            existing = await find_by_names(self.client, entity, names)
            for p, payload in pairs:
                found = existing.get(payload.body[NAME_FIELD[entity]])
                if found is not None:
                    outcomes.append(self._outcome(p, [self._part(payload, found)], error=None))
                    linked.add((p.type, p.ref))
                    progress.ok += 1
        if outcomes:
            self.cache.record_outcomes(outcomes)
            for o in outcomes:
                self._report[(o["type"], o["ref"])] = {"type": o["type"], "ref": o["ref"], "status": "synced",
                                                       "qbo_ids": [q["id"] for q in o["qbo"]], "error": None,
                                                       "linked": True}
            self.on_event(progress.as_event())
        return [p for p in ready if (p.type, p.ref) not in linked]

    async def _send_wave(self, ready: list[PlannedDocument], progress: Progress) -> None:
        chunks: list[list[PlannedDocument]] = []
        current: list[PlannedDocument] = []
        size = 0
        for p in ready:
            n = max(1, len(p.payloads))
            if current and size + n > self.batch_size:
                chunks.append(current)
                current, size = [], 0
            current.append(p)
            size += n
        if current:
            chunks.append(current)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(chunk: list[PlannedDocument]) -> None:
            async with gate:
                await self._send_chunk(chunk, progress)

        await asyncio.gather(*(one(c) for c in chunks))

    # -- one batch -----------------------------------------------------------------------------

    def _parts_done(self, p: PlannedDocument) -> list[dict[str, Any]]:
        link = self.cache.link(p.type, p.ref) or {}
        return [q for q in link.get("qbo") or () if q.get("id")]

    @staticmethod
    def _part(payload: Payload, obj: dict[str, Any]) -> dict[str, Any]:
        return {"key": payload.key, "entity": payload.entity, "id": str(obj["Id"]),
                "sync_token": str(obj.get("SyncToken", "0"))}

    def _outcome(self, p: PlannedDocument, parts: list[dict[str, Any]], error: dict[str, Any] | None) -> dict[str, Any]:
        """The link record after this attempt: parts created so far (earlier attempts included) and the status."""
        record = self.cache.get(p.type, p.ref)
        outcome: dict[str, Any] = {"type": p.type, "ref": p.ref, "run": self.run_id}
        if p.payloads and all(pl.operation in ("void", "delete") for pl in p.payloads):
            if error is None:  # the inventory side voided it: the QBO objects are gone
                outcome.update(status="voided", synced_rev=record["rev"] if record else None)
            else:
                outcome.update(status="failed", error=error)
            return outcome
        merged = {q.get("key") or q["entity"]: q for q in self._parts_done(p)}
        merged.update({q["key"]: q for q in parts})
        outcome["qbo"] = list(merged.values())
        complete = all(pl.key in merged for pl in p.payloads)
        if error is None and complete:
            outcome.update(status="synced", synced_rev=record["rev"] if record else None)
        elif error is not None and error["code"] == NO_ANSWER:
            outcome.update(status="sending", error=error)  # may exist in QBO: the next run looks it up first
        else:
            outcome.update(status="failed", error=error or {"code": "sync.incomplete", "message": "not every part "
                                                             "was created", "detail": "", "hint": "re-sync it"})
        return outcome

    async def _send_one(self, payload: Payload) -> Any:
        """A void or delete (not batchable as QBO's batch knows them): the object or the fault."""
        body = payload.body
        try:
            if payload.operation == "void":
                return await self.client.void(payload.entity, body["Id"], body["SyncToken"])
            return await self.client.delete(payload.entity, body["Id"], body["SyncToken"])
        except QBOFault as fault:
            if fault.code == "610":  # already gone in QBO
                return {"Id": body["Id"], "SyncToken": body["SyncToken"]}
            if isinstance(fault, ReconnectRequired):
                raise
            return fault
        except UnknownOutcome:
            return _unknown_fault()

    async def _send_chunk(self, chunk: list[PlannedDocument], progress: Progress) -> None:
        items: list[BatchItem] = []
        owners: list[tuple[PlannedDocument, Payload]] = []
        singles: list[tuple[PlannedDocument, Payload]] = []
        for p in chunk:
            for payload in p.payloads:
                if payload.operation in ("void", "delete"):
                    singles.append((p, payload))
                    continue
                items.append(BatchItem(bid=str(len(items) + 1), operation=payload.operation, entity=payload.entity,
                                       body=jsonable(payload.body)))
                owners.append((p, payload))
        self.cache.record_outcomes([{"type": p.type, "ref": p.ref, "status": "sending", "run": self.run_id} for p in chunk])
        progress.sent += len(chunk)
        results: list[Any] = []
        if items:
            try:
                batch = await self.client.batch(items, request_id=batch_request_id(items))
                results = [r.fault if r.fault is not None else r.entity_object for r in batch]
            except UnknownOutcome:
                results = await self._settle_unknown(items)
            except ReconnectRequired:
                raise
            except QBOFault as fault:  # the whole batch was refused
                results = [fault] * len(items)
        for p, payload in singles:
            owners.append((p, payload))
            results.append(await self._send_one(payload))
        parts: dict[tuple[str, str], list[dict[str, Any]]] = {}
        errors: dict[tuple[str, str], dict[str, Any]] = {}
        for (p, payload), result in zip(owners, results):
            key = (p.type, p.ref)
            if isinstance(result, QBOFault):
                errors.setdefault(key, fault_error(result))
            else:
                parts.setdefault(key, []).append(self._part(payload, result))
                if payload.operation == "create":
                    self._created.append({"type": p.type, "ref": p.ref, "entity": payload.entity, "id": str(result["Id"])})
        outcomes = [self._outcome(p, parts.get((p.type, p.ref), []), errors.get((p.type, p.ref))) for p in chunk]
        self.cache.record_outcomes(outcomes)
        for o in outcomes:
            ok = o["status"] in ("synced", "voided")
            progress.ok += ok
            progress.failed += not ok
            doc = {"type": o["type"], "ref": o["ref"], "status": o["status"],
                   "qbo_ids": [q["id"] for q in o.get("qbo", ())], "error": o.get("error")}
            self._report[(o["type"], o["ref"])] = doc
            self.on_event({"event": "document", **doc})
        self.on_event(progress.as_event())

    async def _settle_unknown(self, items: list[BatchItem]) -> list[Any]:
        """After a lost answer: look every item up; send again only what QBO does not have."""
        results: list[Any] = [None] * len(items)
        missing: list[int] = []
        for i, item in enumerate(items):
            found = await find_existing(self.client, item.entity, item.body) if item.operation == "create" else None
            if found is not None:
                results[i] = found
            else:
                missing.append(i)
        if missing:
            retry = [BatchItem(bid=str(n + 1), operation=items[i].operation, entity=items[i].entity, body=items[i].body)
                     for n, i in enumerate(missing)]
            try:
                again = await self.client.batch(retry, request_id=batch_request_id(retry))
                for i, r in zip(missing, again):
                    results[i] = r.fault if r.fault is not None else r.entity_object
            except UnknownOutcome:
                for i in missing:
                    results[i] = _unknown_fault()
        return results


NO_ANSWER = "sync.no_answer"


def _unknown_fault() -> QBOFault:
    return QBOFault(code=NO_ANSWER, message="QuickBooks did not answer twice; nothing was duplicated",
                    detail="", element="", status=0, fault_type="transport")
