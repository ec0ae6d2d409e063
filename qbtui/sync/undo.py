"""Undo of a whole sync run: remove from QBO what that run created, newest first, in batches.

Transactions are deleted (docs/qbo.md#undoing: most cannot be voided through the API, and a voided invoice
stays live with zero amounts); contacts and items, which QBO never deletes, are made inactive.
Each document whose objects are all gone becomes ``voided``; the undo is itself a run in the log.

Throughput, as the sync engine's (qbtui/sync/engine.py): wave by wave, newest first (payments, then the
transactions, then the contacts and items they use), the current SyncTokens are read in bulk (one ``IN``
query per entity and 100 Ids) while batch workers delete or deactivate 30 at a time and single workers one
at a time, each only when the client's throttle has a place for its kind of request: QBO's 40 batches of 30
and 460 other requests a minute are both used, as the sync uses them.

Safety, per object:

- an object already gone (not found, already inactive, or "not found" to the delete) counts as removed;
- a stale SyncToken (5010: changed meanwhile) is read again and the removal retried;
- a lost answer is settled by reading the object again (a delete or a deactivation is safe to repeat):
  gone means removed, still there is sent again with its current SyncToken;
- a document of this run that another document, not undone and still in QBO, names (its customer, its
  products, its invoice) is never removed under it: the undo is refused before anything is removed, naming the
  later run and document (:class:`UndoRefused`), unless ``cascade``, which removes those documents' objects too,
  newest first. :func:`undo_plan` says what an undo would do without changing anything (``--dry-run``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qbtui.cache import Cache, ErrorRecord, Outcome, Run, RunObject
from qbtui.errors import FAULT_INACTIVE_REFERENCE, FAULT_STALE_OBJECT
from qbtui.ledger.kinds import KINDS, WAVES, dependencies
from qbtui.limits import BATCH_MAX_ITEMS
from qbtui.qbo import BatchItem, CompanyFault, QBOClient, QBOFault, UnknownOutcome, request_id
from qbtui.sync import events, summaries
from qbtui.sync.engine import fault_error
from qbtui.sync.readonly import check_writes_allowed
from qbtui.sync.runs import now_iso, who

log = logging.getLogger(__name__)

NEVER_DELETED = frozenset({"Customer", "Vendor", "Item", "Account", "Class", "Department", "Term"})
_WAVE_OF = {t: i for i, wave in enumerate(WAVES) for t in wave}
# a run's summaries (qbtui/sync/summaries.py) are posted after its waves: removed first, their payments (and the
# payments applying their credit memos) before the documents they link
_WAVE_OF |= {"summary": len(WAVES), "summary_payment": len(WAVES) + 1}
SUMMARY_TYPES = ("summary", "summary_payment")
#: Ids per read (an ``IN`` query), as the lookup after a lost answer reads (qbtui/sync/lookup.py)
READ_CHUNK = 100
#: reads of one object after a stale SyncToken or a lost answer before it is reported failed
MAX_READS = 3
NO_ANSWER = "sync.no_answer"
HINT = "remove it in QuickBooks by hand, or retry the undo"


class UndoError(Exception):
    pass


@dataclass
class _Item:
    """One object to remove: what the run created, its current SyncToken once read, how often it was read."""

    obj: RunObject
    token: str | None = None
    reads: int = 0

    @property
    def entity(self) -> str:
        return self.obj["entity"]

    @property
    def id(self) -> str:
        return str(self.obj["id"])


def _no_answer(detail: str = "") -> QBOFault:
    return QBOFault(NO_ANSWER, "QuickBooks did not answer; run the undo again", detail, fault_type="transport")


def _gone(fault: QBOFault) -> bool:
    """The object is not there any more (deleted, or not found: 610 is QBO's "Object Not Found")."""
    return fault.code == FAULT_INACTIVE_REFERENCE or fault.status == 404


def _quoted(ids: Iterable[str]) -> str:
    return ", ".join("'" + i.replace("'", "\\'") + "'" for i in ids)


class _Undo:
    """Removes the objects of one run, wave by wave; records what was removed, what failed, what was kept."""

    def __init__(self, cache: Cache, client: QBOClient, undo_id: str, on_event: events.Listener | None,
                 batch_size: int, batch_workers: int, single_workers: int) -> None:
        self.cache = cache
        self.client = client
        self.undo_id = undo_id
        self.on_event = on_event or (lambda event: None)
        self.batch_size = min(batch_size, client.batch_size, BATCH_MAX_ITEMS)
        self.batch_workers = max(1, batch_workers)
        self.single_workers = max(0, single_workers)
        self.removed: list[RunObject] = []
        self.failures: dict[tuple[str, str], ErrorRecord] = {}  # per document: its first error
        self.failed_objects: list[RunObject] = []
        self.total = 0
        self.started = time.monotonic()
        # the wave in hand
        self._to_read: deque[_Item] = deque()
        self._ready: deque[_Item] = deque()
        self._open = 0  # objects of the wave neither removed nor failed yet (in flight included)
        self._reading = 0  # reads in flight
        self._changed: asyncio.Condition | None = None
        self._done = asyncio.Event()  # the wave in hand is done
        self._batch_claims: deque[float] = deque()  # when this undo's batch workers claimed a batch place

    # -- bookkeeping -------------------------------------------------------------------------

    def progress(self) -> None:
        done = len(self.removed) + len(self.failed_objects)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.on_event({"event": "progress", "total": self.total, "sent": done, "ok": len(self.removed),
                       "failed": len(self.failed_objects), "remaining": self.total - done,
                       "rate_per_min": round(len(self.removed) * 60 / elapsed, 1)})

    def _settled(self) -> None:
        self._open -= 1
        if self._open <= 0:
            self._done.set()

    def _removed(self, item: _Item) -> None:
        self.removed.append(item.obj)
        self._settled()

    def _failed(self, item: _Item, fault: QBOFault) -> None:
        key = (item.obj["type"], item.obj["ref"])
        self.failures.setdefault(key, fault_error(fault, HINT))
        self.failed_objects.append(item.obj)
        self._settled()

    def _again(self, item: _Item, fault: QBOFault) -> None:
        """Read it again and retry (a stale SyncToken, a lost answer), or fail after MAX_READS reads."""
        if item.reads >= MAX_READS:
            self._failed(item, fault)
        else:
            item.token = None
            self._to_read.append(item)

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def _place(self, batch: bool) -> bool:
        """Wait until the throttle has a place for this kind of request; False when the wave ends meanwhile (a batch
        worker may wait most of a minute for the batch window while the single workers finish the wave)."""
        place = asyncio.ensure_future(self.client.throttle.wait_ready(batch=batch))
        end = asyncio.ensure_future(self._done.wait())
        try:
            await asyncio.wait({place, end}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (place, end):
                task.cancel()
            await asyncio.gather(place, end, return_exceptions=True)
        return self._open > 0

    async def _batch_place(self) -> bool:
        """Claim a place in the batch window, now (False: the wave ended meanwhile). Claims are counted here as well
        as in the throttle, because between the throttle's "ready" and the request another batch worker may take the
        last place, and a batch that then waits for the next window holds its 30 objects most of a minute."""
        throttle = self.client.throttle
        limit, span = throttle.limits.batches_per_minute, throttle.minute_span
        while True:
            now = throttle.clock()
            while self._batch_claims and self._batch_claims[0] <= now - span:
                self._batch_claims.popleft()
            if len(self._batch_claims) >= limit:
                wait = self._batch_claims[len(self._batch_claims) - limit] + span - now
                try:
                    await asyncio.wait_for(self._done.wait(), timeout=max(wait, 0.001))
                    return False
                except TimeoutError:
                    continue
            if not await self._place(batch=True):
                return False
            now = throttle.clock()
            while self._batch_claims and self._batch_claims[0] <= now - span:
                self._batch_claims.popleft()
            if len(self._batch_claims) < limit:  # nothing awaited since the check: the claim is this worker's
                self._batch_claims.append(now)
                return True

    async def _wait(self, ready: Any) -> bool:
        """Wait until ``ready()`` or the wave is done; False when it is done."""
        assert self._changed is not None
        async with self._changed:
            await self._changed.wait_for(lambda: self._open <= 0 or ready())
        return self._open > 0

    # -- the run -------------------------------------------------------------------------------

    async def run(self, objects: list[RunObject]) -> None:
        self.total = len(objects)
        self.progress()
        by_wave: dict[int, list[RunObject]] = {}
        for obj in objects:
            by_wave.setdefault(_WAVE_OF.get(obj["type"], 1), []).append(obj)
        for wave in sorted(by_wave, reverse=True):  # newest first: what uses an object goes before it
            await self._wave(by_wave[wave])

    async def _wave(self, objects: list[RunObject]) -> None:
        self._to_read = deque(_Item(o) for o in objects)
        self._ready = deque()
        self._open = len(objects)
        self._changed = asyncio.Condition()
        self._done = asyncio.Event()
        if not objects:
            return
        workers = [self._reader()]
        workers += [self._batch_worker() for _ in range(self.batch_workers)]
        workers += [self._single_worker() for _ in range(self.single_workers)]
        tasks = [asyncio.ensure_future(w) for w in workers]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    # -- reading the current SyncTokens ------------------------------------------------------------

    async def _reader(self) -> None:
        while await self._wait(lambda: bool(self._to_read)):
            entity = self._to_read[0].entity
            chunk: list[_Item] = []
            rest: deque[_Item] = deque()
            while self._to_read:
                item = self._to_read.popleft()
                (chunk if item.entity == entity and len(chunk) < READ_CHUNK else rest).append(item)
            self._to_read = rest
            self._reading += 1
            try:
                await self._read(entity, chunk)
            finally:
                self._reading -= 1
            self.progress()
            await self._notify()

    async def _read(self, entity: str, chunk: list[_Item]) -> None:
        """One query for up to 100 objects of one entity: what is found goes to the senders with its SyncToken,
        what is not found (deleted) or already inactive is removed."""
        for item in chunk:
            item.reads += 1
        # a query answers active contacts and items only, unless it asks for both (Intuit's data queries page)
        active = " AND Active IN (true, false)" if entity in NEVER_DELETED else ""
        sql = (f"SELECT * FROM {entity} WHERE Id IN ({_quoted(i.id for i in chunk)}){active} "
               f"MAXRESULTS {READ_CHUNK}")
        try:
            rows = await self.client.query(sql)
        except CompanyFault:  # about the whole company: the undo stops
            raise
        except QBOFault as fault:
            for item in chunk:
                self._failed(item, fault)
            return
        found = {str(r.get("Id")): r for r in rows if isinstance(r, dict)}
        for item in chunk:
            current = found.get(item.id)
            if current is None or current.get("status") == "Deleted":
                self._removed(item)  # already gone counts as removed
            elif item.entity in NEVER_DELETED and current.get("Active", True) is False:
                self._removed(item)
            else:
                item.token = str(current.get("SyncToken", "0"))
                self._ready.append(item)

    # -- removing ------------------------------------------------------------------------------------

    def _request(self, item: _Item) -> tuple[str, dict[str, Any]]:
        assert item.token is not None
        if item.entity in NEVER_DELETED:
            return "update", {"Id": item.id, "SyncToken": item.token, "Active": False, "sparse": True}
        return "delete", {"Id": item.id, "SyncToken": item.token}

    def _settle(self, item: _Item, fault: QBOFault) -> None:
        if _gone(fault):
            self._removed(item)
        elif fault.code == FAULT_STALE_OBJECT:  # changed meanwhile: read again, retry
            self._again(item, fault)
        elif fault.code == "network":  # never reached QuickBooks: nothing happened, read again and retry
            self._again(item, fault)
        else:
            self._failed(item, fault)

    def _batch_ready(self) -> bool:
        """A full batch is ready, or no more is coming (nothing left to read): a batch request is not spent on a
        few objects while a read is about to bring many."""
        return len(self._ready) >= self.batch_size or bool(self._ready and not self._to_read and not self._reading)

    async def _batch_worker(self) -> None:
        while await self._wait(self._batch_ready):
            if len(self._ready) == 1 and self.single_workers:
                item = self._ready.popleft()  # one object: a single request, the batch places are for many
                await self._single(item)
            else:
                if not await self._batch_place():
                    return
                if not self._ready:  # the single workers took them meanwhile: the claimed place goes unused
                    continue
                await self._batch([self._ready.popleft() for _ in range(min(self.batch_size, len(self._ready)))])
            self.progress()
            await self._notify()

    async def _single_worker(self) -> None:
        while await self._wait(lambda: bool(self._ready)):
            if not await self._place(batch=False):
                return
            if not self._ready:
                continue
            item = self._ready.pop()  # from the far end: the batch workers take from the front
            await self._single(item)
            self.progress()
            await self._notify()

    async def _batch(self, chunk: list[_Item]) -> None:
        items = []
        for n, item in enumerate(chunk, 1):
            operation, body = self._request(item)
            items.append(BatchItem(bid=str(n), operation=operation, entity=item.entity, body=body))  # type: ignore[arg-type]
        rid = request_id(f"{self.undo_id}/batch", [(i.operation, i.entity, i.body) for i in items])
        try:
            results = await self.client.batch(items, request_id=rid)
        except UnknownOutcome as exc:  # a lost answer: read each object again (gone: removed; there: resent)
            log.info("no answer to an undo batch of %d (%s): reading its objects again", len(items), exc.reason)
            for item in chunk:
                self._again(item, _no_answer(exc.reason))
            return
        except CompanyFault:  # about the whole company: the undo stops
            raise
        except QBOFault as fault:  # the whole batch was refused
            for item in chunk:
                self._settle(item, fault)
            return
        for item, result in zip(chunk, results):
            if result.fault is not None:
                self._settle(item, result.fault)
            else:
                self._removed(item)

    async def _single(self, item: _Item) -> None:
        operation, body = self._request(item)
        rid = request_id(f"{self.undo_id}/single", [(operation, item.entity, body)])
        try:
            if operation == "delete":
                await self.client.delete(item.entity, item.id, body["SyncToken"], request_id=rid)
            else:
                await self.client.update(item.entity, {k: v for k, v in body.items() if k != "sparse"},
                                         sparse=True, request_id=rid)
        except UnknownOutcome as exc:
            self._again(item, _no_answer(exc.reason))
            return
        except CompanyFault:  # about the whole company: the undo stops
            raise
        except QBOFault as fault:
            self._settle(item, fault)
            return
        self._removed(item)


def still_used(cache: Cache, created: list[RunObject]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The documents of ``created`` that another document names (its customer, supplier, products, invoice or
    bill) while that one is in QBO and not undone with them: {document: [documents using it]}."""
    undone = {(c["type"], c["ref"]) for c in created}
    targets = {t for t, _ in undone}
    users: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for kind in KINDS:
        if not any(target in targets for _, target in kind.references):
            continue
        for record in cache.documents(kind.name):
            key = (record["type"], record["ref"])
            if key in undone:
                continue
            used = [dep for dep in dependencies(record["data"]) if dep in undone]
            if not used:
                continue
            link = cache.link(*key)
            if not link or link.get("status") == "voided" or not any(q.get("id") for q in link.get("qbo") or ()):
                continue  # not in QBO: it uses nothing there
            for dep in used:
                users.setdefault(dep, []).append(key)
    return users


class UndoRefused(UndoError):
    """Objects of the run that later documents still use: nothing was removed (``--cascade`` undoes those too)."""

    def __init__(self, refused: list[dict[str, Any]]):
        self.refused = refused
        names = "; ".join(f"{o['type']} {o['ref']} ({o['entity']} {o['id']}) is used by "
                          + ", ".join(_user_text(u) for u in o["used_by"]) for o in refused)
        super().__init__(f"nothing was undone: {names}. Undo those first, or qbtui undo RUN --cascade to undo them "
                         "too (newest first)")


def _user_text(user: dict[str, Any]) -> str:
    return f"{user['type']} {user['ref']}" + (f" (run {user['run']})" if user.get("run") else "")


def _find_run(cache: Cache, run_id: str) -> Run:
    run = next((r for r in cache.runs() if r["id"] == run_id), None)
    if run is None:
        raise UndoError(f"no run {run_id!r}: see `qbtui runs` for the run ids")
    if run.get("kind") == "undo":
        raise UndoError(f"run {run_id} is itself an undo; it cannot be undone")
    if run.get("undone_by"):
        raise UndoError(f"run {run_id} was already undone by run {run['undone_by']}")
    return run


def _action(entity: str) -> str:
    return "deactivate" if entity in NEVER_DELETED else "delete"


def undo_plan(cache: Cache, run_id: str, *, cascade: bool = False) -> dict[str, Any]:
    """What ``qbtui undo RUN`` would do, changing nothing: ``{"run", "cascade", "objects": [{"type", "ref",
    "entity", "id", "action": "delete" | "deactivate" | "refused", "used_by": [{"run", "type", "ref"}], "run"}]}``.
    An object a later run's document still uses (in QBO, not undone with it) is ``refused``, naming that run and
    document; with ``cascade`` those documents' objects are listed too (``run``: the run that created them), newest
    first, and nothing is refused."""
    run = _find_run(cache, run_id)
    created = list({(c["entity"], str(c["id"])): c for c in run.get("created") or []}.values())
    made_by: dict[tuple[str, str], str] = {}
    for other in reversed(cache.runs()):  # oldest first: the newest run that created a document wins
        if other.get("kind") != "undo" and not other.get("undone_by"):
            for c in other.get("created") or ():
                made_by[(c["type"], c["ref"])] = other["id"]
    objects: list[dict[str, Any]] = [{**c, "id": str(c["id"]), "run": run_id} for c in created]
    users = still_used(cache, objects)  # type: ignore[arg-type]
    posted = summaries.run_summaries(cache, run_id)
    if cascade:
        seen = {(o["type"], o["ref"]) for o in objects}
        made_in_qbo: set[tuple[str, str]] = set()  # brought in by qbtui pull (qbtui/sync/inbound.py): never undone
        while users:
            extra: list[dict[str, Any]] = []
            for key in dict.fromkeys(u for us in users.values() for u in us):
                if key in seen:
                    continue
                seen.add(key)
                link = cache.link(*key) or {}
                if any(q.get("origin") == "quickbooks" for q in link.get("qbo") or ()):
                    made_in_qbo.add(key)
                    continue
                extra += [{"type": key[0], "ref": key[1], "entity": q["entity"], "id": str(q["id"]),
                           "run": made_by.get(key)}
                          for q in link.get("qbo") or () if q.get("id") and not q.get("linked")]
            if not extra:
                break
            objects += extra
            users = still_used(cache, objects)  # type: ignore[arg-type]
        # what a document made in QuickBooks uses stays refused, even with --cascade (a payment recorded there)
        users = {k: kept for k, us in users.items() if (kept := [u for u in us if u in made_in_qbo])}
    rows = []
    for o in objects:
        used = users.get((o["type"], o["ref"])) or []
        rows.append({**o, "action": "refused" if used else _action(o["entity"]),
                     "used_by": [{"run": made_by.get(u), "type": u[0], "ref": u[1]} for u in used]})
    later = summaries.later_corrections(cache, posted, run_id)
    for s in posted:  # its summaries, newest first; refused while a later run's correction of them is in QBO
        used_by = [{"run": None, "type": "summary", "ref": ref} for ref in later.get(s["ref"], [])]
        action = "refused" if used_by else "delete"
        payment = s["entity"] == "Payment"
        rows.append({"type": "summary_payment" if payment else "summary", "ref": s["ref"], "entity": s["entity"],
                     "id": s["id"], "run": run_id, "action": action, "used_by": used_by})
        if s["applied"]:
            rows.append({"type": "summary_payment", "ref": s["ref"], "entity": "Payment", "id": s["applied"],
                         "run": run_id, "action": action, "used_by": used_by})
    rows.sort(key=lambda r: _WAVE_OF.get(r["type"], 1), reverse=True)  # the order undo removes them: newest first
    return {"run": run_id, "cascade": cascade, "objects": rows}


async def undo_run(cache: Cache, client: QBOClient, run_id: str, *, cascade: bool = False,
                   on_event: events.Listener | None = None, batch_size: int = BATCH_MAX_ITEMS, batch_workers: int = 3,
                   single_workers: int = 5) -> Run:
    """Remove what run ``run_id`` created (with ``cascade``, and the later documents that use it), in reverse
    dependency order, in batches. Returns the undo run. Raises :class:`UndoRefused`, before anything is removed,
    when later documents still use an object of the run and ``cascade`` is not given."""
    check_writes_allowed(cache)
    planned = undo_plan(cache, run_id, cascade=cascade)
    refused = [o for o in planned["objects"] if o["action"] == "refused"]
    if refused:
        raise UndoRefused(refused)
    to_remove: list[RunObject] = [{"type": o["type"], "ref": o["ref"], "entity": o["entity"], "id": o["id"]}
                                  for o in planned["objects"]]
    later = sorted({o["run"] for o in planned["objects"] if o["run"] and o["run"] != run_id})
    cascaded = [{"run": o["run"], "type": o["type"], "ref": o["ref"], "entity": o["entity"], "id": o["id"]}
                for o in planned["objects"] if o["run"] != run_id]
    undo_id = cache.add_run({"kind": "undo", "started": now_iso(), "ended": None, "counts": {}, "created": [], "who": who(),
                             "undoes": run_id, **({"cascaded": cascaded} if cascaded else {})})
    undo = _Undo(cache, client, undo_id, on_event, batch_size, batch_workers, single_workers)
    stopped: CompanyFault | None = None
    try:
        await undo.run(to_remove)
    except CompanyFault as fault:  # the connection, the access or the subscription: what was removed is recorded,
        stopped = fault            # the rest waits until a person acts (then the undo is run again)
    finally:  # also when stopped: what is gone from QBO is recorded as gone
        _record(cache, undo, undo_id, [])
    if stopped is not None:
        cache.update_run(undo_id, interrupted=True, stopped={"code": stopped.code, "message": str(stopped),
                                                             "hint": stopped.hint, "intuit_tid": stopped.intuit_tid})
        raise stopped
    if not undo.failed_objects:  # else the run can be undone again (what is gone counts as removed)
        cache.update_run(run_id, undone_by=undo_id)
        removed = {(o["entity"], str(o["id"])) for o in undo.removed}
        for other in cache.runs():  # a later run all of whose objects went with the cascade is undone too
            if other["id"] in later and all((c["entity"], str(c["id"])) in removed for c in other.get("created") or ()):
                cache.update_run(other["id"], undone_by=undo_id)
    return next(r for r in cache.runs() if r["id"] == undo_id)


def _record(cache: Cache, undo: _Undo, undo_id: str, kept: list[dict[str, Any]]) -> None:
    outcomes: list[Outcome] = []
    for doc_type, ref in dict.fromkeys((c["type"], c["ref"]) for c in undo.removed):
        if (doc_type, ref) in undo.failures or doc_type in SUMMARY_TYPES:
            continue
        outcomes.append({"type": doc_type, "ref": ref, "status": "voided", "run": undo_id})
    outcomes += [{"type": t, "ref": r, "status": "failed", "error": e, "run": undo_id} for (t, r), e in undo.failures.items()
                 if t not in SUMMARY_TYPES]
    cache.record_outcomes(outcomes)
    # a summary all of whose objects are gone: its documents are pending again (the next sync posts them anew)
    failed = {r for t, r in undo.failures if t in SUMMARY_TYPES}
    gone = {c["ref"] for c in undo.removed if c["type"] in SUMMARY_TYPES and c["ref"] not in failed}
    if gone:
        summaries.forget(cache, gone, undo_id)
    counts = {"removed": len(undo.removed), "failed": len(undo.failed_objects), "kept": len(kept)}
    cache.update_run(undo_id, ended=now_iso(), counts=counts, removed=undo.removed, kept=kept)
