"""The sync engine: sends planned documents to QBO exactly once and writes each outcome back once.

Exactly once, even when answers are lost:

1. Before a request goes out, its documents are recorded as ``sending`` (one fsync'd journal line).
2. Every request carries a ``requestid`` derived from the run, the kind of request (batch or single)
   and its items, so a resent identical request replays, however often it is resent within the run (and
   a later run, after the user fixed something, is not answered from the replay).
3. After an unknown outcome (timeout, dropped connection) nothing is sent again before each item
   is looked up in QBO by its key (DocNumber, DisplayName, PaymentRefNum; in bulk, ``IN``, paged):
   found and confirmed as ours (``lookup.same_document``) means created. What is missing is resent as
   it was first sent (same request, same ``requestid``). A create answered 6140/6240 (duplicate
   number/name), or a payment refused (6000: more than the open balance), is looked up too: our own lost
   create is linked; a contact or item of the same name is linked as pre-existing (never undone).
   An update answered 5010 (stale SyncToken: our earlier update went through unanswered) is re-read
   and re-applied.
4. A run that was killed leaves documents in ``sending``: the next run looks those up first. A
   document still without an answer at the end of a run is reported ``pending`` (exit code 1).
5. Contacts and items are linked to an existing QBO object of the same name before any create.

Throughput: QBO allows 40 batch requests (30 items each) AND 460 other requests per minute. A wave is a
shared queue of documents; batch workers take 30 at a time, single workers one at a time, each only
when the client's throttle has a place for its kind of request, so both budgets are used side by side
and the wave ends at about the same moment for both.

Documents go in waves (contacts and products; then the documents that use them; then payments,
which need their invoice's QBO Id), re-planned between waves so that new Ids are used.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qbtui.cache import Cache, ChangedObject, ErrorRecord, Outcome, QBOPart, Run, RunObject
from qbtui.cache.records import RunFailure, RunStop
from qbtui.errors import (
    FAULT_DUPLICATE_DOC_NUMBER,
    FAULT_DUPLICATE_NAME,
    FAULT_INACTIVE_REFERENCE,
    FAULT_PERIOD_CLOSED,
    FAULT_STALE_OBJECT,
)
from qbtui.ledger.context import Prefs
from qbtui.ledger.gates import DEPENDENCIES, ITEM_CONFLICT, LABEL, Reason, item_conflict
from qbtui.ledger.kinds import WAVES, dependencies  # sending waves: a wave only names objects made by earlier ones
from qbtui.ledger.payload import Payload, jsonable, resolve_parts, unresolved_parts, wire
from qbtui.ledger.refs import doc_number
from qbtui.limits import BATCH_MAX_ITEMS
from qbtui.qbo import (
    BatchItem,
    CompanyFault,
    QBOClient,
    QBOFault,
    UnknownOutcome,
    WritesRefused as WritesRefused,  # what check_writes_allowed raises, for callers of the engine
    request_id,
)
from qbtui.sync import conflicts, credits, events, taxcheck
from qbtui.sync.lookup import (
    NAME_FIELD,
    PAYMENT_ENTITIES,
    find_by_names,
    find_many,
    name_holders,
    number_holder,
    quote,
)
from qbtui.sync.plan import PlannedDocument, plan
from qbtui.sync.readonly import check_writes_allowed as check_writes_allowed  # the one read-only rule
from qbtui.sync.runs import now_iso, who
from qbtui.sync.summaries import post_summaries

log = logging.getLogger(__name__)



def fault_error(fault: QBOFault, hint: str = "") -> ErrorRecord:
    """A failed answer as the link's error: QBO's code, message and detail, what to do, the answer's intuit_tid
    (what Intuit support asks for) and, after a 6240 or 6140, the QBO object that holds the name or number."""
    error: ErrorRecord = {"code": fault.code, "message": fault.message, "detail": fault.detail,
                          "hint": hint or getattr(fault, "explained", "") or HINTS.get(fault.code, "")}
    if fault.intuit_tid:
        error["intuit_tid"] = fault.intuit_tid
    holder = getattr(fault, "holder", None)
    if holder:
        error["holder"] = holder
    return error


def _explained(fault: QBOFault, hint: str, holder: dict[str, Any]) -> QBOFault:
    """A copy of ``fault`` that names the QBO object holding the name or number (see :func:`fault_error`)."""
    out = copy.copy(fault)
    out.explained = hint  # type: ignore[attr-defined]
    out.holder = holder  # type: ignore[attr-defined]
    return out


HINTS = {
    FAULT_INACTIVE_REFERENCE: "the contact or item it names was made inactive in QuickBooks: re-link it or reactivate it",
    "2500": "it names an object QuickBooks does not know: re-link the contact or item",
    "2020": "a required field is missing: fix the document and re-sync",
    "2050": "a value is too long for QuickBooks: shorten it and re-sync",
    "6000": "QuickBooks refused it (see the detail): fix the document and re-sync",
    FAULT_DUPLICATE_DOC_NUMBER: "a QuickBooks transaction already has this number: link to it or change the reference",
    FAULT_PERIOD_CLOSED: "the date is in a closed period: change the document's date or QuickBooks' book close date",
    FAULT_DUPLICATE_NAME: "a customer, supplier or employee in QuickBooks already has this name: link to it or rename",
    FAULT_STALE_OBJECT: "it was changed in QuickBooks meanwhile: pull and re-sync",
    ITEM_CONFLICT: "run `qbtui products replace`, or give the product another name",
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

    def as_event(self) -> events.Progress:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return {"event": "progress", "total": self.total, "sent": self.sent, "ok": self.ok, "failed": self.failed,
                "remaining": self.remaining, "rate_per_min": round(self.ok * 60 / elapsed, 1)}


@dataclass
class RunReport:
    run: Run
    documents: list[dict[str, Any]]

    @property
    def exit_code(self) -> int:
        return 1 if any(d["status"] in ("failed", "blocked", "pending", "conflict") for d in self.documents) else 0

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "documents": self.documents}


class Linked(dict):
    """An object QBO already had (found by name after 6240): linked to, never counted as created."""


@dataclass(frozen=True)
class Unapplied:
    """A credit note's ``apply`` part not sent: nothing could be applied (credits.cap_application), ``note`` says
    why; the document is synced without it, the note on its link and history."""

    note: str


HOLDER_WORDS = {"Customer": "customer", "Vendor": "supplier (vendor)", "Employee": "employee", "Item": "product"}
LINK_ON_DUPLICATE = {FAULT_DUPLICATE_DOC_NUMBER, FAULT_DUPLICATE_NAME}  # duplicate DocNumber / name: our own lost create, when it matches
LINK_ON_OVERPAYMENT = "6000"  # a payment refused as more than the open balance: our own lost payment, when it matches
NO_ANSWER = "sync.no_answer"


def _unknown_fault(detail: str = "") -> QBOFault:
    return QBOFault(code=NO_ANSWER, message="QuickBooks did not answer; it is looked up before it is ever sent again",
                    detail=detail, element="", status=0, fault_type="transport")


class SyncEngine:
    """Sends what the plan says is ready, in waves, batches and single requests, recording every outcome once."""

    def __init__(self, cache: Cache, client: QBOClient, *, on_event: events.Listener | None = None,
                 batch_size: int = BATCH_MAX_ITEMS, batch_workers: int = 3, single_workers: int = 6, singles: bool = True,
                 concurrency: int | None = None):
        self.cache = cache
        self.client = client
        self.on_event = on_event or (lambda event: None)
        self.batch_size = batch_size
        self.batch_workers = max(1, concurrency or batch_workers)
        self.single_workers = single_workers if singles else 0
        self.run_id = ""
        self._created: list[RunObject] = []
        self._changed: list[ChangedObject] = []  # updates in place and voids/deletes, for the run log
        self._report: dict[tuple[str, str], dict[str, Any]] = {}
        self._failures: list[RunFailure] = []  # every failed answer of the run, with its intuit_tid, for the run log
        self._stopped: RunStop | None = None  # the company-wide fault that stopped the run
        self._run_saved_at = 0.0
        self._prefs: Prefs | None = None
        self._overwrite: set[tuple[str, str]] = set()  # documents sent over QuickBooks' changes (resolved: push)

    @property
    def prefs(self) -> Prefs:
        """QBO's preferences as the last pull stored them (AutoApplyCredit: qbtui/sync/credits.py)."""
        if self._prefs is None:
            self._prefs = Prefs.from_qbo(self.cache.reference("preferences", None),
                                         self.cache.reference("company_info", None))
        return self._prefs

    # -- guards ------------------------------------------------------------------------------

    def check_writes_allowed(self) -> None:
        check_writes_allowed(self.cache)

    # -- the run -----------------------------------------------------------------------------

    async def sync(self, *, types: Iterable[str] | None = None, refs: Iterable[str] | None = None,
                   keys: Iterable[tuple[str, str]] | None = None, kind: str = "sync",
                   overwrite: Iterable[tuple[str, str]] | None = None) -> RunReport:
        """Send the selection (types, refs, exact (type, ref) keys; none = every pending document) and
        what it depends on, in waves. An update whose QBO copy changed since qbtui last wrote it is held back as a
        ``conflict`` (qbtui/sync/conflicts.py), unless its document is in ``overwrite`` (a conflict resolved by
        pushing ours again)."""
        self.check_writes_allowed()
        self._overwrite = set(overwrite or ())
        self.run_id = self.cache.add_run({"kind": kind, "started": now_iso(), "ended": None, "counts": {}, "created": [],
                                          "who": who()})
        try:
            self._close_interrupted_runs()
            await self._recover_unknown_outcomes()
            planned_all = plan(self.cache, types=types, refs=refs, keys=keys, with_dependencies=True)
            selection = {(p.type, p.ref) for p in planned_all}
            # skipped by a setting (a summarized channel's documents, those made in QuickBooks): reported once, not
            # planned again in their wave (at 100,000 summarized documents, seconds each wave)
            settled = {(p.type, p.ref) for p in planned_all if p.status == "skipped"}
            progress = Progress(total=sum(1 for p in planned_all if p.status == "ready"))
            self._report_held(types, refs, keys)
            for p in planned_all:
                if p.status != "ready":
                    self._report[(p.type, p.ref)] = {"type": p.type, "ref": p.ref, "status": p.status, "qbo_ids": [],
                                                     "error": p.reasons[0].to_json() if p.reasons else None}
            self.on_event(progress.as_event())
            first = True
            for wave in WAVES:
                wave_keys = {k for k in selection if k[0] in wave}
                if not wave_keys:
                    continue
                ready = []
                if first:  # the plan made above is current: nothing was sent since
                    wave_plan = [p for p in planned_all if (p.type, p.ref) in wave_keys]
                else:
                    wave_plan = plan(self.cache, keys=wave_keys - settled) if wave_keys - settled else []
                for p in wave_plan:
                    if p.status == "ready":
                        ready.append(p)
                    elif (p.type, p.ref) not in self._report:  # blocked now by what failed in an earlier wave
                        held = self._held_by_failure(p)
                        self._report[(p.type, p.ref)] = {"type": p.type, "ref": p.ref, "status": p.status,
                                                         "qbo_ids": [], "error": held or (p.reasons[0].to_json()
                                                                                          if p.reasons else None)}
                        progress.total -= 1
                first = False
                if not ready:
                    continue
                if wave[0] == "customer":
                    ready = await self._link_existing(ready, progress)
                ready = await self._hold_conflicts(ready, progress)
                await self._send_wave(ready, progress)
            if types is None and refs is None and keys is None and kind == "sync":
                await self._post_summaries()
        except CompanyFault as fault:  # about the whole company: stop now; documents in flight stay "sending"
            self._stopped = {"code": fault.code, "message": str(fault), "hint": fault.hint,
                             "intuit_tid": fault.intuit_tid}
            raise
        finally:
            self._save_run(final=True)
        run = next(r for r in self.cache.runs() if r["id"] == self.run_id)
        return RunReport(run, list(self._report.values()))

    # -- summaries (qbtui/sync/summaries.py) ------------------------------------------------------

    async def _post_summaries(self) -> None:
        """The due periods of summarized channels, after every wave (their customer's and products' Ids are known,
        and their payments need the Ids of the invoices they pay). The run keeps what it posted (``summaries``);
        each summarized document is in the report as ``summarized`` with the summary's QBO Id."""
        # this run's gate results, not computed again: what the gates hold back, and what its channel summarizes
        blocked = {k for k, d in self._report.items() if d["status"] == "blocked"}
        summarized = {k for k, d in self._report.items()
                      if d["status"] == "skipped" and (d["error"] or {}).get("code") == "channel.summarized"}
        posted = await post_summaries(self.cache, self.client, run=self.run_id, blocked=blocked,
                                      summarized=summarized)
        if not posted:
            return
        for r in posted:
            for t, ref in r["document_keys"]:
                doc = {"type": t, "ref": ref, "status": "summarized", "qbo_ids": [r["qbo_id"]], "error": None,
                       "summary": r["key"]["ref"]}
                self._report[(t, ref)] = doc
                self.on_event({"event": "document", **doc})  # the dashboard's row follows
        self.cache.update_run(self.run_id, summaries=[
            {"ref": r["key"]["ref"], "entity": r["entity"], "id": r["qbo_id"], "outcome": r["outcome"],
             "count": r["count"], "total": str(r["total"]), "key": r["key"]} for r in posted])

    # -- conflicts (qbtui/sync/conflicts.py) ------------------------------------------------------

    def _report_held(self, types: Iterable[str] | None, refs: Iterable[str] | None,
                     keys: Iterable[tuple[str, str]] | None) -> None:
        """The documents of the selection already held back as conflicts: in the report (the run exits 1)."""
        types_, refs_, keys_ = set(types or ()), set(refs or ()), set(keys or ())
        for link in self.cache.links(["conflict"]):
            key = (link["type"], link["ref"])
            if key in self._overwrite:
                continue
            if (types_ or refs_ or keys_) and not (key in keys_ or ((not types_ or key[0] in types_)
                                                                   and (not refs_ or key[1] in refs_)
                                                                   and (types_ or refs_))):
                continue
            self._report[key] = {"type": key[0], "ref": key[1], "status": "conflict", "qbo_ids": [],
                                 "error": link.get("error")}

    async def _current(self, entity: str, ids: list[str]) -> dict[str, dict[str, Any] | None]:
        """QBO's current copy of each Id (None: deleted in QuickBooks), in bulk (one query per 100 Ids)."""
        out: dict[str, dict[str, Any] | None] = {}
        active = " AND Active IN (true, false)" if entity in NAME_FIELD or entity == "Item" else ""
        for start in range(0, len(ids), 100):
            part = ids[start:start + 100]
            for row in await self.client.query_all(entity, f"Id IN ({', '.join(quote(i) for i in part)}){active}"):
                out[str(row.get("Id"))] = row
        for missing in [i for i in ids if i not in out]:
            try:
                out[missing] = await self.client.read(entity, missing)
            except CompanyFault:
                raise
            except QBOFault as fault:
                if fault.code != FAULT_INACTIVE_REFERENCE:  # 610 Object Not Found: deleted
                    raise
                out[missing] = None
        return out

    async def _hold_conflicts(self, ready: list[PlannedDocument], progress: Progress) -> list[PlannedDocument]:
        """Before updates go out: QBO's current copy of each is compared with its baseline. Changed in QuickBooks
        (a field we send differs) or deleted there: held back as ``conflict``, nothing sent. Otherwise the update
        carries QBO's current SyncToken (a payment applied moved it)."""
        wanted: dict[str, set[str]] = {}
        for p in ready:
            for pl in p.payloads:
                if pl.operation == "update" and pl.body.get("Id") is not None:
                    wanted.setdefault(pl.entity, set()).add(str(pl.body["Id"]))
        if not wanted:
            return ready
        try:
            current = {entity: await self._current(entity, sorted(ids)) for entity, ids in wanted.items()}
        except CompanyFault:
            raise
        except (QBOFault, UnknownOutcome) as exc:
            log.warning("could not read QuickBooks' current copies before updating (%s): sending with the stored "
                        "SyncToken (QuickBooks refuses a stale one)", exc)
            return ready
        found = {(d.get("type"), d.get("ref")) for d in self.cache.reference("discrepancies", []) or []
                 if isinstance(d, dict) and d.get("kind") in ("changed", "deleted")}
        kept, held, items = [], [], []
        for p in ready:
            if not any(pl.operation == "update" and pl.body.get("Id") is not None for pl in p.payloads):
                kept.append(p)  # creates only: nothing in QuickBooks to compare with
                continue
            link = self.cache.link(p.type, p.ref) or {}
            parts = {str(q.get("id")): q for q in link.get("qbo") or ()}
            payloads, why = [], None
            for pl in p.payloads:
                if pl.operation != "update" or pl.body.get("Id") is None:
                    payloads.append(pl)
                    continue
                qbo_id = str(pl.body["Id"])
                now = current[pl.entity].get(qbo_id)
                if now is None:
                    why = why or ("deleted", pl, now, [])
                    continue
                baseline = (parts.get(qbo_id) or {}).get("baseline")
                sent = [k for k in pl.body if k not in conflicts.IGNORED]
                if baseline is not None:
                    changed = conflicts.changed_fields(baseline, now, sent)
                else:  # written before baselines were kept: what a pull saw changed counts
                    token = str((parts.get(qbo_id) or {}).get("sync_token", ""))
                    changed = sent if (p.type, p.ref) in found and str(now.get("SyncToken")) != token else []
                if changed:
                    why = why or ("changed", pl, now, changed)
                payloads.append(dataclasses.replace(pl, body={**pl.body, "SyncToken": str(now.get("SyncToken", "0"))}))
            if why is not None and (why[0] == "deleted" or (p.type, p.ref) not in self._overwrite):  # deleted: resend
                held.append(p)
                items.append(self._conflict_item(p, *why))
            else:
                p.payloads = payloads
                kept.append(p)
        if held:
            self._record_conflicts(held, items, progress)
        return kept

    def _conflict_item(self, p: PlannedDocument, kind: str, pl: Payload, now: dict[str, Any] | None,
                       changed: list[str]) -> dict[str, Any]:
        """The discrepancy of a held document: what differs, ours (this update) against QuickBooks' copy."""
        from qbtui.sync.pull import owned_differences

        differences: list[dict[str, Any]] = []
        if now is not None:
            ours = jsonable(pl.body)
            differences = owned_differences(ours, now) or conflicts.field_differences(ours, now, changed)
        return {"type": p.type, "ref": p.ref, "entity": pl.entity, "id": str(pl.body.get("Id")),
                "kind": conflicts.KIND_CONFLICT, "qbo_deleted": kind == "deleted", "differences": differences,
                "seen": now_iso(), "run": self.run_id}

    def _record_conflicts(self, held: list[PlannedDocument], items: list[dict[str, Any]], progress: Progress) -> None:
        outcomes: list[Outcome] = []
        for p, item in zip(held, items):
            words = "; ".join(r["text"] for r in conflicts.field_rows(item["differences"]))
            what = ("deleted in QuickBooks" if item["qbo_deleted"] else
                    "changed in QuickBooks since qbtui last wrote it" + (f" ({words})" if words else ""))
            error: ErrorRecord = {
                "code": conflicts.CONFLICT, "message": f"Not sent: {item['entity']} {item['id']} was {what}.",
                "detail": words,
                "hint": (f"qbtui discrepancies resolve {p.type} {p.ref} --resend (or --dismiss NOTE)"
                         if item["qbo_deleted"] else
                         f"qbtui discrepancies resolve {p.type} {p.ref} --push | --accept | --dismiss NOTE")}
            outcomes.append({"type": p.type, "ref": p.ref, "status": "conflict", "error": error, "run": self.run_id})
            doc = {"type": p.type, "ref": p.ref, "status": "conflict", "qbo_ids": [item["id"]], "error": error}
            self._report[(p.type, p.ref)] = doc
            self.on_event({"event": "document", **doc})
            progress.total -= 1
        self.cache.record_outcomes(outcomes)
        keys = {(i["type"], i["ref"]) for i in items}
        kept = [d for d in self.cache.reference("discrepancies", []) or []
                if not (isinstance(d, dict) and (d.get("type"), d.get("ref")) in keys)]
        self.cache.put_reference("discrepancies", kept + items)
        self.on_event(progress.as_event())

    def _held_by_failure(self, p: PlannedDocument) -> dict[str, str] | None:
        """The reason a document is held (not sent) when what it needs failed earlier in this run: naming the
        failed document and its fault, rather than "not part of this selection"."""
        record = self.cache.get(p.type, p.ref)
        if record is None:
            return None
        for dep in dependencies(record["data"]):
            done = self._report.get(dep)
            if done is None or done["status"] != "failed":
                continue
            err = done.get("error") or {}
            field_ = next((r.field for r in p.reasons if r.code.startswith("dependency.")), "")
            label = LABEL.get(dep[0], dep[0])
            return {"code": "dependency.failed",
                    "message": f"Not sent: it needs {label} {dep[1]!r}, which failed in this run "
                               f"({err.get('code', '')}: {err.get('message', '')}).",
                    "hint": f"Fix {label} {dep[1]!r} first (see qbtui errors); this one follows at the next sync",
                    "field": field_, "family": DEPENDENCIES}
        return None

    def _save_run(self, final: bool = False) -> None:
        """The run record, also while it runs (at most every 2 s), so that a killed run keeps what it created."""
        now = time.monotonic()
        if not final and now - self._run_saved_at < 2.0:
            return
        self._run_saved_at = now
        if final:
            counts: dict[str, int] = {}
            for doc in self._report.values():
                counts[doc["status"]] = counts.get(doc["status"], 0) + 1
            extra: dict[str, Any] = {"failures": self._failures} if self._failures else {}
            if self._stopped is not None:
                extra["stopped"] = self._stopped
            self.cache.update_run(self.run_id, ended=now_iso(), counts=counts, created=self._created,
                                  changed=self._changed, **extra)
        else:
            self.cache.update_run(self.run_id, created=self._created, changed=self._changed,
                                  **({"failures": self._failures} if self._failures else {}))

    def _close_interrupted_runs(self) -> None:
        """A run that was killed never wrote its end, and may miss what it created in its last two seconds:
        complete its ``created`` list from the links it last wrote, and mark it interrupted."""
        open_runs = {r["id"]: r for r in self.cache.runs()
                     if r["id"] != self.run_id and r.get("kind") in ("sync", "scheduled") and not r.get("ended")}
        if not open_runs:
            return
        extra: dict[str, list[RunObject]] = {}
        # synced links, and those left part-way (some parts in QBO, found or made by that run: a document whose parts
        # go one after another, such as an applied supplier deposit, may be killed between two of them)
        kept = ("synced", "sending", "failed")
        for link in self.cache.links(list(kept), runs=open_runs):  # through the links' (run) index
            run = open_runs.get(link.get("run") or "")
            if run is None or link.get("status") not in kept:
                continue
            known = {(c["entity"], c["id"]) for c in run.get("created") or ()}
            known |= {(c["entity"], c["id"]) for c in extra.get(run["id"], ())}
            for q in link.get("qbo") or ():
                if q.get("id") and (q["entity"], q["id"]) not in known and not q.get("linked"):
                    extra.setdefault(run["id"], []).append({"type": link["type"], "ref": link["ref"],
                                                            "entity": q["entity"], "id": q["id"]})
        for run_id, run in open_runs.items():
            self.cache.update_run(run_id, ended=now_iso(), interrupted=True,
                                  created=list(run.get("created") or []) + extra.get(run_id, []))

    async def recover(self, run_id: str) -> None:
        """Look up in QBO every document whose outcome is unknown (``sending``) and link what is found, sending
        nothing (what ``qbtui repair`` runs); found objects are not counted as created by ``run_id``."""
        self.run_id = run_id
        await self._recover_unknown_outcomes()
        self._created.clear()

    async def _recover_unknown_outcomes(self) -> None:
        """Documents left in ``sending`` by a run that died: look each part up before anything is resent.
        Wave by wave, re-planned in between, so that a document is looked up with the Ids of what it names
        (a payment with its customer's and invoice's) when those were unknown too (a lost journal)."""
        stuck = {(link["type"], link["ref"]) for link in self.cache.links(["sending"])}
        for wave in WAVES:
            keys = {k for k in stuck if k[0] in wave}
            if keys:
                await self._recover_keys(keys)

    async def _recover_keys(self, stuck: set[tuple[str, str]]) -> None:
        docs = [p for p in plan(self.cache, keys=stuck) if (p.type, p.ref) in stuck]
        creates = [(p, pl) for p in docs for pl in p.payloads if pl.operation == "create"]
        found = await self._lookup_staged(creates)
        parts: dict[tuple[str, str], list[QBOPart]] = {}
        for (p, payload), obj in zip(creates, found):
            if obj is not None:
                if credits.may_auto_apply(payload, self.prefs):  # killed before QBO's own application was taken off
                    fault = await self._release(p, str(obj["Id"]))
                    if fault is not None:
                        log.info("%s %s: QuickBooks' own application of its credit memo stays (%s)", p.type, p.ref,
                                 fault)
                parts.setdefault((p.type, p.ref), []).append(self._part(payload, obj))
                self._created.append({"type": p.type, "ref": p.ref, "entity": payload.entity, "id": str(obj["Id"])})
        outcomes = []
        for p in docs:
            got = parts.get((p.type, p.ref))
            if not got:
                continue  # QBO has none of it: it stays pending (``sending``) and is planned and sent like any other
            outcome = self._outcome(p, got, error=None)
            if outcome["status"] == "failed":  # some parts found, the rest is sent by this run
                outcome["status"] = "sending"
            outcomes.append(outcome)
        # Documents stuck in "sending" that are no longer ready (blocked meanwhile) stay as they are, so that they
        # are looked up again before they are ever sent.
        self.cache.record_outcomes(outcomes)
        if outcomes:
            log.info("%d documents of an interrupted run were found in QuickBooks and linked", len(outcomes))

    async def _lookup_staged(self, pairs: list[tuple[PlannedDocument, Payload]]) -> list[dict[str, Any] | None]:
        """:meth:`_lookup`, the parts that name another part of their document (a deposit's bill payment naming its
        journal) in a second round, with the Ids the first round found: what names a part not found was not made
        either (it is sent after that part)."""
        staged = [i for i, (_, pl) in enumerate(pairs) if unresolved_parts(pl.body)]
        if not staged:
            return await self._lookup(pairs)
        first = [i for i in range(len(pairs)) if i not in set(staged)]
        out: list[dict[str, Any] | None] = [None] * len(pairs)
        for i, obj in zip(first, await self._lookup([pairs[i] for i in first])):
            out[i] = obj
        ids: dict[tuple[str, str], dict[str, str]] = {}
        for i in first:
            p, pl = pairs[i]
            known = ids.setdefault((p.type, p.ref), self._known_parts(p))
            if out[i] is not None:
                known[pl.key] = str(out[i]["Id"])  # type: ignore[index]
        ready = []
        for i in staged:
            p, pl = pairs[i]
            resolved = resolve_parts(pl, ids.get((p.type, p.ref)) or self._known_parts(p))
            if not unresolved_parts(resolved.body):
                ready.append((i, (p, resolved)))
        for (i, _), obj in zip(ready, await self._lookup([pair for _, pair in ready])):
            out[i] = obj
        return out

    async def _lookup(self, pairs: list[tuple[PlannedDocument, Payload]]) -> list[dict[str, Any] | None]:
        """The QBO object each create payload made, or None; in bulk (one query per entity and 100 keys).
        A lookup that itself gets no answer raises QBOFault (network)."""
        out: list[dict[str, Any] | None] = [None] * len(pairs)
        by_entity: dict[str, list[int]] = {}
        for i, (_, payload) in enumerate(pairs):
            by_entity.setdefault(payload.entity, []).append(i)
        for entity, idx in by_entity.items():
            found = await find_many(self.client, entity, [jsonable(pairs[i][1].body) for i in idx],
                                    renumbered=self.prefs.known and not self.prefs.custom_txn_numbers)
            for i, obj in zip(idx, found):
                out[i] = obj
        return out

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
            try:
                existing = await find_by_names(self.client, entity, names)
            except CompanyFault:
                raise
            except QBOFault as fault:  # creating is still safe: QBO refuses a second name (6240), then we look again
                log.warning("could not look up existing %s names (%s); creating, QuickBooks refuses duplicates",
                            entity, fault.code)
                existing = {}
            folded = {k.casefold(): v for k, v in existing.items()}
            for p, payload in pairs:
                name = payload.body[NAME_FIELD[entity]]
                found = existing.get(name) or folded.get(name.casefold())
                if found is not None and self._item_conflict(p, found) is not None:
                    continue  # never linked: sent, QBO refuses the name (6240), and _settle says why
                if found is not None:
                    outcomes.append(self._outcome(p, [{**self._part(payload, found), "linked": True}], error=None))
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

    def _item_conflict(self, p: PlannedDocument, item: dict[str, Any]) -> Reason | None:
        """Why the QBO item found for product ``p`` must not be linked (ledger.gates.item_conflict), or None."""
        if p.type != "product":
            return None
        rec = self.cache.get(p.type, p.ref)
        return item_conflict(rec["data"] if rec else {}, item, self.cache.get_setting("mapping") or {})

    async def _send_wave(self, ready: list[PlannedDocument], progress: Progress) -> None:
        """Batch workers and single workers drain one queue, each taking work only when its request can go."""
        queue: deque[PlannedDocument] = deque()
        single_only: deque[PlannedDocument] = deque()
        for p in ready:
            if any(pl.operation in ("void", "delete") for pl in p.payloads) or len(p.payloads) > self.batch_size \
                    or any(pl.after for pl in p.payloads) \
                    or any(credits.may_auto_apply(pl, self.prefs) for pl in p.payloads):
                # a part that names another's Id goes after it; a credit memo QBO may apply on its own
                # (AutoApplyCredit) has that application taken off before the document is recorded
                single_only.append(p)
            else:
                queue.append(p)
        throttle = self.client.throttle

        async def batch_worker() -> None:
            while queue:
                if len(queue) > 1 or not self.single_workers:
                    await throttle.wait_ready(batch=True)
                chunk: list[PlannedDocument] = []
                size = 0
                while queue and size + max(1, len(queue[0].payloads)) <= self.batch_size:
                    p = queue.popleft()
                    chunk.append(p)
                    size += max(1, len(p.payloads))
                if not chunk:
                    return
                if len(chunk) == 1 and self.single_workers:
                    await self._send_single(chunk[0], progress)
                else:
                    await self._send_chunk(chunk, progress)

        async def single_worker() -> None:
            while single_only or queue:
                await throttle.wait_ready(batch=False)
                if single_only:
                    p = single_only.popleft()
                elif queue:
                    p = queue.pop()  # from the far end: the batch workers take from the front
                else:
                    return
                await self._send_single(p, progress)

        workers = [batch_worker() for _ in range(self.batch_workers)]
        workers += [single_worker() for _ in range(max(self.single_workers, 1 if single_only else 0))]
        tasks = [asyncio.ensure_future(w) for w in workers]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    # -- outcomes ------------------------------------------------------------------------------

    def _parts_done(self, p: PlannedDocument) -> list[QBOPart]:
        link = self.cache.link(p.type, p.ref)
        return [q for q in (link.get("qbo") or () if link else ()) if q.get("id")]

    @staticmethod
    def _part(payload: Payload, obj: dict[str, Any]) -> QBOPart:
        part: QBOPart = {"key": payload.key, "entity": payload.entity, "id": str(obj["Id"]),
                         "sync_token": str(obj.get("SyncToken", "0"))}
        if len(obj) > 2:  # QBO's copy as written: the baseline a later update is checked against (never a bare Id)
            part["baseline"] = conflicts.fingerprint(obj)
        return part

    def _outcome(self, p: PlannedDocument, parts: list[QBOPart], error: ErrorRecord | None,
                 unapplied: Mapping[str, str] | None = None) -> Outcome:
        """The link record after this attempt: parts created so far (earlier attempts included) and the status;
        ``unapplied``: the parts not sent as nothing could be applied (part key -> why, kept as the link's note)."""
        record = self.cache.get(p.type, p.ref)
        outcome: Outcome = {"type": p.type, "ref": p.ref, "run": self.run_id}
        if p.payloads and all(pl.operation in ("void", "delete") for pl in p.payloads):
            if error is None:  # the inventory side voided it: the QBO objects are gone
                outcome.update({"status": "voided", "synced_rev": record["rev"] if record else None})
            elif error["code"] == NO_ANSWER:
                outcome.update({"status": "sending", "error": error})
            else:
                outcome.update({"status": "failed", "error": error})
            return outcome
        link = self.cache.link(p.type, p.ref)
        merged = {q.get("key") or q["entity"]: q for q in (link.get("qbo") or () if link else ()) if q.get("id")}
        merged.update({q["key"]: q for q in parts})
        outcome["qbo"] = list(merged.values())
        unapplied = unapplied or {}
        complete = all(pl.key in merged or pl.key in unapplied for pl in p.payloads)
        if unapplied or (link is not None and link.get("note")):
            outcome["note"] = "; ".join(unapplied.values()) or None
        if error is None and complete:
            outcome.update({"status": "synced", "synced_rev": record["rev"] if record else None})
        elif error is not None and error["code"] == NO_ANSWER:
            outcome.update({"status": "sending", "error": error})  # may exist in QBO: the next run looks it up first
        else:
            incomplete: ErrorRecord = {"code": "sync.incomplete", "message": "not every part was created",
                                       "detail": "", "hint": "re-sync it"}
            outcome.update({"status": "failed", "error": error or incomplete})
        return outcome

    def _record(self, docs: list[PlannedDocument], results: list[tuple[PlannedDocument, Payload, Any]],
                progress: Progress) -> None:
        parts: dict[tuple[str, str], list[QBOPart]] = {}
        errors: dict[tuple[str, str], ErrorRecord] = {}
        unapplied: dict[tuple[str, str], dict[str, str]] = {}
        tax_items: list[dict[str, Any]] = []
        for p, payload, result in results:
            key = (p.type, p.ref)
            if isinstance(result, Unapplied):
                unapplied.setdefault(key, {})[payload.key] = result.note
            elif isinstance(result, QBOFault):
                if key not in errors or errors[key]["code"] == NO_ANSWER:
                    errors[key] = fault_error(result)
                if result.code != NO_ANSWER:
                    self._failures.append({"type": p.type, "ref": p.ref, "entity": payload.entity, "code": result.code,
                                           "intuit_tid": result.intuit_tid})
            elif isinstance(result, Linked):
                parts.setdefault(key, []).append({**self._part(payload, result), "linked": True})
            else:
                parts.setdefault(key, []).append(self._part(payload, result))
                found = taxcheck.differences(payload, result)
                if found:
                    tax_items.append(taxcheck.discrepancy(p.type, p.ref, payload, result, found))
                entry: RunObject = {"type": p.type, "ref": p.ref, "entity": payload.entity, "id": str(result["Id"])}
                if payload.operation == "create":
                    self._created.append(entry)
                else:
                    self._changed.append({**entry, "operation": payload.operation,
                                          "sync_token": str(result.get("SyncToken", ""))})
        outcomes = [self._outcome(p, parts.get((p.type, p.ref), []), errors.get((p.type, p.ref)),
                                  unapplied.get((p.type, p.ref))) for p in docs]
        self.cache.record_outcomes(outcomes)
        taxcheck.record(self.cache, tax_items)
        for o in outcomes:
            ok = o["status"] in ("synced", "voided")
            progress.ok += ok
            progress.failed += not ok
            status = "pending" if o["status"] == "sending" else o["status"]
            doc = {"type": o["type"], "ref": o["ref"], "status": status,
                   "qbo_ids": [q["id"] for q in o.get("qbo", ())], "error": o.get("error")}
            self._report[(o["type"], o["ref"])] = doc
            self.on_event({"event": "document", **doc})
        self.on_event(progress.as_event())
        self._save_run()

    # -- sending -------------------------------------------------------------------------------

    def _known_parts(self, p: PlannedDocument) -> dict[str, str]:
        """part key -> QBO Id of the parts of ``p`` already in QBO (for bodies that name them, ledger.payload.part_id)."""
        return {str(q["key"]): str(q["id"]) for q in self._parts_done(p) if q.get("key")}

    async def _send_chunk(self, chunk: list[PlannedDocument], progress: Progress) -> None:
        """One batch request for these documents' payloads (creates and updates)."""
        pairs = [(p, resolve_parts(payload, self._known_parts(p)) if unresolved_parts(payload.body) else payload)
                 for p in chunk for payload in p.payloads]
        self.cache.record_outcomes([{"type": p.type, "ref": p.ref, "status": "sending", "run": self.run_id} for p in chunk])
        progress.sent += len(chunk)
        results = await self._batch(pairs)
        results = await self._settle(pairs, results)
        self._record(chunk, [(p, pl, r) for (p, pl), r in zip(pairs, results)], progress)

    async def _batch(self, pairs: list[tuple[PlannedDocument, Payload]], attempt: int = 0) -> list[Any]:
        """One batch: per item the QBO object or a fault; after a lost answer, looked up and the missing resent."""
        items = [BatchItem(bid=str(n + 1), operation=payload.operation, entity=payload.entity,  # type: ignore[arg-type]
                           body=wire(payload.body)) for n, (_, payload) in enumerate(pairs)]
        rid = request_id(f"{self.run_id}/batch", [(i.operation, i.entity, i.body) for i in items])
        try:
            batch = await self.client.batch(items, request_id=rid)
            return [r.fault if r.fault is not None else r.entity_object for r in batch]
        except UnknownOutcome as exc:
            log.info("no answer to a batch of %d (%s): looking its items up", len(items), exc.reason)
            return await self._after_unknown(pairs, attempt, exc.reason, batch=True)
        except CompanyFault:
            raise
        except QBOFault as fault:  # the whole batch was refused
            if fault.code in ("network",):
                return [_unknown_fault(fault.detail)] * len(items)
            return [fault] * len(items)

    async def _after_unknown(self, pairs: list[tuple[PlannedDocument, Payload]], attempt: int, reason: str, *,
                             batch: bool) -> list[Any]:
        """Look up the creates of a request that got no answer; resend once what QBO does not have, the way it
        was sent (a batch as a batch): an unchanged request keeps its requestid and replays."""
        results: list[Any] = [_unknown_fault(reason)] * len(pairs)
        creates = [i for i, (_, pl) in enumerate(pairs) if pl.operation == "create"]
        try:
            found = await self._lookup([pairs[i] for i in creates])
        except CompanyFault:
            raise
        except QBOFault:
            return results  # cannot tell: every item stays "sending", looked up by the next run
        for i, obj in zip(creates, found):
            if obj is not None:
                results[i] = obj
        if attempt >= 1:
            return results
        # resend what QBO does not have (creates not found; updates and voids are safe to re-apply: 5010 is handled)
        missing = [i for i, r in enumerate(results) if isinstance(r, QBOFault)]
        if not missing:
            return results
        if not batch:
            for i in missing:
                results[i] = await self._single(pairs[i][0], pairs[i][1], attempt + 1)
        else:
            again = await self._batch([pairs[i] for i in missing], attempt + 1)
            for i, r in zip(missing, again):
                results[i] = r
        return results

    async def _settle(self, pairs: list[tuple[PlannedDocument, Payload]], results: list[Any]) -> list[Any]:
        """Second looks at answers that may hide a success: a duplicate number/name or a payment over the open
        balance after a lost create (our own object: link it) and a stale SyncToken after a lost update
        (re-read, re-apply)."""
        dup = [i for i, r in enumerate(results) if isinstance(r, QBOFault) and pairs[i][1].operation == "create"
               and (r.code in LINK_ON_DUPLICATE
                    or (r.code == LINK_ON_OVERPAYMENT and pairs[i][1].entity in PAYMENT_ENTITIES))]
        if dup:
            try:
                found = await self._lookup([pairs[i] for i in dup])
            except CompanyFault:
                raise
            except QBOFault:
                found = [None] * len(dup)
            for i, obj in zip(dup, found):
                conflict = self._item_conflict(pairs[i][0], obj) if obj is not None else None
                if conflict is not None:  # an item that would double-count is never linked
                    results[i] = QBOFault(ITEM_CONFLICT, conflict.message, conflict.hint, element="Name",
                                          status=400, fault_type="qbtui")
                elif obj is not None:
                    log.info("%s %s: QuickBooks already had it (%s): linked", pairs[i][0].type, pairs[i][0].ref,
                             results[i].code)
                    results[i] = Linked(obj) if results[i].code == FAULT_DUPLICATE_NAME else obj
        for i, r in enumerate(results):
            if isinstance(r, QBOFault) and r.code == FAULT_STALE_OBJECT and pairs[i][1].operation in ("update", "void", "delete"):
                results[i] = await self._reapply(pairs[i][1])
        for i, r in enumerate(results):
            if isinstance(r, QBOFault) and r.code in LINK_ON_DUPLICATE and pairs[i][1].operation == "create":
                results[i] = await self._explain(pairs[i][0], pairs[i][1], r)
        return results

    async def _explain(self, p: PlannedDocument, payload: Payload, fault: QBOFault) -> QBOFault:
        """A 6240 or 6140 that is not our own lost create: the fault, naming the QBO object that holds the name or
        the number (its hint and ``holder``), so that the person can link to it, rename or renumber."""
        body = jsonable(payload.body)
        try:
            if fault.code == FAULT_DUPLICATE_NAME and payload.entity in NAME_FIELD:
                name = str(body.get(NAME_FIELD[payload.entity]) or "")
                holders = await name_holders(self.client, payload.entity, name)
                if not holders:
                    return fault
                h = holders[0]
                kind = HOLDER_WORDS.get(h["entity"], h["entity"].lower())
                hint = (f"QuickBooks' {kind} {h['name']!r} (Id {h['id']}{', inactive' if not h['active'] else ''}) "
                        "already has this name")
                if h["entity"] == payload.entity:
                    hint += (": reactivate it in QuickBooks and link to it, or rename this one" if not h["active"]
                             else ": link to it if it is the same, or rename this one")
                else:
                    hint += (" (customers, suppliers and employees share one list of names in QuickBooks): rename "
                             f"this {HOLDER_WORDS.get(payload.entity, 'one')} (e.g. add a suffix), or rename that "
                             f"{kind} in QuickBooks, then sync again")
                return _explained(fault, hint, {**h, "key": payload.key})
            if fault.code == FAULT_DUPLICATE_DOC_NUMBER:
                h = await number_holder(self.client, payload.entity, body, fault.detail)
                if h is None:
                    return fault
                what = ", ".join(x for x in (h["date"], f"total {h['total']}" if h["total"] else "", h["party"]) if x)
                hint = (f"QuickBooks {h['entity']} {h['id']} ({what}) already has number {h['doc_number']!r}: link "
                        "to it if it is this document (the dashboard's fix form), or give this one another number "
                        "(its doc_number)")
                return _explained(fault, hint, {**h, "key": payload.key})
        except CompanyFault:
            raise
        except (QBOFault, UnknownOutcome) as exc:
            log.info("could not look up who holds %s's name or number (%s)", p.ref, exc)
        return fault

    async def _reapply(self, payload: Payload) -> Any:
        """An update/void whose SyncToken is stale: read the current one and apply again (once)."""
        try:
            current = await self.client.read(payload.entity, payload.body["Id"])
            token = str(current.get("SyncToken", "0"))
            if payload.operation == "update":
                body = {**wire(payload.body), "SyncToken": token}
                body.pop("sparse", None)
                return await self.client.update(payload.entity, body, sparse=True,
                                                request_id=request_id(self.run_id, [("reapply", payload.entity, body)]))
            if payload.operation == "void":
                return await self.client.void(payload.entity, payload.body["Id"], token)
            return await self.client.delete(payload.entity, payload.body["Id"], token)
        except CompanyFault:
            raise
        except QBOFault as fault:
            if fault.code == FAULT_INACTIVE_REFERENCE and payload.operation in ("void", "delete"):
                return {"Id": payload.body["Id"], "SyncToken": payload.body.get("SyncToken", "0")}
            return fault
        except UnknownOutcome as exc:
            return _unknown_fault(exc.reason)

    async def _send_single(self, p: PlannedDocument, progress: Progress) -> None:
        """One document through single requests (one per payload)."""
        self.cache.record_outcomes([{"type": p.type, "ref": p.ref, "status": "sending", "run": self.run_id}])
        progress.sent += 1
        results = []
        made = self._known_parts(p) if any(unresolved_parts(pl.body) for pl in p.payloads) else {}
        released: set[str] = set()  # credit memos whose auto-application was just taken off
        for payload in p.payloads:
            payload = resolve_parts(payload, made)  # the Ids of the parts sent before it, when it names them
            credit = credits.applies_credit_memo(payload)  # a re-sync's apply part: released before it is sent
            result = await self._release(p, credit) if credit is not None and credit not in released else None
            if result is None and credits.applies_credit_memo(payload, ("create", "update")) is not None:
                # a credit note's application (made or changed): up to the invoice's open balance, read now
                payload, result = await self._cap_application(p, payload)
            if result is None:
                result = await self._single(p, payload, 0)
            results.append((p, payload, result))
            if isinstance(result, QBOFault):
                break  # the rest of the document waits for a re-sync
            if isinstance(result, dict) and result.get("Id") is not None:
                made[payload.key] = str(result["Id"])
                if credits.may_auto_apply(payload, self.prefs):
                    fault = await self._release(p, str(result["Id"]))
                    if fault is not None:
                        results.append((p, payload, fault))
                        break
                    released.add(str(result["Id"]))
        self._record([p], results, progress)

    async def _cap_application(self, p: PlannedDocument, payload: Payload) -> tuple[Payload, Any]:
        """The apply part as it can be sent now (credits.cap_application) and None, else the part with Unapplied
        (nothing to apply) or the fault that kept the balances from being read."""
        try:
            capped, why = await credits.cap_application(self.client, payload)
        except CompanyFault:
            raise
        except QBOFault as fault:
            return payload, fault
        except UnknownOutcome as exc:
            return payload, _unknown_fault(exc.reason)
        if capped is None:
            log.info("%s %s: %s", p.type, p.ref, why)
            return payload, Unapplied(str(why))
        return capped, None

    async def _release(self, p: PlannedDocument, credit_id: str) -> QBOFault | None:
        """Take off what QBO applied of credit memo ``credit_id`` on its own (qbtui/sync/credits.py); the fault that
        keeps the document from being recorded as synced, or None."""
        try:
            await credits.release(self.client, credit_id, doc_number(p.ref))
        except CompanyFault:
            raise
        except QBOFault as fault:
            return fault
        except UnknownOutcome as exc:
            return _unknown_fault(exc.reason)
        return None

    async def _single(self, p: PlannedDocument, payload: Payload, attempt: int) -> Any:
        """One payload as one request: the QBO object or a fault (never raises but CompanyFault)."""
        body = wire(payload.body)
        rid = request_id(f"{self.run_id}/single", [(payload.operation, payload.entity, body)])
        try:
            if payload.operation == "create":
                return await self.client.create(payload.entity, body, request_id=rid)
            if payload.operation == "update":
                body = {k: v for k, v in body.items() if k != "sparse"}
                return await self.client.update(payload.entity, body, sparse=True, request_id=rid)
            if payload.operation == "void":
                return await self.client.void(payload.entity, body["Id"], body["SyncToken"], request_id=rid)
            return await self.client.delete(payload.entity, body["Id"], body["SyncToken"], request_id=rid)
        except CompanyFault:
            raise
        except QBOFault as fault:
            if fault.code == FAULT_INACTIVE_REFERENCE and payload.operation in ("void", "delete"):  # already gone in QBO
                return {"Id": body["Id"], "SyncToken": body["SyncToken"]}
            if fault.code == "network":
                return _unknown_fault(fault.detail)
            settled = await self._settle([(p, payload)], [fault])
            return settled[0]
        except UnknownOutcome as exc:
            results = await self._after_unknown([(p, payload)], attempt, exc.reason, batch=False)
            return results[0]
